"""Tables (WCAG 1.3.1): data tables without header cells, header cells that label nothing, layout tables that
carry data-table markup. axe checks the header markup that is there (th-has-data-cells, td-headers-attr,
scope-attr-valid); a data table with no header markup at all, or a layout table with it, passes axe."""

from __future__ import annotations

from .base import Check, CheckContext, CheckMeta, Node, js, nodes_of

NO_HEADERS = CheckMeta(
    id="ps-table-no-headers",
    wcag=("1.3.1",),
    impact="serious",
    title_en="Data tables must mark their row or column headers (th, or scope/headers)",
    title_vi="Bảng dữ liệu phải đánh dấu ô tiêu đề hàng hoặc cột (th, hoặc scope/headers)",
    family="tables",
)
HEADER_LABELS_NOTHING = CheckMeta(
    id="ps-table-header-labels-nothing",
    wcag=("1.3.1",),
    impact="moderate",
    title_en="Header cells (th) must head a row or column of data, not be used to style data cells",
    title_vi="Ô tiêu đề (th) phải làm tiêu đề cho một hàng hoặc cột dữ liệu, không dùng để định dạng ô dữ liệu",
    family="tables",
)
LAYOUT_WITH_HEADERS = CheckMeta(
    id="ps-layout-table-headers",
    wcag=("1.3.1",),
    impact="moderate",
    title_en="Layout tables must not use data-table markup (th, caption, summary, scope, headers)",
    title_vi="Bảng dùng để dàn trang không được dùng đánh dấu của bảng dữ liệu (th, caption, summary, scope, headers)",
    family="tables",
)

# Shared: each visible table and its rows of cells (own cells only, nested tables apart). Two readings of
# "layout table": looksLayout (role presentation/none, nested tables, cells holding page structure) keeps the
# data-table checks off tables that are probably layout; isLayout is stricter, because a table with header
# markup is a data table to browsers and screen readers: role presentation/none, or a table of at most two
# rows whose cells hold headings and with no scoped header (a page's columns laid out with a table).
_TABLES_JS = r"""
const cellsOf = (t) => Array.from(t.rows).map(r => Array.from(r.cells));
const presentational = (t) => { const role = (t.getAttribute('role') || '').trim(); return role === 'presentation' || role === 'none'; };
const headedCells = (t) => cellsOf(t).flat().filter(c => c.querySelector('h1,h2,h3,h4,h5,h6')).length;
const isLayout = (t) => presentational(t) || (headedCells(t) >= 1 && t.rows.length <= 2 && !t.querySelector('th[scope], [headers]'));
const looksLayout = (t) => isLayout(t) || !!t.querySelector('table')
  || cellsOf(t).flat().some(c => c.querySelector('nav, form, ul ul, iframe'));
const tables = Array.from(document.querySelectorAll('table')).filter(t => psVisible(t) && !t.closest('[aria-hidden=true]'));
const hasHeaderMarkup = (t) => !!t.querySelector(':scope > * > tr > th, :scope > tr > th, [scope], [headers], [role=columnheader], [role=rowheader]');
"""

_NO_HEADERS_JS = js(
    _TABLES_JS
    + r"""
const out = [];
for (const t of tables) {
  if (looksLayout(t) || hasHeaderMarkup(t)) continue;
  const rows = cellsOf(t).filter(r => r.length);
  const cols = Math.max(0, ...rows.map(r => r.length));
  if (rows.length < 3 || cols < 2) continue;
  const cells = rows.flat();
  const filled = cells.filter(c => psText(c.textContent)).length;
  if (filled < cells.length * 0.6) continue;
  const first = rows[0].map(c => psText(c.textContent)).join(' | ').slice(0, 80);
  out.push(psNode(t, `a data table of ${rows.length} rows and ${cols} columns with no header cell (first row: ${first})`));
}
return out;
"""
)

_LABELS_NOTHING_JS = js(
    _TABLES_JS
    + r"""
const out = [];
for (const t of tables) {
  if (looksLayout(t)) continue;
  const rows = cellsOf(t);
  const referenced = new Set();
  for (const c of t.querySelectorAll('[headers]')) for (const id of c.getAttribute('headers').split(/\s+/)) referenced.add(id);
  rows.forEach((row, i) => row.forEach((c, j) => {
    if (c.tagName !== 'TH' || referenced.has(c.id)) return;
    const scope = (c.getAttribute('scope') || '').toLowerCase();
    if (i === 0 || j === 0 || scope) return;
    // a th inside the data: in a row that has data cells, not first, not referenced, no scope. It heads nothing
    // (a screen reader announces it as the header of cells it does not describe).
    if (!row.some(x => x.tagName === 'TD')) return;
    if (!psText(c.textContent)) return;
    out.push(psNode(c, `th "${psText(c.textContent).slice(0, 40)}" sits in row ${i + 1}, column ${j + 1} among data cells and heads nothing`));
  }));
  // a th in the first row over a column with no data cell (all th below it): a header of headers
  const body = rows.slice(1);
  if (body.length >= 2 && body.every(r => r.length && r.every(c => c.tagName === 'TH'))) {
    out.push(psNode(t, `every cell of the table is a header cell (${body.length + 1} rows): the headers label no data`));
  }
}
return out.slice(0, 40);
"""
)

_LAYOUT_JS = js(
    _TABLES_JS
    + r"""
const out = [];
for (const t of tables) {
  if (!isLayout(t)) continue;
  const own = Array.from(t.querySelectorAll('th, caption, [scope], [headers]')).filter(e => e.closest('table') === t);
  const summary = psText(t.getAttribute('summary'));
  if (!own.length && !summary) continue;
  const what = own.length ? own.slice(0, 3).map(e => e.tagName.toLowerCase()).join(', ') : 'summary';
  out.push(psNode(t, `a table used for layout carries data-table markup (${what})`));
}
return out;
"""
)


async def no_headers(page, ctx: CheckContext) -> list[Node]:
    return nodes_of(await page.evaluate(_NO_HEADERS_JS))


async def header_labels_nothing(page, ctx: CheckContext) -> list[Node]:
    return nodes_of(await page.evaluate(_LABELS_NOTHING_JS))


async def layout_with_headers(page, ctx: CheckContext) -> list[Node]:
    return nodes_of(await page.evaluate(_LAYOUT_JS))


CHECKS = (
    Check(NO_HEADERS, no_headers),
    Check(HEADER_LABELS_NOTHING, header_labels_nothing),
    Check(LAYOUT_WITH_HEADERS, layout_with_headers),
)
