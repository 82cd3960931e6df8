"""Structured logs: every run writes OUT/run.log.jsonl, one JSON object per event.

Fields of each object: ts (UTC, ISO 8601 with milliseconds), level, logger, event (a short
name such as "page", "retry", "portal_crawled"; null for free-text messages), message, and
when known run_id, portal and url, plus the event's own fields given with `extra=` (status,
error, profile, depth, attempt, wait_s...) and `exc` for an exception's traceback.

run_id and portal are also taken from the context (`bind`), so a log call deep in the crawler
(a retry in load.py) carries the portal it was made for without passing it down.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

try:  # URLs and errors can carry a portal's credentials: mask them as every other output does
    from portalscore.contract.secrets import redact as _redact_text
    from portalscore.contract.secrets import scrub as _scrub
except ImportError:  # pragma: no cover

    def _redact_text(text: str) -> str:
        return text

    def _scrub(value):
        return value


RUN_LOG = "run.log.jsonl"
CONTEXT_FIELDS = ("run_id", "portal", "url")

_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar("portalscore_log_context", default=None)

# Attributes every LogRecord has: anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


@contextlib.contextmanager
def bind(**fields) -> Iterator[None]:
    """Fields added to every record logged in this context (this task or thread and what it starts)."""
    token = _context.set({**(_context.get() or {}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def _redact(value):
    return _redact_text(value) if isinstance(value, str) else _scrub(value)


def tag(**fields) -> None:
    """Add fields to the context for the rest of this asyncio task (each task has its own copy)."""
    _context.set({**(_context.get() or {}), **fields})


class JsonFormatter(logging.Formatter):
    def __init__(self, defaults: dict | None = None):
        super().__init__()
        self.defaults = defaults if defaults is not None else {}

    def format(self, record: logging.LogRecord) -> str:
        obj: dict = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", None),
            "message": record.getMessage(),
        }
        context = {**self.defaults, **(_context.get() or {})}
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is None:
                value = context.get(name)
            if value is not None:
                obj[name] = value
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in obj and name != "event":
                obj[name] = value
        if record.exc_info:
            obj["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps({k: _redact(v) for k, v in obj.items()}, ensure_ascii=False, default=str)


def configure(verbose: bool = False, fmt: str = "text") -> None:
    """The command line's logging: stderr shows warnings (with -v, everything from INFO), as human text
    or as JSON lines; portalscore's own loggers pass INFO on, for the run log file."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.INFO if verbose else logging.WARNING)
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("portalscore").setLevel(logging.INFO)


class RunLog:
    """The JSON-lines log of one run, in its output folder (appended to on --resume)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.formatter = JsonFormatter({})
        self.handler = logging.FileHandler(self.path, mode="a", encoding="utf-8", delay=True)
        self.handler.setLevel(logging.INFO)
        self.handler.setFormatter(self.formatter)
        self._logger = logging.getLogger("portalscore")
        self._level = self._logger.level

    @property
    def run_id(self) -> int | None:
        return self.formatter.defaults.get("run_id")

    @run_id.setter
    def run_id(self, value: int) -> None:
        self.formatter.defaults["run_id"] = value

    def __enter__(self) -> RunLog:
        self._logger.addHandler(self.handler)
        if self._logger.getEffectiveLevel() > logging.INFO:  # library use without configure(): still log the run
            self._logger.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc) -> None:
        self._logger.removeHandler(self.handler)
        self._logger.setLevel(self._level)
        self.handler.close()
