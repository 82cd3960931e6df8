/* The hash-routed portal: fetches its menu/footer once and each route's content as JSON,
   keeps the title and focus right on route changes, and turns form submits into routes. */
(function () {
  var app = document.getElementById('app');
  var frame = null;
  var first = true;
  var latest = 0;   // a slow answer for an earlier route must not overwrite the current one

  function getJSON(url) {
    return fetch(url, {headers: {'Accept': 'application/json'}}).then(function (r) { return r.json(); });
  }

  function route() {
    var h = location.hash;
    return h.indexOf('#/') === 0 ? h.slice(1) : '/';
  }

  function render() {
    var r = route(), ticket = ++latest;
    var busy = document.getElementById('noi-dung');
    if (busy) busy.setAttribute('aria-busy', 'true');   // tells assistive tech (and test tools) to wait
    frame = frame || getJSON('/api/khung');
    Promise.all([frame, getJSON('/api/view?route=' + encodeURIComponent(r))]).then(function (res) {
      if (ticket !== latest) return;
      var f = res[0], v = res[1];
      if (v.redirect) { location.replace(v.redirect); return; }
      if (!app.getAttribute('data-ready')) {
        app.innerHTML = f.top + '<main id="noi-dung" tabindex="-1"><div class="container"></div></main>' + f.footer;
        app.setAttribute('data-ready', '1');
      }
      var box = document.querySelector('#noi-dung .container');
      box.innerHTML = v.html;
      document.title = v.title;
      document.querySelectorAll('.main-nav a').forEach(function (a) {
        if (a.getAttribute('href') === '#' + r.split('?')[0]) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      });
      if (!first) {  // a route change: move focus to the new heading, as a page load would
        var h = box.querySelector('h1');
        if (h) { h.setAttribute('tabindex', '-1'); h.focus(); }
        window.scrollTo(0, 0);
      }
      first = false;
      document.getElementById('noi-dung').removeAttribute('aria-busy');
      document.documentElement.setAttribute('data-route', r);
    });
  }

  // "#noi-dung" is not a route: the skip link moves focus instead of navigating.
  document.addEventListener('click', function (ev) {
    if (ev.target.closest('a.skip-link')) {
      ev.preventDefault();
      document.getElementById('noi-dung').focus();
    }
  });

  document.addEventListener('submit', function (ev) {
    var form = ev.target, to = form.getAttribute('data-route');
    ev.preventDefault();
    var data = new URLSearchParams(new FormData(form));
    if (to) {  // search and lookup are GET routes
      var qs = new URLSearchParams();
      data.forEach(function (v, k) { if (v) qs.append(k, v); });
      location.hash = '#' + to + (qs.toString() ? '?' + qs.toString() : '');
      return;
    }
    fetch(form.getAttribute('action'), {method: 'POST', body: data, headers: {'Accept': 'application/json'}})
      .then(function (r) { return r.json(); })
      .then(function (j) {
        var p = document.createElement('p');
        p.className = 'status';
        p.setAttribute('role', 'status');
        p.textContent = j.message;
        form.parentNode.insertBefore(p, form);
      });
  });

  window.addEventListener('hashchange', render);
  render();
})();
