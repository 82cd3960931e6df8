"""How much our accessibility checks add to axe-core, on a corpus of pages with one planted failure each.

    .venv/bin/python benchmarks/a11y_bench.py [--family F] [--only SUBSTRING] [--json FILE] [--light-only]

The corpus (benchmarks/a11y/corpus/<family>/<check>--fail-N.html, --pass-N.html: written for this project,
each pass page the same layout as its fail page without the failure) is served on 127.0.0.1 (ephemeral port)
and every page is loaded in our Chromium (crawler.browser), audited by axe (WCAG 2.1 A/AA, then WCAG + best
practice alone, then both in one run, as run_axe does) and by our checks (crawler.checks.run_checks, heavy included). The
documents family is built by benchmarks/a11y/documents.py (PDF/DOCX with and without each fault) and checked
with crawler.checks.documents.check_document.

Printed: per check, its detection rate on the pages planted for it and its false-positive rate over all pass
pages; per family, the share of fail pages flagged by anything (axe WCAG alone; axe WCAG + best practice;
axe + ours) and the share of pass pages with any finding; the median cost per page of axe WCAG-only vs WCAG +
best practice in one run (vs the two runs apart), and of our light and heavy checks.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import http.server
import json
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.a11y import documents as corpus_documents  # noqa: E402
from benchmarks.loopback import loopback_egress  # noqa: E402
from portalscore.crawler.axe import AUDIT_OPTIONS, AXE_OPTIONS, BEST_PRACTICE_TAG, axe_source, run_axe  # noqa: E402
from portalscore.crawler.browser import context_options, launch_options  # noqa: E402
from portalscore.crawler.checks import run_checks  # noqa: E402
from portalscore.crawler.checks.documents import DocumentNotChecked, check_document  # noqa: E402

CORPUS = ROOT / "benchmarks" / "a11y" / "corpus"


@dataclass
class PageResult:
    family: str
    name: str  # file stem: <check>--fail-N
    planted: str  # the check (ours) or axe rule the page is about
    failing: bool
    axe_wcag: list[str] = field(default_factory=list)
    axe_bp: list[str] = field(default_factory=list)
    ours: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    ms: dict[str, float] = field(default_factory=dict)  # axe_wcag, axe_all, light, heavy

    @property
    def any_axe(self) -> bool:
        return bool(self.axe_wcag)

    @property
    def any_axe_bp(self) -> bool:
        return bool(self.axe_wcag or self.axe_bp)

    @property
    def anything(self) -> bool:
        return bool(self.axe_wcag or self.axe_bp or self.ours)


def corpus_pages(family: str | None = None, only: str | None = None) -> list[tuple[str, Path]]:
    out = []
    for path in sorted(CORPUS.glob("*/*.html")):
        fam = path.parent.name
        if fam.startswith("_") or (family and fam != family) or (only and only not in path.stem):
            continue
        out.append((fam, path))
    return out


def parse_name(stem: str) -> tuple[str, bool]:
    planted, _, rest = stem.partition("--")
    return planted, rest.startswith("fail")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


async def audit_html(context, url: str, result: PageResult, heavy: bool = True) -> PageResult:
    page = await context.new_page()
    try:
        await page.goto(url, wait_until="load")
        await page.evaluate(axe_source())
        await run_axe(page, AXE_OPTIONS)  # warm-up: the first run on a page pays axe's set-up, not timed
        t = time.perf_counter()
        await run_axe(page, AXE_OPTIONS)
        result.ms["axe_wcag"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        await run_axe(page, {**AXE_OPTIONS, "runOnly": {"type": "tag", "values": [BEST_PRACTICE_TAG]}})
        result.ms["axe_bp_only"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        acc = await run_axe(page, AUDIT_OPTIONS)
        result.ms["axe_all"] = (time.perf_counter() - t) * 1000
        result.axe_wcag = sorted({v.rule for v in acc.violations})
        result.axe_bp = sorted({v.rule for v in acc.best_practice})
        run = await run_checks(page, heavy=heavy)
        result.ours = sorted({v.rule for v in run.violations})
        result.errors = dict(run.errors)
        result.ms["light"] = run.cost_ms("light")
        result.ms["heavy"] = run.cost_ms("heavy")
    finally:
        await page.close()
    return result


def audit_documents() -> list[PageResult]:
    out = []
    for name, data, ctype in corpus_documents.corpus():
        planted, failing = parse_name(name)
        r = PageResult("documents", name, planted, failing)
        t = time.perf_counter()
        try:
            r.ours = sorted({v.rule for v in check_document(data, ctype, f"http://127.0.0.1/{name}")})
        except DocumentNotChecked as e:
            r.errors["document"] = str(e)
        r.ms["light"] = (time.perf_counter() - t) * 1000
        out.append(r)
    return out


async def run(family: str | None, only: str | None, heavy: bool) -> list[PageResult]:
    from playwright.async_api import async_playwright

    server, base = serve(CORPUS)
    results: list[PageResult] = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**launch_options(loopback_egress()))
            context = await browser.new_context(**context_options("desktop"))
            for fam, path in corpus_pages(family, only):
                planted, failing = parse_name(path.stem)
                r = PageResult(fam, path.stem, planted, failing)
                try:
                    await audit_html(context, f"{base}/{fam}/{path.name}", r, heavy)
                except Exception as e:  # a page that breaks the harness is reported, not a stop
                    r.errors["harness"] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
                results.append(r)
                print(
                    f"  {fam}/{path.stem}: axe {r.axe_wcag} bp {r.axe_bp} ours {r.ours} {r.errors or ''}",
                    file=sys.stderr,
                )
            await browser.close()
    finally:
        server.shutdown()
    if family in (None, "documents"):
        results.extend(r for r in audit_documents() if not only or only in r.name)
    return results


def _rate(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f} %)" if d else "-"


def summary(results: list[PageResult]) -> dict:
    fails = [r for r in results if r.failing]
    passes = [r for r in results if not r.failing]
    per_check = {}
    ids = sorted({r.planted for r in results} | {c for r in results for c in r.ours})
    for cid in ids:
        planted = [r for r in fails if r.planted == cid]
        hit = [r for r in planted if cid in r.ours or cid in r.axe_wcag or cid in r.axe_bp]
        fp = [r.name for r in passes if cid in r.ours or cid in r.axe_wcag or cid in r.axe_bp]
        per_check[cid] = {
            "ours": cid.startswith("ps-"),
            "planted": len(planted),
            "detected": len(hit),
            "false_positive_pages": fp,
            "pass_pages": len(passes),
        }
    per_family = {}
    for fam in sorted({r.family for r in results}):
        f = [r for r in fails if r.family == fam]
        p = [r for r in passes if r.family == fam]
        per_family[fam] = {
            "fail_pages": len(f),
            "axe": sum(r.any_axe for r in f),
            "axe_bp": sum(r.any_axe_bp for r in f),
            "axe_ours": sum(r.anything for r in f),
            "pass_pages": len(p),
            "pass_with_finding_axe_bp": sum(r.any_axe_bp for r in p),
            "pass_with_finding_all": sum(r.anything for r in p),
            "pass_pages_flagged": [r.name for r in p if r.anything],
        }
    cost = {}
    for key in ("axe_wcag", "axe_bp_only", "axe_all", "light", "heavy"):
        values = [r.ms[key] for r in results if key in r.ms and r.family != "documents"]
        cost[key] = round(statistics.median(values), 1) if values else None
    doc_ms = [r.ms["light"] for r in results if r.family == "documents"]
    cost["document"] = round(statistics.median(doc_ms), 1) if doc_ms else None
    totals = {
        "fail_pages": len(fails),
        "axe": sum(r.any_axe for r in fails),
        "axe_bp": sum(r.any_axe_bp for r in fails),
        "axe_ours": sum(r.anything for r in fails),
        "pass_pages": len(passes),
        "pass_with_finding_all": sum(r.anything for r in passes),
    }
    errors = {r.name: r.errors for r in results if r.errors}
    return {"per_check": per_check, "per_family": per_family, "totals": totals, "cost_ms": cost, "errors": errors}


def print_summary(s: dict) -> None:
    print("\nPer check: detection on its planted pages, false positives over all pass pages")
    print(f"{'check / axe rule':34} {'by':5} {'detected':>14} {'false positives':>18}")
    for cid, c in s["per_check"].items():
        if not c["planted"] and not c["false_positive_pages"]:
            continue
        fp = len(c["false_positive_pages"])
        print(
            f"{cid:34} {'ours' if c['ours'] else 'axe':5} {_rate(c['detected'], c['planted']):>14} "
            f"{_rate(fp, c['pass_pages']):>18}" + (f"  {', '.join(c['false_positive_pages'][:3])}" if fp else "")
        )
    print("\nPer family: fail pages flagged (by anything the tool reports), pass pages with any finding")
    print(f"{'family':12} {'axe WCAG':>12} {'axe WCAG+BP':>12} {'axe + ours':>12} {'pass flagged':>14}")
    for fam, f in s["per_family"].items():
        n = f["fail_pages"]
        print(
            f"{fam:12} {_rate(f['axe'], n):>12} {_rate(f['axe_bp'], n):>12} {_rate(f['axe_ours'], n):>12} "
            f"{_rate(f['pass_with_finding_all'], f['pass_pages']):>14}"
        )
    t = s["totals"]
    n = t["fail_pages"]
    print(
        f"{'all':12} {_rate(t['axe'], n):>12} {_rate(t['axe_bp'], n):>12} {_rate(t['axe_ours'], n):>12} "
        f"{_rate(t['pass_with_finding_all'], t['pass_pages']):>14}"
    )
    c = s["cost_ms"]
    print(
        f"\nMedian cost per page (ms): axe WCAG only {c['axe_wcag']}, best practice alone {c['axe_bp_only']}, "
        f"both in one run {c['axe_all']}, "
        f"our light checks {c['light']}, our heavy checks {c['heavy']}; per document {c['document']}"
    )
    if s["errors"]:
        print("\nCheck errors:")
        for name, errs in s["errors"].items():
            print(f"  {name}: {errs}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family")
    ap.add_argument("--only", help="only pages whose name contains this")
    ap.add_argument("--json", type=Path, help="write every page's result and the summary here")
    ap.add_argument("--light-only", action="store_true", help="skip the heavy checks")
    args = ap.parse_args(argv)
    results = asyncio.run(run(args.family, args.only, not args.light_only))
    s = summary(results)
    print_summary(s)
    if args.json:
        args.json.write_text(
            json.dumps({"summary": s, "pages": [r.__dict__ for r in results]}, ensure_ascii=False, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
