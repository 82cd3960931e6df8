"""One Chromium for the whole run, shared slots of work, and fresh contexts per load.

Several portals are crawled at once. `slot()` bounds the CPU work (reading the DOM, axe)
to `workers`, which on this machine (2 cores) is what one browser uses well. Loading a
page is mostly waiting for servers, so loads have their own, wider bound (LOADS_PER_SLOT
per slot): a slow portal does not leave a core idle. A page trades its load permit for a
slot once loaded (always in that order: no deadlock). Timed lab loads take `exclusive()`:
every load permit and every slot, so that no crawl load or axe run shares the machine with them.

That exclusive use is the run's *quiet gate*: the lab of a portal runs as soon as its crawl ends, while other
portals are still being crawled (run/collect.py), and each timed load waits for the page loads in flight to end
and holds new ones back until it is timed. Up to `lab_lanes` timed loads may hold the gate together (the lab's
lanes: mostly a throttled network's wait, crawler/lab.py); a timed load joins a gate held by others only while no
crawl load waits for a permit, so the crawl still gets its turn between timed loads. `activity`, when set to a list,
records every page's time in the browser (`PageSpan`), so that a test can check from start and end times that no
timed load overlapped another.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright

from portalscore.contract import secrets

from . import procs
from .browser import context_options, instance_of, launch_options, user_agent
from .egress import Egress
from .guard import RequestGuard
from .hostgate import HostGate
from .lighthttp import LightClient
from .netpolicy import NetPolicy
from .quiet import SharedRaise
from .settings import CrawlSettings

log = logging.getLogger("portalscore.crawler")
# Measured on the sample portals with the headless shell (README, Speed): 3 loads per slot kept the cores
# busier than 2 (+9% pages/s for 80 MB); 4 gained nothing more.
LOADS_PER_SLOT = 3


@dataclass(frozen=True)
class PageSpan:
    """One page's time in the browser (context opened .. context closed, axe included), monotonic seconds."""

    url: str
    profile: str
    timed: bool  # a lab load, under exclusive use
    start: float
    end: float


@dataclass(eq=False)  # each hold is its own: two with the same count are not the same hold
class GateTicket:
    """One timed load's hold on the quiet gate."""

    beside: int = 0  # other timed loads that held the gate at some moment of this one (lab lanes)


