"""Target size (WCAG 2.2 SC 2.5.8, AA): a pointer target smaller than 24 x 24 CSS px must have room around it,
a 24 px circle centred on it touching no other target. Exceptions as the SC states them: links inside a
sentence or paragraph of text, controls the browser draws unstyled (a checkbox or radio with its label),
and the undersized target's equivalent elsewhere (not decidable here; so this check reports only targets
crowded by another)."""

from __future__ import annotations

from .base import Check, CheckContext, CheckMeta, Node, js, nodes_of

TARGET_SIZE = CheckMeta(
    id="ps-target-size",
    wcag=("2.5.8",),
    impact="serious",
    title_en="Targets smaller than 24 by 24 CSS pixels must not sit within 24 px of another target",
    title_vi="Vùng bấm nhỏ hơn 24 x 24 px (CSS) không được nằm sát vùng bấm khác (trong phạm vi 24 px)",
    family="target-size",
)

_JS = js(r"""
const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=link], [role=checkbox], [role=radio], [role=tab], [role=menuitem], [role=switch], [role=option], [onclick]';
const all = Array.from(document.querySelectorAll(sel)).filter(el => psVisible(el) && !el.closest('[aria-hidden=true]') && !el.disabled);
// a target inside another target is part of it (an icon inside a link)
const targets = all.filter(el => !all.some(o => o !== el && o.contains(el)));
const inSentence = (el) => {
  if (getComputedStyle(el).display !== 'inline') return false;
  const block = el.parentElement && el.parentElement.closest('p, li, td, dd, span, div, label');
  if (!block) return false;
  const other = psText(block.textContent).replace(psText(el.textContent), '');
  return other.split(' ').filter(w => /\p{L}{2,}/u.test(w)).length >= 3;
};
const boxes = targets.map(el => ({el, r: el.getBoundingClientRect()}));
const small = (b) => b.r.width < 23.95 || b.r.height < 23.95;
const center = (r) => [r.left + r.width / 2, r.top + r.height / 2];
const distToRect = ([x, y], r) => Math.hypot(Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom));
const out = [];
for (const b of boxes) {
  if (!small(b)) continue;
  const el = b.el;
  if (inSentence(el)) continue;
  if (el.tagName === 'INPUT' && /^(checkbox|radio)$/.test(el.type) && el.labels && el.labels.length && getComputedStyle(el).appearance !== 'none') continue;
  const c = center(b.r);
  const near = boxes.find(o => o !== b && (small(o) ? Math.hypot(...center(o.r).map((v, i) => v - c[i])) < 24 : distToRect(c, o.r) < 12));
  if (!near) continue;
  out.push(psNode(el, `${Math.round(b.r.width)} x ${Math.round(b.r.height)} px target "${psName(el).slice(0, 30)}" has another target (${psName(near.el).slice(0, 30) || near.el.tagName.toLowerCase()}) within its 24 px circle`));
}
return out;
""")


async def target_size(page, ctx: CheckContext) -> list[Node]:
    return nodes_of(await page.evaluate(_JS))


CHECKS = (Check(TARGET_SIZE, target_size),)
