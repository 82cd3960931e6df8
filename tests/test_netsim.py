"""The simulated slow network (crawler/netsim.py) on hand-made loads whose throttled figures are worked out by hand,
and the trace that records a real load's requests (crawler/nettrace.py) fed with DevTools events as Chromium sends
them. The comparison with the emulated network on real loads is tests/test_netsim_browser.py."""

from __future__ import annotations

import pytest

from portalscore.contract.evidence import Timings
from portalscore.crawler.netsim import HTTP1_PER_ORIGIN, MAX_SIMULATED, Req, simulate, simulate_timings
from portalscore.crawler.nettrace import NetTrace
from portalscore.crawler.throttle import preset

SLOW = preset("slow-4g")
BPS = SLOW.conditions()["downloadThroughput"]  # bytes per second through the emulated link
LATENCY = SLOW.latency_ms / 1000
ORIGIN = "http://p.example"


def req(key, start, headers, finish, size, kind="script", parent="doc", **kw) -> Req:
    return Req(key, f"{ORIGIN}/{key}", ORIGIN, kind, start, headers, finish, size, parent, **kw)


DOC = Req("doc", f"{ORIGIN}/", ORIGIN, "document", 0.0, 0.01, 0.02, int(BPS), None)


def test_a_response_waits_the_latency_then_the_throughput():
    sim = simulate([DOC], SLOW)["doc"]
    assert sim.headers == pytest.approx(LATENCY)
    assert sim.finish == pytest.approx(LATENCY + 1.0, abs=1e-3)  # exactly one second's worth of bytes


def test_a_server_slower_than_the_latency_is_not_delayed_twice():
    slow = Req("doc", f"{ORIGIN}/", ORIGIN, "document", 0.0, 2.0, 2.01, 1000, None)
    assert simulate([slow], SLOW)["doc"].headers == pytest.approx(2.0)


def test_responses_arriving_together_share_the_throughput():
    a = req("a", 0.05, 0.06, 0.07, int(BPS), kind="image")
    b = req("b", 0.05, 0.06, 0.07, int(BPS), kind="image")
    sim = simulate([DOC, a, b], SLOW)
    doc_end = LATENCY + 1.0
    # Both found after the document ended (as on the real load, 30 ms after it): two seconds of bytes in all.
    for k in ("a", "b"):
        assert sim[k].finish == pytest.approx(doc_end + 0.03 + LATENCY + 2.0, abs=1e-3)


def test_a_server_slower_than_the_link_keeps_its_own_pace():
    slow = Req("doc", f"{ORIGIN}/", ORIGIN, "document", 0.0, 0.01, 10.01, int(BPS), None)  # 10 s for 1 s of link bytes
    assert simulate([slow], SLOW)["doc"].finish == pytest.approx(LATENCY + 10.0, abs=1e-3)


def test_a_request_found_after_its_parent_ended_starts_as_long_after_it():
    script = req("s", 0.10, 0.11, 0.12, 100)  # started 80 ms after the document ended
    sim = simulate([DOC, script], SLOW)
    assert sim["s"].start == pytest.approx(sim["doc"].finish + 0.08, abs=1e-6)


def test_a_request_found_half_way_through_a_document_starts_when_half_of_it_has_arrived():
    doc = Req("doc", f"{ORIGIN}/", ORIGIN, "document", 0.0, 0.0, 1.0, int(BPS), None)
    img = req("i", 0.5, 0.51, 0.52, 100, kind="image")
    sim = simulate([doc, img], SLOW)
    assert sim["i"].start == pytest.approx(LATENCY + 0.5, abs=0.01)  # half a second of bytes after the headers


def test_low_priority_requests_wait_for_the_render_blocking_ones():
    css = req("css", 0.03, 0.04, 0.05, int(BPS / 2), kind="stylesheet", blocking=True)
    tracker = req("t", 0.03, 0.04, 0.05, 100, priority="Low")
    sim = simulate([DOC, css, tracker], SLOW)
    assert sim["t"].start == pytest.approx(sim["css"].finish)
    assert sim["css"].start < sim["t"].start


def test_http1_sends_six_at_a_time_per_host_and_http2_has_no_such_limit():
    for multiplexed, sent_at_once in ((False, HTTP1_PER_ORIGIN), (True, HTTP1_PER_ORIGIN + 3)):
        reqs = [req(f"r{i}", 0.03, 0.04, 0.05, 1000, kind="fetch", multiplexed=multiplexed) for i in range(9)]
        sim = simulate([DOC, *reqs], SLOW)
        starts = sorted(sim[r.key].start for r in reqs)
        assert sum(s == pytest.approx(starts[0]) for s in starts) == sent_at_once


def test_a_parent_loop_the_real_load_did_not_have_still_ends():
    a = req("a", 0.05, 0.06, 0.07, 100, parent="b")
    b = req("b", 0.05, 0.06, 0.07, 100, parent="a")
    sim = simulate([DOC, a, b], SLOW)
    assert all(sim[k].finish > 0 for k in ("a", "b"))


def test_a_page_of_thousands_of_requests_is_simulated_on_its_first_ones():
    reqs = [req(f"r{i}", 0.03 + i * 1e-4, 0.04 + i * 1e-4, 0.05 + i * 1e-4, 100, kind="image") for i in range(3000)]
    assert len(simulate([DOC, *reqs], SLOW)) == MAX_SIMULATED


