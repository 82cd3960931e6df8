"""One evaluation run: registry -> crawl -> evidence -> criteria -> scores -> report.

Phases, in order, each stored before the next starts (so `--resume` can restart anywhere):
  1. crawl   pages of every portal, two at a time in one Chromium, axe on each page;
  2. lab     ranked timings: sampled pages loaded alone on the machine, N times, median kept;
  3. scenarios  the citizen journeys, in a browser of their own;
  4. score, rank and report.
Timings measured in phase 1 are contended (axe runs on the other core) and are kept as
evidence only; the ranking reads phase 2's.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from portalscore.contract.evidence import Accessibility, PageEvidence, PortalEvidence, PortalRef
from portalscore.contract.portal import Portal
from portalscore.crawler.axe import axe_engine
from portalscore.crawler.crawl import crawl_portal
from portalscore.crawler.egress import Egress
from portalscore.crawler.lab import measure_lab
from portalscore.crawler.measure import Reuse
from portalscore.crawler.netpolicy import NetPolicy
from portalscore.crawler.pool import BrowserPool
from portalscore.crawler.settings import CrawlSettings
from portalscore.criteria import CriteriaSet, rank, score_portal
from portalscore.criteria.model import PortalScore
from portalscore.reports import ReportInput, render_report

from .logs import RUN_LOG, RunLog, bind, tag
from .progress import Progress  # re-exported: distributed.py and callers import it from here
from .registry import Registry
from .storage import Store, now

log = logging.getLogger("portalscore.pipeline")

STAGES = ("pending", "crawled", "measured", "done")


@dataclass
class RunOptions:
    settings: CrawlSettings = field(default_factory=CrawlSettings)
    scenarios: bool = True
    lang: str = "vi"
    scenario_workers: int = 2
    journey_budget_s: float = 60.0  # each journey's time budget (scenarios.journey.DEFAULT_BUDGET_S)


@dataclass
class RunResult:
    run_id: int
    out_dir: Path
    scores: list[PortalScore]


def _ref(portal: Portal) -> PortalRef:
    return PortalRef(id=portal.id, name=portal.name, kind=portal.kind, url=portal.url)


def _portal_dict(portal: Portal) -> dict:
    return dataclasses.asdict(portal)


def _stored_audits(store: Store, run_id: int, portal_id: str) -> Reuse:
    """Incremental crawling: the axe result of an earlier complete run of this registry for the same content."""
    engine = axe_engine()

    def reuse(url: str, profile: str, content_hash: str) -> Accessibility | None:
        # By content, not URL: the same page under another address (?lang=vi) is the same audit.
        return store.previous_accessibility(run_id, portal_id, content_hash, profile=profile, engine=engine)

    return reuse


async def _crawl_phase(
    store: Store, run_id: int, portals: list[Portal], opts: RunOptions, progress: Progress, egress: Egress
) -> None:
    settings = opts.settings

    def stage_before(portal: Portal, stage: str) -> bool:
        return STAGES.index(store.stage(run_id, portal.id)) < STAGES.index(stage)

    async with BrowserPool(settings, egress) as pool:

        async def one(portal: Portal) -> None:
            if not stage_before(portal, "crawled"):
                return
            tag(portal=portal.id)  # this task's log records name its portal
            progress.begin(portal.id, "crawl", max_pages=portal.max_pages or settings.max_pages)
            resume = {p.url: p for p in store.pages(run_id, portal.id) if p.profile == "desktop"}

            counted: set[tuple[str, str]] = set()

            def on_page(portal_id: str, page: PageEvidence) -> None:
                store.save_page(run_id, portal_id, page)
                if (page.url, page.profile) not in counted:  # a sampled page comes again with its audit
                    counted.add((page.url, page.profile))
                    progress.page(portal_id)

            try:
                ev = await crawl_portal(
                    pool,
                    portal,
                    settings,
                    on_page=on_page,
                    resume_pages=resume or None,
                    on_progress=progress.update,
                    reuse=_stored_audits(store, run_id, portal.id) if settings.reuse_audits else None,
                )
            except Exception as e:  # a bug on one portal must not cost the others their evidence
                log.exception("crawl of %s failed", portal.id)
                ev = PortalEvidence(
                    portal=_ref(portal),
                    started_at=now(),
                    finished_at=now(),
                    errors=[f"crawl failed: {type(e).__name__}: {e}"],
                )
            ev.finished_at = ev.finished_at or now()
            store.save_portal(run_id, ev, "crawled")
            pages = progress.pages.get(portal.id, 0)
            log.info(
                "crawled %s",
                portal.id,
                extra={"event": "portal_crawled", "portal": portal.id, "pages": pages, "errors": ev.errors},
            )
            progress.end(portal.id, "crawl", f"crawled {portal.id}: {pages} pages, {len(ev.errors)} errors")

        progress.phase("crawl", sum(stage_before(p, "crawled") for p in portals))
        await asyncio.gather(*(one(p) for p in portals))

        # Lab timings run one portal after another, each load alone on the machine.
        progress.phase("lab", sum(stage_before(p, "measured") for p in portals))
        for portal in portals:
            if not stage_before(portal, "measured"):
                continue
            progress.begin(portal.id, "lab")
            ev = store.evidence(run_id, portal.id)
            with bind(portal=portal.id):
                try:
                    await measure_lab(pool, ev, settings)
                except Exception as e:
                    log.exception("lab timing of %s failed", portal.id)
                    ev.errors.append(f"lab timing failed: {type(e).__name__}: {e}")
                store.save_portal(run_id, ev, "measured")
                log.info(
                    "timed %s",
                    portal.id,
                    extra={"event": "portal_timed", "portal": portal.id, "measurements": len(ev.lab)},
                )
            progress.end(portal.id, "lab", f"timed {portal.id}: {len(ev.lab)} lab measurements")


def _scenario_phase(
    store: Store,
    run_id: int,
    portals: list[Portal],
    opts: RunOptions,
    artefact_dir: Path,
    progress: Progress,
    egress: Egress,
) -> None:
    from playwright.sync_api import sync_playwright

    from portalscore.scenarios.runner import JourneyBrowser, run_scenarios

    todo = [p for p in portals if STAGES.index(store.stage(run_id, p.id)) < STAGES.index("done")]
    if not opts.scenarios:
        for portal in todo:
            store.save_portal(run_id, store.evidence(run_id, portal.id), "done")
        return
    lock = threading.Lock()
    queue = list(todo)
    progress.phase("journeys", len(queue))

    def worker() -> None:
        # The sync API is bound to its thread: each worker has its own Playwright and browser.
        with sync_playwright() as pw:
            journeys = JourneyBrowser(pw, egress)
            try:
                while True:
                    with lock:
                        if not queue:
                            return
                        portal = queue.pop(0)
                    progress.begin(portal.id, "journeys")
                    ev = store.evidence(run_id, portal.id)
                    with bind(run_id=run_id, portal=portal.id):  # a new thread starts with an empty context
                        try:
                            ev.scenarios = run_scenarios(
                                journeys,
                                portal,
                                artefact_dir,
                                start_error=ev.start_blocked or None,
                                budget_s=opts.journey_budget_s,
                            )
                        except Exception as e:
                            log.exception("scenarios of %s failed", portal.id)
                            ev.errors.append(f"scenarios failed: {type(e).__name__}: {e}")
                        store.save_portal(run_id, ev, "done")
                        passed = sum(s.outcome == "passed" for s in ev.scenarios)
                        log.info(
                            "journeys of %s: %d/%d passed",
                            portal.id,
                            passed,
                            len(ev.scenarios),
                            extra={
                                "event": "portal_journeys",
                                "portal": portal.id,
                                "passed": passed,
                                "scenarios": len(ev.scenarios),
                            },
                        )
                    progress.end(portal.id, "journeys", f"scenarios {portal.id}: {passed}/{len(ev.scenarios)} passed")
            finally:
                journeys.close()

    threads = [
        threading.Thread(target=worker, name=f"scenarios-{i}")
        for i in range(max(1, min(opts.scenario_workers, len(queue))))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def collect(
    store: Store, run_id: int, portals: list[Portal], opts: RunOptions, artefact_dir: Path, progress: Progress
) -> None:
    """Gather and store all evidence of these portals (skipping stages already stored)."""
    settings = opts.settings
    policy = NetPolicy.build([p.url for p in portals], settings.allow_internal, settings.allowed_hosts)
    with Egress(policy) as egress:  # the run's one way out (crawler/egress.py)
        asyncio.run(_crawl_phase(store, run_id, portals, opts, progress, egress))
        _scenario_phase(store, run_id, portals, opts, artefact_dir, progress, egress)


def score_run(store: Store, run_id: int, criteria: CriteriaSet) -> list[PortalScore]:
    """Score every portal of a stored run and rank them; stores and returns the ranked scores."""
    run = store.run(run_id)
    portal_scores = [score_portal(criteria, store.evidence(run_id, p["id"])) for p in run["portals"]]
    previous_run = store.previous_complete_run(run["registry_name"], run_id)
    previous = None
    if previous_run is not None:
        previous = {s.portal_id: s.rank for s in store.scores(previous_run, criteria.id)} or None
    ranked = rank(portal_scores, previous=previous)
    store.save_scores(run_id, criteria.id, ranked)
    return ranked


def write_report(
    store: Store, run_id: int, criteria: CriteriaSet, out_dir: Path, lang: str = "vi", artefact_dir: Path | None = None
) -> list[PortalScore]:
    run = store.run(run_id)
    ranked = store.scores(run_id, criteria.id) or score_run(store, run_id, criteria)
    ranked.sort(key=lambda s: (s.rank, s.portal_id))
    evidence = {p["id"]: store.evidence(run_id, p["id"]) for p in run["portals"]}
    render_report(
        ReportInput(
            run_id=run_id,
            generated_at=run["finished_at"] or run["started_at"],
            registry_name=run["registry_name"],
            criteria=criteria.to_dict(),
            settings=run["settings"],
            scores=ranked,
            evidence=evidence,
            history=store.history(run["registry_name"], criteria.id, run_id),
            artefact_dir=artefact_dir,
        ),
        out_dir=out_dir,
        lang=lang,
    )
    return ranked


def start_or_resume(
    store: Store,
    registry: Registry,
    criteria: CriteriaSet,
    artefact_dir: Path,
    opts: RunOptions,
    resume: bool,
    progress: Progress,
    **extra_settings,
) -> tuple[int, list[Portal]]:
    """A new stored run, or with resume=True the last unfinished one of this registry, and its portals."""
    portals = registry.portals
    run_id = store.last_unfinished_run(registry.name) if resume else None
    if run_id is None:
        settings = (
            dataclasses.asdict(opts.settings)
            | {
                "artefact_dir": str(Path(artefact_dir).resolve()),
                # A user's own criteria file is reloaded from where it was, not by its id.
                "criteria_source": str(criteria.file) if criteria.file else criteria.id,
            }
            | extra_settings
        )
        run_id = store.create_run(
            registry.name, registry.file, criteria.id, settings, [_portal_dict(p) for p in portals]
        )
        log.info(
            "run %d started",
            run_id,
            extra={
                "event": "run_started",
                "run_id": run_id,
                "portals": len(portals),
                "criteria": criteria.id,
                "registry": registry.name,
            },
        )
        progress.say(f"run {run_id}: {len(portals)} portals, criteria {criteria.id}")
    else:
        stored = {p["id"] for p in store.run(run_id)["portals"]}
        portals = [p for p in portals if p.id in stored]
        log.info("run %d resumed", run_id, extra={"event": "run_resumed", "run_id": run_id, "portals": len(portals)})
        progress.say(f"resuming run {run_id}")
    return run_id, portals


def evaluate(
    registry: Registry,
    criteria: CriteriaSet,
    out_dir: Path,
    store: Store,
    opts: RunOptions,
    resume: bool = False,
    progress: Progress | None = None,
) -> RunResult:
    """The whole run. With resume=True, continues the last unfinished run of this registry."""
    progress = progress or Progress()
    out_dir = Path(out_dir)
    artefact_dir = out_dir / "artefacts"
    artefact_dir.mkdir(parents=True, exist_ok=True)
    with RunLog(out_dir / RUN_LOG) as run_log:
        try:
            run_id, portals = start_or_resume(store, registry, criteria, artefact_dir, opts, resume, progress)
            run_log.run_id = run_id
            with bind(run_id=run_id):
                collect(store, run_id, portals, opts, artefact_dir, progress)
                ranked = score_run(store, run_id, criteria)
                store.finish_run(run_id, complete=False)  # dated; complete only with its report written,
                ranked = write_report(store, run_id, criteria, out_dir, lang=opts.lang, artefact_dir=artefact_dir)
                store.finish_run(run_id)  # so a run killed while writing it is resumed, not crawled anew
                log.info("run %d finished", run_id, extra={"event": "run_finished", "portals": len(ranked)})
        finally:
            progress.close()  # the live display (if any) is erased before the caller prints its result
    return RunResult(run_id=run_id, out_dir=out_dir, scores=ranked)
