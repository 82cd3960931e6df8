"""Load one page in a fresh context and measure it: the browser-side half of the crawl.

Timings come from a PerformanceObserver installed before any page script (init script,
buffered entries); bytes, requests and failures from a CDP Network session on the page;
links and content from the rendered DOM after the load event and a bounded network settle.
Callers hold a load permit and a host permit; `loaded` is awaited as soon as the page stops
using the network, to trade them for a browser slot before the DOM is read and axe runs.

A page is untrusted: every request goes through the guard (nothing state-changing, no pop-ups, no navigation
loop) and the egress proxy (no internal address); every wait on it is bounded, and one that its script never
lets end is ended from outside (`Tab.kill`: the renderer is crashed, then the context closed).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Response

from portalscore.contract.evidence import BlockedRequest, PageEvidence, Timings

from .archive import Recorder
from .egress import Egress
from .failures import POLICY_KINDS, navigation_error, refusal_of
from .gatherers import NO_HINTS, Hints, PageRun, gatherers
from .guard import RequestGuard
from .lighthttp import TRANSIENT_STATUS
from .netsim import simulate_timings
from .nettrace import NetTrace
from .network import MAX_LISTED, NetworkLog
from .pagejs import LCP_URL_INIT_JS, LCP_URL_JS, TIMINGS_JS
from .procs import MemoryGuard
from .settings import CrawlSettings
from .tab import PageJob, Tab
from .throttle import apply as apply_throttle
from .throttle import apply_cpu, release_cpu
from .throttle import preset as throttle_preset

# Reading timings or the DOM waits for the page's main thread: a page still laying out 20,000 links is busy for
# seconds and is waited for, up to the page's deadline; one stuck in a script loop never answers and is stopped then.
DEADLINE_MARGIN_S = 1.0  # before the page's time limit: what is read must be read before the outer deadline


@dataclass
class Measured:
    page: PageEvidence
    transient: bool = False  # the failure is worth a retry
    retry_after: str = ""  # the server's Retry-After, if it sent one


class NotAPage(Exception):
    """The URL answered with a file (a download or a non-HTML type): checked as a document instead."""

    def __init__(self, status: int | None, content_type: str):
        super().__init__(content_type)
        self.status = status
        self.content_type = content_type


def _spawn(tasks: set[asyncio.Future[Any]], awaitable: Awaitable[Any]) -> None:
    """Run a fire-and-forget call (dismiss a dialog, cancel a download) and keep it referenced until done."""
    task = asyncio.ensure_future(_quietly(awaitable))
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def measure_page(
    tab: Tab,
    job: PageJob,
    settings: CrawlSettings,
    egress: Egress,
    *,
    loaded: Callable[[], Awaitable[None]] | None = None,
    hints: Hints = NO_HINTS,
    memory: MemoryGuard | None = None,
) -> Measured:
    """Load `job.url` in `tab` (which the caller closes) and measure it: timings and network here, everything
    read off the page by the registered gatherers (crawler/gatherers).

    Returns the evidence and whether a failure is transient (worth a retry). With job.audit False only timings
    are taken (lab loads). `hints`: what the crawl knows before the page (earlier audits of the portal's content,
    its sampling decisions: crawler/gatherers/base.Hints). Raises NotAPage for downloads and non-HTML answers."""
    page, cdp, net = tab.page, tab.cdp, tab.net
    tab.deadline = tab.started + settings.page_timeout_s - DEADLINE_MARGIN_S
    ev = PageEvidence(url=job.url, profile=job.profile)
    notes = ev.notes
    download: list[bool] = []
    pending: set[asyncio.Future[Any]] = set()

    def note(text: str) -> None:
        if len(notes) < MAX_LISTED:
            notes.append(text[:300])

    def on_dialog(dialog: Any) -> None:
        note(f"{dialog.type} dialog dismissed: {dialog.message[:120]}")
        _spawn(pending, dialog.dismiss())

    def on_popup(popup: Page) -> None:
        note(f"pop-up window closed: {popup.url[:200]}")
        _spawn(pending, popup.close())

    def on_console(msg: Any) -> None:
        if msg.type == "error" and len(ev.console_errors) < MAX_LISTED:
            ev.console_errors.append(msg.text[:500])

    def on_pageerror(error: Any) -> None:
        if len(ev.console_errors) < MAX_LISTED:
            ev.console_errors.append(f"uncaught: {str(error)[:480]}")

    def on_download(dl: Any) -> None:
        download.append(True)
        note(f"download refused: {dl.suggested_filename[:120]}")
        _spawn(pending, dl.cancel())

    stopped = asyncio.Event()

    def on_data(e: dict[str, Any]) -> None:
        net.on_data(e)
        if net.received > settings.max_page_bytes and not stopped.is_set():
            stopped.set()
            note(f"loading stopped after {settings.max_page_bytes // 1_000_000} MB")
            _spawn(pending, cdp.send("Page.stopLoading"))

    page.on("dialog", on_dialog)
    page.on("popup", on_popup)
    page.on("console", on_console)
    page.on("pageerror", on_pageerror)
    page.on("download", on_download)
    cdp.on("Network.dataReceived", on_data)
    limits = throttle_preset(job.throttle) if job.throttle else None
    trace = NetTrace() if limits and job.simulate else None
    if limits and trace:
        trace.attach(cdp)
        await tab.world.install(LCP_URL_INIT_JS)
        await apply_cpu(cdp, limits)
        note(f"throttled: CPU {limits.cpu:g}x; network simulated ({limits.describe()})")
    elif limits:
        await apply_throttle(cdp, limits)
        note(f"throttled: {limits.describe()}")

    timeout_ms = settings.request_timeout_s * 1000
    response: Response | None = None
    run = PageRun(tab, job, ev, settings, hints=hints)
    if job.audit and hints.archive is not None:  # lab loads are timings only: nothing to archive
        run.recorder = Recorder(page)
    try:
        tab.guard.expect_navigation()
        response = await page.goto(job.url, wait_until="commit", timeout=timeout_ms)
    except PlaywrightError as e:
        if download or "Download is starting" in str(e):
            raise NotAPage(None, "download") from None
        ev.error, transient = _failed_navigation(tab, job, str(e), settings, egress)
        _fill_network(ev, tab, egress)
        return Measured(ev, transient)
    headers = await response.all_headers() if response is not None else {}
    run.headers = headers
    ev.status = response.status if response is not None else None
    ev.content_type = headers.get("content-type", "")
    ev.redirects = _redirects(response)
    ev.final_url = page.url
    if ev.content_type and not any(t in ev.content_type.lower() for t in ("html", "xml")):
        raise NotAPage(ev.status, ev.content_type)
    if ev.status in TRANSIENT_STATUS:
        ev.error = f"http {ev.status}"
        _fill_network(ev, tab, egress)
        return Measured(ev, True, headers.get("retry-after", ""))
    transient = False
    try:
        await _load_or_stopped(page, stopped, timeout_ms)
    except PlaywrightError as e:
        if download:
            raise NotAPage(ev.status, "download") from None
        ev.error, transient = _failed_navigation(tab, job, str(e), settings, egress)
        if ev.error.startswith("timeout"):
            # The page never finished: a retry would cost as much again for little chance. Stop it and read what
            # is there. A document still arriving (a slow drip) is a page that does not load; one that arrived whole
            # but whose load event waits on the browser (20,000 links to lay out) or a late subresource is evaluated.
            transient = False
            if net.document_received:
                ev.error = None
                note(f"load event late: not reached within {settings.request_timeout_s:g}s; evaluated as loaded so far")
            else:
                ev.error = f"timeout: load event not reached within {settings.request_timeout_s:g}s"
            await _quietly(asyncio.wait_for(cdp.send("Page.stopLoading"), 2))
    if ev.error is None:
        await _settle(net, settings, settings.lab_pause_after_load_ms / 1000 if job.exclusive else 0.0)
    if loaded is not None:
        await loaded()
    try:
        raw = await asyncio.wait_for(tab.world.evaluate(TIMINGS_JS), tab.left())
        ev.timings = Timings(
            **{k: (round(v, 4 if k == "cls" else 1) if v is not None else None) for k, v in raw.items()}
        )
        if trace is not None and limits is not None and ev.error is None:
            lcp_url = str(await asyncio.wait_for(tab.world.evaluate(LCP_URL_JS), tab.left()) or "")
            ev.unthrottled = ev.timings
            ev.timings = simulate_timings(ev.timings, trace.requests(), limits, lcp_url)
            if trace.truncated:
                note(f"network simulated on the first {len(trace.requests())} requests only")
        if job.throttle and job.audit:
            await release_cpu(cdp)
        ev.final_url = page.url
        if job.audit:
            for gatherer in gatherers("facts", settings):
                await gatherer.gather(run)
    except PlaywrightError as e:
        if ev.error is None:
            ev.error, transient = _failed_navigation(tab, job, str(e), settings, egress)
    except TimeoutError:
        ev.error, transient = (
            f"page unresponsive: its main thread stayed busy until the page's time limit "
            f"({settings.page_timeout_s:g}s; a script that never yields?)",
            False,
        )
        await tab.kill()  # it would go on burning a core: nothing more will be read from it
    if tab.guard.navigation_loop and not tab.crashed:
        ev.error, transient = _guard_reason(tab.guard, "navigation-loop"), False
    _fill_network(ev, tab, egress)
    if ev.error is None and ev.status is not None and ev.status >= 400:
        ev.error = f"http {ev.status}"
    if job.audit and ev.error is None:
        for gatherer in gatherers("audit", settings):
            await gatherer.gather(run)
    if tab.crashed and not tab.killed:  # whatever failed after it (a timeout, an evaluation, axe) failed for it
        stopped_for = memory.explain(tab.started) if memory is not None else None
        ev.error = f"renderer stopped: {stopped_for.reason}" if stopped_for else "renderer crashed"
        transient, ev.accessibility = stopped_for is None, None
    return Measured(ev, transient)


def _guard_reason(guard: RequestGuard, kind: str) -> str:
    return next((b.reason for b in guard.blocked if b.kind == kind), kind)


def _failed_navigation(
    tab: Tab, job: PageJob, message: str, settings: CrawlSettings, egress: Egress
) -> tuple[str, bool]:
    """Why the top document did not load, named: the guard's or the egress proxy's reason where one of them stopped
    it (the document's last hop is what was refused: a redirect's target), else the browser's error."""
    if "ERR_BLOCKED_BY_CLIENT" in message:
        target = tab.net.document_url or job.url
        for blocked in tab.guard.blocked:
            if blocked.url == target[:500] or blocked.kind == "navigation-loop":
                return blocked.reason, False
    refusal = refusal_of(egress, tab.net.document_url or job.url, tab.started)
    return navigation_error(message, settings.request_timeout_s, refusal)


