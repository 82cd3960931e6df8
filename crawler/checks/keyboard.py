"""Keyboard: one walk with Tab through the page, read by four checks (WCAG 2.4.7, 2.4.11, 2.1.2, 2.4.3).

The walk starts from the top of the document, presses Tab and asks the page which element has focus and how
it looks, until focus leaves the document, comes back to the first stop, or MAX_STOPS. Before it, every
tabbable element's unfocused look is recorded (outline, shadow, borders, colours, underline of the element,
its parent and first child, and its ::before/::after), so "focus visible" compares the same element focused
and not. A stop where Tab leaves focus in place is tried with Shift+Tab: if that cannot leave either, it is a
keyboard trap; the walk then jumps past it (by script) and goes on. Focus is reset at the end.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from .base import Check, CheckContext, CheckMeta, Node, js

FOCUS_VISIBLE = CheckMeta(
    id="ps-focus-visible",
    wcag=("2.4.7",),
    impact="serious",
    title_en="Every element that takes keyboard focus must show that it has focus",
    title_vi="Mọi phần tử nhận tiêu điểm bàn phím phải hiển thị rõ khi đang có tiêu điểm",
    cost="heavy",
    family="keyboard",
)
FOCUS_HIDDEN = CheckMeta(
    id="ps-focus-hidden",
    wcag=("2.4.7",),
    impact="serious",
    title_en="Keyboard focus must not land on an element that is off-screen, transparent or zero-sized",
    title_vi="Tiêu điểm bàn phím không được rơi vào phần tử nằm ngoài màn hình, trong suốt hoặc có kích thước bằng 0",
    cost="heavy",
    family="keyboard",
)
FOCUS_OBSCURED = CheckMeta(
    id="ps-focus-obscured",
    wcag=("2.4.11",),
    impact="serious",
    title_en="A focused element must not be entirely hidden behind sticky headers, banners or pop-ups",
    title_vi="Phần tử đang có tiêu điểm không được bị che khuất hoàn toàn bởi thanh cố định, biểu ngữ hay cửa sổ bật lên",
    cost="heavy",
    family="keyboard",
)
KEYBOARD_TRAP = CheckMeta(
    id="ps-keyboard-trap",
    wcag=("2.1.2",),
    impact="critical",
    title_en="Keyboard focus must be able to leave every element with Tab or Shift+Tab",
    title_vi="Tiêu điểm bàn phím phải rời được mọi phần tử bằng Tab hoặc Shift+Tab",
    cost="heavy",
    family="keyboard",
)
FOCUS_ORDER = CheckMeta(
    id="ps-focus-order",
    wcag=("2.4.3",),
    impact="moderate",
    title_en="The Tab order must follow the visual order, not jump back against it",
    title_vi="Thứ tự di chuyển bằng phím Tab phải theo thứ tự hiển thị, không nhảy ngược",
    cost="heavy",
    family="keyboard",
)

MAX_STOPS = 120  # Tab presses per page at most: a portal's menus alone can hold a hundred links
REFOCUS_WAIT_S = 0.05  # a blur handler that takes focus back by timer does so within this

_PREPARE_JS = js(r"""
const sig = (el) => {
  // what can be seen: an outline only when drawn, border colours only of drawn sides, decoration colour only
  // with a line (a theme's `outline: none` with an outline-offset on focus changes nothing visible)
  if (!el || el.nodeType !== 1) return '';
  const c = getComputedStyle(el);
  const outline = c.outlineStyle !== 'none' && parseFloat(c.outlineWidth) > 0 ? [c.outlineStyle, c.outlineWidth, c.outlineColor, c.outlineOffset].join(' ') : '-';
  const side = (s) => c['border' + s + 'Style'] !== 'none' && parseFloat(c['border' + s + 'Width']) > 0 ? c['border' + s + 'Width'] + ' ' + c['border' + s + 'Color'] : '-';
  const deco = c.textDecorationLine !== 'none' ? [c.textDecorationLine, c.textDecorationColor, c.textDecorationThickness].join(' ') : '-';
  const pseudo = (p) => { const s = getComputedStyle(el, p); return s.content === 'none' ? '' : [s.content, s.backgroundColor, s.borderBottomColor, s.outlineStyle, s.boxShadow, s.opacity, s.transform].join(','); };
  return [outline, c.boxShadow, side('Top'), side('Right'), side('Bottom'), side('Left'), c.backgroundColor, c.backgroundImage,
          c.color, deco, c.opacity, c.transform, c.fontWeight, pseudo('::before'), pseudo('::after')].join('|');
};
// the element, the two boxes around it (themes style the list item or card: :focus-within), its first child, its
// label (a custom checkbox or radio hides the input and draws the focus on the label) and its siblings (an
// indicator drawn beside it)
// An element that is not drawn (transparent, 1 px, clipped away) changes nothing visible whatever its focus style.
const drawn = (el) => {
  const r = el.getBoundingClientRect();
  if (r.width < 2 || r.height < 2) return false;
  for (let p = el; p && p !== document.documentElement; p = p.parentElement) if (parseFloat(getComputedStyle(p).opacity) === 0) return false;
  const c = getComputedStyle(el);
  return !(c.clip && c.clip.startsWith('rect(0')) && !(c.clipPath && c.clipPath.startsWith('inset(50%'));
};
window.__psSig = (el) => [drawn(el) ? el : null, el.parentElement, el.parentElement && el.parentElement.parentElement,
  el.firstElementChild, el.labels && el.labels[0], el.previousElementSibling, el.nextElementSibling].map(sig).join('#');
