"""Finding links, buttons and inputs on portals nobody here has seen, by what a citizen reads.

One script call lists the page's interactive elements with their accessible name (aria-label,
aria-labelledby, text, image alt, title, value), label, placeholder, href and visibility, and tags
each with a `data-ps-ref` attribute so that a match can be clicked with an ordinary locator.
Python then ranks them against synonym lists (vocabulary.py) with Vietnamese-aware matching
(textmatch.py): exact label > label containing the phrase > the same without diacritics > URL words.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

from . import textmatch

LINK_SELECTOR = "a[href], area[href], [role=link]"
BUTTON_SELECTOR = (
    "button, [role=button], input[type=submit], input[type=button], input[type=image], summary, "
    "[role=menuitem], [role=tab], [onclick]"
)
INPUT_SELECTOR = (
    "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=checkbox])"
    ":not([type=radio]):not([type=image]):not([type=file]):not([type=reset]), textarea, "
    "[role=searchbox], [role=textbox], [role=combobox]"
)
KIND_SELECTORS = {"link": LINK_SELECTOR, "button": BUTTON_SELECTOR, "input": INPUT_SELECTOR}

_LIST_JS = r"""
({selector, max}) => {
  window.__psSeq = window.__psSeq || 0;
  const text = (el) => (el ? (el.innerText || el.textContent || '') : '').replace(/\s+/g, ' ').trim();
  const byIds = (ids) => (ids || '').split(/\s+/).filter(Boolean)
      .map(id => text(document.getElementById(id))).join(' ').trim();
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (out.length >= max) break;
    const labels = el.labels ? Array.from(el.labels).map(text).join(' ') : '';
    const alts = Array.from(el.querySelectorAll('img[alt], svg title'))
      .map(i => i.getAttribute('alt') || i.textContent).join(' ');
    const own = el.tagName === 'INPUT' ? (el.value || '') : text(el);
    const name = (el.getAttribute('aria-label') || byIds(el.getAttribute('aria-labelledby')) ||
                  (own || alts) || labels || el.getAttribute('title') || '').trim();
    const rect = el.getBoundingClientRect();
    const visible = (el.checkVisibility ? el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}) : true)
                    && rect.width > 0 && rect.height > 0;
    const ref = 'r' + (++window.__psSeq);
    el.setAttribute('data-ps-ref', ref);
    out.push({
      ref, tag: el.tagName.toLowerCase(), role: el.getAttribute('role') || '',
      type: (el.getAttribute('type') || '').toLowerCase(),
      name: name.slice(0, 300), labels: labels.slice(0, 300), title: el.getAttribute('title') || '',
      placeholder: el.getAttribute('placeholder') || '', href: el.getAttribute('href') || '',
      target: el.getAttribute('target') || '',
      attrs: [el.id, el.getAttribute('name') || '', typeof el.className === 'string' ? el.className : '']
        .join(' ').slice(0, 200),
      visible, in_header: !!el.closest('header, nav, [role=banner], [role=navigation]'),
      in_footer: !!el.closest('footer, [role=contentinfo], [class*=footer i], [id*=footer i]'),
      y: Math.round(rect.y + window.scrollY),
    });
  }
  return out;
}
"""


@dataclass
class Candidate:
    ref: str
    tag: str
    role: str
    type: str
    name: str
    labels: str
    title: str
    placeholder: str
    href: str
    target: str
    attrs: str
    visible: bool
    in_header: bool
    y: int
    in_footer: bool = False  # in the page's footer (every page has it: says nothing about this page's function)
    quality: int = 0
    synonym: str = ""
    matched_on: str = ""

    def locator(self, page: Page) -> Locator:
        return page.locator(f'[data-ps-ref="{self.ref}"]')

    def describe(self, name: str = "") -> str:
        """The element as an evidence line quotes it; `name`: its accessible name from the accessibility tree
        (Journey.describe), which the list's own quick name only approximates (an aria-hidden icon, say)."""
        what = name or self.name or self.placeholder or self.title or self.href
        return f"{self.tag} {json.dumps(what[:80], ensure_ascii=False)} (matched {self.matched_on} on {self.synonym!r})"

    def absolute_href(self, base: str) -> str | None:
        """The link's target when following it is a plain navigation (not javascript:, not a bare '#')."""
        href = self.href.strip()
        if not href or href == "#" or href.lower().startswith(("javascript:", "mailto:", "tel:")):
            return None
        return urljoin(base, href)


