"""Command line for operations: `portalscore diff|schedule|worker`, and `run --workers celery`.

Wired into portalscore.cli by `add_commands(sub)` and, in `cmd_run`, by `run_celery(args, registry)`
when `args.workers == "celery"` (the `--workers` flag takes `workers_arg`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from portalscore.contract import secrets

from . import credentials


def workers_arg(value: str) -> int | str:
    """--workers: pages in flight at once (a number), or 'celery' to spread the run over Celery workers."""
    if value == "celery":
        return value
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'celery', not {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def _local_args(args: argparse.Namespace) -> argparse.Namespace:
    """The run options with --workers celery taken out: it chooses where collection runs, not how many pages."""
    local = argparse.Namespace(**vars(args))
    if local.workers == "celery":
        local.workers = None
    return local


def _run_options(args: argparse.Namespace, allowed_hosts=None):
    from .cli import _settings
    from .pipeline import RunOptions

    return RunOptions(
        settings=_settings(_local_args(args), allowed_hosts), scenarios=not args.no_scenarios, lang=args.lang
    )


def _print_result(result, criteria_id: str) -> None:
    print(f"run {result.run_id}: {len(result.scores)} portals ranked with {criteria_id}")
    for s in result.scores[:10]:
        print(f"  {s.rank:>3}. {s.name} — {s.score:.1f} ({s.grade})")
    print(f"report: {(result.out_dir / 'index.html').resolve()}")


def run_celery(args: argparse.Namespace, registry) -> int:
    """`portalscore run --workers celery`: the run's evidence is collected by `portalscore worker` processes."""
    from portalscore.criteria import load_criteria_set

    from .cli import _progress
    from .distributed import broker_url, require_shared_database, run_distributed
    from .storage import Store, default_db_url

    broker = broker_url(getattr(args, "broker", None))
    require_shared_database(args.db or default_db_url())
    criteria = load_criteria_set(args.criteria)
    store = Store(args.db)
    try:
        result = run_distributed(
            registry,
            criteria,
            Path(args.out),
            store,
            _run_options(args),
            broker,
            resume=args.resume,
            progress=_progress(args.quiet),
        )
    finally:
        store.close()
    _print_result(result, criteria.id)
    return 0


def cmd_diff(args) -> int:
    from .history import diff_runs, format_text
    from .storage import Store

    store = Store(args.db)
    try:
        ids = [_run_id(store, value) for value in (args.run_a, args.run_b)]
        diff = diff_runs(store, ids[0], ids[1], args.criteria)
    finally:
        store.close()
    if args.json:
        print(json.dumps(diff.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_text(diff))
    return 0


def _run_id(store, value: str) -> int:
    from .cli import _run_id as parse

    return parse(store, value)


def cmd_schedule(args) -> int:
    from portalscore.criteria import load_criteria_set

    from .cli import _progress
    from .pipeline import evaluate
    from .registry import load_registry
    from .schedule import Publisher, parse_cron, run_forever
    from .storage import Store

    trigger = parse_cron(args.cron, args.timezone)
    # Check everything now: a typo must fail at start-up, not at two in the morning.
    registry = load_registry(args.registry)
    credentials.resolve(registry, args.secrets)  # a credential set that is not provided fails now, not at night
    load_criteria_set(args.criteria)
    celery = args.workers == "celery"
    if celery:
        from .distributed import broker_url, require_shared_database, run_distributed
        from .storage import default_db_url

        broker = broker_url(args.broker)
        require_shared_database(args.db or default_db_url())
    store = Store(args.db)

    def produce(folder: Path) -> None:
        # Re-read the inputs at each run, so edits to the registry or criteria apply from the next night.
        reg = load_registry(args.registry)
        secrets.activate(credentials.resolve(reg, args.secrets))
        criteria = load_criteria_set(args.criteria)
        opts = _run_options(args)
        if celery:
            result = run_distributed(reg, criteria, folder, store, opts, broker, progress=_progress(args.quiet))
        else:
            result = evaluate(reg, criteria, folder, store, opts, progress=_progress(args.quiet))
        _print_result(result, criteria.id)

    try:
        run_forever(
            trigger,
            Publisher(Path(args.out_root), store, registry.name, keep=args.keep),
            produce,
            say=lambda line: print(line, file=sys.stderr, flush=True),
        )
    finally:
        store.close()
    return 0


def cmd_worker(args) -> int:
    from .distributed import broker_url, start_worker
    from .storage import default_db_url

    start_worker(
        broker_url(args.broker),
        args.db or default_db_url(),
        name=args.name,
        concurrency=args.concurrency,
        loglevel="DEBUG" if args.verbose else "INFO",
    )
    return 0


def _positive(value: str) -> int:
    n = workers_arg(value)
    if not isinstance(n, int):
        raise argparse.ArgumentTypeError(f"expected a number, not {value!r}")
    return n


def add_commands(sub) -> None:
    p = sub.add_parser("diff", help="ranking and score changes between two stored runs")
    p.add_argument("run_a", help="the earlier run id (or 'latest')")
    p.add_argument("run_b", help="the later run id (or 'latest')")
    p.add_argument("--criteria", help="compare with this criteria set (default: run B's)")
    p.add_argument("--db")
    p.add_argument("--json", action="store_true", help="one JSON document instead of a table")
    p.set_defaults(func=cmd_diff)

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
    p.add_argument("--keep", type=_positive, help="keep only the newest N reports (default: all)")
    p.add_argument("--criteria", default="mic-2024", help="criteria set: a bundled name or a YAML file")
    p.add_argument("--db", help="database URL (default: $PORTALSCORE_DB or ~/.local/share/portalscore/portalscore.db)")
    p.add_argument("--max-pages", type=int, help="pages per portal (default 30; a registry entry may say less)")
    p.add_argument("--lab-runs", type=int, help="loads per timed page; the median is kept (default 3)")
    p.add_argument("--workers", type=workers_arg, help="pages in flight at once (default 2), or 'celery'")
    p.add_argument("--broker", help="with --workers celery: Redis URL (default $PORTALSCORE_BROKER)")
    p.add_argument("--contact", help="contact URL put in the crawler's User-Agent")
    p.add_argument("--allow-host", action="append", help="only ever contact these hosts (repeatable)")
    p.add_argument("--secrets", metavar="FILE", help="credential sets named by the registry (as for `run`)")
    p.add_argument("--no-scenarios", action="store_true", help="skip the citizen journeys")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the report's top level")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=cmd_schedule)

    p = sub.add_parser("worker", help="take evaluation work from the Celery broker (run on any number of machines)")
    p.add_argument("--broker", help="Redis URL (default $PORTALSCORE_BROKER)")
    p.add_argument("--db", help="the coordinator's PostgreSQL database (default $PORTALSCORE_DB)")
    p.add_argument("--name", help="worker name (default portalscore-<pid>@<host>)")
    p.add_argument(
        "--concurrency",
        type=_positive,
        default=1,
        help="tasks at once (default 1: each runs its own browser; add machines rather than this)",
    )
    p.set_defaults(func=cmd_worker)
