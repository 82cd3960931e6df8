"""A quiet machine for timed loads: wait until other programs leave the CPU alone, and say how busy it was.

Why: the lab pass keeps our own work away from a timed load (`PageJob.exclusive`), but not other programs on the
machine. Their CPU use slows a load's scripts and paints, and under the mobile profile's 4x CPU throttling the
slowdown is multiplied, so the same page scored a few points apart from run to run on a busy machine
(docs/performance.md, "What drives the spread"). Lighthouse's answer is the same: run on a quiet machine, and
report how fast it was (its benchmarkIndex); ours is to wait for quiet (bounded), re-time a load that was
contended anyway (bounded, crawler/lab.py), and store how busy the machine was with every load (`MachineLoad`).

Waiting helps when other programs come and go; on a machine that stays busy (a shared CI box, a worker beside other
services) it times out every time. So the lab also raises its own process tree's CPU priority for the length of each
timed load (`raised_priority`, nice -10 by default: the kernel's scheduler then gives our browser about nine times
the CPU weight of a program at nice 0 when both want a core). That needs the right to raise a priority
(CAP_SYS_NICE, or root); without it the load is timed at normal priority and `MachineLoad.nice` says so (None).

"Other programs" = everything but our own process tree: the machine's busy CPU time (/proc/stat, via psutil)
minus the CPU time of this process and all its descendants (the Playwright driver, Chromium and its renderers;
the sample portals' server threads are in this process). A descendant's time includes its reaped children's, so
a renderer that exits between two readings is still counted as ours (by its parent's children_* times).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import psutil

from portalscore.contract.evidence import MachineLoad


@dataclass(frozen=True)
class QuietSettings:
    busy: float = 0.25  # others' share of all cores (0-1) under which the machine counts as quiet
    window_s: float = 0.5  # ... for this long, just before the load
    max_wait_s: float = 5.0  # then time anyway (and say so): a busy machine must not stall a run for ever
    poll_s: float = 0.1


BUSY_STREAK = 3  # waits in a row that ended on a busy machine: it is busy for good (another worker, a CI job)


@dataclass
class QuietWaits:
    """The waits of one lab pass: after BUSY_STREAK waits in a row ended busy, each wait looks at one window only
    (still recorded), until one ends quiet again; a machine that stays busy must not add the full wait to every
    load (the raised priority is what protects those loads)."""

    settings: QuietSettings
    busy_in_row: int = 0

    async def wait(self, meter: CpuMeter) -> MachineLoad:
        s = self.settings
        if self.busy_in_row >= BUSY_STREAK:
            s = dataclasses.replace(s, max_wait_s=s.window_s)
        load = await wait_for_quiet(meter, s)
        self.busy_in_row = 0 if load.quiet else self.busy_in_row + 1
        return load


@dataclass(frozen=True)
class Reading:
    at: float  # time.monotonic()
    machine_s: float  # busy CPU seconds of the whole machine, all cores
    ours_s: float  # CPU seconds of our process tree


def _tree_cpu(root: psutil.Process) -> float:
    total = 0.0
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    for p in procs:
        try:
            t = p.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue  # gone between listing and reading: its time is now in its parent's children_* times
        total += t.user + t.system + t.children_user + t.children_system
    return total


class CpuMeter:
    """Other programs' share of the machine's CPU between two readings."""

    def __init__(self, pid: int | None = None) -> None:
        self._root = psutil.Process(pid or os.getpid())
        self.cores = psutil.cpu_count() or 1

    def read(self) -> Reading:
        t = psutil.cpu_times()
        # Busy = everything but idle and waiting for I/O (a core waiting on the disk is free to compute).
        busy = sum(t) - t.idle - getattr(t, "iowait", 0.0)
        return Reading(time.monotonic(), busy, _tree_cpu(self._root))

    def others(self, since: Reading, now: Reading | None = None) -> float:
        """Others' share (0-1) of all cores between `since` and `now` (a reading taken now if None)."""
        now = now or self.read()
        wall = (now.at - since.at) * self.cores
        if wall <= 0:
            return 0.0
        others = (now.machine_s - since.machine_s) - (now.ours_s - since.ours_s)
        return min(1.0, max(0.0, others / wall))


