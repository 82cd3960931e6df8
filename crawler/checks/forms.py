"""Form controls (WCAG 1.3.1, 3.3.2): groups of radio buttons or checkboxes whose question is not their group's
name, and fields whose only label is a placeholder. axe's `label` rule accepts a placeholder as a name, and
no axe rule asks for a group's name."""

from __future__ import annotations

from .base import Check, CheckContext, CheckMeta, Node, js, nodes_of

GROUP_NAME = CheckMeta(
    id="ps-group-name",
    wcag=("1.3.1",),
    impact="serious",
    title_en="A group of radio buttons or checkboxes must have a group name (fieldset with legend, or a named role=group/radiogroup)",
    title_vi="Nhóm nút chọn (radio) hoặc hộp kiểm phải có tên nhóm (fieldset có legend, hoặc role=group/radiogroup có tên)",
    family="forms",
)
PLACEHOLDER_LABEL = CheckMeta(
    id="ps-placeholder-label",
    wcag=("3.3.2",),
    impact="serious",
    title_en="Form fields must have a visible label; a placeholder disappears as soon as the user types",
    title_vi="Trường nhập liệu phải có nhãn hiển thị; văn bản gợi ý trong ô biến mất ngay khi người dùng gõ",
    family="forms",
)

_GROUP_JS = js(r"""
const groupName = (el) => {
  for (let g = el.parentElement; g && g !== document.body; g = g.parentElement) {
    if (g.tagName === 'FIELDSET') { const l = g.querySelector(':scope > legend'); if (l && psText(l.textContent)) return psText(l.textContent); }
    const role = g.getAttribute('role');
    if (role === 'radiogroup' || role === 'group') {
      const by = (g.getAttribute('aria-labelledby') || '').split(/\s+/).map(id => document.getElementById(id)).filter(Boolean).map(r => r.textContent).join(' ');
      const n = psText(by) || psText(g.getAttribute('aria-label'));
      if (n) return n;
    }
    if (g.tagName === 'FORM') break;
  }
  return '';
};
const groups = new Map();
for (const el of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
  if (!el.name || !(psVisible(el) || (el.labels && el.labels[0] && psVisible(el.labels[0])))) continue;
  const key = (el.form ? psSel(el.form) : '') + '|' + el.type + '|' + el.name;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(el);
}
const out = [];
for (const [key, els] of groups) {
  if (els.length < 2) continue;
  if (els.every(e => groupName(e))) continue;
  const first = els[0];
  const labels = els.slice(0, 4).map(e => psText(e.labels && e.labels[0] ? e.labels[0].textContent : '')).join(' / ');
  out.push(psNode(first, `${els.length} ${first.type === 'radio' ? 'radio buttons' : 'checkboxes'} named "${first.name}" (${labels.slice(0, 80)}) have no group name`));
}
return out;
""")

_PLACEHOLDER_JS = js(r"""
const textTypes = new Set(['', 'text', 'search', 'email', 'tel', 'url', 'number', 'password', 'date']);
const out = [];
for (const el of document.querySelectorAll('input, textarea')) {
  if (el.tagName === 'INPUT' && !textTypes.has((el.getAttribute('type') || '').toLowerCase())) continue;
  if (!psVisible(el) || el.disabled) continue;
  const ph = psText(el.getAttribute('placeholder'));
  if (!ph) continue;
  const labelled = Array.from(el.labels || []).some(l => psText(l.textContent) && psVisible(l));
  const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).some(id => { const r = document.getElementById(id); return r && psText(r.textContent); });
  if (labelled || by) continue;
  // An adjacent button naming the field's purpose labels it (WCAG technique G167: "Tìm kiếm" beside a search box).
  const wrap = el.parentElement;
  const buttons = wrap ? Array.from(wrap.querySelectorAll('button, input[type=submit], input[type=button], [role=button]')) : [];
  if (buttons.some(b => psName(b) || b.value)) continue;
  const aria = psText(el.getAttribute('aria-label') || el.getAttribute('title'));
  out.push(psNode(el, `the field's only visible label is its placeholder "${ph.slice(0, 60)}"` + (aria ? ' (its aria-label/title is not shown)' : '')));
}
return out;
""")


async def group_name(page, ctx: CheckContext) -> list[Node]:
    return nodes_of(await page.evaluate(_GROUP_JS))


async def placeholder_label(page, ctx: CheckContext) -> list[Node]:
    return nodes_of(await page.evaluate(_PLACEHOLDER_JS))


CHECKS = (Check(GROUP_NAME, group_name), Check(PLACEHOLDER_LABEL, placeholder_label))
