"""Links (WCAG 2.4.4, 4.1.2): a link whose text says nothing of where it goes ("xem thêm", "chi tiết", "tại
đây", "click here") with no context around it, links with the same text going to different places with
nothing to tell them apart, and links to "#" or "javascript:" that act as buttons. axe's link-name checks only
that a link has some name."""

from __future__ import annotations

from .base import Check, CheckContext, CheckMeta, Node, js, nodes_of

PURPOSE = CheckMeta(
    id="ps-link-purpose",
    wcag=("2.4.4",),
    impact="serious",
    title_en="A link's purpose must be clear from its text or its context; 'read more', 'click here' alone are not",
    title_vi="Mục đích của liên kết phải rõ từ văn bản hoặc ngữ cảnh; chỉ 'xem thêm', 'tại đây' là không đủ",
    family="links",
)
SAME_TEXT = CheckMeta(
    id="ps-link-same-text",
    wcag=("2.4.4",),
    impact="moderate",
    title_en="Links with the same text must go to the same place, or their context must tell them apart (three or more destinations)",
    title_vi="Các liên kết cùng văn bản phải dẫn đến cùng một nơi, hoặc ngữ cảnh phải phân biệt được chúng",
    family="links",
)
HREF_HASH = CheckMeta(
    id="ps-link-no-destination",
    wcag=("4.1.2",),
    impact="minor",
    title_en="A link must go somewhere: a control that runs a script ('#', 'javascript:') must be a button",
    title_vi="Liên kết phải dẫn đến một nơi; điều khiển chạy mã ('#', 'javascript:') phải là nút (button)",
    family="links",
    # A script link that works by keyboard is announced as a link where it acts as a button: many auditors
    # report it under 4.1.2, others do not, and a dead "#" link breaks no success criterion. Not scored.
    level="best-practice",
)

# Link texts that name no destination (lower case, without diacritics, punctuation and arrows stripped).
GENERIC_TEXTS = [
    "xem them", "xem chi tiet", "chi tiet", "tai day", "bam vao day", "nhan vao day", "click vao day", "bam day",
    "nhan day", "an vao day", "vao day", "xem", "them", "doc tiep", "doc them", "tiep theo", "xem tiep", "lien ket",
    "link", "tai ve", "tai xuong", "download", "click here", "click", "here", "more", "read more", "see more",
    "details", "more info", "more information", "learn more", "continue", "view", "view more", "go",
]  # fmt: skip

# The link's context: the text around it that WCAG 2.4.4 lets count (enclosing sentence, paragraph, list item,
# table cell with its headers, a heading just before it in the same block), less the link's own text.
_LINKS_JS = r"""
const fold = (s) => psText(s).toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd')
  .replace(/[»«›‹>→←…\.\:\!\(\)\[\]\-–—"'“”]+/g, ' ').replace(/\s+/g, ' ').trim();
const generic = new Set(args.generic);
const words = (s) => psText(s).split(' ').filter(w => /\p{L}{2,}/u.test(w)).length;
const contextOf = (a) => {
  const own = psText(a.textContent);
  const desc = (a.getAttribute('aria-describedby') || '').split(/\s+/).map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent).join(' ');
  if (words(desc) >= 2) return psText(desc);
  const block = a.closest('p, li, td, th, dd, dt, figcaption, blockquote, label');
  if (block) {
    let t = psText(block.textContent).replace(own, ' ');
    if (block.tagName === 'TD') {  // the cell's row and column headers count
      const row = block.parentElement, table = block.closest('table');
      const i = Array.from(row.cells).indexOf(block);
      const head = table && table.rows[0] && table.rows[0].cells[i];
      if (head && head !== block && head.tagName === 'TH') t += ' ' + psText(head.textContent);
      if (row.cells[0] && row.cells[0] !== block) t += ' ' + psText(row.cells[0].textContent);
    }
    if (words(t) >= 2) return psText(t);
  }
  // a heading just before the link in the link's own container (a card's title): up to three levels up, never
  // as far as a container holding another link of the same text (a heading there heads the list, not this
  // link), nor main/body; the page's h1 is its title, not one link's context
  const name = fold(psName(a));
  let box = a.parentElement;
  for (let up = 0; box && up < 3 && !box.matches('main, body, [role=main]'); up++, box = box.parentElement) {
    if (Array.from(box.querySelectorAll('a[href], [role=link]')).some(o => o !== a && fold(psName(o)) === name)) break;
    const h = Array.from(box.querySelectorAll('h2,h3,h4,h5,h6,[role=heading]')).filter(h => h.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);
    if (h.length) return psText(h[h.length - 1].textContent);
  }
  return '';
};
const links = Array.from(document.querySelectorAll('a[href], [role=link]')).filter(a => psVisible(a) && !a.closest('[aria-hidden=true]'));
"""

