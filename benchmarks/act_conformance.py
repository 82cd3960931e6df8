"""How far our accessibility layer agrees with the W3C ACT Rules test cases.

    .venv/bin/python benchmarks/act_conformance.py [--approved-only] [--rule ID] [--json FILE]

The corpus (W3C ACT Rules test cases, read in place, never copied into this repository) is found at
$PORTALSCORE_ACT_CORPUS, else ../shared/corpora/act beside the repository; see its README.md.
It is served as the web root on 127.0.0.1 (ephemeral port). Every case whose ACT rule axe-core maps
(`axeRules` non-empty) is loaded in our Chromium (crawler.browser: launch_options, desktop context) and
audited with our axe layer (crawler.axe.run_axe: the pinned axe-core, our options, only runOnly narrowed to
the case's mapped rules).

One outcome per case, the reduction the W3C implementation report applies to axe-core's procedures
(it reproduces axe-core 4.10.2's published 516 of 802 agreeing cases from the stored report):
  failed        some mapped rule has a violation
  passed        no violation, some mapped rule passed
  cantTell      no violation, no pass, some mapped rule is "incomplete" (axe asks for human review)
  inapplicable  none of the mapped rules applied
A case agrees when that outcome equals the case's `expected`. cantTell never agrees.

False positive: we report failed where the case expects passed or inapplicable. Violations are what scores
count (criteria: impact-weighted violations, pages with no critical/serious violation), so a false positive
on a rule that production runs would cost a portal points unfairly. False negative: the case expects failed
and we report passed or inapplicable (a missed fault; cantTell is counted apart).

Skipped: cases needing the videos absent from the snapshot (meta/testcases-needing-missing-mp4.txt), and
cases whose page asks for anything outside 127.0.0.1 (such requests are aborted, never sent; the case is
then excluded because its outcome may depend on what did not load).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import http.server
import json
import os
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portalscore.crawler.axe import AXE_OPTIONS, AXE_VERSION, axe_source, run_axe  # noqa: E402
from portalscore.crawler.browser import context_options, launch_options  # noqa: E402
from portalscore.crawler.egress import Egress  # noqa: E402
from portalscore.crawler.netpolicy import NetPolicy  # noqa: E402

# The benchmark's servers are on 127.0.0.1: let the crawler reach them (as --allow-internal 127.0.0.1/32 would).
EGRESS = Egress(NetPolicy.build(allow_internal=["127.0.0.1/32"]))

CORPUS_ENV = "PORTALSCORE_ACT_CORPUS"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "act"
INDEX_FILE = "testcases.index.json"
MISSING_VIDEO_LIST = "meta/testcases-needing-missing-mp4.txt"
CASE_PREFIX = "WAI/content-assets/wcag-act-rules/"
# axe-core 4.10.2 in the W3C implementation report (README of the corpus): agreeing cases / axe-mapped cases.
AXE_4_10_2_REPORTED = (516, 802)
LOOPBACK_HOSTS = {"127.0.0.1"}
OUTCOMES = ("passed", "failed", "inapplicable", "cantTell")
PAGE_TIMEOUT_MS = 20_000


def _corpus_path() -> Path:
    return Path(os.environ.get(CORPUS_ENV) or DEFAULT_CORPUS)


def corpus_dir() -> Path | None:
    """The ACT corpus folder, or None when it is not on this machine."""
    path = _corpus_path()
    return path if (path / INDEX_FILE).is_file() else None


def absent_message() -> str:
    return (
        f"W3C ACT Rules corpus not found: no {_corpus_path() / INDEX_FILE} "
        f"(set {CORPUS_ENV} to the folder, default ../shared/corpora/act beside the repository)"
    )


@dataclass
class Case:
    rule_id: str
    rule_name: str
    case_id: str
    title: str
    expected: str
    approved: bool
    path: str
    axe_rules: list[str]
    axe_4_10_2: str  # axe-core 4.10.2's reported outcome, reduced like ours


@dataclass
class Result:
    case: Case
    outcome: str = "error"  # one of OUTCOMES, or "error" / "skipped"
    fired: list[str] = field(default_factory=list)  # axe rules with a violation
    impacts: list[str] = field(default_factory=list)
    passes: int = 0
    incomplete: int = 0
    external: list[str] = field(default_factory=list)  # non-loopback URLs the page asked for (aborted)
    error: str = ""

    @property
    def counted(self) -> bool:
        return self.outcome not in ("skipped",) and not self.external

    @property
    def agrees(self) -> bool:
        return self.outcome == self.case.expected

    @property
    def false_positive(self) -> bool:
        return self.outcome == "failed" and self.case.expected in ("passed", "inapplicable")

    @property
    def false_negative(self) -> bool:
        return self.case.expected == "failed" and self.outcome in ("passed", "inapplicable")


def reduce_outcomes(outcomes: list[str]) -> str:
    """Many procedure outcomes -> one case outcome (failed > passed > cantTell > inapplicable).
    'untested' (a report entry without a result) counts as cantTell, as in the W3C report."""
    present = {"cantTell" if o == "untested" else o for o in outcomes}
    for outcome in ("failed", "passed", "cantTell"):
        if outcome in present:
            return outcome
    return "inapplicable"


def outcome_of(acc) -> str:
    """Our portalscore.contract.evidence.Accessibility for a case's mapped rules -> one case outcome.
    A best-practice rule's violation (kept apart in acc.best_practice) fails the case like any other."""
    if acc.violations or acc.best_practice:
        return "failed"
    if acc.passes:
        return "passed"
    if acc.incomplete:
        return "cantTell"
    return "inapplicable"


