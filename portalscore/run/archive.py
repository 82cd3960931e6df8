"""The run's evidence archive as the application sees it: where it is (beside the report, never in it), the
retention policy (keep every run, or the last N and the first of each month), and what each portal's archive cost."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from portalscore.crawler.archive import Archive, Pruned, archive_size, archived_runs, prune
from portalscore.store import RunRecord, Store


@dataclass(frozen=True)
class PortalArchiveSize:
    portal: str
    pages: int
    bytes: int  # what this run added: its WARC and the screenshots it was first to store


def archive_root(run: RunRecord) -> Path | None:
    """Where the run's archive is; None when the run was not archived."""
    if not run.settings.crawl.archive or not run.settings.archive_dir:
        return None
    return Path(run.settings.archive_dir)


def run_archive(run: RunRecord) -> Archive | None:
    root = archive_root(run)
    return Archive(root, run.id) if root is not None else None


def sizes(run: RunRecord) -> list[PortalArchiveSize]:
    root = archive_root(run)
    if root is None:
        return []
    out = []
    for portal in run.portals:
        size = archive_size(root, portal.id, run.id)
        if size["pages"]:
            out.append(PortalArchiveSize(portal.id, size["pages"], size["bytes"]))
    return out


def runs_to_keep(store: Store, archived: set[int], keep_last: int) -> set[int]:
    """keep_last 0: every run. Else the last `keep_last` archived runs and the first archived run of each month
    (by the run's start); a run the database no longer knows is kept (nothing to date it by)."""
    if keep_last <= 0:
        return set(archived)
    keep = set(sorted(archived)[-keep_last:])
    first_of_month: dict[str, int] = {}
    for run_id in sorted(archived):
        record = store.run(run_id)
        if record is None:
            keep.add(run_id)
            continue
        first_of_month.setdefault(record.started_at[:7], run_id)
    return keep | set(first_of_month.values())


def apply_retention(store: Store, root: Path, keep_last: int) -> list[Pruned]:
    archived = {r for runs in archived_runs(root).values() for r in runs}
    return prune(root, runs_to_keep(store, archived, keep_last))
