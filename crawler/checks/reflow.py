"""Reflow and text (WCAG 1.4.10, 1.4.4, 1.4.12): the page at 320 CSS px wide must not scroll sideways; at 200 %
zoom and with text spacing raised to 1.4.12's values no text may be cut off or overlap other text.

Each check changes one thing (the viewport; a style sheet), measures, and puts it back in a `finally`, so the
page is left as found. What is compared is before vs after on the same page: text that was
already clipped (an ellipsis by design) is not counted.
"""

from __future__ import annotations

import asyncio

from .base import Check, CheckContext, CheckMeta, Node, js, nodes_of

REFLOW = CheckMeta(
    id="ps-reflow",
    wcag=("1.4.10",),
    impact="serious",
    title_en="At 320 CSS px wide (400 % zoom) the page must not scroll horizontally",
    title_vi="Ở độ rộng 320 px (CSS, phóng to 400 %) trang không được cuộn ngang",
    cost="heavy",
    family="reflow",
)
RESIZE_TEXT = CheckMeta(
    id="ps-resize-text",
    wcag=("1.4.4",),
    impact="serious",
    title_en="At 200 % zoom no text may be cut off or overlap other text",
    title_vi="Khi phóng to 200 % không được có văn bản bị cắt hoặc chồng lên văn bản khác",
    cost="heavy",
    family="reflow",
)
TEXT_SPACING = CheckMeta(
    id="ps-text-spacing",
    wcag=("1.4.12",),
    impact="serious",
    title_en="With larger line, letter, word and paragraph spacing (WCAG 1.4.12) no text may be cut off",
    title_vi="Khi tăng giãn dòng, giãn chữ, giãn từ và đoạn (WCAG 1.4.12) văn bản không được bị cắt",
    cost="heavy",
    family="reflow",
)

REFLOW_WIDTH = 320
REFLOW_HEIGHT = 256  # WCAG 1.4.10's vertical-text figure; the height matters little for horizontal scrolling
SETTLE_MS = 50  # after two animation frames: resize handlers and media-query listeners that debounce a little

# Text boxes that are clipped (content larger than an overflow-hidden box) or overlap another text box.
# Returned as a map selector -> description, so that a before/after difference is a set difference.
_TEXT_LAYOUT_JS = js(r"""
const leaves = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const seen = new Set();
for (let n = walker.nextNode(); n && leaves.length < 600; n = walker.nextNode()) {
  if (!psText(n.textContent)) continue;
  const el = n.parentElement;
  if (!el || seen.has(el) || el.closest('script,style,noscript,[aria-hidden=true],select,option')) continue;
  seen.add(el);
  if (psVisible(el)) leaves.push(el);
}
const clipped = {};
for (const el of leaves) {
  for (let box = el, up = 0; box && box !== document.body && up < 4; box = box.parentElement, up++) {
    const cs = getComputedStyle(box);
    const hidesX = cs.overflowX === 'hidden' || cs.overflowX === 'clip', hidesY = cs.overflowY === 'hidden' || cs.overflowY === 'clip';
    if (!hidesX && !hidesY) continue;
    if (cs.textOverflow === 'ellipsis') break;  // cut on purpose, with a visible sign
    if ((hidesY && box.scrollHeight > box.clientHeight + 2) || (hidesX && box.scrollWidth > box.clientWidth + 2)) {
      const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
      // the text's own box clips it (its content is larger), or the text's box reaches out of the clipping box
      if (box === el || r.bottom > b.bottom + 2 || r.right > b.right + 2 || r.top < b.top - 2 || r.left < b.left - 2) {
        clipped[psSel(el)] = `"${psText(el.textContent).slice(0, 40)}" is cut off by ${box.tagName.toLowerCase()} (overflow hidden)`;
      }
    }
    break;
  }
}
const overlap = {};
// overlap within the page's flow: layers drawn over it on purpose (fixed or sticky bars, dialogs) are not text
// running into text
const layeredMemo = new Map();
const layered = (el) => {
  if (!el || el === document.body) return false;
  if (layeredMemo.has(el)) return layeredMemo.get(el);
  const ps = getComputedStyle(el).position;
  const v = ps === 'fixed' || ps === 'sticky' || layered(el.parentElement);
  layeredMemo.set(el, v);
  return v;
};
// line boxes, not bounding boxes: a link that wraps onto a second line has a bounding box as wide as both lines
const rects = leaves.filter(el => !layered(el)).slice(0, 300).map(el => ({el, rs: Array.from(el.getClientRects()).filter(r => r.width > 0 && r.height > 0)}));
const hit = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 4 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 4;
for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) {
  const a = rects[i], b = rects[j];
  if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
  if (a.rs.some(ra => b.rs.some(rb => hit(ra, rb)))) overlap[psSel(b.el)] = `"${psText(b.el.textContent).slice(0, 40)}" overlaps "${psText(a.el.textContent).slice(0, 40)}"`;
}
return {clipped, overlap, html: Object.fromEntries(leaves.map(el => [psSel(el), psHtml(el)]))};
""")