async def _load_or_stopped(page: Page, stopped: asyncio.Event, timeout_ms: float) -> None:
    """The load event, or the moment we stopped a page too big to load whole (no load event follows)."""
    load = asyncio.ensure_future(page.wait_for_load_state("load", timeout=timeout_ms))
    stop = asyncio.ensure_future(stopped.wait())
    try:
        await asyncio.wait([load, stop], return_when=asyncio.FIRST_COMPLETED)
    finally:  # also when the page time limit cancels us: leave no orphaned task behind
        stop.cancel()
        if not load.done():
            load.add_done_callback(lambda f: f.cancelled() or f.exception())  # nobody waits for it any more
            load.cancel()
    if load.done() and not load.cancelled():
        load.result()  # raises the timeout, if that is what happened


async def _settle(net: NetworkLog, settings: CrawlSettings, pause_s: float) -> None:
    """Wait until no request has been in flight for quiet_ms, at most settle_s, and at least pause_s."""
    now = time.monotonic()
    deadline, earliest = now + max(settings.settle_s, pause_s), now + pause_s
    quiet = settings.quiet_ms / 1000
    while time.monotonic() < deadline:
        now = time.monotonic()
        if now >= earliest and not net.inflight and now - net.last_activity >= quiet:
            return
        await asyncio.sleep(0.05)


