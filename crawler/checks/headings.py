"""Text that looks like a heading but is not one (WCAG 1.3.1): a short, standalone line in large or bold type
followed by content, marked up as a paragraph or div. axe's best-practice rules see only real headings
(heading-order, empty-heading, page-has-heading-one); this finds the headings that are missing from the
structure, the commonest heading failure on portals whose editors style text instead of marking it up."""

from __future__ import annotations

from .base import Check, CheckContext, CheckMeta, Node, js, nodes_of

FAKE_HEADING = CheckMeta(
    id="ps-visual-heading",
    wcag=("1.3.1",),
    impact="moderate",
    title_en="Text styled as a heading must be marked up as a heading (h1-h6)",
    title_vi="Văn bản trình bày như tiêu đề phải được đánh dấu là tiêu đề (h1-h6)",
    family="headings",
)

_JS = js(r"""
const bodySize = (() => {  // the most common font size of visible text: the page's body text
  const sizes = new Map();
  for (const p of document.querySelectorAll('p, li, td, dd, span, div')) {
    if (!p.firstChild || p.children.length > 3) continue;
    const t = Array.from(p.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    if (t.length < 20) continue;
    const s = parseFloat(getComputedStyle(p).fontSize);
    sizes.set(s, (sizes.get(s) || 0) + t.length);
  }
  let best = 16, n = 0; for (const [s, c] of sizes) if (c > n) { best = s; n = c; }
  return best;
})();
const skip = 'h1,h2,h3,h4,h5,h6,[role=heading],a,button,label,legend,caption,th,summary,nav,header,footer,[role=banner],[role=navigation],[role=contentinfo],[role=tab],[role=button],[role=menuitem],li,select,option,dialog,[role=dialog]';
const out = [];
for (const el of document.querySelectorAll('p, div, span, strong, b, font')) {
  if (out.length >= 20) break;
  if (el.closest(skip) || el.querySelector('h1,h2,h3,h4,h5,h6,[role=heading],a,button,input,img,p,div,table,ul,ol')) continue;
  const text = psText(el.textContent);
  if (text.length < 3 || text.length > 90 || text.split(' ').length > 14 || /[.:;,]$/.test(text)) continue;
  const cs = getComputedStyle(el);
  if (cs.display === 'inline') {  // an inline <strong>/<span> counts only as the whole content of its block
    const parent = el.parentElement;
    if (!parent || psText(parent.textContent) !== text || !/^(P|DIV)$/.test(parent.tagName)) continue;
  }
  if (!psVisible(el)) continue;
  const size = parseFloat(cs.fontSize), weight = parseInt(cs.fontWeight, 10) || 400;
  const large = size >= bodySize * 1.3 || (size >= bodySize * 1.15 && weight >= 600);
  if (!large) continue;
  // A heading heads something: the next block after it (or after its block) holds text.
  const block = cs.display === 'inline' ? el.parentElement : el;
  let next = block.nextElementSibling;
  while (next && !psVisible(next)) next = next.nextElementSibling;
  if (!next || psText(next.textContent).length < 20) continue;
  if (out.some(o => o.el.contains(block) || block.contains(o.el))) continue;
  out.push({el: block, node: psNode(block, `"${text.slice(0, 60)}" is styled as a heading (${size}px, weight ${weight}; body text ${bodySize}px) but is not one`)});
}
return out.map(o => o.node);
""")


async def visual_heading(page, ctx: CheckContext) -> list[Node]:
    return nodes_of(await page.evaluate(_JS))


CHECKS = (Check(FAKE_HEADING, visual_heading),)
