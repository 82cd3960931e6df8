"""Runs: created, finished, looked up; and the lock that keeps two runs of one registry from overlapping."""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import Engine

from portalscore.contract.evidence import from_dict
from portalscore.contract.portal import Portal
from portalscore.runsettings import RunSettings

from .database import from_json, now
from .records import RunRecord
from .schema import run_portals, runs


def _record(row: Any) -> RunRecord:
    return RunRecord(
        id=row.id,
        registry_name=row.registry_name,
        registry_file=row.registry_file,
        criteria_set=row.criteria_set,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        settings=RunSettings.from_stored(from_json(row.settings) or {}),
        portals=tuple(from_dict(Portal, p) for p in from_json(row.portals) or []),
    )


class RunQueries:
    engine: Engine

    def create_run(
        self,
        registry_name: str,
        registry_file: str,
        criteria_set: str,
        settings: RunSettings,
        portals: Sequence[Portal],
    ) -> int:
        with self.engine.begin() as conn:
            run_id: int = conn.execute(
                insert(runs)
                .values(
                    registry_name=registry_name,
                    registry_file=registry_file,
                    criteria_set=criteria_set,
                    status="running",
                    started_at=now(),
                    settings=settings.to_stored(),
                    portals=[asdict(p) for p in portals],
                )
                .returning(runs.c.id)
            ).scalar_one()
            for p in portals:
                conn.execute(
                    insert(run_portals).values(
                        run_id=run_id, portal_id=p.id, stage="pending", evidence={}, updated_at=now()
                    )
                )
            return run_id

    def finish_run(self, run_id: int, complete: bool = True) -> None:
        """complete=False only dates the run (its report shows that date) and leaves it resumable; then
        complete=True, once the report is written, marks it complete and keeps the date."""
        with self.engine.begin() as conn:
            if complete:
                conn.execute(
                    update(runs)
                    .where(runs.c.id == run_id)
                    .values(status="complete", finished_at=func.coalesce(runs.c.finished_at, now()))
                )
            else:
                conn.execute(update(runs).where(runs.c.id == run_id).values(finished_at=now()))

    def run(self, run_id: int) -> RunRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).first()
        return _record(row) if row else None

    def list_runs(self, limit: int = 50) -> list[RunRecord]:
        """The newest runs first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(runs).order_by(runs.c.id.desc()).limit(limit)).all()
        return [_record(r) for r in rows]

    def last_unfinished_run(self, registry_name: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.max(runs.c.id)).where(runs.c.registry_name == registry_name, runs.c.status == "running")
            ).scalar()

    def previous_complete_run(self, registry_name: str, before_run: int) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.max(runs.c.id)).where(
                    runs.c.registry_name == registry_name, runs.c.status == "complete", runs.c.id < before_run
                )
            ).scalar()

    @contextmanager
    def registry_lock(self, registry_name: str) -> Iterator[bool]:
        """Try to become the one process making a run of this registry; yields whether it did.

        Held until the block ends, across machines sharing the database: a PostgreSQL session
        advisory lock, or on SQLite an exclusive lock on a file beside the database file."""
        key = int.from_bytes(
            hashlib.sha256(f"portalscore-run:{registry_name}".encode()).digest()[:8], "big", signed=True
        )
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                acquired = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
                conn.commit()
                try:
                    yield acquired
                finally:
                    if acquired:
                        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                        conn.commit()
            return
        database = self.engine.url.database
        if not database or database == ":memory:":
            yield True  # a private database: no other process can make runs in it
            return
        with open(f"{database}.run-{key & 0xFFFFFFFF:08x}.lock", "a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
