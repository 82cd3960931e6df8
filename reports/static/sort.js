(function () {
  "use strict";
  // Progressive enhancement: every table is complete without this script; with it,
  // column headings become buttons that sort the rows, and aria-sort says how.
  var lang = document.documentElement.lang || "vi";
  function key(cell, numeric) {
    var value = cell.getAttribute("data-sort");
    if (value === null) { value = cell.textContent.trim(); }
    if (!numeric) { return value; }
    var n = parseFloat(value);
    return isNaN(n) ? -Infinity : n;
  }
  function sortBy(table, index, th) {
    var numeric = th.getAttribute("data-type") === "num";
    var current = th.getAttribute("aria-sort");
    var ascending = current ? current !== "ascending" : !th.hasAttribute("data-desc");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[index], numeric), y = key(b.cells[index], numeric);
      var c = numeric ? (x === y ? 0 : (x < y ? -1 : 1)) : String(x).localeCompare(String(y), lang);
      return ascending ? c : -c;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      var icon = document.createElement("span");
      icon.className = "sort-icon";
      icon.setAttribute("aria-hidden", "true");
      button.appendChild(icon);
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, index, th); });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".sort-hint"), function (hint) { hint.hidden = false; });
})();
