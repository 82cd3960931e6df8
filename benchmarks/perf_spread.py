"""Run-to-run spread of each portal's performance score: the demo run N times (default 5), the same machine.

    .venv/bin/python benchmarks/perf_spread.py [--runs 5] [--max-pages 8] [--scenarios] [--keep DIR] [--explain]
    .venv/bin/python benchmarks/perf_spread.py --from DIR --explain     # the stored runs of an earlier --keep DIR
    .venv/bin/python benchmarks/perf_spread.py --runs 4 --lab-lanes 1,2  # lanes: runs alternate 1, 2, 1, 2

Each run is a whole `portalscore demo` in its own process and database (journeys off by default: they do
not touch the performance group, and they are most of the demo's time). For every sample portal it prints
the performance group's score in each run, its spread over the runs (max - min; target: at most 2 points,
issue 19), and the spread each run measured on its own over its repeated lab loads (`group_spread`, what the
ranking's performance ties rest on). Exit status 1 when a portal's spread is over --target.

--explain prints, per portal, each performance criterion's points in each run and their spread, largest
first, with the lab loads behind the criteria that swing: which criterion moves the group score is where the
noise comes from (docs/performance.md, "What drives the spread").

--lab-lanes 1,2 alternates the runs over those lane counts (`run --lab-lanes`) and compares them: each portal's
performance score and each lab figure (median over the runs of a setting) with one lane against the others, and
the lab's own time in each run (from the run log: a portal's lab starts when its crawl and the previous portal's
lab have ended). Lanes are fair when their difference stays within the spread between runs of one setting.

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


def load_run(out: Path) -> dict:
    ranking = json.loads((out / "ranking.json").read_text(encoding="utf-8"))
    return {p["id"]: p for p in ranking["portals"]}


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
    if args.lab_lanes:
        cmd += ["--lab-lanes", str(lanes_of(i, args))]
    started = time.monotonic()
    subprocess.run(cmd, check=True, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    took = time.monotonic() - started
    load = os.getloadavg()[0]
    lanes = f", {lanes_of(i, args)} lab lane(s), lab {lab_seconds(out):.0f} s" if args.lab_lanes else ""
    print(
        f"run {i + 1}/{args.runs}: {took:.0f} s{lanes}, load average {load:.1f} at the end", file=sys.stderr, flush=True
    )
    return load_run(out)


def lanes_of(i: int, args: argparse.Namespace) -> int:
    return args.lab_lanes[i % len(args.lab_lanes)]


def lab_seconds(out: Path) -> float:
    """The lab's time in one run: each portal's lab runs from the later of its crawl's end and the previous
    portal's lab end, to its own end (run/collect.py times one portal at a time), summed."""
    log = out.parent / f"{out.name}.operator" / "run.log.jsonl"
    if not log.exists():
        return float("nan")
    from datetime import datetime

    crawled, timed = {}, []
    for line in log.read_text(encoding="utf-8").splitlines():
        e = json.loads(line)
        at = datetime.fromisoformat(e["ts"]).timestamp()
        if e.get("event") == "portal_crawled":
            crawled[e["portal"]] = at
        elif e.get("event") == "portal_timed":
            timed.append((at, e["portal"]))
    total, previous = 0.0, 0.0
    for at, pid in sorted(timed):
        total += at - max(crawled.get(pid, at), previous)
        previous = at
    return total


def lab_figures(out: Path) -> dict[tuple[str, str, str, str], float]:
    """(portal, profile, page, metric) -> the lab median, for every timed page of one stored run."""
    figures = {}
    for path in (out / "evidence").glob("*.json"):
        for lab in json.loads(path.read_text(encoding="utf-8")).get("lab", []):
            for metric, value in (lab.get("median") or {}).items():
                if value is not None:
                    # by path: each run serves the sample portals on ports of its own
                    page = "/" + lab["url"].split("/", 3)[-1] if lab["url"].count("/") >= 3 else lab["url"]
                    figures[(path.stem, lab.get("profile", "desktop"), page, metric)] = value
    return figures


