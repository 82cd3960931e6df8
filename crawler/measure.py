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
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, CDPSession, Page, Response
from playwright.async_api import Error as PlaywrightError

from portalscore.contract.evidence import SECURITY_HEADERS, Accessibility, BlockedRequest, PageEvidence, Timings

from .axe import axe_engine, run_axe
from .egress import Egress
from .failures import POLICY_KINDS, navigation_error, refusal_of
from .fingerprint import MAX_CHARS as FINGERPRINT_MAX_CHARS
from .fingerprint import digest
from .guard import RequestGuard
from .lighthttp import TRANSIENT_STATUS
from .network import MAX_LISTED, NetworkLog
from .pagejs import PAGE_JS, PERF_INIT_JS, TIMINGS_JS
from .procs import MemoryGuard
from .settings import CrawlSettings
from .template import MAX_SKELETON_PATHS, PENDING, template_key
from .throttle import apply as apply_throttle
from .throttle import preset as throttle_preset
from .throttle import release_cpu
from .urls import normalise, site_host

# Reading timings or the DOM waits for the page's main thread: a page still laying out 20,000 links is busy for
# seconds and is waited for, up to the page's deadline; one stuck in a script loop never answers and is stopped then.
DEADLINE_MARGIN_S = 1.0  # before the page's time limit: what is read must be read before the outer deadline
MIN_AXE_S = 3.0  # less time left than this: the page is evaluated without an audit, and says so
KILL_TIMEOUT_S = 2  # crashing a renderer is answered at once, if the browser itself is alive

# Incremental crawling: (url, profile, content hash) -> a stored audit of the same content, with
# reused_from_run set, or None. Given by the pipeline, which knows the earlier runs.
Reuse = Callable[[str, str, str], Accessibility | None]
# Template sampling: (profile, template key) -> whether this page is audited (crawler.template.TemplateSampler,
# bound by the crawl to the page's crawl order). False: its template's audit is given to it after the crawl.
Sample = Callable[[str, str], bool]


@dataclass(frozen=True)
class PageJob:
    """One load the run asks for: which page, on which profile, measured how."""

    url: str
    profile: str = "desktop"
    site_hosts: frozenset[str] = frozenset()  # the portal's hosts: any other is third-party
    audit: bool = True  # read the DOM and run axe; False: timings only (lab loads)
    throttle: str | None = None  # a crawler.throttle preset for the load
    exclusive: bool = False  # nothing else runs on the machine while it loads (lab loads)


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


class Tab:
    """One page under measurement: its context, page, DevTools session and guard, made ready before the load."""

    def __init__(self, context: BrowserContext, page: Page, cdp: CDPSession, guard: RequestGuard, net: NetworkLog):
        self.context, self.page, self.cdp, self.guard, self.net = context, page, cdp, guard, net
        self.started = time.monotonic()
        self.deadline = self.started + 3600.0  # set by measure_page from the settings
        self.crashed = False
        self.killed = False
        page.on("crash", lambda _p: setattr(self, "crashed", True))

    @classmethod
    async def open(cls, context: BrowserContext, guard: RequestGuard, job: PageJob) -> Tab:
        await context.add_init_script(PERF_INIT_JS)
        page = await context.new_page()
        guard.page = page
        cdp = await context.new_cdp_session(page)
        tree = await cdp.send("Page.getFrameTree")
        net = NetworkLog(site_hosts=set(job.site_hosts) or {site_host(urlsplit(job.url).netloc)})
        net.main_frame = tree["frameTree"]["frame"]["id"]
        for event, handler in (
            ("Network.requestWillBeSent", net.on_request),
            ("Network.responseReceived", net.on_response),
            ("Network.loadingFinished", net.on_finished),
            ("Network.loadingFailed", net.on_failed),
        ):
            cdp.on(event, handler)
        await cdp.send("Network.enable")
        return cls(context, page, cdp, guard, net)

    async def kill(self) -> None:
        """End the page from outside: its renderer is crashed (the browser does it from its IO thread, so a script
        that never yields cannot stop it), after which everything waiting on the page returns at once."""
        self.killed = True
        try:
            await asyncio.wait_for(self.cdp.send("Page.crash"), KILL_TIMEOUT_S)
        except Exception:  # the renderer is gone already (that is the point), or the browser is
            pass


async def close_context(context: BrowserContext) -> None:
    try:  # a hung renderer must not hold the crawl: closing is bounded too
        await asyncio.wait_for(context.close(), 10)
    except Exception:
        pass


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
    reuse: Reuse | None = None,
    sample: Sample | None = None,
    memory: MemoryGuard | None = None,
) -> Measured:
    """Load `job.url` in `tab` (which the caller closes) and measure it.

    Returns the evidence and whether a failure is transient (worth a retry). With job.audit False only timings
    are taken (lab loads). With `reuse`, a stored audit of the same content replaces the axe run; with `sample`, a
    page it declines is not audited (its template's audit comes later). Raises NotAPage for downloads and non-HTML
    answers."""
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
    if job.throttle:
        limits = throttle_preset(job.throttle)
        await apply_throttle(cdp, limits)
        note(f"throttled: {limits.describe()}")

    timeout_ms = settings.request_timeout_s * 1000
    response: Response | None = None
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
        await _settle(net, settings)
    if loaded is not None:
        await loaded()
    try:
        raw = await asyncio.wait_for(page.evaluate(TIMINGS_JS), _left(tab))
        ev.timings = Timings(
            **{k: (round(v, 4 if k == "cls" else 1) if v is not None else None) for k, v in raw.items()}
        )
        if job.throttle and job.audit:
            await release_cpu(cdp)
        ev.final_url = page.url
        if job.audit:
            await _extract(tab, ev, headers, settings)
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
    if job.audit and settings.run_axe and ev.error is None:
        ev.accessibility = await _axe(tab, ev, settings, reuse, sample)
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


