"""Options shared by several commands, defined once; and the one place a run's settings are made from them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portalscore.crawler.settings import CrawlSettings
    from portalscore.criteria import CriteriaSet
    from portalscore.runsettings import RunSettings

DEFAULT_OUT = "out/report"
DB_HELP = "database URL (default: $PORTALSCORE_DB or ~/.local/share/portalscore/portalscore.db)"


# -- argument types (argparse turns their errors into exit code 2) ---------------------------------------------


def non_negative(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"not a whole number >= 0: {value!r}")
    return n


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


def positive(value: str) -> int:
    n = workers_arg(value)
    if not isinstance(n, int):
        raise argparse.ArgumentTypeError(f"expected a number, not {value!r}")
    return n


def throttle_arg(value: str) -> str:
    """--throttle: a crawler.throttle preset name."""
    from portalscore.crawler.throttle import preset

    try:
        return preset(value).name
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def allow_internal_arg(value: str) -> str:
    """--allow-internal: an origin or an address range, as the network policy reads it."""
    from portalscore.crawler.netpolicy import NetPolicy

    try:
        NetPolicy.build(allow_internal=[value])
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e).removeprefix(f"--allow-internal {value!r}: ")) from None
    return value.strip()


def _throttle_help(what: str) -> str:
    return (
        f"{what} under a network + CPU throttling preset, so that figures compare across runs "
        "from different networks: slow-4g (Lighthouse's mobile: 150 ms RTT, 1.6/0.75 Mbps, CPU 4x) "
        "or regular-3g (300 ms, 0.7 Mbps, CPU 4x); default: desktop unthrottled, mobile always slow-4g"
    )


# -- option groups --------------------------------------------------------------------------------------------


def add_network_options(p: argparse.ArgumentParser, *, allow_host: bool = True) -> None:
    """Where the crawler may go and how it introduces itself: run, demo, audit, schedule."""
    if allow_host:  # demo: the sample portals' hosts, always
        p.add_argument("--allow-host", action="append", help="only ever contact these hosts (repeatable)")
    p.add_argument(
        "--allow-internal",
        action="append",
        type=allow_internal_arg,
        metavar="ORIGIN_OR_RANGE",
        help="let the crawler contact this internal origin (http://10.0.0.5:8080) or address range "
        "(10.20.0.0/16); by default only the evaluated portals' own origins may be private or loopback",
    )
    p.add_argument("--contact", help="contact URL put in the crawler's User-Agent")


def add_throttle_option(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--throttle", type=throttle_arg, metavar="PRESET", help=_throttle_help(what))


def _seconds(value: str, *, zero: bool, most: float) -> float:
    """A number of seconds up to `most`, 0 allowed or not (argparse turns the error into exit 2)."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1
    if not (0 <= seconds if zero else 0 < seconds) or seconds > most:
        raise argparse.ArgumentTypeError(f"not a number of seconds between 0 and {most:g}: {value!r}")
    return seconds


def positive_seconds(value: str) -> float:
    """A number of seconds, more than 0 and at most an hour."""
    return _seconds(value, zero=False, most=3600)


def wait_seconds(value: str) -> float:
    """A wait in seconds, 0 (none) up to a minute."""
    return _seconds(value, zero=True, most=60)


def _whole(value: str, low: int, high: int) -> int:
    try:
        n = int(value)
    except ValueError:
        n = low - 1
    if not low <= n <= high:
        raise argparse.ArgumentTypeError(f"not a whole number from {low} to {high}: {value!r}")
    return n


def priority_boost(value: str) -> int:
    """How much to raise the timed loads' CPU priority: 0 (not at all) .. 20 (nice -20)."""
    return _whole(value, 0, 20)


def lab_lanes(value: str) -> int:
    """Timed loads at once: 1 .. 8 (more lanes than a machine's cores would time pages against each other)."""
    return _whole(value, 1, 8)


def add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help=DB_HELP)