def compare_lanes(runs: list[dict], dirs: list[Path], args: argparse.Namespace) -> None:
    """One lane against the others: scores and lab figures, each the median over the runs of its setting."""
    by = {n: [i for i in range(len(runs)) if lanes_of(i, args) == n] for n in dict.fromkeys(args.lab_lanes)}
    base, *others = by
    print(f"\nLab lanes: performance score, median of the runs of each setting ({', '.join(map(str, by))} lanes)")
    portals = sorted(runs[0], key=lambda pid: -runs[0][pid]["groups"][GROUP])
    for pid in portals:
        cells = []
        for n, idx in by.items():
            scores = [runs[i][pid]["groups"][GROUP] for i in idx]
            cells.append(f"{n} lane(s) {statistics.median(scores):6.2f} (spread {max(scores) - min(scores):4.2f})")
        diff = [
            statistics.median(runs[i][pid]["groups"][GROUP] for i in by[n])
            - statistics.median(runs[i][pid]["groups"][GROUP] for i in by[base])
            for n in others
        ]
        print(f"  {pid:<22} {'  '.join(cells)}  difference {' '.join(f'{d:+.2f}' for d in diff)}")
    if not dirs:
        return
    figures = [lab_figures(d) for d in dirs]
    print("\nLab figures, other lanes against 1: median over pages of (other / one lane - 1), and the same between")
    print("two runs of one lane (the noise to compare with)")
    for profile in ("desktop", "mobile"):
        for metric in ("fcp_ms", "lcp_ms", "load_ms", "tbt_ms"):
            line = f"  {profile:<8} {metric:<8}"
            keys = {k for f in figures for k in f if k[1] == profile and k[3] == metric}
            for n in others:
                ratios = []
                for k in keys:
                    a = [figures[i][k] for i in by[base] if k in figures[i]]
                    b = [figures[i][k] for i in by[n] if k in figures[i]]
                    if a and b and statistics.median(a) > 0:
                        ratios.append(statistics.median(b) / statistics.median(a) - 1)
                if ratios:
                    line += f"  {n} lanes {statistics.median(ratios):+6.1%} (max {max(ratios, key=abs):+6.1%}, {len(ratios)} pages)"
            same = by[base]
            if len(same) >= 2:
                noise = [
                    figures[same[1]][k] / figures[same[0]][k] - 1
                    for k in keys
                    if k in figures[same[0]] and k in figures[same[1]] and figures[same[0]][k] > 0
                ]
                if noise:
                    line += f"  | 1 lane vs 1 lane {statistics.median(noise):+6.1%} (max {max(noise, key=abs):+6.1%})"
            print(line)


def perf_criteria(runs: list[dict]) -> list[str]:
    first = next(iter(runs[0].values()))
    return [cid for cid in first.get("criteria", {}) if cid.startswith("perf.")]


def criterion_yaml(out: Path) -> dict[str, dict]:
    """The criteria of the set a stored run used, by id (what each one measures: evidence, profile)."""
    import yaml

    ranking = json.loads((out / "ranking.json").read_text(encoding="utf-8"))
    path = ROOT / "criteria" / "sets" / f"{ranking['criteria_set']}.yaml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(c["id"]): c for c in data.get("criteria", []) if isinstance(c, dict)}


def lab_loads(out: Path, pid: str, profile: str, metric: str) -> list[tuple[str, list[float]]]:
    """(page path, every timed load's value) of one metric in one stored run's lab evidence."""
    path = out / "evidence" / f"{pid}.json"
    if not path.exists():
        return []
    ev = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for lab in ev.get("lab", []):
        if lab.get("profile", "desktop") != profile:
            continue
        values = [s[metric] for s in lab.get("samples", []) if s.get(metric) is not None]
        page = "/" + lab["url"].split("/", 3)[-1] if lab["url"].count("/") >= 3 else lab["url"]
        rows.append((page, values))
    return rows


def group_max(portal: dict) -> float:
    """The performance group's points in this portal's score (excluded criteria hand theirs to the others)."""
    return sum(c["max_points"] for cid, c in portal["criteria"].items() if cid.startswith("perf.")) or 1.0


def machine_line(out: Path, pid: str) -> str:
    """How busy the machine was around one stored run's timed loads of a portal (LabTiming.machine)."""
    path = out / "evidence" / f"{pid}.json"
    if not path.exists():
        return "no evidence stored"
    loads = [m for lab in json.loads(path.read_text(encoding="utf-8")).get("lab", []) for m in lab.get("machine", [])]
    if not loads:
        return "no machine record (a run before the quiet wait)"
    during = statistics.median(m["busy_during"] for m in loads)
    nice = {m.get("nice") for m in loads}
    return (
        f"{len(loads)} timed loads ({sum(not m['kept'] for m in loads)} timed again), quiet before "
        f"{sum(m['quiet'] for m in loads)}, waited {sum(m['waited_s'] for m in loads):.0f} s, other programs' share "
        f"during the loads median {during:.2f} (max {max(m['busy_during'] for m in loads):.2f}), nice {sorted(nice, key=str)}"
    )


