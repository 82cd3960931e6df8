"""Evaluation runs: every scenario of one portal, each in a fresh context behind the network guard and the run's
egress proxy, with a screenshot and a Playwright trace kept when it does not pass.

A journey has a time budget its own steps respect; a page whose script never yields does not let a step return,
so every journey also runs under a watchdog held from outside: past its budget and a grace period, the
journey's renderer is stopped (the journey's browser runs one journey at a time), and past that the whole browser,
which is started again for the next journey. So a run always ends.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any

import psutil
from playwright.sync_api import Browser, Playwright
from playwright.sync_api import Error as PlaywrightError

from portalscore.contract import secrets
from portalscore.contract.evidence import ScenarioResult
from portalscore.contract.portal import Portal
from portalscore.crawler import procs
from portalscore.crawler.browser import context_options, instance_of, launch_options
from portalscore.crawler.egress import Egress

from .catalog import all_scenarios
from .journey import DEFAULT_BUDGET_S, Scenario, run_journey
from .safety import AllowedPost, install_guard

log = logging.getLogger("portalscore.scenarios")
_UNSAFE = re.compile(r"[^a-z0-9_-]+")
UNREACHABLE_PREFIXES = ("TimeoutError", "Error: Page.goto: ")  # the home page did not load at all
UNREACHABLE_BUDGET_S = 8.0
SCREENSHOT_TIMEOUT_MS = 5_000
# A journey's steps keep to its budget (each action's own timeout is cut to what is left); this is the room left
# for a last action to time out, the screenshot and the trace, before the watchdog steps in.
GRACE_S = 12.0
CLOSE_GRACE_S = 10.0  # then the browser itself, if even closing the journey's context hangs
HUNG = "hung: the page stopped responding (a script that never yields); stopped after {seconds:g}s"
MAX_HUNG = 2  # journeys in a row that hung: the others would too (they all start from the same pages)
# A step that timed out may have waited on a page whose script took it over: such a page keeps its renderer busy
# (BUSY_SHARE of a core over BUSY_WINDOW_S) and does not answer a bare script call within PROBE_S, and the journey is
# then counted as hung, whichever deadline happened to fire first. A page still waiting on a server that never
# answers does not answer the call either, but its renderer idles: that journey failed, it did not hang.
BUSY_WINDOW_S, BUSY_SHARE = 0.5, 0.5
PROBE_S = 2.0


class JourneyBrowser:
    """The browser a thread runs journeys in (sync API), behind the run's egress proxy; its processes are known, so
    that a journey's renderer can be stopped from outside, and it is started again if it goes away."""

    def __init__(self, playwright: Playwright, egress: Egress, headless: bool = True):
        self.playwright, self.egress, self.headless = playwright, egress, headless
        self._browser: Browser | None = None
        self.process: psutil.Process | None = None
        self.restarts = 0

    def ensure(self) -> Browser:
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        if self._browser is not None:
            self.restarts += 1
            log.warning("the journeys' browser went away; starting a new one (restart %d)", self.restarts)
        options = launch_options(self.egress, self.headless)
        self._browser = self.playwright.chromium.launch(**options)
        self.process = procs.find_browser(instance_of(options))
        return self._browser

    def stop_renderers(self) -> None:
        if self.process is not None:
            procs.kill_renderers(self.process)

    def renderer_busy(self) -> bool:
        """Whether one of this browser's renderers keeps a core busy (BUSY_SHARE over BUSY_WINDOW_S)."""
        if self.process is None:
            return False
        return procs.busiest_share(procs.renderers(self.process), BUSY_WINDOW_S) >= BUSY_SHARE

    def stop_browser(self) -> None:
        if self.process is not None:
            procs.kill(self.process)

    def close(self) -> None:
        if self._browser is not None:
            try:
                self._browser.close()
            except PlaywrightError:
                pass


def _unreachable(result: ScenarioResult) -> bool:
    return result.failed_step == "open_home" and result.reason.startswith(UNREACHABLE_PREFIXES)