_PURPOSE_JS = js(
    _LINKS_JS
    + r"""
const out = [];
for (const a of links) {
  const name = psName(a);
  if (!name || !generic.has(fold(name))) continue;
  if (contextOf(a)) continue;
  out.push(psNode(a, `the link text "${name.slice(0, 40)}" says nothing of where it goes, and nothing around it does`));
}
return out;
"""
)

_SAME_TEXT_JS = js(
    _LINKS_JS
    + r"""
const norm = (href) => { try { const u = new URL(href, location.href); u.hash = ''; return u.href.replace(/\/$/, ''); } catch (e) { return href; } };
const groups = new Map();
for (const a of links) {
  const href = a.getAttribute('href');
  if (!href || href.startsWith('#') || /^javascript:/i.test(href)) continue;
  const name = psName(a);
  const key = fold(name);
  if (!key || generic.has(key)) continue;  // generic texts are ps-link-purpose's
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push({a, name, href: norm(a.href), ctx: contextOf(a)});
}
const out = [];
for (const [key, items] of groups) {
  // Two destinations may serve one purpose (a redirect, a copy, the same page under two addresses), which only
  // fetching both would tell; three or more different ones under one text with nothing to tell them apart
  // (a list of "Mẫu tờ khai" links) do not.
  const hrefs = new Set(items.map(i => i.href.replace(/\/(index|default)\.(html?|aspx?|php)$/i, '')));
  if (hrefs.size < 3) continue;
  // links told apart by their context are fine; flag those whose context is empty or shared with another
  // link of the same text that goes elsewhere
  for (const it of items) {
    const words = (c) => fold(c).replace(/[^a-z]+/g, ' ').trim();  // "Biểu mẫu 1" and "Biểu mẫu 2" tell nothing apart
    const clash = items.some(o => o !== it && o.href !== it.href && words(o.ctx) === words(it.ctx));
    if (clash) out.push(psNode(it.a, `"${it.name.slice(0, 40)}" goes to ${hrefs.size} different places on this page with nothing to tell them apart`));
  }
}
return out;
"""
)

_HASH_JS = js(r"""
const out = [];
for (const a of document.querySelectorAll('a[href]')) {
  const href = (a.getAttribute('href') || '').trim();
  if (!(href === '#' || href === '#!' || /^javascript:/i.test(href))) continue;
  if (!psVisible(a) || a.closest('[aria-hidden=true]')) continue;
  const role = (a.getAttribute('role') || '').toLowerCase();
  if (role && role !== 'link') continue;  // given a widget role, it tells what it is
  out.push(psNode(a, `the link "${psName(a).slice(0, 40)}" goes to "${href.slice(0, 30)}": it is a script-run control announced as a link`));
}
return out;
""")


async def purpose(page, ctx: CheckContext) -> list[Node]:
    return nodes_of(await page.evaluate(_PURPOSE_JS, {"generic": GENERIC_TEXTS}))


async def same_text(page, ctx: CheckContext) -> list[Node]:
    return nodes_of(await page.evaluate(_SAME_TEXT_JS, {"generic": GENERIC_TEXTS}))


async def no_destination(page, ctx: CheckContext) -> list[Node]:
    return nodes_of(await page.evaluate(_HASH_JS))


CHECKS = (Check(PURPOSE, purpose), Check(SAME_TEXT, same_text), Check(HREF_HASH, no_destination))
