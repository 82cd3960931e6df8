"""Broken-link evidence: every crawled page, documents and unvisited same-site links by a light
request, and a bounded sample of links to other sites."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from portalscore.contract.evidence import LinkCheck, PageEvidence

from .lighthttp import Fetched, light_fetch
from .pool import BrowserPool
from .urls import host_allowed

CONCURRENT_CHECKS = 8  # light requests in flight per portal (the host gate still bounds each host)
RETRY_WITH_GET = {403, 405, 501}  # servers that refuse HEAD but serve GET
# ... or that drop the connection on a HEAD (lighthttp's names for that)
HEAD_REFUSED = ("protocol:", "the server closed the connection", "connection reset")


def page_checks(pages: list[PageEvidence], sources: dict[str, str]) -> list[LinkCheck]:
    """Crawled pages are checked by their own load."""
    return [
        LinkCheck(
            url=p.url,
            source=sources.get(p.url, ""),
            kind="page",
            status=p.status,
            error=None if p.status is not None else p.error,
            content_type=p.content_type,
        )
        for p in pages
        if p.profile == "desktop"
    ]


def outbound_sample(outbound: dict[str, str], n: int, allowed_hosts: list[str] | None) -> list[str]:
    """Up to n links to other sites, one host at a time (round robin), in a stable order."""
    by_host: dict[str, list[str]] = defaultdict(list)
    for url in sorted(outbound):
        if host_allowed(url, allowed_hosts):
            by_host[urlsplit(url).netloc].append(url)
    picked: list[str] = []
    while len(picked) < n and any(by_host.values()):
        for host in sorted(by_host):
            if by_host[host] and len(picked) < n:
                picked.append(by_host[host].pop(0))
    return picked


async def _check(pool: BrowserPool, url: str) -> Fetched:
    s = pool.settings
    kwargs: dict[str, Any] = dict(
        retries=min(1, s.retries),
        retry_after_cap_s=s.retry_after_cap_s,
        timeout_s=min(10.0, s.request_timeout_s),
        allowed_hosts=s.allowed_hosts,
        max_redirects=s.max_redirects,
    )
    fetched = await light_fetch(pool.light, pool.gate, url, method="HEAD", **kwargs)
    if fetched.status in RETRY_WITH_GET or (fetched.error and fetched.error.startswith(HEAD_REFUSED)):
        fetched = await light_fetch(pool.light, pool.gate, url, method="GET", max_bytes=65_536, **kwargs)
    return fetched


async def check_links(pool: BrowserPool, targets: list[tuple[str, str, str]]) -> list[LinkCheck]:
    """targets: (url, source page, kind). Each is checked with HEAD (GET where HEAD is refused)."""
    gate = asyncio.Semaphore(CONCURRENT_CHECKS)

    async def one(url: str, source: str, kind: str) -> LinkCheck:
        async with gate:
            fetched = await _check(pool, url)
        return LinkCheck(
            url=url,
            source=source,
            kind=kind,
            status=fetched.status,
            error=fetched.error,
            content_type=fetched.headers.get("content-type", ""),
            size=fetched.size,
        )

    return list(await asyncio.gather(*(one(*t) for t in targets)))
