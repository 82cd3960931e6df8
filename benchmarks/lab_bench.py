"""Throttled lab loads, emulated against simulated: how long each takes and how far their figures are apart.

    .venv/bin/python benchmarks/lab_bench.py                   # the 6 local sample portals
    .venv/bin/python benchmarks/lab_bench.py --nation 8        # the first 8 portals of the simulated nation

Each portal is crawled once (run_axe off: only its pages and templates are needed), then its mobile lab sample
(`--lab-pages` pages, crawler/lab.py's choice) is timed by the crawler's own lab pass twice, under slow-4g: with the
network emulated while the page loads (`--throttling-method devtools`, the default) and simulated from a load on
the real network (`simulate`, crawler/netsim.py). The order of the two alternates from portal to portal, so that
neither always runs on a warmer server. Printed: the lab's wall time under each method, and per page and figure
(FCP, LCP, DOMContentLoaded, load) both values and simulate/devtools; then the median and the worst of each ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from national_bench import nation

from portalscore.contract.evidence import LabTiming
from portalscore.contract.portal import Portal
from portalscore.crawler.crawl import crawl_portal
from portalscore.crawler.egress import Egress
from portalscore.crawler.lab import measure_lab
from portalscore.crawler.netpolicy import NetPolicy
from portalscore.crawler.pool import BrowserPool
from portalscore.crawler.settings import CrawlSettings
from portalscore.samples import SampleFleet

EGRESS = Egress(NetPolicy.build(allow_internal=["127.0.0.1/32"], only_hosts=["127.0.0.1", "localhost"]))
FIGURES = ("fcp_ms", "lcp_ms", "dcl_ms", "load_ms")
METHODS = ("devtools", "simulate")


async def bench(fleet: SampleFleet, args: argparse.Namespace) -> None:
    base = CrawlSettings(
        max_pages=args.max_pages,
        run_axe=False,
        run_checks=False,
        allowed_hosts=["127.0.0.1", "localhost"],
        profiles=("mobile",),
        lab_pages=args.lab_pages,
        lab_runs=args.lab_runs,
        lab_quiet_wait_s=0,  # the two methods are compared on the same machine state, one after the other
        # Emulated loads of heavy pages pass the default 15 s: a load cut there has no LCP from its late image, so
        # the figures are compared without the cut (Lighthouse waits 45 s too).
        request_timeout_s=args.request_timeout,
        page_timeout_s=args.request_timeout + 15,
    )
    spent = dict.fromkeys(METHODS, 0.0)
    ratios: dict[str, list[float]] = {f: [] for f in FIGURES}
    async with BrowserPool(base, EGRESS.start()) as pool:
        for i, spec in enumerate(fleet.portals):
            ev = await crawl_portal(pool, Portal(id=spec.id, name=spec.name, kind=spec.kind, url=spec.url), base)
            labs: dict[str, list[LabTiming]] = {}
            for method in METHODS if i % 2 == 0 else METHODS[::-1]:
                settings = dataclasses.replace(base, throttling_method=method)
                t = time.monotonic()
                await measure_lab(pool, ev, settings)
                spent[method] += time.monotonic() - t
                labs[method] = ev.lab
            for emulated, simulated in zip(labs["devtools"], labs["simulate"], strict=True):
                print(f"{spec.id} {emulated.url}")
                if emulated.error or simulated.error:
                    print(f"  not compared: devtools {emulated.error!r}, simulate {simulated.error!r}")
                for f in FIGURES:
                    a, b = getattr(emulated.median, f), getattr(simulated.median, f)
                    if a and b:
                        ratios[f].append(b / a)
                        print(f"  {f:8} devtools {a:8.0f}  simulate {b:8.0f}  {b / a:5.2f}x")
    print()
    for method in METHODS:
        print(f"lab wall time, {method}: {spent[method]:.1f} s")
    print(f"simulate / devtools wall time: {spent['simulate'] / spent['devtools']:.2f}x")
    for f, xs in ratios.items():
        if xs:
            worst = max(xs, key=lambda x: abs(x - 1))
            print(f"{f}: simulate/devtools median {statistics.median(xs):.3f}, worst {worst:.3f} over {len(xs)} pages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nation", type=int, help="the first N portals of the simulated nation instead")
    parser.add_argument("--max-pages", type=int, default=8, help="pages crawled per portal (default 8)")
    parser.add_argument("--lab-pages", type=int, default=4, help="pages timed per portal (default 4)")
    parser.add_argument("--lab-runs", type=int, default=1, help="timed loads per page and method (default 1)")
    parser.add_argument(
        "--request-timeout", type=float, default=45, help="seconds a timed load may take (default 45; the lab's is 15)"
    )
    args = parser.parse_args()
    if args.nation:
        specs, shaping = nation()
        started = SampleFleet.start(specs[: args.nation], shaping)
    else:
        started = SampleFleet.start()
    with started as fleet:
        asyncio.run(bench(fleet, args))


if __name__ == "__main__":
    main()
