"""Accessibility and performance of single pages for the pytest path (scenarios/test_pages.py): each page loaded
and audited as `portalscore audit` does (axe and our checks, the heavy ones included), then timed in the lab
(N loads alone, median kept), once per session; each check family then judges the page's evidence."""

from __future__ import annotations

import asyncio
import concurrent.futures
from dataclasses import dataclass

from portalscore.contract.evidence import LabTiming, PageEvidence, PortalEvidence, PortalRef
from portalscore.crawler.crawl import audit_url
from portalscore.crawler.egress import Egress
from portalscore.crawler.lab import measure_lab
from portalscore.crawler.pool import BrowserPool
from portalscore.crawler.settings import CrawlSettings

IMPACTS = ("critical", "serious", "moderate", "minor")  # most severe first
FAMILIES = ("accessibility", "checks", "performance")


@dataclass(frozen=True)
class Limits:
    fail_on: str = "serious"  # a violation of this impact or worse fails the page
    max_lcp_ms: float = 2500.0  # Largest Contentful Paint, lab median
    max_bytes: int = 1_500_000  # bytes transferred
    lab_runs: int = 5


@dataclass(frozen=True)
class Measured:
    page: PageEvidence
    lab: LabTiming | None


def measure(urls: list[str], egress: Egress, lab_runs: int) -> dict[str, Measured]:
    """Every page audited, then timed; in a thread of its own, since pytest-playwright's sync API may already
    run an event loop in this one."""

    async def go() -> dict[str, Measured]:
        settings = CrawlSettings(lab_runs=lab_runs, lab_pages=len(urls))
        async with BrowserPool(settings, egress) as pool:
            pages = [await audit_url(pool, url, settings) for url in urls]
            ev = PortalEvidence(portal=PortalRef("pytest", "pytest", "other", urls[0]), pages=pages)
            await measure_lab(pool, ev, settings)
        lab = {t.url: t for t in ev.lab if t.profile == "desktop"}
        return {url: Measured(page, lab.get(page.url)) for url, page in zip(urls, pages)}

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, go()).result()


def problems(family: str, m: Measured, limits: Limits) -> list[str]:
    """What fails the page in this check family, one line each; [] when it passes."""
    page = m.page
    if page.error is not None or page.status is None or page.status >= 400:
        return [f"the page could not be evaluated: {page.error or f'HTTP {page.status}'}"]
    if family == "performance":
        lcp = m.lab.median.lcp_ms if m.lab is not None and m.lab.median.lcp_ms is not None else page.timings.lcp_ms
        how = f"median of {m.lab.runs} lab loads" if m.lab is not None and m.lab.runs else "one load"
        out = []
        if lcp is None:
            out.append("LCP not measured")
        elif lcp > limits.max_lcp_ms:
            out.append(f"LCP {lcp:.0f} ms ({how}) > {limits.max_lcp_ms:.0f} ms")
        if page.transfer_bytes > limits.max_bytes:
            out.append(f"page weight {page.transfer_bytes} bytes > {limits.max_bytes} bytes")
        return out
    a = page.accessibility
    if a is None or a.error:
        return [f"not audited: {a.error if a else 'no audit'}"]
    worst = IMPACTS[: IMPACTS.index(limits.fail_on) + 1]
    ours = family == "checks"
    return [
        f"{v.impact} {v.rule} ({v.node_count} elements, e.g. {v.nodes[0].target if v.nodes else '?'}): {v.help}"
        for v in a.violations
        if v.impact in worst and (v.source != "axe") == ours
    ]
