/* Tabs (role=tablist), accordions (aria-expanded) and Bootstrap-style tab links on detail pages. */
document.addEventListener('click', function (e) {
  var tab = e.target.closest('[role=tab]');
  if (tab) {
    tab.closest('[role=tablist]').querySelectorAll('[role=tab]').forEach(function (b) {
      var on = b === tab;
      b.setAttribute('aria-selected', on);
      document.getElementById(b.getAttribute('aria-controls')).hidden = !on;
    });
  }
  var acc = e.target.closest('.accordion-btn');
  if (acc) {
    var open = acc.getAttribute('aria-expanded') !== 'true';
    acc.setAttribute('aria-expanded', open);
    document.getElementById(acc.getAttribute('aria-controls')).hidden = !open;
  }
  var link = e.target.closest('a.tab-link');
  if (link) {
    e.preventDefault();
    document.querySelectorAll('.tab-pane').forEach(function (p) {
      p.style.display = ('#' + p.id) === link.getAttribute('href') ? 'block' : 'none';
    });
  }
});
