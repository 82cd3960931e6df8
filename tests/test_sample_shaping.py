"""The national bench's shaping of sample portals (samples/shaping.py): what it promises, over real sockets."""

from __future__ import annotations

import http.client
import socket
import time
from urllib.parse import urlsplit

import pytest

from portalscore.samples import SAMPLE_PORTALS, SampleFleet
from portalscore.samples.shaping import Shaping


def _get(url: str, path: str = "/", timeout: float = 10) -> tuple[int, bytes, float]:
    parts = urlsplit(url)
    started = time.monotonic()
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        con.request("GET", path)
        resp = con.getresponse()
        body = resp.read()
        if resp.status in (301, 302) and resp.getheader("Location", "").startswith("/"):  # the home page's path
            con.request("GET", resp.getheader("Location"))
            resp = con.getresponse()
            body = resp.read()
        return resp.status, body, time.monotonic() - started
    finally:
        con.close()


def test_server_time_weight_and_bandwidth_are_applied_to_every_page():
    spec = SAMPLE_PORTALS[0]
    with SampleFleet.start((spec,), {spec.id: Shaping(ttfb_s=0.4, page_kb=1000, kbps=2000)}) as fleet:
        url = fleet.portals[0].url
        status, html, took = _get(url)
        assert status == 200 and took >= 0.4
        assert b'src="/static/shaping/photo-1000.png"' in html
        status, png, took = _get(url, "/static/shaping/photo-1000.png")
        assert status == 200 and len(png) > 900_000
        assert took >= 0.8 * len(png) / (2000 * 1024)  # about 0.5 s at 2 MB/s; unshaped it takes milliseconds


def test_an_unshaped_portal_is_unchanged():
    spec = SAMPLE_PORTALS[0]
    with SampleFleet.start((spec,)) as fleet:
        status, html, took = _get(fleet.portals[0].url)
        assert status == 200 and b"/static/shaping/" not in html and took < 0.4


def test_a_resetting_host_drops_every_third_page_and_a_timeout_host_never_answers():
    reset, hang = SAMPLE_PORTALS[0], SAMPLE_PORTALS[2]
    shaping = {reset.id: Shaping(fault="reset"), hang.id: Shaping(fault="timeout")}
    with SampleFleet.start((reset, hang), shaping) as fleet:
        outcomes = []
        for _ in range(3):
            try:
                outcomes.append(_get(fleet.portal(reset.id).url)[0])
            except (ConnectionError, http.client.RemoteDisconnected):
                outcomes.append("reset")
        assert outcomes == [200, 200, "reset"]
        with pytest.raises(socket.timeout):
            _get(fleet.portal(hang.id).url, timeout=1)


def test_unknown_fault_is_refused():
    with pytest.raises(ValueError, match="unknown fault"):
        Shaping(fault="flaky")


def test_the_simulated_nation_has_the_size_shapes_and_faults_issue_23_asks_for():
    from benchmarks.national_bench import nation, scaled

    specs, shaping = nation()
    assert len(specs) == 51 and len({s.id for s in specs}) == 51
    kinds = [s.kind for s in specs]
    assert (kinds.count("national"), kinds.count("ministry"), kinds.count("province")) == (1, 16, 34)
    assert {"spa", "aspnet", "national"} <= {s.style for s in specs}  # hash-routed, ?id=, path-style
    ttfb = sorted(shaping[s.id].ttfb_s for s in specs)
    assert 0.2 <= ttfb[0] and sum(t >= 3 for t in ttfb) == 4 and ttfb[-1] <= 5
    faults = [shaping[s.id].fault for s in specs]
    assert (faults.count("timeout"), faults.count("reset")) == (2, 2)
    assert all(1000 <= shaping[s.id].page_kb <= 3000 and shaping[s.id].kbps for s in specs)
    assert nation() == (specs, shaping)  # the same nation every time
    quick = scaled(specs, 0.1)
    assert len(quick) == 5 and len({s.style for s in quick}) == 5 and any(shaping[s.id].fault for s in quick)
