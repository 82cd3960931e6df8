"""The network guard every scenario context runs behind: nothing is ever submitted.

Non-GET/HEAD requests (form posts, fetch/XHR posts, beacons) are aborted before they leave the
browser and logged, unless a scenario allows a read-only lookup endpoint explicitly. Optionally,
requests to hosts outside an allow-list are aborted too (tests and the demo stay on loopback).
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Route
from playwright.sync_api import Error as PlaywrightError

SAFE_METHODS = {"GET", "HEAD"}
MAX_LOGGED = 200  # a page that posts in a loop must not grow the evidence without bound


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


@dataclass
class AllowedPost:
    """A read-only lookup endpoint that answers only to POST: method and a regex on the URL."""

    url_pattern: str
    method: str = "POST"

    def matches(self, method: str, url: str) -> bool:
        return method == self.method and re.search(self.url_pattern, url) is not None


@dataclass
class Guard:
    allowed_hosts: list[str] | None = None
    allowed_posts: list[AllowedPost] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)  # allowed non-GET requests, for the record
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def host_allowed(self, url: str) -> bool:
        if self.allowed_hosts is None:
            return True
        scheme = urlsplit(url).scheme
        if scheme in ("data", "blob", "about"):
            return True
        return host_of(url) in {h.lower() for h in self.allowed_hosts}

    def decide(self, method: str, url: str) -> str | None:
        """None when the request may go; otherwise why it is blocked."""
        if not self.host_allowed(url):
            return f"host {host_of(url) or '?'} not allowed"
        if method in SAFE_METHODS:
            return None
        if any(a.matches(method, url) for a in self.allowed_posts):
            self._log(self.allowed, f"{method} {url}")
            return None
        return "non-GET request"

    def _log(self, sink: list[str], entry: str) -> None:
        with self._lock:
            if len(sink) < MAX_LOGGED:
                sink.append(entry[:500])

    def handle(self, route: Route) -> None:
        request = route.request
        reason = self.decide(request.method, request.url)
        try:
            if reason is None:
                route.fallback()
            else:
                self._log(self.blocked, f"{request.method} {request.url} ({reason})")
                route.abort("blockedbyclient")
        except PlaywrightError:
            pass  # the page or context closed while the request was in flight

    def posts_blocked(self) -> list[str]:
        return [b for b in self.blocked if not b.startswith(("GET ", "HEAD "))]


_GUARDS: weakref.WeakKeyDictionary[BrowserContext, Guard] = weakref.WeakKeyDictionary()


def install_guard(
    context: BrowserContext, allowed_hosts: list[str] | None = None, allowed_posts: list[AllowedPost] | None = None
) -> Guard:
    """Route every request of `context` (all its pages, popups and frames) through a new Guard."""
    guard = Guard(allowed_hosts=allowed_hosts, allowed_posts=list(allowed_posts or []))
    context.route("**/*", guard.handle)
    _GUARDS[context] = guard
    return guard


def guard_of(context: BrowserContext) -> Guard | None:
    """The guard installed on a context (pytest's `page` fixture gets one from the root conftest.py)."""
    return _GUARDS.get(context)
