"""Evaluation runs: every scenario of one portal, each in a fresh context behind the network guard,
with a screenshot and a Playwright trace kept when it does not pass."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError

from portalscore.contract import secrets
from portalscore.contract.evidence import ScenarioResult
from portalscore.crawler.browser import context_options

from .catalog import SCENARIOS
from .journey import DEFAULT_BUDGET_S, Scenario, run_journey
from .safety import AllowedPost, install_guard

log = logging.getLogger("portalscore.scenarios")
_UNSAFE = re.compile(r"[^a-z0-9_-]+")
UNREACHABLE_PREFIXES = ("TimeoutError", "Error: Page.goto: net::")
UNREACHABLE_BUDGET_S = 8.0
SCREENSHOT_TIMEOUT_MS = 5_000


def _unreachable(result: ScenarioResult) -> bool:
    return result.failed_step == "open_home" and result.reason.startswith(UNREACHABLE_PREFIXES)


def artefact_name(portal_id: str, scenario_id: str, suffix: str) -> str:
    """File names from ids only (never from a URL): no path can escape the artefact folder."""
    safe = lambda s: _UNSAFE.sub("_", s.lower())[:64] or "x"  # noqa: E731
    return f"{safe(portal_id)}--{safe(scenario_id)}{suffix}"


def allowed_posts(overrides: dict[str, str], scenario_id: str) -> list[AllowedPost]:
    """Read-only lookup endpoints a portal's registry entry allows to POST: '<scenario>.allow_post': regex."""
    pattern = overrides.get(f"{scenario_id}.allow_post")
    return [AllowedPost(pattern)] if pattern else []


def run_one(
    browser: Browser,
    scenario: Scenario,
    portal,
    artefact_dir: Path,
    allowed_hosts: list[str] | None,
    budget_s: float = DEFAULT_BUDGET_S,
) -> ScenarioResult:
    start = time.perf_counter()
    overrides = dict(getattr(portal, "overrides", None) or {})
    # A portal behind HTTP authentication: its credential set, offered to its own origin only. Such a
    # journey keeps no trace (it records request headers) and no screenshot (whatever the page shows).
    credentials = secrets.http_credentials(portal.url)
    keep_artefacts = credentials is None
    context = None
    try:
        context = browser.new_context(**context_options(scenario.profile, http_credentials=credentials))
        guard = install_guard(context, allowed_hosts, allowed_posts(overrides, scenario.id))
        # DOM snapshots only: a screencast would cost CPU on every scenario; failures get a screenshot.
        if keep_artefacts:
            context.tracing.start(screenshots=False, snapshots=True)
        page = context.new_page()
        result = run_journey(scenario, page, portal.url, overrides, guard=guard, budget_s=budget_s)
        if f"{scenario.id}.allow_post" in overrides:
            result.overrides_used[f"{scenario.id}.allow_post"] = overrides[f"{scenario.id}.allow_post"]
        if keep_artefacts and result.outcome in ("failed", "error"):
            artefact_dir.mkdir(parents=True, exist_ok=True)
            if not _unreachable(result):  # nothing was rendered: a blank picture proves nothing
                shot = artefact_name(portal.id, scenario.id, ".png")
                try:
                    page.screenshot(path=str(artefact_dir / shot), timeout=SCREENSHOT_TIMEOUT_MS)
                    result.screenshot = shot
                except PlaywrightError as e:
                    log.warning("no screenshot for %s/%s: %s", portal.id, scenario.id, e)
            trace = artefact_name(portal.id, scenario.id, "-trace.zip")
            context.tracing.stop(path=str(artefact_dir / trace))
            result.trace = trace
        elif keep_artefacts:
            context.tracing.stop()
        return result
    except Exception as e:  # a browser crash on one scenario must not stop the others
        log.exception("scenario %s on %s", scenario.id, portal.id)
        return ScenarioResult(
            id=scenario.id,
            title=scenario.title,
            outcome="error",
            reason=f"{type(e).__name__}: {e}",
            ms=round((time.perf_counter() - start) * 1000, 1),
        )
    finally:
        if context is not None:
            try:
                context.close()
            except PlaywrightError:
                pass


def run_scenarios(
    browser: Browser, portal, artefact_dir: Path, allowed_hosts: list[str] | None = None, only: list[str] | None = None
) -> list[ScenarioResult]:
    """Run the scenarios (all, or the ids in `only`) on one portal (a portalscore.registry.Portal).

    Never raises for portal problems; each scenario is bounded in time (DEFAULT_BUDGET_S)."""
    artefact_dir = Path(artefact_dir)
    wanted = [SCENARIOS[sid] for sid in (only or SCENARIOS) if sid in SCENARIOS]
    results: list[ScenarioResult] = []
    budget = DEFAULT_BUDGET_S
    for scenario in wanted:
        result = run_one(browser, scenario, portal, artefact_dir, allowed_hosts, budget)
        results.append(result)
        if _unreachable(result):
            # Still tried (a portal may come back), but an unreachable one must not cost 11 full timeouts.
            budget = UNREACHABLE_BUDGET_S
    return results
