"""The browsers tests drive, behind an egress proxy like every browser of portalscore.

Test servers listen on 127.0.0.1 and stand in for the evaluated portals, so the tests' policy lets 127.0.0.1 be
contacted (as an operator's `--allow-internal 127.0.0.1/32` would); other loopback addresses (127.0.0.2, [::1])
stay internal and refused. The safety tests build stricter policies of their own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from portalscore.crawler.egress import Egress
from portalscore.crawler.netpolicy import NetPolicy
from portalscore.crawler.settings import CrawlSettings

LOOPBACK = ["127.0.0.1", "localhost"]
_lock = threading.Lock()
_egresses: dict[tuple[str, ...] | None, Egress] = {}


def test_policy(only_loopback: bool = False) -> NetPolicy:
    return NetPolicy.build(allow_internal=["127.0.0.1/32"], only_hosts=LOOPBACK if only_loopback else None)


def test_egress(only_loopback: bool = False) -> Egress:
    """One started proxy per process and flavour (its thread is a daemon: it ends with the test process)."""
    return _egress(tuple(LOOPBACK) if only_loopback else None)


def egress_for(settings: CrawlSettings) -> Egress:
    """The proxy for a crawl with these settings: their allowed hosts, and 127.0.0.1 allowed to be contacted."""
    return _egress(tuple(settings.allowed_hosts) if settings.allowed_hosts is not None else None)


def _egress(only_hosts: tuple[str, ...] | None) -> Egress:
    with _lock:
        egress = _egresses.get(only_hosts)
        if egress is None:
            policy = NetPolicy.build(allow_internal=["127.0.0.1/32"], only_hosts=only_hosts)
            egress = _egresses[only_hosts] = Egress(policy).start()
        return egress


@contextmanager
def journey_browser(only_loopback: bool = True) -> Iterator:
    """A JourneyBrowser (sync Playwright) for running journeys, loopback only by default (as the demo)."""
    from playwright.sync_api import sync_playwright

    from portalscore.scenarios.runner import JourneyBrowser

    with sync_playwright() as pw:
        journeys = JourneyBrowser(pw, test_egress(only_loopback))
        journeys.ensure()
        try:
            yield journeys
        finally:
            journeys.close()


test_policy.__test__ = False  # type: ignore[attr-defined]  # not tests, though they are named so
test_egress.__test__ = False  # type: ignore[attr-defined]
egress_for.__test__ = False  # type: ignore[attr-defined]
