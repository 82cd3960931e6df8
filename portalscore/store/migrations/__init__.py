"""Schema migrations (Alembic), applied by `Store()` on open: no alembic.ini, no separate step.

`upgrade(url)` brings any portalscore database to the newest schema:
  - a new database gets every migration;
  - a database made by portalscore before migrations existed (tables created with
    `metadata.create_all`, no `alembic_version` table) is adopted: stamped as 0001, then upgraded;
  - several processes opening the same database at once (Celery workers, a scheduler and a
    report) migrate it once: PostgreSQL by an advisory lock, SQLite by an exclusive transaction.
The migrations are the only definition of the schema. To change it: a new file in versions/ with
`down_revision` = the previous head; queries name the tables and columns in store/schema.py
(tests/test_storage.py checks that every name there exists in a migrated database).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

HERE = Path(__file__).resolve().parent
BASELINE = "0001"  # the schema portalscore's first version created with create_all
_PG_LOCK_KEY = 7_240_521_001  # arbitrary, constant: "portalscore migrations"


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    newest = ScriptDirectory.from_config(config()).get_current_head()
    assert newest is not None, "no migrations in versions/"
    return newest


def current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _migration_engine(url: str) -> Engine:
    """An engine whose transactions take the database's write lock before reading anything."""
    if not url.startswith("sqlite"):
        return create_engine(url, poolclass=NullPool)
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 60})

    # SQLAlchemy's documented recipe: let it, not the sqlite3 module, decide when transactions
    # begin, and make them exclusive so a second process waits instead of racing on CREATE TABLE.
    @event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_conn, _record):
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _exclusive(conn):
        conn.exec_driver_sql("BEGIN EXCLUSIVE")

    return engine


def upgrade(url: str, engine: Engine | None = None) -> str:
    """Migrate the database at `url` to the newest schema; returns the revision it is at.

    `engine` is for a private in-memory database, which only the caller's engine can reach."""
    target = head()
    own = engine is None
    engine = engine or _migration_engine(url)
    try:
        with engine.connect() as conn:
            if current(conn) == target:  # the usual case: nothing to do, no lock taken
                return target
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            tables = set(inspect(conn).get_table_names())
            cfg = config(conn)
            if "alembic_version" not in tables and "runs" in tables:
                command.stamp(cfg, BASELINE)  # adopt a database made by create_all
            command.upgrade(cfg, "head")
            return current(conn) or target
    finally:
        if own:
            engine.dispose()
