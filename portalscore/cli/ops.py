"""Commands for operations: `portalscore schedule` (runs on a cron schedule) and `portalscore worker` (Celery)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from portalscore.contract import secrets

from .common import database_url, evaluate_and_print, executor_for, open_store
from .options import add_run_options, add_secrets_option, positive, run_settings


def cmd_schedule(args: argparse.Namespace) -> int:
    from portalscore import credentials
    from portalscore.criteria import load_criteria_set
    from portalscore.registry import load_registry
    from portalscore.schedule import Publisher, parse_cron, run_forever

    trigger = parse_cron(args.cron, args.timezone)
    # Check everything now: a typo must fail at start-up, not at two in the morning.
    registry = load_registry(args.registry)
    credentials.resolve(registry, args.secrets)  # a credential set that is not provided fails now, not at night
    executor = executor_for(run_settings(args, load_criteria_set(args.criteria)), args)

    with open_store(args.db) as store:

        def produce(folder: Path) -> None:
            # Re-read the inputs at each run, so edits to the registry or criteria apply from the next night.
            reg = load_registry(args.registry)
            secrets.activate(credentials.resolve(reg, args.secrets))
            criteria = load_criteria_set(args.criteria)
            evaluate_and_print(args, reg, criteria, folder, store, run_settings(args, criteria), executor)

        run_forever(
            trigger,
            Publisher(Path(args.out_root), store, registry.name, keep=args.keep),
            produce,
            say=lambda line: print(line, file=sys.stderr, flush=True),
        )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from portalscore.run.distributed import broker_url, start_worker

    start_worker(
        broker_url(args.broker),
        database_url(args.db),
        name=args.name,
        concurrency=args.concurrency,
        loglevel="DEBUG" if args.verbose else "INFO",
    )
    return 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("schedule", help="evaluate a registry on a cron schedule (a long-running process)")
    p.add_argument("--registry", required=True, help="registry YAML file, or a bundled name")
    p.add_argument(
        "--cron",
        required=True,
        help='when to run, in cron syntax: "0 2 * * *" is 02:00 every day (6 fields: seconds first)',
    )
    p.add_argument("--timezone", help="time zone of the cron times (default: the machine's), e.g. Asia/Ho_Chi_Minh")
    p.add_argument(
        "--out-root", required=True, help="reports go to OUT_ROOT/<UTC time>/; OUT_ROOT/latest is the newest"
    )
    p.add_argument("--keep", type=positive, help="keep only the newest N reports (default: all)")
    add_secrets_option(p)
    add_run_options(p)  # every option of `run` but --out (OUT_ROOT/<time>) and --resume (each firing is a new run)
    p.set_defaults(func=cmd_schedule)

    p = sub.add_parser("worker", help="take evaluation work from the Celery broker (run on any number of machines)")
    p.add_argument("--broker", help="Redis URL (default $PORTALSCORE_BROKER)")
    p.add_argument("--db", help="the coordinator's PostgreSQL database (default $PORTALSCORE_DB)")
    p.add_argument("--name", help="worker name (default portalscore-<pid>@<host>)")
    p.add_argument(
        "--concurrency",
        type=positive,
        default=1,
        help="tasks at once (default 1: each runs its own browser; add machines rather than this)",
    )
    p.set_defaults(func=cmd_worker)
