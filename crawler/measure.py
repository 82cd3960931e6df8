"""Load one page in a fresh context and measure it: the browser-side half of the crawl.

Timings come from a PerformanceObserver installed before any page script (init script,
buffered entries); bytes, requests and failures from a CDP Network session on the page;
links and content from the rendered DOM after the load event and a bounded network settle.
Callers hold a load permit and a host permit; `loaded` is awaited as soon as the page stops
using the network, to trade them for a browser slot before the DOM is read and axe runs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Page, Response
from playwright.async_api import Error as PlaywrightError

from portalscore.contract.evidence import Accessibility, PageEvidence, Timings

from .axe import axe_engine, run_axe
from .fingerprint import FINGERPRINT_JS, digest
from .fingerprint import MAX_CHARS as FINGERPRINT_MAX_CHARS
from .lighthttp import TRANSIENT_STATUS
from .settings import CrawlSettings
from .template import MAX_SKELETON_PATHS, PENDING, SKELETON_JS, template_key
from .throttle import apply as apply_throttle
from .throttle import preset as throttle_preset
from .throttle import release_cpu
from .urls import normalise, site_host

PERF_INIT_JS = """
(() => {
  if (window.__ps) return;
  const ps = window.__ps = {fcp: null, lcp: null, cls: 0, longtasks: []};
  const observe = (type, each) => {
    try { new PerformanceObserver(list => list.getEntries().forEach(each)).observe({type, buffered: true}); }
    catch (e) { /* entry type not supported in this frame */ }
  };
  observe('paint', e => { if (e.name === 'first-contentful-paint') ps.fcp = e.startTime; });
  observe('largest-contentful-paint', e => { ps.lcp = e.startTime; });
  // CLS as Web Vitals defines it: the largest session window (gaps < 1 s, window < 5 s).
  let session = [], value = 0;
  observe('layout-shift', e => {
    if (e.hadRecentInput) return;
    const first = session[0], last = session[session.length - 1];
    if (last && e.startTime - last.startTime < 1000 && e.startTime - first.startTime < 5000) {
      session.push(e); value += e.value;
    } else { session = [e]; value = e.value; }
    ps.cls = Math.max(ps.cls, value);
  });
  observe('longtask', e => { if (ps.longtasks.length < 2000) ps.longtasks.push([e.startTime, e.duration]); });
})();
"""

TIMINGS_JS = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const ps = window.__ps || {};
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const fcp = ps.fcp != null ? ps.fcp : (paint ? paint.startTime : null);
  // Total blocking time as Lighthouse counts it: the part of each long task beyond 50 ms, after FCP.
  let tbt = 0;
  for (const [start, duration] of (ps.longtasks || [])) {
    if (fcp === null || start + duration > fcp) tbt += Math.max(0, duration - 50);
  }
  const pos = (v) => (v && v > 0 ? v : null);
  return {
    ttfb_ms: nav ? pos(nav.responseStart) : null,
    dcl_ms: nav ? pos(nav.domContentLoadedEventEnd) : null,
    load_ms: nav ? pos(nav.loadEventEnd) : null,
    fcp_ms: fcp, lcp_ms: ps.lcp != null ? ps.lcp : null, cls: ps.cls != null ? ps.cls : null,
    tbt_ms: ps.longtasks ? tbt : null,
  };
}
"""

EXTRACT_JS = """
(maxLinks) => {
  const links = [], seen = new Set();
  for (const a of document.querySelectorAll('a[href], area[href]')) {
    const href = a.href;
    if (typeof href === 'string' && href && !seen.has(href)) {
      seen.add(href); links.push(href);
      if (links.length >= maxLinks) break;
    }
  }
  const mixed = [];
  if (location.protocol === 'https:') {
    const sel = 'img[src],script[src],iframe[src],audio[src],video[src],source[src],embed[src],' +
                'link[rel~=stylesheet][href]';
    for (const el of document.querySelectorAll(sel)) {
      const u = el.getAttribute('src') !== null ? el.src : el.href;
      if (typeof u === 'string' && u.startsWith('http:') && mixed.length < 50) mixed.push(u);
    }
  }
  const root = document.documentElement;
  const emcScript = Array.from(document.scripts).some(s => (s.src || '').includes('gov-tracking'));
  return {
    title: document.title || '', lang: root ? (root.getAttribute('lang') || '') : '', links, mixed,
    nodes: document.getElementsByTagName('*').length,
    emc: emcScript || typeof window._govaq !== 'undefined',
  };
}
"""

