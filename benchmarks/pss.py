"""Peak memory of a run: PSS summed over a process tree, sampled from /proc/*/smaps_rollup.

PSS (proportional set size) splits each shared page between the processes that map it, so the
sum over Chromium's many processes is the memory the run really costs, not the inflated RSS sum.
"""

from __future__ import annotations

import asyncio
import os


def descendants(root: int) -> list[int]:
    """Every process below root (children, their children, ...), read from /proc/*/stat."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == pid]
        found += kids
        frontier += kids
    return found


def pss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total / 1024


# One sample costs about 25 ms of CPU (mostly the kernel walking the page tables of Chromium's large address
# spaces for smaps_rollup). Every 0.25 s, that was a tenth of a core taken from the run being measured, which
# slowed a run that keeps both cores busy (portalscore, the floor) more than one that leaves a core idle
# (the tools, one page at a time). Memory peaks in these runs last seconds, so 1 s misses none.
SAMPLE_EVERY_S = 1.0


class PeakMemory:
    """Samples, every SAMPLE_EVERY_S while a run goes on, the PSS of this process's descendants, and of this
    process too when include_self (runs that happen in-process: portalscore's crawl, the floor)."""

    def __init__(self, include_self: bool = False):
        self.include_self = include_self
        self.peak = 0.0
        self._task: asyncio.Task | None = None

    def _now(self) -> float:
        me = os.getpid()
        return pss_mb(descendants(me) + ([me] if self.include_self else []))

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, await asyncio.to_thread(self._now))
            await asyncio.sleep(SAMPLE_EVERY_S)

    async def __aenter__(self) -> PeakMemory:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc) -> None:
        self._task.cancel()
