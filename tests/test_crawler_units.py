"""Crawler parts that need no browser: URL normalisation, the frontier, the host gate,
light HTTP against misbehaving local servers, robots.txt and sitemaps."""

from __future__ import annotations

import asyncio
import gzip
import time

import pytest

from portalscore.crawler.frontier import Frontier
from portalscore.crawler.hostgate import HostGate
from portalscore.crawler.lighthttp import LightClient, light_fetch, retry_after_s
from portalscore.crawler.site import _locs
from portalscore.crawler.urls import is_document, normalise, page_key
from tests.browsers import test_egress
from tests.faultfarm import Farm, drip, hang, page, redirect_to, retry_once, status

UA = "test portalscore/0.1"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("HTTP://Example.GOV.vn:80/a/../b/?utm_source=x&b=2&a=1#top", "http://example.gov.vn/b/?a=1&b=2"),
        ("https://dvc.vn:443/", "https://dvc.vn/"),
        ("https://dvc.vn", "https://dvc.vn/"),
        ("https://dvc.vn:8443/x", "https://dvc.vn:8443/x"),
        ("https://dvc.vn/#/thu-tuc?ma=1.001", "https://dvc.vn/#/thu-tuc?ma=1.001"),  # hash route: a page
        ("https://dvc.vn/#!/tra-cuu", "https://dvc.vn/#!/tra-cuu"),
        ("https://dvc.vn/gioi-thieu#lien-he", "https://dvc.vn/gioi-thieu"),  # anchor: same page
        ("https://dvc.vn/p;jsessionid=ABC123?PHPSESSID=9&q=a", "https://dvc.vn/p?q=a"),
        ("https://dvc.vn/?fbclid=1&gclid=2&sid=3&page=2", "https://dvc.vn/?page=2"),
        ("https://dvc.vn/tra-cứu?q=hồ sơ", "https://dvc.vn/tra-c%E1%BB%A9u?q=h%E1%BB%93%20s%C6%A1"),
        ("https://dvc.vn/a%7e/%2F", "https://dvc.vn/a~/%2F"),
        ("mailto:lienhe@dvc.vn", None),
        ("javascript:;", None),
        ("tel:1900", None),
        ("ftp://dvc.vn/x", None),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_normalise_relative_and_keys():
    assert normalise("../thu-tuc?id=2", "https://dvc.vn/a/b/c") == "https://dvc.vn/a/thu-tuc?id=2"
    # /a and /a/, http and https count as one page; other queries do not.
    assert page_key(normalise("https://dvc.vn/a/")) == page_key(normalise("http://dvc.vn/a"))
    assert page_key(normalise("https://dvc.vn/a?x=1")) != page_key(normalise("https://dvc.vn/a"))


def test_documents_are_told_from_pages():
    assert is_document("https://dvc.vn/files/Mau%20don.PDF")
    assert is_document("https://dvc.vn/x/bieu-mau.docx")
    assert not is_document("https://dvc.vn/thu-tuc/1.001.pdf-guide/")
    assert not is_document("https://dvc.vn/thu-tuc.aspx?id=1")


# The frontier, on a synthetic link graph: page -> links.
GRAPH = {
    "/": ["/a", "/b", "/c", "/docs/x.pdf", "https://other.vn/", "/a#top"],
    "/a": ["/a1", "/a2", "/b"],
    "/b": ["/b1", "/cal?m=1"],
    "/c": ["/c1"],
    "/a1": ["/deep1"],
    "/a2": [],
    "/b1": [],
    "/c1": [],
    "/deep1": ["/deep2"],
    "/deep2": ["/deep3"],
    "/cal?m=1": ["/cal?m=2"],
    "/cal?m=2": ["/cal?m=3"],
    "/cal?m=3": ["/cal?m=4"],
    "/cal?m=4": ["/cal?m=5"],
}
BASE = "https://dvc.vn"


