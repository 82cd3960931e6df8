"""`portalscore audit URL...`: single pages, measured and audited as the crawl would, printed (or one JSON line each)."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from .options import add_network_options, add_throttle_option, crawl_settings


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

    for page in asyncio.run(go()):
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
    return 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("audit", help="evaluate single pages")
    p.add_argument("urls", nargs="+", metavar="URL")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    add_network_options(p)
    add_throttle_option(p, "load the pages")
    p.set_defaults(func=cmd_audit)
