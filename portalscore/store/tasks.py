"""The log of distributed work, and the leases that tell a working worker from a lost one.

A task row is one sending of a host group by the coordinator (`queue_task`). A worker that receives the
message takes the row (`claim_task`: queued -> running, with a lease) or, when the row is anything but
queued — taken already, declared lost, superseded — does nothing: that is how a stale or repeated delivery
is told from a live one. While it works, the worker renews its lease (`renew_lease`); the coordinator
declares a running row whose lease has run out `lost` (`expire_lease`) and sends the host group again as
a new row. Every change is one conditional UPDATE, so two processes can never both win the same row.
Leases are on the database server's clock: machines need not agree on the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Engine

from .database import db_clock, from_json, now_precise
from .records import TaskRecord
from .schema import tasks

# What a row may become, from what.
_ENDINGS = {"done": ("running",), "failed": ("running",), "superseded": ("queued",)}


def _record(row: Any) -> TaskRecord:
    return TaskRecord(
        id=row.id,
        run_id=row.run_id,
        host_group=row.host_group,
        portal_ids=tuple(from_json(row.portal_ids) or ()),
        status=row.status,
        queued_at=row.queued_at,
        worker=row.worker,
        pid=row.pid,
        started_at=row.started_at,
        finished_at=row.finished_at,
        lease_until=row.lease_until,
        error=row.error,
    )


class TaskQueries:
    engine: Engine

    def queue_task(self, run_id: int, host_group: str, portal_ids: Sequence[str]) -> int:
        """A new sending of this host group; its id goes in the message."""
        with self.engine.begin() as conn:
            task_id: int = conn.execute(
                insert(tasks)
                .values(
                    run_id=run_id,
                    host_group=host_group,
                    portal_ids=list(portal_ids),
                    status="queued",
                    queued_at=now_precise(),
                )
                .returning(tasks.c.id)
            ).scalar_one()
        return task_id

    def claim_task(self, task_id: int, worker: str, pid: int, lease_s: float) -> bool:
        """Take a queued task, with a lease of lease_s seconds; False when it is not queued (any more)."""
        clock = db_clock(self.engine.dialect.name)
        with self.engine.begin() as conn:
            taken = conn.execute(
                update(tasks)
                .where(tasks.c.id == task_id, tasks.c.status == "queued")
                .values(status="running", worker=worker, pid=pid, started_at=now_precise(), lease_until=clock + lease_s)
            ).rowcount
        return taken == 1

    def renew_lease(self, task_id: int, lease_s: float) -> bool:
        """Push a running task's lease lease_s seconds ahead; False when it is no longer running (the
        coordinator declared it lost: its worker must stop)."""
        clock = db_clock(self.engine.dialect.name)
        with self.engine.begin() as conn:
            renewed = conn.execute(
                update(tasks)
                .where(tasks.c.id == task_id, tasks.c.status == "running")
                .values(lease_until=clock + lease_s)
            ).rowcount
        return renewed == 1

    def expire_lease(self, task_id: int) -> bool:
        """Declare a running task lost if its lease has run out (or it never had one); whether it did."""
        clock = db_clock(self.engine.dialect.name)
        with self.engine.begin() as conn:
            lost = conn.execute(
                update(tasks)
                .where(
                    tasks.c.id == task_id,
                    tasks.c.status == "running",
                    or_(tasks.c.lease_until.is_(None), tasks.c.lease_until < clock),
                )
                .values(status="lost", finished_at=now_precise())
            ).rowcount
        return lost == 1

    def finish_task(self, task_id: int, status: str, error: str | None = None) -> bool:
        """done or failed (a running task), or superseded (a queued one no longer wanted); False when the
        task was not in the state to end so (a worker finishing a task it had been presumed lost on)."""
        with self.engine.begin() as conn:
            ended = conn.execute(
                update(tasks)
                .where(tasks.c.id == task_id, tasks.c.status.in_(_ENDINGS[status]))
                .values(status=status, finished_at=now_precise(), error=error)
            ).rowcount
        return ended == 1

    def task(self, task_id: int) -> TaskRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(tasks).where(tasks.c.id == task_id)).first()
        return _record(row) if row else None

    def tasks(self, run_id: int) -> list[TaskRecord]:
        """Every sending of this run's work, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(tasks).where(tasks.c.run_id == run_id).order_by(tasks.c.id)).all()
        return [_record(r) for r in rows]
