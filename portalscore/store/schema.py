"""The tables as the queries see them: names and column types only (`sqlalchemy.table()`/`column()`).

The schema itself — keys, constraints, indexes, column sizes — is defined once, by the Alembic migrations
(store/migrations/versions). These constructs carry no DDL, so there is nothing here to keep in step with
them beyond the names; tests/test_storage.py checks every column named here exists in a migrated database.
"""

from __future__ import annotations

from sqlalchemy import JSON, Float, Integer, String, Text, column, table

runs = table(
    "runs",
    column("id", Integer),
    column("registry_name", String),
    column("registry_file", Text),
    column("criteria_set", String),
    column("status", String),  # running | complete
    column("started_at", String),
    column("finished_at", String),
    column("settings", JSON),  # RunSettings.to_stored()
    column("portals", JSON),  # the registry entries evaluated
)

run_portals = table(
    "run_portals",
    column("run_id", Integer),
    column("portal_id", String),
    column("stage", String),  # pending | crawled | measured | done
    column("evidence", JSON),  # PortalEvidence without pages
    column("updated_at", String),
)

pages = table(
    "pages",
    column("id", Integer),
    column("run_id", Integer),
    column("portal_id", String),
    column("url", Text),
    column("profile", String),
    column("content_hash", String),
    column("data", JSON),  # PageEvidence
)

scores = table(
    "scores",
    column("run_id", Integer),
    column("criteria_set", String),
    column("portal_id", String),
    column("score", JSON),  # PortalScore
    column("created_at", String),
)

# One row per unit of distributed work (a host group) each time the coordinator sends it; the worker that
# takes it fills in who and when, and keeps its lease alive (store/tasks.py).
tasks = table(
    "tasks",
    column("id", Integer),
    column("run_id", Integer),
    column("host_group", String),
    column("portal_ids", JSON),
    column("worker", String),
    column("pid", Integer),
    column("status", String),  # queued | running | done | failed | lost | superseded
    column("queued_at", String),
    column("started_at", String),  # microsecond precision: intervals are compared
    column("finished_at", String),
    column("lease_until", Float),  # the database's clock, seconds since the epoch
    column("error", Text),
)

TABLES = (runs, run_portals, pages, scores, tasks)
