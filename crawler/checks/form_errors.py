"""Errors shown only in colour (WCAG 1.4.1, with 3.3.1): where a field validates itself as the user leaves it
(required fields, patterns, a script on blur/change), the check types a character, deletes it and leaves the
field, never pressing Enter and never submitting. If the field then changes colour (border, background,
text, outline, shadow) but no error text appears, no text becomes visible, no icon is added and the field is
not marked aria-invalid, the error is told by colour alone. The field's value is put back.
"""

from __future__ import annotations

import asyncio

from .base import Check, CheckContext, CheckMeta, Node, js

ERROR_COLOUR_ONLY = CheckMeta(
    id="ps-error-colour-only",
    wcag=("1.4.1", "3.3.1"),
    impact="serious",
    title_en="A form error must be told in text (and aria-invalid), not by colour alone",
    title_vi="Lỗi nhập liệu phải được thông báo bằng văn bản (và aria-invalid), không chỉ bằng màu sắc",
    cost="heavy",
    family="forms",
)

MAX_FIELDS = 12
REACT_MS = 60

_FIELDS_JS = js(r"""
const types = new Set(['', 'text', 'email', 'tel', 'number', 'url', 'password', 'date', 'search']);
const fields = Array.from(document.querySelectorAll('input, textarea, select')).filter(el =>
  (el.tagName !== 'INPUT' || types.has((el.getAttribute('type') || '').toLowerCase())) && !el.disabled && !el.readOnly && psVisible(el)
  && (el.required || el.getAttribute('aria-required') === 'true' || el.hasAttribute('pattern') || el.hasAttribute('data-val')
      || el.hasAttribute('data-rule') || el.hasAttribute('data-validate') || /required|validate/i.test(el.className) || el.onblur || el.onchange));
window.__psFields = fields.slice(0, args.max);
return window.__psFields.map((el, i) => ({i, target: psSel(el), html: psHtml(el), name: psName(el).slice(0, 40), tag: el.tagName}));
""")

# The look and the surroundings of field i: its colours, the visible text of its form (or parent block), the
# number of icons/images there, its aria-invalid.
_STATE_JS = """(i) => {
  const el = window.__psFields[i];
  const c = getComputedStyle(el);
  const look = [c.borderTopColor, c.borderBottomColor, c.backgroundColor, c.color, c.outlineColor, c.outlineStyle, c.boxShadow].join('|');
  const scope = el.closest('form, fieldset, .form-group, .field, .row') || el.parentElement;
  const box = scope.parentElement || scope;
  const text = box.innerText.replace(/\\s+/g, ' ').trim();
  const icons = Array.from(box.querySelectorAll('img, svg, i, [class*=icon]')).filter(e => e.checkVisibility()).length;
  const pseudo = ['::before', '::after'].map(p => getComputedStyle(el.parentElement, p).content).join('|');
  return {look, text, icons, pseudo, invalid: el.getAttribute('aria-invalid') || '', validity: el.validationMessage || ''};
}"""
_VALUE_JS = "(i) => window.__psFields[i].value"
_SET_VALUE_JS = """([i, v]) => { const el = window.__psFields[i]; el.value = v; el.blur(); }"""
_FOCUS_JS = "(i) => { const el = window.__psFields[i]; el.focus(); return document.activeElement === el; }"
_BLUR_JS = "(i) => { window.__psFields[i].blur(); }"
_CLEAN_JS = "() => { delete window.__psFields; }"


async def error_colour_only(page, ctx: CheckContext) -> list[Node]:
    fields = await page.evaluate(_FIELDS_JS, {"max": MAX_FIELDS})
    out = []
    try:
        for f in fields:
            i = f["i"]
            value = await page.evaluate(_VALUE_JS, i)
            before = await page.evaluate(_STATE_JS, i)
            if not await page.evaluate(_FOCUS_JS, i):
                continue
            try:
                if f["tag"] != "SELECT":
                    await page.keyboard.type("a")
                    await page.keyboard.press("Backspace")
                    if value:  # a prefilled field: empty it (a required field's error)
                        await page.keyboard.press("Control+a")
                        await page.keyboard.press("Backspace")
                await page.evaluate(_BLUR_JS, i)
                await asyncio.sleep(REACT_MS / 1000)
                after = await page.evaluate(_STATE_JS, i)
            finally:
                await page.evaluate(_SET_VALUE_JS, [i, value])
            if after["look"] == before["look"]:
                continue  # nothing shown at all (or shown on submit only): not decidable here
            # aria-invalid alone tells a screen reader, not a reader who cannot tell the colours apart
            told = (
                after["text"] != before["text"]
                or after["icons"] != before["icons"]
                or after["pseudo"] != before["pseudo"]
            )
            if not told:
                out.append(
                    Node(
                        f["target"],
                        f["html"],
                        f"leaving {f['name']!r} empty changes its colour only: no error text, no icon",
                    )
                )
    finally:
        await page.evaluate(_CLEAN_JS)
    return out


CHECKS = (Check(ERROR_COLOUR_ONLY, error_colour_only),)
