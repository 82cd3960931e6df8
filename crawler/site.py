"""What a portal says about itself before any page loads: robots.txt, sitemaps, TLS, HTTPS redirect."""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from lxml import etree
from protego import Protego

from portalscore.contract.evidence import HttpsRedirect, RobotsCheck, SitemapCheck, TlsCheck

from .browser import USER_AGENT_TOKEN
from .lighthttp import Fetched, light_fetch, tls_check
from .pool import BrowserPool
from .urls import normalise, site_host

MAX_SITEMAPS = 20
MAX_SITEMAP_URLS = 20_000
MAX_SITEMAP_BYTES = 20_000_000
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


@dataclass
class Robots:
    status: int | None = None
    found: bool = False
    error: str | None = None
    unreachable: bool = False  # RFC 9309: a robots.txt that cannot be read means "disallow all"
    parser: Protego | None = None
    sitemaps: list[str] = field(default_factory=list)

    def allowed(self, url: str) -> bool:
        if self.unreachable:
            return False
        return self.parser is None or self.parser.can_fetch(url, USER_AGENT_TOKEN)

    def crawl_delay(self) -> float | None:
        return self.parser.crawl_delay(USER_AGENT_TOKEN) if self.parser is not None else None

    def summary(self) -> RobotsCheck:
        return RobotsCheck(
            status=self.status, found=self.found, error=self.error, crawl_delay=self.crawl_delay() or None
        )


def origin(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


async def _get(pool: BrowserPool, url: str, max_bytes: int = 2_000_000, **kwargs) -> Fetched:
    s = pool.settings
    return await light_fetch(
        pool.light,
        pool.gate,
        url,
        retries=s.retries,
        retry_after_cap_s=s.retry_after_cap_s,
        timeout_s=s.request_timeout_s,
        max_bytes=max_bytes,
        allowed_hosts=s.allowed_hosts,
        max_redirects=s.max_redirects,
        **kwargs,
    )


async def read_robots(pool: BrowserPool, start_url: str) -> Robots:
    fetched = await _get(pool, origin(start_url) + "robots.txt", max_bytes=500_000)
    robots = Robots(status=fetched.status, error=fetched.error)
    if fetched.status is not None and 200 <= fetched.status < 300 and fetched.error is None:
        robots.found = True
        text = fetched.body.decode("utf-8", "replace")
        robots.parser = Protego.parse(text)
        robots.sitemaps = list(robots.parser.sitemaps)
    elif fetched.status is None or fetched.status >= 500:
        robots.unreachable = True
        robots.error = robots.error or f"http {fetched.status}"
    return robots  # 4xx: no robots.txt, everything allowed


def _decompress(body: bytes) -> bytes:
    if body[:2] == b"\x1f\x8b":
        try:
            return gzip.GzipFile(fileobj=io.BytesIO(body)).read(MAX_SITEMAP_BYTES)
        except (OSError, EOFError, zlib.error):
            return b""
    return body


def _locs(body: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, child sitemap URLs) of a sitemap or sitemap index."""
    try:
        root = etree.fromstring(_decompress(body), _XML_PARSER)
    except etree.XMLSyntaxError:
        return [], []
    if root is None:
        return [], []
    kind = etree.QName(root).localname
    locs = [el.text.strip() for el in root.iter("{*}loc") if el.text and el.text.strip()]
    return ([], locs) if kind == "sitemapindex" else (locs, [])


async def read_sitemaps(pool: BrowserPool, start_url: str, robots: Robots) -> tuple[SitemapCheck, list[str]]:
    """Follow robots' Sitemap: lines and /sitemap.xml, and sitemap indexes; returns (summary, page URLs)."""
    site = site_host(urlsplit(start_url).netloc)
    base = origin(start_url)  # some robots.txt files give relative Sitemap: lines
    queue = [u for u in (normalise(s, base) for s in robots.sitemaps) if u and site_host(urlsplit(u).netloc) == site]
    default = origin(start_url) + "sitemap.xml"
    if default not in queue:
        queue.append(default)
    seen: set[str] = set()
    urls: list[str] = []
    found = False
    while queue and len(seen) < MAX_SITEMAPS and len(urls) < MAX_SITEMAP_URLS:
        url = queue.pop(0)
        if url in seen or not robots.allowed(url):
            continue
        seen.add(url)
        fetched = await _get(pool, url, max_bytes=MAX_SITEMAP_BYTES)
        if fetched.status != 200 or fetched.error:
            continue
        pages, children = _locs(fetched.body)
        if pages or children:
            found = True
        for loc in children:
            child = normalise(loc)
            if child and child not in seen and site_host(urlsplit(child).netloc) == site:
                queue.append(child)
        for loc in pages:
            page = normalise(loc)
            if page:
                urls.append(page)
    urls = list(dict.fromkeys(urls))[:MAX_SITEMAP_URLS]
    return SitemapCheck(found=found, urls=len(urls), fetched=len(seen)), urls


async def check_tls(pool: BrowserPool, start_url: str) -> TlsCheck:
    """Is the certificate valid for a browser that verifies it, who issued it, when does it expire, which TLS version
    does the connection negotiate? (Pages are evaluated either way.)"""
    fetched = await _get(pool, start_url, max_bytes=1, verify_tls=True)
    if fetched.error and fetched.error.startswith("tls"):
        # The certificate is not trusted: ask again without verifying, for its issuer, expiry and the TLS version.
        again = await _get(pool, start_url, max_bytes=1)
        return tls_check(False, fetched.error, again.tls or {})
    if fetched.error:
        return TlsCheck(valid=None, error=fetched.error)
    return tls_check(True, None, fetched.tls or {})


async def check_https_redirect(pool: BrowserPool, start_url: str) -> HttpsRedirect:
    """Does http:// of an https portal send the user to https://, through which hops?"""
    parts = urlsplit(start_url)
    if parts.port not in (None, 443):
        # the plain-HTTP port of a non-standard HTTPS port is unknown
        return HttpsRedirect(error="not checked: the portal is on a non-standard HTTPS port")
    url = urlunsplit(("http", parts.hostname, "/", "", ""))
    fetched = await _get(pool, url, max_bytes=1)
    return https_redirect_of(url, fetched.final_url, fetched.status, fetched.redirects, fetched.error)


def https_redirect_of(
    url: str, final_url: str, status: int | None, hops: list[str], error: str | None
) -> HttpsRedirect:
    if error or status is None:
        return HttpsRedirect(url=url, final_url=final_url, status=status, hops=list(hops), error=error or "no answer")
    return HttpsRedirect(
        redirects=final_url.startswith("https:"), url=url, final_url=final_url, status=status, hops=list(hops)
    )
