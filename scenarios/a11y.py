"""Our page accessibility check on a Playwright (sync) page: for pytest scenario files and the
Selenium comparison. Same axe file, options and summary as the crawler's async run_axe."""

from __future__ import annotations

from playwright.sync_api import Page

from portalscore.contract.evidence import Accessibility
from portalscore.crawler.axe import AXE_OPTIONS, RUN_AXE_JS, axe_source, summarize


def check_page(page: Page, options: dict | None = None) -> Accessibility:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return summarize(page.evaluate(RUN_AXE_JS, options or AXE_OPTIONS))
