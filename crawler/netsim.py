"""Simulated network throttling: what a load would have measured on a slow network, from one load on the real one.

A throttled mobile lab load of a real portal page (1-3 MB at 1.44 Mbps) takes 10-20 s of wall time, and the lab's
mobile loads are most of a national run (docs/operations.md). Lighthouse's default answers the same way
(`--throttling-method simulate`): load at full network speed, then compute the slow network's figures from the
requests. Our model is not Lighthouse's (a TCP model of a real link); it is a model of the DevTools network
emulation that our applied throttling uses (crawler/throttle.py), so that both methods give the same figures, and it
is checked against that method on real loads (tests/test_netsim_browser.py, benchmarks/lab_bench.py).

The network (Chromium's DevTools emulation):
- a response's headers arrive `latency` after its request was sent, or when the server answered if later;
- the download throughput is shared equally by the responses arriving at once, none of them faster than it arrived
  on the real network (the server's own bandwidth);
- at most 6 requests in flight per origin over HTTP/1.1 (Chromium's per-host limit; HTTP/2 has none), and
  low-priority requests held while a render-blocking one loads (as Chromium holds them).
What waits for what (read off the real load; the CPU work between requests is real, run under the CPU slowdown):
- a request starts no sooner after its prerequisites than it did on the real load. Its prerequisites are the
  requests other than images and media that finished before it started (documents, styles, scripts, data: what a
  page waits on before asking for more), and the request it was found in, at the same share of that one's bytes
  (a document streams: what its parser finds half-way, it finds half-way through the slow download too);
- a figure comes as long after its prerequisites as it did on the real load, those being the requests of these
  kinds that finished before it: FCP, the document, fonts and render-blocking requests; LCP, those, data fetched by
  scripts, and the image the LCP element shows; DOMContentLoaded, the document, scripts that are not async and
  render-blocking requests; load, every request. A largest paint the real load made after its load event, having
  painted before it, comes after the simulated load event too (a banner a load handler shows).
TTFB (the server's own: the emulation does not delay it), CLS and TBT (the CPU slowdown is applied for real) are the
load's own figures.

Where it can be wrong: a document, style, script or data request that finished before another request started is
taken as its prerequisite even when the second did not wait for it, which makes that request later than the
emulation would; benchmarks/lab_bench.py prints how far the two methods are apart on the pages it loads.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from portalscore.contract.evidence import Timings

from .throttle import Throttle

HTTP1_PER_ORIGIN = 6  # Chromium's socket limit per host for HTTP/1.1
# Chromium's scheduling of low-priority requests (async scripts, images out of view): none sent while a
# render-blocking request is still loading, then at most 10 in flight per HTTP/1.1 host. Fitted to the emulation on
# the pages the bench loads (benchmarks/lab_bench.py), not copied from Chromium's code.
DELAYABLE_PER_ORIGIN = 10
MAX_SIMULATED = 1500  # requests simulated per load (by start); a page asking for more is simulated on its first 1500
NOT_PREREQUISITES = ("image", "media")  # nothing waits for these but the load event (and LCP, for its own image)
FIRST_PAINT = ("document", "font")  # with the render-blocking requests: what a first paint waits for
LARGEST_PAINT = (*FIRST_PAINT, "fetch", "xhr")  # ... and the data a page's script builds its content from
PARSED = ("document", "script")  # with the render-blocking ones, what DOMContentLoaded waits for (not async scripts)
EPSILON = 1e-9


@dataclass(frozen=True)
class Req:
    """One request of the real load, times in seconds from the navigation's start."""

    key: str
    url: str
    origin: str
    kind: str  # DevTools resource type, lower case: document, stylesheet, script, image, media, font, fetch ...
    start: float
    headers: float  # response headers received
    finish: float  # last byte received (or the request failed)
    size: int  # bytes received, headers included
    parent: str | None = None  # key of the request it was found in; None: nothing (the navigation)
    multiplexed: bool = False  # HTTP/2 or later: no per-origin limit
    blocking: bool = False  # render-blocking, as Chromium marks it (a stylesheet or script in the head)
    priority: str = "High"  # Chromium's initial priority: VeryLow, Low, Medium, High, VeryHigh

    @property
    def delayable(self) -> bool:
        """What Chromium holds back while render-blocking requests load ("tight mode"): low-priority requests."""
        return not self.blocking and self.priority in ("Low", "VeryLow")

    @property
    def prerequisite(self) -> bool:
        return self.kind not in NOT_PREREQUISITES


@dataclass(frozen=True)
class Simulated:
    start: float
    headers: float
    finish: float


