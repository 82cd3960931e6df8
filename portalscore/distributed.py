"""Scale-out on Celery with Redis as broker: `portalscore run --workers celery` and `portalscore worker`.

The coordinator (`run_distributed`) creates the run in the shared PostgreSQL database, sends one
task per *host group* — the portals served from one host:port — and waits until every group is
collected; then it scores, ranks and writes the report as a local run does. Workers
(`start_worker`) take tasks one at a time (one browser per worker process) and store evidence in
the same database.

Why these choices:
  - Per-host politeness holds across machines by construction: all portals of a host:port are in
    one task, a task runs in one worker, and within it the crawler's per-host limits apply.
  - Nothing is lost with a worker: tasks are acknowledged only when done (acks_late); a worker
    process that dies mid-task has its task put back at once (reject_on_worker_lost), and a
    whole machine that vanishes has its tasks redelivered by Redis after the visibility timeout.
  - Re-running a task is harmless: pipeline.collect skips stages already stored, page by page.
  - A host group that kills its worker again and again is given up after MAX_LOSSES, with the
    reason recorded on its portals, so one poisonous portal cannot stall the run.
  - Task messages carry ids only, never the database URL (which may hold a password): each
    worker is given the database by its own --db / $PORTALSCORE_DB.
"""

from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from celery import Celery

from portalscore.contract import secrets
from portalscore.contract.errors import InputError
from portalscore.contract.portal import Portal

from . import credentials
from .logs import bind
from .registry import Registry
from .storage import Store, now

log = logging.getLogger("portalscore.distributed")

TASK_NAME = "portalscore.collect_host_group"
MAX_LOSSES = 3  # times a host group may take its worker down before it is given up
# Longer than the longest host group can take, or Redis hands a running task to a second worker.
VISIBILITY_TIMEOUT_S = int(os.environ.get("PORTALSCORE_VISIBILITY_TIMEOUT", 12 * 3600))
MAX_RESENDS = 2  # a task that failed with an error is sent again this many times


def broker_url(value: str | None) -> str:
    url = value or os.environ.get("PORTALSCORE_BROKER")
    if not url:
        raise InputError(
            "the Celery broker is not set: pass --broker redis://HOST:6379/0 or set $PORTALSCORE_BROKER",
            field="--broker",
        )
    if not url.startswith(("redis://", "rediss://")):
        raise InputError(f"the broker must be a Redis URL (redis://HOST:PORT/DB), not {url!r}", field="--broker")
    return url


def require_shared_database(store_url: str) -> None:
    if store_url.startswith("sqlite"):
        raise InputError(
            "distributed runs need a database every worker can reach: pass --db postgresql://USER@HOST/DB "
            "(or set $PORTALSCORE_DB); a SQLite file is local to one machine",
            field="--db",
        )


def host_group(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def host_groups(portals: list[Portal]) -> dict[str, list[Portal]]:
    """Portals by the host:port they are served from, in registry order."""
    groups: dict[str, list[Portal]] = defaultdict(list)
    for p in portals:
        groups[host_group(p.url)].append(p)
    return dict(groups)


def make_app(broker: str, database: str | None = None) -> Celery:
    app = Celery("portalscore", broker=broker, backend=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a worker holds only the task it runs: the others stay for idle workers
        worker_max_tasks_per_child=20,  # a fresh process now and then: browsers can leak
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_S},
        result_backend_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_S},
        result_expires=7 * 24 * 3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        portalscore_database=database,
    )
    app.task(name=TASK_NAME, bind=True)(collect_host_group)
    return app


def collect_host_group(
    task, run_id: int, group: str, portal_ids: list[str], scenarios: bool, scenario_workers: int
) -> dict[str, str]:
    """Celery task: gather and store the evidence of the portals of one host group; returns their stages."""
    from portalscore.contract.evidence import from_dict
    from portalscore.crawler.settings import CrawlSettings

    from .pipeline import Progress, RunOptions, collect

    store = Store(task.app.conf.portalscore_database)
    try:
        run = store.run(run_id)
        if run is None:
            raise RuntimeError(
                f"run {run_id} is not in this worker's database {store.engine.url!r}: "
                "workers must use the coordinator's database"
            )
        portals = [Portal(**p) for p in run["portals"] if p["id"] in portal_ids]
        # The run names credential sets only: their values come from this worker's own environment.
        secrets.activate(
            credentials.resolve(Registry(name=run["registry_name"], file=run["registry_file"], portals=portals))
        )
        lost = [t for t in store.tasks(run_id) if t["host_group"] == group and t["status"] == "running"]
        if len(lost) >= MAX_LOSSES:
            _give_up(store, run_id, portals, f"the worker was lost {len(lost)} times while collecting {group}")
            return store.portal_stages(run_id)
        settings = from_dict(CrawlSettings, run["settings"])
        artefact_dir = Path(run["settings"].get("artefact_dir") or "artefacts")
        artefact_dir.mkdir(parents=True, exist_ok=True)
        opts = RunOptions(settings=settings, scenarios=scenarios, scenario_workers=scenario_workers)
        task_row = store.task_started(run_id, group, portal_ids, task.request.hostname or "?", os.getpid())
        try:
            with bind(run_id=run_id):
                collect(store, run_id, portals, opts, artefact_dir, Progress(lambda line: log.info("%s", line)))
        except BaseException:
            store.task_finished(task_row, "failed")
            raise
        store.task_finished(task_row, "done")
        stages = store.portal_stages(run_id)
        return {pid: stages.get(pid, "pending") for pid in portal_ids}
    finally:
        store.close()


