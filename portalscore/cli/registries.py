"""`portalscore registry check REGISTRY [--update]`: does each address still lead to its portal?"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from .options import allow_internal_arg, positive_seconds


def cmd_registry_check(args: argparse.Namespace) -> int:
    from portalscore.registry import BUNDLED_DIR, load_registry
    from portalscore.registrycheck import check_registry, to_text, update_file, write_report

    registry = load_registry(args.registry)  # InputError (exit 2) names file, line and field
    check = asyncio.run(check_registry(registry, allow_internal=args.allow_internal, timeout_s=args.timeout))
    print(to_text(check), end="")
    out = Path(args.out or f"registry-check-{registry.name}")
    text, data = write_report(check, out)
    print(f"report: {text} and {data}")
    if args.update:
        if Path(registry.file).resolve().is_relative_to(BUNDLED_DIR.resolve()) and not args.bundled:
            print("not updated: this is a bundled registry (add --bundled to update the project's copy)")
            return 0
        updated, skipped = update_file(check)
        print(f"updated url_confirmed/url_checked of {len(updated)} entries in {registry.file}")
        for pid, why in skipped.items():
            print(f"not updated: {pid}: {why}")
    return 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("registry", help="work on a registry of portals")
    rsub = p.add_subparsers(dest="registry_command", required=True)
    c = rsub.add_parser(
        "check",
        help="check every address: DNS, TLS, redirects and final host, HTTP status, whether it looks like a "
        "public-service portal",
    )
    c.add_argument("registry", metavar="REGISTRY", help="a registry YAML file, or a bundled one's name (vn-2025)")
    c.add_argument(
        "--update",
        action="store_true",
        help="write url_confirmed and url_checked (today's date) into the registry file for the entries the "
        "check concluded on; comments and layout are kept",
    )
    c.add_argument("--bundled", action="store_true", help="with --update: allow updating a bundled registry")
    c.add_argument("--out", help="folder for registry-check.txt and .json (default: registry-check-NAME)")
    c.add_argument("--timeout", type=positive_seconds, default=20.0, help="seconds per address (default 20)")
    c.add_argument(
        "--allow-internal",
        action="append",
        type=allow_internal_arg,
        metavar="ORIGIN_OR_RANGE",
        help="let the check contact this internal origin or address range (the registry's own origins always may)",
    )
    c.set_defaults(func=cmd_registry_check)
