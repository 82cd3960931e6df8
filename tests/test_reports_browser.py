"""The report in a real Chromium, from file://: it renders, sorts, passes axe with zero violations,
reflows at 200% zoom, and nothing crawled runs. Screenshots go to test-results/reports/ (look at them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from portalscore.crawler.axe import AXE_OPTIONS, axe_source
from portalscore.crawler.browser import launch_options
from portalscore.reports import render_report
from tests.browsers import test_egress
from tests.test_reports_data import build, build_scored

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "reports"
PAGES = ["index.html", "portals/bo-0.html", "method.html", "en/index.html", "en/portals/tinh-1.html", "en/method.html"]

AXE_JS = """async (options) => {
  const r = await axe.run(document, options);
  return r.violations.map(v => ({id: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').slice(0, 300))}));
}"""


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("report-browser")
    (base / "artefacts").mkdir()
    render_report(
        build(n_ministries=4, n_provinces=7, pages=8, hostile=True, artefact_dir=base / "artefacts"), base / "out"
    )
    return base / "out"


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(**launch_options(test_egress()))
        yield b
        b.close()


@pytest.fixture
def report_page(chromium):
    """A page that records every dialog and every request, so a test can assert nothing ran or was fetched."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.dialogs, pg.requests = [], []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]  # 2.2 AA: target size
WIDTHS = (320, 390, 1280)
OPEN_DETAILS = "document.querySelectorAll('details').forEach(d => d.open = true)"

# Our own checks, as the phone journey makes them of a portal (scenarios/mobile.py), but stricter: no text
# under 12 CSS px at all, and no page wider than the window.
TEXT_SIZES_JS = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || !el.checkVisibility() || el.closest('.visually-hidden')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 12) small.push(node.textContent.trim().slice(0, 40) + ' (' + size + 'px)');
  }
  return small.slice(0, 10);
}"""


def _axe(pg, tags=AXE_TAGS) -> list:
    pg.evaluate(axe_source())
    options = {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]}
    return pg.evaluate(AXE_JS, options)


@pytest.mark.parametrize("rel", PAGES)
def test_page_has_zero_axe_violations(report_page, out, rel):
    report_page.goto((out / rel).as_uri())
    report_page.evaluate(OPEN_DETAILS)  # the collapsed criteria and rules are checked too
    SHOTS.mkdir(parents=True, exist_ok=True)
    report_page.screenshot(path=str(SHOTS / (rel.replace("/", "_").replace(".html", ".png"))), full_page=True)
    report_page.evaluate(axe_source())
    assert report_page.evaluate(AXE_JS, AXE_OPTIONS) == []  # WCAG 2.1 A/AA, as portals are audited
    assert _axe(report_page) == []  # and WCAG 2.2 target size, and axe's best practices (landmarks, headings)
    assert report_page.dialogs == []
    assert all(url.startswith("file://") for url in report_page.requests), report_page.requests


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> Path:
    """A report of a real criteria set with journeys as the real ones record them."""
    base = tmp_path_factory.mktemp("report-scored")
    (base / "artefacts").mkdir()
    data = build_scored(n_ministries=3, n_provinces=4, pages=6, artefact_dir=base / "artefacts")
    # a name that the old chart cut where it tells portals apart ("Cổng Dịch vụ công Bộ Kết nối Hạ t…")
    long_name = "Cổng Dịch vụ công Bộ Kết nối Hạ tầng và Chuyển đổi số (mẫu thử nghiệm)"
    data.scores[0].name = data.evidence[data.scores[0].portal_id].portal.name = long_name
    render_report(data, base / "out")
    return base / "out"


SCORED_PAGES = [
    "index.html",
    "method.html",
    "data.html",
    "portals/bo-0.html",
    "en/index.html",
    "en/portals/tinh-1.html",
]


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways_and_no_text_is_small(chromium, scored, width):
    """WCAG 1.4.10 reflow at 320 CSS px, and a phone (390) and a desktop (1280): only tables scroll, each in
    its own focusable, labelled region; no text under 12 px; axe finds nothing at these widths either."""
    context = chromium.new_context(viewport={"width": width, "height": 844})
    pg = context.new_page()
    try:
        for rel in SCORED_PAGES:
            pg.goto((scored / rel).as_uri())
            pg.evaluate(OPEN_DETAILS)
            assert pg.evaluate("document.scrollingElement.scrollWidth") <= pg.evaluate("innerWidth"), (rel, width)
            assert pg.evaluate(TEXT_SIZES_JS) == [], (rel, width)
            for region in pg.locator(".table-wrap").all():
                if region.evaluate("r => r.scrollWidth > r.clientWidth"):
                    assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
                    assert pg.locator("#" + region.get_attribute("aria-labelledby")).count() == 1
            if width != 1280:
                assert _axe(pg) == [], (rel, width)
            SHOTS.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(SHOTS / f"w{width}_{rel.replace('/', '_').replace('.html', '.png')}"))
    finally:
        context.close()


@pytest.mark.parametrize("rel", ["index.html", "en/index.html"])
def test_the_summary_fits_a_phone_without_scrolling(chromium, scored, rel):
    """The summary is the first table a reader meets: at 390 px every column of it is in view, none behind a
    sideways scroll (its grade columns share one heading)."""
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    try:
        pg.goto((scored / rel).as_uri())
        region = pg.locator("#summary-table").locator("xpath=..")
        assert region.evaluate("r => r.scrollWidth <= r.clientWidth"), region.evaluate(
            "r => [r.scrollWidth, r.clientWidth]"
        )
    finally:
        context.close()


@pytest.mark.parametrize("width", (390, 1280))
def test_chart_labels_are_legible_whole_and_apart(chromium, scored, width):
    context = chromium.new_context(viewport={"width": width, "height": 844})
    pg = context.new_page()
    try:
        pg.goto((scored / "index.html").as_uri())
        labels = pg.evaluate("""() => Array.from(document.querySelectorAll(
            'figure.bars .bar-name, figure.bars .bar-value, figure.bars .bar-scale text')).map(el => {
              const r = el.getBoundingClientRect();
              return {text: el.textContent.trim(), size: parseFloat(getComputedStyle(el).fontSize),
                      cut: el.scrollWidth > el.clientWidth + 1, l: r.left, r: r.right, t: r.top, b: r.bottom}; })""")
        assert labels and all(lab["size"] >= 12 for lab in labels), labels
        assert not any(lab["cut"] for lab in labels)  # full names, wrapped rather than cut
        names = [n["text"] for n in labels if n["text"] and not n["text"][0].isdigit() and len(n["text"]) > 1]
        assert any(len(n) > 34 for n in names)  # the long ones too (the old chart cut at 34 characters)
        boxes = [lab for lab in labels if lab["r"] > lab["l"]]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                overlap = (
                    min(a["r"], b["r"]) - max(a["l"], b["l"]) > 1 and min(a["b"], b["b"]) - max(a["t"], b["t"]) > 1
                )
                assert not overlap, (a["text"], b["text"])
    finally:
        context.close()


def test_tables_and_bar_charts_render(report_page, out):
    report_page.goto((out / "index.html").as_uri())
    header_bg = report_page.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor")
    assert header_bg == "rgb(11, 61, 110)"  # the stylesheet loaded from file:// under the page's CSP
    for table in report_page.locator("table.ranking").all():
        box = table.bounding_box()
        assert box and box["width"] > 400 and box["height"] > 100
    bars = report_page.locator("figure.bars rect.bar")
    assert bars.count() == 11
    for i in range(bars.count()):
        box = bars.nth(i).bounding_box()
        assert box and box["width"] > 0 and box["height"] > 5
    caption = report_page.locator("figure.bars figcaption").first.text_content()
    assert caption.startswith("Điểm tổng hợp")


def test_portal_page_shows_trend_and_screenshot(report_page, out):
    report_page.goto((out / "portals" / "tinh-1.html").as_uri())
    line = report_page.locator("section[aria-labelledby='trend-h'] svg polyline")
    box = line.bounding_box()
    assert box and box["width"] > 100
    report_page.evaluate(OPEN_DETAILS)
    img = report_page.locator("figure.screenshot img")
    img.scroll_into_view_if_needed()
    assert report_page.evaluate("document.querySelector('figure.screenshot img').naturalWidth") == 240


def test_columns_sort_by_mouse_and_keyboard(report_page, out):
    report_page.goto((out / "index.html").as_uri())
    table = report_page.locator("table.ranking").nth(1)
    score_th = table.locator("thead th").nth(2)

    def scores() -> list[float]:
        return [float(v) for v in table.locator("tbody td.score").evaluate_all("cs => cs.map(c => c.dataset.sort)")]

    assert scores() == sorted(scores(), reverse=True)
    score_th.locator("button").click()  # scores sort highest first on the first press
    assert score_th.get_attribute("aria-sort") == "descending"
    score_th.locator("button").focus()
    report_page.keyboard.press("Enter")
    assert score_th.get_attribute("aria-sort") == "ascending"
    assert scores() == sorted(scores())
    assert table.locator("thead th").first.get_attribute("aria-sort") is None
    name_th = table.locator("thead th").nth(1)
    name_th.locator("button").click()
    names = table.locator("tbody th[scope=row]").evaluate_all("hs => hs.map(h => h.dataset.sort)")
    expected = report_page.evaluate("ns => ns.slice().sort((a, b) => a.localeCompare(b, 'vi'))", names)
    assert names == expected and names != list(reversed(expected))


def test_reflows_at_200_percent_zoom_and_prints(chromium, out):
    # 200% zoom of a 1280 px window is a 640 CSS px viewport: no page-wide horizontal scrolling.
    context = chromium.new_context(viewport={"width": 640, "height": 900})
    pg = context.new_page()
    try:
        for rel in ("index.html", "portals/bo-0.html", "method.html"):
            pg.goto((out / rel).as_uri())
            assert pg.evaluate("document.documentElement.scrollWidth") <= 640, rel
            SHOTS.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(SHOTS / ("zoom200_" + rel.replace("/", "_").replace(".html", ".png"))))
    finally:
        context.close()


def test_print_hides_navigation_and_opens_every_detail(report_page, out):
    report_page.goto((out / "portals" / "bo-0.html").as_uri())
    report_page.emulate_media(media="print")
    assert not report_page.locator("header.site nav").is_visible()
    assert report_page.locator("table#groups-table").is_visible()
    report_page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert report_page.evaluate("Array.from(document.querySelectorAll('details')).every(d => d.open)")
    pdf = report_page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000


def test_keyboard_skip_link_and_visible_focus(report_page, out):
    report_page.goto((out / "index.html").as_uri())
    report_page.keyboard.press("Tab")
    skip = report_page.locator("a.skip")
    assert report_page.evaluate("document.activeElement.className") == "skip"
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["height"] > 10  # shown on screen once focused
    assert report_page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    report_page.keyboard.press("Enter")
    assert report_page.evaluate("document.activeElement.id") == "main"
    report_page.keyboard.press("Tab")
    focused = report_page.evaluate("document.activeElement.textContent")
    assert focused == "Cách tính điểm"  # the first link inside main