def load_cases(corpus: Path, approved_only: bool = False, rule: str | None = None) -> tuple[list[Case], list[Case]]:
    """(cases to run, cases skipped for missing videos), axe-mapped cases only."""
    entries = json.loads((corpus / INDEX_FILE).read_text(encoding="utf-8"))["testcases"]
    missing_list = corpus / MISSING_VIDEO_LIST
    needs_video = set(missing_list.read_text().split()) if missing_list.exists() else set()
    run, skipped = [], []
    for e in entries:
        if not e["axeRules"] or (approved_only and not e["approved"]) or (rule and e["ruleId"] != rule):
            continue
        outcomes = [o for p in e["axeReport_4_10_2"] for o in p["outcomes"]]
        case = Case(
            rule_id=e["ruleId"],
            rule_name=e["ruleName"],
            case_id=e["testcaseId"],
            title=e["testcaseTitle"],
            expected=e["expected"],
            approved=bool(e["approved"]),
            path=e["path"],
            axe_rules=list(e["axeRules"]),
            axe_4_10_2=reduce_outcomes(outcomes) if outcomes else "untested",
        )
        (skipped if e["relativePath"] in needs_video else run).append(case)
    return run, skipped


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


class CorpusServer:
    """The corpus folder as web root on 127.0.0.1, in a thread (cases use absolute /WAI/... paths)."""

    def __init__(self, corpus: Path):
        handler = functools.partial(_QuietHandler, directory=str(corpus))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> CorpusServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOOPBACK_HOSTS


# Which rules cost points in production (our AXE_OPTIONS, WCAG tags; the best-practice rules run beside them
# cost points only where a criteria set reads them) and which rules this axe knows.
RULE_SETS_JS = """
async (options) => {
  const r = await axe.run(document, options);
  const ran = [r.violations, r.passes, r.incomplete, r.inapplicable].flat().map(x => x.id);
  return {known: axe.getRules().map(x => x.ruleId), production: ran};
}
"""


async def _rule_sets(context) -> tuple[set[str], set[str]]:
    page = await context.new_page()
    try:
        await page.set_content("<!doctype html><html lang='en'><title>t</title><main><p>x</p></main></html>")
        await page.evaluate(axe_source())
        sets = await page.evaluate(RULE_SETS_JS, {**AXE_OPTIONS, "resultTypes": ["violations"]})
        return set(sets["known"]), set(sets["production"])
    finally:
        await page.close()


async def _run_one(context, base_url: str, case: Case, known: set[str]) -> Result:
    result = Result(case=case)
    rules = [r for r in case.axe_rules if r in known]
    if not rules:
        result.outcome, result.error = "skipped", "no mapped rule in this axe-core"
        return result
    page = await context.new_page()

    async def abort(route) -> None:  # never reach anything but the corpus server
        result.external.append(route.request.url)
        await route.abort()

    try:
        await page.route(_is_external, abort)
        await page.goto(base_url + case.path, wait_until="load", timeout=PAGE_TIMEOUT_MS)
        acc = await run_axe(page, {**AXE_OPTIONS, "runOnly": {"type": "rule", "values": rules}})
        result.outcome = outcome_of(acc)
        found = acc.violations + acc.best_practice
        result.fired = sorted({v.rule for v in found})
        result.impacts = sorted({v.impact or "" for v in found})
        result.passes, result.incomplete = acc.passes, acc.incomplete
    except Exception as exc:  # a page that breaks axe is a finding for this case, not a stop
        result.outcome, result.error = "error", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    finally:
        await page.close()
    return result