# Everything read from the DOM of an audited page, in one round trip: links and facts, the content
# fingerprint (incremental crawling) and the template skeleton (audit sampling).
PAGE_JS = f"""
(args) => {{
  const extract = {EXTRACT_JS};
  const fingerprint = {FINGERPRINT_JS};
  const skeleton = {SKELETON_JS};
  return {{...extract(args.maxLinks), fingerprint: fingerprint(args.maxChars), skeleton: skeleton(args.maxPaths)}};
}}
"""

SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "strict-transport-security",
    "permissions-policy",
)
EVAL_TIMEOUT_S = 10  # reading timings or the DOM; a page stuck in a script loop never answers
MAX_LISTED = 50  # console errors, failed requests, notes: a sample is evidence enough

# Incremental crawling: (url, profile, content hash) -> a stored audit of the same content, with
# reused_from_run set, or None. Given by the pipeline, which knows the earlier runs.
Reuse = Callable[[str, str, str], Accessibility | None]
# Template sampling: (profile, template key) -> whether this page is audited (crawler.template.TemplateSampler,
# bound by the crawl to the page's crawl order). False: its template's audit is given to it after the crawl.
Sample = Callable[[str, str], bool]


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


@dataclass
class _Network:
    """What the CDP Network domain tells about one page's requests."""

    site_hosts: set[str]
    inflight: set[str] = field(default_factory=set)
    last_activity: float = field(default_factory=time.monotonic)
    requests: int = 0
    bytes_total: int = 0
    bytes_by_type: dict[str, int] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    hosts: set[str] = field(default_factory=set)
    http_urls: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    received: int = 0
    emc: bool = False

    def on_request(self, e: dict) -> None:
        self.requests += 1
        self.inflight.add(e["requestId"])
        self.last_activity = time.monotonic()
        url = e["request"]["url"]
        self.urls[e["requestId"]] = url
        if "gov-tracking" in url:
            self.emc = True
        if url.startswith(("http:", "https:")):
            host = urlsplit(url).netloc
            self.hosts.add(host)
            if url.startswith("http:") and len(self.http_urls) < MAX_LISTED:
                self.http_urls.append(url)

    def on_response(self, e: dict) -> None:
        self.last_activity = time.monotonic()
        self.types[e["requestId"]] = str(e.get("type", "other")).lower()
        status = e["response"].get("status", 0)
        if status >= 400 and len(self.failed) < MAX_LISTED:
            self.failed.append({"url": e["response"].get("url", ""), "status": status})

    def on_data(self, e: dict) -> None:
        self.received += max(e.get("encodedDataLength", 0), e.get("dataLength", 0))

    def on_finished(self, e: dict) -> None:
        self._done(e["requestId"])
        size = int(e.get("encodedDataLength", 0))
        self.bytes_total += size
        kind = self.types.get(e["requestId"], "other")
        self.bytes_by_type[kind] = self.bytes_by_type.get(kind, 0) + size

    def on_failed(self, e: dict) -> None:
        self._done(e["requestId"])
        reason = e.get("blockedReason") or e.get("errorText", "failed")
        if len(self.failed) < MAX_LISTED and not e.get("canceled"):
            self.failed.append({"url": self.urls.get(e["requestId"], ""), "error": str(reason)})

    def _done(self, request_id: str) -> None:
        self.inflight.discard(request_id)
        self.last_activity = time.monotonic()

    def third_party(self) -> list[str]:
        return sorted(h for h in self.hosts if site_host(h) not in self.site_hosts)


def _nav_error(message: str, timeout_s: float) -> tuple[str, bool]:
    """A short reason for a failed navigation, and whether it is worth a retry."""
    first = message.strip().splitlines()[0] if message.strip() else "navigation failed"
    if "Timeout" in first or "timeout" in first:
        return f"timeout: no response within {timeout_s:g}s", True
    if "ERR_TOO_MANY_REDIRECTS" in first:
        return "redirect loop or chain too long (net::ERR_TOO_MANY_REDIRECTS)", False
    if "crash" in first.lower():
        return "renderer crashed", True
    if "has been closed" in first or "Target closed" in first or "disconnected" in first:
        return "browser closed during the load", True
    for code in (
        "ERR_CONNECTION_REFUSED",
        "ERR_CONNECTION_RESET",
        "ERR_EMPTY_RESPONSE",
        "ERR_NAME_NOT_RESOLVED",
        "ERR_CERT_",
        "ERR_BLOCKED_BY_CLIENT",
        "ERR_ABORTED",
        "ERR_INVALID_RESPONSE",
        "ERR_CONNECTION_CLOSED",
        "ERR_ADDRESS_UNREACHABLE",
        "ERR_SSL_",
        "ERR_HTTP2",
        "ERR_",
    ):
        if code in first:
            transient = code in ("ERR_CONNECTION_RESET", "ERR_EMPTY_RESPONSE", "ERR_CONNECTION_CLOSED")
            return f"network: {first[first.find('net::') if 'net::' in first else 0 :][:200]}", transient
    return f"navigation failed: {first[:200]}", False