class BrowserPool:
    """`egress`: the run's way out (crawler/egress.py); every context the pool makes goes through it."""

    def __init__(self, settings: CrawlSettings, egress: Egress):
        if (
            settings.allowed_hosts is not None
            and egress.policy.only_hosts != NetPolicy.build(only_hosts=settings.allowed_hosts).only_hosts
        ):
            raise ValueError(
                "the egress policy must hold the settings' allowed hosts (NetPolicy.build(only_hosts=...))"
            )
        self.settings = settings
        self.egress = egress
        self.memory: procs.MemoryGuard | None = None
        self.light = LightClient(egress, user_agent("desktop", settings.contact))
        self.workers = max(1, settings.workers)
        self.gate = HostGate(settings.per_host, settings.min_delay_s)
        self.user_agent = user_agent("desktop", settings.contact)
        self.restarts = 0
        self._slots = asyncio.Semaphore(self.workers)
        self.max_loads = self.workers * LOADS_PER_SLOT
        self._loads = asyncio.Semaphore(self.max_loads)
        self.lab_lanes = max(1, settings.lab_lanes)
        self._gate = asyncio.Condition()  # guards the quiet gate's state below
        self._gate_taking = False  # every permit and slot being taken for timed loads
        self._tickets: list[GateTicket] = []  # the timed loads holding them (none: the gate is open to the crawl)
        self._load_waiters = 0  # crawl loads waiting for a permit
        self.priority = SharedRaise()  # the raised CPU priority of overlapping timed loads
        self._launch_lock = asyncio.Lock()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self.browser_name = ""  # "chromium-headless-shell 156.0.8078.79": kept with the evidence
        self.activity: list[PageSpan] | None = None  # set to [] to record every page's span (tests, benchmarks)

    async def __aenter__(self) -> BrowserPool:
        self._playwright = await async_playwright().start()
        try:
            await self._ensure_browser()
        except BaseException:
            await self._playwright.stop()
            raise
        return self

    async def __aexit__(self, *exc) -> None:
        if self.memory is not None:
            self.memory.stop()
        await self.light.aclose()
        try:
            if self._browser is not None and self._browser.is_connected():
                await asyncio.wait_for(self._browser.close(), 30)
        except Exception:  # a dead browser cannot be closed; stopping playwright reaps it
            log.warning("closing the browser failed", exc_info=True)
        finally:
            if self._playwright is not None:
                await self._playwright.stop()

    async def _ensure_browser(self) -> Browser:
        async with self._launch_lock:
            if self._browser is None or not self._browser.is_connected():
                if self._browser is not None:
                    self.restarts += 1
                    log.warning("Chromium went away; starting a new one (restart %d)", self.restarts)
                options = launch_options(self.egress)
                assert self._playwright is not None, "the pool is used inside `async with`"
                self._browser = await self._playwright.chromium.launch(**options)
                self.browser_name = f"{os.path.basename(options['executable_path'])} {self._browser.version}"
                if self.memory is not None:
                    self.memory.stop()
                process = await asyncio.to_thread(procs.find_browser, instance_of(options))
                self.memory = None
                if process is not None:
                    s = self.settings
                    self.memory = procs.MemoryGuard(process, s.renderer_mb, s.renderers_total_mb).start()
            return self._browser

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._slots:
            yield

    async def acquire_slot(self) -> None:
        await self._slots.acquire()

    def release_slot(self) -> None:
        self._slots.release()

    async def acquire_load(self) -> None:
        self._load_waiters += 1
        try:
            await self._loads.acquire()
        finally:
            self._load_waiters -= 1

    def release_load(self) -> None:
        self._loads.release()

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[GateTicket]:
        """The quiet gate for one timed load; the ticket counts the other timed loads that shared it."""
        ticket = await self._enter_gate()
        try:
            yield ticket
        finally:
            await self._leave_gate(ticket)

    def _hold(self) -> GateTicket:
        ticket = GateTicket(beside=len(self._tickets))
        for other in self._tickets:
            other.beside += 1
        self._tickets.append(ticket)
        return ticket

    async def _enter_gate(self) -> GateTicket:
        async with self._gate:
            while True:
                if self._tickets and len(self._tickets) < self.lab_lanes and not self._load_waiters:
                    return self._hold()
                if not self._tickets and not self._gate_taking:
                    self._gate_taking = True
                    break
                await self._gate.wait()
        # Loads before slots, the order every page takes them in; one taker at a time, so that two timed loads
        # never hold half the permits each.
        loads = slots = 0
        try:
            for _ in range(self.max_loads):
                await self._loads.acquire()
                loads += 1
            for _ in range(self.workers):
                await self._slots.acquire()
                slots += 1
        except BaseException:
            self._release(loads, slots)
            async with self._gate:
                self._gate_taking = False
                self._gate.notify_all()
            raise
        async with self._gate:
            self._gate_taking = False
            self._gate.notify_all()  # timed loads waiting meanwhile may join
            return self._hold()

    async def _leave_gate(self, ticket: GateTicket) -> None:
        async with self._gate:
            self._tickets.remove(ticket)
            if not self._tickets:
                self._release(self.max_loads, self.workers)
                self._gate.notify_all()

    def _release(self, loads: int, slots: int) -> None:
        for _ in range(slots):
            self._slots.release()
        for _ in range(loads):
            self._loads.release()

    async def new_context(self, profile: str, guard: RequestGuard) -> BrowserContext:
        """A fresh context (empty cache and cookies: every load is a first visit), every request through `guard`."""
        browser = await self._ensure_browser()
        # Portals behind HTTP authentication get their credential set, each offered to its own origin only.
        context = await browser.new_context(
            **context_options(profile, self.settings.contact, http_credentials=secrets.http_credentials())
        )
        await context.route("**/*", guard.route_async)
        return context

    def guard(self, *, popups: bool = False) -> RequestGuard:
        """A request guard under this run's policy (a new one per page: it records that page's refusals)."""
        return RequestGuard(self.egress.policy, block_popups=not popups)
