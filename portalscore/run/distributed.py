"""Scale-out on Celery with Redis as broker: the Celery executor of a run (`portalscore run --workers celery`)
and the worker's task (`portalscore worker`).

The coordinator (`CeleryExecutor.collect`) sends one task per *host group* — the portals served from one
host:port — and watches the tasks in the database until every group is collected; the run then ends as
a local one does (run/finish.py). Workers take tasks one at a time (one browser per worker process) and
collect with the local run's code (run/collect.py) into the same database.

Why these choices:
  - Per-host politeness holds across machines by construction: all portals of a host:port are in one
    task, a task runs in one worker, and within it the crawler's per-host limits apply.
  - A lost worker costs a minute, not hours. The task row (store/tasks.py) is the truth, not the
    broker: a worker takes its row with a lease of LEASE_S seconds on the database's clock and renews
    it every HEARTBEAT_S (run/lease.py); a lease that runs out means the worker is gone (killed, its
    machine down, cut off), and the coordinator sends the group again as a new row. A message whose
    row is not waiting to be taken — a stale or repeated delivery, e.g. Redis redelivering the dead
    worker's message after its visibility timeout — does nothing.
  - Re-doing is harmless: collection skips stages already stored, and a half-crawled portal resumes
    from its stored pages (each page is stored once, whoever stores it).
  - A host group that takes its worker down again and again is given up after MAX_LOSSES losses, and
    one whose task fails with an error after MAX_RESENDS resends, with the reason recorded on its
    portals, so one poisonous portal cannot stall the run.
  - Task messages carry ids only, never the database URL (which may hold a password): each worker is
    given the database by its own --db / $PORTALSCORE_DB.
"""

from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from celery import Celery
from celery.exceptions import Reject

from portalscore.contract import secrets
from portalscore.contract.errors import InputError
from portalscore.contract.portal import Portal
from portalscore.credentials import resolve
from portalscore.logs import bind
from portalscore.progress import Progress
from portalscore.registry import Registry
from portalscore.store import RunRecord, Store, TaskRecord, now

from .collect import collect
from .lease import Heartbeat

log = logging.getLogger("portalscore.distributed")

TASK_NAME = "portalscore.collect_host_group"
MAX_LOSSES = 3  # times a host group may lose its worker before it is given up
MAX_RESENDS = 2  # a task that failed with an error is sent again this many times
LEASE_S = float(os.environ.get("PORTALSCORE_LEASE_S", 60))  # a worker silent this long is presumed gone
HEARTBEAT_S = LEASE_S / 6  # a few missed beats (a slow database, a loaded machine) are not a loss
# How long Redis waits before handing an unacknowledged message out again. Leases, not this, decide when
# a task is redone; a redelivered message finds its task taken or lost and does nothing.
VISIBILITY_TIMEOUT_S = int(os.environ.get("PORTALSCORE_VISIBILITY_TIMEOUT", 12 * 3600))
REQUEUE_PAUSE_S = 5  # before a message this worker cannot take goes back to the queue (no hot loop)
WAITING_NOTICE_S = 300  # the coordinator says so when host groups wait this long for a worker


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


def host_groups(portals: Sequence[Portal]) -> dict[str, list[Portal]]:
    """Portals by the host:port they are served from, in registry order."""
    groups: dict[str, list[Portal]] = defaultdict(list)
    for p in portals:
        groups[host_group(p.url)].append(p)
    return dict(groups)


def make_app(broker: str, database: str | None = None) -> Celery:
    app = Celery("portalscore", broker=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,  # a message taken by a worker that dies before claiming its task is not lost
        task_reject_on_worker_lost=True,  # ... and goes back at once when only the pool process died
        task_ignore_result=True,  # outcomes are in the database
        worker_prefetch_multiplier=1,  # a worker holds only the task it runs: the others stay for idle workers
        worker_max_tasks_per_child=20,  # a fresh process now and then: browsers can leak
        task_serializer="json",
        accept_content=["json"],
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_S},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        portalscore_database=database,
    )
    app.task(name=TASK_NAME, bind=True)(collect_host_group)
    return app


# -- the worker's side ------------------------------------------------------------------------------------------


def collect_host_group(task, run_id: int, task_id: int) -> str:
    """Celery task: take task row `task_id` and collect its portals; "stale" when it was not there to take."""
    try:
        store = Store(task.app.conf.portalscore_database)
        try:
            claimed = store.claim_task(task_id, task.request.hostname or "?", os.getpid(), LEASE_S)
        except BaseException:
            store.close()
            raise
    except Exception as e:  # the database unreachable: the message goes back for a worker that can do it
        log.error("cannot take task %d of run %d: %s; putting it back in the queue", task_id, run_id, e)
        time.sleep(REQUEUE_PAUSE_S)
        raise Reject(str(e), requeue=True) from e
    try:
        if not claimed:
            row = store.task(task_id)
            if row is None:
                log.error(
                    "task %d of run %d is not in this worker's database %s: workers must use the coordinator's "
                    "database; putting it back in the queue",
                    task_id,
                    run_id,
                    store.engine.url,
                )
                time.sleep(REQUEUE_PAUSE_S)
                raise Reject(f"task {task_id} is not in this worker's database", requeue=True)
            log.info("task %d (%s) is %s: a stale delivery, nothing to do", task_id, row.host_group, row.status)
            return "stale"
        try:
            with Heartbeat(store, task_id, LEASE_S, HEARTBEAT_S):
                _collect_task(store, run_id, task_id)
        except BaseException as e:
            store.finish_task(task_id, "failed", error=secrets.redact(f"{type(e).__name__}: {e}"))
            raise
        store.finish_task(task_id, "done")
        return "done"
    finally:
        store.close()


