"""The W3C "Before and After Demonstration" (BAD): does a portal-like inaccessible site lose more accessibility
points with our checks than with axe alone, and does its repaired twin not?

    .venv/bin/python benchmarks/a11y_bad.py [--bad DIR] [--json FILE]

DIR holds the demo's `before/` and `after/` folders (home, news, tickets, survey, template pages): $PORTALSCORE_BAD,
else ../shared/corpora/bad beside the repository. Not part of this repository (W3C's content; read in place).
Each page is served on 127.0.0.1 (requests elsewhere aborted), audited by axe (WCAG + best practice, one run) and
by our checks (heavy included), and weighed as mic-2024's `a11y.violations` criterion weighs a page: Σ impact
weight × failing nodes (capped per rule), then its log-normal curve (10 points per page score 90, 50 score 50).
Printed per page: the points of axe's WCAG violations alone and with our checks, and the criterion's score.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.a11y_bench import serve  # noqa: E402
from benchmarks.loopback import loopback_egress  # noqa: E402
from portalscore.crawler.axe import run_axe  # noqa: E402
from portalscore.crawler.browser import context_options, launch_options  # noqa: E402
from portalscore.crawler.checks import run_checks  # noqa: E402
from portalscore.criteria.metrics import DEFAULT_IMPACT_WEIGHTS, DEFAULT_NODE_CAP  # noqa: E402
from portalscore.criteria.rules import lognormal_score  # noqa: E402

PAGES = ("home", "news", "tickets", "survey", "template")
P10, MEDIAN = 10, 50  # mic-2024's a11y.violations curve


def bad_dir(given: Path | None) -> Path | None:
    for path in (given, os.environ.get("PORTALSCORE_BAD"), ROOT.parent / "shared" / "corpora" / "bad"):
        if path and (Path(path) / "before" / "home.html").is_file():
            return Path(path)
    return None


def points(violations) -> float:
    return sum(
        DEFAULT_IMPACT_WEIGHTS.get(v.impact or "minor", 0) * min(v.node_count, DEFAULT_NODE_CAP) for v in violations
    )


async def audit(root: Path) -> list[dict]:
    from playwright.async_api import async_playwright

    server, base = serve(root)
    out = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**launch_options(loopback_egress()))
            context = await browser.new_context(**context_options("desktop"))
            await context.route(lambda url: not url.startswith(base), lambda route: route.abort())
            for version in ("before", "after"):
                for name in PAGES:
                    page = await context.new_page()
                    await page.goto(f"{base}/{version}/{name}.html", wait_until="load")
                    acc = await run_axe(page)
                    run = await run_checks(page, heavy=True)
                    await page.close()
                    axe_pts, ours = points(acc.violations), run.violations
                    all_pts = axe_pts + points(ours)
                    out.append(
                        {
                            "version": version,
                            "page": name,
                            "axe_points": axe_pts,
                            "all_points": all_pts,
                            "axe_score": round(100 * lognormal_score(axe_pts, P10, MEDIAN), 1),
                            "all_score": round(100 * lognormal_score(all_pts, P10, MEDIAN), 1),
                            "axe_rules": sorted(v.rule for v in acc.violations),
                            "best_practice": sorted(v.rule for v in acc.best_practice),
                            "ours": {v.rule: v.node_count for v in ours},
                            "check_errors": run.errors,
                        }
                    )
            await browser.close()
    finally:
        server.shutdown()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bad", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    root = bad_dir(args.bad)
    if root is None:
        print(
            "W3C BAD pages not found: give --bad DIR (with before/ and after/) or set $PORTALSCORE_BAD", file=sys.stderr
        )
        return 2
    rows = asyncio.run(audit(root))
    print(f"{'page':18} {'axe pts':>8} {'+ours pts':>10} {'score axe':>10} {'score +ours':>12}  our findings")
    for r in rows:
        print(
            f"{r['version'] + '/' + r['page']:18} {r['axe_points']:>8g} {r['all_points']:>10g} {r['axe_score']:>10} "
            f"{r['all_score']:>12}  {', '.join(f'{k} ({n})' for k, n in r['ours'].items()) or '-'}"
            + (f"  errors: {r['check_errors']}" if r["check_errors"] else "")
        )
    for version in ("before", "after"):
        vs = [r for r in rows if r["version"] == version]
        axe_mean = sum(r["axe_points"] for r in vs) / len(vs)
        all_mean = sum(r["all_points"] for r in vs) / len(vs)
        print(
            f"{version}: mean points per page {axe_mean:.1f} (axe) -> {all_mean:.1f} (axe + ours); "
            f"criterion score {100 * lognormal_score(axe_mean, P10, MEDIAN):.1f} -> "
            f"{100 * lognormal_score(all_mean, P10, MEDIAN):.1f}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
