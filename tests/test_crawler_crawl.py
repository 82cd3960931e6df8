"""One crawl of three portals at once in one Chromium: a well-kept portal, a portal of faults,
and an unreachable one. Each test reads a part of the evidence; all servers are on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import socket
import time
import unicodedata

import pytest

from portalscore.contract.evidence import RobotsCheck
from portalscore.contract.portal import Portal
from portalscore.crawler.browser import chromium_path
from portalscore.crawler.crawl import crawl_portal
from portalscore.crawler.lab import measure_lab
from portalscore.crawler.pool import BrowserPool
from portalscore.crawler.settings import CrawlSettings
from tests.browsers import egress_for
from tests.faultfarm import (
    BUSY,
    DIALOGS,
    POPUP,
    SPA,
    Farm,
    attachment,
    big_dom,
    broken_utf8,
    calendar,
    chain,
    drip,
    hang,
    huge,
    links,
    page,
    pdf,
    redirect_to,
    retry_once,
    spa_menu,
    status,
    windows_1258,
)

pytestmark = pytest.mark.browser

SETTINGS = dict(
    max_pages=30,
    max_depth=4,
    workers=2,
    per_host=2,
    min_delay_s=0.05,
    page_timeout_s=20,
    request_timeout_s=3,
    lab_runs=2,
    lab_pages=2,
    lab_quiet_wait_s=1.0,  # a shared test machine is seldom quiet: a short bounded wait keeps the fixture short
    mobile_pages=1,
    outbound_sample=5,
    retries=1,
    max_query_variants=3,
    settle_s=1.5,
    max_dom_nodes=5000,
    max_page_bytes=2_000_000,
    allowed_hosts=["127.0.0.1"],
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def good_routes(elsewhere: str) -> dict:
    return {
        "/": page(
            "Cổng dịch vụ công tỉnh A",
            links(
                "/thu-tuc",
                "/spa",
                "/files/mau-don.pdf",
                "/tin-tuc?utm_source=facebook&fbclid=x",
                "/private/admin",
                f"{elsewhere}/trang-ngoai",
            )
            + f"<img alt='logo' src='{elsewhere}/logo.png'>",
            head="<script>window._govaq = window._govaq || [];</script>",
        ),
        "/thu-tuc": page("Thủ tục hành chính", links("/thu-tuc/1", "/thu-tuc/2", "/thu-tuc/3", "/")),
        "/thu-tuc/*": page("Chi tiết thủ tục", links("/thu-tuc")),
        "/tin-tuc": page("Tin tức"),
        "/orphan": page("Chỉ có trong sitemap"),
        "/private/admin": page("Quản trị"),
        "/spa": SPA,
        "/api/menu": spa_menu,
        "/files/mau-don.pdf": pdf,
        "/robots.txt": lambda h: h.send(
            200, "User-agent: *\nDisallow: /private/\nSitemap: /sitemap_index.xml\n", "text/plain"
        ),
        "/sitemap_index.xml": lambda h: h.send(
            200,
            (
                "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                f"<sitemap><loc>{h.server.farm.url('/sitemap-pages.xml')}</loc></sitemap></sitemapindex>"
            ),
            "text/xml",
        ),
        "/sitemap-pages.xml": lambda h: h.send(
            200,
            (
                "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                f"<url><loc>{h.server.farm.url('/orphan')}</loc></url></urlset>"
            ),
            "text/xml",
        ),
    }


FAULTS = {
    "/hang": hang,
    "/drip": drip,
    "/500": status(500),
    "/loop": redirect_to("/loop2"),
    "/loop2": redirect_to("/loop"),
    "/chain/*": chain,
    "/calendar": calendar,
    "/dialogs": DIALOGS,
    "/popup": POPUP,
    "/popped": page("Bật lên"),
    "/download": attachment,
    "/huge": huge,
    "/bigdom": big_dom(8000),
    "/busy": BUSY,
    "/retry": retry_once,
    "/cp1258": windows_1258,
    "/broken-utf8": broken_utf8,
}
FAULT_ROUTES = {
    "/": page(
        "Cổng lỗi",
        links(
            "/missing",
            "/calendar?month=2025-01",
            "/chain/0",
            *(p for p in FAULTS if p not in ("/loop2", "/chain/*", "/popped")),
        ),
    ),
    **FAULTS,
}


@pytest.fixture(scope="module")
def crawl():
    with (
        Farm({"/*": page("Nơi khác")}) as elsewhere,
        Farm(good_routes(elsewhere.url("", host="localhost")), delay_s=0.05) as good,
        Farm(FAULT_ROUTES) as faulty,
    ):
        portals = [
            Portal(id="good", name="Tỉnh A", kind="province", url=good.url("/")),
            Portal(id="faulty", name="Tỉnh lỗi", kind="province", url=faulty.url("/")),
            Portal(id="gone", name="Tỉnh vắng", kind="province", url=f"http://127.0.0.1:{_free_port()}/"),
        ]
        settings = CrawlSettings(**SETTINGS)
        seen: dict[str, list[str]] = {p.id: [] for p in portals}

        async def go():
            async with BrowserPool(settings, egress_for(settings)) as pool:
                t = time.monotonic()
                evs = await asyncio.gather(
                    *(
                        crawl_portal(
                            pool, p, settings, on_page=lambda pid, pg: seen[pid].append(f"{pg.profile} {pg.url}")
                        )
                        for p in portals
                    )
                )
                took = time.monotonic() - t
                lab_hits = good.count("/")
                await measure_lab(pool, evs[0], settings)
                return {p.id: ev for p, ev in zip(portals, evs)}, took, good.count("/") - lab_hits

        evidence, took, lab_hits = asyncio.run(go())
        yield {
            "ev": evidence,
            "took": took,
            "seen": seen,
            "good": good,
            "faulty": faulty,
            "elsewhere": elsewhere,
            "lab_hits": lab_hits,
        }


def _pages(ev, profile="desktop"):
    return {
        (p.url.split("/", 3)[3] and "/" + p.url.split("/", 3)[3]) or "/": p for p in ev.pages if p.profile == profile
    }


def test_crawl_finishes_within_bounds(crawl):
    assert crawl["took"] < 150  # generous: the machine is shared; the point is that nothing hangs


def test_good_portal_is_fully_covered(crawl):
    ev = crawl["ev"]["good"]
    pages = _pages(ev)
    assert ev.errors == []
    for path in ("/", "/thu-tuc", "/thu-tuc/1", "/thu-tuc/3", "/tin-tuc", "/spa", "/orphan"):
        assert path in pages, path
        assert pages[path].status == 200 and pages[path].error is None
    # hash routes that exist only after a script ran are pages of their own
    assert {"/spa#/thu-tuc", "/spa#/tra-cuu", "/spa#/gioi-thieu"} <= set(pages)
    assert ev.site.sitemap is not None and ev.site.sitemap.found and ev.site.sitemap.urls == 1
    assert ev.site.robots == RobotsCheck(status=200, found=True)
    assert ev.site.emc is True
    home = pages["/"]
    assert home.title == "Cổng dịch vụ công tỉnh A" and home.lang == "vi"
    assert home.accessibility.engine.startswith("axe-core 4.")
    # the browser that timed the pages is kept with them: timings only compare within one browser
    binary, version = ev.browser.split(" ")
    assert binary == os.path.basename(chromium_path()) and version.split(".")[0].isdigit()
    assert home.timings.ttfb_ms is not None and home.timings.fcp_ms is not None
    assert home.content_hash and home.dom_nodes > 10 and home.request_count >= 1
    assert home.security is not None and home.security.https is False and home.security.server
    # every page the callback saw is in the evidence, once; the callback saw a page twice only when the
    # page's audit turned out to be its template's (/thu-tuc/3 is the third page of /thu-tuc/{id})
    seen = crawl["seen"]["good"]
    assert sorted(set(seen)) == sorted(f"{p.profile} {p.url}" for p in ev.pages)
    assert {s for s in seen if seen.count(s) > 1} == {
        f"{p.profile} {p.url}" for p in ev.pages if p.accessibility and p.accessibility.sampled_from
    }
    assert pages["/thu-tuc/3"].accessibility.sampled_from == crawl["good"].url("/thu-tuc/1")
    assert len({(p.url, p.profile) for p in ev.pages}) == len(ev.pages)
    assert [p.profile for p in ev.pages].count("mobile") == 1


def test_good_portal_was_crawled_politely(crawl):
    good = crawl["good"]
    assert not any(p.startswith("/private") for p in good.paths())  # robots.txt Disallow
    assert not any("utm_" in p or "fbclid" in p for p in good.paths())
    assert good.max_inflight <= 2
    assert all("portalscore/" in h.user_agent for h in good.hits)
    # a page is loaded once in the crawl (once more on mobile, then lab_runs times per lab page)
    assert good.count("/thu-tuc/2") == 1


def test_other_hosts_are_never_contacted(crawl):
    assert crawl["elsewhere"].hits == []  # "localhost" is not in allowed_hosts, though it is the same machine


def test_links_and_documents_are_checked(crawl):
    links = {lc.url.split("/", 3)[3]: lc for lc in crawl["ev"]["good"].links}
    assert links["files/mau-don.pdf"].kind == "document"
    assert links["files/mau-don.pdf"].status == 200 and links["files/mau-don.pdf"].size == 5009
    assert links["thu-tuc/2"].kind == "page" and not links["thu-tuc/2"].broken
    assert "private/admin" not in links


def test_lab_pass_times_pages_alone_and_keeps_the_median(crawl):
    ev = crawl["ev"]["good"]
    assert len(ev.lab) == 4  # 2 pages (lab_pages), each on desktop and on mobile
    home = next(t for t in ev.lab if t.url.endswith(f":{crawl['good'].port}/") and t.profile == "desktop")
    assert home.runs == 2 and len(home.samples) == 2 and home.error is None
    assert home.median.load_ms is not None and home.throttle is None
    # one load per lab run, and one more for each load another program contended (timed again: crawler/quiet.py)
    timed_home = [m for t in ev.lab if t.url == home.url for m in t.machine]
    assert len(timed_home) >= 4 and crawl["lab_hits"] == len(timed_home)


def test_mobile_lab_loads_run_under_the_fixed_mobile_throttle(crawl):
    """Both profiles are timed; mobile always under Lighthouse's slow-4g (562.5 ms per request, CPU 4x), which
    makes the same page measurably slower than on desktop: the figures cannot be a copy of desktop's."""
    ev = crawl["ev"]["good"]
    desktop = {t.url: t for t in ev.lab if t.profile == "desktop"}
    mobile = {t.url: t for t in ev.lab if t.profile == "mobile"}
    assert desktop.keys() == mobile.keys()
    for url, t in mobile.items():
        assert t.throttle == "slow-4g" and t.error is None and t.runs == 2
        assert t.median.fcp_ms is not None and t.median.fcp_ms > desktop[url].median.fcp_ms + 400