def _crawl(frontier: Frontier, finish_order: str = "fifo", width: int = 2) -> list[str]:
    """Drive the frontier as crawl workers would, finishing in-flight pages in a chosen order."""
    crawled, inflight = [], []  # crawled: in the order pages were handed out
    while True:
        while len(inflight) < width:
            item = frontier.next()
            if not item:
                break
            inflight.append(item)
            crawled.append(item.url[len(BASE) :])
        if not inflight:
            assert frontier.next() is False
            return crawled
        item = inflight.pop(-1 if finish_order == "lifo" else 0)
        path = item.url[len(BASE) :]
        frontier.add_links(item, [normalise(u, item.url) for u in GRAPH.get(path, [])])
        frontier.done(item)


def _frontier(**kw) -> Frontier:
    args = dict(max_pages=100, max_depth=6, max_query_variants=10) | kw
    return Frontier(BASE + "/", **args)


def test_links_recorded_for_the_link_checks_are_capped_in_the_order_found():
    """What a portal links to cannot decide our memory: 2,000 links a page on every page would be millions."""
    f = _frontier(max_recorded=1000)
    home = f.next()
    f.add_links(home, [f"https://other{i}.example/" for i in range(5000)])
    f.add_links(home, [BASE + f"/docs/{i}.pdf" for i in range(1500)])
    f.add_links(home, [f"https://other{i}.example/" for i in range(10)])  # already kept: not counted again
    assert list(f.outbound) == [f"https://other{i}.example/" for i in range(1000)]
    assert len(f.documents) == 1000
    assert f.skipped["outbound list full"] == 4000 and f.skipped["document list full"] == 500


def test_frontier_is_breadth_first_and_deduplicated():
    crawled = _crawl(_frontier())
    assert crawled[:4] == ["/", "/a", "/b", "/c"]
    assert len(crawled) == len(set(crawled))
    assert "/docs/x.pdf" not in crawled  # documents are checked, not crawled


def test_frontier_order_does_not_depend_on_which_load_finishes_first():
    for cap in (3, 6, 9):
        assert _crawl(_frontier(max_pages=cap), "fifo") == _crawl(_frontier(max_pages=cap), "lifo", width=3)


def test_frontier_caps_pages_depth_and_query_variants():
    f = _frontier(max_pages=5)
    assert len(_crawl(f)) == 5
    assert f.unvisited  # links beyond the cap are kept for link checking
    f = _frontier(max_depth=2)
    crawled = _crawl(f)
    assert "/a1" in crawled and "/deep1" not in crawled
    f = _frontier(max_query_variants=2)
    crawled = _crawl(f)
    assert [p for p in crawled if p.startswith("/cal")] == ["/cal?m=1", "/cal?m=2"]
    assert f.skipped["query variants"] >= 1


def test_frontier_names_pages_the_cap_keeps_out_before_the_crawl_ends():
    # Link checks of those pages overlap the crawl: so none may be crawled after all, and none may be missed.
    for cap, finish_order in ((3, "fifo"), (5, "lifo"), (7, "fifo")):
        f = _frontier(max_pages=cap)
        crawled, inflight, early = [], [], set()
        while True:
            while len(inflight) < 2 and (item := f.next()):
                inflight.append(item)
                crawled.append(item.url)
            if not inflight:
                break
            early |= set(f.never_crawled())
            item = inflight.pop(-1 if finish_order == "lifo" else 0)
            f.add_links(item, [normalise(u, item.url) for u in GRAPH.get(item.url[len(BASE) :], [])])
            f.done(item)
        assert early and not early & set(crawled), cap
        assert early <= set(f.unvisited) and set(f.never_crawled()) == set(f.unvisited)


