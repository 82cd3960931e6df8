"""The page's accessibility audit by axe-core: unless the page is too big for it, its template's earlier pages
speak for it (sampling), or an earlier run audited this very content with this very axe (incremental crawling);
bounded by the page's deadline, past which the page is still evaluated, unaudited and named."""

from __future__ import annotations

import asyncio

from playwright.async_api import Error as PlaywrightError

from portalscore.contract.evidence import Accessibility, PageEvidence

from ..axe import axe_engine, run_axe
from ..checks import reusable
from ..settings import CrawlSettings
from ..template import PENDING
from .base import Gatherer, GathererMeta, PageRun, PriorAudits, register

MIN_AXE_S = 3.0  # less time left than this: the page is evaluated without an audit, and says so


@register
class AxeGatherer(Gatherer):
    meta = GathererMeta(name="axe", produces=("accessibility",), stage="audit", order=10)

    def wanted(self, settings: CrawlSettings) -> bool:
        return settings.run_axe

    async def gather(self, run: PageRun) -> None:
        run.ev.accessibility = await self._audit(run)

    async def _audit(self, run: PageRun) -> Accessibility:
        ev, s, tab = run.ev, run.settings, run.tab
        if ev.dom_nodes > s.max_dom_nodes:
            return Accessibility(error=f"not audited: {ev.dom_nodes} DOM nodes (cap {s.max_dom_nodes})")
        if run.sample is not None and ev.template and not run.sample(ev.profile, ev.template):
            return Accessibility(engine=axe_engine(), error=PENDING)
        stored = prior_audit(ev, run.prior)
        if stored is not None and s.run_checks and not reusable(stored, heavy=run.wants_heavy()):
            stored = None  # audited before our checks (or without the heavy ones this page is due): audit again
        if stored is not None:
            run.note(f"axe audit reused from run {stored.reused_from_run}: content unchanged")
            return stored
        if tab.left() < MIN_AXE_S:
            return Accessibility(
                engine=axe_engine(), error=f"not audited: the page's time limit ({s.page_timeout_s:g}s) was reached"
            )
        try:
            return await asyncio.wait_for(run_axe(tab.page, world=tab.world), min(s.axe_timeout_s, tab.left()))
        except PlaywrightError as e:
            return Accessibility(error=f"axe failed: {str(e).splitlines()[0][:300]}")
        except TimeoutError:
            # The page is still evaluated (timings, links, facts); its renderer, still busy with axe, is stopped.
            await tab.kill()
            return Accessibility(
                engine=axe_engine(),
                error=f"not audited: axe did not finish within {s.axe_timeout_s:g}s ({ev.dom_nodes} DOM nodes)",
            )


def prior_audit(ev: PageEvidence, prior: PriorAudits | None) -> Accessibility | None:
    """An earlier run's audit of this very content by this very axe, if the crawl was given one."""
    if prior is None or not ev.content_hash:
        return None
    stored = prior.get((ev.profile, ev.content_hash))
    if stored is None or stored.error or stored.engine != axe_engine() or stored.reused_from_run is None:
        return None  # an audit not known to be this content's by this axe, from a named run, is done again
    return stored
