"""Every check of ours, in the order they run, and the one call that runs them on a page.

Order matters: read-only checks first; then the ones that change the viewport or styles and put them back
(reflow, text size, text spacing); then form errors (types into fields and puts the values back, but a field
left in its error state stays so: it must see the fields before the keyboard walk blurs them); then the
keyboard walk (moves focus, reset after); then the custom controls (key presses and clicks whose effects on
the page's scripts cannot all be undone). All of it after everything the crawler reads.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from portalscore.contract.evidence import Accessibility, Violation

from ..world import OurWorld, PageInWorld
from . import controls, form_errors, forms, headings, images, keyboard, links, reflow, tables, target_size
from .base import Check, CheckContext, violation

CHECKS: tuple[Check, ...] = (
    *images.CHECKS,
    *headings.CHECKS,
    *tables.CHECKS,
    *forms.CHECKS,
    *links.CHECKS,
    *target_size.CHECKS,
    *reflow.CHECKS,
    *form_errors.CHECKS,
    *keyboard.CHECKS,
    *controls.CHECKS,
)
BY_ID = {c.meta.id: c for c in CHECKS}

# Time budgets per check, seconds: a check past it is stopped and recorded in check_errors. And one for the page:
# once spent, the checks not started yet are recorded as skipped (a pathological page cannot hold a crawl slot
# for the sum of every check's budget).
BUDGET_S = {"light": 5.0, "heavy": 20.0}
PAGE_BUDGET_S = 40.0
# Bump when a check's logic changes what it finds: a stored audit made with another version is not reused as ours.
# 2: axe and the checks run in the page's isolated world (crawler/world.py); an audit made in the page's own world
# may hold what a page forged, so it is done again.
CHECKS_VERSION = "2"


@dataclass
class CheckRun:
    """What run_checks found on one page."""

    violations: list[Violation] = field(default_factory=list)  # one per check with failing nodes
    checks: list[str] = field(default_factory=list)  # ids of the checks that ran to the end
    errors: dict[str, str] = field(default_factory=dict)  # check id -> why it did not complete
    ms: dict[str, float] = field(default_factory=dict)  # check id -> wall time

    def cost_ms(self, cost: str) -> float:
        return sum(v for k, v in self.ms.items() if BY_ID[k].meta.cost == cost)

    def apply(self, acc: Accessibility) -> Accessibility:
        """Add this run to a page's axe audit: our WCAG findings beside axe's WCAG violations, our best-practice
        ones beside axe's best-practice rules; which checks ran (and with which version), which could not."""
        for v in self.violations:
            (acc.best_practice if BY_ID[v.rule].meta.level == "best-practice" else acc.violations).append(v)
        acc.checks = list(self.checks)
        acc.check_errors = dict(self.errors)
        acc.checks_version = CHECKS_VERSION
        return acc


def reusable(stored: Accessibility, *, heavy: bool) -> bool:
    """Whether a stored audit (incremental crawling) already holds what run_checks(heavy=heavy) would add now:
    made by this version of our checks, and every check selected now ran then. An audit stored before our
    checks existed, or with light checks only where heavy ones are due, must be done again."""
    return stored.checks_version == CHECKS_VERSION and {c.meta.id for c in selected(heavy=heavy)} <= set(stored.checks)


def selected(*, heavy: bool, only: list[str] | None = None) -> list[Check]:
    return [c for c in CHECKS if (heavy or c.meta.cost == "light") and (only is None or c.meta.id in only)]


async def run_checks(
    page,
    *,
    heavy: bool,
    only: list[str] | None = None,
    budget_s: dict[str, float] | None = None,
    page_budget_s: float = PAGE_BUDGET_S,
    world: OurWorld | None = None,
) -> CheckRun:
    """Run our checks on a loaded Playwright async `page` (after axe; nothing the crawler reads comes after).

    heavy=False runs only the light (DOM-reading) checks; heavy=True adds the keyboard, reflow, text and
    control checks. `only` narrows to some check ids. A check that raises or exceeds its budget is recorded in
    `errors` and the others still run; past `page_budget_s` the remaining checks are recorded as skipped. While they run, navigations of the page and non-GET requests are
    aborted (a key press on a link must not leave the page, nothing is ever submitted) and JavaScript dialogs
    are dismissed. The checks' scripts run in the page's isolated `world` (a new one if not given).
    """
    async with OurWorld.opened(page, world) as ours:
        return await _run_checks(page, ours, heavy=heavy, only=only, budget_s=budget_s, page_budget_s=page_budget_s)


async def _run_checks(
    page,
    world: OurWorld,
    *,
    heavy: bool,
    only: list[str] | None,
    budget_s: dict[str, float] | None,
    page_budget_s: float,
) -> CheckRun:
    budgets = budget_s or BUDGET_S
    out = CheckRun()
    ctx = CheckContext()
    checked = PageInWorld(page, world)
    page_started = time.perf_counter()
    async with _guarded(page):
        for check in selected(heavy=heavy, only=only):
            if time.perf_counter() - page_started > page_budget_s:
                out.errors[check.meta.id] = f"skipped: the page's {page_budget_s:g}s for our checks was spent"
                continue
            started = time.perf_counter()
            try:
                nodes = await asyncio.wait_for(check.run(checked, ctx), budgets[check.meta.cost])
            except TimeoutError:
                out.errors[check.meta.id] = f"timeout: over {budgets[check.meta.cost]:g}s"
            except Exception as e:  # a page can break any check; the others still run
                out.errors[check.meta.id] = f"{type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''}"
            else:
                out.checks.append(check.meta.id)
                if nodes:
                    out.violations.append(violation(check.meta, nodes))
            finally:
                out.ms[check.meta.id] = round((time.perf_counter() - started) * 1000, 1)
            if page.is_closed():
                break
    return out


@asynccontextmanager
async def _guarded(page):
    async def route(r) -> None:
        req = r.request
        if req.method != "GET" or (req.is_navigation_request() and req.frame == page.main_frame):
            await r.abort()
        else:
            await r.fallback()

    pending: set[asyncio.Future] = set()

    def on_dialog(dialog) -> None:  # an alert() a key press set off would block the page
        task = asyncio.ensure_future(_quietly(dialog.dismiss()))
        pending.add(task)
        task.add_done_callback(pending.discard)

    await page.route("**/*", route)
    page.on("dialog", on_dialog)
    try:
        yield
    finally:
        page.remove_listener("dialog", on_dialog)
        if not page.is_closed():
            await _quietly(page.unroute("**/*", route))


async def _quietly(awaitable) -> None:
    try:
        await awaitable
    except Exception:  # the page or dialog may be gone already
        pass
