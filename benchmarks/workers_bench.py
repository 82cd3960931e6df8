"""One Celery worker against two, on this machine, over the same sample portals.

    .venv/bin/python benchmarks/workers_bench.py [--max-pages 8] [--workers 1,2] [--scenarios]

Starts throwaway PostgreSQL and Redis (scripts/services.sh), serves the bundled sample portals on
127.0.0.1, and for each worker count makes one distributed run in a fresh database with that many
`portalscore worker` processes. Prints, per count, pages collected, collection time (first task
start to last task end, from the tasks log) and pages/s, then the ratio to one worker.
It measures a machine, not a law: on 2 cores two browsers already compete for the CPU, so expect
a small gain here and a near-linear one from workers on separate machines (docs/operations.md).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
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
from portalscore.store import Store  # noqa: E402


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


def start_workers(n: int, broker: str, db: str) -> list[subprocess.Popen]:
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "portalscore", "worker", "--broker", broker, "--db", db, "--name", f"bench{i}@%h"],
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


def measure(n: int, registry, svc: dict[str, str], settings: RunSettings, out: Path) -> dict:
    db = fresh_database(svc["PORTALSCORE_DB"], f"bench_{n}_{int(time.time())}")
    workers = start_workers(n, svc["PORTALSCORE_BROKER"], db)
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
        pages = sum(len(store.pages(result.run_id, p.id)) for p in registry.portals)
    finally:
        store.close()
        stop_workers(workers)
    return {"workers": n, "pages": pages, "collect_s": span, "wall_s": wall, "pages_per_s": pages / span}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-pages", type=int, default=8)
    parser.add_argument("--workers", default="1,2", help="worker counts to compare (default 1,2)")
    parser.add_argument("--scenarios", action="store_true", help="run the citizen journeys too")
    args = parser.parse_args()
    counts = [int(x) for x in args.workers.split(",")]
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
                f"scenarios {'on' if args.scenarios else 'off'}, {os.cpu_count()} CPUs",
                flush=True,
            )
            results = []
            for n in counts:
                r = measure(n, registry, svc, settings, Path(state))
                results.append(r)
                print(
                    f"{n} worker(s): {r['pages']} pages in {r['collect_s']:.1f} s of collection "
                    f"({r['wall_s']:.1f} s whole run) = {r['pages_per_s']:.2f} pages/s",
                    flush=True,
                )
        base = results[0]["pages_per_s"]
        for r in results[1:]:
            print(f"{r['workers']} workers / {results[0]['workers']}: {r['pages_per_s'] / base:.2f}x")
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "services.sh"), "stop", state], check=False)


if __name__ == "__main__":
    main()
