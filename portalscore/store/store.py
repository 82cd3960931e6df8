"""Runs and their evidence in one database, through SQLAlchemy Core: a SQLite file by default
(zero set-up), PostgreSQL (`postgresql://...`) for an installation shared by several machines.

The schema is defined and migrated by Alembic (store/migrations) when a Store opens; the queries
name tables and columns through store/schema.py. Every page is written as it completes, in its
own transaction, so a run killed at any point keeps what it had and `--resume` picks up from there.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from .database import default_db_url, open_engine
from .evidence import EvidenceQueries
from .runs import RunQueries
from .scores import ScoreQueries
from .tasks import TaskQueries


class Store(RunQueries, EvidenceQueries, ScoreQueries, TaskQueries):
    def __init__(self, url: str | None = None):
        self.url = url or default_db_url()
        self.engine: Engine = open_engine(self.url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
