"""Our own checks against the W3C ACT Rules test cases of the rules they implement: an outside corpus, written
by others, for the checks that have one (the a11y corpus of benchmarks/a11y_bench.py was written with them).

    .venv/bin/python benchmarks/a11y_act.py [--json FILE]

Each case of a mapped ACT rule (MAPPING) is loaded in our Chromium (requests outside 127.0.0.1 aborted; such
a case is excluded) and our mapped checks run on it (crawler.checks.run_checks, heavy included). Our checks
do not decide applicability, so a case comes out `failed` (a mapped check found something) or `passed`.
Detection: failed cases we fail. False positive: we fail a case that expects passed or inapplicable. These
figures are apart from `make act` (axe-core's agreement), which they do not change.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.act_conformance import INDEX_FILE, CorpusServer, _is_external, absent_message, corpus_dir  # noqa: E402
from benchmarks.loopback import loopback_egress  # noqa: E402
from portalscore.crawler.browser import context_options, launch_options  # noqa: E402
from portalscore.crawler.checks import run_checks  # noqa: E402

# ACT rule -> our checks that decide it (same success criterion, same failure).
MAPPING = {
    "oj04fd": ["ps-focus-visible", "ps-focus-hidden"],  # Element in sequential focus order has visible focus (2.4.7)
    "80af7b": ["ps-keyboard-trap"],  # Focusable element has no keyboard trap (2.1.2)
    "a1b64e": ["ps-keyboard-trap"],  # ... via standard navigation
    "59br37": ["ps-resize-text"],  # Zoomed text node is not clipped with CSS overflow (1.4.4)
    "fd3a94": ["ps-link-same-text"],  # Links with identical names and same context serve equivalent purpose (2.4.4)
    "5effbb": ["ps-link-purpose"],  # Link in context is descriptive (2.4.4)
}
PAGE_TIMEOUT_MS = 20_000


def cases(corpus: Path) -> list[dict]:
    entries = json.loads((corpus / INDEX_FILE).read_text(encoding="utf-8"))["testcases"]
    return [e for e in entries if e["ruleId"] in MAPPING]


async def run(corpus: Path) -> list[dict]:
    from playwright.async_api import async_playwright

    out = []
    with CorpusServer(corpus) as server:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**launch_options(loopback_egress()))
            context = await browser.new_context(**context_options("desktop"))
            for e in cases(corpus):
                r = {
                    "rule": e["ruleId"],
                    "approved": e["approved"],
                    "title": e["testcaseTitle"],
                    "expected": e["expected"],
                }
                external: list[str] = []
                page = await context.new_page()

                async def abort(route, external=external) -> None:
                    external.append(route.request.url)
                    await route.abort()

                try:
                    await page.route(_is_external, abort)
                    await page.goto(server.base_url + e["path"], wait_until="load", timeout=PAGE_TIMEOUT_MS)
                    got = await run_checks(page, heavy=True, only=MAPPING[e["ruleId"]])
                    r["fired"] = sorted({v.rule for v in got.violations})
                    r["errors"] = got.errors
                    r["outcome"] = "failed" if got.violations else ("error" if got.errors else "passed")
                except Exception as exc:
                    r["outcome"], r["errors"] = "error", {"harness": f"{type(exc).__name__}: {str(exc)[:200]}"}
                finally:
                    await page.close()
                r["external"] = bool(external)
                out.append(r)
            await browser.close()
    return out


def report(results: list[dict]) -> dict:
    counted = [r for r in results if not r["external"]]
    by_rule: dict[str, dict] = defaultdict(
        lambda: {"failed_cases": 0, "detected": 0, "clean_cases": 0, "false_positives": [], "errors": 0}
    )
    for r in counted:
        b = by_rule[r["rule"]]
        b["approved"] = b.get("approved", False) or r["approved"]  # the index marks some cases of a rule only
        if r["outcome"] == "error":
            b["errors"] += 1
        elif r["expected"] == "failed":
            b["failed_cases"] += 1
            b["detected"] += r["outcome"] == "failed"
        else:
            b["clean_cases"] += 1
            if r["outcome"] == "failed":
                b["false_positives"].append(f"{r['title']} ({r['expected']})")
    return dict(by_rule)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    corpus = corpus_dir()
    if corpus is None:
        print(absent_message(), file=sys.stderr)
        return 2
    results = asyncio.run(run(corpus))
    summary = report(results)
    print(f"{'ACT rule':9} {'approved':9} {'our checks':34} {'failed cases found':>20} {'false positives':>17}")
    for rule, b in summary.items():
        print(
            f"{rule:9} {'yes' if b['approved'] else 'no':9} {', '.join(MAPPING[rule]):34} "
            f"{b['detected']:>9}/{b['failed_cases']:<10} {len(b['false_positives']):>7}/{b['clean_cases']:<9}"
            + (f" errors {b['errors']}" if b["errors"] else "")
        )
        for fp in b["false_positives"]:
            print(f"{'':20}false positive: {fp}")
    excluded = sum(r["external"] for r in results)
    print(f"{len(results)} cases, {excluded} excluded (they ask for hosts other than 127.0.0.1)")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "cases": results}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
