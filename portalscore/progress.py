"""What a run shows while it works: plain lines, or on a terminal a live block redrawn in place.

`Progress` is the sink the pipeline reports to: `say(line)` for events, and for each portal's
phase (crawl, lab, journeys) `begin`, `update` (pages done / queued / errors, from the
crawler's frontier) and `end` with a one-line summary. The base class keeps the state and
prints only the event lines, so it is what non-terminals (CI, cron, pipes, a Celery worker's
log) get. `LiveProgress` adds, on a terminal, a block at the bottom redrawn at most
REDRAWS_PER_S times a second: one line per portal in flight with pages, errors, elapsed time
and ETA, and an overall line. A finished phase collapses into its summary line, printed above
the block where it stays.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TextIO

REDRAWS_PER_S = 4


# -- estimates (pure) ---------------------------------------------------------------------------------------------


def remaining_pages(done: int, queued: int | None, max_pages: int | None) -> int | None:
    """Pages still to load: what the frontier holds, never more than the page cap leaves."""
    budget = None if max_pages is None else max(0, max_pages - done)
    if queued is None:
        return budget
    return max(0, queued) if budget is None else min(max(0, queued), budget)


def eta_s(done: float, remaining: float | None, elapsed_s: float) -> float | None:
    """Seconds left at the rate so far (done units in elapsed_s); None until there is a rate."""
    if remaining is None:
        return None
    if remaining <= 0:
        return 0.0
    if done <= 0 or elapsed_s <= 0:
        return None
    return remaining * elapsed_s / done


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


# -- state --------------------------------------------------------------------------------------------------------


@dataclass
class Activity:
    """One portal in one phase."""

    portal: str
    phase: str
    started: float
    max_pages: int | None = None
    done: int = 0
    queued: int | None = None
    errors: int = 0
    finished: float | None = None

    def remaining(self) -> int | None:
        return remaining_pages(self.done, self.queued, self.max_pages)

    def eta(self, now: float) -> float | None:
        if self.max_pages is None:  # lab and journeys report no page counts
            return None
        return eta_s(self.done, self.remaining(), now - self.started)


@dataclass
class Phase:
    name: str
    portals: int
    started: float


def overall_eta(phase: Phase, activities: list[Activity], now: float) -> float | None:
    """ETA of a whole phase. Crawl: pages left over all its portals at the pages-per-second of the
    phase so far (a portal not reporting yet counts its whole page cap). Others: portals left at
    the portals-per-second so far."""
    mine = [a for a in activities if a.phase == phase.name]
    elapsed = now - phase.started
    if phase.name == "crawl":
        done = sum(a.done for a in mine)
        left = [a.remaining() if a.finished is None else 0 for a in mine]
        known = [x for x in left if x is not None]
        if len(known) < len(left):
            return None
        cap = max((a.max_pages or 0) for a in mine) if mine else 0
        unstarted = max(0, phase.portals - len(mine)) * cap
        return eta_s(done, sum(known) + unstarted, elapsed)
    finished = sum(a.finished is not None for a in mine)
    return eta_s(finished, phase.portals - finished, elapsed)


class Progress:
    """Per-portal progress; prints event lines to `emit` (nothing when it is None)."""

    def __init__(self, emit: Callable[[str], None] | None = None):
        self.emit = emit or (lambda line: None)
        self.pages: dict[str, int] = {}
        self._lock = threading.RLock()
        self._t0 = time.monotonic()
        self.activities: dict[tuple[str, str], Activity] = {}
        self.phase_info: Phase | None = None

    def page(self, portal_id: str) -> None:
        with self._lock:
            self.pages[portal_id] = self.pages.get(portal_id, 0) + 1

    def say(self, line: str) -> None:
        self.emit(self._stamp(line))

    def _stamp(self, line: str) -> str:
        return f"[{time.monotonic() - self._t0:6.1f}s] {line}"

    # Portal phases. Never raise: a display problem must not cost a portal its evidence.

    def phase(self, name: str, portals: int) -> None:
        """A phase starts over this many portals (for the overall line)."""
        with self._lock:
            self.phase_info = Phase(name, portals, time.monotonic())

    def begin(self, portal_id: str, phase: str, max_pages: int | None = None) -> None:
        with self._lock:
            self.activities[(portal_id, phase)] = Activity(portal_id, phase, time.monotonic(), max_pages)

    def update(self, portal_id: str, done: int, queued: int, errors: int, phase: str = "crawl") -> None:
        """The crawler's frontier hook: pages done, pages queued (capped by the page cap), errors so far."""
        with self._lock:
            a = self.activities.get((portal_id, phase))
            if a is None:
                a = self.activities[(portal_id, phase)] = Activity(portal_id, phase, time.monotonic())
            a.done, a.queued, a.errors = done, queued, errors

    def end(self, portal_id: str, phase: str, summary: str) -> None:
        """The portal's phase is over: its live line collapses into `summary`."""
        with self._lock:
            a = self.activities.get((portal_id, phase))
            if a is not None:
                a.finished = time.monotonic()
        self.say(summary)

    def in_flight(self) -> list[Activity]:
        with self._lock:
            return [a for a in self.activities.values() if a.finished is None]

    def close(self) -> None:
        """The run is over (or interrupted): stop any display."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# -- the live display ---------------------------------------------------------------------------------------------

ERASE_BELOW = "\x1b[J"
_ERRORS = re.compile(r"\b[1-9]\d* errors\b")


def _up(n: int) -> str:
    return f"\r\x1b[{n}A" if n else "\r"


class LiveProgress(Progress):
    """Progress on a terminal: event lines scroll above a live block redrawn in place."""

    def __init__(self, stream: TextIO, color: bool = True, clean: Callable[[str], str] | None = None):
        super().__init__(self._print_above)
        self.stream = stream
        self.color = color
        self.clean = clean or (lambda line: line)
        self._shown = 0  # lines of the block now on screen
        self._last = ""
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._out_lock = threading.Lock()
        self._handlers: list[tuple[logging.StreamHandler, TextIO]] = []
        self._registered = False

    # The block.

    def render(self, now: float | None = None) -> list[str]:
        now = time.monotonic() if now is None else now
        with self._lock:
            flying = [a for a in self.activities.values() if a.finished is None]
            everything = list(self.activities.values())
            phase = self.phase_info
        if not flying and phase is None:
            return []
        width, height = shutil.get_terminal_size((100, 24))
        room = max(1, height - 4)
        # Portals that are loading pages first, then the ones still waiting for their first page.
        flying.sort(key=lambda a: (a.done == 0, a.started, a.portal))
        lines = [self._line(a, now) for a in flying[:room]]
        if len(flying) > room:
            lines.append(f"  ... and {len(flying) - room} more in flight")
        if phase is not None:
            lines.append(self._overall(phase, everything, now))
        # Cut to the width (a wrapped line would throw the redraw off), then colour the error counts.
        lines = [line[: max(10, width - 1)] for line in lines]
        if self.color:
            lines = [_ERRORS.sub(lambda m: f"\x1b[31m{m.group(0)}\x1b[0m", line) for line in lines]
        return lines

    def _line(self, a: Activity, now: float) -> str:
        elapsed = format_duration(now - a.started)
        if a.max_pages is None and a.queued is None:
            return f"  {a.phase:<8} {a.portal:<24} {'working':>30}  {elapsed:>7}"
        queued = "?" if a.queued is None else str(a.remaining())
        return (
            f"  {a.phase:<8} {a.portal:<24} pages {a.done:>4} done / {queued:>4} queued  {a.errors} errors  "
            f"{elapsed:>7}  ETA {format_duration(a.eta(now))}"
        )

    def _overall(self, phase: Phase, everything: list[Activity], now: float) -> str:
        mine = [a for a in everything if a.phase == phase.name]
        finished = sum(a.finished is not None for a in mine)
        pages = f", {sum(a.done for a in mine)} pages" if phase.name == "crawl" else ""
        return (
            f"  {phase.name}: {finished}/{phase.portals} portals done{pages}, "
            f"{format_duration(now - phase.started)} elapsed, ETA {format_duration(overall_eta(phase, mine, now))}"
        )

    # Output: every write goes through here, so that the block is erased and redrawn around it.

    def _write(self, above: str | None, force: bool = False) -> None:
        lines = [] if self._stop.is_set() else self.render()
        block = "".join(line + "\n" for line in lines)
        with self._out_lock:
            if above is None and not force and block == self._last:
                return
            text = _up(self._shown) + ERASE_BELOW + (above or "") + block
            try:
                self.stream.write(text)
                self.stream.flush()
            except (OSError, ValueError):  # the terminal went away: nothing more to show
                self._stop.set()
                return
            self._shown, self._last = len(lines), block

    def _print_above(self, line: str) -> None:
        self._start()
        line = self.clean(line)
        self._write(line if line.endswith("\n") else line + "\n")

    def _run(self) -> None:
        while not self._stop.wait(1 / REDRAWS_PER_S):
            self._write(None)

    def _start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._route_logging()
        self._thread = threading.Thread(target=self._run, name="progress-display", daemon=True)
        self._thread.start()
        if not self._registered:
            atexit.register(self.close)  # a run that ends without close() still leaves a clean terminal
            self._registered = True

    def begin(self, portal_id: str, phase: str, max_pages: int | None = None) -> None:
        super().begin(portal_id, phase, max_pages)
        self._start()

    def phase(self, name: str, portals: int) -> None:
        super().phase(name, portals)
        self._start()

    def close(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        self._write(None, force=True)  # erase the block: its portals' summaries are printed above it
        with self._lock:
            self.phase_info = None
        self._unroute_logging()

    # Log records written to the same terminal would land in the middle of the block: send them above it.

    def _route_logging(self) -> None:
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and getattr(handler, "stream", None) is self.stream:
                handler.setStream(_Above(self))  # file-like enough for a handler
                self._handlers.append((handler, self.stream))

    def _unroute_logging(self) -> None:
        for handler, stream in self._handlers:
            handler.setStream(stream)
        self._handlers.clear()


class _Above:
    """A file-like object that prints above the live block."""

    def __init__(self, progress: LiveProgress):
        self.progress = progress
        self._buffer = ""

    def write(self, text: str) -> int:
        self._buffer += text
        if "\n" in self._buffer:
            whole, _, self._buffer = self._buffer.rpartition("\n")
            self.progress._write(whole + "\n")
        return len(text)

    def flush(self) -> None:
        pass


# -- choosing one -------------------------------------------------------------------------------------------------


def is_live_terminal(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    """A terminal that understands cursor movement: not a pipe or file, not TERM=dumb."""
    env = os.environ if env is None else env
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and env.get("TERM", "") != "dumb"


def make_progress(
    stream: TextIO,
    quiet: bool = False,
    env: Mapping[str, str] | None = None,
    clean: Callable[[str], str] | None = None,
) -> Progress:
    """Nothing with quiet; the live block on a terminal; else one plain line per event (no ANSI codes).
    `clean` is applied to every event line before it is shown (secrets masking)."""
    env = os.environ if env is None else env
    clean = clean or (lambda line: line)
    if quiet:
        return Progress()
    if is_live_terminal(stream, env):
        return LiveProgress(stream, color=not env.get("NO_COLOR"), clean=clean)
    return Progress(lambda line: print(clean(line), file=stream, flush=True))
