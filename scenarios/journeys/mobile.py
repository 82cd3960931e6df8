"""Journey 9: the portal on a phone (run in the "mobile" context profile, 412x823, touch).

Thresholds, and why:
- horizontal scrolling: the page may be at most 2 px wider than the viewport (rounding);
- readable text: a `width=device-width` viewport (otherwise the phone shows a zoomed-out desktop page)
  and at most 25 % of visible text in fonts under 12 CSS px;
- tap targets: WCAG 2.5.8 asks for 24x24 CSS px; links inside running text are exempt (as in 2.5.8);
  at most 20 % of the remaining targets may be smaller;
- menu: the main navigation is visible, or a toggle reveals 3+ links.
"""

from __future__ import annotations

from playwright.sync_api import Locator

from .. import locate
from .. import vocabulary as V
from ..journey import Journey, journey
from ..reach import REACH_PROCEDURE_STEPS, open_home, reach_procedure

MAX_OVERFLOW_PX = 2
SMALL_FONT_PX = 12
MAX_SMALL_TEXT_SHARE = 0.25
MIN_TARGET_PX = 24
MAX_SMALL_TARGET_SHARE = 0.20

# Against the layout viewport (clientWidth): a phone shrinks an overflowing page to fit its screen,
# so innerWidth grows with the content and would hide the overflow.
_OVERFLOW_JS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"

_TEXT_JS = """(small) => {
  const meta = document.querySelector('meta[name=viewport]');
  let total = 0, tiny = 0;
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, len = node.textContent.trim().length, el = node.parentElement;
    if (!len || !el || !el.checkVisibility()) continue;
    total += len;
    if (parseFloat(getComputedStyle(el).fontSize) < small) tiny += len;
  }
  return {viewport: meta ? meta.getAttribute('content') || '' : '', total, tiny};
}"""

_TARGETS_JS = """(min) => {
  const inText = (el) => { const p = el.parentElement;
    return el.tagName === 'A' && p && ['P', 'LI', 'TD', 'SPAN', 'DD'].includes(p.tagName)
           && p.textContent.trim().length > el.textContent.trim().length + 20; };
  const els = Array.from(document.querySelectorAll('a[href], button, input:not([type=hidden]), select, [role=button]'))
    .filter(el => el.checkVisibility() && !inText(el));
  const small = [];
  for (const el of els) { const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && (r.width < min || r.height < min))
      small.push((el.innerText || el.getAttribute('aria-label') || el.tagName).trim().slice(0, 40)
                 + ` (${Math.round(r.width)}x${Math.round(r.height)})`); }
  return {total: els.length, small};
}"""

_NAV_LINKS_JS = """() => Array.from(document.querySelectorAll('nav a[href], [role=navigation] a[href], header a[href]'))
  .filter(a => { if (!a.checkVisibility()) return false; const r = a.getBoundingClientRect();
                 return r.width > 0 && r.height > 0 && r.top < window.innerHeight; }).length"""

_TOGGLE_SELECTOR = (
    "button[aria-expanded], [role=button][aria-expanded], button[aria-controls], .navbar-toggler, "
    ".menu-toggle, .hamburger, button[class*=toggle i], button[class*=menu i], [class*=hamburger i]"
)


def _no_horizontal_scroll(j: Journey, name: str) -> None:
    with j.step(name) as s:
        width, viewport = j.page.evaluate(_OVERFLOW_JS)
        j.require(
            width <= viewport + MAX_OVERFLOW_PX,
            f"the page is {width}px wide in a {viewport}px viewport: horizontal scrolling",
        )
        s.detail = f"{width}px in a {viewport}px viewport"


def _menu_toggle(j: Journey) -> Locator | None:
    toggle = j.override_locator("mobile.menu")
    if toggle is not None:
        return toggle
    named = locate.find(j.page, V.MENU_TOGGLE, kinds=("button",), include_hidden=False, use_url=False)
    if named:
        return named[0].locator(j.page)
    generic = j.page.locator(_TOGGLE_SELECTOR).filter(visible=True)
    return generic.first if generic.count() else None


@journey(
    "mobile",
    title="Dùng được trên điện thoại",
    title_en="Usable on a phone",
    steps=(
        "open_home",
        "home_no_horizontal_scroll",
        "readable_text",
        "tap_targets",
        "menu",
        *REACH_PROCEDURE_STEPS,
        "procedure_no_horizontal_scroll",
    ),
    subject=("home_no_horizontal_scroll", "readable_text", "tap_targets", "menu", "procedure_no_horizontal_scroll"),
    profile="mobile",
    order=90,
)
def mobile(j: Journey) -> None:
    open_home(j)
    page = j.page
    _no_horizontal_scroll(j, "home_no_horizontal_scroll")
    with j.step("readable_text") as s:
        t = page.evaluate(_TEXT_JS, SMALL_FONT_PX)
        j.require(
            "device-width" in t["viewport"].replace(" ", ""),
            f"no responsive viewport (meta viewport {t['viewport']!r}): the phone shows a shrunken page",
        )
        share = t["tiny"] / t["total"] if t["total"] else 0.0
        j.require(share <= MAX_SMALL_TEXT_SHARE, f"{share:.0%} of the text is smaller than {SMALL_FONT_PX}px")
        s.detail = f"{share:.0%} of the text under {SMALL_FONT_PX}px"
    with j.step("tap_targets") as s:
        t = page.evaluate(_TARGETS_JS, MIN_TARGET_PX)
        share = len(t["small"]) / t["total"] if t["total"] else 0.0
        j.require(
            share <= MAX_SMALL_TARGET_SHARE,
            f"{len(t['small'])} of {t['total']} tap targets are under {MIN_TARGET_PX}x{MIN_TARGET_PX}px, "
            f"e.g. {', '.join(t['small'][:4])}",
        )
        s.detail = f"{len(t['small'])} of {t['total']} under {MIN_TARGET_PX}px"
    with j.step("menu") as s:
        visible_links = page.evaluate(_NAV_LINKS_JS)
        if visible_links >= 3:
            s.detail = f"navigation visible without opening a menu ({visible_links} links)"
        else:
            toggle = _menu_toggle(j)
            if toggle is None:
                j.fail("no menu button, and the navigation is not visible on a phone")
            s.element = toggle  # the report shows the button that did not open the menu, if it did not
            toggle.click()
            j.settle()
            after = page.evaluate(_NAV_LINKS_JS)
            j.require(after >= 3, f"the menu button does not reveal the navigation ({after} visible links)")
            s.detail = f"menu button opens {after} links"
            toggle.click()  # closed again, as a citizen would before searching
            j.settle()
    reach_procedure(j)
    _no_horizontal_scroll(j, "procedure_no_horizontal_scroll")
