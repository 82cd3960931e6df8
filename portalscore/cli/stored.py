"""Commands on stored runs, without crawling: `report`, `explain`, `runs`, `diff`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portalscore.contract.errors import InputError

from .common import open_store, run_id_of, stored_run
from .options import add_db_option, add_publisher_option

if TYPE_CHECKING:
    from portalscore.store import RunRecord


def criteria_of(run: RunRecord) -> str:
    """The criteria set a run was scored with: the user's file if it still exists, else the bundled name."""
    source = run.settings.criteria_source
    if source and (Path(source).exists() or "/" not in source):
        return source
    return run.criteria_set


def cmd_report(args: argparse.Namespace) -> int:
    from portalscore.criteria import load_criteria_set
    from portalscore.reports import load_publisher
    from portalscore.run import write_report

    out = Path(args.out)
    publisher = load_publisher(args.publisher) if args.publisher else None
    with open_store(args.db) as store:
        run = stored_run(store, args.run)
        criteria = load_criteria_set(args.criteria or criteria_of(run))
        stored = run.settings.artefact_dir
        artefacts = Path(stored) if stored and Path(stored).is_dir() else None
        write_report(
            store,
            run.id,
            criteria,
            out,
            lang=args.lang,
            artefact_dir=artefacts,
            publisher=publisher,
            publish_evidence=args.publish_evidence or None,
        )
    print(f"report: {(out / 'index.html').resolve()}")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from portalscore.criteria import load_criteria_set
    from portalscore.run import scores_of

    with open_store(args.db) as store:
        run = stored_run(store, args.run)
        criteria = load_criteria_set(args.criteria or criteria_of(run))
        ranked = scores_of(store, run.id, criteria)
    match = [s for s in ranked if s.portal_id == args.portal]
    if not match:
        raise InputError(
            f"portal {args.portal!r} is not in run {run.id} (portals: {', '.join(sorted(s.portal_id for s in ranked))})"
        )
    ps = match[0]
    if args.json:  # the same facts as the text below, for programs: reports/exports.explain_dict
        from portalscore.reports.exports import explain_dict

        print(json.dumps(explain_dict(ps, args.criterion), ensure_ascii=False, indent=2))
        return 0
    items = ps.criteria
    if args.criterion:
        items = [c for c in items if c.id == args.criterion]
        if not items:
            raise InputError(
                f"criterion {args.criterion!r} is not in {criteria.id} "
                f"(criteria: {', '.join(c.id for c in ps.criteria)})"
            )
    else:
        print(f"{ps.name} ({ps.portal_id}), run {run.id}, criteria {criteria.id}")
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


def cmd_runs(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        for r in store.list_runs(args.limit):
            print(
                f"{r.id:>5}  {r.status:<9} {r.started_at}  {r.registry_name}  "
                f"{r.criteria_set}  {len(r.portals)} portals"
            )
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from portalscore.history import diff_runs, format_text

    with open_store(args.db) as store:
        ids = [run_id_of(store, value) for value in (args.run_a, args.run_b)]
        diff = diff_runs(store, ids[0], ids[1], args.criteria)
    if args.json:
        print(json.dumps(diff.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_text(diff))
    return 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("report", help="rebuild a report from a stored run, without crawling")
    p.add_argument("--run", required=True, help="run id, or 'latest'")
    p.add_argument("--out", required=True)
    p.add_argument("--criteria", help="re-score with another criteria set (default: the run's)")
    add_db_option(p)
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    add_publisher_option(p)
    p.add_argument(
        "--publish-evidence",
        action="store_true",
        help="publish the run's evidence archive with the report (archive/), as the run's own option does; "
        "default: as the run was started",
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("explain", help="print the rule, evidence and arithmetic behind a score")
    p.add_argument("--run", required=True, help="run id, or 'latest'")
    p.add_argument("portal")
    p.add_argument("criterion", nargs="?")
    p.add_argument("--criteria")
    p.add_argument("--json", action="store_true", help="one JSON document (the same facts, for programs)")
    add_db_option(p)
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("runs", help="list stored runs")
    add_db_option(p)
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("diff", help="ranking and score changes between two stored runs")
    p.add_argument("run_a", help="the earlier run id (or 'latest')")
    p.add_argument("run_b", help="the later run id (or 'latest')")
    p.add_argument("--criteria", help="compare with this criteria set (default: run B's)")
    add_db_option(p)
    p.add_argument("--json", action="store_true", help="one JSON document instead of a table")
    p.set_defaults(func=cmd_diff)
