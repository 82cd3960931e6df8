"""Runs and their evidence in one database, through SQLAlchemy Core: a SQLite file by default
(zero set-up), PostgreSQL (`postgresql://...`) for an installation shared by several machines.

The schema is migrated by Alembic (portalscore/migrations) when a Store opens; the tables below
must stay equal to what the migrations build (tests/test_storage.py compares them).

Every page is written as it completes, in its own transaction, so a run killed at any
point keeps what it had and `--resume` picks up from there. Evidence is stored as JSON
documents (the shape of portalscore.contract.evidence), so scoring can be redone without re-crawling.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    exc,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool

from portalscore.contract import secrets
from portalscore.contract.errors import InputError
from portalscore.contract.evidence import Accessibility, PageEvidence, PortalEvidence, PortalRef, from_dict, to_dict
from portalscore.criteria.model import PortalScore

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("registry_name", String(200), nullable=False),
    Column("registry_file", Text, nullable=False, default=""),
    Column("criteria_set", String(200), nullable=False),
    Column("status", String(20), nullable=False, default="running"),  # running | complete
    Column("started_at", String(40), nullable=False),
    Column("finished_at", String(40)),
    Column("settings", JSON, nullable=False, default=dict),
    Column("portals", JSON, nullable=False, default=list),  # the registry entries evaluated
)

run_portals = Table(
    "run_portals",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("portal_id", String(64), primary_key=True),
    Column("stage", String(20), nullable=False, default="pending"),  # pending | crawled | measured | done
    Column("evidence", JSON, nullable=False, default=dict),  # PortalEvidence without pages
    Column("updated_at", String(40)),
)

pages = Table(
    "pages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("portal_id", String(64), nullable=False),
    Column("url", Text, nullable=False),
    Column("profile", String(20), nullable=False),
    Column("content_hash", String(64), nullable=False, default=""),
    Column("data", JSON, nullable=False),
    UniqueConstraint("run_id", "portal_id", "url", "profile", name="uq_page"),
    Index("ix_pages_portal_hash", "portal_id", "content_hash"),  # incremental crawling (migration 0002)
)

scores = Table(
    "scores",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("criteria_set", String(200), primary_key=True),
    Column("portal_id", String(64), primary_key=True),
    Column("score", JSON, nullable=False),
    Column("created_at", String(40)),
)


# One row per unit of distributed work (a host group) each time a worker takes it: who did what,
# when, and how it ended (running rows left behind are work lost with its worker). Migration 0002.
tasks = Table(
    "tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("host_group", String(300), nullable=False),
    Column("portal_ids", JSON, nullable=False),
    Column("worker", String(300), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("status", String(20), nullable=False),  # running | done | failed
    Column("started_at", String(40), nullable=False),  # microsecond precision: intervals are compared
    Column("finished_at", String(40)),
)


PAGE_ORDER = "page_order"  # key in run_portals.evidence: [url, profile] of every page, in crawl order


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def now_precise() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def default_db_url() -> str:
    """$PORTALSCORE_DB, else a SQLite file under the user's data directory."""
    if os.environ.get("PORTALSCORE_DB"):
        return os.environ["PORTALSCORE_DB"]
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "portalscore"
    return f"sqlite:///{base / 'portalscore.db'}"


