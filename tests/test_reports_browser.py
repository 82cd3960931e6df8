"""The report in a real Chromium, from file://: it renders, sorts, passes axe with zero violations,
reflows at 200% zoom, and nothing crawled runs. Screenshots go to test-results/reports/ (look at them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from portalscore.crawler.axe import AXE_OPTIONS, axe_source
from portalscore.crawler.browser import launch_options
from portalscore.reports import render_report
from tests.browsers import test_egress
from tests.test_reports_data import build

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


@pytest.mark.parametrize("rel", PAGES)
def test_page_has_zero_axe_violations(report_page, out, rel):
    report_page.goto((out / rel).as_uri())
    SHOTS.mkdir(parents=True, exist_ok=True)
    report_page.screenshot(path=str(SHOTS / (rel.replace("/", "_").replace(".html", ".png"))), full_page=True)
    report_page.evaluate(axe_source())
    assert report_page.evaluate(AXE_JS, AXE_OPTIONS) == []  # WCAG 2.1 A/AA, as portals are audited
    best_practice = {"runOnly": {"type": "tag", "values": ["best-practice"]}, "resultTypes": ["violations"]}
    assert report_page.evaluate(AXE_JS, best_practice) == []  # and axe's best practices (landmarks, headings)
    assert report_page.dialogs == []
    assert all(url.startswith("file://") for url in report_page.requests), report_page.requests


def test_tables_and_bar_charts_render(report_page, out):
    report_page.goto((out / "index.html").as_uri())
    header_bg = report_page.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor")
    assert header_bg == "rgb(11, 61, 110)"  # the stylesheet loaded from file:// under the page's CSP
    for table in report_page.locator("table.ranking").all():
        box = table.bounding_box()
        assert box and box["width"] > 400 and box["height"] > 100
    bars = report_page.locator("figure.chart svg rect.bar")
    assert bars.count() == 11
    for i in range(bars.count()):
        box = bars.nth(i).bounding_box()
        assert box and box["width"] > 0 and box["height"] > 5
    title = report_page.locator("figure.chart svg title").first.text_content()
    assert title.startswith("Biểu đồ điểm tổng hợp")


def test_portal_page_shows_trend_and_screenshot(report_page, out):
    report_page.goto((out / "portals" / "tinh-1.html").as_uri())
    line = report_page.locator("section[aria-labelledby='trend-h'] svg polyline")
    box = line.bounding_box()
    assert box and box["width"] > 100
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


def test_reflows_at_200_percent_zoom(chromium, out):
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


def test_print_hides_navigation(report_page, out):
    report_page.goto((out / "portals" / "bo-0.html").as_uri())
    report_page.emulate_media(media="print")
    assert not report_page.locator("header.site nav").is_visible()
    assert report_page.locator("table#groups-table").is_visible()


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
    assert focused == "Phương pháp đánh giá"  # the first link inside main
