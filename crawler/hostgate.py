"""Per-host politeness shared by every portal of a run: requests in flight and spacing of starts.

A host is a netloc (host:port). Page loads and light requests to one host pass the same
gate, so limits hold across portals that share a host and across retries.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class _Host:
    inflight: asyncio.Semaphore
    delay_s: float
    start_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float = float("-inf")
    paused_until: float = 0.0


class HostGate:
    def __init__(self, per_host: int, min_delay_s: float):
        self.per_host = max(1, per_host)
        self.min_delay_s = max(0.0, min_delay_s)
        self._hosts: dict[str, _Host] = {}

    def _host(self, netloc: str) -> _Host:
        host = self._hosts.get(netloc)
        if host is None:
            host = self._hosts[netloc] = _Host(asyncio.Semaphore(self.per_host), self.min_delay_s)
        return host

    def set_delay(self, netloc: str, delay_s: float) -> None:
        """Raise the spacing for a host (robots.txt Crawl-delay); never below min_delay_s."""
        host = self._host(netloc)
        host.delay_s = max(self.min_delay_s, delay_s)

    def pause(self, netloc: str, seconds: float) -> None:
        """No new start on this host for `seconds` (a 429/503 Retry-After)."""
        host = self._host(netloc)
        host.paused_until = max(host.paused_until, time.monotonic() + seconds)

    async def acquire(self, netloc: str, before_start: Callable[[], Awaitable[object]] | None = None) -> Permit:
        """Wait for a free place on the host and for its spacing; returns a permit to release.

        `before_start` (e.g. taking a browser slot) is awaited while the host's start lock is
        held, so that the recorded start is the real one and two starts are never closer
        than the delay, however long the slot takes to come.
        """
        host = self._host(netloc)
        await host.inflight.acquire()
        try:
            async with host.start_lock:
                while True:
                    now = time.monotonic()
                    wait = max(host.last_start + host.delay_s, host.paused_until) - now
                    if wait <= 0:
                        break
                    await asyncio.sleep(wait)
                if before_start is not None:
                    await before_start()
                host.last_start = time.monotonic()
        except BaseException:
            host.inflight.release()
            raise
        return Permit(host)


class Permit:
    def __init__(self, host: _Host):
        self._host = host
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._host.inflight.release()
