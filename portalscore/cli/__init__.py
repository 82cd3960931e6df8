"""Command line: `portalscore run|demo|check|audit|report|explain|runs|diff|schedule|worker|registry check|replay|prune|evidence`.

The contract (flags, output files, ranking.json shape, exit codes) is relied on by other
tools: extend it, do not change it. Exit codes: 0 done (even when some portals failed:
they are scored as they are and carry their errors), 2 unusable input, 1 internal error; `check` and
`audit --fail-on` exit 1 for a broken budget or a failing page, 2 for a site or page that could not be evaluated.

One module per command group (run.py: run, demo; audit.py; stored.py: report, explain, runs, diff;
ops.py: schedule, worker; registries.py: registry check; evidence.py: replay, prune, evidence export); options shared by several commands are defined once in options.py, and
the store is opened in one place (common.open_store).
"""

from __future__ import annotations

import argparse
import sys

from portalscore.contract import secrets
from portalscore.contract.errors import InputError

from . import audit, check, evidence, ops, registries, run, stored


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portalscore", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="stderr log lines as human text (default) or JSON objects, one a line "
        "(every run also writes OUT.operator/run.log.jsonl, beside the published OUT)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (run, check, audit, stored, ops, registries, evidence):
        group.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from portalscore.logs import configure

    configure(verbose=args.verbose, fmt=args.log_format)
    secrets.install_redaction()  # logs, tracebacks and errors never show a portal's credentials
    try:
        code: int = args.func(args)
        return code
    except InputError as e:
        print(f"portalscore: error: {secrets.redact(str(e))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("portalscore: interrupted; continue with --resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