def _in_memory(url: str) -> bool:
    return url in ("sqlite://", "sqlite:///:memory:") or url.startswith("sqlite:///:memory:?")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers (report) do not block the crawl's writes
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class Store:
    def __init__(self, url: str | None = None):
        self.url = url or default_db_url()
        try:
            if self.url.startswith("sqlite:///") and not _in_memory(self.url):
                Path(self.url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
            self._open()
        except (exc.ArgumentError, exc.DatabaseError, OSError) as e:  # a wrong --db is the user's input, not a bug
            shown = make_url(self.url).render_as_string(hide_password=True) if "://" in self.url else self.url
            reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
            raise InputError(f"cannot open the database {shown}: {reason}", field="--db") from None
        self._registry_of_run: dict[int, str] = {}

    def _open(self) -> None:
        from .migrations import upgrade  # late: the migrations' env.py imports this module's metadata

        if _in_memory(self.url):
            # One connection for everyone, or each would see its own empty database.
            self.engine: Engine = create_engine(
                self.url, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        else:
            # pre-ping: the scheduler and workers hold connections for days; a server restart must not break them
            self.engine = create_engine(self.url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        upgrade(self.url, self.engine if _in_memory(self.url) else None)

    def close(self) -> None:
        self.engine.dispose()

    # runs --------------------------------------------------------------
    def create_run(
        self, registry_name: str, registry_file: str, criteria_set: str, settings: dict, portals: list[dict]
    ) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(runs).values(
                    registry_name=registry_name,
                    registry_file=registry_file,
                    criteria_set=criteria_set,
                    status="running",
                    started_at=now(),
                    settings=settings,
                    portals=portals,
                )
            )
            run_id = result.inserted_primary_key[0]
            for p in portals:
                conn.execute(
                    insert(run_portals).values(
                        run_id=run_id, portal_id=p["id"], stage="pending", evidence={}, updated_at=now()
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

    def run(self, run_id: int) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).mappings().first()
            return dict(row) if row else None

    def list_runs(self, limit: int = 50) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(runs).order_by(runs.c.id.desc()).limit(limit)).mappings().all()
            return [dict(r) for r in rows]

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

    # evidence ----------------------------------------------------------
    def stage(self, run_id: int, portal_id: str) -> str:
        with self.engine.connect() as conn:
            return (
                conn.execute(
                    select(run_portals.c.stage).where(
                        run_portals.c.run_id == run_id, run_portals.c.portal_id == portal_id
                    )
                ).scalar()
                or "pending"
            )

    def save_page(self, run_id: int, portal_id: str, page: PageEvidence) -> None:
        """Insert or replace one page's evidence, atomically."""
        data = secrets.scrub(to_dict(page))  # a portal's credentials never reach the database
        url = secrets.scrub(page.url)
        with self.engine.begin() as conn:
            existing = conn.execute(
                select(pages.c.id).where(
                    pages.c.run_id == run_id,
                    pages.c.portal_id == portal_id,
                    pages.c.url == url,
                    pages.c.profile == page.profile,
                )
            ).scalar()
            if existing is None:
                conn.execute(
                    insert(pages).values(
                        run_id=run_id,
                        portal_id=portal_id,
                        url=url,
                        profile=page.profile,
                        content_hash=page.content_hash,
                        data=data,
                    )
                )
            else:
                conn.execute(
                    update(pages).where(pages.c.id == existing).values(content_hash=page.content_hash, data=data)
                )

    def pages(self, run_id: int, portal_id: str) -> list[PageEvidence]:
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(pages.c.data)
                    .where(pages.c.run_id == run_id, pages.c.portal_id == portal_id)
                    .order_by(pages.c.id)
                )
                .scalars()
                .all()
            )
        return [from_dict(PageEvidence, _json(r)) for r in rows]

    def save_portal(self, run_id: int, evidence: PortalEvidence, stage: str) -> None:
        """Store everything but the pages (stored one by one) and move the portal to `stage`."""
        data = secrets.scrub(evidence.to_dict())
        data.pop("pages", None)
        if evidence.pages:
            # Rows are inserted as loads finish; this keeps the crawl's order, which the lab sample and
            # the criteria read, so a resumed (or any) run yields its pages in the same order.
            data[PAGE_ORDER] = [[secrets.scrub(p.url), p.profile] for p in evidence.pages]
        with self.engine.begin() as conn:
            conn.execute(
                update(run_portals)
                .where(run_portals.c.run_id == run_id, run_portals.c.portal_id == evidence.portal.id)
                .values(stage=stage, evidence=data, updated_at=now())
            )

    def evidence(self, run_id: int, portal_id: str) -> PortalEvidence:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(run_portals.c.evidence).where(
                    run_portals.c.run_id == run_id, run_portals.c.portal_id == portal_id
                )
            ).scalar()
            portal = next(p for p in self.run(run_id)["portals"] if p["id"] == portal_id)
        data = _json(row) or {}
        data.setdefault("portal", {k: portal[k] for k in ("id", "name", "kind", "url")})
        ev = PortalEvidence.from_dict(data)
        if not isinstance(ev.portal, PortalRef):
            ev.portal = PortalRef(**ev.portal)
        ev.pages = self.pages(run_id, portal_id)
        order = {(url, profile): i for i, (url, profile) in enumerate(data.get(PAGE_ORDER) or [])}
        if order:  # crawl order; pages it does not list (none, normally) keep their storage order, last
            ev.pages.sort(key=lambda p: order.get((p.url, p.profile), len(order)))
        return ev

    def portal_stages(self, run_id: int) -> dict[str, str]:
        """portal id -> stage, for every portal of the run."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(run_portals.c.portal_id, run_portals.c.stage).where(run_portals.c.run_id == run_id)
            ).all()
        return dict(rows)

    def previous_accessibility(
        self, run_id: int, portal_id: str, content_hash: str, profile: str = "desktop", engine: str | None = None
    ) -> Accessibility | None:
        """The axe result stored for the same content (same portal, profile and content hash) by the
        latest *complete* run of the same registry before `run_id`; None when there is none, when it
        had failed, or when `engine` is given (e.g. "axe-core 4.14.1") and the stored one differs.
        Its reused_from_run names the run that audited the content (kept along a chain of reuses).

        For incremental crawling: a page whose content is unchanged reuses its accessibility result."""
        if not content_hash:
            return None
        registry = self._registry_name(run_id)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(pages.c.run_id, pages.c.data)
                .join(runs, runs.c.id == pages.c.run_id)
                .where(
                    pages.c.portal_id == portal_id,
                    pages.c.content_hash == content_hash,
                    pages.c.profile == profile,
                    runs.c.registry_name == registry,
                    runs.c.status == "complete",
                    runs.c.id < run_id,
                )
                .order_by(runs.c.id.desc(), pages.c.id.desc())
                .limit(20)
            ).all()
        for audited_in, data in rows:
            acc = _json(data).get("accessibility")
            if not acc or acc.get("error") or acc.get("sampled_from") is not None:
                continue  # failed, or another page's audit (template sampling): not this content's
            result = from_dict(Accessibility, acc)
            if engine is None or result.engine == engine:
                if result.reused_from_run is None:
                    result.reused_from_run = audited_in
                return result
        return None

    def _registry_name(self, run_id: int) -> str:
        if run_id not in self._registry_of_run:
            run = self.run(run_id)
            if run is None:
                raise KeyError(f"no run {run_id}")
            self._registry_of_run[run_id] = run["registry_name"]
        return self._registry_of_run[run_id]

    # distributed work log -----------------------------------------------
    def task_started(self, run_id: int, host_group: str, portal_ids: list[str], worker: str, pid: int) -> int:
        with self.engine.begin() as conn:
            return conn.execute(
                insert(tasks).values(
                    run_id=run_id,
                    host_group=host_group,
                    portal_ids=portal_ids,
                    worker=worker,
                    pid=pid,
                    status="running",
                    started_at=now_precise(),
                )
            ).inserted_primary_key[0]

    def task_finished(self, task_id: int, status: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(tasks).where(tasks.c.id == task_id).values(status=status, finished_at=now_precise()))

    def tasks(self, run_id: int) -> list[dict]:
        """Every time a worker took a unit of this run's work, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(tasks).where(tasks.c.run_id == run_id).order_by(tasks.c.id)).mappings().all()
        return [dict(r) | {"portal_ids": _json(r["portal_ids"])} for r in rows]

    # scores ------------------------------------------------------------
    def save_scores(self, run_id: int, criteria_set: str, portal_scores: list[PortalScore]) -> None:
        with self.engine.begin() as conn:
            conn.execute(scores.delete().where(scores.c.run_id == run_id, scores.c.criteria_set == criteria_set))
            for ps in portal_scores:
                conn.execute(
                    insert(scores).values(
                        run_id=run_id,
                        criteria_set=criteria_set,
                        portal_id=ps.portal_id,
                        score=ps.to_dict(),
                        created_at=now(),
                    )
                )

    def scores(self, run_id: int, criteria_set: str) -> list[PortalScore]:
        """The run's scores with this criteria set, in ranking order (empty when not scored with it)."""
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(scores.c.score).where(scores.c.run_id == run_id, scores.c.criteria_set == criteria_set)
                )
                .scalars()
                .all()
            )
        return sorted((PortalScore.from_dict(_json(r)) for r in rows), key=lambda s: (s.rank, s.portal_id))

    def history(self, registry_name: str, criteria_set: str, up_to_run: int) -> dict[str, list[dict]]:
        """portal id -> [{run_id, generated_at, score, rank}] over complete runs of this registry, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(runs.c.id, runs.c.started_at, scores.c.portal_id, scores.c.score)
                .join(scores, scores.c.run_id == runs.c.id)
                .where(
                    runs.c.registry_name == registry_name, scores.c.criteria_set == criteria_set, runs.c.id <= up_to_run
                )
                .order_by(runs.c.id)
            ).all()
        out: dict[str, list[dict]] = {}
        for run_id, started, portal_id, score in rows:
            s = _json(score)
            out.setdefault(portal_id, []).append(
                {"run_id": run_id, "generated_at": started, "score": s["score"], "rank": s["rank"]}
            )
        return out


def _json(value: Any) -> Any:
    # Some drivers hand JSON columns back as text.
    return json.loads(value) if isinstance(value, str) else value
