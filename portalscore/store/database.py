"""Opening the database: which one, the engine for it, and the few things that differ between SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, exc, func
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.elements import ColumnElement

from portalscore.contract.errors import InputError

from .migrations import upgrade


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


def in_memory(url: str) -> bool:
    return url in ("sqlite://", "sqlite:///:memory:") or url.startswith("sqlite:///:memory:?")


def shown(url: str) -> str:
    """The URL as it may be printed: without its password."""
    return make_url(url).render_as_string(hide_password=True) if "://" in url else url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers (report) do not block the crawl's writes
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def open_engine(url: str) -> Engine:
    """An engine on a database migrated to the newest schema; InputError (one line, no password) if it cannot be."""
    try:
        if url.startswith("sqlite:///") and not in_memory(url):
            Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
        if in_memory(url):
            # One connection for everyone, or each would see its own empty database.
            engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            # pre-ping: the scheduler and workers hold connections for days; a server restart must not break them
            engine = create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        upgrade(url, engine if in_memory(url) else None)
        return engine
    except (exc.ArgumentError, exc.DatabaseError, OSError) as e:  # a wrong --db is the user's input, not a bug
        reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
        raise InputError(f"cannot open the database {shown(url)}: {reason}", field="--db") from None


def db_clock(dialect: str) -> ColumnElement[Any]:
    """The database server's clock, in seconds since the epoch: one clock for leases whatever the
    machines' own clocks say."""
    if dialect == "postgresql":
        return func.extract("epoch", func.clock_timestamp())  # clock_timestamp: now, not the transaction's start
    return (func.julianday("now") - 2440587.5) * 86400.0


def from_json(value: Any) -> Any:
    # Some drivers hand JSON columns back as text.
    return json.loads(value) if isinstance(value, str) else value
