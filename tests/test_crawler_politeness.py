"""Politeness, resume and single-page audits against real local servers, in the real Chromium."""

from __future__ import annotations

import asyncio
import subprocess

import pytest

from portalscore.contract.evidence import Cookie
from portalscore.contract.portal import Portal
from portalscore.crawler.crawl import audit_url, crawl_portal
from portalscore.crawler.pool import BrowserPool
from portalscore.crawler.settings import CrawlSettings
from tests.browsers import egress_for
from tests.faultfarm import Farm, links, page

pytestmark = pytest.mark.browser

QUICK = dict(
    workers=2,
    per_host=2,
    min_delay_s=0.05,
    request_timeout_s=5,
    page_timeout_s=30,
    mobile_pages=0,
    run_axe=False,
    settle_s=0.5,
    allowed_hosts=["127.0.0.1"],
)


def _run(settings: CrawlSettings, *portals: Portal, **kw):
    async def go():
        async with BrowserPool(settings, egress_for(settings)) as pool:
            return await asyncio.gather(*(crawl_portal(pool, p, settings, **kw) for p in portals))

    return asyncio.run(go())


def _portal(url: str, pid: str = "p") -> Portal:
    return Portal(id=pid, name="Cổng thử", kind="province", url=url)


def test_crawl_delay_from_robots_is_honoured():
    routes = {
        "/": page("Trang chủ", links("/a", "/b")),
        "/a": page("A"),
        "/b": page("B"),
        "/robots.txt": lambda h: h.send(200, "User-agent: portalscore\nCrawl-delay: 1\n", "text/plain"),
    }
    with Farm(routes) as farm:
        [ev] = _run(CrawlSettings(**QUICK, max_pages=3), _portal(farm.url("/")))
    assert ev.site.robots is not None and ev.site.robots.crawl_delay == 1
    starts = sorted(h.start for h in farm.hits if h.path != "/robots.txt")
    assert len(starts) >= 4  # sitemap.xml and three pages
    # measured where the server sees them: allow for thread scheduling on a busy machine
    assert min(b - a for a, b in zip(starts, starts[1:])) >= 0.8


def test_per_host_limit_holds_across_portals_on_one_host():
    routes = {
        "/a/": page("A", links(*(f"/a/{i}" for i in range(6)))),
        "/a/*": page("A trang"),
        "/b/": page("B", links(*(f"/b/{i}" for i in range(6)))),
        "/b/*": page("B trang"),
    }
    settings = CrawlSettings(**(QUICK | {"workers": 4, "per_host": 2, "min_delay_s": 0}), max_pages=7)
    with Farm(routes, delay_s=0.25) as farm:
        evs = _run(settings, _portal(farm.url("/a/"), "a"), _portal(farm.url("/b/"), "b"))
    assert all(len([p for p in ev.pages if p.error is None]) == 7 for ev in evs)
    assert farm.max_inflight == 2  # reached, never exceeded, though 4 browser slots were free


def test_resume_does_not_reload_stored_pages_and_reaches_the_same_pages():
    routes = {
        "/": page("Trang chủ", links(*(f"/t/{i}" for i in range(5)))),
        "/t/*": page("Thủ tục", links("/", "/t/0", "/tin/1")),
        "/tin/1": page("Tin"),
    }
    settings = CrawlSettings(**QUICK, max_pages=5)
    with Farm(routes) as farm:
        [first] = _run(settings, _portal(farm.url("/")))
        stored = {p.url: p for p in first.pages[:3]}
        before = {url: farm.count(url.split(str(farm.port), 1)[1]) for url in stored}
        emitted: list[str] = []
        [resumed] = _run(
            settings, _portal(farm.url("/")), resume_pages=stored, on_page=lambda pid, p: emitted.append(p.url)
        )
        after = {url: farm.count(url.split(str(farm.port), 1)[1]) for url in stored}
    assert before == after  # stored pages were not loaded again
    assert [p.url for p in resumed.pages] == [p.url for p in first.pages]  # same pages, same order
    assert sorted(emitted) == sorted(p.url for p in first.pages[3:])


