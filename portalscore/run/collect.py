"""Collecting the evidence of some portals of a run, in this process: what a local run does, and what a
Celery worker does with the host group it was sent.

Two phases, each stored portal by portal (so a run killed anywhere resumes there):
  1. crawl_and_time  one Chromium (BrowserPool): every portal's pages crawled concurrently, axe on
                     each page; each portal's *lab* timings as soon as its crawl ends, each sampled page
                     loaded alone on the machine N times, median kept (the crawl's own timings are
                     contended, kept as evidence only: the ranking reads the lab's). "Alone" is the pool's
                     quiet gate (BrowserPool.exclusive): a timed load waits for the page loads in flight to
                     end and holds back new ones, so the crawls of the other portals pause for each timed
                     load instead of the whole lab waiting for the slowest portal's crawl;
  2. run_journeys    the citizen journeys, in threads, each with its own browser (sync Playwright). They
                     come after phase 1: their browsers are outside the pool, so the gate cannot pause them.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from portalscore.contract.evidence import PageEvidence, PortalEvidence, PortalRef
from portalscore.contract.portal import Portal
from portalscore.crawler.archive import journey_folder
from portalscore.crawler.axe import axe_engine
from portalscore.crawler.crawl import crawl_portal
from portalscore.crawler.egress import Egress
from portalscore.crawler.gatherers import PriorAudits
from portalscore.crawler.lab import measure_lab
from portalscore.crawler.netpolicy import NetPolicy
from portalscore.crawler.pool import BrowserPool
from portalscore.logs import bind, tag
from portalscore.progress import Progress
from portalscore.store import RunRecord, Store, now

from .archive import archive_root, run_archive

if TYPE_CHECKING:
    from portalscore.scenarios.runner import JourneyBrowser

log = logging.getLogger("portalscore.run")

STAGES = ("pending", "crawled", "measured", "done")


def collect(store: Store, run: RunRecord, portals: Sequence[Portal], progress: Progress) -> None:
    """Gather and store all evidence of these portals of the run (skipping stages already stored)."""
    artefact_dir(run).mkdir(parents=True, exist_ok=True)
    with Egress(network_policy(run)) as egress:  # the run's one way out (crawler/egress.py)
        asyncio.run(crawl_and_time(store, run, portals, progress, egress))
        run_journeys(store, run, portals, progress, egress)


def network_policy(run: RunRecord) -> NetPolicy:
    """The run's network rule: every portal of the run (not only this worker's host group) may be served from an
    internal address, and what the operator allowed; nothing else inward (docs/security.md)."""
    crawl = run.settings.crawl
    return NetPolicy.build([p.url for p in run.portals], crawl.allow_internal, crawl.allowed_hosts)


def artefact_dir(run: RunRecord) -> Path:
    """Where the journeys' screenshots and traces go (runs stored without one: ./artefacts)."""
    return Path(run.settings.artefact_dir or "artefacts")


def _before(store: Store, run_id: int, portal: Portal, stage: str) -> bool:
    return STAGES.index(store.stage(run_id, portal.id)) < STAGES.index(stage)


def _ref(portal: Portal) -> PortalRef:
    return PortalRef(id=portal.id, name=portal.name, kind=portal.kind, url=portal.url)


def prior_audits(store: Store, run: RunRecord, portal: Portal) -> PriorAudits | None:
    """Incremental crawling: the audits earlier runs made of this portal's content, read once, before its
    crawl, and handed to the crawler as data, by (profile, content hash)."""
    if not run.settings.crawl.reuse_audits:
        return None
    return store.prior_audits(run.id, portal.id, axe_engine())


async def crawl_and_time(
    store: Store, run: RunRecord, portals: Sequence[Portal], progress: Progress, egress: Egress
) -> None:
    """Phase 1: per portal not timed yet, its crawl (unless stored) and then its lab timings, all portals at once."""
    async with BrowserPool(run.settings.crawl, egress) as pool:
        todo = [p for p in portals if _before(store, run.id, p, "measured")]
        progress.phase("crawl", len(todo))
        # One portal's lab at a time, in the order crawls end: each portal is timed (and stored) as early as it
        # can be, and a run killed in the lab loses one portal's timings at most, as a lab pass did.
        lab_turn = asyncio.Lock()

        async def one(portal: Portal) -> None:
            if _before(store, run.id, portal, "crawled"):
                await _crawl_one(pool, store, run, portal, progress)
            async with lab_turn:
                await _time_one(pool, store, run, portal, progress)

        await asyncio.gather(*(one(p) for p in todo))


