"""Our checks on a Playwright *sync* page: the pytest path for portal teams (portalscore.scenarios) and any
sync caller.

    from portalscore.crawler.checks.sync import run_checks_sync
    run = run_checks_sync(page, heavy=True)      # page: playwright.sync_api.Page, loaded
    run.apply(accessibility)                     # e.g. scenarios.a11y.check_page's axe result

Playwright's sync API is a thin wrapper over the same asyncio implementation the async API uses, driven by
its own event loop. The checks are async functions of a page, so they run here on the sync page's
implementation object inside that loop (`Page._impl_obj`, `Page._sync`: private attributes of Playwright,
whose version requirements.lock pins; tests/test_a11y_checks.py runs this path so that an upgrade that
changes them fails there, not on a portal team's CI).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from .registry import CheckRun, run_checks

T = TypeVar("T")


def on_sync_page(page, call: Callable[[Any], Awaitable[T]]) -> T:
    """`call(async_page)` on a playwright.sync_api.Page's async implementation, in its loop; its result."""
    impl = getattr(page, "_impl_obj", None)
    if impl is None or not hasattr(page, "_sync"):
        raise TypeError(f"needs a playwright.sync_api.Page, not {type(page).__name__}")
    return page._sync(call(impl))


def run_checks_sync(page, *, heavy: bool, only: list[str] | None = None, **kwargs) -> CheckRun:
    """run_checks on a playwright.sync_api.Page; the same arguments and result."""
    return on_sync_page(page, lambda impl: run_checks(impl, heavy=heavy, only=only, **kwargs))