def test_frontier_scope_include_exclude_and_links_sorted_by_kind():
    f = _frontier(exclude=[r"/b"])
    crawled = _crawl(f)
    assert "/b" not in crawled and "/b1" not in crawled
    f = _frontier(include=[r"/a"])
    assert set(_crawl(f)) == {"/", "/a", "/a1", "/a2"}  # the start page is always in scope
    assert "https://other.vn/" in f.outbound
    assert BASE + "/docs/x.pdf" in f.documents


def test_sitemap_urls_come_after_the_start_pages_links():
    f = _frontier()
    f.add_links(None, [BASE + "/only-in-sitemap", BASE + "/c1"], sitemap=True)
    crawled = _crawl(f)
    assert crawled.index("/c") < crawled.index("/only-in-sitemap") < crawled.index("/a1")


def test_host_gate_bounds_concurrency_and_spaces_starts():
    async def go():
        gate = HostGate(per_host=2, min_delay_s=0.1)
        starts, active, peak = [], 0, 0

        async def one():
            nonlocal active, peak
            permit = await gate.acquire("h:1")
            starts.append(time.monotonic())
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.15)
            active -= 1
            permit.release()

        await asyncio.gather(*(one() for _ in range(6)))
        return starts, peak

    starts, peak = asyncio.run(go())
    assert peak == 2
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 0.095


def test_light_fetch_holds_the_per_host_limit_against_a_real_server():
    with Farm({"/p*": page("x")}, delay_s=0.2) as farm:

        async def go():
            client = LightClient(test_egress(), UA)
            gate = HostGate(per_host=2, min_delay_s=0.05)
            try:
                return await asyncio.gather(*(light_fetch(client, gate, farm.url(f"/p{i}")) for i in range(8)))
            finally:
                await client.aclose()

        results = asyncio.run(go())
    assert all(r.status == 200 for r in results)
    assert farm.max_inflight == 2
    assert all("portalscore" in h.user_agent for h in farm.hits)


def test_light_requests_are_bounded_against_misbehaving_servers():
    routes = {
        "/hang": hang,
        "/drip": drip,
        "/loop": redirect_to("/loop"),
        "/500": status(500),
        "/retry": retry_once,
        "/away": redirect_to("http://localhost:1/x"),
    }
    with Farm(routes) as farm:

        async def go():
            client = LightClient(test_egress(), UA)
            try:
                t = time.monotonic()
                hung = await client.fetch(farm.url("/hang"), timeout_s=1)
                dripped = await client.fetch(farm.url("/drip"), timeout_s=1.5)
                assert time.monotonic() - t < 5
                assert hung.error.startswith("timeout") and hung.transient
                assert dripped.status == 200 and dripped.error.startswith("timeout")
                assert (await client.fetch(farm.url("/loop"))).error.startswith("too many redirects")
                away = await client.fetch(farm.url("/away"), allowed_hosts=["127.0.0.1"])
                assert away.error.startswith("blocked")
                gate = HostGate(per_host=2, min_delay_s=0)
                t = time.monotonic()
                failed = await light_fetch(client, gate, farm.url("/500"))
                retried = await light_fetch(client, gate, farm.url("/retry"))
                return failed, retried, time.monotonic() - t
            finally:
                await client.aclose()

        failed, retried, took = asyncio.run(go())
        assert failed.status == 500 and farm.count("/500") == 1  # a 500 is not transient: asked once
        assert retried.status == 200 and farm.count("/retry") == 2
        assert took >= 0.95  # Retry-After: 1 was honoured


def test_retry_after_forms():
    assert retry_after_s("3") == 3
    assert retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert retry_after_s("soon") is None