async def _crawl_one(pool: BrowserPool, store: Store, run: RunRecord, portal: Portal, progress: Progress) -> None:
    settings = run.settings.crawl
    tag(portal=portal.id)  # this task's log records name its portal
    progress.begin(portal.id, "crawl", max_pages=portal.max_pages or settings.max_pages)
    resume = {p.url: p for p in store.pages(run.id, portal.id) if p.profile == "desktop"}
    counted: set[tuple[str, str]] = set()

    def on_page(portal_id: str, page: PageEvidence) -> None:
        store.save_page(run.id, portal_id, page)
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
            prior_audits=prior_audits(store, run, portal),
            archive=run_archive(run),
        )
    except Exception:  # a bug on one portal must not cost the others their evidence
        log.exception("crawl of %s failed", portal.id)
        ev = PortalEvidence(
            portal=_ref(portal),
            started_at=now(),
            finished_at=now(),
            errors=["the crawl stopped on an internal error of portalscore (logged)"],
        )
    ev.finished_at = ev.finished_at or now()
    store.save_portal(run.id, ev, "crawled")
    pages = progress.pages.get(portal.id, 0)
    log.info(
        "crawled %s",
        portal.id,
        extra={"event": "portal_crawled", "portal": portal.id, "pages": pages, "errors": ev.errors},
    )
    progress.end(portal.id, "crawl", f"crawled {portal.id}: {pages} pages, {len(ev.errors)} errors")


async def _time_one(pool: BrowserPool, store: Store, run: RunRecord, portal: Portal, progress: Progress) -> None:
    # Each timed load takes the pool's quiet gate (PageJob.exclusive): alone on the machine while it is timed.
    progress.begin(portal.id, "lab")
    ev = store.evidence(run.id, portal.id)
    with bind(portal=portal.id):
        try:
            await measure_lab(pool, ev, run.settings.crawl)
        except Exception as e:
            log.exception("lab timing of %s failed", portal.id)
            ev.errors.append(f"lab timing failed: {type(e).__name__}: {e}")
        store.save_portal(run.id, ev, "measured")
        log.info(
            "timed %s", portal.id, extra={"event": "portal_timed", "portal": portal.id, "measurements": len(ev.lab)}
        )
    progress.end(portal.id, "lab", f"timed {portal.id}: {len(ev.lab)} lab measurements")


def run_journeys(store: Store, run: RunRecord, portals: Sequence[Portal], progress: Progress, egress: Egress) -> None:
    """Phase 2: the citizen journeys of every portal not done yet (or, with journeys off, mark them done)."""
    todo = [p for p in portals if _before(store, run.id, p, "done")]
    if not run.settings.scenarios:
        for portal in todo:
            store.save_portal(run.id, store.evidence(run.id, portal.id), "done")
        return
    lock = threading.Lock()
    queue = list(todo)
    progress.phase("journeys", len(queue))

    def worker() -> None:
        from playwright.sync_api import sync_playwright

        from portalscore.scenarios.runner import JourneyBrowser

        # The sync API is bound to its thread: each worker has its own Playwright and browser.
        with sync_playwright() as pw:
            journeys = JourneyBrowser(pw, egress)
            try:
                while True:
                    with lock:
                        if not queue:
                            return
                        portal = queue.pop(0)
                    _journeys_of(journeys, store, run, portal, progress)
            finally:
                journeys.close()

    threads = [
        threading.Thread(target=worker, name=f"scenarios-{i}")
        for i in range(max(1, min(run.settings.scenario_workers, len(queue))))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _journeys_of(journeys: JourneyBrowser, store: Store, run: RunRecord, portal: Portal, progress: Progress) -> None:
    from portalscore.scenarios.routes import procedure_candidates
    from portalscore.scenarios.runner import run_scenarios

    progress.begin(portal.id, "journeys")
    ev = store.evidence(run.id, portal.id)
    # An archived run keeps its journeys' screenshots and traces in the archive, beside the pages' evidence (so
    # prune and export treat them alike); the names the results hold are relative to the archive's root.
    root = archive_root(run)
    folder = journey_folder(root, portal.id, run.id) if root is not None else artefact_dir(run)
    with bind(run_id=run.id, portal=portal.id):  # a new thread starts with an empty context
        try:
            ev.scenarios = run_scenarios(
                journeys,
                portal,
                folder,
                start_error=ev.start_blocked or None,
                budget_s=run.settings.journey_budget_s,
                procedure_pages=procedure_candidates(ev.pages),
                artefact_root=root,
            )
        except Exception as e:
            log.exception("scenarios of %s failed", portal.id)
            ev.errors.append(f"scenarios failed: {type(e).__name__}: {e}")
        store.save_portal(run.id, ev, "done")
        passed = sum(s.outcome == "passed" for s in ev.scenarios)
        log.info(
            "journeys of %s: %d/%d passed",
            portal.id,
            passed,
            len(ev.scenarios),
            extra={"event": "portal_journeys", "portal": portal.id, "passed": passed, "scenarios": len(ev.scenarios)},
        )
    progress.end(portal.id, "journeys", f"scenarios {portal.id}: {passed}/{len(ev.scenarios)} passed")
