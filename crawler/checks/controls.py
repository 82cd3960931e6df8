"""Custom controls that work only with a mouse (WCAG 2.1.1): elements built as controls out of divs and spans
(role=button / tab / menuitem ..., or a click handler with a pointer cursor: Vue and jQuery widgets, accordion
headers, date-picker fields that only open on click) and open dialogs that no key closes.

For each control (at most MAX_CONTROLS, visible ones): one that cannot take focus fails; one that can is
focused and sent Enter, then Space; if neither changes anything (the DOM, focus, the URL's fragment, a
navigation attempt) but a click does, it fails. A control that answered is put back by the same action again
(a toggle toggles back), as far as that goes: this check changes the page's state and runs last.
A click or key that would navigate is aborted by run_checks' guard; nothing is submitted.
"""

from __future__ import annotations

import asyncio

from .base import Check, CheckContext, CheckMeta, Node, js

KEYBOARD_OPERABLE = CheckMeta(
    id="ps-keyboard-operable",
    wcag=("2.1.1",),
    impact="critical",
    title_en="Controls must work with the keyboard: reachable with Tab, activated with Enter or Space",
    title_vi="Điều khiển phải dùng được bằng bàn phím: đến được bằng Tab, kích hoạt bằng phím Enter hoặc phím cách",
    cost="heavy",
    family="keyboard",
)
DIALOG_ESCAPE = CheckMeta(
    id="ps-dialog-keyboard-close",
    wcag=("2.1.2",),
    impact="serious",
    title_en="An open dialog must close with Escape or offer a close button reachable by keyboard",
    title_vi="Hộp thoại đang mở phải đóng được bằng Escape hoặc có nút đóng dùng được bằng bàn phím",
    cost="heavy",
    family="keyboard",
)

MAX_CONTROLS = 30
REACT_MS = 50  # time for a handler's effect to show (a transition's first frame, a microtask chain)
CLICK_EVENTS = {"click", "mousedown", "mouseup", "pointerdown", "pointerup"}

# Candidates: widget roles on non-native elements; elements with an onclick attribute; the outermost element
# of a pointer-cursor area (cursor inherits, so only where the parent does not have it) that is not native.
_CANDIDATES_JS = js(r"""
const native = 'a[href], button, input, select, textarea, summary, option, label, iframe, video, audio';
const roles = ['button', 'link', 'tab', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'checkbox', 'radio', 'switch', 'option', 'treeitem', 'combobox', 'slider', 'spinbutton'];
const out = [];
const add = (el, why) => { if (out.length < args.max * 3 && !out.some(o => o.el === el)) out.push({el, why}); };
for (const el of document.body.querySelectorAll('*')) {
  if (el.matches(native) || el.closest('[aria-hidden=true], [inert]') || el.closest(native)) continue;
  const role = (el.getAttribute('role') || '').trim().split(/\s+/)[0];
  if (roles.includes(role)) { if (psVisible(el)) add(el, 'role=' + role); continue; }
  if (el.hasAttribute('onclick')) { if (psVisible(el)) add(el, 'onclick'); continue; }
  if (getComputedStyle(el).cursor === 'pointer' && !(el.parentElement && getComputedStyle(el.parentElement).cursor === 'pointer') && psVisible(el)) add(el, 'pointer');
}
// readonly inputs opening a widget on click: the date pickers of jQuery UI / bootstrap-datepicker
for (const el of document.querySelectorAll('input[readonly]')) if (psVisible(el)) add(el, 'readonly input');
// a clickable area (card, table row) with a link or button inside has a keyboard way in: that inner control
const inner = 'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])';
for (let i = out.length - 1; i >= 0; i--) if (out[i].why !== 'readonly input' && out[i].el.querySelector(inner)) out.splice(i, 1);
window.__psCandidates = out.map(o => o.el);
return out.map((o, i) => ({i, why: o.why, target: psSel(o.el), html: psHtml(o.el), name: psName(o.el).slice(0, 40),
  focusable: o.el.tabIndex >= 0 && !o.el.disabled}));
""")

_HANDLE_JS = "(i) => window.__psCandidates[i]"

_OBSERVE_JS = """(i) => {
  const el = window.__psCandidates[i];
  window.__psChanged = [];
  window.__psObs && window.__psObs.disconnect();
  window.__psObs = new MutationObserver((ms) => { for (const m of ms) {
    if (m.type === 'attributes' && m.attributeName && m.attributeName.startsWith('data-ps')) continue;
    window.__psChanged.push(m.type + ':' + (m.attributeName || '')); } });
  window.__psObs.observe(document.documentElement, {subtree: true, childList: true, attributes: true, characterData: true});
  window.__psState = {hash: location.hash, active: document.activeElement};
  return true;
}"""
_RESPONDED_JS = """() => {
  const changed = window.__psChanged || [];
  const s = window.__psState || {};
  return changed.length > 0 || location.hash !== s.hash || document.activeElement !== s.active;
}"""
_STOP_JS = """() => { window.__psObs && window.__psObs.disconnect(); delete window.__psObs; delete window.__psChanged; delete window.__psState; }"""
_FOCUS_JS = "(i) => { const el = window.__psCandidates[i]; el.focus({preventScroll: false}); return document.activeElement === el; }"
_CLICK_JS = "(i) => { window.__psCandidates[i].click(); }"
_SCROLL_JS = "() => [window.scrollX, window.scrollY]"
_SCROLL_TO_JS = "(xy) => window.scrollTo(xy[0], xy[1])"
_CLEAN_JS = """() => { delete window.__psCandidates; if (document.activeElement && document.activeElement !== document.body)
  document.activeElement.blur(); }"""