def test_faults_are_recorded_with_their_reason(crawl):
    ev = crawl["ev"]["faulty"]
    pages = _pages(ev)
    assert pages["/hang"].error.startswith("timeout") and "retried 1x" in pages["/hang"].notes[0]
    assert pages["/drip"].error.startswith("timeout: load event") and pages["/drip"].status == 200
    assert crawl["faulty"].count("/drip") == 1  # the server answered: a slow page is not retried
    assert pages["/missing"].status == 404 and pages["/missing"].error == "http 404"
    assert pages["/500"].status == 500 and crawl["faulty"].count("/500") == 1  # not transient: not retried
    assert "redirect" in pages["/loop"].error
    assert "redirect" in pages["/chain/0"].error  # 30 hops: more than a browser follows
    assert pages["/retry"].status == 200 and pages["/retry"].error is None  # 503 + Retry-After, then fine
    assert pages["/busy"].error.startswith("page unresponsive")
    assert pages["/bigdom"].error is None and pages["/bigdom"].accessibility.error.startswith("not audited")
    assert pages["/huge"].status == 200 and pages["/huge"].title == "Trang rat lon"
    assert any("loading stopped after 2 MB" in n for n in pages["/huge"].notes)  # evaluated as loaded so far
    dialogs = pages["/dialogs"]
    assert dialogs.error is None and dialogs.accessibility is not None
    assert any(n.startswith("alert dialog dismissed") for n in dialogs.notes)
    assert any(n.startswith("confirm dialog dismissed") for n in dialogs.notes)
    assert any(n.startswith("pop-up window closed") for n in pages["/popup"].notes)
    assert pages["/popup"].error is None


