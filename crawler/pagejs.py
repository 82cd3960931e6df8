"""What portalscore runs inside a page: the timing observers installed before any page script, and the one
DOM read of an audited page (links and facts, the content fingerprint, the template skeleton)."""

from __future__ import annotations

from .fingerprint import FINGERPRINT_JS
from .template import SKELETON_JS

PERF_INIT_JS = """
(() => {
  if (window.__ps) return;
  const ps = window.__ps = {fcp: null, lcp: null, cls: 0, longtasks: []};
  // Observers deliver entries in a later task: flush() hands over what is still queued, so that a read sees every
  // entry recorded before it.
  const observers = [];
  const observe = (type, each) => {
    try {
      const po = new PerformanceObserver(list => list.getEntries().forEach(each));
      po.observe({type, buffered: true});
      observers.push([po, each]);
    } catch (e) { /* entry type not supported in this frame */ }
  };
  ps.flush = () => observers.forEach(([po, each]) => po.takeRecords().forEach(each));
  observe('paint', e => { if (e.name === 'first-contentful-paint') ps.fcp = e.startTime; });
  observe('largest-contentful-paint', e => { ps.lcp = e.startTime; });
  // CLS as Web Vitals defines it: the largest session window (gaps < 1 s, window < 5 s).
  let session = [], value = 0;
  // hadRecentInput is not honoured: nothing of ours gives the page input before timings are read, and Chromium sets
  // the flag after the mobile viewport emulation as well (Lighthouse works around the same), which dropped a real
  // shift from some loads of a page and not others.
  observe('layout-shift', e => {
    const first = session[0], last = session[session.length - 1];
    if (last && e.startTime - last.startTime < 1000 && e.startTime - first.startTime < 5000) {
      session.push(e); value += e.value;
    } else { session = [e]; value = e.value; }
    ps.cls = Math.max(ps.cls, value);
  });
  observe('longtask', e => { if (ps.longtasks.length < 2000) ps.longtasks.push([e.startTime, e.duration]); });
})();
"""

# Only on loads whose slow network is simulated (crawler/netsim.py): the image the LCP element shows, which the
# simulated LCP waits for. A second observer of its own, so that every other load runs exactly the timing code it ran.
LCP_URL_INIT_JS = """
(() => {
  if (window.__psLcp) return;
  const seen = window.__psLcp = {url: '', po: null};
  try {
    seen.po = new PerformanceObserver(list => list.getEntries().forEach(e => { seen.url = e.url || ''; }));
    seen.po.observe({type: 'largest-contentful-paint', buffered: true});
  } catch (e) { /* not supported in this frame */ }
})();
"""

LCP_URL_JS = """
() => {
  const seen = window.__psLcp;
  if (!seen) return '';
  if (seen.po) seen.po.takeRecords().forEach(e => { seen.url = e.url || ''; });
  return typeof seen.url === 'string' ? seen.url.slice(0, 2000) : '';
}
"""

TIMINGS_JS = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const ps = window.__ps || {};
  if (ps.flush) ps.flush();
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const fcp = ps.fcp != null ? ps.fcp : (paint ? paint.startTime : null);
  // Total blocking time as Lighthouse counts it: the part of each long task beyond 50 ms, after FCP.
  let tbt = 0;
  for (const [start, duration] of (ps.longtasks || [])) {
    if (fcp === null || start + duration > fcp) tbt += Math.max(0, duration - 50);
  }
  const pos = (v) => (v && v > 0 ? v : null);
  return {
    ttfb_ms: nav ? pos(nav.responseStart) : null,
    dcl_ms: nav ? pos(nav.domContentLoadedEventEnd) : null,
    load_ms: nav ? pos(nav.loadEventEnd) : null,
    fcp_ms: fcp, lcp_ms: ps.lcp != null ? ps.lcp : null, cls: ps.cls != null ? ps.cls : null,
    tbt_ms: ps.longtasks ? tbt : null,
  };
}
"""

EXTRACT_JS = """
(maxLinks) => {
  const links = [], seen = new Set();
  const anchors = document.querySelectorAll('a[href], area[href]');
  for (const a of anchors) {
    const href = a.href;
    if (typeof href === 'string' && href && !seen.has(href)) {
      seen.add(href); links.push(href);
      if (links.length >= maxLinks) break;
    }
  }
  const mixed = [];
  if (location.protocol === 'https:') {
    const sel = 'img[src],script[src],iframe[src],audio[src],video[src],source[src],embed[src],' +
                'link[rel~=stylesheet][href]';
    for (const el of document.querySelectorAll(sel)) {
      const u = el.getAttribute('src') !== null ? el.src : el.href;
      if (typeof u === 'string' && u.startsWith('http:') && mixed.length < 50) mixed.push(u);
    }
  }
  const root = document.documentElement;
  const emcScript = Array.from(document.scripts).some(s => (s.src || '').includes('gov-tracking'));
  return {
    title: document.title || '', lang: root ? (root.getAttribute('lang') || '') : '', links, mixed,
    linkCount: anchors.length,
    nodes: document.getElementsByTagName('*').length,
    emc: emcScript || typeof window._govaq !== 'undefined',
  };
}
"""

# Everything read from the DOM of an audited page, in one round trip: links and facts, the content
# fingerprint (incremental crawling) and the template skeleton (audit sampling).
PAGE_JS = f"""
(args) => {{
  const extract = {EXTRACT_JS};
  const fingerprint = {FINGERPRINT_JS};
  const skeleton = {SKELETON_JS};
  return {{...extract(args.maxLinks), fingerprint: fingerprint(args.maxChars), skeleton: skeleton(args.maxPaths)}};
}}
"""
