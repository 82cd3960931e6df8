"""Journey 10: the home page with the keyboard only (WCAG 2.4.1 skip link, 2.4.7 visible focus,
2.1.1 keyboard, 2.1.2 no keyboard trap).

The journey presses Tab from the top of the page and, after each press, asks the page which element
has focus and whether its look differs from its unfocused look (outline, shadow, border, colours,
underline — of the element or its parent, since themes often style the list item around a link).
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page

from .. import locate, textmatch
from .. import vocabulary as V
from ..journey import Journey, journey
from ..reach import open_home

MAX_TABS = 200
STUCK_PRESSES = 2  # Tab presses in a row that leave focus on the same element: focus is stuck

# Unfocused look of every tabbable element, remembered up front.
_PREPARE_JS = """() => {
  const sig = (el) => { if (!el) return ''; const c = getComputedStyle(el);
    return [c.outlineStyle, c.outlineWidth, c.outlineColor, c.boxShadow, c.borderTopColor, c.borderBottomColor,
            c.borderBottomWidth, c.backgroundColor, c.color, c.textDecorationLine].join('|'); };
  window.__psSig = sig;
  window.__psBase = new Map();
  const tabbable = Array.from(document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, [tabindex], summary, [contenteditable=true]'))
    .filter(el => el.tabIndex >= 0 && !el.disabled && el.checkVisibility());
  for (const el of tabbable) window.__psBase.set(el, sig(el) + '#' + sig(el.parentElement));
  return tabbable.length;
}"""

_FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  window.__psFocusSeq = (window.__psFocusSeq || 0) + 1;
  if (!el.hasAttribute('data-ps-focus')) el.setAttribute('data-ps-focus', String(window.__psFocusSeq));
  const base = window.__psBase.get(el);
  const now = window.__psSig(el) + '#' + window.__psSig(el.parentElement);
  const r = el.getBoundingClientRect();
  return {id: el.getAttribute('data-ps-focus'), tag: el.tagName.toLowerCase(),
          name: (el.innerText || el.getAttribute('aria-label') || el.value || '').trim().slice(0, 60),
          href: el.getAttribute('href') || '', nav: el.getAttribute('data-ps-nav'),
          changed: base === undefined ? null : base !== now,
          onscreen: r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0};
}"""

_SKIP_TARGET_JS = """(href) => { const id = decodeURIComponent(href.slice(1));
  return !!(id && (document.getElementById(id) || document.getElementsByName(id).length)); }"""


def _name_from_tree(page: Page, focus: dict) -> None:
    """The element's accessible name as the accessibility tree has it (a logo link is named by its image's alt,
    a button by its aria-labelledby), for the evidence line; our quick text read is only the fallback."""
    _, name = locate.accessible_name(_focused(page, focus))
    focus["name"] = name[:60] if name else locate.nfc(focus["name"])


def _focused(page: Page, focus: dict) -> Locator:
    return page.locator(f'[data-ps-focus="{focus["id"]}"]')


@journey(
    "keyboard",
    title="Dùng được bằng bàn phím",
    title_en="Usable with the keyboard",
    steps=("open_home", "skip_link", "no_keyboard_trap", "navigation_reachable", "focus_visible"),
    subject=("skip_link", "no_keyboard_trap", "navigation_reachable", "focus_visible"),
    order=100,
)
def keyboard(j: Journey) -> None:
    open_home(j)
    page = j.page
    with j.step("skip_link") as s:
        prepared = {"tabbable": page.evaluate(_PREPARE_JS), "nav": locate.main_navigation(page)["items"]}
        page.keyboard.press("Tab")
        first = page.evaluate(_FOCUS_JS)
        j.require(first is not None, "Tab does not focus anything")
        _name_from_tree(page, first)
        s.element = _focused(page, first)  # the report shows it when it is not the skip link
        is_skip = (
            first["href"].startswith("#")
            and len(first["href"]) > 1
            and (
                textmatch.best_match(first["name"], V.SKIP_LINK)[0]
                or "skip" in first["href"].lower()
                or "main" in first["href"].lower()
                or "noi-dung" in first["href"].lower()
            )
        )
        j.require(is_skip, f"the first Tab stop is not a skip link but {first['tag']} {first['name']!r}")
        j.require(page.evaluate(_SKIP_TARGET_JS, first["href"]), f"the skip link's target {first['href']} is missing")
        j.require(first["onscreen"], "the skip link stays invisible when focused")
        s.detail = f"{first['name']!r} -> {first['href']}"
    with j.step("no_keyboard_trap") as s:
        seen: list[dict] = [first]
        repeat = 0
        presses = min(MAX_TABS, prepared["tabbable"] + 10)
        for _ in range(presses):
            if j.remaining_ms() < 2000:
                break
            page.keyboard.press("Tab")
            focus = page.evaluate(_FOCUS_JS)
            if focus is None:  # left the document at its end: the whole page was reachable
                break
            if focus["id"] == seen[-1]["id"]:
                repeat += 1
                if repeat >= STUCK_PRESSES:
                    _name_from_tree(page, focus)
                    s.element = _focused(page, focus)
                j.require(repeat < STUCK_PRESSES, f"focus is stuck on {focus['tag']} {focus['name']!r}")
                continue
            repeat = 0
            if focus["id"] == first["id"]:
                break  # wrapped round to the start
            if any(f["id"] == focus["id"] for f in seen):
                visited = len({f["id"] for f in seen})
                if visited < prepared["tabbable"] / 2:
                    _name_from_tree(page, focus)
                    s.element = _focused(page, focus)
                j.require(
                    visited >= prepared["tabbable"] / 2,
                    f"focus cycles among {visited} of {prepared['tabbable']} elements: a keyboard trap "
                    f"near {focus['tag']} {focus['name']!r}",
                )
                break
            seen.append(focus)
        s.detail = f"{len(seen)} Tab stops of {prepared['tabbable']} tabbable elements"
    with j.step("navigation_reachable") as s:
        j.require(prepared["nav"], "no main navigation to reach")
        reached = {f["nav"] for f in seen if f["nav"] is not None}
        missing = [name for i, name in enumerate(prepared["nav"]) if str(i) not in reached]
        j.require(not missing, f"{len(missing)} navigation item(s) not reachable by Tab: {', '.join(missing[:5])}")
        s.detail = f"all {len(prepared['nav'])} navigation items reached"
    with j.step("focus_visible") as s:
        invisible = [f for f in seen if f["changed"] is False]
        for f in invisible[:4]:
            _name_from_tree(page, f)
        if invisible:
            s.element = _focused(page, invisible[0])
        j.require(
            not invisible,
            f"{len(invisible)} element(s) show no focus indicator, e.g. "
            + ", ".join(f"{f['tag']} {f['name']!r}" for f in invisible[:4]),
        )
        s.detail = f"{len(seen)} focused elements all show focus"
