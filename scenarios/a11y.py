"""Our page accessibility check on a Playwright (sync) page: for pytest scenario files and the
Selenium comparison. The crawler's own run_axe (in the page's isolated world), with the WCAG options."""

from __future__ import annotations

from playwright.sync_api import Page

from portalscore.contract.evidence import Accessibility
from portalscore.crawler.axe import AXE_OPTIONS, run_axe
from portalscore.crawler.checks.sync import on_sync_page


def check_page(page: Page, options: dict | None = None) -> Accessibility:
    return on_sync_page(page, lambda impl: run_axe(impl, options or AXE_OPTIONS))