async def run_cases(
    cases: list[Case], base_url: str, workers: int = 2, progress: bool = False
) -> tuple[list[Result], set[str]]:
    """Audit every case; returns the results (in case order) and the axe rules production runs."""
    from playwright.async_api import async_playwright

    results: list[Result | None] = [None] * len(cases)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(cases)):
        queue.put_nowait(i)
    done = 0
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options(EGRESS.start()))
        try:
            contexts = [await browser.new_context(**context_options("desktop")) for _ in range(max(1, workers))]
            known, production = await _rule_sets(contexts[0])

            async def worker(context) -> None:
                nonlocal done
                while not queue.empty():
                    i = queue.get_nowait()
                    results[i] = await _run_one(context, base_url, cases[i], known)
                    done += 1
                    if progress and done % 100 == 0:
                        print(f"  {done}/{len(cases)} cases", file=sys.stderr)

            await asyncio.gather(*(worker(c) for c in contexts))
        finally:
            await browser.close()
    return [r for r in results if r is not None], production


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.1f} %)" if d else "0/0"


def summarize(results: list[Result], production: set[str], skipped: list[Case]) -> dict:
    """Figures for the printout and the --json file."""
    counted = [r for r in results if r.counted]
    approved = [r for r in counted if r.case.approved]

    def block(rs: list[Result]) -> dict:
        return {
            "cases": len(rs),
            "agree": sum(r.agrees for r in rs),
            "axe_4_10_2_agree": sum(r.case.axe_4_10_2 == r.case.expected for r in rs),
            "false_positives": sum(r.false_positive for r in rs),
            "false_negatives": sum(r.false_negative for r in rs),
            "outcomes": dict(Counter(r.outcome for r in rs)),
        }

    per_rule: dict[str, list[Result]] = defaultdict(list)
    for r in counted:
        per_rule[r.case.rule_id].append(r)

    def case_row(r: Result) -> dict:
        return {
            "rule": r.case.rule_id,
            "case": r.case.case_id,
            "title": r.case.title,
            "approved": r.case.approved,
            "expected": r.case.expected,
            "ours": r.outcome,
            "axe_4_10_2": r.case.axe_4_10_2,
            "fired": r.fired,
            "impacts": r.impacts,
            "in_production": any(rule in production for rule in (r.fired or r.case.axe_rules)),
            "path": r.case.path,
            "error": r.error,
        }

    return {
        "engine": f"axe-core {AXE_VERSION}",
        "reduction": "failed > passed > cantTell > inapplicable over the case's mapped axe rules",
        "overall": block(counted),
        "approved": block(approved),
        "axe_4_10_2_reported": {"agree": AXE_4_10_2_REPORTED[0], "cases": AXE_4_10_2_REPORTED[1]},
        "production_rules": sorted(production),  # what our AXE_OPTIONS (WCAG 2.1 A/AA tags) runs on portals
        "disagreements": {
            f"{e} -> {o}": n
            for (e, o), n in Counter((r.case.expected, r.outcome) for r in counted if not r.agrees).most_common()
        },
        "skipped": {
            "missing_video": [c.case_id for c in skipped],
            "external": [r.case.case_id for r in results if r.external],
            "no_rule_in_axe": [r.case.case_id for r in results if r.outcome == "skipped"],
        },
        "errors": [case_row(r) for r in counted if r.outcome == "error"],
        "per_rule": {
            rule: {
                "name": rs[0].case.rule_name,
                "approved": rs[0].case.approved,
                "axe_rules": rs[0].case.axe_rules,
                **block(rs),
            }
            for rule, rs in sorted(per_rule.items(), key=lambda kv: (not kv[1][0].case.approved, kv[0]))
        },
        "false_positives": [case_row(r) for r in counted if r.false_positive],
        "false_negatives": [case_row(r) for r in counted if r.false_negative],
        "cases": [case_row(r) for r in results],
    }


