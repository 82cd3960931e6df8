"""How long the report takes to render for a national-size run: 60 portals x 200 pages of evidence.

    .venv/bin/python benchmarks/report_bench.py [--portals 60] [--pages 200]

Prints the seconds spent building the synthetic input (not part of the report) and rendering
(both languages, all pages and exports), wall clock and CPU (the CPU figure stays meaningful on a
busy machine), and the size of the published folder by kind: the synthetic one, and `make demo`'s
(out/demo) when it is there. Target: seconds, not minutes.
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
    parser.add_argument(
        "--report", type=Path, help="also size a rendered report folder (default: out/demo when it exists)"
    )
    args = parser.parse_args()
    if args.report is None and (ROOT / "out" / "demo" / "ranking.json").is_file():
        args.report = ROOT / "out" / "demo"
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
        parts = published_size(base / "out")
    pages = sum(len(ev.pages) for ev in data.evidence.values())
    print(f"{args.portals} portals x {args.pages} pages ({pages} page records)")
    print(f"build input: {built - started:.2f} s")
    print(f"render:      {done - built:.2f} s wall, {cpu:.2f} s CPU  ({len(files)} files, {size / 1e6:.1f} MB)")
    print("published:   " + ", ".join(f"{name} {n / 1e6:.1f} MB" for name, n in parts.items()))
    if args.report:
        print(
            f"{args.report}: "
            + ", ".join(f"{name} {n / 1e6:.1f} MB" for name, n in published_size(args.report).items())
        )


def published_size(folder: Path) -> dict[str, int]:
    """Bytes of a published report folder by kind: pages (both languages), evidence JSON, screenshots, the rest."""
    parts = {"pages": 0, "evidence": 0, "screenshots": 0, "other": 0, "operator material (not to publish)": 0}
    for p in folder.rglob("*"):
        if not p.is_file():
            continue
        rel = p.relative_to(folder).parts
        kind = (
            "operator material (not to publish)"
            if rel[0] == "artefacts" or p.suffix in (".zip", ".jsonl", ".yaml", ".log")
            else "evidence"
            if rel[0] == "evidence"
            else "screenshots"
            if rel[:2] == ("assets", "screenshots")
            else "pages"
            if p.suffix == ".html"
            else "other"
        )
        parts[kind] += p.stat().st_size
    parts["total"] = sum(parts.values())
    return parts


if __name__ == "__main__":
    main()