def add_run_options(p: argparse.ArgumentParser, *, allow_host: bool = True) -> None:
    """Everything that shapes an evaluation run: run, demo and schedule take the same."""
    p.add_argument("--max-pages", type=int, help="pages per portal (default 30; a registry entry may say less)")
    p.add_argument("--criteria", default="mic-2024", help="criteria set: a bundled name or a YAML file")
    add_db_option(p)
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the report's top level")
    p.add_argument("--lab-runs", type=int, help="loads per timed page; the median is kept (default 3)")
    p.add_argument(
        "--lab-early-stop",
        action="store_true",
        help="stop a page's timed loads at a majority of --lab-runs when they agree (faster; narrower ties: "
        "docs/operations.md)",
    )
    p.add_argument(
        "--lab-quiet-wait",
        type=wait_seconds,
        metavar="SECONDS",
        help="before each timed load, wait at most this long for other programs to leave the cores quiet, and time "
        "a load they contended again (default 3; 0: no wait, no re-timing; the machine's load is recorded anyway)",
    )
    p.add_argument(
        "--lab-priority",
        type=priority_boost,
        metavar="N",
        help="run the browser at nice -N while a page is timed, where the system allows it (default 10; 0: not raised)",
    )
    p.add_argument(
        "--throttling-method",
        choices=("devtools", "simulate"),
        help="how throttled lab loads (mobile, or all with --throttle) get their slow network: simulate (default), "
        "computed from a load on the real network with the CPU slowdown applied, as Lighthouse does, or devtools, "
        "emulated while the page loads (2-4x slower; the two are compared in docs/performance.md)",
    )
    p.add_argument(
        "--lab-lanes",
        type=lab_lanes,
        metavar="N",
        help="time up to N pages of a portal at once, with no crawl or axe beside them (default 1; measured "
        "in docs/performance.md, Lab lanes)",
    )
    p.add_argument(
        "--workers",
        type=workers_arg,
        help="pages in flight at once (default 2), or 'celery' to spread the portals over "
        "`portalscore worker` processes",
    )
    p.add_argument("--broker", help="with --workers celery: Redis URL (default $PORTALSCORE_BROKER)")
    add_network_options(p, allow_host=allow_host)
    add_throttle_option(p, "time the lab pass's loads")
    p.add_argument("--no-scenarios", action="store_true", help="skip the citizen journeys")
    p.add_argument(
        "--journey-budget",
        type=positive_seconds,
        default=60.0,
        metavar="SECONDS",
        help="time each citizen journey may take (default 60); a page that never answers is stopped after it",
    )
    p.add_argument(
        "--full-audit",
        action="store_true",
        help="run axe on every page: also on pages of a template already audited twice, and on a "
        "page whose content is unchanged since an earlier complete run of the registry "
        "(default: those get the template's or that run's result, marked as such)",
    )
    p.add_argument(
        "--audit-per-template",
        type=non_negative,
        metavar="N",
        help="pages of each page template audited by axe, per portal and profile; the template's "
        "other pages get its first audit (default 2; 0: every page)",
    )
    add_archive_options(p)
    add_publisher_option(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")


def add_archive_options(p: argparse.ArgumentParser) -> None:
    """The evidence archive (docs/archive.md): every evaluated page as WARC, its DOM and a screenshot."""
    p.add_argument(
        "--no-archive", action="store_true", help="keep no archive of the evaluated pages (WARC, DOM, screenshots)"
    )
    p.add_argument(
        "--archive-dir",
        metavar="DIR",
        help="where the evidence archive is kept (default OUT.operator/archive, beside the report); runs archived "
        "in one folder share unchanged payloads (WARC revisit records)",
    )
    p.add_argument(
        "--archive-keep",
        type=non_negative,
        metavar="N",
        default=0,
        help="after the run, keep the archives of the last N runs and the first run of each month (default 0: all)",
    )
    p.add_argument(
        "--publish-evidence",
        action="store_true",
        help="copy the run's evidence into the published folder (archive/: each portal's WARC files, page "
        "screenshots, journeys' traces) and link each finding to it; by default it stays with the operator",
    )


def add_publisher_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--publisher",
        metavar="FILE",
        help="YAML file naming who publishes the report, a contact, the method's version and date and how to ask "
        "for a re-check (docs/reports.md); without it the report says they were not stated",
    )


def add_secrets_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--secrets",
        metavar="FILE",
        help="YAML file of credential sets named by the registry (name: {username, password}); "
        "$PORTALSCORE_SECRET_<NAME>_USERNAME/_PASSWORD win over it",
    )


# -- settings from options ------------------------------------------------------------------------------------


def crawl_settings(args: argparse.Namespace, allowed_hosts: list[str] | None = None) -> CrawlSettings:
    """The crawler's settings: its defaults, changed only by the options given."""
    from portalscore.crawler.settings import CrawlSettings

    kwargs: dict = {}
    for name in (
        "max_pages",
        "lab_runs",
        "lab_lanes",
        "contact",
        "throttle",
        "throttling_method",
        "audit_per_template",
    ):
        value = getattr(args, name, None)
        if value is not None:
            kwargs[name] = value
    if isinstance(getattr(args, "workers", None), int):  # 'celery' chooses where, not how many pages
        kwargs["workers"] = args.workers
    if allowed_hosts is not None:
        kwargs["allowed_hosts"] = allowed_hosts
    elif getattr(args, "allow_host", None):
        kwargs["allowed_hosts"] = list(args.allow_host)
    if getattr(args, "allow_internal", None):
        kwargs["allow_internal"] = tuple(args.allow_internal)
    if getattr(args, "no_archive", False):
        kwargs["archive"] = False
    if getattr(args, "lab_early_stop", False):
        kwargs["lab_early_stop"] = True
    if getattr(args, "lab_quiet_wait", None) is not None:
        kwargs["lab_quiet_wait_s"] = args.lab_quiet_wait
    if getattr(args, "lab_priority", None) is not None:
        kwargs["lab_nice"] = -args.lab_priority
    if getattr(args, "full_audit", False):
        kwargs["reuse_audits"] = False
        kwargs["audit_per_template"] = 0
    return CrawlSettings(**kwargs)


def _publisher_file(args: argparse.Namespace) -> str:
    """--publisher, checked now (a bad file stops the run before anything is written), as an absolute path."""
    path = getattr(args, "publisher", None)
    if not path:
        return ""
    from portalscore.reports import load_publisher

    load_publisher(path)
    return str(Path(path).resolve())


def run_settings(
    args: argparse.Namespace, criteria: CriteriaSet, allowed_hosts: list[str] | None = None
) -> RunSettings:
    """A run's settings, made once from the command line (the output folder adds where artefacts go)."""
    from portalscore.run import criteria_source
    from portalscore.runsettings import RunSettings

    return RunSettings(
        crawl=crawl_settings(args, allowed_hosts),
        scenarios=not args.no_scenarios,
        journey_budget_s=args.journey_budget,
        publisher_file=_publisher_file(args),
        archive_dir=str(Path(args.archive_dir).resolve()) if getattr(args, "archive_dir", None) else "",
        archive_keep=getattr(args, "archive_keep", 0) or 0,
        publish_evidence=bool(getattr(args, "publish_evidence", False)),
        lang=args.lang,
        criteria_source=criteria_source(criteria),
        executor="celery" if args.workers == "celery" else "local",
    )
