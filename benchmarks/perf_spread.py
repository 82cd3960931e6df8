"""Run-to-run spread of each portal's performance score: the demo run N times (default 5), the same machine.

    .venv/bin/python benchmarks/perf_spread.py [--runs 5] [--max-pages 8] [--scenarios]

Each run is a whole `portalscore demo` in its own process and database (journeys off by default: they do
not touch the performance group, and they are most of the demo's time). For every sample portal it prints
the performance group's score in each run, its spread over the runs (max - min; target: at most 2 points,
issue 19), and the spread each run measured on its own over its repeated lab loads (`group_spread`, what the
ranking's performance ties rest on). Exit status 1 when a portal's spread is over --target.

Ties: a pair of portals whose order in the performance group changed between runs must be a measured tie in
the runs where it swapped (`group_tied_with`); the benchmark lists any pair that swapped without one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GROUP = "performance"


def one_run(i: int, base: Path, args: argparse.Namespace) -> dict:
    out = base / f"run{i}"
    cmd = [
        str(ROOT / ".venv" / "bin" / "portalscore"),
        "demo",
        "--out",
        str(out),
        "--db",
        f"sqlite:///{base / f'run{i}.db'}",
        "--max-pages",
        str(args.max_pages),
        "-q",
    ]
    if not args.scenarios:
        cmd.append("--no-scenarios")
    started = time.monotonic()
    subprocess.run(cmd, check=True, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    took = time.monotonic() - started
    ranking = json.loads((out / "ranking.json").read_text(encoding="utf-8"))
    print(f"run {i + 1}/{args.runs}: {took:.0f} s", file=sys.stderr, flush=True)
    return {p["id"]: p for p in ranking["portals"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-pages", type=int, default=8, help="pages per portal (default 8: the lab budget's worth)")
    parser.add_argument("--scenarios", action="store_true", help="also run the journeys (slower; same figures)")
    parser.add_argument("--target", type=float, default=2.0, help="largest acceptable spread, points (default 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = [one_run(i, Path(tmp), args) for i in range(args.runs)]
    portals = sorted(runs[0], key=lambda pid: -runs[0][pid]["groups"][GROUP])
    worst = 0.0
    print(f"{'portal':<22} {'performance score per run':<44} {'spread':>7} {'in-run spread (median)':>22}")
    for pid in portals:
        scores = [r[pid]["groups"][GROUP] for r in runs]
        spread = max(scores) - min(scores)
        worst = max(worst, spread)
        inrun = statistics.median(r[pid].get("group_spread", {}).get(GROUP, 0.0) for r in runs)
        print(f"{pid:<22} {' '.join(f'{s:6.2f}' for s in scores):<44} {spread:7.2f} {inrun:22.2f}")
    swaps = []
    for a in portals:
        for b in portals:
            if a >= b:
                continue
            order = {
                (r[a]["groups"][GROUP] > r[b]["groups"][GROUP]) - (r[a]["groups"][GROUP] < r[b]["groups"][GROUP])
                for r in runs
            }
            if {1, -1} <= order:
                untied = sum(1 for r in runs if b not in r[a].get("group_tied_with", {}).get(GROUP, []))
                swaps.append((a, b, untied))
    for a, b, untied in swaps:
        print(f"order of {a} and {b} changed between runs; not a measured tie in {untied} of {len(runs)} runs")
    print(f"largest run-to-run spread: {worst:.2f} points (target <= {args.target:g}) over {args.runs} runs")
    return 0 if worst <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