def _collect_task(store: Store, run_id: int, task_id: int) -> None:
    run, row = store.run(run_id), store.task(task_id)
    if run is None or row is None:
        raise RuntimeError(f"run {run_id} or its task {task_id} vanished from the database")
    portals = [p for p in run.portals if p.id in row.portal_ids]
    # The run names credential sets only: their values come from this worker's own environment.
    secrets.activate(resolve(Registry(name=run.registry_name, file=run.registry_file, portals=portals)))
    with bind(run_id=run_id):
        collect(store, run, portals, Progress(lambda line: log.info("%s", line)))


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


# -- the coordinator's side -------------------------------------------------------------------------------------


@dataclass
class CeleryExecutor:
    """Has `portalscore worker` processes collect the run, one task per host group."""

    broker: str
    poll_s: float = 1.0

    def check(self, store: Store) -> None:
        require_shared_database(store.url)
        app = make_app(self.broker)
        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=2, interval_start=0.5, interval_step=0.5)
        except Exception as e:
            raise InputError(f"cannot reach the broker {self.broker}: {e}", field="--broker") from None

    def collect(self, store: Store, run: RunRecord, portals: Sequence[Portal], progress: Progress) -> None:
        app = make_app(self.broker)
        if not app.control.ping(timeout=1.0):
            progress.say(
                "no worker has answered yet: the tasks wait in the queue until one starts "
                "(portalscore worker --broker ... --db ...)"
            )
        stages = store.portal_stages(run.id)
        todo = {
            key: group for key, group in host_groups(portals).items() if any(stages.get(p.id) != "done" for p in group)
        }
        waiting = dict(todo)
        progress.say(f"run {run.id}: {len(todo)} host groups to collect")
        starting = True
        noticed = time.monotonic()
        while waiting:
            stages = store.portal_stages(run.id)
            sendings: dict[str, list[TaskRecord]] = defaultdict(list)
            for t in store.tasks(run.id):
                sendings[t.host_group].append(t)
            for key, group in list(waiting.items()):
                if self._advance(app, store, run.id, key, group, stages, sendings[key], starting, progress):
                    del waiting[key]
                    progress.say(
                        f"collected {key}: {', '.join(p.id for p in group)} ({len(todo) - len(waiting)}/{len(todo)})"
                    )
            starting = False
            queued = [key for key in waiting if sendings[key] and sendings[key][-1].status == "queued"]
            if queued and time.monotonic() - noticed > WAITING_NOTICE_S:
                noticed = time.monotonic()
                progress.say(
                    f"{len(queued)} host groups waiting for a worker (is `portalscore worker` running, "
                    "with this run's database?)"
                )
            if waiting:
                time.sleep(self.poll_s)

    def _advance(
        self,
        app: Celery,
        store: Store,
        run_id: int,
        key: str,
        group: list[Portal],
        stages: dict[str, str],
        sendings: list[TaskRecord],
        starting: bool,
        progress: Progress,
    ) -> bool:
        """One look at a host group: send, wait, send again or give up. True once it is collected."""
        if all(stages.get(p.id) == "done" for p in group):
            return True
        current = sendings[-1] if sendings else None
        if current is not None and current.status == "running" and store.expire_lease(current.id):
            log.warning(
                "host group %s: worker %s (pid %s) stopped renewing its lease; presumed lost",
                key,
                current.worker,
                current.pid,
                extra={"event": "worker_lost", "host_group": key, "worker": current.worker, "task": current.id},
            )
            progress.say(f"{key}: worker {current.worker} lost; sending the host group again")
            current = None
            sendings = [*sendings[:-1], replace(sendings[-1], status="lost")]
        elif current is not None and current.status == "queued" and starting:
            # Sent by an earlier coordinator of this run: its message may be gone with the broker's data. (If a
            # worker takes it first, it is running: watched like any other.)
            if store.finish_task(current.id, "superseded"):
                sendings = [*sendings[:-1], replace(current, status="superseded")]
                current = None
            else:
                return False
        if current is not None and current.status in ("queued", "running"):
            return False
        if current is not None and current.status == "done":
            return True  # a worker collected it (stages said otherwise only if they were changed since)
        losses = sum(t.status == "lost" for t in sendings)
        failures = [t for t in sendings if t.status == "failed"]
        if losses >= MAX_LOSSES:
            _give_up(store, run_id, group, f"the worker was lost {losses} times while collecting {key}")
            return True
        if len(failures) > MAX_RESENDS:
            _give_up(store, run_id, group, f"its task failed {len(failures)} times: {failures[-1].error}")
            return True
        if failures and current is not None:
            log.warning("host group %s failed (%s); sending it again", key, failures[-1].error)
        task_id = store.queue_task(run_id, key, [p.id for p in group])
        app.send_task(TASK_NAME, args=[run_id, task_id])
        return False


def _give_up(store: Store, run_id: int, portals: Sequence[Portal], reason: str) -> None:
    """Close the portals' collection with what is stored and the reason, so the run can complete."""
    log.warning("giving up on %s: %s", ", ".join(p.id for p in portals), reason)
    for portal in portals:
        if store.stage(run_id, portal.id) == "done":
            continue
        ev = store.evidence(run_id, portal.id)
        ev.errors.append(f"not fully collected: {reason}")
        ev.finished_at = ev.finished_at or now()
        store.save_portal(run_id, ev, "done")
