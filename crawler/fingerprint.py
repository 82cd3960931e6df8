"""A page's content hash: what its axe audit depends on, so that an unchanged page can reuse a stored audit.

Hashed: the rendered DOM (open shadow roots included) and the CSS rules in force. Rendered HTML alone
is not enough and too much at once:
- not enough: a stylesheet changed at the same URL changes colour contrast without changing the HTML,
  so the rules of every readable stylesheet are hashed too (a cross-origin sheet, unreadable, by its URL);
- too much: real portals change bytes on every load that no axe rule looks at, and a hash that changes
  on every load never hits. Left out: the contents and attributes of <script> elements (inline
  tracking configs, nonces, cache-busting URLs; the element itself stays, so that element positions do),
  `nonce` attributes, the values of hidden inputs (CSRF tokens, ASP.NET __VIEWSTATE/__EVENTVALIDATION,
  SharePoint __REQUESTDIGEST), the content of <meta> tags other than viewport and refresh (csrf-token;
  axe reads only those two), and the digits of text (visitor counters and "today" dates in headers:
  a number that changes neither makes nor mends a violation; the HTML excerpts of a reused result may
  show the old numbers). Attribute values keep their digits: ids, ARIA references and inline colours.
The sample portals serve byte-identical pages, so this normalisation is not what makes them hit; the
reuse test serves per-load tokens, a counter and a nonce to check that it does on such pages.
"""

from __future__ import annotations

import hashlib

MAX_CHARS = 8_000_000  # a bigger page gets no hash (and never reuses a result): a prefix would miss changes

FINGERPRINT_JS = r"""
(maxChars) => {
  const out = [];
  let size = 0;
  const push = (s) => { size += s.length; if (size <= maxChars) out.push(s); };
  const keepMeta = /^(viewport|refresh)$/i;
  const walk = (parent, rawText) => {
    for (let n = parent.firstChild; n && size <= maxChars; n = n.nextSibling) {
      if (n.nodeType === 3) { push(rawText ? n.data : n.data.replace(/[0-9]+/g, '0')); continue; }
      if (n.nodeType !== 1) continue;
      const tag = n.localName;
      if (tag === 'script') { push('<script></script>'); continue; }
      const hidden = tag === 'input' && (n.getAttribute('type') || '').toLowerCase() === 'hidden';
      const meta = tag === 'meta' && !keepMeta.test(n.getAttribute('name') || n.getAttribute('http-equiv') || '');
      push('<' + tag);
      for (const a of n.attributes) {
        if (a.name === 'nonce' || (hidden && a.name === 'value') || (meta && a.name === 'content')) continue;
        push(' ' + a.name + '="' + a.value + '"');
      }
      push('>');
      if (n.shadowRoot) { push('<#shadow-root>'); walk(n.shadowRoot, false); push('</#shadow-root>'); }
      walk(n, tag === 'style');
      push('</' + tag + '>');
    }
  };
  walk(document, false);
  for (const sheet of [...document.styleSheets, ...(document.adoptedStyleSheets || [])]) {
    push('\n@sheet ' + (sheet.media ? sheet.media.mediaText : '') + (sheet.disabled ? ' disabled' : '') + '\n');
    let rules = null;
    try { rules = sheet.cssRules; } catch (e) { /* cross-origin, unreadable */ }
    // Rules, not addresses: the same portal served from another host or port is the same content.
    if (rules) { for (const r of rules) push(r.cssText + '\n'); } else { push('@href ' + (sheet.href || '')); }
  }
  return {text: out.join(''), truncated: size > maxChars};
}
"""


def digest(data: dict) -> str:
    """sha256 of FINGERPRINT_JS's output; "" when the page was too big to hash whole."""
    if data["truncated"]:
        return ""
    return hashlib.sha256(data["text"].encode("utf-8", "replace")).hexdigest()