def test_odd_encodings_are_decoded_not_fatal(crawl):
    pages = _pages(crawl["ev"]["faulty"])
    legacy = pages["/cp1258"]
    assert legacy.error is None and unicodedata.normalize("NFC", legacy.title) == "Thủ tục hành chính"
    broken = pages["/broken-utf8"]
    assert broken.error is None and broken.title.startswith("Tra c") and "\ufffd" in broken.title
    assert broken.accessibility is not None and broken.content_hash


def test_endless_spaces_and_downloads_are_bounded(crawl):
    ev = crawl["ev"]["faulty"]
    pages = _pages(ev)
    assert sum(1 for p in pages if p.startswith("/calendar?")) == 3  # max_query_variants
    assert "/download" not in pages  # a file is not a page
    download = next(lc for lc in ev.links if lc.url.endswith("/download"))
    assert download.kind == "document" and download.status == 200


def test_unreachable_portal_is_recorded_not_raised(crawl):
    ev = crawl["ev"]["gone"]
    assert ev.site.robots is not None and ev.site.robots.found is False and ev.site.robots.status is None
    assert any("robots.txt unreachable" in e for e in ev.errors)
    assert len(ev.pages) == 1 and ev.pages[0].error.startswith("connection refused by 127.0.0.1:")
    # Named for what happened, on the page and for the portal (which has no page to score).
    assert any(e.startswith("robots.txt unreachable (connection refused by") for e in ev.errors)
    assert f"start page not evaluated: {ev.pages[0].error}" in ev.errors