async def _settle(net: NetworkLog, settings: CrawlSettings) -> None:
    """Wait until no request has been in flight for quiet_ms, at most settle_s."""
    deadline = time.monotonic() + settings.settle_s
    quiet = settings.quiet_ms / 1000
    while time.monotonic() < deadline:
        if not net.inflight and time.monotonic() - net.last_activity >= quiet:
            return
        await asyncio.sleep(0.05)


def _redirects(response: Response | None) -> list[str]:
    chain = []
    request = response.request.redirected_from if response is not None else None
    while request is not None:
        chain.append(request.url)
        request = request.redirected_from
    return list(reversed(chain))


async def _security(
    context: BrowserContext,
    page_url: str,
    headers: dict[str, str],
    net: NetworkLog,
    mixed_dom: list[str],
    redirects: list[str],
) -> dict[str, Any]:
    https = page_url.startswith("https:")
    cookies = []
    try:
        for c in await context.cookies():
            cookies.append(
                {
                    "name": c["name"],
                    "secure": c.get("secure", False),
                    "httponly": c.get("httpOnly", False),
                    "samesite": c.get("sameSite", ""),
                }
            )
    except PlaywrightError:
        pass
    # http:// requests of an https page, except the page's own http -> https redirect chain
    requested = set(net.http_urls) - set(redirects) if https else set()
    mixed = sorted(set(mixed_dom) | requested)[:MAX_LISTED]
    return {
        "https": https,
        "hsts": https and "strict-transport-security" in headers,
        "headers": {name: headers[name] for name in SECURITY_HEADERS if name in headers},
        "server": headers.get("server", ""),
        "x_powered_by": headers.get("x-powered-by", ""),
        "cookies": cookies[:MAX_LISTED],
        "mixed_content": mixed,
    }


async def _extract(tab: Tab, ev: PageEvidence, headers: dict[str, str], settings: CrawlSettings) -> None:
    args = {"maxLinks": settings.max_links_per_page, "maxChars": FINGERPRINT_MAX_CHARS, "maxPaths": MAX_SKELETON_PATHS}
    data = await asyncio.wait_for(tab.page.evaluate(PAGE_JS, args), _left(tab))
    ev.title = data["title"][:500]
    ev.lang = data["lang"][:50]
    ev.links = list(dict.fromkeys(u for u in map(normalise, data["links"]) if u))
    if data["linkCount"] > settings.max_links_per_page and len(ev.notes) < MAX_LISTED:
        ev.notes.append(f"links capped: the first {settings.max_links_per_page} of {data['linkCount']} were followed")
    ev.dom_nodes = data["nodes"]
    ev.content_hash = digest(data["fingerprint"])
    ev.template = template_key(ev.final_url or ev.url, data["skeleton"])
    ev.emc = bool(data["emc"]) or tab.net.emc
    ev.security = await _security(
        tab.context, ev.final_url or ev.url, headers, tab.net, data["mixed"], [*ev.redirects, ev.url]
    )


def _left(tab: Tab) -> float:
    """Seconds left before the page's deadline (at least a moment, so that a late call still fails cleanly)."""
    return max(0.1, tab.deadline - time.monotonic())


async def _axe(
    tab: Tab, ev: PageEvidence, settings: CrawlSettings, reuse: Reuse | None = None, sample: Sample | None = None
) -> Accessibility:
    if ev.dom_nodes > settings.max_dom_nodes:
        return Accessibility(error=f"not audited: {ev.dom_nodes} DOM nodes (cap {settings.max_dom_nodes})")
    if sample is not None and ev.template and not sample(ev.profile, ev.template):
        return Accessibility(engine=axe_engine(), error=PENDING)
    stored = _stored_audit(ev, reuse)
    if stored is not None:
        return stored
    if _left(tab) < MIN_AXE_S:
        return Accessibility(
            engine=axe_engine(), error=f"not audited: the page's time limit ({settings.page_timeout_s:g}s) was reached"
        )
    try:
        return await asyncio.wait_for(run_axe(tab.page), min(settings.axe_timeout_s, _left(tab)))
    except PlaywrightError as e:
        return Accessibility(error=f"axe failed: {str(e).splitlines()[0][:300]}")
    except TimeoutError:
        # The page is still evaluated (timings, links, facts); its renderer, still busy with axe, is stopped.
        await tab.kill()
        return Accessibility(
            engine=axe_engine(),
            error=f"not audited: axe did not finish within {settings.axe_timeout_s:g}s ({ev.dom_nodes} DOM nodes)",
        )


def _stored_audit(ev: PageEvidence, reuse: Reuse | None) -> Accessibility | None:
    """The caller's stored audit of this very content by this very axe, if it has one."""
    if reuse is None or not ev.content_hash:
        return None
    try:
        stored = reuse(ev.url, ev.profile, ev.content_hash)
    except Exception as e:  # the store is unreachable: audit as if nothing were stored
        ev.notes.append(f"stored axe results unavailable ({type(e).__name__}): audited again"[:300])
        return None
    if stored is None or stored.error or stored.engine != axe_engine() or stored.reused_from_run is None:
        return None  # an audit not known to be this content's by this axe, from a named run, is done again
    if len(ev.notes) < MAX_LISTED:
        ev.notes.append(f"axe audit reused from run {stored.reused_from_run}: content unchanged")
    return stored


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
        {**f, "error": named[f["url"]]} if "error" in f and f.get("url") in named else f for f in net.failed
    ]


async def _quietly(awaitable: Awaitable[Any]) -> None:
    try:
        await awaitable
    except Exception:  # the page may be gone already; nothing to do about it
        pass
