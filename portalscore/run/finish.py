"""The end of a run, whoever collected it: score, date, report, complete — in that order, in one place."""

from __future__ import annotations

import logging
from pathlib import Path

from portalscore.criteria import CriteriaSet, rank, score_portal
from portalscore.criteria.model import PortalScore
from portalscore.reports import PreviousRun, Publisher, ReportInput, load_publisher, render_report
from portalscore.store import RunRecord, Store

from .archive import archive_root

log = logging.getLogger("portalscore.run")


def score_run(store: Store, run_id: int, criteria: CriteriaSet) -> list[PortalScore]:
    """Score every portal of a stored run and rank them; stores and returns the ranked scores."""
    run = _run(store, run_id)
    portal_scores = [score_portal(criteria, store.evidence(run_id, p.id)) for p in run.portals]
    previous_run = store.previous_complete_run(run.registry_name, run_id)
    previous = None
    if previous_run is not None:
        previous = {s.portal_id: s.rank for s in store.scores(previous_run, criteria.id)} or None
    ranked = rank(portal_scores, previous=previous)
    store.save_scores(run_id, criteria.id, ranked)
    return ranked


def scores_of(store: Store, run_id: int, criteria: CriteriaSet) -> list[PortalScore]:
    """The run's ranked scores with these criteria: stored ones, else scored now from its stored evidence."""
    return store.scores(run_id, criteria.id) or score_run(store, run_id, criteria)


def write_report(
    store: Store,
    run_id: int,
    criteria: CriteriaSet,
    out_dir: Path,
    lang: str = "vi",
    artefact_dir: Path | None = None,
    publisher: Publisher | None = None,
    publish_evidence: bool | None = None,
) -> list[PortalScore]:
    """The report of a stored run (scored first if it is not yet with these criteria); its ranked scores.
    `publisher`: who publishes it (default: the file the run was started with, else what the report says of an
    unnamed publisher). `publish_evidence`: copy the run's archive into the report (default: as the run says)."""
    run = _run(store, run_id)
    ranked = sorted(scores_of(store, run_id, criteria), key=lambda s: (s.rank, s.portal_id))
    if publisher is None:
        publisher = load_publisher(run.settings.publisher_file) if run.settings.publisher_file else Publisher()
    previous_id = store.previous_complete_run(run.registry_name, run_id)
    before = store.run(previous_id) if previous_id is not None else None
    previous = PreviousRun(before.id, before.finished_at or before.started_at) if before is not None else None
    archive = archive_root(run)
    render_report(
        ReportInput(
            run_id=run_id,
            generated_at=run.finished_at or run.started_at,
            registry_name=run.registry_name,
            criteria=criteria.to_dict(),
            settings=run.settings.to_stored(),
            scores=ranked,
            evidence={p.id: store.evidence(run_id, p.id) for p in run.portals},
            history=store.history(run.registry_name, criteria.id, run_id),
            artefact_dir=artefact_dir,
            archive_dir=archive if archive is not None and archive.is_dir() else None,
            publish_evidence=run.settings.publish_evidence if publish_evidence is None else publish_evidence,
            previous=previous,
            publisher=publisher,
        ),
        out_dir=out_dir,
        lang=lang,
    )
    return ranked


def finish(store: Store, run: RunRecord, criteria: CriteriaSet, out_dir: Path) -> list[PortalScore]:
    """End a collected run: score and rank it, date it, write its report, then mark it complete.

    Complete only once its report is written, so a run killed while writing it is resumed, not crawled anew."""
    missing = [pid for pid, stage in store.portal_stages(run.id).items() if stage != "done"]
    if missing:  # an executor returned without every portal collected: never report silently
        raise RuntimeError(f"run {run.id}: portals not collected: {', '.join(missing)}")
    score_run(store, run.id, criteria)
    store.finish_run(run.id, complete=False)  # dated; the report shows the date
    artefacts = Path(run.settings.artefact_dir) if run.settings.artefact_dir else None
    ranked = write_report(store, run.id, criteria, out_dir, lang=run.settings.lang, artefact_dir=artefacts)
    store.finish_run(run.id)
    log.info("run %d finished", run.id, extra={"event": "run_finished", "portals": len(ranked)})
    return ranked


def _run(store: Store, run_id: int) -> RunRecord:
    run = store.run(run_id)
    if run is None:
        raise KeyError(f"no run {run_id} in {store.url}")
    return run