def test_links_the_cap_keeps_out_are_checked_beside_the_crawl_once_each():
    routes = {
        "/": page("Trang chủ", links(*(f"/t/{i}" for i in range(12)), "/files/mau.pdf")),
        "/t/*": page("Thủ tục", links("/")),
        "/files/mau.pdf": "%PDF-1.4",
    }
    with Farm(routes, delay_s=0.3) as farm:
        [ev] = _run(CrawlSettings(**QUICK, max_pages=4), _portal(farm.url("/")))
    crawled = [f"/t/{i}" for i in range(3)]
    left_out = [f"/t/{i}" for i in range(3, 12)]
    assert [p.url for p in ev.pages] == [farm.url(p) for p in ["/"] + crawled]
    heads = farm.paths("HEAD")
    # each link the crawl does not load is checked once, by a light request; a crawled page never is
    assert sorted(heads) == sorted(left_out + ["/files/mau.pdf"])
    assert not set(farm.paths("GET")) & set(left_out)
    assert [(lc.url, lc.kind, lc.status) for lc in ev.links] == (
        [(p.url, "page", 200) for p in ev.pages]
        + [(farm.url("/files/mau.pdf"), "document", 200)]
        + [(farm.url(p), "page", 200) for p in left_out]
    )
    # the checks ran while pages were still loading, within the host's limits
    last_page_end = max(h.end for h in farm.hits if h.method == "GET" and h.path in crawled)
    assert min(h.start for h in farm.hits if h.method == "HEAD") < last_page_end
    assert farm.max_inflight <= 2


def test_audit_url_measures_one_page():
    routes = {"/": page("Thủ tục", "<img src='/logo.png'><a href='/x'>Xem</a>")}
    with Farm(routes) as farm:

        async def go():
            settings = CrawlSettings(**(QUICK | {"run_axe": True}))
            async with BrowserPool(settings, egress_for(settings)) as pool:
                return await audit_url(pool, farm.url("/"), settings)

        result = asyncio.run(go())
        assert farm.paths() == ["/", "/logo.png"]  # no robots.txt, no crawl
    assert result.status == 200 and result.title == "Thủ tục"
    assert "image-alt" in [v.rule for v in result.accessibility.violations]
    assert result.links == [farm.url("/x")]


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


def test_invalid_certificate_is_a_finding_and_the_portal_is_evaluated(self_signed):
    with Farm({"/x.png": lambda h: h.send(200, b"", "image/png")}) as plain:
        home = page("Cổng HTTPS", f"<img alt='x' src='{plain.url('/x.png')}'>")
        routes = {
            "/": lambda h: h.send(
                200,
                home,
                headers={
                    "Strict-Transport-Security": "max-age=31536000",
                    "X-Content-Type-Options": "nosniff",
                    "X-Powered-By": "PHP/5.6.40",
                    "Set-Cookie": "JSESSIONID=1; Path=/",
                },
            )
        }
        with Farm(routes, tls=self_signed) as farm:
            [ev] = _run(CrawlSettings(**QUICK, max_pages=2), _portal(farm.url("/")))
    assert ev.tls is not None and ev.tls.valid is False and "certificate" in (ev.tls.error or "")
    assert any(e.startswith("invalid TLS certificate") for e in ev.errors)
    assert ev.https_redirect is not None and ev.https_redirect.redirects is None  # no plain-HTTP port to ask here
    [home_ev] = ev.pages
    assert home_ev.status == 200 and home_ev.error is None
    sec = home_ev.security
    assert sec is not None and sec.https and sec.hsts
    assert sec.headers == {"strict-transport-security": "max-age=31536000", "x-content-type-options": "nosniff"}
    assert sec.server.startswith("BaseHTTP/") and sec.x_powered_by == "PHP/5.6.40"
    assert sec.cookies == [Cookie(name="JSESSIONID", secure=False, httponly=False, samesite="Lax")]
    assert plain.url("/x.png") in sec.mixed_content
