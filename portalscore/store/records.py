"""What the store hands back about runs and distributed tasks: typed records, not rows."""

from __future__ import annotations

from dataclasses import dataclass

from portalscore.contract.portal import Portal
from portalscore.runsettings import RunSettings


@dataclass(frozen=True)
class RunRecord:
    id: int
    registry_name: str
    registry_file: str
    criteria_set: str  # the id of the criteria set the run was started with
    status: str  # running | complete
    started_at: str
    finished_at: str | None  # set when scored (a run killed while writing its report has it, still running)
    settings: RunSettings
    portals: tuple[Portal, ...]  # the registry entries evaluated, in registry order

    @property
    def complete(self) -> bool:
        return self.status == "complete"

    def portal(self, portal_id: str) -> Portal:
        for p in self.portals:
            if p.id == portal_id:
                return p
        raise KeyError(f"portal {portal_id!r} is not in run {self.id}")


TASK_STATUSES = ("queued", "running", "done", "failed", "lost", "superseded")


@dataclass(frozen=True)
class TaskRecord:
    """One sending of a host group to the Celery workers, and what became of it."""

    id: int
    run_id: int
    host_group: str
    portal_ids: tuple[str, ...]
    status: str  # one of TASK_STATUSES
    queued_at: str | None
    worker: str | None = None  # who took it (the Celery node name), once taken
    pid: int | None = None
    started_at: str | None = None
    finished_at: str | None = None  # done, failed, or when it was found lost / superseded
    lease_until: float | None = None  # the database's clock: past it, the worker is presumed gone
    error: str | None = None  # why it failed
