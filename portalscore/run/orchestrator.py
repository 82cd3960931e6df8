"""One run, whatever collects its evidence: plan (start or resume) -> collect -> score -> report -> finish.

The collect step is the executor's: `LocalExecutor` collects in this process (run/collect.py),
`CeleryExecutor` (run/distributed.py) has `portalscore worker` processes collect it, host group by host
group, with the same code. Everything else — the run's record, its log, its end — is this module's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from portalscore.contract.portal import Portal
from portalscore.criteria import CriteriaSet
from portalscore.criteria.model import PortalScore
from portalscore.logs import RUN_LOG, RunLog, bind
from portalscore.progress import Progress
from portalscore.registry import Registry
from portalscore.reports import operator_dir
from portalscore.runsettings import RunSettings
from portalscore.store import RunRecord, Store

from .archive import apply_retention, archive_root
from .collect import collect
from .finish import finish
from .plan import start_or_resume


class Executor(Protocol):
    def check(self, store: Store) -> None:
        """Before anything is stored: InputError (one line) if this executor cannot work as configured."""

    def collect(self, store: Store, run: RunRecord, portals: Sequence[Portal], progress: Progress) -> None:
        """Gather and store the evidence of these portals of the run; on return, every one of them is done."""


class LocalExecutor:
    """Collects in this process."""

    def check(self, store: Store) -> None:
        pass

    def collect(self, store: Store, run: RunRecord, portals: Sequence[Portal], progress: Progress) -> None:
        collect(store, run, portals, progress)


@dataclass
class RunResult:
    run_id: int
    out_dir: Path
    scores: list[PortalScore]


def evaluate(
    registry: Registry,
    criteria: CriteriaSet,
    out_dir: Path,
    store: Store,
    settings: RunSettings,
    executor: Executor | None = None,
    resume: bool = False,
    progress: Progress | None = None,
) -> RunResult:
    """The whole run, its report written to out_dir. With resume=True, continues the last unfinished run
    of this registry."""
    executor = executor or LocalExecutor()
    progress = progress or Progress()
    out_dir = Path(out_dir)
    # The run's screenshots, traces and log are operator material: beside the published folder, never in it
    # (reports.operator_dir); the report copies only the screenshots it shows.
    operator = operator_dir(out_dir)
    settings = dataclasses.replace(settings, artefact_dir=str((operator / "artefacts").resolve()))
    if not settings.archive_dir:  # the evidence archive too, unless the operator keeps it elsewhere (--archive-dir)
        settings = dataclasses.replace(settings, archive_dir=str((operator / "archive").resolve()))
    operator.mkdir(parents=True, exist_ok=True)
    with RunLog(operator / RUN_LOG) as run_log:
        try:
            executor.check(store)
            run, portals = start_or_resume(store, registry, criteria, settings, resume, progress)
            run_log.run_id = run.id
            with bind(run_id=run.id):
                executor.collect(store, run, portals, progress)
                ranked = finish(store, run, criteria, out_dir)
                root = archive_root(run)
                if root is not None and run.settings.archive_keep:
                    apply_retention(store, root, run.settings.archive_keep)
        finally:
            progress.close()  # the live display (if any) is erased before the caller prints its result
    return RunResult(run_id=run.id, out_dir=out_dir, scores=ranked)
