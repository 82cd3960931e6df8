"""`portalscore run` (a registry) and `portalscore demo` (the bundled sample portals, served on 127.0.0.1)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portalscore.contract import secrets

from .common import evaluate_and_print, executor_for, open_store
from .options import DEFAULT_OUT, add_run_options, add_secrets_option, run_settings

if TYPE_CHECKING:
    from portalscore.registry import Registry


def evaluate_registry(args: argparse.Namespace, registry: Registry, allowed_hosts: list[str] | None = None) -> int:
    from portalscore.criteria import load_criteria_set

    criteria = load_criteria_set(args.criteria)
    settings = run_settings(args, criteria, allowed_hosts)
    executor = executor_for(settings, args)
    with open_store(args.db) as store:
        evaluate_and_print(args, registry, criteria, Path(args.out), store, settings, executor, resume=args.resume)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from portalscore import credentials
    from portalscore.registry import load_registry

    registry = load_registry(args.registry)
    # Before anything is written: a credential set the registry names must be provided.
    secrets.activate(credentials.resolve(registry, args.secrets))
    return evaluate_registry(args, registry)


def cmd_demo(args: argparse.Namespace) -> int:
    from portalscore.registry import load_registry
    from portalscore.reports import operator_dir
    from portalscore.samples import SampleFleet

    operator = operator_dir(Path(args.out))  # the demo's registry is operator material, not part of the report
    operator.mkdir(parents=True, exist_ok=True)
    with SampleFleet.start() as fleet:
        registry_file = operator / "samples-registry.yaml"
        fleet.write_registry(registry_file)
        registry = load_registry(registry_file)
        print(f"sample portals: {len(fleet.portals)} on 127.0.0.1 (registry: {registry_file})", file=sys.stderr)
        code = evaluate_registry(args, registry, allowed_hosts=["127.0.0.1", "localhost"])
        posts = fleet.non_get_count()
    if posts:
        print(f"portalscore: error: {posts} non-GET requests reached the sample portals", file=sys.stderr)
        return 1
    return code


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("run", help="evaluate every portal of a registry")
    p.add_argument("--registry", required=True, help="registry YAML file, or a bundled name (vn-2025, vn-2023)")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"report folder (default {DEFAULT_OUT})")
    p.add_argument("--resume", action="store_true", help="continue the last unfinished run of this registry")
    add_secrets_option(p)
    add_run_options(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="evaluate the bundled sample portals, served on 127.0.0.1")
    p.add_argument("--out", default="out/demo", help="report folder (default out/demo)")
    p.add_argument("--resume", action="store_true", help="continue the last unfinished run of the sample portals")
    add_run_options(p, allow_host=False)
    p.set_defaults(func=cmd_demo)
