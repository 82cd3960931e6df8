"""The request guard every browser context answers to: the crawl, the lab pass, the journeys and teams' pytest runs.

One rule, decided before a request leaves the browser:
- nothing that changes state is sent: only GET and HEAD go (form posts, `fetch` POST/PUT/PATCH/DELETE, beacons,
  pings and CORS preflights are aborted and recorded), except a read-only lookup endpoint a journey names
  explicitly (AllowedPost, from the registry's overrides);
- only http(s) (and data:, blob:, about:, which never leave the browser); the run's host list (--allow-host) and
  literal internal addresses are refused here already, by the same NetPolicy the egress proxy enforces after DNS;
- a page that keeps navigating by itself (a meta-refresh or script loop) is stopped after MAX_SELF_NAVIGATIONS
  navigations since the evaluator last asked for one (`expect_navigation()`): a redirect loop is stopped by the
  browser, such a loop by nobody else;
- where the owner says so (the crawl), pop-up windows load nothing: a page measured is one page.
Request interception happens before DNS and does not see redirect hops: the egress proxy (crawler/egress.py) is
what makes the destination rule hold; this guard names refusals on the page that caused them and adds the rules
only the browser can see (methods, pages, navigations).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from portalscore.contract.evidence import BlockedRequest

from .egress import Egress
from .failures import refusal_of
from .netpolicy import NetPolicy

SAFE_METHODS = frozenset({"GET", "HEAD"})
_URL = re.compile(r"https?://[^\s'\"]+")
MAX_SELF_NAVIGATIONS = 5  # navigations a page may make by itself (a script redirect or two is common; 20 is a loop)
MAX_LOGGED = 200  # a page that posts in a loop must not grow the evidence without bound


@dataclass(frozen=True)
class AllowedPost:
    """A read-only lookup endpoint that answers only to POST: method and a regex on the URL."""

    url_pattern: str
    method: str = "POST"

    def matches(self, method: str, url: str) -> bool:
        return method == self.method and re.search(self.url_pattern, url) is not None


@dataclass
class RequestGuard:
    policy: NetPolicy
    allowed_posts: list[AllowedPost] = field(default_factory=list)
    block_popups: bool = False
    blocked: list[BlockedRequest] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)  # non-GET requests let through (AllowedPost), for the record
    navigation_loop: bool = False
    page: Any = None  # the page measured or driven; requests of any other page are pop-ups
    egress: Egress | None = None  # to name what the egress proxy refused (the browser only says "SOCKS failure")
    _self_navigations: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def expect_navigation(self) -> None:
        """The evaluator is about to navigate (goto, a click): the next navigation is not the page's own doing."""
        self._self_navigations = -1

    def decide(
        self, method: str, url: str, *, navigation: bool = False, main_frame: bool = True, other_page: bool = False
    ) -> BlockedRequest | None:
        """None when the request may go; else what is blocked and why (also recorded)."""
        method = method.upper()
        refusal = self.policy.check_url(url)
        if refusal is not None:
            return self._block(method, url, refusal.kind, refusal.message)
        if other_page and self.block_popups:
            return self._block(method, url, "pop-up", "pop-up window: nothing loaded")
        if method not in SAFE_METHODS:
            if any(a.matches(method, url) for a in self.allowed_posts):
                self._log(self.allowed, f"{method} {url}")
                return None
            return self._block(method, url, "state-changing", f"{method} request not sent (nothing is ever submitted)")
        if navigation and main_frame and not other_page:
            self._self_navigations += 1
            if self._self_navigations > MAX_SELF_NAVIGATIONS:
                self.navigation_loop = True
                return self._block(
                    method,
                    url,
                    "navigation-loop",
                    f"navigation loop: the page navigated more than {MAX_SELF_NAVIGATIONS} times by itself "
                    "(meta refresh or script); stopped",
                )
        return None

    def host_allowed(self, url: str) -> bool:
        """Whether a URL may be loaded at all as far as can be told without DNS (journeys report others as off-site)."""
        return self.policy.check_url(url) is None

    def name_failure(self, message: str) -> str:
        """A browser error, with the egress proxy's reason where the browser only reports a proxy failure."""
        if self.egress is None or not any(code in message for code in ("ERR_SOCKS", "ERR_PROXY", "ERR_TUNNEL")):
            return message
        found = _URL.search(message)
        refusal = refusal_of(self.egress, found.group(0)) if found else None
        if refusal is None:
            return message
        cut = message.find("net::")
        return (message[:cut] if cut >= 0 else "") + refusal.message

    def posts_blocked(self) -> list[str]:
        """The state-changing requests blocked so far, one line each (the journeys name the first in a failure)."""
        return [b.line() for b in self.blocked if b.kind == "state-changing"]

    def lines(self) -> list[str]:
        """The blocked requests as one line each ("POST http://… (why)"): the journeys' evidence."""
        return [b.line() for b in self.blocked]

    def _block(self, method: str, url: str, kind: str, reason: str) -> BlockedRequest:
        entry = BlockedRequest(method=method, url=url[:500], kind=kind, reason=reason)
        with self._lock:
            if len(self.blocked) < MAX_LOGGED:
                self.blocked.append(entry)
        return entry

    def _log(self, sink: list[str], entry: str) -> None:
        with self._lock:
            if len(sink) < MAX_LOGGED:
                sink.append(entry[:500])

    # -- Playwright adapters: the same decision for the async (crawler) and sync (journeys) APIs ---------------
    def _facts(self, request: Any) -> tuple[bool, bool, bool]:
        navigation = request.is_navigation_request()
        try:
            frame = request.frame
            main_frame = frame.parent_frame is None
            other_page = self.page is not None and frame.page is not self.page
        except Exception:
            # No frame yet: either a window the page is opening (its first navigation comes before its frame), or
            # a worker's request (it belongs to the page that started the worker).
            main_frame, other_page = navigation, navigation
        return navigation, main_frame, other_page

    async def route_async(self, route: Any) -> None:
        request = route.request
        navigation, main_frame, other_page = self._facts(request)
        verdict = self.decide(
            request.method, request.url, navigation=navigation, main_frame=main_frame, other_page=other_page
        )
        try:
            if verdict is None:
                await route.continue_()
            else:
                await route.abort("blockedbyclient")
        except Exception:  # the page or context closed while the request waited
            pass

    def route_sync(self, route: Any) -> None:
        request = route.request
        navigation, main_frame, other_page = self._facts(request)
        verdict = self.decide(
            request.method, request.url, navigation=navigation, main_frame=main_frame, other_page=other_page
        )
        try:
            if verdict is None:
                route.fallback()
            else:
                route.abort("blockedbyclient")
        except Exception:  # the page or context closed while the request waited
            pass