def test_sitemap_and_index_parsing():
    index = (
        b"<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        b"<sitemap><loc>https://dvc.vn/s1.xml</loc></sitemap></sitemapindex>"
    )
    urlset = (
        b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc> https://dvc.vn/a </loc></url>"
        b"<url><loc>https://dvc.vn/b</loc></url></urlset>"
    )
    assert _locs(index) == ([], ["https://dvc.vn/s1.xml"])
    assert _locs(urlset) == (["https://dvc.vn/a", "https://dvc.vn/b"], [])
    assert _locs(gzip.compress(urlset))[0] == ["https://dvc.vn/a", "https://dvc.vn/b"]
    assert _locs(b"<html>not xml") == ([], [])
    bomb = b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><urlset><url><loc>&a;</loc></url></urlset>"
    assert _locs(bomb)[0] in ([], ["&a;"])  # entities are never expanded


def test_a_redirect_target_is_not_crawled_twice():
    f = _frontier()
    start = f.next()
    f.alias(BASE + "/home.html")  # "/" redirected there
    f.add_links(start, [BASE + "/home.html", BASE + "/a"])
    f.done(start)
    assert [f.next().url, f.next()] == [BASE + "/a", None]


def test_headless_runs_take_the_headless_shell_and_headed_runs_the_full_browser(monkeypatch, tmp_path):
    import portalscore.crawler.browser as browser

    shell, full = tmp_path / "chromium-headless-shell", tmp_path / "chromium"
    full.touch()
    monkeypatch.delenv("PORTALSCORE_CHROMIUM", raising=False)
    monkeypatch.setattr(browser, "HEADLESS_SHELL_CANDIDATES", (str(shell),))
    monkeypatch.setattr(browser, "CHROMIUM_CANDIDATES", (str(full),))
    assert browser.chromium_path() == str(full)  # no shell installed: the full browser, headless
    shell.touch()
    assert browser.launch_options(test_egress())["executable_path"] == str(shell)
    assert browser.launch_options(test_egress(), headless=False)["executable_path"] == str(full)
    monkeypatch.setenv("PORTALSCORE_CHROMIUM", "/opt/chrome/chrome")  # the operator's choice wins
    assert browser.chromium_path() == browser.chromium_path(headless=False) == "/opt/chrome/chrome"


def test_mobile_pages_are_the_first_good_pages_in_crawl_order_known_before_the_crawl_ends():
    """The mobile pass starts mid-crawl; it must still pick what it would pick at the end: the first
    mobile_pages desktop pages without an error, in crawl order, whatever order the loads finish in."""
    from portalscore.contract.evidence import PageEvidence, PortalEvidence, PortalRef
    from portalscore.contract.portal import Portal
    from portalscore.crawler.crawl import _Crawl
    from portalscore.crawler.settings import CrawlSettings

    portal = Portal(id="p", name="P", kind="province", url="http://127.0.0.1/")
    crawl = _Crawl(
        None,
        portal,
        CrawlSettings(),
        PortalEvidence(portal=PortalRef(id="p", name="P", kind="province", url=portal.url)),
        None,
        {},
    )
    crawl.frontier = f = Frontier("http://127.0.0.1/", max_pages=10, max_depth=3, max_query_variants=5)
    start = f.next()
    f.add_links(start, [f"http://127.0.0.1/{c}" for c in "abcd"])
    items = {0: start}

    def finish(order: int, error: str | None = None) -> None:
        crawl.order[items[order].url] = order
        crawl.ev.pages.append(PageEvidence(url=items[order].url, error=error))
        f.done(items[order])

    finish(0)
    items.update({i: f.next() for i in range(1, 5)})  # four pages loading at once
    finish(3)
    assert crawl._first_good_pages(2) is None  # pages 1 and 2 are still loading
    finish(1, error="http 500")
    assert crawl._first_good_pages(2) is None
    finish(2)
    assert [p.url for p in crawl._first_good_pages(2)] == [items[0].url, items[2].url]  # 4 cannot come first
    assert crawl._first_good_pages(4) is None
    finish(4, error="timeout")
    assert crawl._first_good_pages(4) is None  # the crawl could still hand out a good page
    crawl.desktop_over = True
    assert [p.url for p in crawl._first_good_pages(4)] == [items[i].url for i in (0, 2, 3)]