def _answers(page: Any, journeys: JourneyBrowser) -> bool:
    """Whether the page still answers (see BUSY_SHARE); one that does not has its renderers stopped."""
    if not journeys.renderer_busy():
        return True
    with procs.Watchdog(PROBE_S, journeys.stop_renderers) as probe:
        try:
            page.evaluate("0")
        except PlaywrightError:
            pass  # closed or navigated away: not a page that stopped answering
    return not probe.fired


def _hung(result: ScenarioResult) -> bool:
    return result.reason.startswith("hung:")


def artefact_name(portal_id: str, scenario_id: str, suffix: str) -> str:
    """File names from ids only (never from a URL): no path can escape the artefact folder."""
    safe = lambda s: _UNSAFE.sub("_", s.lower())[:64] or "x"  # noqa: E731
    return f"{safe(portal_id)}--{safe(scenario_id)}{suffix}"


def _relative(path: Path, root: Path | None) -> str:
    return path.relative_to(root).as_posix() if root is not None else path.name


def allowed_posts(overrides: dict[str, str], scenario_id: str) -> list[AllowedPost]:
    """Read-only lookup endpoints a portal's registry entry allows to POST: '<scenario>.allow_post': regex."""
    pattern = overrides.get(f"{scenario_id}.allow_post")
    return [AllowedPost(pattern)] if pattern else []


def run_one(
    journeys: JourneyBrowser,
    scenario: Scenario,
    portal: Portal,
    artefact_dir: Path,
    budget_s: float = DEFAULT_BUDGET_S,
    procedure_pages: list[str] | None = None,
    artefact_root: Path | None = None,
) -> ScenarioResult:
    """`artefact_root`: the folder the result's screenshot and trace names are relative to (default artefact_dir:
    bare file names)."""
    start = time.perf_counter()
    limit = budget_s + min(GRACE_S, budget_s)
    with procs.Watchdog(limit, journeys.stop_renderers) as dog:
        result, stuck = _run_one(
            journeys, scenario, portal, artefact_dir, budget_s, dog, procedure_pages or [], artefact_root
        )
    if dog.fired or stuck:
        seconds = limit if dog.fired else round(time.perf_counter() - start)
        result = ScenarioResult(
            id=scenario.id,
            title=scenario.title,
            outcome="error",
            steps=result.steps,
            failed_step=result.failed_step,
            reason=HUNG.format(seconds=seconds),
            blocked_requests=result.blocked_requests,
            ms=round((time.perf_counter() - start) * 1000, 1),
        )
    return result


