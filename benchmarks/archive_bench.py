"""The evidence archive's cost: crawl pages/s with archiving on vs off (same machine, same moment, alternating
order), and the archive's size per page, first run and a second run of the unchanged portals.

    .venv/bin/python benchmarks/archive_bench.py [--pages 6] [--reps 2]

Each repetition crawls the six bundled sample portals (served once for the whole benchmark) in one browser pool,
crawl phase only (desktop pages, mobile re-loads, link checks; no lab pass, no journeys), once with the archive off
and once on, the order alternating between repetitions; the on/off ratio of pages/s is the median of the
repetitions' ratios (each pair shares the machine's state of the moment). The size is what `portalscore run`
prints: WARC plus the screenshots a run was first to store, per archived page; the second archived run goes into
the same archive folder as the first, so unchanged payloads are revisit records.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOOPBACK = ["127.0.0.1", "localhost"]


async def crawl_all(portals: list, pages: int, archive_root: Path | None, run_id: int) -> tuple[int, float]:
    from portalscore.crawler.archive import Archive
    from portalscore.crawler.crawl import crawl_portal
    from portalscore.crawler.egress import Egress
    from portalscore.crawler.netpolicy import NetPolicy
    from portalscore.crawler.pool import BrowserPool
    from portalscore.crawler.settings import CrawlSettings

    settings = CrawlSettings(
        max_pages=pages, allowed_hosts=LOOPBACK, lab_pages=0, archive=archive_root is not None, page_timeout_s=120
    )
    archive = Archive(archive_root, run_id) if archive_root is not None else None
    with Egress(NetPolicy.build([p.url for p in portals], ["127.0.0.1/32"], LOOPBACK)) as egress:
        async with BrowserPool(settings, egress) as pool:
            t = time.monotonic()
            evs = await asyncio.gather(*(crawl_portal(pool, p, settings, archive=archive) for p in portals))
            took = time.monotonic() - t
    return sum(1 for ev in evs for page in ev.pages if page.error is None), took


def main() -> None:
    from portalscore.contract.portal import Portal
    from portalscore.crawler.archive import archive_size
    from portalscore.samples import SampleFleet

    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--pages", type=int, default=6, help="pages per portal (default 6)")
    ap.add_argument("--reps", type=int, default=2, help="repetitions (default 2)")
    args = ap.parse_args()
    with SampleFleet.start() as fleet, tempfile.TemporaryDirectory(prefix="archive-bench-") as tmp:
        portals = [Portal(id=p.id, name=p.name, kind=p.kind, url=p.url) for p in fleet.portals]
        ratios, rows = [], []
        run_id = 0
        for rep in range(args.reps):
            rates: dict[str, float] = {}
            for mode in ("off", "on") if rep % 2 == 0 else ("on", "off"):
                run_id += 1
                root = Path(tmp) / f"rep-{rep}" if mode == "on" else None
                pages, took = asyncio.run(crawl_all(portals, args.pages, root, run_id))
                rates[mode] = pages / took
                rows.append((rep, mode, pages, took))
                print(f"rep {rep} archive {mode:>3}: {pages} pages in {took:.1f}s = {pages / took:.2f} pages/s")
            ratios.append(rates["on"] / rates["off"])
        on = [r for r in rows if r[1] == "on"]
        first_root = Path(tmp) / "rep-0"
        # Size: the first archived run, then a second one of the unchanged portals into the same folder.
        first_id = 2 if args.reps and rows[0][1] == "off" else 1
        sizes1 = [archive_size(first_root, p.id, first_id) for p in portals]
        asyncio.run(crawl_all(portals, args.pages, first_root, run_id + 1))
        sizes2 = [archive_size(first_root, p.id, run_id + 1) for p in portals]
        b1, n1 = sum(s["bytes"] for s in sizes1), sum(s["pages"] for s in sizes1)
        b2, n2 = sum(s["bytes"] for s in sizes2), sum(s["pages"] for s in sizes2)
        w1 = sum(s["warc_bytes"] for s in sizes1)
        print(
            f"archive, first run:  {n1} pages, {b1 / 1e6:.2f} MB = {b1 / max(1, n1) / 1e3:.0f} kB a page "
            f"(WARC {w1 / max(1, n1) / 1e3:.0f} kB, screenshots {(b1 - w1) / max(1, n1) / 1e3:.0f} kB)"
        )
        print(
            f"archive, second run: {n2} pages, {b2 / 1e6:.2f} MB = {b2 / max(1, n2) / 1e3:.0f} kB a page "
            f"({100 * b2 / max(1, b1):.1f} % of the first)"
        )
        print(
            f"pages/s with the archive on / off: {statistics.median(ratios):.3f} (median of {len(ratios)}; "
            f"runs with it on: {len(on)})"
        )


if __name__ == "__main__":
    main()
