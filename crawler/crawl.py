"""Crawl one portal: politeness first, then pages breadth-first, with the mobile pass and link checks beside them.

Never raises for the portal's problems: an unreachable portal, timeouts, crashes, hostile
pages all end up as reasons in the evidence, and the run goes on with the other portals.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from portalscore.contract.evidence import LinkCheck, PageEvidence, PortalEvidence, PortalRef
from portalscore.contract.portal import Portal

from .archive import Archive, PortalArchive
from .documents import check_documents
from .failures import POLICY_KINDS
from .frontier import Frontier, Item
from .gatherers import Hints, PriorAudits, gathered
from .gatherers.checks import has_heavy, keep_heavy_on_first
from .links import check_links, outbound_sample, page_checks
from .load import load_page
from .measure import NotAPage
from .pool import BrowserPool
from .settings import CrawlSettings
from .site import Robots, check_https_redirect, check_tls, https_redirect_of, origin, read_robots, read_sitemaps
from .tab import PageJob
from .template import TemplateSampler
from .urls import host_allowed, host_of, normalise, site_host

log = logging.getLogger("portalscore.crawler")

# Called with each page's evidence when it is ready, and again for a page whose audit is its template's
# (crawler/template.py) once the crawl knows which that is.
OnPage = Callable[[str, PageEvidence], None]
OnProgress = Callable[[str, int, int, int], None]  # portal id, pages done, pages queued (capped), page errors


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


async def crawl_portal(
    pool: BrowserPool,
    portal: Portal,
    settings: CrawlSettings,
    on_page: OnPage | None = None,
    resume_pages: dict[str, PageEvidence] | None = None,
    on_progress: OnProgress | None = None,
    prior_audits: PriorAudits | None = None,
    archive: Archive | None = None,
) -> PortalEvidence:
    """prior_audits: earlier runs' audits of this portal's content, by (profile, content hash), read before the
    crawl (incremental crawling): a page with the same content gets that audit instead of running axe again.
    archive: the run's evidence archive (crawler/archive): every evaluated page's responses, DOM and screenshot."""
    ev = PortalEvidence(
        portal=PortalRef(id=portal.id, name=portal.name, kind=portal.kind, url=portal.url),
        started_at=_now(),
        settings=dataclasses.asdict(settings),
        gathered=gathered(settings),
    )
    pool.egress.policy.allow_origin(portal.url)  # the registry names it: it may be served from an internal address
    crawl = _Crawl(pool, portal, settings, ev, on_page, resume_pages or {}, on_progress, prior_audits)
    crawl.archive = archive.portal(portal.id) if archive is not None and settings.archive else None
    try:
        await crawl.run()
    except Exception:  # a crawler bug on one portal must not cost the others (or this one) its evidence
        log.exception("crawl of %s failed", portal.id)
        ev.errors.append("the crawl stopped on an internal error of portalscore (logged); the pages before it are kept")
    finally:
        if crawl.archive is not None:
            crawl.archive.close()
    crawl.resolve_samples()
    start_error = _start_page_error(ev)
    if start_error:
        ev.errors.append(start_error)
    ev.start_blocked = _start_blocked(ev)
    ev.browser = pool.browser_name
    ev.finished_at = _now()
    return ev


def _start_page_error(ev: PortalEvidence) -> str | None:
    """A portal whose pages could not be evaluated at all is named for why: its start page's error (a redirect
    loop, a refused internal address, DNS, TLS ...), so that no portal is ranked with neither pages nor a reason."""
    desktop = [p for p in ev.pages if p.profile == "desktop"]
    if any(p.error is None for p in desktop) or not desktop:
        return None
    start = min(desktop, key=lambda p: p.depth)
    return f"start page not evaluated: {start.error}"


def _start_blocked(ev: PortalEvidence) -> str:
    """The reason no journey can get past the start page, if the crawl met one that does not change from one
    load to the next: the start URL refused by the network policy, a redirect loop, a navigation loop."""
    refused = next((e for e in ev.errors if e.startswith("start URL not crawled")), None)
    if refused:
        return refused
    desktop = [p for p in ev.pages if p.profile == "desktop"]
    if not desktop or any(p.error is None for p in desktop):
        return ""
    start = min(desktop, key=lambda p: p.depth)
    error = start.error or ""
    if error.startswith("redirect loop"):
        return error
    if any(b.reason == error and b.kind in (*POLICY_KINDS, "navigation-loop") for b in start.blocked):
        return error
    return ""


class _Crawl:
    def __init__(
        self,
        pool: BrowserPool,
        portal: Portal,
        settings: CrawlSettings,
        ev: PortalEvidence,
        on_page: OnPage | None,
        resume: dict[str, PageEvidence],
        on_progress: OnProgress | None = None,
        prior_audits: PriorAudits | None = None,
    ):
        self.pool, self.portal, self.settings, self.ev = pool, portal, settings, ev
        self.on_progress, self.prior_audits = on_progress, prior_audits
        self.done = 0  # desktop pages finished (loaded or resumed), for on_progress
        self.page_errors = 0
        self.on_page = on_page
        self.resume = resume
        self.max_pages = portal.max_pages or settings.max_pages
        self.deadline = time.monotonic() + settings.portal_timeout_s
        self.robots = Robots()  # the start host's
        self.host_robots: dict[str, asyncio.Future[Robots]] = {}  # origin -> its robots.txt, read once
        self.sources: dict[str, str] = {}
        self.order: dict[str, int] = {}  # url -> crawl order
        self.documents: list[LinkCheck] = []  # URLs that turned out to be files when loaded
        self.changed = asyncio.Condition()
        self.desktop_over = False  # every desktop page is done
        self.sampler = TemplateSampler(settings.audit_per_template if settings.run_axe else 0)
        # The heavy accessibility checks: the first page(s) of each template, desktop only (0: none).
        self.heavy = TemplateSampler(settings.heavy_checks_per_template) if settings.heavy_checks_per_template else None
        self.archive: PortalArchive | None = None

    def _hints(self, url: str) -> Hints:
        """What the crawl tells the gatherers of the page at `url`: earlier audits, and its decisions bound to the
        page's crawl order (audited or sampled; heavy checks or not)."""
        order = self.order.get(url, -1)
        heavy = self.heavy

        def wants_heavy(profile: str, template: str) -> bool:
            return profile == "desktop" and heavy is not None and heavy.should_audit(profile, template, order)

        return Hints(
            prior=self.prior_audits,
            sample=lambda profile, template: self.sampler.should_audit(profile, template, order),
            heavy=wants_heavy,
            archive=self.archive,
        )

    def resolve_samples(self) -> None:
        """Heavy checks' findings stay on the first pages of each template only; then pages not audited for their
        template's sake get its audit. Pages changed are emitted again (a sampled page's first emission said
        'pending')."""
        changed = {
            id(p): p for p in keep_heavy_on_first(self.ev.pages, self.order, self.settings.heavy_checks_per_template)
        }
        changed |= {id(p): p for p in self.sampler.resolve(self.ev.pages, self.order)}
        for page in changed.values():
            if self.on_page is not None:
                self.on_page(self.portal.id, page)

    def _emit(self, page: PageEvidence) -> None:
        self.ev.pages.append(page)
        log.info(
            "page %s: %s",
            page.url,
            page.error or page.status,
            extra={
                "event": "page",
                "portal": self.portal.id,
                "url": page.url,
                "status": page.status,
                "error": page.error,
                "profile": page.profile,
                "depth": page.depth,
                "final_url": page.final_url,
            },
        )
        if self.on_page is not None:
            self.on_page(self.portal.id, page)

    async def run(self) -> None:
        s, ev = self.settings, self.ev
        start = normalise(self.portal.url)
        if start is None:
            ev.errors.append(f"start URL not crawled: not a valid http(s) URL: {self.portal.url}")
            return
        refusal = self.pool.egress.policy.check_url(start)
        if refusal is not None:
            ev.errors.append(f"start URL not crawled: {refusal.message}")
            return
        self.robots = await read_robots(self.pool, start)
        self.host_robots[origin(start)] = asyncio.get_running_loop().create_future()
        self.host_robots[origin(start)].set_result(self.robots)
        ev.site.robots = self.robots.summary()
        delay = self.robots.crawl_delay()
        if delay:
            self.pool.gate.set_delay(host_of(start), delay)
        if self.robots.unreachable:
            ev.errors.append(
                f"robots.txt unreachable ({self.robots.error}): only the start page is evaluated "
                "(RFC 9309 treats an unreachable robots.txt as disallow-all)"
            )
        elif not self.robots.allowed(start):
            ev.errors.append("robots.txt disallows the start URL for portalscore: nothing crawled")
            return
        if start.startswith("https:"):
            (ev.site.sitemap, sitemap_urls), tls, ev.https_redirect = await asyncio.gather(
                read_sitemaps(self.pool, start, self.robots),
                check_tls(self.pool, start),
                check_https_redirect(self.pool, start),
            )
            ev.tls = tls
            if tls.valid is False:
                ev.errors.append(f"invalid TLS certificate: {tls.error}")
        else:
            ev.site.sitemap, sitemap_urls = await read_sitemaps(self.pool, start, self.robots)

        frontier = Frontier(
            start,
            max_pages=1 if self.robots.unreachable else self.max_pages,
            max_depth=s.max_depth,
            max_query_variants=s.max_query_variants,
            include=self.portal.include,
            exclude=self.portal.exclude,
        )
        self.frontier = frontier
        frontier.add_links(None, await self._allowed(sitemap_urls), sitemap=True)
        self._progress()
        # The mobile pass and the link checks start as soon as their pages and links are known, so that they
        # overlap the crawl rather than trail it (they were most of a run's tail, with the cores idle).
        beside = [asyncio.ensure_future(self._mobile()), asyncio.ensure_future(self._links())]
        try:
            await asyncio.gather(*(self._worker() for _ in range(max(1, s.per_host))))
        except BaseException:
            for task in beside:
                task.cancel()
            raise
        async with self.changed:
            self.desktop_over = True
            self.changed.notify_all()
        if time.monotonic() > self.deadline:
            ev.errors.append(
                f"portal time limit reached ({s.portal_timeout_s:g}s) after "
                f"{len([p for p in ev.pages if p.profile == 'desktop'])} pages"
            )
        if frontier.skipped:
            ev.site.skipped_links = dict(frontier.skipped)

        await asyncio.gather(*beside)
        # Evidence in crawl order, desktop then mobile (not in the order loads happened to finish): runs
        # compare page for page.
        ev.pages.sort(key=lambda p: (p.profile != "desktop", self.order.get(p.url, 0)))
        if start.startswith("http:") and ev.pages:
            first = ev.pages[0]  # the start page: does plain HTTP send the user on to HTTPS?
            ev.https_redirect = https_redirect_of(first.url, first.final_url, first.status, first.redirects, None)
        ev.site.emc = any(p.emc for p in ev.pages)

    async def _allowed(self, urls: list[str]) -> list[str]:
        """Robots-allowed URLs, in order; the others are counted, never requested."""
        kept = []
        for url in urls:
            if (await self._robots_for(url)).allowed(url):
                kept.append(url)
            else:
                self.frontier.skipped["robots"] += 1
        return kept

    async def _robots_for(self, url: str) -> Robots:
        """The robots.txt that governs `url` (RFC 9309: one per scheme and host): the start host's, or that of
        another host of the site (the start URL redirected there, or www.), read once when first needed.
        Other sites' links are only recorded, never crawled: no rules apply to them here."""
        if not self.frontier.in_site(url) or not host_allowed(url, self.settings.allowed_hosts):
            return Robots()
        key = origin(url)
        if key not in self.host_robots:
            self.host_robots[key] = asyncio.ensure_future(self._read_robots(key))
        return await self.host_robots[key]

    async def _read_robots(self, key: str) -> Robots:
        robots = await read_robots(self.pool, key)
        self.ev.site.robots_hosts[key] = robots.summary()
        delay = robots.crawl_delay()
        if delay:
            self.pool.gate.set_delay(host_of(key), delay)
        if robots.unreachable:
            self.ev.errors.append(
                f"robots.txt of {key} unreachable ({robots.error}): nothing crawled there "
                "(RFC 9309 treats an unreachable robots.txt as disallow-all)"
            )
        return robots

    async def _worker(self) -> None:
        frontier = self.frontier
        while True:
            async with self.changed:
                while True:
                    if time.monotonic() > self.deadline:
                        return
                    item = frontier.next()
                    if item is False:
                        self.changed.notify_all()
                        return
                    if isinstance(item, Item):
                        break
                    await self.changed.wait()
            try:
                await self._visit(item)
            finally:
                async with self.changed:
                    frontier.done(item)
                    self.changed.notify_all()
                self._progress()

    def _progress(self) -> None:
        if self.on_progress is None:
            return
        queued = min(self.frontier.pending, max(0, self.frontier.max_pages - self.done))
        try:
            self.on_progress(self.portal.id, self.done, queued, self.page_errors)
        except Exception:  # a display problem must not cost the portal its crawl
            log.warning("progress hook failed", exc_info=True)
            self.on_progress = None

    async def _visit(self, item: Item) -> None:
        self.sources.setdefault(item.url, item.source)
        self.order[item.url] = item.order
        page = self.resume.get(item.url)
        if page is None:
            try:
                job = PageJob(item.url, site_hosts=frozenset(self.frontier.site_hosts))
                page = await load_page(self.pool, job, self._hints(item.url))
            except NotAPage as e:  # a file after all: checked as a document, not counted as a page
                self.frontier.forget(item)
                if e.status is None:  # a download: the browser never showed the status; ask lightly
                    self.frontier.documents.setdefault(item.url, item.source)
                else:
                    self.documents.append(
                        LinkCheck(
                            url=item.url,
                            source=item.source,
                            kind="document",
                            status=e.status,
                            content_type=e.content_type,
                        )
                    )
                return
            page.depth = item.key.depth
            self._emit(page)
        else:
            self.ev.pages.append(page)
            if page.template and page.accessibility is not None:  # so that later pages sample as they did
                self.sampler.should_audit(page.profile, page.template, item.order)
                if self.heavy is not None and page.profile == "desktop" and has_heavy(page.accessibility):
                    self.heavy.should_audit(page.profile, page.template, item.order)
            log.info(
                "page %s reused from the interrupted run",
                page.url,
                extra={"event": "page_resumed", "portal": self.portal.id, "url": page.url, "status": page.status},
            )
        self.done += 1
        self.page_errors += page.error is not None
        if item.key.depth == 0 and page.final_url:  # the start page may move the portal to another host
            final = urlsplit(page.final_url).netloc
            if site_host(final) not in self.frontier.site_hosts and host_allowed(
                page.final_url, self.settings.allowed_hosts
            ):
                self.frontier.add_site_host(final)
        final_page = normalise(page.final_url) if page.final_url else None
        if final_page and final_page != item.url and self.frontier.in_site(final_page):
            self.frontier.alias(final_page)
        if page.error is None:
            self.frontier.add_links(item, await self._allowed(page.links))

    def _first_good_pages(self, n: int) -> list[PageEvidence] | None:
        """The first n desktop pages without an error, in crawl order; None while a page still loading
        could be one of them."""
        chosen: list[PageEvidence] = []
        for page in sorted((p for p in self.ev.pages if p.profile == "desktop"), key=lambda p: self.order[p.url]):
            if self.frontier.loading_before(self.order[page.url]):
                return None
            if page.error is None:
                chosen.append(page)
                if len(chosen) == n:
                    return chosen
        return chosen if self.desktop_over else None

    async def _mobile(self) -> None:
        """The first pages of the crawl again, on the mobile profile (viewport, UA, touch)."""
        n = self.settings.mobile_pages
        if n <= 0:
            return
        async with self.changed:
            while (pages := self._first_good_pages(n)) is None:
                await self.changed.wait()
        for page in pages:
            if time.monotonic() > self.deadline:
                return
            try:
                job = PageJob(page.url, "mobile", site_hosts=frozenset(self.frontier.site_hosts))
                mobile = await load_page(self.pool, job, self._hints(page.url))
            except NotAPage:
                continue
            mobile.depth = page.depth
            self._emit(mobile)

    async def _checkable(self, url: str) -> bool:
        """A link this run may send a light request to: its host allowed, robots.txt not against it."""
        return host_allowed(url, self.settings.allowed_hosts) and (await self._robots_for(url)).allowed(url)

    def _links_known(self, considered: set[str]) -> list[tuple[str, str, str]]:
        """Documents and pages the crawl will not load, found since the last call and within the check budget."""
        frontier = self.frontier
        room = self.settings.link_checks - len(considered)
        if room <= 0 or time.monotonic() > self.deadline:
            return []
        fresh = [(url, source, "document") for url, source in frontier.documents.items() if url not in considered]
        fresh += [
            (url, source, "page")
            for url, source in frontier.never_crawled().items()
            if url not in considered and url not in self.order
        ]
        return fresh[:room]

    async def _links(self) -> None:
        """Light checks of the links the crawl does not load. Each is checked as soon as the crawl is sure not
        to load it, in the host's spare places between page loads (the host gate keeps the limits); what is
        left, and the sample of other sites' links, once the crawl is over. The evidence is what checking
        them all at the end would give: the same targets, in the same order."""
        s, frontier = self.settings, self.frontier
        early: dict[str, LinkCheck] = {}
        considered: set[str] = set()
        while True:
            async with self.changed:
                while not self.desktop_over and not (fresh := self._links_known(considered)):
                    await self.changed.wait()
                if self.desktop_over:
                    break
            considered.update(url for url, _, _ in fresh)
            allowed = [t for t in fresh if await self._checkable(t[0])]
            early.update((check.url, check) for check in await check_links(self.pool, allowed))

        # In crawl order, not the order loads happened to finish in: two runs list the same checks the same way.
        in_order = sorted(self.ev.pages, key=lambda p: self.order.get(p.url, 0))
        checks = page_checks(in_order, self.sources) + self.documents
        known = {c.url for c in checks}
        candidates: list[tuple[str, str, str]] = []
        for url, source in list(frontier.documents.items()) + list(frontier.unvisited.items()):
            if url not in known and await self._checkable(url):
                known.add(url)
                candidates.append((url, source, "document" if url in frontier.documents else "page"))
        past_limit = time.monotonic() > self.deadline  # past the time limit: no more requests
        targets = [t for t in candidates if t[0] in early] if past_limit else candidates[: s.link_checks]
        if len(targets) < len(candidates):
            self.ev.site.link_checks_skipped = len(candidates) - len(targets)
        if not past_limit:
            targets += [
                (url, frontier.outbound[url], "outbound")
                for url in outbound_sample(frontier.outbound, s.outbound_sample, s.allowed_hosts)
            ]
        late = {check.url: check for check in await check_links(self.pool, [t for t in targets if t[0] not in early])}
        self.ev.links = checks + [
            dataclasses.replace(early.get(url) or late[url], source=source, kind=kind) for url, source, kind in targets
        ]
        if s.run_checks and s.document_checks and not past_limit:
            await check_documents(self.pool, self.ev.links)


async def audit_url(pool: BrowserPool, url: str, settings: CrawlSettings) -> PageEvidence:
    """One page, measured and audited, no crawl (robots.txt is not consulted: the user named the page)."""
    target = normalise(url)
    if target is None:
        return PageEvidence(url=url, error="not an http(s) URL")
    if not host_allowed(target, settings.allowed_hosts):
        return PageEvidence(url=target, error=f"host not allowed: {urlsplit(target).hostname}")
    try:
        pool.egress.policy.allow_origin(target)  # the user named the page: its origin may be internal
        # One page the user named: every check runs on it, the heavy ones included.
        return await load_page(pool, PageJob(target, throttle=settings.throttle), Hints(heavy=lambda _p, _t: True))
    except NotAPage as e:
        return PageEvidence(
            url=target, status=e.status, content_type=e.content_type, error=f"not a page: {e.content_type}"
        )