async def close_context(context: BrowserContext) -> None:
    try:  # a hung renderer must not hold the crawl: closing is bounded too
        await asyncio.wait_for(context.close(), 10)
    except (TimeoutError, Exception):
        pass


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


async def _settle(net: _Network, settings: CrawlSettings) -> None:
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
    net: _Network,
    mixed_dom: list[str],
    redirects: list[str],
) -> dict:
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


async def measure_page(
    context: BrowserContext,
    url: str,
    settings: CrawlSettings,
    *,
    profile: str = "desktop",
    site_hosts: set[str] | None = None,
    audit: bool = True,
    loaded: Callable[[], Awaitable[None]] | None = None,
    reuse: Reuse | None = None,
    throttle: str | None = None,
    sample: Sample | None = None,
) -> Measured:
    """Load `url` in `context` (which the caller closes) and measure it.

    Returns the evidence and whether a failure is transient (worth a retry). With audit=False
    only timings are taken (lab loads). With `reuse`, a stored audit of the same content replaces
    the axe run; with `sample`, a page it declines is not audited (its template's audit comes later). `throttle` names a crawler.throttle preset applied to the load (network and CPU;
    the CPU is freed once timings are read). Raises NotAPage for downloads and non-HTML answers.
    """
    ev = PageEvidence(url=url, profile=profile)
    net = _Network(site_hosts=site_hosts or {site_host(urlsplit(url).netloc)})
    notes = ev.notes
    download: list[bool] = []

    def note(text: str) -> None:
        if len(notes) < MAX_LISTED:
            notes.append(text[:300])

    def on_dialog(dialog) -> None:
        note(f"{dialog.type} dialog dismissed: {dialog.message[:120]}")
        asyncio.ensure_future(_quietly(dialog.dismiss()))

    def on_popup(popup: Page) -> None:
        note(f"pop-up window closed: {popup.url[:200]}")
        asyncio.ensure_future(_quietly(popup.close()))

    def on_console(msg) -> None:
        if msg.type == "error" and len(ev.console_errors) < MAX_LISTED:
            ev.console_errors.append(msg.text[:500])

    def on_pageerror(error) -> None:
        if len(ev.console_errors) < MAX_LISTED:
            ev.console_errors.append(f"uncaught: {str(error)[:480]}")

    def on_download(dl) -> None:
        download.append(True)
        note(f"download refused: {dl.suggested_filename[:120]}")
        asyncio.ensure_future(_quietly(dl.cancel()))

    stopped = asyncio.Event()

    def on_data(e: dict) -> None:
        net.on_data(e)
        if net.received > settings.max_page_bytes and not stopped.is_set():
            stopped.set()
            note(f"loading stopped after {settings.max_page_bytes // 1_000_000} MB")
            asyncio.ensure_future(_quietly(cdp.send("Page.stopLoading")))

    await context.add_init_script(PERF_INIT_JS)
    page = await context.new_page()
    page.on("dialog", on_dialog)
    page.on("popup", on_popup)
    page.on("console", on_console)
    page.on("pageerror", on_pageerror)
    page.on("download", on_download)
    crashed: list[bool] = []  # the renderer died (a page can crash it: stack or memory exhausted)
    page.on("crash", lambda _p: crashed.append(True))
    cdp = await context.new_cdp_session(page)
    cdp.on("Network.requestWillBeSent", net.on_request)
    cdp.on("Network.responseReceived", net.on_response)
    cdp.on("Network.dataReceived", on_data)
    cdp.on("Network.loadingFinished", net.on_finished)
    cdp.on("Network.loadingFailed", net.on_failed)
    await cdp.send("Network.enable")
    if throttle:
        limits = throttle_preset(throttle)
        await apply_throttle(cdp, limits)
        note(f"throttled: {limits.describe()}")

    timeout_ms = settings.request_timeout_s * 1000
    response: Response | None = None
    try:
        response = await page.goto(url, wait_until="commit", timeout=timeout_ms)
    except PlaywrightError as e:
        if download or "Download is starting" in str(e):
            raise NotAPage(None, "download") from None
        ev.error, transient = _nav_error(str(e), settings.request_timeout_s)
        _fill_network(ev, net)
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
        _fill_network(ev, net)
        return Measured(ev, True, headers.get("retry-after", ""))
    transient = False
    try:
        await _load_or_stopped(page, stopped, timeout_ms)
    except PlaywrightError as e:
        if download:
            raise NotAPage(ev.status, "download") from None
        ev.error, transient = _nav_error(str(e), settings.request_timeout_s)
        if ev.error.startswith("timeout"):
            # The server answered but the page never finished (slow drip, huge body, busy script):
            # a retry would cost as much again for little chance. Stop it and read what is there.
            ev.error, transient = f"timeout: load event not reached within {settings.request_timeout_s:g}s", False
            await _quietly(asyncio.wait_for(cdp.send("Page.stopLoading"), 2))
    if ev.error is None:
        await _settle(net, settings)
    if loaded is not None:
        await loaded()
    try:
        raw = await asyncio.wait_for(page.evaluate(TIMINGS_JS), _eval_timeout(settings))
        ev.timings = Timings(
            **{k: (round(v, 4 if k == "cls" else 1) if v is not None else None) for k, v in raw.items()}
        )
        if throttle and audit:
            await release_cpu(cdp)
        ev.final_url = page.url
        if audit:
            await _extract(page, context, ev, net, headers, settings)
    except PlaywrightError as e:
        if ev.error is None:
            ev.error, transient = _nav_error(str(e), settings.request_timeout_s)
    except TimeoutError:
        ev.error, transient = f"page unresponsive: a script kept it busy for {_eval_timeout(settings):g}s", False
    _fill_network(ev, net)
    if ev.error is None and ev.status is not None and ev.status >= 400:
        ev.error = f"http {ev.status}"
    if audit and settings.run_axe and ev.error is None:
        ev.accessibility = await _axe(page, ev, settings, reuse, sample)
    if crashed:  # whatever failed after it (a timeout, an evaluation, axe) failed because of it
        ev.error, transient, ev.accessibility = "renderer crashed", True, None
    return Measured(ev, transient)


