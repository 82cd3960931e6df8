"""Command line: `portalscore run|demo|audit|report|explain|runs`.

The contract (flags, output files, ranking.json shape, exit codes) is relied on by other
tools: extend it, do not change it. Exit codes: 0 done (even when some portals failed:
they are scored as they are and carry their errors), 2 unusable input, 1 internal error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from portalscore.contract import secrets
from portalscore.contract.errors import InputError

from . import credentials
from .cli_ops import add_commands, run_celery, workers_arg

DEFAULT_OUT = "out/report"


def _settings(args: argparse.Namespace, allowed_hosts=None):
    from portalscore.crawler.settings import CrawlSettings

    kwargs = {}
    for name in ("max_pages", "lab_runs", "workers", "contact", "throttle", "audit_per_template"):
        value = getattr(args, name, None)
        if value is not None:
            kwargs[name] = value
    if allowed_hosts is not None:
        kwargs["allowed_hosts"] = allowed_hosts
    elif getattr(args, "allow_host", None):
        kwargs["allowed_hosts"] = list(args.allow_host)
    if getattr(args, "allow_internal", None):
        from portalscore.crawler.netpolicy import NetPolicy

        try:
            NetPolicy.build(allow_internal=args.allow_internal)
        except ValueError as e:
            raise InputError(str(e), field="--allow-internal") from None
        kwargs["allow_internal"] = tuple(args.allow_internal)
    if getattr(args, "full_audit", False):
        kwargs["reuse_audits"] = False
        kwargs["audit_per_template"] = 0
    return CrawlSettings(**kwargs)


def _non_negative(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"not a whole number >= 0: {value!r}")
    return n


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1
    if not 0 < seconds <= 3600:
        raise argparse.ArgumentTypeError(f"not a number of seconds between 0 and 3600: {value!r}")
    return seconds


def _throttle_arg(value: str) -> str:
    """--throttle: a crawler.throttle preset name (argparse turns the error into exit 2)."""
    from portalscore.crawler.throttle import preset

    try:
        return preset(value).name
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _throttle_help(what: str) -> str:
    return (
        f"{what} under a network + CPU throttling preset, so that figures compare across runs "
        "from different networks: slow-4g (Lighthouse's mobile: 150 ms RTT, 1.6/0.75 Mbps, CPU 4x) "
        "or regular-3g (300 ms, 0.7 Mbps, CPU 4x); default: unthrottled"
    )


def _progress(quiet: bool):
    """Progress on stderr: a live block on a terminal, plain lines otherwise, nothing with --quiet."""
    from .progress import make_progress

    return make_progress(sys.stderr, quiet, clean=secrets.redact)


def _evaluate(args, registry, allowed_hosts=None) -> int:
    from portalscore.criteria import load_criteria_set

    from .pipeline import RunOptions, evaluate
    from .storage import Store

    criteria = load_criteria_set(args.criteria)
    opts = RunOptions(
        settings=_settings(args, allowed_hosts),
        scenarios=not args.no_scenarios,
        lang=args.lang,
        journey_budget_s=getattr(args, "journey_budget", 60.0),
    )
    store = Store(args.db)
    try:
        result = evaluate(
            registry, criteria, Path(args.out), store, opts, resume=args.resume, progress=_progress(args.quiet)
        )
    finally:
        store.close()
    index = (result.out_dir / "index.html").resolve()
    print(f"run {result.run_id}: {len(result.scores)} portals ranked with {criteria.id}")
    for s in result.scores[:10]:
        print(f"  {s.rank:>3}. {s.name} — {s.score:.1f} ({s.grade})")
    print(f"report: {index}")
    return 0


def cmd_run(args) -> int:
    from .registry import load_registry

    registry = load_registry(args.registry)
    # Before anything is written: a credential set the registry names must be provided.
    secrets.activate(credentials.resolve(registry, args.secrets))
    if args.workers == "celery":
        return run_celery(args, registry)
    return _evaluate(args, registry)


def cmd_demo(args) -> int:
    from portalscore.samples import SampleFleet

    from .registry import load_registry

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with SampleFleet.start() as fleet:
        registry_file = out / "samples-registry.yaml"
        fleet.write_registry(registry_file)
        registry = load_registry(registry_file)
        print(f"sample portals: {len(fleet.portals)} on 127.0.0.1 (registry: {registry_file})", file=sys.stderr)
        code = _evaluate(args, registry, allowed_hosts=["127.0.0.1", "localhost"])
        posts = fleet.non_get_count()
    if posts:
        print(f"portalscore: error: {posts} non-GET requests reached the sample portals", file=sys.stderr)
        return 1
    return code


def cmd_audit(args) -> int:
    from portalscore.crawler.crawl import audit_url
    from portalscore.crawler.egress import Egress
    from portalscore.crawler.netpolicy import NetPolicy
    from portalscore.crawler.pool import BrowserPool

    settings = _settings(args)

    async def go():
        with Egress(NetPolicy.build((), settings.allow_internal, settings.allowed_hosts)) as egress:
            async with BrowserPool(settings, egress) as pool:
                return await asyncio.gather(*(audit_url(pool, url, settings) for url in args.urls))

    for page in asyncio.run(go()):
        if args.json:
            t = page.timings
            a = page.accessibility
            print(
                json.dumps(
                    {
                        "url": page.url,
                        "status": page.status,
                        "performance": {
                            "ttfb_ms": t.ttfb_ms,
                            "fcp_ms": t.fcp_ms,
                            "lcp_ms": t.lcp_ms,
                            "cls": t.cls,
                            "load_ms": t.load_ms,
                            "transfer_bytes": page.transfer_bytes,
                            "throttle": settings.throttle,
                        },
                        "accessibility": None
                        if a is None
                        else {
                            "engine": a.engine,
                            "violations": [
                                {"rule": v.rule, "impact": v.impact, "wcag": v.wcag, "nodes": v.node_count}
                                for v in a.violations
                            ],
                            "passes": a.passes,
                            "incomplete": a.incomplete,
                        },
                        "error": page.error,
                    },
                    ensure_ascii=False,
                ),
                flush=True,
            )
        else:
            t = page.timings
            nviol = len(page.accessibility.violations) if page.accessibility else "?"
            print(
                f"{page.url}  status {page.status}  LCP {t.lcp_ms} ms  CLS {t.cls}  "
                f"{page.transfer_bytes} bytes  {nviol} axe rules failing"
                + (f"  error: {page.error}" if page.error else "")
                + (f"  (throttled: {settings.throttle})" if settings.throttle else "")
            )
            if args.verbose and page.accessibility:
                for v in page.accessibility.violations:
                    print(
                        f"    {v.impact or '-':>8}  {v.rule}  ({v.node_count} nodes; WCAG {', '.join(v.wcag) or '-'})"
                    )
    return 0


def _run_id(store, value) -> int:
    if value == "latest":
        runs = store.list_runs(1)
        if not runs:
            raise InputError("the database has no runs yet", file=store.url)
        return runs[0]["id"]
    try:
        run_id = int(value)
    except ValueError:
        raise InputError(f"run id must be a number or 'latest', not {value!r}") from None
    if store.run(run_id) is None:
        raise InputError(f"no run {run_id} in the database", file=store.url)
    return run_id


def _criteria_of(run: dict) -> str:
    """The criteria set a run was scored with: the user's file if it still exists, else the bundled name."""
    source = run["settings"].get("criteria_source")
    if source and (Path(source).exists() or "/" not in source):
        return source
    return run["criteria_set"]


