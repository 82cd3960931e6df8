"""`portalscore schedule`: evaluation runs on a cron schedule, in one long-running process.

Each firing makes one run and publishes its report to OUT_ROOT/<UTC start time>/, then points
OUT_ROOT/latest at it. Never two overlapping runs of the same registry:
  - within the process, APScheduler's max_instances=1 skips a firing while the last run goes on;
  - across processes and machines, the run holds the registry's lock in the database
    (Store.registry_lock: a PostgreSQL advisory lock, or a lock file beside a SQLite file).
`latest` moves only once a report is complete, with one rename (os.replace of a new symlink),
so a reader (a web server publishing OUT_ROOT/latest) always sees a whole report, never a
half-written or missing one. (A report is written in its final folder, not renamed after, because
the run stores where its screenshots are.) A failed run's folder is renamed <time>.failed.
Every firing appends a line to OUT_ROOT/schedule.log (JSON): started, finished, outcome.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from portalscore.contract.errors import InputError

from .store import Store, now_precise

log = logging.getLogger("portalscore.schedule")

LATEST = "latest"
LOG_FILE = "schedule.log"
_RUN_DIR = re.compile(r"^\d{8}T\d{6}Z(-\d+)?(\.failed)?$")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _cron_days(field: str) -> str:
    """Cron's day-of-week numbers (0 or 7 = Sunday) as names: APScheduler counts 0 = Monday."""
    out: list[str] = []
    for token in field.split(","):
        base, _, step = token.partition("/")
        if (base == "*" and not step) or not re.fullmatch(r"[\d*-]+", base):
            out.append(token)  # '*' and names ('mon-fri') mean the same to both
            continue
        lo, _, hi = ("0-6" if base == "*" else base).partition("-")
        days = range(int(lo), int(hi or lo) + 1, int(step or 1))
        if not days or days[-1] > 7:
            raise ValueError(f"day of week {token!r} is not within 0-7")
        out.extend(_DAYS[d] for d in days)
    return ",".join(dict.fromkeys(out))


def parse_cron(expr: str, tz: str | None = None) -> CronTrigger:
    """Standard 5-field cron (minute hour day month weekday), or 6 fields with seconds first."""
    fields = expr.split()
    if tz is not None:
        try:
            ZoneInfo(tz)
        except (ValueError, LookupError):
            raise InputError(
                f"{tz!r} is not a known time zone (e.g. Asia/Ho_Chi_Minh, UTC)", field="--timezone"
            ) from None
    try:
        if len(fields) == 5:
            minute, hour, day, month, dow = fields
            second = "0"
        elif len(fields) == 6:
            second, minute, hour, day, month, dow = fields
        else:
            raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
        return CronTrigger(
            second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=_cron_days(dow), timezone=tz
        )
    except ValueError as e:
        raise InputError(f"{expr!r} is not a usable cron expression: {e}", field="--cron") from None


@dataclass
class Outcome:
    status: str  # published | skipped | failed
    folder: Path | None = None
    detail: str = ""


class Publisher:
    """Makes one run at a time per registry and publishes its report under out_root."""

    def __init__(self, out_root: Path, store: Store, registry_name: str, keep: int | None = None):
        self.out_root = Path(out_root)
        self.store = store
        self.registry_name = registry_name
        self.keep = keep
        self.out_root.mkdir(parents=True, exist_ok=True)

    def publish(self, produce: Callable[[Path], None]) -> Outcome:
        """Run `produce(folder)` (which writes a report into folder) unless a run of the registry is going on."""
        started = now_precise()
        with self.store.registry_lock(self.registry_name) as acquired:
            if not acquired:
                outcome = Outcome("skipped", detail=f"a run of {self.registry_name} is still going on")
                log.warning("schedule: %s", outcome.detail)
                self._log(started, outcome)
                return outcome
            name = self._folder_name()
            folder = self.out_root / name
            try:
                produce(folder)
                if not (folder / "index.html").is_file():
                    raise RuntimeError(f"the run wrote no report in {folder}")
                self._point_latest(name)
                self._prune()
                outcome = Outcome("published", folder)
            except Exception as e:  # the schedule must outlive one bad night
                log.exception("schedule: run failed")
                failed = None
                if folder.exists():  # kept for diagnosis, under a name `latest` never points to
                    failed = folder.rename(folder.with_name(f"{name}.failed"))
                outcome = Outcome("failed", failed, detail=f"{type(e).__name__}: {e}")
            self._log(started, outcome)
            return outcome

    def _folder_name(self) -> str:
        base = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        name, n = base, 1
        while (self.out_root / name).exists():
            n += 1
            name = f"{base}-{n}"
        return name

    def _point_latest(self, name: str) -> None:
        tmp = self.out_root / f".{LATEST}.{os.getpid()}.{threading.get_ident()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(name)  # relative: the folder can be moved or served from elsewhere
        os.replace(tmp, self.out_root / LATEST)  # one rename: readers see the old or the new, never none

    def _prune(self) -> None:
        if not self.keep:
            return
        current = os.readlink(self.out_root / LATEST)
        runs = sorted(p for p in self.out_root.iterdir() if _RUN_DIR.match(p.name) and not p.is_symlink())
        for old in runs[: -self.keep]:
            if old.name != current:  # never the report `latest` shows, even after failed nights
                shutil.rmtree(old, ignore_errors=True)

    def _log(self, started: str, outcome: Outcome) -> None:
        line = {
            "registry": self.registry_name,
            "started": started,
            "finished": now_precise(),
            "pid": os.getpid(),
            "outcome": outcome.status,
            "folder": outcome.folder.name if outcome.folder else None,
            "detail": outcome.detail,
        }
        with open(self.out_root / LOG_FILE, "a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


def add_job(scheduler, trigger: CronTrigger, publisher: Publisher, produce: Callable[[Path], None]) -> None:
    scheduler.add_job(
        publisher.publish,
        trigger,
        args=[produce],
        id=f"run-{publisher.registry_name}",
        max_instances=1,  # a firing while the last run goes on is skipped (and logged)
        coalesce=True,  # firings missed while busy make one run, not a burst
        misfire_grace_time=3600,
    )


def background(trigger: CronTrigger, publisher: Publisher, produce: Callable[[Path], None]) -> BackgroundScheduler:
    """A started scheduler in a thread of this process (for embedding and tests); .shutdown() stops it."""
    scheduler = BackgroundScheduler(timezone=trigger.timezone)
    add_job(scheduler, trigger, publisher, produce)
    scheduler.start()
    return scheduler


def run_forever(
    trigger: CronTrigger,
    publisher: Publisher,
    produce: Callable[[Path], None],
    say: Callable[[str], None] = lambda line: None,
) -> None:
    """Block, running `produce` on each firing, until SIGTERM or Ctrl-C; a run in progress is finished first."""
    scheduler = BlockingScheduler(timezone=trigger.timezone)
    add_job(scheduler, trigger, publisher, produce)

    def stop(_signum, _frame):
        say("schedule: stopping (a run in progress is finished first)")
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    next_fire = trigger.get_next_fire_time(None, datetime.now(trigger.timezone))
    say(
        f"schedule: {publisher.registry_name} on {trigger}, next run {next_fire.isoformat()}; "
        f"reports in {publisher.out_root}/{LATEST}"
    )
    try:
        scheduler.start()
    except KeyboardInterrupt:
        print("schedule: interrupted", file=sys.stderr)
