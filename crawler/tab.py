"""One page under measurement: the job the run asks for, and the tab it is loaded in (context, page, DevTools
session, request guard, network log), with a deadline the page's own script cannot stop."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, CDPSession, Page

from .guard import RequestGuard
from .network import NetworkLog
from .pagejs import PERF_INIT_JS
from .urls import site_host
from .world import OurWorld

KILL_TIMEOUT_S = 2  # crashing a renderer is answered at once, if the browser itself is alive


@dataclass(frozen=True)
class PageJob:
    """One load the run asks for: which page, on which profile, measured how."""

    url: str
    profile: str = "desktop"
    site_hosts: frozenset[str] = frozenset()  # the portal's hosts: any other is third-party
    audit: bool = True  # read the DOM and audit it (the gatherers); False: timings only (lab loads)
    throttle: str | None = None  # a crawler.throttle preset for the load
    simulate: bool = False  # the preset's network simulated from a load on the real one (crawler/netsim.py)
    exclusive: bool = False  # nothing else runs on the machine while it loads (lab loads)


class Tab:
    """One page under measurement: its context, page, DevTools session and guard, made ready before the load."""

    def __init__(self, context: BrowserContext, page: Page, cdp: CDPSession, guard: RequestGuard, net: NetworkLog):
        self.context, self.page, self.cdp, self.guard, self.net = context, page, cdp, guard, net
        self.world = OurWorld(cdp, page)  # where our timing observers, axe and checks run, out of the page's reach
        self.started = time.monotonic()
        self.deadline = self.started + 3600.0  # set by measure_page from the settings
        self.crashed = False
        self.killed = False
        page.on("crash", lambda _p: setattr(self, "crashed", True))

    @classmethod
    async def open(cls, context: BrowserContext, guard: RequestGuard, job: PageJob) -> Tab:
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
        tab = cls(context, page, cdp, guard, net)
        await tab.world.install(PERF_INIT_JS)
        return tab

    def left(self) -> float:
        """Seconds left before the page's deadline (at least a moment, so that a late call still fails cleanly)."""
        return max(0.1, self.deadline - time.monotonic())

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
