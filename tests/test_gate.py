"""The quality gate's own logic (issue 21), without a browser: the budget file, judging, the outputs, audit's exit
codes. tests/test_check.py runs `portalscore check` end to end on sample portals."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from portalscore.cli.audit import exit_code
from portalscore.contract.errors import InputError
from portalscore.contract.evidence import (
    Accessibility,
    LabTiming,
    LinkCheck,
    PageEvidence,
    PortalEvidence,
    PortalRef,
    ScenarioResult,
    StepResult,
    Timings,
    Violation,
    ViolationNode,
)
from portalscore.criteria import load_criteria_set, score_portal
from portalscore.criteria.metrics import journey_ids
from portalscore.gate.baseline import load_baseline
from portalscore.gate.budget import load_budget
from portalscore.gate.check import site_portal
from portalscore.gate.judge import judge
from portalscore.gate.outputs import junit_xml, markdown, result_dict, result_json

CRITERIA = load_criteria_set("mic-2024")
IDS = dict(
    criterion_ids={c.id for c in CRITERIA.criteria},
    group_ids={g.id for g in CRITERIA.groups},
    journey_ids=set(journey_ids()),
)


def budget_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "budget.yml"
    path.write_text(text, encoding="utf-8")
    return path


def evidence(*, serious: int = 0, lcp: float = 800, privacy: str = "passed", broken_outbound: bool = True):
    url = "http://127.0.0.1:8000/"
    violations = [
        Violation(
            "color-contrast",
            "serious",
            ["1.4.3"],
            help="Elements must meet minimum color contrast ratio thresholds",
            node_count=serious,
            nodes=[ViolationNode(".footer .badge")],
        )
    ]
    pages = [
        PageEvidence(
            url=url,
            status=200,
            title="Trang chủ",
            lang="vi",
            transfer_bytes=20_000,
            timings=Timings(ttfb_ms=20, fcp_ms=lcp, lcp_ms=lcp, load_ms=lcp, cls=0),
            accessibility=Accessibility(engine="axe-core", violations=violations if serious else [], passes=20),
        )
    ]
    samples = [Timings(lcp_ms=lcp - 30), Timings(lcp_ms=lcp), Timings(lcp_ms=lcp + 30)]
    lab = [LabTiming(url=url, runs=3, median=Timings(ttfb_ms=20, fcp_ms=lcp, lcp_ms=lcp, load_ms=lcp), samples=samples)]
    links = [LinkCheck(url + "a", source=url, status=200)]
    if broken_outbound:  # someone else's site being down must not break the team's build
        links.append(LinkCheck("https://elsewhere.example/", source=url, kind="outbound", error="dns"))
    steps = [StepResult("open_home", True, url=url), StepResult("find_privacy", privacy == "passed", url=url)]
    scenarios = [
        ScenarioResult(
            "privacy",
            outcome=privacy,
            steps=steps,
            failed_step=None if privacy == "passed" else "find_privacy",
            reason="" if privacy == "passed" else "no link named like 'Chính sách bảo mật'",
        ),
        ScenarioResult("home", outcome="passed", steps=steps[:1]),
    ]
    return PortalEvidence(
        portal=PortalRef("site", "site", "other", url), pages=pages, lab=lab, links=links, scenarios=scenarios
    )


BUDGET = """\
score: 10
groups: {accessibility: 10}
criteria: {a11y.violations: 10}
metrics:
  lcp_ms: 1000
  page_bytes: 100000
  axe: {critical: 0, serious: 0}
  checks: 5
  broken_links: 0