def _redirects(response: Response | None) -> list[str]:
    chain = []
    request = response.request.redirected_from if response is not None else None
    while request is not None:
        chain.append(request.url)
        request = request.redirected_from
    return list(reversed(chain))


def _fill_network(ev: PageEvidence, tab: Tab, egress: Egress) -> None:
    net = tab.net
    ev.request_count = net.requests
    ev.transfer_bytes = net.bytes_total
    ev.bytes_by_type = dict(net.bytes_by_type)
    ev.third_party_hosts = net.third_party()
    ev.emc = ev.emc or net.emc
    # What the guard stopped, and what the egress proxy refused or could not reach, named on the page.
    blocked = list(tab.guard.blocked)
    named: dict[str, str] = {}
    for url in net.proxy_failures:
        refusal = refusal_of(egress, url, tab.started)
        if refusal is None:
            continue
        named[url] = refusal.message
        if refusal.kind in POLICY_KINDS:
            blocked.append(BlockedRequest(method="GET", url=url[:500], kind=refusal.kind, reason=refusal.message))
    ev.blocked = blocked[:MAX_LISTED]
    ev.failed_requests = [
        dataclasses.replace(f, error=named[f.url]) if f.error is not None and f.url in named else f for f in net.failed
    ]


async def _quietly(awaitable: Awaitable[Any]) -> None:
    try:
        await awaitable
    except Exception:  # the page may be gone already; nothing to do about it
        pass
