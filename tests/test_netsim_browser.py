"""The simulated slow network against the emulated one, on real loads in a real Chromium (crawler/netsim.py).

A page shaped like a portal's: a render-blocking stylesheet, a low-priority tracker, a script that fetches the
page's data, and a heavy image as the largest paint. The crawler's own lab pass times it on the mobile profile under
slow-4g both ways; the simulated figures must land where the emulated ones do, while the simulated load itself ran on
the real network (its own figures, kept as evidence, are several times faster).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import zlib

import pytest

from portalscore.contract.evidence import PageEvidence, PortalEvidence, PortalRef
from portalscore.crawler.lab import measure_lab
from portalscore.crawler.pool import BrowserPool
from portalscore.crawler.settings import CrawlSettings
from tests.browsers import egress_for
from tests.faultfarm import Farm, Handler, page

pytestmark = pytest.mark.browser

IMAGE_KB = 600  # 3.3 s through slow-4g's 1.44 Mbps: far above the page's other figures


def heavy_png(h: Handler) -> None:
    raw = os.urandom(IMAGE_KB * 1024)  # incompressible: the bytes on the wire are the image's
    width = 512
    rows = b"".join(b"\x00" + raw[i : i + width * 3] for i in range(0, len(raw) - width * 3 + 1, width * 3))
    height = len(rows) // (width * 3 + 1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    body = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 0)) + chunk(b"IEND", b"")
    h.send(200, body, "image/png")


ROUTES = {
    "/": page(
        "Cổng dịch vụ công",
        '<main id="content">Đang tải</main><img src="/big.png" alt="Ảnh" width="1024" height="600">'
        '<script src="/app.js"></script><script async src="/tracker.js"></script>',
        head='<link rel="stylesheet" href="/site.css">',
    ),
    "/site.css": lambda h: h.send(200, "body{font:16px sans-serif}" + "/* */" * 4000, "text/css"),
    "/app.js": lambda h: h.send(
        200,
        "fetch('/api/thu-tuc').then(r => r.json()).then(d => {"
        "document.getElementById('content').textContent = d.ten; });",
        "text/javascript",
    ),
    "/api/thu-tuc": lambda h: h.send(200, '{"ten": "Cấp giấy phép xây dựng"}', "application/json"),
    "/tracker.js": lambda h: h.send(200, "void 0;", "text/javascript"),
    "/big.png": heavy_png,
}

SETTINGS = CrawlSettings(
    lab_runs=1,
    lab_pages=1,
    profiles=("mobile",),
    allowed_hosts=["127.0.0.1"],
    lab_quiet_wait_s=0,
    request_timeout_s=30,
    page_timeout_s=45,
)


@pytest.fixture(scope="module")
def timed():
    with Farm(ROUTES) as farm:
        url = farm.url("/")
        ev = PortalEvidence(portal=PortalRef(id="p", name="P", kind="province", url=url))
        ev.pages = [PageEvidence(url=url, status=200)]

        async def go():
            async with BrowserPool(SETTINGS, egress_for(SETTINGS)) as pool:
                out = {}
                for method in ("devtools", "simulate"):
                    await measure_lab(pool, ev, dataclasses.replace(SETTINGS, throttling_method=method))
                    out[method] = ev.lab[0]
                return out

        yield asyncio.run(go())


def test_simulated_figures_land_where_the_emulated_network_puts_them(timed):
    emulated, simulated = timed["devtools"], timed["simulate"]
    assert emulated.error is None and simulated.error is None
    assert (emulated.method, simulated.method) == ("devtools", "simulate")
    assert simulated.throttle == emulated.throttle == "slow-4g"
    for figure in ("fcp_ms", "lcp_ms", "dcl_ms", "load_ms"):
        a, b = getattr(emulated.median, figure), getattr(simulated.median, figure)
        assert a is not None and b is not None
        assert abs(b - a) <= max(400, 0.2 * a), (figure, a, b)
    # The image decides LCP and load: seconds of bytes through the slow link, which the simulation must carry.
    assert simulated.median.lcp_ms > IMAGE_KB * 1024 / (1.6 * 1024 * 1024 / 8 * 0.9) * 1000


def test_the_simulated_load_ran_on_the_real_network_and_its_own_figures_are_kept(timed):
    simulated = timed["simulate"]
    assert len(simulated.unthrottled) == simulated.runs == 1
    own = simulated.unthrottled[0]
    assert own.lcp_ms is not None and own.lcp_ms * 2 < simulated.median.lcp_ms
    assert own.ttfb_ms == simulated.median.ttfb_ms and own.tbt_ms == simulated.median.tbt_ms
    assert timed["devtools"].unthrottled == []