@dataclass
class _Flow:
    req: Req
    ready: float | None = None  # earliest start once its prerequisites are done
    sent: float | None = None
    headers_at: float | None = None
    finish: float | None = None
    received: float = 0.0
    rate: float = 0.0
    cap: float = math.inf  # bytes/s it arrived at on the real network

    @property
    def server_s(self) -> float:
        return max(0.0, self.req.headers - self.req.start)


@dataclass
class _Blockers:
    """Prerequisite requests in the order they finished on the real load: which of them are done in the
    simulation (as a prefix) and how late they finished there, at most, over the prefix."""

    finishes: list[float]
    keys: list[str]
    done: set[str] = field(default_factory=set)
    prefix: int = 0
    delays: list[float] = field(default_factory=list)  # running max of (simulated - real finish) over the prefix

    def advance(self, finished: dict[str, float], real: dict[str, Req]) -> None:
        while self.prefix < len(self.keys) and self.keys[self.prefix] in finished:
            key = self.keys[self.prefix]
            delay = finished[key] - real[key].finish
            self.delays.append(max(delay, self.delays[-1]) if self.delays else delay)
            self.prefix += 1

    def before(self, t: float) -> int:
        """How many prerequisites finished before t on the real load (strictly: never the request itself)."""
        return bisect.bisect_left(self.finishes, t)


def simulate(requests: list[Req], throttle: Throttle) -> dict[str, Simulated]:
    """When each request would have started, got its headers and finished under `throttle`'s network."""
    reqs = sorted(requests, key=lambda r: r.start)[:MAX_SIMULATED]
    real = {r.key: r for r in reqs}
    throughput = throttle.conditions()["downloadThroughput"]
    latency = throttle.latency_ms / 1000
    flows = {
        r.key: _Flow(r, cap=r.size / (r.finish - r.headers) if r.finish - r.headers > EPSILON else math.inf)
        for r in reqs
    }
    order = sorted((r for r in reqs if r.prerequisite), key=lambda r: r.finish)
    blockers = _Blockers([r.finish for r in order], [r.key for r in order])
    waiting = deque(reqs)  # not started yet, in the real load's order
    queued: list[_Flow] = []  # ready, held back by the per-host limits, in the order they became ready
    inflight: dict[str, int] = {}  # per origin, HTTP/1.1 only
    delayed: dict[str, int] = {}  # delayable requests in flight, per origin, HTTP/1.1 only
    blocking_inflight = 0
    sending: list[_Flow] = []
    active: list[_Flow] = []
    finished: dict[str, float] = {}
    t = 0.0

    def readiness(f: _Flow) -> float | None:
        """The earliest start of a waiting request, or None while a prerequisite is still loading."""
        r = f.req
        k = blockers.before(r.start)
        if blockers.prefix < k:
            return None
        earliest = r.start + (blockers.delays[k - 1] if k else 0.0)
        parent = flows.get(r.parent) if r.parent else None
        if parent is not None:
            p = parent.req
            if p.key in finished:
                earliest = max(earliest, finished[p.key] + max(0.0, r.start - p.finish))
            elif r.start >= p.finish:
                return None
            else:  # found part-way through its parent: once the same share of the parent has arrived
                if parent.headers_at is None or parent.headers_at > t + EPSILON:
                    return None
                share = (r.start - p.headers) / (p.finish - p.headers) if p.finish - p.headers > EPSILON else 1.0
                if parent.received + EPSILON < max(0.0, min(1.0, share)) * p.size:
                    return None
        return max(earliest, 0.0)

    def may_send(r: Req) -> bool:
        if r.delayable and blocking_inflight:
            return False
        if r.multiplexed:
            return True
        if inflight.get(r.origin, 0) >= HTTP1_PER_ORIGIN:
            return False
        return not r.delayable or delayed.get(r.origin, 0) < DELAYABLE_PER_ORIGIN

    def send(f: _Flow, at: float) -> None:
        nonlocal blocking_inflight
        f.sent = at
        f.headers_at = at + max(latency, f.server_s)
        sending.append(f)
        blocking_inflight += f.req.blocking
        if not f.req.multiplexed:
            inflight[f.req.origin] = inflight.get(f.req.origin, 0) + 1
            delayed[f.req.origin] = delayed.get(f.req.origin, 0) + f.req.delayable

    def release(f: _Flow) -> None:
        nonlocal blocking_inflight
        blocking_inflight -= f.req.blocking
        if not f.req.multiplexed:
            inflight[f.req.origin] -= 1
            delayed[f.req.origin] -= f.req.delayable

    def send_queued(at: float) -> None:
        for f in list(queued):
            if may_send(f.req):
                queued.remove(f)
                send(f, at)

    def share_out() -> None:
        left, n = throughput, len(active)
        for f in sorted(active, key=lambda f: f.cap):
            f.rate = min(f.cap, left / n)
            left -= f.rate
            n -= 1

    for _ in range(20 * len(reqs) + 100):  # each turn starts, receives or finishes something; bounded all the same
        if len(finished) == len(reqs):
            break
        # Start whatever is ready now, in the real load's order.
        for f in [flows[r.key] for r in waiting]:
            if f.ready is None:
                f.ready = readiness(f)
            if f.ready is not None and f.ready <= t + EPSILON:
                waiting.remove(f.req)
                queued.append(f)
        send_queued(t)
        share_out()
        # The next thing to happen.
        nexts = [f.ready for f in (flows[r.key] for r in waiting) if f.ready is not None]
        nexts += [f.headers_at for f in sending if f.headers_at is not None]
        nexts += [t + (f.req.size - f.received) / f.rate for f in active if f.rate > 0]
        for r in waiting:  # a child waiting for a share of its parent's bytes
            parent = flows.get(r.parent) if r.parent else None
            if flows[r.key].ready is None and parent is not None and parent in active and parent.rate > 0:
                p = parent.req
                share = (r.start - p.headers) / (p.finish - p.headers) if p.finish - p.headers > EPSILON else 1.0
                nexts.append(t + max(0.0, share * p.size - parent.received) / parent.rate)
        if not nexts:  # nothing can move: a prerequisite loop the real load did not have; start the rest
            for r in list(waiting):
                flows[r.key].ready = t
            continue
        step = max(0.0, min(nexts) - t)
        t += step
        for f in active:
            f.received = min(float(f.req.size), f.received + f.rate * step)
        for f in [f for f in sending if f.headers_at is not None and f.headers_at <= t + EPSILON]:
            sending.remove(f)
            active.append(f)
        for f in [f for f in active if f.received >= f.req.size - 1e-6 or f.cap <= 0]:
            active.remove(f)
            f.finish = t
            finished[f.req.key] = t
            release(f)
        blockers.advance(finished, real)
        for r in waiting:  # prerequisites changed: look again
            flows[r.key].ready = None
    return {
        k: Simulated(f.sent if f.sent is not None else 0.0, f.headers_at or 0.0, f.finish or 0.0)
        for k, f in flows.items()
    }


