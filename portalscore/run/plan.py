"""The start of a run: a new stored run, or the last unfinished one of the registry continued."""

from __future__ import annotations

import logging

from portalscore.contract.portal import Portal
from portalscore.criteria import CriteriaSet
from portalscore.progress import Progress
from portalscore.registry import Registry
from portalscore.runsettings import RunSettings
from portalscore.store import RunRecord, Store

log = logging.getLogger("portalscore.run")


def criteria_source(criteria: CriteriaSet) -> str:
    """How the run names its criteria set: a user's own file is reloaded from where it was, not by its id."""
    return str(criteria.file) if criteria.file else criteria.id


def start_or_resume(
    store: Store, registry: Registry, criteria: CriteriaSet, settings: RunSettings, resume: bool, progress: Progress
) -> tuple[RunRecord, list[Portal]]:
    """A new stored run, or with resume=True the last unfinished one of this registry; and the portals to collect.

    A resumed run goes on with the settings and portals it was started with (what it has stored was
    collected with them); settings given now that differ are named in a warning."""
    run_id = store.last_unfinished_run(registry.name) if resume else None
    if run_id is None:
        run_id = store.create_run(registry.name, registry.file, criteria.id, settings, registry.portals)
        run = _stored(store, run_id)
        log.info(
            "run %d started",
            run_id,
            extra={
                "event": "run_started",
                "run_id": run_id,
                "portals": len(run.portals),
                "criteria": criteria.id,
                "registry": registry.name,
            },
        )
        progress.say(f"run {run_id}: {len(run.portals)} portals, criteria {criteria.id}")
        return run, list(run.portals)
    run = _stored(store, run_id)
    changed = run.settings.differences(settings)
    if changed:
        log.warning(
            "run %d continues with the settings it was started with; ignored now: %s", run_id, ", ".join(changed)
        )
    log.info("run %d resumed", run_id, extra={"event": "run_resumed", "run_id": run_id, "portals": len(run.portals)})
    progress.say(f"resuming run {run_id}")
    return run, list(run.portals)


def _stored(store: Store, run_id: int) -> RunRecord:
    run = store.run(run_id)
    if run is None:  # only if the database was changed under us
        raise RuntimeError(f"run {run_id} is not in {store.url}")
    return run