window.__psBase = new Map();
const focusable = 'a[href], area[href], button, input:not([type=hidden]), select, textarea, iframe, summary, [tabindex], [contenteditable=""], [contenteditable=true]';
const tabbable = Array.from(document.querySelectorAll(focusable))
  .filter(el => el.tabIndex >= 0 && !el.disabled && el.checkVisibility({visibilityProperty: true}));
for (const el of tabbable) window.__psBase.set(el, window.__psSig(el));
window.__psTabbable = tabbable;
// start from the top: a focusable marker before everything, removed after the first Tab
const start = document.createElement('span');
start.tabIndex = -1; start.id = '__ps_start';
document.body.insertBefore(start, document.body.firstChild);
if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
window.__psScroll = [window.scrollX, window.scrollY];  // put back at the end
window.scrollTo(0, 0);
// Positive tabindex comes first in the Tab order, but Chromium's Tab from a starting point inside the page goes
// on in document order: where there is one, the walk starts on it, as a first Tab from the address bar would.
const positive = tabbable.filter(el => el.tabIndex > 0).sort((a, b) => a.tabIndex - b.tabIndex);
if (positive.length) { start.remove(); positive[0].focus(); return {count: tabbable.length, focused: true}; }
start.focus({preventScroll: true});
return {count: tabbable.length, focused: false};
""")

_FOCUS_JS = js(r"""
await new Promise(r => setTimeout(r, 0));  // let the page's own focus/blur handlers (a setTimeout(0) refocus) run
const s = document.getElementById('__ps_start'); if (s && document.activeElement !== s) s.remove();
let el = document.activeElement;
while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
if (!el || el === document.body || el === document.documentElement || el.id === '__ps_start') return null;
window.__psSeq = (window.__psSeq || 0) + 1;
if (!el.__psKey) el.__psKey = 'k' + window.__psSeq;
// an inline link around a floated image has an empty box of its own: the box that is drawn is its content's
let r = el.getBoundingClientRect();
if (r.width < 2 || r.height < 2) {
  const inner = Array.from(el.querySelectorAll('*')).map(d => d.getBoundingClientRect()).filter(d => d.width >= 2 && d.height >= 2);
  if (inner.length) r = inner.reduce((a, b) => (a.width * a.height >= b.width * b.height ? a : b));
}
const cs = getComputedStyle(el);
const W = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), H = Math.max(document.documentElement.scrollHeight, document.body.scrollHeight);
const dx = window.scrollX, dy = window.scrollY;
let fixed = false, transparent = false;
for (let p = el; p && p !== document.documentElement; p = p.parentElement) {
  const pc = getComputedStyle(p);
  if (pc.position === 'fixed' || pc.position === 'sticky') fixed = true;
  if (parseFloat(pc.opacity) === 0) transparent = true;
}
let hidden = '';
// a visually hidden input whose label is drawn in its place (custom checkbox, radio, file button) is seen there
const label = el.labels && Array.from(el.labels).find(l => { const lr = l.getBoundingClientRect(); return lr.width >= 2 && lr.height >= 2 && l.checkVisibility(); });
if (label) { transparent = false; }
else if (r.width < 2 || r.height < 2) hidden = `${Math.round(r.width)} x ${Math.round(r.height)} px`;
else if (r.right + dx <= 0 || r.bottom + dy <= 0 || r.left + dx >= W || r.top + dy >= H) hidden = 'outside the page';
else if (transparent) hidden = 'transparent (opacity 0)';
else if (cs.clipPath && cs.clipPath.startsWith('inset(50%')) hidden = 'clipped away';
// obscured: every sample point of the element is covered by a fixed or sticky element that does not contain it
let obscured = '';
if (!hidden && !fixed) {
  const pts = [[0.5, 0.5], [0.1, 0.1], [0.9, 0.1], [0.1, 0.9], [0.9, 0.9]].map(([fx, fy]) => [r.left + r.width * fx, r.top + r.height * fy]);
  const inView = pts.filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight);
  if (inView.length) {
    const covers = inView.map(([x, y]) => { const t = document.elementFromPoint(x, y); if (!t || el.contains(t) || t.contains(el)) return null;
      for (let p = t; p && p !== document.documentElement; p = p.parentElement) { const ps = getComputedStyle(p).position; if (ps === 'fixed' || ps === 'sticky') return p; }
      return null; });
    if (covers.every(Boolean)) obscured = psSel(covers[0]);
  }
}
const base = window.__psBase.get(el);
return {key: el.__psKey, target: psSel(el), html: psHtml(el), name: psName(el).slice(0, 50), tag: el.tagName.toLowerCase(),
        changed: base === undefined ? null : base !== window.__psSig(el),
        rect: [r.left + dx, r.top + dy, r.right + dx, r.bottom + dy], fixed, hidden, obscured,
        modal: !!el.closest('[aria-modal=true], dialog[open]'), iframe: el.tagName === 'IFRAME'};
