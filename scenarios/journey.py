"""The Step/Journey helper: named, timed steps over a Playwright (sync) page, and the navigation
moves every journey shares (open a page, follow a link the way a citizen would, reach a function).

Used by both runners: run_scenarios (evaluation runs) and pytest (portal teams), and by teams'
own scenario files. A journey stops at its first failing step; that step and its reason are the
result. Every step checks the scenario's time budget, so a scenario ends in bounded time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NoReturn
from urllib.parse import urljoin

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, Request, Response

from portalscore.contract.evidence import Box, RouteAttempt, ScenarioResult, StepResult
from portalscore.contract.journeys import JourneySpec, register

from . import locate, textmatch, vocabulary
from .safety import Guard

DEFAULT_BUDGET_S = 60.0
ACTION_TIMEOUT_MS = 8_000
BOX_TIMEOUT_MS = 1_000  # the failed step's element, measured for its crop: present now, or not at all
NAVIGATION_TIMEOUT_MS = 20_000
SETTLE_MS = 3_000
STALE_REQUEST_S = 5.0
NOT_APPLICABLE_VALUES = {"n/a", "na", "not applicable", "none"}

_QUIET_DOM_JS = """
(ms) => new Promise((resolve) => {
  let timer;
  const done = () => { obs.disconnect(); resolve(true); };
  const obs = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, 200); });
  obs.observe(document, {subtree: true, childList: true, characterData: true});
  timer = setTimeout(done, 200);
  setTimeout(done, ms);
})
"""


class StepFailed(Exception):
    def __init__(self, step: str, reason: str):
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


class NotApplicable(Exception):
    """The journey does not apply to this portal (registry says so, or a gate no robot may pass)."""


class _Failure(Exception):
    """Raised by Journey.fail inside a step; the step turns it into StepFailed."""


@dataclass
class Scenario:
    id: str
    title: str
    run: Callable[[Journey], None]
    profile: str = "desktop"  # crawler.browser.context_options profile
    title_en: str = ""


_DECLARED: dict[str, tuple[JourneySpec, Scenario]] = {}


def journey(
    id: str,
    *,
    title: str,
    title_en: str,
    steps: tuple[str, ...],
    subject: tuple[str, ...],
    profile: str = "desktop",
    order: int = 100,
) -> Callable[[Callable[[Journey], None]], Callable[[Journey], None]]:
    """Declare a journey: its function, and what the criteria need to know of it (contract.journeys.JourneySpec).
    A module in scenarios/journeys/ with one such function is a whole new journey: the catalogue finds the module,
    the runner runs it, the criteria can score `scenario.<id>` and `scenario_steps.<id>`."""
    spec = JourneySpec(id, title, title_en, tuple(steps), tuple(subject), profile, order)

    def declare(run: Callable[[Journey], None]) -> Callable[[Journey], None]:
        register(spec)
        _DECLARED[id] = (spec, Scenario(id, title, run, profile, title_en))
        return run

    return declare


def declared() -> dict[str, Scenario]:
    """The journeys declared so far, in their order (scenarios/catalog.py imports them all)."""
    return {
        sid: scenario for sid, (_spec, scenario) in sorted(_DECLARED.items(), key=lambda kv: (kv[1][0].order, kv[0]))
    }


@dataclass
class StepRecord:
    name: str
    detail: str = ""
    # The element the step is about, set before a check that may fail on it (the wrong element focused, a control
    # without a name): if the step fails, its box on the viewport is recorded (StepResult.crop) for the report to
    # cut from the failure screenshot, taken right after in the same state.
    element: Locator | None = field(default=None, repr=False)


@dataclass
class Reached:
    """Where following a function's entry led: a loaded page, or an off-site target not loaded."""

    url: str
    how: str
    offsite: bool = False
    response: Response | None = field(default=None, repr=False)


