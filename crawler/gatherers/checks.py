"""Our accessibility checks beyond axe (crawler/checks), added to the page's audit: the light ones on every page
axe audits, the heavy ones (keyboard walk, reflow, text zoom and spacing) on the first desktop page of each page
template, in crawl order. Which page that is does not depend on which load finished first: a page that ran the
heavy checks because no earlier page of its template had reached them yet, while one was still loading, loses
those findings when the crawl ends (`keep_heavy_on_first`), so that the evidence is a function of the site alone."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from portalscore.contract.evidence import Accessibility, PageEvidence

from ..checks import BY_ID, PAGE_BUDGET_S, run_checks, selected
from ..settings import CrawlSettings
from .base import Gatherer, GathererMeta, PageRun, register

MIN_CHECKS_S = 2.0  # less time left on the page than this: the checks are recorded as not run


@register
class ChecksGatherer(Gatherer):
    meta = GathererMeta(name="checks", produces=("accessibility",), stage="audit", order=20)

    def wanted(self, settings: CrawlSettings) -> bool:
        return settings.run_axe and settings.run_checks

    async def gather(self, run: PageRun) -> None:
        acc = run.ev.accessibility
        if acc is None or acc.error is not None or acc.reused_from_run is not None:
            return  # not audited (the checks follow the audit: a sampled page gets its template's), or reused whole
        left = run.tab.left()
        if left < MIN_CHECKS_S:
            why = "not run: the page's time limit was reached"
            acc.check_errors = {c.meta.id: why for c in selected(heavy=run.wants_heavy())}
            return
        checks = await run_checks(
            run.tab.page, heavy=run.wants_heavy(), page_budget_s=min(PAGE_BUDGET_S, left - 1), world=run.tab.world
        )
        checks.apply(acc)


def has_heavy(acc: Accessibility) -> bool:
    """Whether the heavy checks ran for this audit."""
    return any(BY_ID[c].meta.cost == "heavy" for c in acc.checks if c in BY_ID)


def without_heavy(acc: Accessibility) -> Accessibility:
    """The audit as the light checks alone would have left it."""
    heavy = {cid for cid, check in BY_ID.items() if check.meta.cost == "heavy"}
    return dataclasses.replace(
        acc,
        violations=[v for v in acc.violations if v.rule not in heavy],
        best_practice=[v for v in acc.best_practice if v.rule not in heavy],
        checks=[c for c in acc.checks if c not in heavy],
        check_errors={k: v for k, v in acc.check_errors.items() if k not in heavy},
    )


def keep_heavy_on_first(pages: list[PageEvidence], order: dict[str, int], per_template: int) -> list[PageEvidence]:
    """At the end of a crawl: the heavy checks' findings stay on the first `per_template` desktop pages of each
    template (crawl order) and are taken off any other page that ran them; returns the pages changed."""
    firsts: dict[str, list[str]] = defaultdict(list)
    for page in sorted(pages, key=lambda p: order.get(p.url, len(order))):
        if page.profile == "desktop" and page.template and page.error is None and page.url in order:
            firsts[page.template].append(page.url)
    changed = []
    for page in pages:
        acc = page.accessibility
        if acc is None or acc.sampled_from is not None or not has_heavy(acc):
            continue
        if page.profile == "desktop" and page.url in firsts.get(page.template, [])[:per_template]:
            continue
        page.accessibility = without_heavy(acc)
        changed.append(page)
    return changed
