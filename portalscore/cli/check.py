"""`portalscore check URL [--budget budget.yml] [--baseline RESULT.json]`: a quality gate for a portal team's CI.

Exit codes: 0 every budget line met, 1 a budget line broken, 2 unusable input (URL, budget, baseline) or a site
that could not be evaluated — never 0 for a site no page of which could be loaded.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from portalscore.contract import secrets
from portalscore.contract.errors import InputError

from .common import open_store, progress
from .options import add_run_options, add_secrets_option, run_settings

DEFAULT_OUT = "out/check"


def cmd_check(args: argparse.Namespace) -> int:
    from portalscore import credentials
    from portalscore.criteria import load_criteria_set
    from portalscore.gate.check import load_inputs, run_check, site_portal
    from portalscore.gate.noise import DEFAULT_LAB_RUNS
    from portalscore.gate.outputs import junit_xml, markdown, result_json
    from portalscore.registry import Registry
    from portalscore.reports import operator_dir

    portal = site_portal(args.url, args.credentials, args.include, args.exclude)
    criteria = load_criteria_set(args.criteria)
    budget, baseline = load_inputs(criteria, args.budget, args.baseline)
    if args.credentials:  # before anything is written: the named credential set must be provided
        secrets.activate(credentials.resolve(Registry("check", "", [portal]), args.secrets))
    if args.lab_runs is None:  # timings judged on a median of several loads (gate/noise.py)
        args.lab_runs = DEFAULT_LAB_RUNS
    if args.workers == "celery":
        raise InputError("check runs in this process: --workers celery is for national runs", field="--workers")
    settings = run_settings(args, criteria)
    # The gate judges timings by the spread of all its loads (gate/noise.py): no early stop of the repeats.
    settings = dataclasses.replace(settings, crawl=dataclasses.replace(settings.crawl, lab_early_stop=False))
    out = Path(args.out)
    db = args.db or f"sqlite:///{(operator_dir(out) / 'check.db').resolve()}"
    operator_dir(out).mkdir(parents=True, exist_ok=True)
    with open_store(db) as store:
        done = run_check(portal, criteria, budget, baseline, out, store, settings, progress(args.quiet))
    result, ev = done.result, done.evidence
    outputs = {
        args.junit or out / "check-junit.xml": junit_xml(result, ev),
        args.json or out / "check-result.json": result_json(result, ev),
        args.markdown or out / "check-summary.md": markdown(result),
    }
    for path, text in outputs.items():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
    _print(result)
    for path in outputs:
        print(f"  {Path(path)}")
    return result.exit_code


def _print(result: Any) -> None:
    s = result.score
    if not result.evaluable:
        print(f"check {result.url}: could not be evaluated: {result.why_not}", file=sys.stderr)
    status = {0: "budget met", 1: "budget broken", 2: "site could not be evaluated"}[result.exit_code]
    print(
        f"check {result.url}: {status}: score {s.score:.1f} ({s.grade}), {len(result.broken)} of "
        f"{len(result.lines)} budget lines broken"
    )
    for line in result.broken:
        print(f"  BROKEN {line.id}: {line.detail}" + (f" [{line.page}]" if line.page else ""))
    print(f"report: {result.report}")


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("check", help="evaluate one site as the national run does and judge it by a budget (CI gate)")
    p.add_argument("url", metavar="URL", help="the site's start page (e.g. a preview deployment)")
    p.add_argument(
        "--budget", metavar="FILE", help="budget YAML (docs/ci.md); without it only the site's reachability is gated"
    )
    p.add_argument(
        "--baseline",
        metavar="RESULT.json",
        help="an earlier check's JSON result: scores may not "
        "fall by more than the budget's baseline.max_drop, timings not beyond their measured spread",
    )
    p.add_argument("--out", default=DEFAULT_OUT, help=f"report folder (default {DEFAULT_OUT})")
    p.add_argument("--junit", metavar="FILE", help="JUnit XML (default OUT/check-junit.xml)")
    p.add_argument("--json", metavar="FILE", help="JSON result (default OUT/check-result.json)")
    p.add_argument("--markdown", metavar="FILE", help="Markdown summary (default OUT/check-summary.md)")
    p.add_argument(
        "--credentials",
        metavar="NAME",
        help="a test account for a site behind a login, by name "
        "($PORTALSCORE_SECRET_<NAME>_USERNAME/_PASSWORD or --secrets FILE)",
    )
    p.add_argument("--include", action="append", metavar="REGEX", help="crawl only URLs matching (repeatable)")
    p.add_argument("--exclude", action="append", metavar="REGEX", help="never crawl URLs matching (repeatable)")
    add_secrets_option(p)
    add_run_options(p)
    p.set_defaults(func=cmd_check)
