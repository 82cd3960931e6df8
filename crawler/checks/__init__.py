"""Our accessibility checks beyond axe-core (issue 18): keyboard, reflow and text, target size, tables, forms,
links, headings, images, documents. Each is one small module's job, mapped to a WCAG 2.2 success criterion and
reported like an axe rule (a Violation with source "portalscore").

    from portalscore.crawler.checks import run_checks
    run = await run_checks(page, heavy=True)   # after axe, on the loaded page
    run.apply(accessibility)                   # findings into violations (best-practice ones apart); checks recorded

or both in one call: `await portalscore.crawler.checks.audit.audit_page(page, heavy=...)`; on a Playwright sync
page: portalscore.crawler.checks.sync.run_checks_sync.

Documents (PDF/DOCX forms) are checked from their bytes: portalscore.crawler.checks.documents.check_document.
"""

from .registry import BUDGET_S, BY_ID, CHECKS, CHECKS_VERSION, PAGE_BUDGET_S, CheckRun, reusable, run_checks, selected

__all__ = [
    "BUDGET_S",
    "BY_ID",
    "CHECKS",
    "CHECKS_VERSION",
    "PAGE_BUDGET_S",
    "CheckRun",
    "reusable",
    "run_checks",
    "selected",
]