def _run_one(
    journeys: JourneyBrowser,
    scenario: Scenario,
    portal: Portal,
    artefact_dir: Path,
    budget_s: float,
    dog: procs.Watchdog,
    procedure_pages: list[str],
    artefact_root: Path | None = None,
) -> tuple[ScenarioResult, bool]:
    """The journey's result, and whether it ended on a page that had stopped answering (stuck)."""
    start = time.perf_counter()
    overrides = dict(getattr(portal, "overrides", None) or {})
    # A portal behind HTTP authentication: its credential set, offered to its own origin only. Such a
    # journey keeps no trace (it records request headers) and no screenshot (whatever the page shows).
    credentials = secrets.http_credentials(portal.url)
    keep_artefacts = credentials is None
    context: Any = None
    result: ScenarioResult | None = None
    try:
        browser = journeys.ensure()
        context = browser.new_context(**context_options(scenario.profile, http_credentials=credentials))
        guard = install_guard(
            context,
            journeys.egress.policy,
            allowed_posts(overrides, scenario.id),
            egress=journeys.egress,
            block_popups=True,
        )
        # DOM snapshots only: a screencast would cost CPU on every scenario; failures get a screenshot.
        if keep_artefacts:
            context.tracing.start(screenshots=False, snapshots=True)
        page = context.new_page()
        guard.page = page
        result = run_journey(
            scenario, page, portal.url, overrides, guard=guard, budget_s=budget_s, procedure_pages=procedure_pages
        )
        if f"{scenario.id}.allow_post" in overrides:
            result.overrides_used[f"{scenario.id}.allow_post"] = overrides[f"{scenario.id}.allow_post"]
        if dog.fired:
            return result, False  # the renderer is gone: nothing more to show of it
        if result.reason.startswith("TimeoutError") and not _answers(page, journeys):
            return result, True  # its renderer is stopped now: nothing more to show of it either
        if keep_artefacts and result.outcome in ("failed", "error"):
            artefact_dir.mkdir(parents=True, exist_ok=True)
            if not _unreachable(result):  # nothing was rendered: a blank picture proves nothing
                shot = artefact_name(portal.id, scenario.id, ".png")
                try:
                    # In CSS pixels (a phone's 1.75x too): the failed step's element box (StepResult.crop) is in
                    # them, and the report cuts it from this picture.
                    page.screenshot(path=str(artefact_dir / shot), timeout=SCREENSHOT_TIMEOUT_MS, scale="css")
                    result.screenshot = _relative(artefact_dir / shot, artefact_root)
                except PlaywrightError as e:
                    log.warning("no screenshot for %s/%s: %s", portal.id, scenario.id, e)
            trace = artefact_name(portal.id, scenario.id, "-trace.zip")
            context.tracing.stop(path=str(artefact_dir / trace))
            result.trace = _relative(artefact_dir / trace, artefact_root)
        elif keep_artefacts:
            context.tracing.stop()
        return result, False
    except Exception as e:  # a browser crash on one scenario must not stop the others
        if not dog.fired:
            log.exception("scenario %s on %s", scenario.id, portal.id)
        return result or ScenarioResult(
            id=scenario.id,
            title=scenario.title,
            outcome="error",
            reason=f"{type(e).__name__}: {e}",
            ms=round((time.perf_counter() - start) * 1000, 1),
        ), False
    finally:
        if context is not None:
            with procs.Watchdog(CLOSE_GRACE_S, journeys.stop_browser):
                try:
                    context.close()
                except PlaywrightError:
                    pass


def run_scenarios(
    journeys: JourneyBrowser,
    portal: Portal,
    artefact_dir: Path,
    only: list[str] | None = None,
    start_error: str | None = None,
    budget_s: float = DEFAULT_BUDGET_S,
    procedure_pages: list[str] | None = None,
    artefact_root: Path | None = None,
) -> list[ScenarioResult]:
    """Run the scenarios (all, or the ids in `only`) on one portal.

    Never raises for portal problems; each scenario is bounded in time (DEFAULT_BUDGET_S, held from outside).
    `start_error`: the crawl found the portal's start page unusable for a reason a journey cannot get past (a
    redirect loop, a refused internal address, a navigation loop): the journeys are recorded as not run, and
    nothing is requested.
    `procedure_pages`: procedure pages the crawl found (routes.procedure_candidates), a route to a procedure page
    that does not depend on the portal's search.
    `artefact_root`: a folder holding artefact_dir; the results name their files relative to it (the evidence
    archive keeps them under <portal>/journeys/run-<N>/, crawler.archive.journey_folder)."""
    artefact_dir = Path(artefact_dir)
    journeys.egress.policy.allow_origin(portal.url)
    known = all_scenarios()
    wanted = [known[sid] for sid in (only or known) if sid in known]
    if start_error:
        reason = f"not run: the portal's start page failed in the crawl ({start_error})"
        return [ScenarioResult(id=s.id, title=s.title, outcome="error", reason=reason) for s in wanted]
    results: list[ScenarioResult] = []
    budget = budget_s
    hung = 0
    for scenario in wanted:
        if hung >= MAX_HUNG:
            reason = f"not run: the portal's pages stopped responding in {hung} journeys before this one"
            results.append(ScenarioResult(id=scenario.id, title=scenario.title, outcome="error", reason=reason))
            continue
        result = run_one(journeys, scenario, portal, artefact_dir, budget, procedure_pages, artefact_root)
        results.append(result)
        hung = hung + 1 if _hung(result) else 0
        if _unreachable(result) or _hung(result):
            # Still tried (a portal may come back), but an unreachable or hung one must not cost 11 full timeouts.
            budget = min(budget, UNREACHABLE_BUDGET_S)
    return results
