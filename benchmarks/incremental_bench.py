"""Incremental crawling: the crawl phase of a second run over unchanged portals, against the first.

    .venv/bin/python benchmarks/incremental_bench.py [--pages 15] [--reps 3]

Each repetition: a fresh SQLite file, the bundled sample portals (served once for every run), then two
runs of the same registry into that file. Each
run is a child process doing the pipeline's crawl phase as `portalscore run` does (desktop pages,
the mobile re-loads, link checks, pages stored one by one; lab pass and journeys off) and then
completing the run. The second run reuses the first run's axe results for pages whose content hash
is unchanged (all of them, on the deterministic sample portals).
Printed: wall time of the crawl phase (browser start included), audits reused, pages failed, and the
second/first ratio (median of the repetitions' ratios: each pair shares the machine's state of the
moment), and CPU seconds of the child's whole process tree (Python, Playwright's driver, Chromium and
its renderers, where axe runs), which a busy machine does not inflate as it does wall time. Renderers
are not reaped up this tree (getrusage would miss them), so /proc is sampled every 0.1 s: a process's
last tenth of a second before it exits can be missed, so the CPU figure errs low, alike for both runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOOPBACK = ["127.0.0.1", "localhost"]


def child(args: argparse.Namespace) -> None:
    """One run: create it, collect (crawl phase only), complete it; print what it took as JSON."""
    from portalscore.crawler.settings import CrawlSettings
    from portalscore.progress import Progress
    from portalscore.registry import load_registry
    from portalscore.run.collect import collect
    from portalscore.runsettings import RunSettings
    from portalscore.store import Store

    registry = load_registry(args.registry)
    # Generous time limits: on a busy machine a page cut off by them in one run but not the other would
    # make the two runs crawl different pages.
    # Every page audited (no template sampling): this measures what reuse alone saves.
    crawl = CrawlSettings(
        max_pages=args.pages,
        allowed_hosts=LOOPBACK,
        lab_pages=0,
        page_timeout_s=180,
        request_timeout_s=90,
        portal_timeout_s=1800,
        audit_per_template=0,
    )
    settings = RunSettings(
        crawl=crawl,
        scenarios=False,
        artefact_dir=str(Path(args.db.removeprefix("sqlite:///")).parent / "artefacts"),
    )
    store = Store(args.db)
    try:
        run_id = store.create_run(registry.name, registry.file, "mic-2024", settings, registry.portals)
        run = store.run(run_id)
        started = time.monotonic()
        collect(store, run, registry.portals, Progress())
        took = time.monotonic() - started
        store.finish_run(run_id)
        pages = [p for portal in registry.portals for p in store.pages(run_id, portal.id)]
    finally:
        store.close()
    audited = [p for p in pages if p.accessibility is not None and p.accessibility.error is None]
    failed = [p.error or p.accessibility.error for p in pages if p.error or (p.accessibility and p.accessibility.error)]
    print(
        json.dumps(
            {
                "run_id": run_id,
                "crawl_s": took,
                "pages": len(pages),
                "audited": len(audited),
                "reused": sum(p.accessibility.reused_from_run is not None for p in audited),
                "failed": len(failed),
                "failures": sorted(set(failed))[:5],
            }
        )
    )


def _tree_ticks(root: int, seen: dict[int, int]) -> None:
    """Record the CPU ticks (user + system) of `root` and its descendants into `seen` (pid -> max)."""
    stats: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                stats[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))  # ppid, utime + stime
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child_pid, (ppid, _) in stats.items():
            if ppid == pid and child_pid not in tree:
                tree.add(child_pid)
                frontier.append(child_pid)
    for pid in tree:
        if pid in stats:
            seen[pid] = max(seen.get(pid, 0), stats[pid][1])


def one_run(db: str, registry: Path, pages: int) -> dict:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", "--db", db, "--registry", str(registry), "--pages", str(pages)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    ticks: dict[int, int] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            _tree_ticks(proc.pid, ticks)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"run failed:\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["cpu_s"] = sum(ticks.values()) / os.sysconf("SC_CLK_TCK")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=15, help="page cap per portal")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (each: a fresh database, two runs)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--registry", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    from portalscore.samples import SampleFleet

    firsts, seconds = [], []
    with SampleFleet.start() as fleet, tempfile.TemporaryDirectory() as tmp:
        registry = fleet.write_registry(Path(tmp) / "samples-registry.yaml")
        for rep in range(args.reps):
            db = f"sqlite:///{Path(tmp) / f'rep{rep}.db'}"
            first = one_run(db, registry, args.pages)
            second = one_run(db, registry, args.pages)
            firsts.append(first)
            seconds.append(second)
            print(
                f"rep {rep + 1}: first {first['crawl_s']:.1f} s, {first['cpu_s']:.1f} s CPU "
                f"({first['audited']} pages audited), second {second['crawl_s']:.1f} s, {second['cpu_s']:.1f} s CPU "
                f"({second['reused']} of {second['audited']} audits reused); pages failed {first['failed']}, "
                f"{second['failed']} {first['failures'] + second['failures']}",
                file=sys.stderr,
                flush=True,
            )
    median = statistics.median
    wall = [s["crawl_s"] / f["crawl_s"] for f, s in zip(firsts, seconds)]
    print(f"crawl phase, {len(fleet.portals)} sample portals, --pages {args.pages}, median of {args.reps}:")
    print(
        f"  first run:  {median(f['crawl_s'] for f in firsts):.1f} s, "
        f"{median(f['audited'] for f in firsts):g} pages audited, {median(f['failed'] for f in firsts):g} failed"
    )
    print(
        f"  second run: {median(s['crawl_s'] for s in seconds):.1f} s, "
        f"{median(s['reused'] for s in seconds):g} audits reused of {median(s['audited'] for s in seconds):g}, "
        f"{median(s['failed'] for s in seconds):g} failed"
    )
    cpu = [s["cpu_s"] / f["cpu_s"] for f, s in zip(firsts, seconds)]
    print(
        f"  CPU of the process tree: first {median(f['cpu_s'] for f in firsts):.1f} s, "
        f"second {median(s['cpu_s'] for s in seconds):.1f} s"
    )
    print(
        f"  second/first: wall {median(wall):.2f} ({', '.join(f'{r:.2f}' for r in wall)}), "
        f"CPU {median(cpu):.2f} ({', '.join(f'{r:.2f}' for r in cpu)})"
    )
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