async def _extract(
    page: Page,
    context: BrowserContext,
    ev: PageEvidence,
    net: _Network,
    headers: dict[str, str],
    settings: CrawlSettings,
) -> None:
    args = {"maxLinks": settings.max_links_per_page, "maxChars": FINGERPRINT_MAX_CHARS, "maxPaths": MAX_SKELETON_PATHS}
    data = await asyncio.wait_for(page.evaluate(PAGE_JS, args), _eval_timeout(settings))
    ev.title = data["title"][:500]
    ev.lang = data["lang"][:50]
    ev.links = list(dict.fromkeys(u for u in map(normalise, data["links"]) if u))
    ev.dom_nodes = data["nodes"]
    ev.content_hash = digest(data["fingerprint"])
    ev.template = template_key(ev.final_url or ev.url, data["skeleton"])
    ev.emc = bool(data["emc"]) or net.emc
    ev.security = await _security(context, ev.final_url or ev.url, headers, net, data["mixed"], ev.redirects + [ev.url])


def _eval_timeout(settings: CrawlSettings) -> float:
    return min(EVAL_TIMEOUT_S, settings.request_timeout_s)


async def _axe(
    page: Page, ev: PageEvidence, settings: CrawlSettings, reuse: Reuse | None = None, sample: Sample | None = None
) -> Accessibility:
    if ev.dom_nodes > settings.max_dom_nodes:
        return Accessibility(error=f"not audited: {ev.dom_nodes} DOM nodes (cap {settings.max_dom_nodes})")
    if sample is not None and ev.template and not sample(ev.profile, ev.template):
        return Accessibility(engine=axe_engine(), error=PENDING)
    stored = _stored_audit(ev, reuse)
    if stored is not None:
        return stored
    try:
        return await run_axe(page)
    except PlaywrightError as e:
        return Accessibility(error=f"axe failed: {str(e).splitlines()[0][:300]}")


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


def _fill_network(ev: PageEvidence, net: _Network) -> None:
    ev.request_count = net.requests
    ev.transfer_bytes = net.bytes_total
    ev.bytes_by_type = dict(net.bytes_by_type)
    ev.third_party_hosts = net.third_party()
    ev.failed_requests = list(net.failed)
    ev.emc = ev.emc or net.emc


async def _quietly(awaitable) -> None:
    try:
        await awaitable
    except Exception:  # the page may be gone already; nothing to do about it
        pass