def _give_up(store: Store, run_id: int, portals: list[Portal], reason: str) -> None:
    """Close the portals' collection with what is stored and the reason, so the run can complete."""
    for portal in portals:
        if store.stage(run_id, portal.id) == "done":
            continue
        ev = store.evidence(run_id, portal.id)
        ev.errors.append(f"not fully collected: {reason}")
        ev.finished_at = ev.finished_at or now()
        store.save_portal(run_id, ev, "done")


def start_worker(
    broker: str, database: str, name: str | None = None, concurrency: int = 1, loglevel: str = "INFO"
) -> None:
    """Run a Celery worker until stopped (SIGTERM finishes the task in hand; a second one aborts it)."""
    require_shared_database(database)
    Store(database).close()  # migrate and check the database now, not in the middle of the first task
    app = make_app(broker, database)
    argv = [
        "worker",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        f"--loglevel={loglevel}",
        "--without-gossip",
        "--without-mingle",
        "-n",
        name or f"portalscore-{os.getpid()}@%h",
    ]
    app.worker_main(argv)


def run_distributed(
    registry: Registry,
    criteria,
    out_dir: Path,
    store: Store,
    opts,
    broker: str,
    resume: bool = False,
    progress=None,
    poll_s: float = 1.0,
):
    """The whole run, with evidence collected by Celery workers; returns a pipeline.RunResult."""
    from .logs import RUN_LOG, RunLog
    from .pipeline import Progress

    require_shared_database(store.url)
    progress = progress or Progress()
    with RunLog(Path(out_dir) / RUN_LOG) as run_log:  # the coordinator's events; workers log where they run
        try:
            return _coordinate(registry, criteria, out_dir, store, opts, broker, resume, progress, poll_s, run_log)
        finally:
            progress.close()


def _coordinate(
    registry: Registry,
    criteria,
    out_dir: Path,
    store: Store,
    opts,
    broker: str,
    resume: bool,
    progress,
    poll_s: float,
    run_log,
):
    from .pipeline import RunResult, score_run, start_or_resume, write_report

    out_dir = Path(out_dir)
    artefact_dir = out_dir / "artefacts"
    artefact_dir.mkdir(parents=True, exist_ok=True)
    app = make_app(broker)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=2, interval_start=0.5, interval_step=0.5)
    except Exception as e:
        raise InputError(f"cannot reach the broker {broker}: {e}", field="--broker") from None

    run_id, portals = start_or_resume(store, registry, criteria, artefact_dir, opts, resume, progress, distributed=True)
    run_log.run_id = run_id
    if not app.control.ping(timeout=1.0):
        progress.say(
            "no worker has answered yet: the tasks wait in the queue until one starts "
            "(portalscore worker --broker ... --db ...)"
        )
    stages = store.portal_stages(run_id)
    todo = {
        key: [p.id for p in group]
        for key, group in host_groups(portals).items()
        if any(stages.get(p.id) != "done" for p in group)
    }

    def send(key: str):
        return app.send_task(TASK_NAME, args=[run_id, key, todo[key], opts.scenarios, opts.scenario_workers])

    pending = {key: send(key) for key in todo}
    resends: dict[str, int] = defaultdict(int)
    progress.say(f"run {run_id}: {len(pending)} host groups queued")
    while pending:
        time.sleep(poll_s)
        for key, result in list(pending.items()):
            if not result.ready():
                continue
            ok, outcome = result.successful(), result.result
            result.forget()  # the database holds the outcome; the backend's copy is not needed
            if ok:
                del pending[key]
                progress.say(f"collected {key}: {', '.join(todo[key])} ({len(todo) - len(pending)}/{len(todo)})")
            elif resends[key] < MAX_RESENDS:
                resends[key] += 1
                log.warning("host group %s failed (%s: %s); sending it again", key, type(outcome).__name__, outcome)
                pending[key] = send(key)
            else:
                del pending[key]
                by_id = {p.id: p for p in portals}
                _give_up(
                    store,
                    run_id,
                    [by_id[i] for i in todo[key]],
                    f"its task failed {MAX_RESENDS + 1} times: {type(outcome).__name__}: {outcome}",
                )

    missing = [pid for pid, stage in store.portal_stages(run_id).items() if stage != "done"]
    if missing:  # cannot happen unless the database was changed under us; never report silently
        raise RuntimeError(f"run {run_id}: portals not collected: {', '.join(missing)}")
    score_run(store, run_id, criteria)
    store.finish_run(run_id, complete=False)  # complete only once its report is written (see pipeline.evaluate)
    ranked = write_report(store, run_id, criteria, out_dir, lang=opts.lang, artefact_dir=artefact_dir)
    store.finish_run(run_id)
    return RunResult(run_id=run_id, out_dir=out_dir, scores=ranked)
