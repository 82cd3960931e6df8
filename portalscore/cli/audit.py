"""`portalscore audit URL...`: single pages, measured and audited as the crawl would, printed (or one JSON line each).

Exit codes: 0 every page evaluated (and, with --fail-on, none failing at that impact), 1 a violation at the
--fail-on impact or worse, 2 a URL that could not be loaded (not http(s), unreachable, an error status)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from .options import add_network_options, add_throttle_option, crawl_settings

IMPACTS = ("critical", "serious", "moderate", "minor")  # most severe first


def not_loaded(page: Any) -> bool:
    """A page that could not be evaluated: an error, no answer, or an error status instead of the page."""
    return page.error is not None or page.status is None or page.status >= 400


def fails_on(page: Any, threshold: str | None) -> list[str]:
    """The page's failing rules of impact `threshold` or worse (axe's and our checks')."""
    if threshold is None or page.accessibility is None:
        return []
    worst = IMPACTS[: IMPACTS.index(threshold) + 1]
    return [v.rule for v in page.accessibility.violations if v.impact in worst]


def exit_code(pages: list[Any], threshold: str | None) -> int:
    """2 when a URL could not be loaded (never 0 for a page that was not evaluated), 1 when --fail-on finds a
    violation at or above its impact, else 0."""
    if any(not_loaded(p) for p in pages):
        return 2
    return 1 if any(fails_on(p, threshold) for p in pages) else 0


def cmd_audit(args: argparse.Namespace) -> int:
    from portalscore.crawler.crawl import audit_url
    from portalscore.crawler.egress import Egress
    from portalscore.crawler.netpolicy import NetPolicy
    from portalscore.crawler.pool import BrowserPool

    settings = crawl_settings(args)
    # The pages named on the command line may be internal (audit_url lets each one's origin through); nothing else.
    policy = NetPolicy.build((), settings.allow_internal, settings.allowed_hosts)

    async def go() -> list[Any]:
        with Egress(policy) as egress:
            async with BrowserPool(settings, egress) as pool:
                return await asyncio.gather(*(audit_url(pool, url, settings) for url in args.urls))

    pages = asyncio.run(go())
    for page in pages:
        t = page.timings
        a = page.accessibility
        if args.json:
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
            continue
        nviol = len(a.violations) if a else "?"
        print(
            f"{page.url}  status {page.status}  LCP {t.lcp_ms} ms  CLS {t.cls}  "
            f"{page.transfer_bytes} bytes  {nviol} axe rules failing"
            + (f"  error: {page.error}" if page.error else "")
            + (f"  (throttled: {settings.throttle})" if settings.throttle else "")
        )
        if args.verbose and a:
            for v in a.violations:
                print(f"    {v.impact or '-':>8}  {v.rule}  ({v.node_count} nodes; WCAG {', '.join(v.wcag) or '-'})")
    code = exit_code(pages, args.fail_on)
    for page in pages:
        if not_loaded(page):
            print(
                f"portalscore: error: {page.url}: not evaluated: {page.error or f'HTTP {page.status}'}", file=sys.stderr
            )
        elif rules := fails_on(page, args.fail_on):
            print(
                f"portalscore: {page.url}: {len(rules)} rules fail at {args.fail_on} or worse: {', '.join(rules)}",
                file=sys.stderr,
            )
    return code


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("audit", help="evaluate single pages")
    p.add_argument("urls", nargs="+", metavar="URL")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument(
        "--fail-on",
        choices=IMPACTS,
        metavar="IMPACT",
        help="exit 1 when a page has a violation of this impact or worse (critical, serious, moderate, minor); "
        "a URL that could not be loaded always exits 2",
    )
    add_network_options(p)
    add_throttle_option(p, "load the pages")
    p.set_defaults(func=cmd_audit)
