"""One page load as the run schedules it: host gate, browser slot, fresh context, time limit, retries."""

from __future__ import annotations

import asyncio
import logging

from playwright.async_api import Error as PlaywrightError

from portalscore.contract.evidence import PageEvidence

from .lighthttp import backoff_s, retry_after_s
from .measure import Measured, Reuse, Sample, close_context, measure_page
from .pool import BrowserPool
from .settings import CrawlSettings
from .urls import host_of

log = logging.getLogger("portalscore.crawler")


async def load_page(
    pool: BrowserPool,
    url: str,
    settings: CrawlSettings,
    *,
    profile: str = "desktop",
    site_hosts: set[str] | None = None,
    audit: bool = True,
    exclusive: bool = False,
    reuse: Reuse | None = None,
    throttle: str | None = None,
    sample: Sample | None = None,
) -> PageEvidence:
    """Measure `url`, retrying transient failures (timeouts, 429/502/503/504, a crashed browser) with
    backoff or the server's Retry-After (capped). `throttle`: a crawler.throttle preset for the load;
    `reuse`, `sample`: see measure_page.
    Raises measure.NotAPage for files."""
    netloc = host_of(url)
    tries: list[str] = []
    attempt = 0
    while True:
        measured = await _attempt(pool, url, settings, profile, site_hosts, audit, exclusive, reuse, throttle, sample)
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
            url,
            wait,
            tries[-1],
            extra={
                "event": "retry",
                "url": url,
                "attempt": attempt + 1,
                "wait_s": round(wait, 2),
                "error": tries[-1],
                "profile": profile,
            },
        )
        pool.gate.pause(netloc, wait)
        attempt += 1


async def _attempt(
    pool: BrowserPool,
    url: str,
    settings: CrawlSettings,
    profile: str,
    site_hosts: set[str] | None,
    audit: bool,
    exclusive: bool,
    reuse: Reuse | None = None,
    throttle: str | None = None,
    sample: Sample | None = None,
) -> Measured:
    """Load permit (or exclusive use) -> host permit -> load; then, once loaded, host permit and
    load permit are traded for a browser slot for the DOM and axe."""
    held = {"exclusive": None, "load": False, "slot": False}
    permit = None

    async def start() -> None:
        if exclusive:
            held["exclusive"] = pool.exclusive()
            await held["exclusive"].__aenter__()
        else:
            await pool.acquire_load()
            held["load"] = True

    async def loaded() -> None:
        permit.release()
        if not exclusive:
            await pool.acquire_slot()
            held["slot"] = True
            pool.release_load()
            held["load"] = False

    try:
        permit = await pool.gate.acquire(host_of(url), before_start=start)
        try:
            context = await pool.new_context(profile)
        except PlaywrightError as e:  # the browser died under us: the pool starts a new one on the retry
            return Measured(
                PageEvidence(url=url, profile=profile, error=f"browser: {str(e).splitlines()[0][:200]}"), transient=True
            )
        try:
            return await asyncio.wait_for(
                measure_page(
                    context,
                    url,
                    settings,
                    profile=profile,
                    site_hosts=site_hosts,
                    audit=audit,
                    loaded=loaded,
                    reuse=reuse,
                    throttle=throttle,
                    sample=sample,
                ),
                settings.page_timeout_s,
            )
        except TimeoutError:
            return Measured(
                PageEvidence(url=url, profile=profile, error=f"page time limit exceeded ({settings.page_timeout_s:g}s)")
            )
        finally:
            await close_context(context)
    finally:
        if permit is not None:
            permit.release()
        if held["slot"]:
            pool.release_slot()
        if held["load"]:
            pool.release_load()
        if held["exclusive"] is not None:
            await held["exclusive"].__aexit__(None, None, None)
