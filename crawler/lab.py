"""Ranked timings: a few pages of each portal loaded alone on the machine, N times, median kept.

Crawl timings are taken while axe runs on the other core, which slows them unevenly; the
lab pass holds every browser slot during each timed load so that nothing else competes.

Which pages: the start page, then one page of each page template (crawler/template.py) that has at
least `MIN_TEMPLATE_PAGES` crawled pages, largest template first, within the per-portal budget
(`CrawlSettings.lab_pages` per profile). A template is a layout with its own scripts and images, so
one page each is what a portal's speed is made of; a per-template choice also cannot be gamed by a
fast home page and slow procedure pages, and it is stable from run to run (crawl order decides ties).
Budget left over after the templates goes to pages spread over the crawl order, as before.

Profiles: desktop, unthrottled unless --throttle says otherwise; and mobile, always under a fixed
network + CPU profile (`CrawlSettings.mobile_throttle`, Lighthouse's mobile default slow-4g), so
that mobile figures compare across runs and machines as Lighthouse's do. --throttle PRESET applies
PRESET to both.

Repeats may stop early (`CrawlSettings.lab_early_stop`, off by default: `run --lab-early-stop`) once the loads made are a majority of `lab_runs` and agree
(`agree`): whatever the remaining loads would give, the median of all N lies between the smallest and largest of a
majority of them (it has at most N - k values below it and above it), so the median kept differs from the
N-load median by at most the spread they agree within (for 3 runs: 2 agreeing loads, their mean, within half the
spread of any third). A page whose loads disagree gets all N. Pages are usually stable in the lab, so most take 2
loads of 3: a third of the lab's time, which on a national run is most of the run (docs/operations.md).

Lanes (`CrawlSettings.lab_lanes`, `run --lab-lanes N`, default 1): up to N pages of one portal and profile timed at
once, all of them inside the quiet gate (no crawl load or axe run beside them, crawler/pool.py). A throttled mobile
load is mostly the emulated network's wait, so lanes shorten the lab where it spends its time; whether a load timed
beside another is timed as it would be alone is measured, not assumed (docs/performance.md, "Lab lanes"), and every
load records how many timed loads shared the gate with it (`MachineLoad.beside`).

Quiet: before each timed load the lab waits (bounded) until other programs leave the CPU alone, records how busy
the machine was before and during the load, and times a contended load again (bounded); each timed load runs with
our processes at a raised CPU priority where we may raise it (`lab_nice`): crawler/quiet.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
from collections import Counter

from portalscore.contract.evidence import LabTiming, MachineLoad, PageEvidence, PortalEvidence, Timings

from .load import load_page
from .measure import NotAPage
from .pool import BrowserPool, GateTicket
from .quiet import CpuMeter, QuietSettings, QuietWaits
from .settings import CrawlSettings
from .tab import PageJob

MIN_TEMPLATE_PAGES = 2  # a template seen once may be a one-off page (a 404 layout, a print view): not sampled for it
# Loads agree when every scored figure differs by at most the larger of these: an absolute floor (small figures
# jitter by a frame or a scheduler tick) and a share of the figure. 100 ms / 10 % is below the run-to-run spread
# docs/performance.md measured for lab medians, and a few points of the lognormal scoring curves at most.
AGREE_MS = 100.0
AGREE_SHARE = 0.10
AGREE_CLS = 0.01


def _ok(pages: list[PageEvidence]) -> list[PageEvidence]:
    return [p for p in pages if p.profile == "desktop" and p.error is None and p.status is not None and p.status < 400]


def lab_sample(pages: list[PageEvidence], n: int) -> list[PageEvidence]:
    """Up to n pages: the start page, one page per template with enough pages (largest first), then spread."""
    ok = _ok(pages)
    if n <= 0 or not ok:
        return []
    chosen: list[PageEvidence] = [ok[0]]
    sizes = Counter(p.template for p in ok if p.template)
    first_of: dict[str, int] = {}
    for i, p in enumerate(ok):
        if p.template:
            first_of.setdefault(p.template, i)
    covered = {ok[0].template}
    for template in sorted(sizes, key=lambda t: (-sizes[t], first_of[t])):
        if len(chosen) >= n:
            break
        if sizes[template] >= MIN_TEMPLATE_PAGES and template not in covered:
            chosen.append(ok[first_of[template]])
            covered.add(template)
    if len(chosen) < n:  # budget left: pages spread evenly over the crawl order
        rest = [p for p in ok if p not in chosen]
        k = min(n - len(chosen), len(rest))
        if k:
            step = (len(rest) - 1) / (k - 1) if k > 1 else 0
            chosen.extend(rest[round(i * step)] for i in range(k))
    order = {id(p): i for i, p in enumerate(ok)}
    return sorted(chosen, key=lambda p: order[id(p)])


def lab_throttle(settings: CrawlSettings, profile: str) -> str | None:
    """The throttle preset a profile's lab loads run under: --throttle for all, else the fixed mobile one."""
    if settings.throttle:
        return settings.throttle
    return settings.mobile_throttle if profile == "mobile" else None


