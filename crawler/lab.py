"""Ranked timings: a few pages of each portal loaded alone on the machine, N times, median kept.

Crawl timings are taken while axe runs on the other core, which slows them unevenly; the
lab pass holds every browser slot during each timed load so that nothing else competes.
"""

from __future__ import annotations

import dataclasses
import statistics

from portalscore.contract.evidence import LabTiming, PageEvidence, PortalEvidence, Timings

from .load import load_page
from .measure import NotAPage
from .pool import BrowserPool
from .settings import CrawlSettings
from .tab import PageJob


def lab_sample(pages: list[PageEvidence], n: int) -> list[PageEvidence]:
    """The start page, then pages spread evenly over the crawl order (a stable choice)."""
    ok = [p for p in pages if p.profile == "desktop" and p.error is None and p.status is not None and p.status < 400]
    if n <= 0 or not ok:
        return []
    if len(ok) <= n:
        return ok
    step = (len(ok) - 1) / (n - 1) if n > 1 else 0
    return [ok[round(i * step)] for i in range(n)]


def median_timings(samples: list[Timings]) -> Timings:
    values = {}
    for f in dataclasses.fields(Timings):
        xs = [getattr(t, f.name) for t in samples if getattr(t, f.name) is not None]
        values[f.name] = statistics.median(xs) if xs else None
    return Timings(**values)


async def measure_lab(pool: BrowserPool, ev: PortalEvidence, settings: CrawlSettings) -> None:
    ev.lab = []
    for profile in settings.profiles:
        for page in lab_sample(ev.pages, settings.lab_pages):
            samples: list[Timings] = []
            errors: list[str] = []
            for _ in range(max(1, settings.lab_runs)):
                try:
                    job = PageJob(page.url, profile, audit=False, throttle=settings.throttle, exclusive=True)
                    timed = await load_page(pool, job)
                except NotAPage as e:
                    errors.append(f"not a page: {e.content_type}")
                    break
                if timed.error:
                    errors.append(timed.error)
                else:
                    samples.append(timed.timings)
            ev.lab.append(
                LabTiming(
                    url=page.url,
                    profile=profile,
                    runs=len(samples),
                    median=median_timings(samples),
                    samples=samples,
                    error="; ".join(dict.fromkeys(errors)) or None,
                    throttle=settings.throttle,
                )
            )
