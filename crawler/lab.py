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

Repeats stop early (`CrawlSettings.lab_early_stop`) once the loads made are a majority of `lab_runs` and agree
(`agree`): whatever the remaining loads would give, the median of all N lies between the smallest and largest of a
majority of them (it has at most N - k values below it and above it), so the median kept differs from the
N-load median by at most the spread they agree within (for 3 runs: 2 agreeing loads, their mean, within half the
spread of any third). A page whose loads disagree gets all N. Pages are usually stable in the lab, so most take 2
loads of 3: a third of the lab's time, which on a national run is most of the run (docs/operations.md).
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter

from portalscore.contract.evidence import LabTiming, PageEvidence, PortalEvidence, Timings

from .load import load_page
from .measure import NotAPage
from .pool import BrowserPool
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


async def measure_lab(pool: BrowserPool, ev: PortalEvidence, settings: CrawlSettings) -> None:
    ev.lab = []
    sample = lab_sample(ev.pages, settings.lab_pages)
    for profile in settings.profiles:
        throttle = lab_throttle(settings, profile)
        for page in sample:
            samples: list[Timings] = []
            errors: list[str] = []
            runs = max(1, settings.lab_runs)
            for _ in range(runs):
                try:
                    job = PageJob(page.url, profile, audit=False, throttle=throttle, exclusive=True)
                    timed = await load_page(pool, job)
                except NotAPage as e:
                    errors.append(f"not a page: {e.content_type}")
                    break
                if timed.error:
                    errors.append(timed.error)
                else:
                    samples.append(timed.timings)
                    if enough(samples, runs, settings.lab_early_stop):
                        break
            ev.lab.append(
                LabTiming(
                    url=page.url,
                    profile=profile,
                    runs=len(samples),
                    median=median_timings(samples),
                    samples=samples,
                    error="; ".join(dict.fromkeys(errors)) or None,
                    throttle=throttle,
                )
            )
