"""The quiet gate: a portal's lab timings run while other portals are still being crawled, and yet no timed load
ever shares the browser with another page load or axe run (issue 23, item 2).

Real Chromium behind the test egress proxy, real local servers; the pool records each page's span in the browser
(context opened .. closed, axe included), and the assertions read those start and end times.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest

from portalscore.contract.portal import Portal
from portalscore.crawler.crawl import crawl_portal
from portalscore.crawler.lab import measure_lab
from portalscore.crawler.pool import BrowserPool, PageSpan
from portalscore.crawler.settings import CrawlSettings
from portalscore.criteria import load_criteria_set
from portalscore.registry import Registry
from portalscore.run import evaluate
from portalscore.runsettings import RunSettings
from portalscore.store import Store
from tests.browsers import egress_for
from tests.faultfarm import Farm, links, page

pytestmark = pytest.mark.browser

SETTINGS = CrawlSettings(
    max_pages=10,
    workers=2,
    per_host=2,
    min_delay_s=0.05,
    lab_runs=2,
    lab_pages=2,
    mobile_pages=1,
    outbound_sample=0,
    link_checks=5,
    settle_s=0.3,
    allowed_hosts=["127.0.0.1"],
    lab_quiet_wait_s=0,  # the gate against our own loads is under test, not the wait for other programs (test_quiet)
)


def fast_routes() -> dict:
    return {"/": page("Cổng nhanh", links("/a/1", "/a/2", "/a/3")), "/a/*": page("Thủ tục", links("/"))}


def slow_routes(pages: int) -> dict:
    return {
        "/": page("Cổng chậm", links(*(f"/p/{i}" for i in range(1, pages)))),
        "/p/*": page("Thủ tục chậm", links("/")),
    }


def overlapping(a: PageSpan, b: PageSpan) -> bool:
    return a.start < b.end and b.start < a.end


def test_a_timed_load_never_overlaps_another_page_and_the_crawl_goes_on_between_timed_loads():
    with Farm(fast_routes()) as fast, Farm(slow_routes(10), delay_s=0.4) as slow:
        quick = Portal(id="nhanh", name="Nhanh", kind="province", url=fast.url("/"))
        slowpoke = Portal(id="cham", name="Chậm", kind="province", url=slow.url("/"))

        async def go():
            async with BrowserPool(SETTINGS, egress_for(SETTINGS)) as pool:
                quick_ev = await crawl_portal(pool, quick, SETTINGS)
                pool.activity = []

                async def lab_meanwhile() -> None:
                    await asyncio.sleep(1.0)  # the slow portal's crawl is under way
                    await measure_lab(pool, quick_ev, SETTINGS)

                slow_ev, _ = await asyncio.gather(crawl_portal(pool, slowpoke, SETTINGS), lab_meanwhile())
                return quick_ev, slow_ev, pool.activity

        quick_ev, slow_ev, spans = asyncio.run(go())

    timed = [s for s in spans if s.timed]
    crawl = [s for s in spans if not s.timed]
    assert len(timed) == 2 * 2 * 2  # 2 pages x 2 profiles x 2 runs, every one of them recorded
    assert all(m.error is None and m.runs == 2 for m in quick_ev.lab), quick_ev.lab
    for t in timed:
        others = [s for s in spans if s is not t and overlapping(s, t)]
        assert others == [], f"timed load of {t.url} ({t.profile}) shared the browser with {others}"
    # Interleaved, not a pass after the crawl: the slow portal's pages were loaded between timed loads.
    first, last = min(t.end for t in timed), max(t.start for t in timed)
    between = [s for s in crawl if first <= s.start and s.end <= last]
    assert between, "the crawl did not go on between timed loads"
    assert len([p for p in slow_ev.pages if p.profile == "desktop" and p.error is None]) == 10


def test_a_portal_is_timed_as_soon_as_its_crawl_ends_not_after_the_slowest_crawl(tmp_path):
    with Farm(fast_routes()) as fast, Farm(slow_routes(8), delay_s=0.6) as slow:
        registry = Registry(
            name="gate",
            file="gate.yaml",
            portals=[
                Portal(id="nhanh", name="Nhanh", kind="province", url=fast.url("/"), max_pages=3),
                Portal(id="cham", name="Chậm", kind="province", url=slow.url("/"), max_pages=8),
            ],
        )
        settings = RunSettings(crawl=dataclasses.replace(SETTINGS, lab_runs=1, lab_pages=1), scenarios=False)
        store = Store(f"sqlite:///{tmp_path / 'runs.db'}")
        try:
            result = evaluate(registry, load_criteria_set("mic-2024"), tmp_path / "out", store, settings)
            assert store.run(result.run_id).status == "complete"
            assert {p.id: len(store.evidence(result.run_id, p.id).lab) for p in registry.portals} == {
                "nhanh": 2,  # 1 page x desktop and mobile
                "cham": 2,
            }
        finally:
            store.close()
    events = [json.loads(line) for line in (tmp_path / "out.operator" / "run.log.jsonl").read_text().splitlines()]
    at = {(e.get("event"), e.get("portal")): e["ts"] for e in events if e.get("event")}
    assert at[("portal_timed", "nhanh")] < at[("portal_crawled", "cham")], at


def test_lab_lanes_time_pages_side_by_side_but_never_beside_a_crawl_load():
    """Two lanes: pages of one portal are timed two at a time (each load records the other), and while another
    portal is crawled no timed load shares the browser with a crawl load or an axe run."""
    lanes = dataclasses.replace(SETTINGS, lab_lanes=2)
    with Farm(fast_routes(), delay_s=0.3) as fast, Farm(slow_routes(10), delay_s=0.4) as slow:
        quick = Portal(id="nhanh", name="Nhanh", kind="province", url=fast.url("/"))
        slowpoke = Portal(id="cham", name="Chậm", kind="province", url=slow.url("/"))

        async def go():
            async with BrowserPool(lanes, egress_for(lanes)) as pool:
                quick_ev = await crawl_portal(pool, quick, lanes)
                pool.activity = []
                await measure_lab(pool, quick_ev, lanes)  # nothing else going on: the lanes overlap
                alone = list(pool.activity)
                pool.activity = []

                async def lab_meanwhile() -> None:
                    await asyncio.sleep(1.0)
                    await measure_lab(pool, quick_ev, lanes)

                await asyncio.gather(crawl_portal(pool, slowpoke, lanes), lab_meanwhile())
                return quick_ev, alone, pool.activity

        quick_ev, alone, spans = asyncio.run(go())

    assert len(alone) == 2 * 2 * 2 and all(s.timed for s in alone)
    pairs = [(a, b) for i, a in enumerate(alone) for b in alone[i + 1 :] if overlapping(a, b)]
    assert pairs, "two lanes never timed two pages at once"
    assert all(a.profile == b.profile for a, b in pairs)  # a lane's neighbour is a load of its own profile
    timed = [s for s in spans if s.timed]
    assert len(timed) == 2 * 2 * 2 and all(m.error is None and m.runs == 2 for m in quick_ev.lab)
    for t in timed:
        crawl = [s for s in spans if not s.timed and overlapping(s, t)]
        assert crawl == [], f"timed load of {t.url} ({t.profile}) shared the browser with crawl loads {crawl}"
    beside = [load.beside for m in quick_ev.lab for load in m.machine]
    assert len(beside) == 8 and set(beside) <= {0, 1}
    assert (max(beside) == 1) == any(overlapping(a, b) for i, a in enumerate(timed) for b in timed[i + 1 :])


def test_the_gate_opens_to_the_crawl_only_when_the_last_lane_leaves_and_a_waiting_crawl_load_goes_first():
    """The gate's bookkeeping, whichever lane ends first: every timed load counts the others that shared the gate with
    it, the crawl waits while any timed load holds the gate, and a timed load does not join the gate while a crawl
    load waits for its turn."""
    settings = dataclasses.replace(SETTINGS, lab_lanes=2)
    pool = BrowserPool(settings, egress_for(settings))  # not entered: no browser needed for the gate itself

    async def go() -> list[str]:
        order: list[str] = []
        a_in, b_in, b_out, c_in, c_out = (asyncio.Event() for _ in range(5))

        async def lane_a() -> None:
            async with pool.exclusive() as ticket:
                a_in.set()
                await c_in.wait()  # B joined and left first, then C joined
                order.append(f"a out (beside {ticket.beside})")

        async def lane_b() -> None:
            await a_in.wait()
            async with pool.exclusive() as ticket:
                order.append(f"b in (beside {ticket.beside})")
            b_out.set()

        async def lane_c() -> None:
            await b_out.wait()
            async with pool.exclusive() as ticket:
                c_in.set()
                await asyncio.sleep(0.05)
                b_in.set()  # the crawl load comes now, while C holds the gate
                await asyncio.sleep(0.05)
                order.append(f"c out (beside {ticket.beside})")
            c_out.set()

        async def crawl_load() -> None:
            await b_in.wait()
            await pool.acquire_load()  # waits: the gate holds every permit
            order.append("crawl load")
            await asyncio.sleep(0.05)
            pool.release_load()

        async def late_lane() -> None:
            await b_in.wait()
            await asyncio.sleep(0.01)  # the crawl load is waiting now: no joining the held gate
            async with pool.exclusive():
                order.append("late lane in")

        await asyncio.wait_for(asyncio.gather(lane_a(), lane_b(), lane_c(), crawl_load(), late_lane()), 10)
        return order

    assert asyncio.run(go()) == [
        "b in (beside 1)",
        "a out (beside 2)",
        "c out (beside 1)",
        "crawl load",
        "late lane in",
    ]