async def wait_for_quiet(meter: CpuMeter, settings: QuietSettings) -> MachineLoad:
    """Wait until others used less than `settings.busy` of the machine over the last `window_s`, at most
    `max_wait_s`. The answer says how long it waited, how busy the last window was and whether it was quiet."""
    started = time.monotonic()
    readings: deque[Reading] = deque([await asyncio.to_thread(meter.read)])
    busy = 1.0
    while True:
        await asyncio.sleep(settings.poll_s)
        now = await asyncio.to_thread(meter.read)
        readings.append(now)
        while len(readings) > 2 and now.at - readings[1].at >= settings.window_s:
            readings.popleft()  # keep the oldest reading that still spans a whole window
        if now.at - readings[0].at >= settings.window_s:
            busy = meter.others(readings[0], now)
            if busy < settings.busy:
                return MachineLoad(waited_s=round(now.at - started, 2), busy_before=round(busy, 3), quiet=True)
        if now.at - started >= settings.max_wait_s:
            if now.at - readings[0].at > 0:
                busy = meter.others(readings[0], now)
            return MachineLoad(waited_s=round(now.at - started, 2), busy_before=round(busy, 3), quiet=False)


def _tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _threads(procs: list[psutil.Process]) -> list[int]:
    tids = []
    for p in procs:
        try:
            tids += [t.id for t in p.threads()]
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            continue
    return tids


def _set_nice(tids: list[int], nice: int) -> dict[int, int] | None:
    """Every thread at `nice` at most (Linux keeps a nice per thread: Chromium's compositor and raster threads are
    not its main thread, and Chromium runs some threads at -8 itself, which stay if lower). Answers every thread's
    old value by thread id, or None (and nothing changed) when we may not raise a priority."""
    old: dict[int, int] = {}
    for tid in tids:
        try:
            old[tid] = os.getpriority(os.PRIO_PROCESS, tid)
            if old[tid] > nice:
                os.setpriority(os.PRIO_PROCESS, tid, nice)
        except ProcessLookupError:
            continue  # the thread ended
        except PermissionError:
            _restore(old, list(old), nice)
            return None
    return old


def _restore(old: dict[int, int], tids: list[int], nice: int, default: int = 0) -> int:
    """Threads we raised back to their own priority, and threads started during the block (which inherited ours)
    to the process's default; a thread that changed its own priority meanwhile is left as it is. Answers how many
    threads it set back."""
    changed = 0
    for tid in tids:
        try:
            if os.getpriority(os.PRIO_PROCESS, tid) != nice:
                continue
            if tid not in old:
                os.setpriority(os.PRIO_PROCESS, tid, default)
                changed += 1
            elif old[tid] > nice:
                os.setpriority(os.PRIO_PROCESS, tid, old[tid])
                changed += 1
        except (ProcessLookupError, PermissionError):
            continue
    return changed


# A thread or process started while we raise (or restore) inherits its parent's nice of that moment, and a renderer
# starting up makes threads faster than one look: look again until a look finds nothing to change (a look is a few
# ms; the bound keeps a process that spawns for ever from holding us).
PASSES = 25


def _raise_tree(root: psutil.Process, nice: int, default: int) -> dict[int, int] | None:
    """The whole tree raised, in up to PASSES looks (see there). A thread first seen after the first look at the
    raised nice got it from us: its own is the process's default, where the restore puts it back."""
    old: dict[int, int] = {}
    for look in range(PASSES):
        new = [tid for tid in _threads(_tree(root)) if tid not in old]
        if not new:
            break
        got = _set_nice(new, nice)
        if got is None:
            _restore(old, list(old), nice, default)
            return None
        old |= {tid: default if look and was == nice else was for tid, was in got.items()}
    return old


def _restore_tree(old: dict[int, int], root: psutil.Process, nice: int, default: int) -> None:
    for _ in range(PASSES):
        if not _restore(old, _threads(_tree(root)), nice, default):
            return


@asynccontextmanager
async def raised_priority(nice: int, pid: int | None = None) -> AsyncIterator[int | None]:
    """Our process tree (this process, Playwright's driver, Chromium and its zygotes, so also every renderer
    forked during the block) at `nice` for the block; yields the nice applied, or None when it could not be raised
    (no right to; nothing changed) or was not asked for (nice 0)."""
    root = psutil.Process(pid or os.getpid())
    if nice >= 0:
        yield None
        return
    default = root.nice()
    old = await asyncio.to_thread(_raise_tree, root, nice, default)
    try:
        yield None if old is None else nice
    finally:
        if old is not None:
            await asyncio.to_thread(_restore_tree, old, root, nice, default)


class SharedRaise:
    """`raised_priority` for timed loads that overlap (the lab's lanes): the first one in raises our tree, the last
    one out restores it; one lane's end must not lower the priority of a load still being timed."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._users = 0
        self._held: AsyncExitStack | None = None
        self._nice: int | None = None

    @asynccontextmanager
    async def hold(self, nice: int) -> AsyncIterator[int | None]:
        async with self._lock:
            if self._users == 0:
                self._held = AsyncExitStack()
                self._nice = await self._held.enter_async_context(raised_priority(nice))
            self._users += 1
        try:
            yield self._nice
        finally:
            async with self._lock:
                self._users -= 1
                if self._users == 0 and self._held is not None:
                    held, self._held = self._held, None
                    await held.aclose()
