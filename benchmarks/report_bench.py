"""How long the report takes to render for a national-size run: 60 portals x 200 pages of evidence.

    .venv/bin/python benchmarks/report_bench.py [--portals 60] [--pages 200]

Prints the seconds spent building the synthetic input (not part of the report) and rendering
(both languages, all pages and exports), wall clock and CPU (the CPU figure stays meaningful on a
busy machine). Target: seconds, not minutes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portalscore.reports import render_report  # noqa: E402
from tests.test_reports_data import build  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=60)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    ministries = args.portals // 4
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "artefacts").mkdir()
        started = time.perf_counter()
        data = build(
            n_ministries=ministries,
            n_provinces=args.portals - ministries,
            pages=args.pages,
            artefact_dir=base / "artefacts",
        )
        built = time.perf_counter()
        cpu = time.process_time()
        render_report(data, base / "out")
        done = time.perf_counter()
        cpu = time.process_time() - cpu
        files = [p for p in (base / "out").rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
    pages = sum(len(ev.pages) for ev in data.evidence.values())
    print(f"{args.portals} portals x {args.pages} pages ({pages} page records)")
    print(f"build input: {built - started:.2f} s")
    print(f"render:      {done - built:.2f} s wall, {cpu:.2f} s CPU  ({len(files)} files, {size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