def explain(runs: list[dict], dirs: list[Path], portals: list[str]) -> None:
    """Per portal, the performance criteria by how much their points moved between runs, largest first."""
    ids = perf_criteria(runs)
    meta = criterion_yaml(dirs[0]) if dirs else {}
    print("\nWhat moves: each performance criterion's share of the group score per run, largest swing first")
    for pid in portals:
        print(f"\n{pid}")
        for i, d in enumerate(dirs):
            print(f"  run {i + 1} machine: {machine_line(d, pid)}")
        rows = []
        for cid in ids:
            got = [r[pid]["criteria"].get(cid) for r in runs]
            # In points of the group's score (0-100), the unit of the spread above.
            pts = [None if c is None else c["points"] * 100 / group_max(r[pid]) for c, r in zip(got, runs, strict=True)]
            known = [p for p in pts if p is not None]
            swing = max(known) - min(known) if known else 0.0
            most = max(
                (c["max_points"] * 100 / group_max(r[pid]) for c, r in zip(got, runs, strict=True) if c), default=0
            )
            rows.append((swing, cid, pts, most))
        for swing, cid, pts, most in sorted(rows, key=lambda row: -row[0]):
            cells = " ".join("   -  " if p is None else f"{p:6.2f}" for p in pts)
            print(f"  {cid:<22} {cells}  (of {most:5.2f}) swing {swing:5.2f}")
            c = meta.get(cid, {})
            evidence = str(c.get("evidence", ""))
            if swing < 0.05 or not evidence.startswith("timing.") or not dirs:
                continue
            metric, profile = evidence.split(".", 1)[1], str(c.get("profile", "desktop"))
            for i, d in enumerate(dirs):
                loads = lab_loads(d, pid, profile, metric)
                shown = "; ".join(
                    f"{page} {'/'.join(f'{v:.3g}' if v < 10 else f'{v:.0f}' for v in vals)}" for page, vals in loads
                )
                print(f"      run {i + 1} {profile} {metric} per lab load: {shown}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-pages", type=int, default=8, help="pages per portal (default 8: the lab budget's worth)")
    parser.add_argument("--scenarios", action="store_true", help="also run the journeys (slower; same figures)")
    parser.add_argument("--target", type=float, default=2.0, help="largest acceptable spread, points (default 2)")
    parser.add_argument("--keep", type=Path, help="store each run (report, ranking.json, evidence) under DIR/runN")
    parser.add_argument("--from", dest="stored", type=Path, help="analyse the runs stored by an earlier --keep DIR")
    parser.add_argument("--explain", action="store_true", help="per criterion points per run, and the lab loads")
    parser.add_argument(
        "--lab-lanes",
        type=lambda v: [int(n) for n in v.split(",")],
        help="comma-separated lane counts the runs alternate over (1,2), compared at the end",
    )
    args = parser.parse_args()
    if args.stored:
        dirs = sorted((d for d in args.stored.glob("run*") if (d / "ranking.json").exists()), key=lambda d: d.name)
        if not dirs:
            parser.error(f"no stored runs (run*/ranking.json) under {args.stored}")
        runs = [load_run(d) for d in dirs]
        args.runs = len(runs)
        return report(runs, dirs, args)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        runs = [one_run(i, args.keep, args) for i in range(args.runs)]
        return report(runs, [args.keep / f"run{i}" for i in range(args.runs)], args)
    with tempfile.TemporaryDirectory() as tmp:
        runs = [one_run(i, Path(tmp), args) for i in range(args.runs)]
        return report(runs, [Path(tmp) / f"run{i}" for i in range(args.runs)], args)


def report(runs: list[dict], dirs: list[Path], args: argparse.Namespace) -> int:
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
    if args.explain:
        explain(runs, dirs, portals)
    if args.lab_lanes and len(set(args.lab_lanes)) > 1:
        compare_lanes(runs, dirs, args)
    return 0 if worst <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