_SCROLL_JS = js(r"""
const vw = document.documentElement.clientWidth;
const doc = Math.max(document.documentElement.scrollWidth, document.body ? document.body.scrollWidth : 0);
if (doc <= vw + 1) return {width: doc, viewport: vw, nodes: []};
// WCAG 1.4.10's exceptions: content that needs two dimensions (data tables, maps, diagrams, video, code),
// and content inside its own horizontal scroller.
const exempt = 'table, pre, code, canvas, svg, video, iframe, [role=application], [role=img], img, map';
const wide = [];
for (const el of document.body.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.right <= vw + 1 || r.width === 0 || r.height === 0) continue;
  if (el.closest(exempt)) continue;
  let scroller = false;
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') { scroller = true; break; }
  }
  if (scroller || getComputedStyle(el).position === 'fixed') continue;
  if (wide.some(w => w.contains(el))) continue;
  wide.push(el);
}
return {width: doc, viewport: vw, nodes: wide.slice(0, 10).map(el => psNode(el, `${Math.round(el.getBoundingClientRect().right)} px wide at a ${vw} px viewport`))};
""")

_RESET_SCROLL_JS = "(xy) => window.scrollTo(xy[0], xy[1])"
_SCROLL_POS_JS = "() => [window.scrollX, window.scrollY]"

# WCAG 1.4.12's figures, as the W3C's text-spacing test sets them.
_SPACING_CSS = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }"
    " p { margin-bottom: 2em !important; }"
)
_ADD_STYLE_JS = """(css) => { const s = document.createElement('style'); s.id = '__ps_spacing'; s.textContent = css;
  document.head.appendChild(s); }"""
_REMOVE_STYLE_JS = "() => { const s = document.getElementById('__ps_spacing'); if (s) s.remove(); }"


async def _settle(page) -> None:
    await page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    await asyncio.sleep(SETTLE_MS / 1000)


def _new_problems(before: dict, after: dict) -> list[Node]:
    found = []
    for kind in ("clipped", "overlap"):
        for target, summary in after[kind].items():
            if target not in before["clipped"] and target not in before["overlap"]:
                found.append(Node(target=target, html=after["html"].get(target, ""), summary=summary))
    return found[:20]


async def reflow(page, ctx: CheckContext) -> list[Node]:
    size = page.viewport_size
    scroll = await page.evaluate(_SCROLL_POS_JS)
    await page.set_viewport_size({"width": REFLOW_WIDTH, "height": REFLOW_HEIGHT})
    try:
        await _settle(page)
        raw = await page.evaluate(_SCROLL_JS)
        if not raw["nodes"]:
            return []
        nodes = nodes_of(raw["nodes"])
        nodes[0].summary = f"the page is {raw['width']} px wide at {raw['viewport']} px: " + nodes[0].summary
        return nodes
    finally:
        if size:
            await page.set_viewport_size(size)
        await page.evaluate(_RESET_SCROLL_JS, scroll)


async def _layout_before(page, ctx: CheckContext) -> dict:
    """The page's text layout as found, measured once for the text checks (each puts the page back)."""
    if "reflow.before" not in ctx.cache:
        ctx.cache["reflow.before"] = await page.evaluate(_TEXT_LAYOUT_JS)
    return ctx.cache["reflow.before"]


async def resize_text(page, ctx: CheckContext) -> list[Node]:
    """200 % zoom as browsers do it (WCAG technique G142: the viewport in CSS px halves, every length scales):
    text that then gets cut off or runs into other text was lost by zooming. Text-only zoom, stricter, is not
    what 1.4.4 asks of a page that browsers can zoom."""
    size = page.viewport_size
    if not size:
        return []
    before = await _layout_before(page, ctx)
    scroll = await page.evaluate(_SCROLL_POS_JS)
    await page.set_viewport_size({"width": size["width"] // 2, "height": size["height"] // 2})
    try:
        await _settle(page)
        after = await page.evaluate(_TEXT_LAYOUT_JS)
    finally:
        await page.set_viewport_size(size)
        await page.evaluate(_RESET_SCROLL_JS, scroll)
    return _new_problems(before, after)


async def text_spacing(page, ctx: CheckContext) -> list[Node]:
    before = await _layout_before(page, ctx)
    await page.evaluate(_ADD_STYLE_JS, _SPACING_CSS)
    try:
        await _settle(page)
        after = await page.evaluate(_TEXT_LAYOUT_JS)
    finally:
        await page.evaluate(_REMOVE_STYLE_JS)
    # 1.4.12 is about loss of content: overlapping lines are counted only where text is cut off
    return [n for n in _new_problems(before, after) if "cut off" in n.summary]


CHECKS = (Check(REFLOW, reflow), Check(RESIZE_TEXT, resize_text), Check(TEXT_SPACING, text_spacing))