_DIALOGS_JS = js(r"""
const out = [];
for (const d of document.querySelectorAll('[role=dialog], [role=alertdialog], dialog[open]')) {
  if (!psVisible(d)) continue;
  const focusables = Array.from(d.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]'))
    .filter(e => e.tabIndex >= 0 && !e.disabled && psVisible(e));
  const closer = focusables.find(e => /close|đóng|dong|huỷ|hủy|cancel|×|✕|x/i.test(psName(e) + ' ' + (e.className || '')) && (e.matches('button, a[href], [role=button]')));
  out.push({target: psSel(d), html: psHtml(d), name: psName(d).slice(0, 40), hasCloser: !!closer, focusables: focusables.length});
  d.setAttribute('data-ps-dialog', String(out.length - 1));
}
return out;
""")
_DIALOG_FOCUS_JS = """(i) => { const d = document.querySelector(`[data-ps-dialog="${i}"]`); if (!d) return false;
  const f = Array.from(d.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]')).find(e => e.tabIndex >= 0 && !e.disabled);
  (f || d).focus(); return d.contains(document.activeElement) || document.activeElement === d; }"""
_DIALOG_OPEN_JS = """(i) => { const d = document.querySelector(`[data-ps-dialog="${i}"]`);
  return !!d && d.isConnected && d.checkVisibility({opacityProperty: true, visibilityProperty: true}); }"""
_DIALOG_CLEAN_JS = (
    "() => { for (const d of document.querySelectorAll('[data-ps-dialog]')) d.removeAttribute('data-ps-dialog'); }"
)


async def _settle() -> None:
    await asyncio.sleep(REACT_MS / 1000)


async def _click_listeners(page, count: int) -> set[int]:
    """Indexes of candidates with a mouse listener of their own (CDP's DOMDebugger), for pointer-cursor ones.
    `page`: the page in our world (crawler/world.py), where the candidates were collected."""
    world, found = page.world, set()
    try:
        for i in range(count):
            oid = await world.node_in_page_world(f"window.__psCandidates[{i}]", "ps-controls")
            if not oid:
                continue
            listeners = await world.send("DOMDebugger.getEventListeners", {"objectId": oid})
            if any(li["type"] in CLICK_EVENTS for li in listeners.get("listeners", [])):
                found.add(i)
    finally:
        await world.send("Runtime.releaseObjectGroup", {"objectGroup": "ps-controls"})
    return found


async def _responds(page, i: int, action) -> bool:
    await page.evaluate(_OBSERVE_JS, i)
    await action()
    await _settle()
    try:
        return bool(await page.evaluate(_RESPONDED_JS))
    finally:
        await page.evaluate(_STOP_JS)


async def keyboard_operable(page, ctx: CheckContext) -> list[Node]:
    cands = await page.evaluate(_CANDIDATES_JS, {"max": MAX_CONTROLS})
    try:
        pointer = [c["i"] for c in cands if c["why"] in ("pointer", "readonly input")]
        with_listener = await _click_listeners(page, len(cands)) if pointer else set()
        # pointer-cursor areas and readonly fields count only with a mouse listener of their own
        cands = [c for c in cands if c["why"] not in ("pointer", "readonly input") or c["i"] in with_listener]
        out: list[Node] = []
        navigations: list[str] = []

        def on_request(req) -> None:
            if req.is_navigation_request() and req.frame == page.main_frame:
                navigations.append(req.url)

        page.on("request", on_request)
        try:
            for c in cands[:MAX_CONTROLS]:
                i = c["i"]
                what = f"{c['why']} {c['name']!r}"
                if not c["focusable"]:
                    out.append(Node(c["target"], c["html"], f"{what} cannot take keyboard focus (no tabindex)"))
                    continue
                scroll = await page.evaluate(_SCROLL_JS)
                if not await page.evaluate(_FOCUS_JS, i):
                    continue
                before = len(navigations)
                keyed = False
                for key in ("Enter", " "):
                    await page.evaluate(_FOCUS_JS, i)
                    if await _responds(page, i, lambda k=key: page.keyboard.press(k)) or len(navigations) > before:
                        keyed = True
                        await page.evaluate(_FOCUS_JS, i)
                        await page.keyboard.press(key)  # toggle back
                        await _settle()
                        break
                await page.evaluate(_SCROLL_TO_JS, scroll)
                if keyed:
                    continue
                clicked = await _responds(page, i, lambda i=i: page.evaluate(_CLICK_JS, i)) or len(navigations) > before
                if clicked:
                    out.append(Node(c["target"], c["html"], f"{what} responds to a click but not to Enter or Space"))
                    await page.evaluate(_CLICK_JS, i)  # toggle back
                    await _settle()
                await page.evaluate(_SCROLL_TO_JS, scroll)
        finally:
            page.remove_listener("request", on_request)
        return out
    finally:
        await page.evaluate(_CLEAN_JS)


async def dialog_keyboard_close(page, ctx: CheckContext) -> list[Node]:
    dialogs = await page.evaluate(_DIALOGS_JS)
    out = []
    try:
        for i, d in enumerate(dialogs):
            if d["hasCloser"] or not await page.evaluate(_DIALOG_FOCUS_JS, i):
                continue
            await page.keyboard.press("Escape")
            await _settle()
            if await page.evaluate(_DIALOG_OPEN_JS, i):
                out.append(
                    Node(d["target"], d["html"], f"dialog {d['name']!r} stays open on Escape and has no close button")
                )
    finally:
        await page.evaluate(_DIALOG_CLEAN_JS)
    return out


CHECKS = (Check(DIALOG_ESCAPE, dialog_keyboard_close), Check(KEYBOARD_OPERABLE, keyboard_operable))