""")

# After a trap: focus the first tabbable element after `key`'s element in document order that was not visited.
_JUMP_PAST_JS = """(keys) => {
  const all = window.__psTabbable || [];
  const at = all.findIndex(el => el.__psKey === keys.at);
  const seen = new Set(keys.seen);
  for (let i = at + 1; i < all.length; i++) {
    const el = all[i];
    if (seen.has(el.__psKey) || el.disabled || !el.checkVisibility()) continue;
    el.focus(); return document.activeElement === el;
  }
  return false;
}"""

_RESET_JS = """() => {
  const s = document.getElementById('__ps_start'); if (s) s.remove();
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  const xy = window.__psScroll || [0, 0];
  delete window.__psBase; delete window.__psSig; delete window.__psTabbable; delete window.__psSeq; delete window.__psScroll;
  window.scrollTo(xy[0], xy[1]);
}"""


@dataclass
class Stop:
    key: str
    target: str
    html: str
    name: str
    tag: str
    changed: bool | None
    rect: list[float]
    fixed: bool
    hidden: str
    obscured: str
    modal: bool
    iframe: bool


@dataclass
class Walk:
    tabbable: int = 0
    stops: list[Stop] = field(default_factory=list)
    traps: list[Node] = field(default_factory=list)
    ended: str = ""  # why the walk stopped


async def _trapped(page, group: set[str], presses: int) -> bool:
    """Whether focus stays within `group` for `presses` Tab presses and as many Shift+Tab presses, read
    REFOCUS_WAIT_S after each press. Leaving the document or reaching any element outside the group is a way out."""
    for key in ("Tab", "Shift+Tab"):
        for _ in range(presses):
            await page.keyboard.press(key)
            await asyncio.sleep(REFOCUS_WAIT_S)
            stop = await _focus(page)
            if stop is None or stop.key not in group:
                return False
    return True


async def _focus(page) -> Stop | None:
    raw = await page.evaluate(_FOCUS_JS)
    return Stop(**raw) if raw else None


async def walk(page, ctx: CheckContext) -> Walk:
    """The Tab walk of this page, done once per check run: the first keyboard check pays for it (and its budget
    covers it); if it failed, the other keyboard checks fail with it rather than read half a walk."""
    done = ctx.cache.get("keyboard.walk")
    if isinstance(done, BaseException):
        raise RuntimeError(f"the keyboard walk failed: {type(done).__name__} {done}")
    if done is not None:
        return done
    try:
        ctx.cache["keyboard.walk"] = await _walk(page)
    except BaseException as e:
        ctx.cache["keyboard.walk"] = e
        raise
    return ctx.cache["keyboard.walk"]


async def _walk(page) -> Walk:
    w = Walk()
    prepared = await page.evaluate(_PREPARE_JS)
    w.tabbable = prepared["count"]
    seen: dict[str, Stop] = {}
    trapped: set[str] = set()

    def visit(stop: Stop) -> None:
        if stop.key not in seen:
            seen[stop.key] = stop
            w.stops.append(stop)

    def trap(stop: Stop, why: str) -> None:
        if stop.key not in trapped:
            trapped.add(stop.key)
            w.traps.append(Node(stop.target, stop.html, why))

    async def jump_past(key: str) -> Stop | None:
        """Focus the first unvisited tabbable element after `key`'s, by script: the walk goes on past a trap."""
        if not await page.evaluate(_JUMP_PAST_JS, {"at": key, "seen": list(seen)}):
            return None
        return await _focus(page)

    try:
        if prepared["focused"]:
            first = await _focus(page)
            if first is not None:
                visit(first)
        for _ in range(min(MAX_STOPS, w.tabbable + 10)):
            await page.keyboard.press("Tab")
            stop = await _focus(page)
            if stop is None:  # out of the document, to the browser: a script focusing an element later
                w.ended = "focus left the document"  # does not bring the user back
                break
            last = w.stops[-1] if w.stops else None
            group: list[Stop] = []
            if last is not None and stop.key == last.key:
                # Tab left focus in place, or a script took it back: the trap is where focus comes to rest
                await asyncio.sleep(REFOCUS_WAIT_S)
                rest = await _focus(page)
                if rest is None:
                    w.ended = "focus left the document"
                    break
                stop = rest
                group = [rest]
            elif stop.key in seen:
                if w.stops and stop.key == w.stops[0].key:
                    w.ended = "focus came back to the first stop"
                    break
                if stop.modal:
                    w.ended = "focus cycles inside a modal dialog"
                    break
                group = w.stops[next(i for i, s in enumerate(w.stops) if s.key == stop.key) :]  # a cycle
            if group:
                # Suspected: confirm at the pace of a person (handlers that take focus back by timer have run)
                # in both directions; WCAG 2.1.2 asks for one way out with standard keys.
                if await _trapped(page, {s.key for s in group}, len(group) + 2):
                    names = ", ".join(s.tag + " " + repr(s.name) for s in group[:3])
                    trap(
                        stop,
                        f"Tab and Shift+Tab both leave focus on {stop.tag} {stop.name!r}"
                        if len(group) == 1
                        else f"focus cycles among {len(group)} elements ({names}); neither Tab nor Shift+Tab gets out",
                    )
                jumped = await jump_past(group[-1].key)  # either way, the walk goes on past it
                if jumped is None or jumped.key in seen:
                    w.ended = "no element after the trap"
                    break
                stop = jumped
            visit(stop)
        else:
            w.ended = f"stopped after {len(w.stops)} stops"
    finally:
        await page.evaluate(_RESET_JS)
    return w


