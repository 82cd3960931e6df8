"""One page load as the run schedules it: host gate, browser slot, fresh context, a deadline held from outside,
retries."""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import AsyncExitStack

from playwright.async_api import Error as PlaywrightError

from portalscore.contract.evidence import PageEvidence

from .gatherers import NO_HINTS, Hints
from .hostgate import Permit
from .lighthttp import backoff_s, retry_after_s
from .measure import Measured, measure_page
from .pool import BrowserPool, GateTicket, PageSpan
from .tab import PageJob, Tab, close_context
from .urls import host_of

log = logging.getLogger("portalscore.crawler")
KILL_GRACE_S = 5.0


async def load_page(
    pool: BrowserPool, job: PageJob, hints: Hints = NO_HINTS, tickets: list[GateTicket] | None = None
) -> PageEvidence:
    """Measure `job.url`, retrying transient failures (timeouts, 429/502/503/504, a crashed browser) with
    backoff or the server's Retry-After (capped). Raises measure.NotAPage for files. An exclusive job's holds on
    the quiet gate are appended to `tickets` (one per attempt)."""
    settings = pool.settings
    netloc = host_of(job.url)
    tries: list[str] = []
    attempt = 0
    while True:
        measured = await _attempt(pool, job, hints, tickets)
        page = measured.page
        if not measured.transient or attempt >= settings.retries:
            if tries:
                page.notes.insert(0, f"retried {len(tries)}x after: {'; '.join(tries)}"[:300])
            return page
        tries.append(page.error or "transient failure")
        wait = retry_after_s(measured.retry_after)
        wait = backoff_s(attempt) if wait is None else min(wait, settings.retry_after_cap_s)
        log.info(
            "retrying %s in %.1fs after: %s",
            job.url,
            wait,
            tries[-1],
            extra={
                "event": "retry",
                "url": job.url,
                "attempt": attempt + 1,
                "wait_s": round(wait, 2),
                "error": tries[-1],
                "profile": job.profile,
            },
        )
        pool.gate.pause(netloc, wait)
        attempt += 1


async def _attempt(pool: BrowserPool, job: PageJob, hints: Hints, tickets: list[GateTicket] | None) -> Measured:
    """Load permit (or exclusive use) -> host permit -> load; then, once loaded, host permit and
    load permit are traded for a browser slot for the DOM and axe."""
    settings = pool.settings
    async with AsyncExitStack() as held:
        permits: list[Permit] = []  # the host permit, once granted
        slot = False

        async def start() -> None:
            if job.exclusive:
                ticket = await held.enter_async_context(pool.exclusive())
                if tickets is not None:
                    tickets.append(ticket)
            else:
                await pool.acquire_load()
                held.callback(lambda: None if slot else pool.release_load())

        async def loaded() -> None:
            nonlocal slot
            permits[0].release()
            if not job.exclusive:
                await pool.acquire_slot()
                slot = True
                held.callback(pool.release_slot)
                pool.release_load()

        permits.append(await pool.gate.acquire(host_of(job.url), before_start=start))
        held.callback(permits[0].release)
        if pool.activity is not None:
            spans, began = pool.activity, time.monotonic()

            def record() -> None:
                # Runs as the permits go back, before this task yields: before anyone waiting on them starts.
                spans.append(PageSpan(job.url, job.profile, job.exclusive, began, time.monotonic()))

            held.callback(record)
        try:
            guard = pool.guard()
            context = await pool.new_context(job.profile, guard)
        except PlaywrightError as e:  # the browser died under us: the pool starts a new one on the retry
            error = f"browser: {str(e).splitlines()[0][:200]}"
            return Measured(PageEvidence(url=job.url, profile=job.profile, error=error), transient=True)
        try:
            tab = await Tab.open(context, guard, job)
            work = measure_page(tab, job, settings, pool.egress, loaded=loaded, hints=hints, memory=pool.memory)
            try:
                # A backstop only: measure_page keeps to the page's deadline itself.
                return await asyncio.wait_for(work, settings.page_timeout_s + KILL_GRACE_S)
            except TimeoutError:
                # Held from outside: the page's own script may never yield, so its renderer is stopped.
                await tab.kill()
                error = (
                    f"page time limit exceeded ({settings.page_timeout_s:g}s): the page did not finish "
                    "(a script that never yields, or a server that never stops sending); stopped"
                )
                return Measured(PageEvidence(url=job.url, profile=job.profile, error=error))
        except PlaywrightError as e:  # the page could not even be opened (the browser is going away)
            error = f"browser: {str(e).splitlines()[0][:200]}"
            return Measured(PageEvidence(url=job.url, profile=job.profile, error=error), transient=True)
        finally:
            await close_context(context)
