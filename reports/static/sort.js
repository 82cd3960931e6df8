(function () {
  "use strict";
  // Progressive enhancement: every page is complete without this script. With it, column headings become
  // buttons that sort the rows (aria-sort says how), long tables get a filter box, a link to a section
  // inside a closed <details> opens it, and printing opens every <details>.
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

  // Filter: a labelled search box above a long table; rows whose text lacks every typed word are hidden.
  var filters = 0;
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter]"), function (region) {
    var table = region.querySelector("table");
    if (!table || !table.tBodies.length) { return; }
    filters += 1;
    var id = "filter-" + filters;
    var box = document.createElement("p");
    box.className = "filter";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = region.getAttribute("data-filter");
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.setAttribute("aria-controls", table.id);
    var count = document.createElement("output");
    count.setAttribute("aria-live", "polite");
    count.htmlFor = id;
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(count);
    region.parentNode.insertBefore(box, region);
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    input.addEventListener("input", function () {
      var words = input.value.toLocaleLowerCase(lang).split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.textContent.toLocaleLowerCase(lang);
        var match = words.every(function (w) { return text.indexOf(w) >= 0; });
        row.hidden = !match;
        if (match) { shown += 1; }
      });
      count.textContent = words.length ? shown + " / " + rows.length : "";
    });
  });

  // A link to something inside a closed <details> opens it (browsers differ on whether they do).
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
    if (target) { target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", reveal);
  if (location.hash) { reveal(); }
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
})();
