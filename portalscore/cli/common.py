"""What every command group shares: the store (opened here and nowhere else), progress, run ids, results."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from portalscore.contract import secrets
from portalscore.contract.errors import InputError

if TYPE_CHECKING:
    from portalscore.criteria import CriteriaSet
    from portalscore.progress import Progress
    from portalscore.registry import Registry
    from portalscore.run import Executor, RunResult
    from portalscore.runsettings import RunSettings
    from portalscore.store import RunRecord, Store


@contextmanager
def open_store(db: str | None) -> Iterator[Store]:
    """The database of --db (or $PORTALSCORE_DB, or the default file), closed at the end of the block."""
    from portalscore.store import Store

    store = Store(db)
    try:
        yield store
    finally:
        store.close()


def database_url(db: str | None) -> str:
    from portalscore.store import default_db_url

    return db or default_db_url()


def progress(quiet: bool) -> Progress:
    """Progress on stderr: a live block on a terminal, plain lines otherwise, nothing with --quiet."""
    from portalscore.progress import make_progress

    return make_progress(sys.stderr, quiet, clean=secrets.redact)


def executor_for(settings: RunSettings, args: argparse.Namespace) -> Executor:
    """Where the run's evidence is collected. Celery's URLs are checked here, before the store is opened."""
    from portalscore.run import LocalExecutor

    if settings.executor != "celery":
        return LocalExecutor()
    from portalscore.run.distributed import CeleryExecutor, broker_url, require_shared_database

    executor = CeleryExecutor(broker_url(args.broker))
    require_shared_database(database_url(args.db))
    return executor


def evaluate_and_print(
    args: argparse.Namespace,
    registry: Registry,
    criteria: CriteriaSet,
    out: Path,
    store: Store,
    settings: RunSettings,
    executor: Executor,
    resume: bool = False,
) -> RunResult:
    from portalscore.run import evaluate

    result = evaluate(registry, criteria, out, store, settings, executor, resume=resume, progress=progress(args.quiet))
    print(f"run {result.run_id}: {len(result.scores)} portals ranked with {criteria.id}")
    for s in result.scores[:10]:
        print(f"  {s.rank:>3}. {s.name} — {s.score:.1f} ({s.grade})")
    print(f"report: {(result.out_dir / 'index.html').resolve()}")
    print_archive_sizes(store, result.run_id)
    return result


def print_archive_sizes(store: Store, run_id: int) -> None:
    """What the run added to the evidence archive, per portal (issue 22: the cost of keeping evidence is visible)."""
    from portalscore.run.archive import archive_root, sizes

    run = store.run(run_id)
    if run is None or archive_root(run) is None:
        return
    added = sizes(run)
    total = sum(s.bytes for s in added)
    pages = sum(s.pages for s in added)
    print(f"archive: {_mb(total)} added for {pages} pages in {archive_root(run)}")
    for s in added:
        print(f"  {s.portal}: {s.pages} pages, {_mb(s.bytes)} ({s.bytes // max(1, s.pages) // 1000} kB a page)")


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.3f} MB"


def run_id_of(store: Store, value: str) -> int:
    """--run / RUN arguments: a run id, or 'latest'."""
    if value == "latest":
        runs = store.list_runs(1)
        if not runs:
            raise InputError("the database has no runs yet", file=store.url)
        return runs[0].id
    try:
        run_id = int(value)
    except ValueError:
        raise InputError(f"run id must be a number or 'latest', not {value!r}") from None
    if store.run(run_id) is None:
        raise InputError(f"no run {run_id} in the database", file=store.url)
    return run_id


def stored_run(store: Store, value: str) -> RunRecord:
    run = store.run(run_id_of(store, value))
    assert run is not None  # run_id_of checked it
    return run