async def focus_visible(page, ctx: CheckContext) -> list[Node]:
    w = await walk(page, ctx)
    return [
        Node(s.target, s.html, f"{s.tag} {s.name!r} looks the same focused and unfocused")
        for s in w.stops
        if s.changed is False and not s.hidden and not s.iframe
    ]


async def focus_hidden(page, ctx: CheckContext) -> list[Node]:
    w = await walk(page, ctx)
    return [
        Node(s.target, s.html, f"focus lands on {s.tag} {s.name!r}, which is {s.hidden}") for s in w.stops if s.hidden
    ]


async def focus_obscured(page, ctx: CheckContext) -> list[Node]:
    w = await walk(page, ctx)
    return [
        Node(s.target, s.html, f"focused {s.tag} {s.name!r} is hidden behind {s.obscured}")
        for s in w.stops
        if s.obscured and not s.hidden
    ]


async def keyboard_trap(page, ctx: CheckContext) -> list[Node]:
    return list((await walk(page, ctx)).traps)


def _backward(a: Stop, b: Stop) -> str:
    """Why moving focus from a to b goes against the visual order (left to right, top to bottom), or ''."""
    ax0, ay0, ax1, ay1 = a.rect
    bx0, by0, bx1, by1 = b.rect
    v_overlap = min(ay1, by1) - max(ay0, by0)
    h_overlap = min(ax1, bx1) - max(ax0, bx0)
    same_row = v_overlap >= 0.5 * min(ay1 - ay0, by1 - by0)
    same_col = h_overlap >= 0.5 * min(ax1 - ax0, bx1 - bx0)
    if same_row and bx1 <= ax0 - 1:
        return "goes back left along the same row"
    if same_col and not same_row and by1 <= ay0 - 1:
        return "goes back up the same column"
    return ""


async def focus_order(page, ctx: CheckContext) -> list[Node]:
    w = await walk(page, ctx)
    placed = [s for s in w.stops if not s.fixed and not s.hidden and s.rect[2] > s.rect[0] and s.rect[3] > s.rect[1]]
    out = []
    for a, b in zip(placed, placed[1:]):
        why = _backward(a, b)
        if why:
            out.append(Node(b.target, b.html, f"Tab from {a.tag} {a.name!r} to {b.tag} {b.name!r} {why}"))
    return out


CHECKS = (
    Check(FOCUS_VISIBLE, focus_visible),
    Check(FOCUS_HIDDEN, focus_hidden),
    Check(FOCUS_OBSCURED, focus_obscured),
    Check(KEYBOARD_TRAP, keyboard_trap),
    Check(FOCUS_ORDER, focus_order),
)
