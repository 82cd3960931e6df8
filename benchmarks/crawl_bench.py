"""Crawl speed and memory on the bundled sample portals, against a bare floor.

    .venv/bin/python benchmarks/crawl_bench.py [--pages 15] [--runs 3]

portalscore: crawl_portal over every sample portal at once (one Chromium, default settings
but the page cap; the lab pass is not counted), pages evaluated per second (desktop and
mobile loads, each with its axe audit).
floor: the same Chromium (launch_options), the same axe file and options, 2 contexts,
goto + axe.run and nothing else, over the same URLs.
Both: median of --runs runs; peak memory is PSS summed over every process this script
started (Playwright's driver and all Chromium processes), sampled from /proc/*/smaps_rollup.
Lighthouse and pa11y-ci are compared when they are on PATH (npm; not installed here by default).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.async_api import async_playwright  # noqa: E402

from crawler import BrowserPool, CrawlSettings, crawl_portal  # noqa: E402
from crawler.axe import AXE_OPTIONS, RUN_AXE_JS, axe_source  # noqa: E402
from crawler.browser import context_options, launch_options  # noqa: E402
from portalscore.registry import Portal  # noqa: E402
from portalscore.samples import SampleFleet  # noqa: E402

LOOPBACK = ["127.0.0.1", "localhost"]


def _children(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == pid]
        found += kids
        frontier += kids
    return found


def pss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total / 1024


class PeakMemory:
    """Samples the PSS of this process's descendants every 0.25 s while a run goes on."""

    def __init__(self):
        self.peak = 0.0
        self._task: asyncio.Task | None = None

    async def _sample(self) -> None:
        while True:
            pids = await asyncio.to_thread(_children, os.getpid())
            self.peak = max(self.peak, await asyncio.to_thread(pss_mb, pids))
            await asyncio.sleep(0.25)

    async def __aenter__(self) -> "PeakMemory":
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc) -> None:
        self._task.cancel()


async def run_portalscore(fleet: SampleFleet, settings: CrawlSettings) -> tuple[float, int, float, list[str]]:
    portals = [Portal(id=p.id, name=p.name, kind=p.kind, url=p.url) for p in fleet.portals]
    async with PeakMemory() as mem:
        async with BrowserPool(settings) as pool:
            t = time.monotonic()
            evs = await asyncio.gather(*(crawl_portal(pool, p, settings) for p in portals))
            took = time.monotonic() - t
    pages = [p for ev in evs for p in ev.pages]
    audited = [p for p in pages if p.accessibility is not None and p.accessibility.error is None]
    urls = [p.url for p in audited]
    return len(audited) / took, len(audited), mem.peak, urls


async def run_floor(urls: list[str], workers: int = 2) -> tuple[float, float]:
    queue = list(urls)
    source = axe_source()
    async with PeakMemory() as mem:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**launch_options())
            t = time.monotonic()

            async def worker() -> None:
                context = await browser.new_context(**context_options("desktop"))
                while queue:
                    url = queue.pop(0)
                    page = await context.new_page()
                    await page.goto(url)
                    await page.evaluate(source)
                    await page.evaluate(RUN_AXE_JS, AXE_OPTIONS)
                    await page.close()
                await context.close()

            await asyncio.gather(*(worker() for _ in range(workers)))
            took = time.monotonic() - t
            await browser.close()
    return len(urls) / took, mem.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=15, help="page cap per portal")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings = CrawlSettings(max_pages=args.pages, allowed_hosts=LOOPBACK)
    ours, floors, mem_ours, mem_floor = [], [], [], []
    with SampleFleet.start() as fleet:
        for i in range(args.runs):
            rate, n, peak, urls = asyncio.run(run_portalscore(fleet, settings))
            floor_rate, floor_peak = asyncio.run(run_floor(urls))
            ours.append(rate)
            floors.append(floor_rate)
            mem_ours.append(peak)
            mem_floor.append(floor_peak)
            print(f"run {i + 1}: portalscore {rate:.2f} pages/s ({n} pages), floor {floor_rate:.2f} pages/s, "
                  f"peak PSS {peak:.0f} MB / {floor_peak:.0f} MB", file=sys.stderr)
    median = statistics.median
    print(f"portalscore: {median(ours):.2f} pages/s (median of {args.runs}), peak PSS {max(mem_ours):.0f} MB")
    print(f"floor (goto + axe.run, 2 contexts): {median(floors):.2f} pages/s, peak PSS {max(mem_floor):.0f} MB")
    ratios = [a / b for a, b in zip(ours, floors)]  # each run's pair shares the machine's state of the moment
    print(f"ratio portalscore/floor: {median(ratios):.2f} (median of the runs' ratios: "
          f"{', '.join(f'{r:.2f}' for r in ratios)})")
    for tool in ("lighthouse", "pa11y-ci"):
        if shutil.which(tool) is None:
            print(f"{tool}: not installed (npm i -g {tool}, PUPPETEER_SKIP_DOWNLOAD=1, CHROME_PATH=/usr/bin/chromium)")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
