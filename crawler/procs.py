"""Our Chromium's processes, seen from outside: found by the marker on its command line, its renderers stopped when a
page's script never yields (a hard deadline the page cannot ignore) or when one outgrows its memory allowance.

Why from outside: a renderer stuck in `while(true){}` answers no DevTools call that needs its main thread, and the
sync Playwright API of a journey thread cannot be reached from another thread. The operating system can always stop
a process; the browser then reports the page as crashed, and whoever waited on it gets an error at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil

log = logging.getLogger("portalscore.crawler")

MB = 1024 * 1024


def find_browser(marker: str, timeout_s: float = 5.0) -> psutil.Process | None:
    """The browser process started with `marker` among its arguments (crawler.browser.instance_of)."""
    deadline = time.monotonic() + timeout_s
    while True:
        for proc in psutil.process_iter(["cmdline"]):
            try:
                cmdline = proc.info["cmdline"] or []
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            if marker in cmdline and not any(a.startswith("--type=") for a in cmdline):
                return proc
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)


def renderers(browser: psutil.Process) -> list[psutil.Process]:
    """The browser's renderer processes (one per site and browser context; never the browser, GPU or network)."""
    out = []
    try:
        children = browser.children(recursive=True)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []
    for child in children:
        try:
            if "--type=renderer" in child.cmdline():
                out.append(child)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return out


def busiest_share(procs: list[psutil.Process], window_s: float) -> float:
    """The largest share of one core any of these processes used over the next `window_s` seconds."""

    def cpu() -> dict[int, float]:
        out = {}
        for proc in procs:
            try:
                t = proc.cpu_times()
                out[proc.pid] = t.user + t.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return out

    before = cpu()
    time.sleep(window_s)
    after = cpu()
    return max((after[pid] - before[pid] for pid in after if pid in before), default=0.0) / window_s


def kill(proc: psutil.Process) -> bool:
    try:
        proc.kill()
        return True
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def kill_renderers(browser: psutil.Process) -> int:
    """Stop every renderer of this browser (a journey's browser runs one journey at a time); how many were stopped."""
    return sum(kill(r) for r in renderers(browser))


def rss(proc: psutil.Process) -> int:
    try:
        return int(proc.memory_info().rss)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0


@dataclass(frozen=True)
class MemoryKill:
    pid: int
    rss_mb: int
    reason: str
    at: float  # time.monotonic()


@dataclass
class MemoryGuard:
    """Every `interval_s`, the browser's renderers are measured; one above `renderer_mb`, or the largest while all
    of them together are above `total_mb`, is stopped and recorded (the page it served is named for it).
    RSS counts memory renderers share more than once, so the sum errs on the safe side."""

    browser: psutil.Process
    renderer_mb: int = 1000
    total_mb: int = 1800
    interval_s: float = 1.0
    kills: list[MemoryKill] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> MemoryGuard:
        # A thread, not a task of the crawl's event loop: it must run while the loop is busy or blocked.
        self._thread = threading.Thread(target=self._run, name="portalscore-memory-guard", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def check(self) -> MemoryKill | None:
        sizes = sorted(((rss(r), r) for r in renderers(self.browser)), key=lambda x: -x[0])
        if not sizes:
            return None
        biggest, proc = sizes[0]
        total = sum(size for size, _ in sizes)
        if biggest > self.renderer_mb * MB:
            reason = f"a page used {biggest // MB} MB (limit {self.renderer_mb} MB per page)"
        elif total > self.total_mb * MB:
            reason = (
                f"the pages in flight used {total // MB} MB together (limit {self.total_mb} MB); the largest stopped"
            )
        else:
            return None
        if not kill(proc):
            return None
        record = MemoryKill(pid=proc.pid, rss_mb=biggest // MB, reason=reason, at=time.monotonic())
        self.kills.append(record)
        log.warning(
            "renderer %d stopped: %s", proc.pid, reason, extra={"event": "renderer_stopped", "rss_mb": biggest // MB}
        )
        return record

    def explain(self, since: float) -> MemoryKill | None:
        """The renderer stopped for memory since `since`, if any: why a page that crashed then crashed."""
        recent = [k for k in self.kills if k.at >= since]
        return recent[-1] if recent else None

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.check()
            except Exception:  # measuring is best effort; a vanished process is no error
                log.debug("memory guard check failed", exc_info=True)


@dataclass
class Watchdog:
    """A deadline held from outside: if `disarm()` is not called within `seconds`, `on_expiry` runs (in a thread)."""

    seconds: float
    on_expiry: Callable[[], None]
    fired: bool = False
    _timer: threading.Timer | None = None

    def __enter__(self) -> Watchdog:
        self._timer = threading.Timer(self.seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def _fire(self) -> None:
        self.fired = True
        try:
            self.on_expiry()
        except Exception:
            log.warning("watchdog action failed", exc_info=True)

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def __exit__(self, *exc: object) -> None:
        self.disarm()