class Journey:
    def __init__(
        self,
        page: Page,
        portal_url: str,
        overrides: dict[str, str] | None = None,
        guard: Guard | None = None,
        scenario_id: str = "",
        budget_s: float = DEFAULT_BUDGET_S,
        procedure_pages: list[str] | None = None,
    ):
        self.page = page
        self.portal_url = portal_url
        self.overrides = dict(overrides or {})
        self.guard = guard
        self.scenario_id = scenario_id
        self.steps: list[StepResult] = []
        self.overrides_used: dict[str, str] = {}
        # Procedure pages the crawl found (scenarios.routes.procedure_candidates): one route to a procedure page
        # when the portal's search and catalogue do not get there.
        self.procedure_pages = list(procedure_pages or [])
        self.route = ""
        self.route_attempts: list[RouteAttempt] = []
        self.deadline = time.monotonic() + budget_s
        self.nav_response: Response | None = None  # the main document's latest response
        self._inflight: dict[int, float] = {}  # request -> start; long polls and lost events age out
        page.on("response", self._on_response)
        page.on("request", self._on_request_start)
        page.on("requestfinished", self._on_request_end)
        page.on("requestfailed", self._on_request_end)

    def _on_response(self, response: Response) -> None:
        try:
            if response.request.is_navigation_request() and response.frame == self.page.main_frame:
                self.nav_response = response
        except PlaywrightError:
            pass

    # -- steps -------------------------------------------------------------------------------
    def remaining_ms(self) -> float:
        return max(0.0, (self.deadline - time.monotonic()) * 1000)

    def _apply_timeouts(self) -> None:
        left = max(1.0, self.remaining_ms())
        self.page.set_default_timeout(min(ACTION_TIMEOUT_MS, left))
        self.page.set_default_navigation_timeout(min(NAVIGATION_TIMEOUT_MS, left))

    @contextmanager
    def step(self, name: str) -> Iterator[StepRecord]:
        """Time a step; any failure inside it (fail(), a Playwright error, a timeout) fails the journey here."""
        record = StepRecord(name)
        start = time.perf_counter()
        reason = None
        try:
            if self.remaining_ms() <= 0:
                raise _Failure("time budget of the scenario exhausted")
            self._apply_timeouts()
            yield record
        except NotApplicable:
            self._record(record, start, True)
            raise
        except _Failure as e:
            reason = str(e)
        except PlaywrightError as e:  # includes TimeoutError
            first = str(e).splitlines()[0] if str(e) else ""
            reason = f"{type(e).__name__}: {self.guard.name_failure(first) if self.guard else first}"
        if reason is None:
            self._record(record, start, True)
            return
        reason = locate.nfc(reason)
        record.detail = reason
        self._record(record, start, False, self._box(record.element))
        raise StepFailed(name, reason)

    def _box(self, element: Locator | None) -> Box | None:
        """The element's box within the viewport (what page.screenshot shows), or None (gone, hidden, outside)."""
        if element is None:
            return None
        try:
            box = element.first.bounding_box(timeout=BOX_TIMEOUT_MS)
            size = self.page.viewport_size
        except PlaywrightError:
            return None
        if box is None or size is None:
            return None
        x, y = max(0, round(box["x"])), max(0, round(box["y"]))
        right = min(size["width"], round(box["x"] + box["width"]))
        bottom = min(size["height"], round(box["y"] + box["height"]))
        if right - x < 2 or bottom - y < 2:
            return None
        return Box(x, y, right - x, bottom - y)

    def _record(self, record: StepRecord, start: float, ok: bool, crop: Box | None = None) -> None:
        try:
            url = self.page.url
        except PlaywrightError:
            url = ""
        self.steps.append(
            StepResult(
                name=record.name,
                ok=ok,
                ms=round((time.perf_counter() - start) * 1000, 1),
                detail=locate.nfc(record.detail)[:1000],  # quoted page text (titles, names) in NFC
                url=url,
                crop=crop,
            )
        )

    def try_route(self, route: str, attempt: Callable[[], object]) -> bool:
        """Try one route to the page the journey is about. A route that fails is recorded (route_attempts) and its
        steps taken back, so that the next route starts clean and the journey's steps are the way that worked:
        a broken search must not fail the procedure page when the catalogue reaches it."""
        mark = len(self.steps)
        try:
            attempt()
        except StepFailed as e:
            del self.steps[mark:]
            self.route_attempts.append(RouteAttempt(route, False, step=e.step, reason=e.reason[:500]))
            return False
        url = self.page.url
        self.route_attempts.append(RouteAttempt(route, True, url=url))
        self.route = route
        return True

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        """Record an instant check as a step without stopping the journey (e.g. one per required field,
        so that evidence shows which items are missing); the caller decides when to fail."""
        start = time.perf_counter()
        self._record(StepRecord(name, detail), start, ok)
        return ok

    def fail_at(self, step: str, reason: str) -> None:
        """Stop the journey at an already recorded step (see check)."""
        raise StepFailed(step, locate.nfc(reason))

    def fail(self, reason: str) -> NoReturn:
        raise _Failure(reason)

    def require(self, condition: object, reason: str) -> None:
        if not condition:
            raise _Failure(reason)

    # -- overrides ---------------------------------------------------------------------------
    def override(self, key: str) -> str | None:
        """The registry's override for `key` (recorded as used), e.g. 'dossier_lookup' or 'search_procedure.input'."""
        value = self.overrides.get(key)
        if value is not None:
            self.overrides_used[key] = value
        return value

    @staticmethod
    def is_url(value: str) -> bool:
        """Overrides are URLs (absolute, '/path' or a '#/' hash route) or CSS selectors."""
        return value.startswith(("http://", "https://", "/", "#/", "?"))

    def absolute(self, url: str) -> str:
        if url.startswith("#"):
            return self.portal_url.split("#")[0] + url
        return urljoin(self.portal_url, url)

    def open_override(self, key: str) -> str | None:
        """Apply an override that leads somewhere: open its URL or click its selector. Returns how."""
        value = self.override(key)
        if not value:
            return None
        if self.is_url(value):
            self.open(value)
            return f"registry override URL {value}"
        self.acting()
        self.page.locator(value).first.click()
        self.settle()
        return f"registry override selector {value}"

    def override_locator(self, key: str) -> Locator | None:
        value = self.override(key)
        return self.page.locator(value).first if value and not self.is_url(value) else None

    # -- navigation --------------------------------------------------------------------------
    def _on_request_start(self, request: Request) -> None:
        # Images, media and fonts do not change what a page offers; waiting for a 2 MB banner would
        # only slow every step down.
        if request.resource_type not in ("image", "media", "font", "beacon", "ping"):
            self._inflight[id(request)] = time.monotonic()

    def _on_request_end(self, request: Request) -> None:
        self._inflight.pop(id(request), None)

    def acting(self) -> None:
        """The journey is about to act (open, click, submit a search): the navigation that follows is its own, not
        the page's; the guard stops a page that navigates by itself more than a few times (a refresh loop)."""
        if self.guard is not None:
            self.guard.expect_navigation()

    def settle(self) -> None:
        """Wait until the page is usable: DOM loaded, no request in flight (bounded; a portal that polls
        forever never goes idle), then the DOM quiet for 200 ms (client-rendered portals draw after
        their XHRs return)."""
        try:
            self._settle()
        finally:
            self.acting()  # each action and its settle get their own allowance of the page's own navigations

    def _settle(self) -> None:
        budget_ms = min(SETTLE_MS, self.remaining_ms())
        try:
            self.page.wait_for_load_state(
                "domcontentloaded", timeout=max(1.0, min(NAVIGATION_TIMEOUT_MS, self.remaining_ms()))
            )
        except PlaywrightError:
            pass
        end = time.monotonic() + budget_ms / 1000
        while time.monotonic() < end and any(time.monotonic() - t < STALE_REQUEST_S for t in self._inflight.values()):
            self.page.wait_for_timeout(50)
        for _ in range(2):  # a navigation starting during the wait destroys the context: wait once more
            try:
                self.page.evaluate(_QUIET_DOM_JS, max(0.0, (end - time.monotonic()) * 1000) + 200)
                return
            except PlaywrightError:
                try:
                    self.page.wait_for_load_state("domcontentloaded")
                except PlaywrightError:
                    return

    def open(self, url: str) -> Response | None:
        """Go to a URL and require a usable answer (no HTTP error, no aborted navigation)."""
        url = self.absolute(url)
        if self.guard is not None and not self.guard.host_allowed(url):
            self.fail(f"{url} is outside the allowed hosts")
        self.acting()
        response = self.page.goto(url, wait_until="domcontentloaded")
        self.settle()
        if response is not None and response.status >= 400:
            self.fail(f"HTTP {response.status} for {url}")
        return response

    def open_home(self) -> Response | None:
        return self.open(self.portal_url)

    def is_offsite_blocked(self, url: str) -> bool:
        return self.guard is not None and not self.guard.host_allowed(url)

    def describe(self, candidate: locate.Candidate) -> str:
        """An element as the evidence quotes it: by its accessible name from the browser's accessibility tree
        (Playwright), the name a screen reader says, when the tree gives one; else by what the list read."""
        name = ""
        if candidate.visible:
            _role, name = locate.accessible_name(candidate.locator(self.page), timeout_ms=1000)
        return candidate.describe(name)

    def follow(self, candidate: locate.Candidate) -> Reached:
        """Follow a link or press a button as a citizen would. Plain links to hosts the guard does not
        allow are reported, not loaded; links opening a new window are opened in this one."""
        page = self.page
        href = candidate.absolute_href(page.url)
        how = self.describe(candidate)  # before the click: the element is gone once the page has changed
        if href and self.is_offsite_blocked(href):
            return Reached(url=href, how=how, offsite=True)
        self.nav_response = None
        self.acting()
        if href and (candidate.target.lower() == "_blank" or not candidate.visible):
            self.nav_response = page.goto(href, wait_until="domcontentloaded")
            self.settle()
        else:
            locator = candidate.locator(page)
            popups: list[Page] = []

            def on_popup(new_page: Page) -> None:
                popups.append(new_page)

            page.context.on("page", on_popup)
            mark = len(self.guard.blocked) if self.guard is not None else 0
            try:
                try:
                    locator.click(timeout=min(3000, max(1.0, self.remaining_ms())))
                except PlaywrightError:
                    # Covered or hidden (collapsed menu): deliver the click to the element itself.
                    locator.dispatch_event("click")
                self.settle()
            finally:
                page.context.remove_listener("page", on_popup)
            if popups:  # window.open(): followed in this page, as target=_blank links are
                url = self._popup_target(popups, mark)
                if url and self.is_offsite_blocked(url):
                    return Reached(url=url, how=how, offsite=True)
                if url:
                    self.acting()
                    self.nav_response = page.goto(url, wait_until="domcontentloaded")
                    self.settle()
        response = self.nav_response
        if response is not None and response.status >= 400:
            self.fail(f"HTTP {response.status} after following {how}")
        return Reached(url=page.url, how=how, response=response)

    def _popup_target(self, popups: list[Page], mark: int) -> str:
        """Where a window the click opened was going: the guard, which loads no pop-up, recorded it."""
        if self.guard is not None:
            blocked = [b.url for b in self.guard.blocked[mark:] if b.kind == "pop-up"]
            if blocked:
                for popup in popups:
                    popup.close()
                try:  # recorded by the guard's window.open hook, hash route included
                    opened = self.page.evaluate("() => window.__psOpened || ''")
                except PlaywrightError:
                    opened = ""
                return str(opened or blocked[0])
        return self._popup_url(popups)

    @staticmethod
    def _popup_url(popups: list[Page]) -> str:
        try:
            popups[0].wait_for_url(lambda u: u != "about:blank", timeout=3000)
        except PlaywrightError:
            pass
        url = popups[0].url
        for popup in popups:
            popup.close()
        return "" if url == "about:blank" else url

    def reach(self, function: str, synonyms: tuple[str, ...], *, guess: bool = True) -> Reached:
        """Get from the current page to a function: registry override (URL or selector), then a link or
        button named by a synonym, then (last resort, recorded) a common URL path."""
        how = self.open_override(function)
        if how:
            return Reached(url=self.page.url, how=how)
        candidates = locate.find(self.page, synonyms)
        if candidates:
            return self.follow(candidates[0])
        if guess:
            reached = self._guess(function, synonyms)
            if reached is not None:
                return reached
        self.fail(f"no link or button named like {', '.join(repr(s) for s in synonyms[:4])}")
        raise AssertionError("unreachable")

    def _guess(self, function: str, synonyms: tuple[str, ...]) -> Reached | None:
        """Common paths, fetched without rendering (GET, same host); the first that answers 200 and names
        the function is opened in the page."""
        for path in vocabulary.GUESSED_PATHS.get(function, ()):
            url = self.absolute(path)
            if self.remaining_ms() < 2000 or self.is_offsite_blocked(url):
                break
            if "#" not in path:
                try:
                    answer = self.page.request.get(url, timeout=min(5000, self.remaining_ms()), max_redirects=5)
                    found = answer.status < 400 and textmatch.mentions(answer.text()[:500_000], synonyms)
                except PlaywrightError:
                    continue
                if not found:
                    continue
            self.acting()
            response = self.page.goto(url, wait_until="domcontentloaded")
            self.settle()
            if (response is None or response.status < 400) and textmatch.mentions(self.text(), synonyms):
                return Reached(
                    url=self.page.url, how=f"guessed URL {path} (no link or button names it)", response=response
                )
        return None

    def text(self) -> str:
        return locate.visible_text(self.page)


