"""More ways a portal goes wrong, against the real crawler and Chromium, servers on 127.0.0.1 only:
a page that crashes the renderer, a server that resets connections, a start URL that redirects to
another host with its own robots.txt; and the throttled lab profile that makes timings comparable."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest

from portalscore.contract.evidence import LabTiming, PortalEvidence, RobotsCheck, from_dict
from portalscore.contract.portal import Portal
from portalscore.crawler.crawl import audit_url, crawl_portal
from portalscore.crawler.lab import measure_lab
from portalscore.crawler.pool import BrowserPool
from portalscore.crawler.settings import CrawlSettings
from portalscore.crawler.throttle import PRESETS
from tests.browsers import egress_for
from tests.faultfarm import CRASH, Farm, links, page, redirect_to, reset
from tests.helpers import portalscore_cli

pytestmark = pytest.mark.browser

SETTINGS = dict(
    max_pages=10,
    max_depth=3,
    workers=2,
    per_host=2,
    min_delay_s=0.05,
    page_timeout_s=20,
    request_timeout_s=10,
    lab_runs=1,
    lab_pages=1,
    mobile_pages=0,
    outbound_sample=0,
    retries=2,
    settle_s=0.5,
    allowed_hosts=["127.0.0.1", "localhost"],
)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _desktop(ev: PortalEvidence) -> dict:
    return {_path(p.url): p for p in ev.pages if p.profile == "desktop"}


@pytest.fixture(scope="module")
def faulty():
    routes = {
        "/": page("Cổng lỗi", links("/crash", "/reset", "/thu-tuc/1", "/thu-tuc/2")),
        "/crash": CRASH,
        "/reset": reset,
        "/thu-tuc/*": page("Thủ tục", links("/")),
        "/after": page("Sau sự cố", "<p>vẫn chạy</p>"),
    }
    with Farm(routes) as farm:
        settings = CrawlSettings(**SETTINGS)
        portal = Portal(id="faulty", name="Tỉnh lỗi", kind="province", url=farm.url("/"))

        async def go():
            async with BrowserPool(settings, egress_for(settings)) as pool:
                ev = await crawl_portal(pool, portal, settings)
                # The same browser audits one more page: the crashes must not have cost it anything.
                after = await audit_url(pool, farm.url("/after"), settings)
                return ev, after, pool.restarts

        ev, after, restarts = asyncio.run(go())
        yield {"farm": farm, "ev": ev, "after": after, "restarts": restarts, "settings": settings}


def test_renderer_crash_is_an_error_of_that_page_only(faulty):
    pages = _desktop(faulty["ev"])
    retries = faulty["settings"].retries
    crashed = pages["/crash"]
    assert crashed.error == "renderer crashed" and crashed.accessibility is None
    # Retried like any transient failure: a renderer can also die of memory pressure from the other
    # pages in flight, which a later attempt does not meet; a page that crashes it every time costs
    # 1 + retries quick loads, each in a renderer of its own.
    assert faulty["farm"].count("/crash") == 1 + retries
    assert crashed.notes[0] == f"retried {retries}x after: " + "; ".join(["renderer crashed"] * retries)
    # the crawl went on: every other page is evaluated
    for path in ("/", "/thu-tuc/1", "/thu-tuc/2"):
        assert pages[path].error is None and pages[path].accessibility is not None, path
    # the browser survived (no restart) and still measures and audits
    assert faulty["restarts"] == 0
    after = faulty["after"]
    assert after.error is None and after.title == "Sau sự cố" and after.accessibility.error is None


def test_connection_reset_is_retried_with_backoff_then_recorded(faulty):
    retries = faulty["settings"].retries
    reset_page = _desktop(faulty["ev"])["/reset"]
    assert reset_page.error == "connection reset by the server (net::ERR_CONNECTION_RESET)"
    assert reset_page.notes[0].startswith(f"retried {retries}x after: connection reset by the server")
    # Chromium itself sends a request once more when a fresh connection is reset before any answer, so each
    # of the crawler's 1 + retries attempts reaches the server once or twice.
    hits = [h for h in faulty["farm"].hits if h.path == "/reset"]
    assert 1 + retries <= len(hits) <= 2 * (1 + retries)
    # backoff: 0.5 s then 1 s, each +-25 % jitter (a lower bound only: a busy machine is only ever slower)
    assert hits[-1].start - hits[0].start >= 0.375 + 0.75
    # and the crawl went on after it
    assert _desktop(faulty["ev"])["/thu-tuc/2"].error is None


def test_robots_txt_of_the_host_the_start_url_redirects_to_is_obeyed():
    delay = 1
    other_routes = {
        "/robots.txt": lambda h: h.send(
            200, f"User-agent: *\nDisallow: /private/\nCrawl-delay: {delay}\n", "text/plain"
        ),
        "/": page("Cổng mới", links("/private/ho-so", "/private/", "/cong-khai/1", "/cong-khai/2")),
        "/cong-khai/*": page("Công khai", links("/private/quan-tri", "/cong-khai/3")),
        "/private/*": page("Riêng tư"),
    }
    # The old host lets everyone everywhere (its own /private/ included): only the new host's rules protect it.
    with Farm(other_routes) as new, Farm({}) as old:
        old.routes.update(
            {
                "/robots.txt": lambda h: h.send(200, "User-agent: *\nAllow: /\n", "text/plain"),
                "/": redirect_to(new.url("/", host="localhost"), 301),
            }
        )
        settings = CrawlSettings(**SETTINGS)
        portal = Portal(id="moved", name="Tỉnh đã chuyển", kind="province", url=old.url("/"))

        async def go():
            async with BrowserPool(settings, egress_for(settings)) as pool:
                return await crawl_portal(pool, portal, settings)

        ev = asyncio.run(go())
    crawled = {p.url for p in ev.pages}
    assert new.url("/cong-khai/1", host="localhost") in crawled and new.url("/cong-khai/3", host="localhost") in crawled
    assert not any(path.startswith("/private") for path in new.paths())
    assert not any("/private" in url for url in crawled)
    assert ev.site.skipped_links["robots"] >= 3
    assert ev.site.robots_hosts == {
        new.url("/", host="localhost"): RobotsCheck(status=200, found=True, crawl_delay=delay)
    }
    assert new.count("/robots.txt") == 1
    # Crawl-delay of the new host: once its robots.txt is read, its page loads start `delay` apart (before,
    # the browser followed the old host's redirect to "/", when nothing was known yet). The server sees a
    # load some time after it starts (a context and a page to make), so the gap between two arrivals says
    # little on a busy machine; but the i-th load after robots.txt cannot arrive before i delays have passed.
    read = next(h.start for h in new.hits if h.path == "/robots.txt")
    hits = sorted((h for h in new.hits if h.start > read), key=lambda h: h.start)
    assert len(hits) >= 3  # three pages
    for i, hit in enumerate(hits, 1):  # (less a little for the robots.txt request's own way to the server)
        assert hit.start - read >= i * delay - 0.3, [(h.path, round(h.start - read, 3)) for h in hits]


BLOB = ("/*" + "x" * 300_000 + "*/").encode()  # a script that is one comment: bytes to carry, nothing to run


@pytest.fixture(scope="module")
def throttled():
    routes = {
        "/": page("Trang đo", "<p>Thủ tục</p><script src='/blob.js'></script>"),
        "/blob.js": lambda h: h.send(200, BLOB, "text/javascript"),
    }
    with Farm(routes) as farm:
        # Desktop only: what is asserted is the --throttle preset (mobile lab loads are always throttled).
        settings = CrawlSettings(**{**SETTINGS, "lab_runs": 2, "throttle": "slow-4g", "profiles": ("desktop",)})
        portal = Portal(id="timed", name="Tỉnh đo", kind="province", url=farm.url("/"))

        async def go():
            async with BrowserPool(settings, egress_for(settings)) as pool:
                ev = await crawl_portal(pool, portal, settings)
                await measure_lab(pool, ev, settings)
                slow = ev.lab
                unthrottled = dataclasses.replace(settings, throttle=None)
                await measure_lab(pool, ev, unthrottled)
                audited = await audit_url(pool, farm.url("/"), settings)  # single-page audits are throttled too
                return ev, slow[0], ev.lab[0], audited

        ev, slow, fast, audited = asyncio.run(go())
        yield {"ev": ev, "slow": slow, "fast": fast, "audited": audited, "farm": farm}


def test_throttled_lab_loads_are_slower_by_at_least_the_preset(throttled):
    slow, fast = throttled["slow"], throttled["fast"]
    preset = PRESETS["slow-4g"]
    assert slow.error is None and fast.error is None and slow.runs == fast.runs == 2
    # every request waits the preset's latency (its 150 ms RTT x 3.75, as Lighthouse's devtools throttling)
    assert preset.rtt_ms == 150 and preset.latency_ms == 562.5 and preset.cpu == 4
    # the script waits its own latency after the page's, and its 300 kB come at 90 % of 1.6 Mbps: 1.6 s
    transfer_ms = len(BLOB) / preset.conditions()["downloadThroughput"] * 1000
    figures = {"slow": slow.samples, "fast": fast.samples, "transfer_ms": transfer_ms}
    for sample in slow.samples:
        assert sample.fcp_ms >= preset.latency_ms, figures
        assert sample.load_ms >= 2 * preset.latency_ms + 0.9 * transfer_ms, figures
    assert slow.median.load_ms > fast.median.load_ms, figures
    # (CPU throttling, 4x, is applied with the network's; how much longer a script takes is not asserted:
    # on a machine busy with other work, wall-clock script times say more about the neighbours.)
    audited = throttled["audited"]
    assert audited.error is None and audited.accessibility.error is None  # axe ran (at full CPU speed)
    assert "throttled: slow-4g: 150 ms RTT (562.5 ms per request), 1.6 Mbps down, 750 Kbps up, CPU 4x" in audited.notes
    assert audited.timings.load_ms >= 2 * preset.latency_ms + 0.9 * transfer_ms


def test_throttle_is_recorded_and_only_the_lab_is_throttled(throttled):
    ev = throttled["ev"]
    assert throttled["slow"].throttle == "slow-4g" and throttled["fast"].throttle is None
    assert ev.settings["throttle"] == "slow-4g"  # the run's settings, stored with the evidence
    home = ev.pages[0]
    assert home.error is None and not any(n.startswith("throttled") for n in home.notes)  # the crawl load
    stored = PortalEvidence.from_dict(json.loads(json.dumps(dataclasses.asdict(ev))))
    assert stored.settings["throttle"] == "slow-4g"
    assert from_dict(LabTiming, {"url": "http://x/", "runs": 1}).throttle is None  # evidence of older runs loads


def test_cli_throttle_flag(throttled):
    url = throttled["farm"].url("/")
    bad = portalscore_cli("audit", "--throttle", "dial-up", "--allow-host", "127.0.0.1", url, timeout=60)
    assert bad.returncode == 2
    assert "unknown throttle preset 'dial-up' (known: slow-4g, regular-3g)" in bad.stderr
    assert throttled["farm"].count("/") == 1 + 2 * 2 + 1  # nothing loaded for it (crawl, 2 lab passes, audit)
    ok = portalscore_cli("audit", "--json", "--throttle", "slow-4g", "--allow-host", "127.0.0.1", url, timeout=120)
    assert ok.returncode == 0, ok.stderr[-2000:]
    perf = json.loads(ok.stdout.splitlines()[0])["performance"]
    assert perf["throttle"] == "slow-4g" and perf["load_ms"] >= PRESETS["slow-4g"].latency_ms