def cmd_report(args) -> int:
    from portalscore.criteria import load_criteria_set

    from .pipeline import write_report
    from .storage import Store

    store = Store(args.db)
    try:
        run_id = _run_id(store, args.run)
        criteria = load_criteria_set(args.criteria or _criteria_of(store.run(run_id)))
        out = Path(args.out)
        stored = store.run(run_id)["settings"].get("artefact_dir")
        artefacts = Path(stored) if stored and Path(stored).is_dir() else None
        write_report(store, run_id, criteria, out, lang=args.lang, artefact_dir=artefacts)
    finally:
        store.close()
    print(f"report: {(out / 'index.html').resolve()}")
    return 0


def cmd_explain(args) -> int:
    from portalscore.criteria import load_criteria_set

    from .pipeline import score_run
    from .storage import Store

    store = Store(args.db)
    try:
        run_id = _run_id(store, args.run)
        criteria = load_criteria_set(args.criteria or _criteria_of(store.run(run_id)))
        ranked = store.scores(run_id, criteria.id) or score_run(store, run_id, criteria)
    finally:
        store.close()
    match = [s for s in ranked if s.portal_id == args.portal]
    if not match:
        raise InputError(
            f"portal {args.portal!r} is not in run {run_id} (portals: {', '.join(sorted(s.portal_id for s in ranked))})"
        )
    ps = match[0]
    items = ps.criteria
    if args.criterion:
        items = [c for c in items if c.id == args.criterion]
        if not items:
            raise InputError(
                f"criterion {args.criterion!r} is not in {criteria.id} "
                f"(criteria: {', '.join(c.id for c in ps.criteria)})"
            )
    else:
        print(f"{ps.name} ({ps.portal_id}), run {run_id}, criteria {criteria.id}")
        print(f"  overall {ps.score:.2f}/100, grade {ps.grade}, rank {ps.rank} ({ps.rank_in_kind} among {ps.kind})")
        for g in ps.groups.values():
            print(f"  {g.id}: {g.score:.2f}/100 → {g.points:.2f} of {g.max_points:g} points")
    for c in items:
        score = "—" if c.score is None else f"{c.score:.2f}/100"
        print(f"\n[{c.id}] {c.title_en} / {c.title_vi}  (group {c.group})")
        print(f"  score {score}, {c.points:.2f} of {c.max_points:g} points, status {c.status}")
        print(f"  rule: {c.rule}")
        if c.statistic:
            print(f"  statistic: {c.statistic}")
        print(f"  value: {c.value} {c.unit}".rstrip())
        print(f"  arithmetic: {c.arithmetic}")
        if c.source:
            print(f"  source: {c.source}")
        for ref in c.evidence[: (None if args.criterion else 5)]:
            print(f"  evidence: {ref.label}" + (f"  <{ref.url}>" if ref.url else ""))
    return 0


