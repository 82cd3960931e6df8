"""Crawl speed and memory on the bundled sample portals, against a bare floor, Lighthouse and pa11y-ci.

    .venv/bin/python benchmarks/crawl_bench.py [--pages 30] [--runs 3] [--sample 8] [--no-tools] [--full-audit] [--audit]
                                               [--nation N]

portalscore: crawl_portal over every sample portal at once (one Chromium, default settings
but the page cap; the lab pass is not counted), with everything the crawl collects. Counted two
ways: pages/s (distinct pages evaluated) and audits/s (page loads with an accessibility result:
every page on the desktop profile, the first mobile_pages of each portal again on the mobile
profile). By default a page's result is its own axe run or, for a page beyond the first two of its
template, its template's (crawler/template.py); --full-audit runs axe on every load. The axe runs
actually made are printed too.
floor: the same Chromium (launch_options), the same axe file and options, 2 contexts,
goto + axe.run and nothing else, over the same list of loads (ratio on audits/s: the floor runs
axe on every load portalscore evaluated, sampled or not).
audit (--audit): `portalscore audit URL...` as the command runs it (one BrowserPool, default settings, every URL
at once: load, timings, axe, our checks, the heavy ones included) over the distinct pages portalscore audited;
ratio on pages/s against the floor's audits/s.
lighthouse, pa11y-ci: on an evenly spread sample (--sample) of the pages portalscore audited in the
same run, each as its users run it (npm_tools.py says exactly how); ratio on distinct pages/s;
skipped, with a note, when not installed (`make bench-tools`).
--nation N crawls the first N portals of the simulated nation (national_bench.py: real portals' server times,
page weights, bandwidth and faults) instead of the six bare sample portals (a host that never answers or resets
costs the floor its timeout too: its loop goes on past a failed load).
Each run does all four back to back, so the per-run ratios compare tools under the same load;
the summary gives medians over --runs. Clocks start after the browser is up (npm_tools.py for the
tools). Peak memory is PSS summed over the processes of each (Playwright's driver and all Chromium
processes; for portalscore and the floor also this Python process, which holds the crawl and the
sample servers; for the tools node and its Chromium), sampled from /proc/*/smaps_rollup (pss.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # pss.py, npm_tools.py

from national_bench import nation
from npm_tools import ToolRun, run_lighthouse, run_pa11y_ci, tool_path
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright
from pss import PeakMemory

from portalscore.contract.portal import Portal
from portalscore.crawler.axe import AXE_OPTIONS, RUN_AXE_JS, axe_source
from portalscore.crawler.browser import context_options, launch_options
from portalscore.crawler.crawl import audit_url, crawl_portal
from portalscore.crawler.egress import Egress
from portalscore.crawler.netpolicy import NetPolicy
from portalscore.crawler.pool import BrowserPool
from portalscore.crawler.settings import CrawlSettings
from portalscore.samples import SampleFleet

# The benchmark's servers are on 127.0.0.1: let the crawler reach them (as --allow-internal 127.0.0.1/32 would).
EGRESS = Egress(NetPolicy.build(allow_internal=["127.0.0.1/32"], only_hosts=["127.0.0.1", "localhost"]))

LOOPBACK = ["127.0.0.1", "localhost"]


async def run_portalscore(fleet: SampleFleet, settings: CrawlSettings) -> tuple[float, list[str], float, int]:
    """Seconds, the URL of every load with an accessibility result (desktop, plus mobile for the first
    pages: so a URL may come twice), peak PSS and the number of axe runs made."""
    portals = [Portal(id=p.id, name=p.name, kind=p.kind, url=p.url) for p in fleet.portals]
    async with PeakMemory(include_self=True) as mem:
        async with BrowserPool(settings, EGRESS.start()) as pool:
            t = time.monotonic()
            evs = await asyncio.gather(*(crawl_portal(pool, p, settings) for p in portals))
            took = time.monotonic() - t
    pages = [p for ev in evs for p in ev.pages]
    ok = [p for p in pages if p.accessibility is not None and p.accessibility.error is None]
    audited = [p.url for p in ok]
    axe_runs = sum(1 for p in ok if p.accessibility.sampled_from is None and p.accessibility.reused_from_run is None)
    failed = [p.error or (p.accessibility.error if p.accessibility else "not audited") for p in pages if p not in ok]
    if failed:  # not counted as evaluated; under heavy load these are mostly page timeouts
        print(f"portalscore: {len(failed)} of {len(pages)} loads not audited, e.g. {failed[:3]}", file=sys.stderr)
    for ev in evs:
        if ev.errors:
            print(f"portalscore: {ev.portal.id}: {ev.errors[:3]}", file=sys.stderr)
    return took, audited, mem.peak, axe_runs


async def run_floor(urls: list[str], workers: int = 2) -> tuple[float, float]:
    queue = list(urls)
    source = axe_source()
    async with PeakMemory(include_self=True) as mem:
        async with async_playwright() as pw:
            # Bare: no egress proxy and no request guard (portalscore pays for both; the floor does not).
            options = launch_options(EGRESS.start())
            del options["proxy"]
            browser = await pw.chromium.launch(**options)
            t = time.monotonic()

            async def worker() -> None:
                context = await browser.new_context(**context_options("desktop"))
                while queue:
                    url = queue.pop(0)
                    page = await context.new_page()
                    try:
                        await page.goto(url)
                        await page.evaluate(source)
                        await page.evaluate(RUN_AXE_JS, AXE_OPTIONS)
                    except PlaywrightError:  # a host that resets or never answers (--nation): the loop goes on
                        pass
                    await page.close()
                await context.close()

            await asyncio.gather(*(worker() for _ in range(workers)))
            took = time.monotonic() - t
            await browser.close()
    return len(urls) / took, mem.peak


async def run_audit(urls: list[str]) -> tuple[float, float, int]:
    """`portalscore audit` over these pages (cmd_audit's work, in this process): pages/s, peak PSS, pages failed."""
    settings = CrawlSettings(allowed_hosts=LOOPBACK)
    async with PeakMemory(include_self=True) as mem:
        async with BrowserPool(settings, EGRESS.start()) as pool:
            t = time.monotonic()
            pages = await asyncio.gather(*(audit_url(pool, url, settings) for url in urls))
            took = time.monotonic() - t
    failed = sum(p.error is not None or p.accessibility is None for p in pages)
    return len(urls) / took, mem.peak, failed


def spread(urls: list[str], n: int) -> list[str]:
    """n URLs taken evenly over the list (which runs portal by portal), so every portal is sampled."""
    if len(urls) <= n:
        return list(urls)
    return [urls[i * len(urls) // n] for i in range(n)]


# Targets of the benchmark issue: portalscore/floor, portalscore/tool pages/s, peak memory.
TARGETS = {"floor": 0.8, "audit": 0.8, "lighthouse": 10.0, "pa11y-ci": 3.0}
MEMORY_TARGET_MB = 2048


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages", type=int, default=CrawlSettings.max_pages, help="page cap per portal (default: the crawler's)"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=8, help="pages given to Lighthouse and pa11y-ci per run")
    parser.add_argument("--pa11y-runner", default="axe", choices=["axe", "htmlcs"])
    parser.add_argument("--no-tools", action="store_true", help="measure portalscore and the floor only")
    parser.add_argument("--full-audit", action="store_true", help="portalscore runs axe on every page (no sampling)")
    parser.add_argument("--audit", action="store_true", help="also `portalscore audit` over the same pages")
    parser.add_argument("--nation", type=int, help="crawl this many portals of the simulated nation instead")
    args = parser.parse_args()
    settings = CrawlSettings(
        max_pages=args.pages,
        allowed_hosts=LOOPBACK,
        audit_per_template=0 if args.full_audit else CrawlSettings.audit_per_template,
    )
    tools = {} if args.no_tools else {name: tool_path(name) for name in ("lighthouse", "pa11y-ci")}
    # Per tool, per run: pages/s (distinct pages), audits/s (loads with an axe audit), wall pages/s,
    # pages, peak PSS. portalscore audits some pages twice (desktop and mobile), the others once each.
    rates: dict[str, list[float]] = {"portalscore": []}
    audits: dict[str, list[float]] = {"portalscore": [], "floor": []}
    walls: dict[str, list[float]] = {}
    pages: dict[str, list[int]] = {"portalscore": [], "floor": []}
    peaks: dict[str, list[float]] = {"portalscore": [], "floor": []}
    # Ratios are taken within each run, whose tools share the machine's state of the moment.
    # portalscore/floor: audits/s, over the very same list of loads; portalscore/tool: distinct
    # pages/s, so portalscore's second (mobile) audit of a page earns it nothing.
    ratios: dict[str, list[float]] = {"floor": []}
    errors: list[str] = []
    if args.nation:
        specs, shaping = nation()
        started = SampleFleet.start(specs[: args.nation], shaping)
    else:
        started = SampleFleet.start()
    with started as fleet, tempfile.TemporaryDirectory(prefix="crawl-bench-") as tmp:
        for i in range(args.runs):
            took, loads, peak, axe_runs = asyncio.run(run_portalscore(fleet, settings))
            distinct = list(dict.fromkeys(loads))
            floor_rate, floor_peak = asyncio.run(run_floor(loads))
            rates["portalscore"].append(len(distinct) / took)
            audits["portalscore"].append(len(loads) / took)
            audits["floor"].append(floor_rate)
            pages["portalscore"].append(len(distinct))
            pages["floor"].append(len(loads))
            peaks["portalscore"].append(peak)
            peaks["floor"].append(floor_peak)
            ratios["floor"].append(len(loads) / took / floor_rate)
            line = (
                f"run {i + 1}: portalscore {len(distinct) / took:.3f} pages/s, {len(loads) / took:.3f} audits/s "
                f"({len(distinct)} pages, {len(loads)} audits of which {axe_runs} axe runs, {peak:.0f} MB); "
                f"floor {floor_rate:.3f} audits/s ({floor_peak:.0f} MB)"
            )
            if args.audit:
                audit_rate, audit_peak, audit_failed = asyncio.run(run_audit(distinct))
                for table, value in (
                    (rates, audit_rate),
                    (audits, audit_rate),
                    (pages, len(distinct)),
                    (peaks, audit_peak),
                ):
                    table.setdefault("audit", []).append(value)
                ratios.setdefault("audit", []).append(audit_rate / floor_rate)
                line += f"; audit {audit_rate:.3f} pages/s ({audit_failed} failed, {audit_peak:.0f} MB)"
            sample = spread(distinct, args.sample)
            for name, binary in tools.items():
                if binary is None:
                    continue
                workdir = Path(tmp) / f"{name}-{i}"
                workdir.mkdir()
                if name == "lighthouse":
                    run: ToolRun = asyncio.run(run_lighthouse(binary, sample, workdir))
                else:
                    run = asyncio.run(run_pa11y_ci(binary, sample, workdir, args.pa11y_runner))
                errors += [f"run {i + 1} {name}: {e}" for e in run.errors]
                if not run.pages:
                    continue
                for table, value in (
                    (rates, run.rate),
                    (audits, run.rate),
                    (walls, run.wall_rate),
                    (pages, run.pages),
                    (peaks, run.peak_mb),
                ):
                    table.setdefault(name, []).append(value)
                ratios.setdefault(name, []).append(len(distinct) / took / run.rate)
                line += (
                    f"; {name} {run.rate:.3f} pages/s (wall {run.wall_rate:.3f}; {run.pages} pages, "
                    f"{run.peak_mb:.0f} MB)"
                )
            print(line, file=sys.stderr, flush=True)
    report(args, rates, audits, walls, pages, peaks, ratios, tools, errors)


def report(args, rates, audits, walls, pages, peaks, ratios, tools, errors) -> None:
    median = statistics.median
    labels = {
        "floor": "floor (goto + axe.run, 2 contexts)",
        "audit": "portalscore audit (every check, 1 pool)",
        "lighthouse": "lighthouse (a11y + perf, CLI per page)",
        "pa11y-ci": f"pa11y-ci ({args.pa11y_runner} runner, defaults)",
    }

    def cell(table: dict, name: str) -> str:
        return f"{median(table[name]):9.3f}" if name in table else f"{'-':>9}"

    print(f"{'':<40} {'pages/s':>9} {'audits/s':>9} {'wall':>9} {'pages':>6} {'peak PSS':>9}")
    for name in audits:
        print(
            f"{labels.get(name, name):<40} {cell(rates, name)} {cell(audits, name)} {cell(walls, name)} "
            f"{median(pages[name]):6.0f} {max(peaks[name]):6.0f} MB"
        )
    print(
        f"(medians of {args.runs} runs, page cap {args.pages}, "
        f"{'axe on every page' if args.full_audit else 'axe on the first 2 pages of each template'}; "
        f"pages: distinct pages evaluated, for the floor page loads; audits: page loads with an accessibility "
        f"result; wall: the tools' pages over their whole CLI time, "
        f"node start and browser launch included; peak PSS: the highest of the runs)"
    )
    for name, target in TARGETS.items():
        if name not in ratios:
            why = "not installed (make bench-tools)" if tools.get(name, 0) is None else "not measured"
            print(f"ratio portalscore/{name}: {why}")
            continue
        got = ratios[name]
        verdict = "meets" if median(got) >= target else "MISSES"
        unit = "audits/s" if name == "floor" else "pages/s"
        if name == "audit":
            print(
                f"ratio audit/floor (pages/s over audits/s): {median(got):.2f}x (runs: {', '.join(f'{r:.2f}' for r in got)}); {verdict} the target {target:g}x"
            )
            continue
        print(
            f"ratio portalscore/{name} ({unit}): {median(got):.2f}x (runs: {', '.join(f'{r:.2f}' for r in got)}); "
            f"{verdict} the target {target:g}x"
        )
    peak = max(peaks["portalscore"])
    print(
        f"portalscore peak PSS {peak:.0f} MB: {'meets' if peak <= MEMORY_TARGET_MB else 'MISSES'} "
        f"the target {MEMORY_TARGET_MB} MB"
    )
    for e in errors:
        print(f"error: {e}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