def nfc(text: str) -> str:
    """Text as we compare and quote it: NFC. Older CMSs store Vietnamese decomposed (NFD: 'ô' + a combining
    acute); quoted as it is, it would differ byte for byte from the same words typed today."""
    return unicodedata.normalize("NFC", text or "")


_TEXT_FIELDS = ("name", "labels", "title", "placeholder")


def list_elements(page: Page, kinds: tuple[str, ...], limit: int = 3000) -> list[Candidate]:
    selector = ", ".join(KIND_SELECTORS[k] for k in kinds)
    raw = page.evaluate(_LIST_JS, {"selector": selector, "max": limit})
    found = []
    for r in raw:
        for key in _TEXT_FIELDS:
            r[key] = nfc(r[key])
        found.append(Candidate(**r))
    return found


# The first line of Playwright's ARIA snapshot of an element: `- link "Cổng Dịch vụ công":` (role, then the
# accessible name as the browser's accessibility tree computes it, a JSON string).
_ARIA_LINE = re.compile(r'^- ([A-Za-z]+)(?: "((?:[^"\\]|\\.)*)")?')


def accessible_name(locator: Locator, timeout_ms: float = 2000) -> tuple[str, str]:
    """(role, accessible name) of an element, computed by Playwright from the accessibility tree (a link named by
    its image's alt, aria-labelledby, a label...), not guessed from its text; NFC. ("", "") when it cannot say."""
    try:
        snapshot = locator.aria_snapshot(timeout=timeout_ms).strip()
    except PlaywrightError:
        return "", ""
    m = _ARIA_LINE.match(snapshot.splitlines()[0]) if snapshot else None
    if m is None:
        return "", ""
    try:
        name = json.loads(f'"{m.group(2)}"') if m.group(2) else ""
    except ValueError:
        name = m.group(2) or ""
    return m.group(1), nfc(name)


# A label may say more than the synonym ("» Tra cứu hồ sơ trực tuyến"), but a long one is a news
# headline or a sentence ("Hướng dẫn thanh toán phí, lệ phí trực tuyến qua Nền tảng thanh toán"),
# not the entry to the function.
MAX_EXTRA_WORDS = 5


def _score(c: Candidate, synonyms: tuple[str, ...], use_url: bool) -> None:
    fields = (("name", c.name), ("label", c.labels), ("placeholder", c.placeholder), ("title", c.title))
    for field_name, value in fields:
        quality, synonym = textmatch.best_match(value, synonyms)
        if quality and len(textmatch.bare(value).split()) - len(textmatch.bare(synonym).split()) > MAX_EXTRA_WORDS:
            continue
        if quality > c.quality:
            c.quality, c.synonym, c.matched_on = quality, synonym, field_name
    long_label = len(textmatch.bare(c.name).split()) > MAX_EXTRA_WORDS + 1
    if use_url and not c.quality and not long_label and c.href and not c.href.lower().startswith("javascript:"):
        # '/tra-cuu-ho-so' or '#/tra-cuu-ho-so': the slug is the label without diacritics.
        words = textmatch.url_words(urlsplit(c.href).path + " " + urlsplit(c.href).fragment)
        for synonym in synonyms:
            if textmatch.contains_words(words, textmatch.bare(synonym)):
                c.quality, c.synonym, c.matched_on = 1, synonym, "url"
                break


def find(
    page: Page,
    synonyms: tuple[str, ...],
    kinds: tuple[str, ...] = ("link", "button"),
    include_hidden: bool = True,
    use_url: bool = True,
) -> list[Candidate]:
    """Elements whose label matches a synonym, best first: visible before hidden, short labels first.

    Hidden matches (collapsed menus, mobile navigation) are kept after visible ones: a hidden link can
    still be followed by its href.
    """
    found = []
    for c in list_elements(page, kinds):
        if not include_hidden and not c.visible:
            continue
        _score(c, synonyms, use_url)
        if c.quality:
            found.append(c)
    # Earlier synonyms are the more specific wordings: they break ties between equal matches.
    order = {s: i for i, s in enumerate(synonyms)}
    found.sort(key=lambda c: (not c.visible, -c.quality, order.get(c.synonym, 99), len(c.name), c.y))
    return found


