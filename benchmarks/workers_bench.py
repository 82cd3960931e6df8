"""One Celery worker against two, on this machine, over the same sample portals.

    .venv/bin/python benchmarks/workers_bench.py [--max-pages 8] [--workers 1,2] [--scenarios] [--taskset]

Starts throwaway PostgreSQL and Redis (scripts/services.sh), serves the bundled sample portals on
127.0.0.1, and for each worker count makes one distributed run in a fresh database with that many
`portalscore worker` processes. Prints, per count, pages collected, collection time (first task
start to last task end, from the tasks log) and pages/s, each worker's own pages and pages/s (its pages over
its busy time, from the tasks it took), then the ratio to one worker.

Unpinned, it measures a machine, not a law: on 2 cores two browsers compete for the CPU. With `--taskset`
each worker runs under `taskset -c K` (worker K on core K, Chromium included: affinity is inherited), the
one-worker case on one core too, so that each worker has its own CPU budget of one core, as a worker on its
own 1-core machine would; the 2-vs-1 ratio is then the scale-out efficiency, and the bench prints the
projection to N machines from it (assumptions printed with it). Other work on the machine still shares the
cores: the bench prints the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portalscore.crawler.settings import CrawlSettings  # noqa: E402
from portalscore.criteria import load_criteria_set  # noqa: E402
from portalscore.registry import load_registry  # noqa: E402
from portalscore.run import evaluate  # noqa: E402
from portalscore.run.distributed import CeleryExecutor, make_app  # noqa: E402
from portalscore.runsettings import RunSettings  # noqa: E402
from portalscore.samples import SampleFleet  # noqa: E402
from portalscore.store import Store, TaskRecord  # noqa: E402


def start_services(state: str) -> dict[str, str]:
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "services.sh"), "start", state], check=True, capture_output=True, text=True
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def fresh_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def pinned(i: int, taskset: bool) -> list[str]:
    """The command prefix that pins worker i to its own core (and its children: Chromium inherits it)."""
    if not taskset:
        return []
    if shutil.which("taskset") is None:
        raise SystemExit("--taskset needs the taskset command (util-linux)")
    return ["taskset", "-c", str(i % (os.cpu_count() or 1))]


def start_workers(n: int, broker: str, db: str, taskset: bool = False) -> list[subprocess.Popen]:
    if taskset and n > (os.cpu_count() or 1):
        raise SystemExit(f"--taskset: {n} workers need {n} cores, this machine has {os.cpu_count()}")
    workers = [
        subprocess.Popen(
            [
                *pinned(i, taskset),
                sys.executable,
                "-m",
                "portalscore",
                "worker",
                "--broker",
                broker,
                "--db",
                db,
                "--name",
                f"bench{i}@%h",
                # One pool process: the worker's whole budget is its core; more would only share it.
                "--concurrency",
                "1",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for i in range(n)
    ]
    app = make_app(broker)
    deadline = time.monotonic() + 120
    while len(app.control.ping(timeout=0.5)) < n:
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            stop_workers(workers)
            raise SystemExit("workers did not start")
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for w in workers:
        if w.poll() is None:
            os.killpg(w.pid, signal.SIGTERM)
    for w in workers:
        w.wait(60)


@dataclass
class WorkerFigure:
    name: str
    pages: int
    busy_s: float  # sum of its tasks' durations

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.busy_s if self.busy_s else 0.0


def _span(t: TaskRecord) -> float:
    assert t.started_at and t.finished_at
    return (datetime.fromisoformat(t.finished_at) - datetime.fromisoformat(t.started_at)).total_seconds()


def per_worker(tasks: list[TaskRecord], pages_of: dict[str, int]) -> list[WorkerFigure]:
    """Each worker's pages (of the portals of the tasks it finished) over the time it spent on them."""
    figures: dict[str, WorkerFigure] = {}
    for t in tasks:
        if t.status != "done" or not (t.started_at and t.finished_at):
            continue
        f = figures.setdefault(t.worker or "?", WorkerFigure(t.worker or "?", 0, 0.0))
        f.pages += sum(pages_of.get(p, 0) for p in t.portal_ids)
        f.busy_s += _span(t)
    return sorted(figures.values(), key=lambda f: f.name)