journeys: [home, privacy]
baseline: {max_drop: 2}
"""


def judged(tmp_path: Path, ev: PortalEvidence, text: str = BUDGET, baseline=None):
    budget = load_budget(budget_file(tmp_path, text), **IDS)
    return judge(budget, score_portal(CRITERIA, ev), ev, ev.portal.url, baseline)


def test_a_site_that_meets_its_budget_passes_every_line(tmp_path):
    result = judged(tmp_path, evidence())
    assert result.exit_code == 0, [b.detail for b in result.broken]
    assert {line.id for line in result.lines} >= {
        "score",
        "groups.accessibility",
        "criteria.a11y.violations",
        "metrics.lcp_ms",
        "metrics.axe.serious",
        "metrics.broken_links",
        "journeys.privacy",
    }


def test_one_more_serious_violation_breaks_the_axe_line_naming_page_element_and_fix(tmp_path):
    result = judged(tmp_path, evidence(serious=1))
    assert result.exit_code == 1
    (line,) = [b for b in result.broken if b.id == "metrics.axe.serious"]
    assert line.actual == 1
    assert line.page == "http://127.0.0.1:8000/"
    assert line.element == ".footer .badge"
    assert "color-contrast" in line.fix


def test_a_slower_page_breaks_the_timing_line_on_the_lab_median(tmp_path):
    result = judged(tmp_path, evidence(lcp=1200))
    assert [b.id for b in result.broken] == ["metrics.lcp_ms"]
    assert "median of 3 lab loads" in result.broken[0].detail


def test_a_failing_journey_breaks_its_must_pass_line(tmp_path):
    result = judged(tmp_path, evidence(privacy="failed"))
    assert [b.id for b in result.broken] == ["journeys.privacy"]
    assert "find_privacy" in result.broken[0].detail


def test_a_site_with_no_page_loaded_is_unusable_never_met(tmp_path):
    ev = PortalEvidence(
        portal=PortalRef("site", "site", "other", "http://127.0.0.1:9/"),
        pages=[PageEvidence(url="http://127.0.0.1:9/", error="network: connection refused")],
    )
    result = judged(tmp_path, ev, text="")  # even an empty budget: nothing to judge is not a pass
    assert result.exit_code == 2
    assert "connection refused" in result.why_not


def test_outputs_name_the_broken_line_in_junit_json_and_markdown(tmp_path):
    ev = evidence(serious=2, privacy="failed")
    result = judged(tmp_path, ev)
    root = ET.fromstring(junit_xml(result, ev))
    failed = {c.get("name") for c in root.iter("testcase") if c.find("failure") is not None}
    assert failed == {"metrics.axe.serious", "privacy"}
    journeys = next(s for s in root.iter("testsuite") if s.get("name") == "journeys")
    assert {c.get("name") for c in journeys.iter("testcase")} == {"privacy", "home"}  # one per journey run
    budget_cases = next(s for s in root.iter("testsuite") if s.get("name") == "budget")
    assert budget_cases.get("tests") == str(len(list(budget_cases.iter("testcase"))))
    data = json.loads(result_json(result, ev))
    assert data["status"] == "broken" and data["exit_code"] == 1
    assert set(data["broken"]) == {"metrics.axe.serious", "journeys.privacy"}
    md = markdown(result)
    assert "budget broken" in md
    broken_part = md.split("budget lines met")[0]
    assert "`metrics.axe.serious`" in broken_part and "`journeys.privacy`" in broken_part
    assert "`.footer .badge`" in broken_part
    lost = md.split("### Points lost, largest first")[1]
    points = [float(row.split("|")[1]) for row in lost.splitlines() if row.startswith("| ") and row[2].isdigit()]
    assert points and points == sorted(points, reverse=True)


def test_portal_text_cannot_break_the_markdown_table(tmp_path):
    ev = evidence(serious=1)
    assert ev.pages[0].accessibility is not None
    ev.pages[0].accessibility.violations[0].nodes = [ViolationNode("a|b\n<script>x</script>`")]
    md = markdown(judged(tmp_path, ev))
    row = next(line for line in md.splitlines() if line.startswith("| `metrics.axe.serious`"))
    assert "<script>" not in row and "\n" not in row
    assert row.count(" | ") == 4  # five cells, none split by the portal's pipe


def test_baseline_fails_a_score_drop_beyond_max_drop_and_a_timing_beyond_the_spread(tmp_path):
    before = evidence()
    base_file = tmp_path / "base.json"
    base_file.write_text(result_json(judged(tmp_path, before), before), encoding="utf-8")
    baseline = load_baseline(base_file)
    same = judged(tmp_path, evidence(lcp=850), baseline=baseline)  # within the spread and the floor: no flip
    assert same.exit_code == 0, [b.detail for b in same.broken]
    assert {line.id for line in same.lines} >= {"baseline.score", "baseline.lcp_ms"}
    worse = judged(
        tmp_path,
        evidence(lcp=990, serious=8),
        text=BUDGET.replace("lcp_ms: 1000", "lcp_ms: 5000").replace("serious: 0", "serious: 99"),
        baseline=baseline,
    )
    assert {b.id for b in worse.broken} >= {"baseline.lcp_ms", "baseline.score"}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("metrics:\n  lcp: 3\n", "budget.yml:2: metrics.lcp: unknown key"),
        ("criteria:\n  perf.nope: 50\n", "budget.yml:2: criteria.perf.nope: unknown key"),
        ("score: 120\n", "budget.yml:1: score: must be between 0 and 100"),
        ("metrics:\n  axe: {grave: 1}\n", "budget.yml:2: metrics.axe.grave: unknown key"),
        ("journeys: [home, paying]\n", "budget.yml:1: journeys[1]: unknown journey 'paying'"),
        ("metrics:\n  page_bytes: lots\n", "budget.yml:2: metrics.page_bytes: must be a number"),
        ("- score\n", "budget.yml:1: must be a mapping"),
    ],
)
def test_a_bad_budget_file_is_one_line_naming_file_line_and_key(tmp_path, text, where):
    with pytest.raises(InputError) as e:
        load_budget(budget_file(tmp_path, text), **IDS)
    assert str(e.value).startswith(str(tmp_path / where)), str(e.value)
    assert "\n" not in str(e.value)


def test_a_bad_baseline_or_url_is_one_line(tmp_path):
    bad = tmp_path / "base.json"
    bad.write_text('{"kind": "something else"}', encoding="utf-8")
    with pytest.raises(InputError, match="not a `portalscore check` JSON result"):
        load_baseline(bad)
    for url in ("javascript:alert(1)", "ftp://x/", "http://user:pw@host/", "no url"):
        with pytest.raises(InputError):
            site_portal(url)
    assert site_portal("http://127.0.0.1:8000/").id == "127-0-0-1-8000"


def test_result_json_carries_what_a_later_baseline_needs():
    ev = evidence()
    data = result_dict(judge(load_budget_empty(), score_portal(CRITERIA, ev), ev, ev.portal.url), ev)
    assert data["kind"] == "portalscore-check"
    assert data["timings"]["worst"]["lcp_ms"] == 800 and data["timings"]["spread"]["lcp_ms"] == 60


def load_budget_empty():
    from portalscore.gate.budget import Budget

    return Budget()


def test_audit_exit_codes():
    ok = PageEvidence(url="http://a/", status=200, accessibility=Accessibility())
    serious = PageEvidence(
        url="http://a/", status=200, accessibility=Accessibility(violations=[Violation("image-alt", "serious")])
    )
    assert exit_code([ok], None) == 0
    assert exit_code([serious], None) == 0
    assert exit_code([serious], "serious") == 1
    assert exit_code([serious], "critical") == 0
    assert exit_code([serious], "minor") == 1
    assert exit_code([serious, PageEvidence(url="javascript:x", error="not an http(s) URL")], "serious") == 2
    assert exit_code([PageEvidence(url="http://a/", status=404)], None) == 2


def test_check_takes_every_run_option():
    from portalscore.cli import build_parser

    sub = next(a for a in build_parser()._actions if hasattr(a, "choices") and isinstance(a.choices, dict))
    options = {name: {s for a in p._actions for s in a.option_strings} for name, p in sub.choices.items()}
    assert options["run"] - options["check"] == {"--registry", "--resume"}  # one site, a new run each time
    assert {"--budget", "--baseline", "--junit", "--json", "--markdown", "--credentials"} <= options["check"]
    assert "--fail-on" in options["audit"]


def test_check_limits_the_crawl_like_a_registry_entry():
    portal = site_portal("http://127.0.0.1:8000/", include=["/thu-tuc/"], exclude=[r"\.pdf$"])
    assert portal.include == ["/thu-tuc/"] and portal.exclude == [r"\.pdf$"]
    with pytest.raises(InputError, match="--include: invalid regular expression"):
        site_portal("http://127.0.0.1:8000/", include=["("])


def test_a_criterion_below_its_minimum_says_what_was_found_where_and_the_fix(tmp_path):
    result = judged(tmp_path, evidence(serious=5), text="criteria: {a11y.violations: 100}\n")
    (line,) = result.broken
    assert line.id == "criteria.a11y.violations" and line.actual is not None and line.actual < 100
    assert "weighted axe violations" in line.detail
    assert line.page == "http://127.0.0.1:8000/" and "color-contrast" in line.element
    assert line.fix