def cmd_runs(args) -> int:
    from .storage import Store

    store = Store(args.db)
    try:
        for r in store.list_runs(args.limit):
            print(
                f"{r['id']:>5}  {r['status']:<9} {r['started_at']}  {r['registry_name']}  "
                f"{r['criteria_set']}  {len(r['portals'])} portals"
            )
    finally:
        store.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portalscore", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="stderr log lines as human text (default) or JSON objects, one a line "
        "(every run also writes OUT/run.log.jsonl)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common_run(p):
        p.add_argument("--out", default=DEFAULT_OUT, help=f"report folder (default {DEFAULT_OUT})")
        p.add_argument("--max-pages", type=int, help="pages per portal (default 30; a registry entry may say less)")
        p.add_argument("--criteria", default="mic-2024", help="criteria set: a bundled name or a YAML file")
        p.add_argument(
            "--db", help="database URL (default: $PORTALSCORE_DB or ~/.local/share/portalscore/portalscore.db)"
        )
        p.add_argument("--resume", action="store_true", help="continue the last unfinished run of this registry")
        p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the report's top level")
        p.add_argument("--lab-runs", type=int, help="loads per timed page; the median is kept (default 3)")
        p.add_argument(
            "--workers",
            type=workers_arg,
            help="pages in flight at once (default 2), or 'celery' to spread the portals over "
            "`portalscore worker` processes",
        )
        p.add_argument("--broker", help="with --workers celery: Redis URL (default $PORTALSCORE_BROKER)")
        p.add_argument("--contact", help="contact URL put in the crawler's User-Agent")
        p.add_argument(
            "--throttle", type=_throttle_arg, metavar="PRESET", help=_throttle_help("time the lab pass's loads")
        )
        p.add_argument("--no-scenarios", action="store_true", help="skip the citizen journeys")
        p.add_argument(
            "--journey-budget",
            type=_positive_seconds,
            default=60.0,
            metavar="SECONDS",
            help="time each citizen journey may take (default 60); a page that never answers is stopped after it",
        )
        p.add_argument(
            "--allow-internal",
            action="append",
            default=[],
            metavar="ORIGIN_OR_RANGE",
            help="let the crawler contact this internal origin (http://10.0.0.5:8080) or address range "
            "(10.20.0.0/16); by default only the evaluated portals' own origins may be private or loopback",
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
            type=_non_negative,
            metavar="N",
            help="pages of each page template audited by axe, per portal and profile; the template's "
            "other pages get its first audit (default 2; 0: every page)",
        )
        p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")

    p = sub.add_parser("run", help="evaluate every portal of a registry")
    p.add_argument("--registry", required=True, help="registry YAML file, or a bundled name (vn-2025, vn-2023)")
    p.add_argument("--allow-host", action="append", help="only ever contact these hosts (repeatable)")
    p.add_argument(
        "--secrets",
        metavar="FILE",
        help="YAML file of credential sets named by the registry (name: {username, password}); "
        "$PORTALSCORE_SECRET_<NAME>_USERNAME/_PASSWORD win over it",
    )
    common_run(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="evaluate the bundled sample portals, served on 127.0.0.1")
    common_run(p)
    p.set_defaults(func=cmd_demo, out="out/demo")

    p = sub.add_parser("audit", help="evaluate single pages")
    p.add_argument("urls", nargs="+", metavar="URL")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--allow-host", action="append", help="only ever contact these hosts (repeatable)")
    p.add_argument("--contact", help="contact URL put in the crawler's User-Agent")
    p.add_argument("--throttle", type=_throttle_arg, metavar="PRESET", help=_throttle_help("load the pages"))
    p.add_argument(
        "--allow-internal",
        action="append",
        default=[],
        metavar="ORIGIN_OR_RANGE",
        help="let the browser contact this internal origin or address range besides the audited pages' own "
        "origins (repeatable)",
    )
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("report", help="rebuild a report from a stored run, without crawling")
    p.add_argument("--run", required=True, help="run id, or 'latest'")
    p.add_argument("--out", required=True)
    p.add_argument("--criteria", help="re-score with another criteria set (default: the run's)")
    p.add_argument("--db")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("explain", help="print the rule, evidence and arithmetic behind a score")
    p.add_argument("--run", required=True, help="run id, or 'latest'")
    p.add_argument("portal")
    p.add_argument("criterion", nargs="?")
    p.add_argument("--criteria")
    p.add_argument("--db")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("runs", help="list stored runs")
    p.add_argument("--db")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_runs)
    add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .logs import configure

    configure(verbose=args.verbose, fmt=args.log_format)
    secrets.install_redaction()  # logs, tracebacks and errors never show a portal's credentials
    try:
        return args.func(args)
    except InputError as e:
        print(f"portalscore: error: {secrets.redact(str(e))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("portalscore: interrupted; continue with --resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