def median_timings(samples: list[Timings]) -> Timings:
    values = {}
    for f in dataclasses.fields(Timings):
        xs = [getattr(t, f.name) for t in samples if getattr(t, f.name) is not None]
        values[f.name] = statistics.median(xs) if xs else None
    return Timings(**values)


def agree(samples: list[Timings]) -> bool:
    """Whether these loads' figures lie within the tolerance of each other (each figure over all loads)."""
    for f in dataclasses.fields(Timings):
        xs = [getattr(t, f.name) for t in samples]
        present = [x for x in xs if x is not None]
        if len(present) not in (0, len(xs)):  # a figure some loads have and others not: not the same load
            return False
        if not present:
            continue
        spread = max(present) - min(present)
        allowed = AGREE_CLS if f.name == "cls" else max(AGREE_MS, AGREE_SHARE * max(present))
        if spread > allowed:
            return False
    return True


def enough(samples: list[Timings], runs: int, early_stop: bool) -> bool:
    """Stop repeating: all runs made, or (early_stop) a majority of them made and agreeing."""
    if len(samples) >= runs:
        return True
    return early_stop and len(samples) >= runs // 2 + 1 and len(samples) >= 2 and agree(samples)


def quiet_waits(settings: CrawlSettings) -> QuietWaits | None:
    """How the lab waits for a quiet machine; None: it does not (lab_quiet_wait_s 0)."""
    if settings.lab_quiet_wait_s <= 0:
        return None
    return QuietWaits(QuietSettings(busy=settings.lab_quiet_busy, max_wait_s=settings.lab_quiet_wait_s))


async def measure_lab(pool: BrowserPool, ev: PortalEvidence, settings: CrawlSettings) -> None:
    ev.lab = []
    sample = lab_sample(ev.pages, settings.lab_pages)
    meter = CpuMeter()
    waits = quiet_waits(settings)
    lanes = asyncio.Semaphore(max(1, settings.lab_lanes))

    async def in_lane(url: str, profile: str, throttle: str | None) -> LabTiming:
        async with lanes:
            return await time_page(pool, url, profile, throttle, settings, meter, waits)

    for profile in settings.profiles:  # one profile at a time: a lane's neighbour is a load of its own kind
        throttle = lab_throttle(settings, profile)
        ev.lab += await asyncio.gather(*(in_lane(page.url, profile, throttle) for page in sample))


async def time_page(
    pool: BrowserPool,
    url: str,
    profile: str,
    throttle: str | None,
    settings: CrawlSettings,
    meter: CpuMeter,
    waits: QuietWaits | None,
) -> LabTiming:
    """`lab_runs` timed loads of one page, each after waiting for a quiet machine and at a raised CPU priority;
    a load other programs contended anyway is timed again (at most `lab_redo` times) when the priority could not
    be raised, so that the median rests on quiet loads. Every load records how busy the machine was."""
    samples: list[Timings] = []
    unthrottled: list[Timings] = []  # each kept sample's own figures on the real network, when it was simulated
    simulate = throttle is not None and settings.throttling_method == "simulate"
    errors: list[str] = []
    machine: list[MachineLoad] = []
    redo = max(0, settings.lab_redo) if waits else 0
    done = 0
    while done < max(1, settings.lab_runs):
        load = await waits.wait(meter) if waits else MachineLoad(quiet=False)
        before = await asyncio.to_thread(meter.read)
        try:
            job = PageJob(url, profile, audit=False, throttle=throttle, simulate=simulate, exclusive=True)
            tickets: list[GateTicket] = []
            async with pool.priority.hold(settings.lab_nice) as nice:
                timed = await load_page(pool, job, tickets=tickets)
        except NotAPage as e:
            errors.append(f"not a page: {e.content_type}")
            break
        load.nice = nice
        load.beside = max((t.beside for t in tickets), default=0)
        load.busy_during = round(meter.others(before, await asyncio.to_thread(meter.read)), 3)
        machine.append(load)
        # Re-timed only at normal priority: raised, our browser gets the cores it wants first, and other programs
        # take the rest, so their share of a busy machine no longer says that our load was slowed.
        if not timed.error and waits and nice is None and load.busy_during >= waits.settings.busy and redo > 0:
            load.kept = False  # contended while timed: a slower figure than the portal's; time it again
            redo -= 1
            continue
        done += 1
        if timed.error:
            errors.append(timed.error)
        else:
            samples.append(timed.timings)
            if timed.unthrottled is not None:
                unthrottled.append(timed.unthrottled)
            if enough(samples, max(1, settings.lab_runs), settings.lab_early_stop):
                break
    return LabTiming(
        url=url,
        profile=profile,
        runs=len(samples),
        median=median_timings(samples),
        samples=samples,
        error="; ".join(dict.fromkeys(errors)) or None,
        throttle=throttle,
        machine=machine,
        method="simulate" if simulate else "devtools",
        unthrottled=unthrottled,
    )