def measure(n: int, registry, svc: dict[str, str], settings: RunSettings, out: Path, taskset: bool = False) -> dict:
    db = fresh_database(svc["PORTALSCORE_DB"], f"bench_{n}_{int(time.time())}")
    workers = start_workers(n, svc["PORTALSCORE_BROKER"], db, taskset)
    store = Store(db)
    try:
        started = time.monotonic()
        result = evaluate(
            registry,
            load_criteria_set("mic-2024"),
            out / f"workers-{n}",
            store,
            settings,
            CeleryExecutor(svc["PORTALSCORE_BROKER"], poll_s=0.2),
        )
        wall = time.monotonic() - started
        log = [t for t in store.tasks(result.run_id) if t.started_at and t.finished_at]
        span = (
            datetime.fromisoformat(max(t.finished_at for t in log))
            - datetime.fromisoformat(min(t.started_at for t in log))
        ).total_seconds()
        pages_of = {p.id: len(store.pages(result.run_id, p.id)) for p in registry.portals}
        pages = sum(pages_of.values())
        figures = per_worker(log, pages_of)
    finally:
        store.close()
        stop_workers(workers)
    return {
        "workers": n,
        "pages": pages,
        "collect_s": span,
        "wall_s": wall,
        "pages_per_s": pages / span,
        "per_worker": figures,
    }


def projection(one: dict, two: dict) -> list[str]:
    """N machines from the measured 1- and 2-worker figures, and what that assumes."""
    ratio = two["pages_per_s"] / one["pages_per_s"]
    measured = ratio / 2  # what each added worker keeps of a lone worker's rate
    # Above 1 is not a gain of scale: the rest of the machine's load changed between the two measurements.
    efficiency = min(1.0, measured)
    lines = [
        f"scale-out efficiency (2 workers / 2 x 1 worker): {measured:.2f}"
        + (" (above 1: other load on the machine fell between the runs; projected as 1.00)" if measured > 1 else ""),
        "projection, N machines of one such core each (pages/s of collection):",
    ]
    for machines in (1, 2, 4, 8):
        rate = one["pages_per_s"] * (1 if machines == 1 else machines * efficiency)
        lines.append(f"  N={machines}: {rate:.2f} pages/s ({rate / one['pages_per_s']:.2f}x)")
    lines.append(
        "assumptions: each worker's cost is its own CPU (measured per core here), the loss between 1 and 2 "
        "(shared database, broker, disk, memory bandwidth, and other work on this machine) repeats for each added "
        "worker; host groups outnumber workers (a national registry has about 54), and the largest host group "
        "bounds the run (it is never split); the coordinator and PostgreSQL are not the bottleneck"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-pages", type=int, default=8)
    parser.add_argument("--workers", default="1,2", help="worker counts to compare (default 1,2)")
    parser.add_argument("--scenarios", action="store_true", help="run the citizen journeys too")
    parser.add_argument("--taskset", action="store_true", help="pin each worker to its own core (taskset -c)")
    args = parser.parse_args()
    try:
        counts = [int(x) for x in args.workers.split(",")]
    except ValueError:
        parser.error(f"--workers: a comma-separated list of worker counts, not {args.workers!r}")
    settings = RunSettings(
        crawl=CrawlSettings(max_pages=args.max_pages, lab_runs=1, allowed_hosts=["127.0.0.1"]),
        scenarios=args.scenarios,
        executor="celery",
    )
    state = tempfile.mkdtemp(prefix="portalscore-bench-")
    svc = start_services(state)
    try:
        with SampleFleet.start() as fleet:
            registry = load_registry(fleet.write_registry(Path(state) / "samples.yaml"))
            print(
                f"{len(registry.portals)} sample portals, up to {args.max_pages} pages each, "
                f"scenarios {'on' if args.scenarios else 'off'}, {os.cpu_count()} CPUs, "
                f"{'each worker pinned to its own core' if args.taskset else 'workers not pinned'}, "
                f"load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            results = []
            for n in counts:
                r = measure(n, registry, svc, settings, Path(state), args.taskset)
                results.append(r)
                print(
                    f"{n} worker(s): {r['pages']} pages in {r['collect_s']:.1f} s of collection "
                    f"({r['wall_s']:.1f} s whole run) = {r['pages_per_s']:.2f} pages/s",
                    flush=True,
                )
                for f in r["per_worker"]:
                    print(f"  {f.name}: {f.pages} pages in {f.busy_s:.1f} s of tasks = {f.pages_per_s:.2f} pages/s")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        base = results[0]["pages_per_s"]
        for r in results[1:]:
            print(f"{r['workers']} workers / {results[0]['workers']}: {r['pages_per_s'] / base:.2f}x")
        if [r["workers"] for r in results[:2]] == [1, 2]:
            print("\n".join(projection(results[0], results[1])))
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "services.sh"), "stop", state], check=False)


if __name__ == "__main__":
    main()