def test_first_paint_follows_the_blocking_stylesheet_not_the_big_image():
    css = req("css", 0.03, 0.04, 0.05, 1000, kind="stylesheet", blocking=True)
    img = req("img", 0.03, 0.04, 0.20, int(3 * BPS), kind="image")
    tracker = req("t", 0.03, 0.04, 0.06, 100, priority="Low")  # finished before the paint; nothing waits on it
    observed = Timings(ttfb_ms=10, dcl_ms=60, fcp_ms=80, lcp_ms=210, load_ms=220, cls=0.02, tbt_ms=40)
    sim = simulate([DOC, css, img, tracker], SLOW)
    got = simulate_timings(observed, [DOC, css, img, tracker], SLOW, lcp_url=img.url)
    assert got.fcp_ms == pytest.approx((sim["css"].finish + 0.03) * 1000, abs=0.2)  # 30 ms after it, as observed
    assert got.lcp_ms == pytest.approx((sim["img"].finish + 0.01) * 1000, abs=0.2)  # the LCP image decides LCP
    assert got.load_ms >= got.lcp_ms
    assert (got.ttfb_ms, got.cls, got.tbt_ms) == (10, 0.02, 40)  # the server's, and the real CPU's


def test_no_requests_or_no_figure_changes_nothing():
    observed = Timings(ttfb_ms=10, fcp_ms=None, lcp_ms=50)
    assert simulate_timings(observed, [], SLOW) == observed
    assert simulate_timings(observed, [DOC], SLOW).fcp_ms is None


# -- the trace, from DevTools events ---------------------------------------------------------------------------


def sent(rid, url, ts, kind="Script", initiator=None, **extra):
    return {
        "requestId": rid,
        "timestamp": ts,
        "type": kind,
        "request": {"url": url, "initialPriority": extra.pop("priority", "High")},
        "initiator": initiator or {"type": "other"},
        **extra,
    }


def test_the_trace_names_each_request_by_what_found_it_and_times_it_from_the_navigation():
    trace = NetTrace()
    trace.on_request(sent("x", f"{ORIGIN}/favicon.ico", 99.0))  # before the navigation: not part of it
    trace.on_request(sent("1", f"{ORIGIN}/old", 100.0, kind="Document"))
    trace.on_request(sent("1", f"{ORIGIN}/", 100.1, kind="Document", redirectResponse={"encodedDataLength": 200}))
    trace.on_response({"requestId": "1", "timestamp": 100.5, "response": {"protocol": "http/1.1"}})
    trace.on_finished({"requestId": "1", "timestamp": 100.6, "encodedDataLength": 5000})
    parser = {"type": "parser", "url": f"{ORIGIN}/"}
    trace.on_request(sent("2", f"{ORIGIN}/app.js", 100.7, initiator=parser, renderBlockingBehavior="Blocking"))
    trace.on_finished({"requestId": "2", "timestamp": 100.8, "encodedDataLength": 300})
    stack = {"type": "script", "stack": {"callFrames": [], "parent": {"callFrames": [{"url": f"{ORIGIN}/app.js"}]}}}
    trace.on_request(sent("3", f"{ORIGIN}/api", 100.9, kind="Fetch", initiator=stack, priority="Low"))
    trace.on_response({"requestId": "3", "timestamp": 101.0, "response": {"protocol": "h2"}})
    trace.on_failed({"requestId": "3", "timestamp": 101.1})
    reqs = {r.url.rsplit("/", 1)[1]: r for r in trace.requests()}
    assert set(reqs) == {"old", "", "app.js", "api"}
    assert reqs["old"].start == 0 and reqs["old"].finish == pytest.approx(0.1) and reqs["old"].size == 200
    assert reqs[""].parent == reqs["old"].key and reqs[""].size == 5000  # the redirect's target follows its hop
    assert reqs["app.js"].parent == reqs[""].key and reqs["app.js"].blocking
    assert reqs["api"].parent == reqs["app.js"].key and reqs["api"].delayable and reqs["api"].multiplexed
    assert reqs["api"].size == 0 and reqs["api"].finish == pytest.approx(1.1)


def test_the_trace_stops_recording_at_its_bound():
    trace = NetTrace()
    trace.on_request(sent("d", f"{ORIGIN}/", 0.0, kind="Document"))
    for i in range(MAX_SIMULATED + 10):
        trace.on_request(sent(f"r{i}", f"{ORIGIN}/{i}.png", 0.1, kind="Image"))
    assert trace.truncated and len(trace.open) == MAX_SIMULATED


def test_a_paint_after_the_load_event_comes_after_the_slow_load_event_too():
    """A banner a load handler shows: the real load painted it 300 ms after its load event."""
    img = req("img", 0.03, 0.04, 0.50, int(3 * BPS), kind="image")
    observed = Timings(fcp_ms=60, lcp_ms=800, load_ms=500)
    got = simulate_timings(observed, [DOC, img], SLOW)
    assert got.load_ms > 3000  # three seconds of image bytes
    assert got.lcp_ms == pytest.approx(got.load_ms + 300, abs=0.2)


def test_a_first_paint_after_a_fast_load_event_is_not_tied_to_the_slow_one():
    """On a fast network the load event may come before the first paint: the browser had not painted yet. The slow
    network's paint does not wait for its load event (here a big image nothing shows in view)."""
    css = req("css", 0.03, 0.04, 0.05, 1000, kind="stylesheet", blocking=True)
    img = req("img", 0.03, 0.04, 0.09, int(3 * BPS), kind="image")
    observed = Timings(fcp_ms=120, lcp_ms=120, load_ms=100)
    got = simulate_timings(observed, [DOC, css, img], SLOW)
    assert got.load_ms > 3000
    assert got.fcp_ms == got.lcp_ms < 2500  # the stylesheet's time and the tail after it, not the image's