def find_input(
    page: Page, synonyms: tuple[str, ...], attr_words: tuple[str, ...] = (), prefer_search_type: bool = False
) -> Candidate | None:
    """A visible text input by label/placeholder/name; then by id/name attribute words; then type=search."""
    inputs = [c for c in list_elements(page, ("input",)) if c.visible and c.type not in ("password", "email")]
    for c in inputs:
        _score(c, synonyms, use_url=False)
    named = sorted((c for c in inputs if c.quality), key=lambda c: (-c.quality, c.in_header, c.y))
    if named:
        return named[0]
    for c in inputs:
        words = f" {textmatch.url_words(c.attrs)} "
        for w in attr_words:
            if f" {w} " in words or (len(w) > 4 and w in words):
                c.quality, c.synonym, c.matched_on = 1, w, "id/name attribute"
                return c
    if prefer_search_type:
        for c in inputs:
            if c.type == "search" or c.role == "searchbox":
                c.quality, c.synonym, c.matched_on = 1, c.type or c.role, "input type"
                return c
    return None


# The main navigation: the container (landmark or not: many portals use <div class="menu">) outside
# the footer with the most visible items. Its items get data-ps-nav="<index>".
_MAIN_NAV_JS = """() => {
  const containers = Array.from(document.querySelectorAll(
      'nav, [role=navigation], [role=menubar], header, [class*=nav i], [id*=nav i], [class*=menu i], [id*=menu i]'))
    .filter(n => !n.closest('footer, [role=contentinfo], [class*=footer i], [id*=footer i]'));
  const items = (n) => Array.from(n.querySelectorAll('a[href], [role=menuitem], [onclick]'))
    .filter(a => a.checkVisibility() && a.getBoundingClientRect().width > 0 && !a.parentElement.closest('[onclick]'));
  let best = null, bestItems = [];
  for (const n of containers) {
    const found = items(n);
    const isLandmark = n.matches('nav, [role=navigation]');
    const beatsDiv = found.length === bestItems.length && isLandmark && best && !best.matches('nav, [role=navigation]');
    if (found.length > bestItems.length || beatsDiv) {
      best = n; bestItems = found;
    }
  }
  bestItems.forEach((a, i) => a.setAttribute('data-ps-nav', String(i)));
  return {landmark: !!(best && (best.matches('nav, [role=navigation]') || best.closest('nav, [role=navigation]'))),
          items: bestItems.map(a => (a.innerText || a.getAttribute('aria-label') || '').trim().slice(0, 60))};
}"""


def main_navigation(page: Page) -> dict:
    """{'landmark': bool, 'items': [names]} of the main navigation; items are tagged data-ps-nav.

    Whether it is a landmark is read off the accessibility tree (Playwright's role computation): the menu is marked
    up as navigation when a `navigation` landmark (<nav>, role=navigation) holds most of its items, whichever box
    our search picked (a <header> or <div class=menu> around the <nav> has more links: the logo, a sign-in)."""
    nav = page.evaluate(_MAIN_NAV_JS)
    nav["items"] = [nfc(name) for name in nav["items"]]
    if not nav["landmark"] and nav["items"]:
        try:
            landmarks = page.get_by_role("navigation").all()
            held = max((n.locator("[data-ps-nav]").count() for n in landmarks), default=0)
        except PlaywrightError:
            held = 0
        nav["landmark"] = held * 2 >= len(nav["items"])
    return nav


def visible_text(page: Page) -> str:
    """What a reader sees (innerText): hidden templates and scripts excluded."""
    try:
        return nfc(page.evaluate("() => document.body ? document.body.innerText : ''") or "")
    except PlaywrightError:
        return ""


_ALL_TEXT_JS = """() => {
  if (!document.body) return '';
  const parts = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const tag = walker.currentNode.parentElement && walker.currentNode.parentElement.tagName;
    if (!['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(tag)) parts.push(walker.currentNode.textContent);
  }
  return parts.join(' ').replace(/\\s+/g, ' ');
}"""


_CONTENT_TEXT_JS = """() => {
  if (!document.body) return '';
  const body = document.body.cloneNode(true);
  body.querySelectorAll('footer, [role=contentinfo], [class*=footer i], [id*=footer i], script, style, noscript, template').forEach(n => n.remove());
  return (body.textContent || '').replace(/\\s+/g, ' ');
}"""


def content_text(page: Page) -> str:
    """The page's text without its footer: what the page itself offers (the footer repeats site-wide links such as
    'Cổng Dịch vụ công quốc gia', which are not a sign-in option of this page)."""
    try:
        return nfc(page.evaluate(_CONTENT_TEXT_JS) or "")
    except PlaywrightError:
        return ""


def all_text(page: Page) -> str:
    """Text including collapsed accordions and inactive tabs; text nodes joined by spaces so that
    '<h3>Phí</h3><p>Miễn</p>' does not read as one word."""
    try:
        return nfc(page.evaluate(_ALL_TEXT_JS) or "")
    except PlaywrightError:
        return ""
