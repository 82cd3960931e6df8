"""The network guard every journey context runs behind: the crawler's one rule (portalscore.crawler.guard), on the
sync API. Nothing is ever submitted: non-GET requests are aborted and recorded, unless a journey allows a read-only
lookup endpoint explicitly (the registry's `<scenario>.allow_post` override); the run's network policy refuses
internal addresses and hosts outside the run's allow-list (tests and the demo stay on loopback)."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext

from portalscore.crawler.egress import Egress
from portalscore.crawler.guard import AllowedPost, RequestGuard
from portalscore.crawler.netpolicy import NetPolicy

Guard = RequestGuard  # what journeys are handed
__all__ = ["AllowedPost", "Guard", "guard_of", "host_of", "install_guard"]

OPENED_JS = """
(() => {
  const open = window.open;
  window.open = function (url, ...rest) {
    try { window.__psOpened = new URL(String(url), location.href).href; } catch (e) { /* not a URL */ }
    return open.call(window, url, ...rest);
  };
})();
"""

_GUARDS: weakref.WeakKeyDictionary[BrowserContext, RequestGuard] = weakref.WeakKeyDictionary()


def host_of(url: str) -> str:
    """The host name of a URL, lower case ('' when it has none): how journeys tell one site from another."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def install_guard(
    context: BrowserContext,
    policy: NetPolicy,
    allowed_posts: Iterable[AllowedPost] | None = None,
    egress: Egress | None = None,
    block_popups: bool = False,
) -> RequestGuard:
    """Route every request of `context` (all its pages, popups and frames) through a new guard. With block_popups,
    windows the page opens load nothing (set `guard.page` to the page driven): journeys follow where they lead."""
    guard = RequestGuard(policy, allowed_posts=list(allowed_posts or []), egress=egress, block_popups=block_popups)
    context.route("**/*", guard.route_sync)
    if block_popups:  # where a window was going, fragment (a hash route) included: the request alone drops it
        context.add_init_script(OPENED_JS)
    _GUARDS[context] = guard
    return guard


def guard_of(context: BrowserContext) -> RequestGuard | None:
    """The guard installed on a context (pytest's `page` fixture gets one from the root conftest.py)."""
    return _GUARDS.get(context)