def _after(metric_s: float, needed: list[Req], sim: dict[str, Simulated]) -> float:
    """The metric as long after its slowest prerequisite as on the real load."""
    return max([metric_s, *(sim[r.key].finish + (metric_s - r.finish) for r in needed if r.key in sim)])


def simulate_timings(observed: Timings, requests: list[Req], throttle: Throttle, lcp_url: str = "") -> Timings:
    """The load's figures as the throttled network would have given them (see the module's docstring)."""
    if not requests:
        return observed
    sim = simulate(requests, throttle)

    def metric(ms: float | None, needs: Callable[[Req], bool]) -> float | None:
        if ms is None:
            return None
        s = ms / 1000
        return round(_after(s, [r for r in requests if r.finish <= s and needs(r)], sim) * 1000, 1)

    load = metric(observed.load_ms, lambda r: True)
    fcp = metric(observed.fcp_ms, lambda r: r.kind in FIRST_PAINT or r.blocking)
    lcp = metric(
        observed.lcp_ms, lambda r: r.kind in LARGEST_PAINT or r.blocking or (bool(lcp_url) and r.url == lcp_url)
    )
    # A page that painted before its load event and made its largest paint after it (a banner a load handler shows)
    # makes it after the slow load event too. Not a page whose first paint itself came after the load event: on a
    # fast network that is only the browser painting late, which the slow network would not repeat.
    o = observed
    if lcp is not None and load is not None and o.fcp_ms is not None and o.lcp_ms is not None and o.load_ms is not None:
        if o.fcp_ms < o.load_ms <= o.lcp_ms:
            lcp = max(lcp, round(load + o.lcp_ms - o.load_ms, 1))
    return replace(
        observed,
        dcl_ms=metric(observed.dcl_ms, lambda r: (r.kind in PARSED and not r.delayable) or r.blocking),
        fcp_ms=fcp,
        lcp_ms=max(lcp, fcp) if lcp is not None and fcp is not None else lcp,
        load_ms=load,
    )