def run_journey(
    scenario: Scenario,
    page: Page,
    portal_url: str,
    overrides: dict[str, str] | None = None,
    guard: Guard | None = None,
    budget_s: float = DEFAULT_BUDGET_S,
    procedure_pages: list[str] | None = None,
) -> ScenarioResult:
    """Run one scenario on a page; never raises for portal problems."""
    start = time.perf_counter()
    result = ScenarioResult(id=scenario.id, title=scenario.title)
    journey = Journey(
        page,
        portal_url,
        overrides,
        guard=guard,
        scenario_id=scenario.id,
        budget_s=budget_s,
        procedure_pages=procedure_pages,
    )
    marker = journey.overrides.get(scenario.id, "")
    try:
        if marker.strip().lower() in NOT_APPLICABLE_VALUES:
            journey.override(scenario.id)
            raise NotApplicable("marked not applicable in the registry's overrides")
        scenario.run(journey)
        result.outcome = "passed"
    except StepFailed as e:
        result.outcome, result.failed_step, result.reason = "failed", e.step, e.reason
    except NotApplicable as e:
        result.outcome, result.reason = "not_applicable", str(e)
    except Exception as e:  # a bug in a scenario must not cost the other scenarios their run
        result.outcome, result.reason = "error", f"{type(e).__name__}: {e}"
    result.steps = journey.steps
    result.overrides_used = journey.overrides_used
    result.route, result.route_attempts = journey.route, journey.route_attempts
    if guard is not None:
        result.blocked_requests = guard.lines()
    result.ms = round((time.perf_counter() - start) * 1000, 1)
    return result


def outcome_line(result: ScenarioResult) -> str:
    """One line for pytest output and logs."""
    if result.outcome == "failed":
        return f"{result.id}: failed at step {result.failed_step!r}: {result.reason}"
    return f"{result.id}: {result.outcome}" + (f" ({result.reason})" if result.reason else "")