def print_report(s: dict) -> None:
    o, a = s["overall"], s["approved"]
    rep = s["axe_4_10_2_reported"]
    sk = s["skipped"]
    print(f"W3C ACT Rules test cases, axe-mapped, audited with our layer ({s['engine']}); reduction: {s['reduction']}")
    print(
        f"skipped: {len(sk['missing_video'])} need a missing video, {len(sk['external'])} ask for hosts "
        f"outside 127.0.0.1, {len(sk['no_rule_in_axe'])} map no rule this axe has"
    )
    print()
    print(f"agreement with expected, overall:         {_pct(o['agree'], o['cases'])}   outcomes {o['outcomes']}")
    print(f"agreement with expected, approved rules:  {_pct(a['agree'], a['cases'])}   outcomes {a['outcomes']}")
    print(
        f"axe-core 4.10.2 (W3C report) on the same cases: overall {_pct(o['axe_4_10_2_agree'], o['cases'])}, "
        f"approved {_pct(a['axe_4_10_2_agree'], a['cases'])}"
    )
    print(f"axe-core 4.10.2 as reported on all axe-mapped cases: {_pct(rep['agree'], rep['cases'])}")
    print(
        f"false positives (we fail, case expects passed/inapplicable): {o['false_positives']} "
        f"({a['false_positives']} on approved rules); false negatives: {o['false_negatives']} "
        f"({a['false_negatives']} on approved rules); errors: {len(s['errors'])}"
    )
    print(f"disagreements, expected -> ours: {s['disagreements']}")
    print()
    print(
        f"{'ACT rule':8} {'appr':4} {'cases':>5} {'agree':>5} {'4.10.2':>6} {'FP':>3} {'FN':>3} "
        f"{'ours: pass/fail/inap/cantTell/err':>34}  name"
    )
    for rule, b in s["per_rule"].items():
        oc = b["outcomes"]
        mix = "/".join(str(oc.get(k, 0)) for k in ("passed", "failed", "inapplicable", "cantTell", "error"))
        print(
            f"{rule:8} {'yes' if b['approved'] else 'no':4} {b['cases']:>5} {b['agree']:>5} "
            f"{b['axe_4_10_2_agree']:>6} {b['false_positives']:>3} {b['false_negatives']:>3} {mix:>34}  "
            f"{b['name'][:60]}"
        )

    def listing(title: str, rows: list[dict]) -> None:
        print()
        print(f"{title}: {len(rows)}")
        for r in rows:
            prod = "production" if r["in_production"] else "not run in production"
            print(
                f"  {r['rule']} {'A' if r['approved'] else 'p'} {r['case'][:10]} {r['title']:<20} expected "
                f"{r['expected']:<12} ours {r['ours']:<12} 4.10.2 {r['axe_4_10_2']:<12} "
                f"{','.join(r['fired']) or '-'} {','.join(i for i in r['impacts'] if i)} [{prod}]"
            )

    listing("false positives (we report failed, the case expects passed or inapplicable)", s["false_positives"])
    listing("false negatives (the case expects failed, we report passed or inapplicable)", s["false_negatives"])
    if s["errors"]:
        listing("errors", s["errors"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--approved-only", action="store_true", help="only the cases of W3C-approved ACT rules")
    ap.add_argument("--rule", help="only this ACT rule id (e.g. afw4f7)")
    ap.add_argument("--workers", type=int, default=2, help="browser contexts in parallel (default 2)")
    ap.add_argument("--json", metavar="FILE", help="also write the summary (figures, per rule, per case) here")
    args = ap.parse_args(argv)

    corpus = corpus_dir()
    if corpus is None:
        print(absent_message(), file=sys.stderr)
        return 0
    cases, skipped = load_cases(corpus, approved_only=args.approved_only, rule=args.rule)
    started = time.monotonic()
    with CorpusServer(corpus) as server:
        results, production = asyncio.run(run_cases(cases, server.base_url, args.workers, progress=True))
    summary = summarize(results, production, skipped)
    summary["seconds"] = round(time.monotonic() - started, 1)
    print_report(summary)
    print(f"\n{len(results)} cases audited in {summary['seconds']} s ({args.workers} contexts)")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"summary written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
