"""Criteria sets and scoring: rule arithmetic, metrics, missing evidence, loader errors, extends, grades.

Evidence is built from the real data classes of portalscore.contract.evidence (no browser needed).
"""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import pytest

from portalscore.contract.errors import InputError
from portalscore.contract.evidence import (
    Accessibility,
    LabTiming,
    LinkCheck,
    PageEvidence,
    PageSecurity,
    PortalEvidence,
    PortalRef,
    ScenarioResult,
    StepResult,
    Timings,
    Violation,
    ViolationNode,
    from_dict,
)
from portalscore.criteria import load_criteria_set, score_portal
from portalscore.criteria.metrics import METRICS, journey_ids
from portalscore.criteria.model import PortalScore, grade
from portalscore.criteria.rules import Linear, LogNormal, PassFail, Ratio, Threshold, ValueKind, lognormal_score
from portalscore.criteria.stats import aggregate, percentile

# ---------------------------------------------------------------- evidence builders (shared with the other test files)


def violation(rule: str, impact: str | None, nodes: int, wcag: tuple[str, ...] = ()) -> Violation:
    return Violation(
        rule=rule,
        impact=impact,
        wcag=list(wcag),
        help=f"{rule} help",
        node_count=nodes,
        nodes=[ViolationNode(target=f"#{rule}-{i}") for i in range(min(nodes, 3))],
    )


def page(
    url: str,
    *,
    lcp: float | None = 1000,
    fcp: float | None = 500,
    ttfb: float | None = 100,
    cls: float | None = 0.0,
    tbt: float | None = 0,
    status: int | None = 200,
    violations: list[Violation] | None = None,
    security: dict | None = None,
    title: str = "Trang",
    lang: str = "vi",
    profile: str = "desktop",
    transfer: int = 200_000,
    error: str | None = None,
    audited: bool = True,
) -> PageEvidence:
    return PageEvidence(
        url=url,
        profile=profile,
        status=status,
        title=title,
        lang=lang,
        error=error,
        timings=Timings(ttfb_ms=ttfb, fcp_ms=fcp, lcp_ms=lcp, cls=cls, tbt_ms=tbt),
        transfer_bytes=transfer,
        accessibility=Accessibility(engine="axe-core 4.14.1", violations=violations or []) if audited else None,
        security=from_dict(PageSecurity, security) if security else None,  # as a stored run gives it back
    )


def scenario(sid: str, outcome: str, steps: list[tuple[str, bool]] | None = None, reason: str = "") -> ScenarioResult:
    steps = steps or [("open", outcome == "passed")]
    failed = next((name for name, ok in steps if not ok), None) if outcome == "failed" else None
    return ScenarioResult(
        id=sid,
        outcome=outcome,
        reason=reason,
        failed_step=failed,
        steps=[StepResult(name=n, ok=ok, url=f"https://p.example/{n}") for n, ok in steps],
    )


def evidence(
    pages: list[PageEvidence] | None = None,
    *,
    scenarios: list[ScenarioResult] | None = None,
    lab: list[LabTiming] | None = None,
    links: list[LinkCheck] | None = None,
    site: dict | None = None,
    pid: str = "p",
    kind: str = "province",
) -> PortalEvidence:
    ev = PortalEvidence(
        portal=PortalRef(pid, f"Cổng {pid}", kind, f"https://{pid}.example/"),
        pages=pages or [],
        scenarios=scenarios or [],
        lab=lab or [],
        links=links or [],
    )
    if site:  # the site checks as a stored run gives them back (older runs' flags upgraded)
        ev = PortalEvidence.from_dict({**ev.to_dict(), "site": site})
    return ev


def write_set(tmp_path: Path, body: str, name: str = "set.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


# A small set whose arithmetic can be done by hand: 50 + 30 + 20 points.
SMALL_SET = """
id: small
version: "1"
title_vi: "Bộ nhỏ"
title_en: "Small set"
grades: {A: 90, B: 80, C: 65, D: 50, E: 0}
groups:
  - {id: functionality, title_vi: "Chức năng", title_en: "Functions", points: 50}
  - {id: performance, title_vi: "Hiệu năng", title_en: "Performance", points: 30}
  - {id: accessibility, title_vi: "Truy cập", title_en: "Access", points: 20}
criteria:
  - id: f.search
    title_vi: "Tìm kiếm"
    title_en: "Search"
    group: functionality
    points: 30
    evidence: scenario.search_procedure
    rule: {type: pass_fail}
    when_missing: zero
    source: "ND 42/2022"
  - id: f.lookup
    title_vi: "Tra cứu"
    title_en: "Lookup"
    group: functionality
    points: 20
    evidence: scenario.dossier_lookup
    rule: {type: pass_fail}
    when_missing: exclude
    source: "TT 21/2023"
  - id: p.lcp
    title_vi: "LCP"
    title_en: "LCP"
    group: performance
    points: 30
    evidence: timing.lcp_ms
    statistic: p75
    rule: {type: lognormal, p10: 1200, median: 2400}
    when_missing: zero
    source: "Web Vitals"
  - id: a.axe
    title_vi: "Lỗi truy cập"
    title_en: "Violations"
    group: accessibility
    points: 20
    evidence: a11y.weighted_violations
    statistic: mean
    rule: {type: linear, best: 0, worst: 100}
    when_missing: zero
    source: "WCAG 2.1"
"""


@pytest.fixture
def small(tmp_path):
    return load_criteria_set(write_set(tmp_path, SMALL_SET))


def crit(ps: PortalScore, cid: str):
    return next(c for c in ps.criteria if c.id == cid)


# ---------------------------------------------------------------- rule arithmetic


def test_lognormal_matches_lighthouse_control_points():
    assert lognormal_score(1200, 1200, 2400) == pytest.approx(0.9, abs=1e-12)
    assert lognormal_score(2400, 1200, 2400) == pytest.approx(0.5, abs=1e-12)
    assert lognormal_score(0, 1200, 2400) == 1.0
    assert lognormal_score(1e9, 1200, 2400) == pytest.approx(0.0, abs=1e-9)
    # Worked check from Lighthouse's mobile control points (shared/reference/anchors.md)
    assert lognormal_score(2000, 1800, 3000) == pytest.approx(0.845, abs=0.001)  # FCP 2.0 s
    assert lognormal_score(3000, 2500, 4000) == pytest.approx(0.784, abs=0.001)  # LCP 3.0 s
    assert lognormal_score(300, 200, 600) == pytest.approx(0.791, abs=0.001)  # TBT 300 ms
    assert lognormal_score(0.05, 0.1, 0.25) == pytest.approx(0.988, abs=0.001)  # CLS 0.05
    # The clamps keep each band: just above p10 is below 0.9, just above the median below 0.5.
    assert lognormal_score(1201, 1200, 2400) < 0.9 and lognormal_score(2401, 1200, 2400) < 0.5


def test_rules_arithmetic_by_hand():
    lower = ValueKind("number", "lower")
    higher_share = ValueKind("number", "higher", fraction=True)
    assert Linear.parse({"best": 1000, "worst": 3000}, lower).apply(1500)[0] == pytest.approx(0.75)
    assert Linear.parse({"best": 1000, "worst": 3000}, lower).apply(500)[0] == 1.0
    assert Linear.parse({"best": 1000, "worst": 3000}, lower).apply(9000)[0] == 0.0
    assert Linear.parse({"best": 1.0, "worst": 0.9}, higher_share).apply(0.95)[0] == pytest.approx(0.5)
    assert Threshold.parse({"at_most": 2500}, lower).apply(2500)[0] == 1.0
    assert Threshold.parse({"at_most": 2500}, lower).apply(2501)[0] == 0.0
    assert Threshold.parse({"at_least": 0.9}, higher_share).apply(0.89)[0] == 0.0
    assert Ratio.parse({}, higher_share).apply(0.8)[0] == pytest.approx(0.8)
    assert Ratio.parse({"full_at": 0.8}, higher_share).apply(0.4)[0] == pytest.approx(0.5)
    assert Ratio.parse({"full_at": 0.8}, higher_share).apply(0.9)[0] == 1.0
    assert PassFail.parse({}, ValueKind("bool")).apply(True)[0] == 1.0
    assert PassFail.parse({}, ValueKind("bool")).apply(False)[0] == 0.0
    assert "log-normal(p10=1 200, median=2 400) → 0.5000" in str(LogNormal(1200, 2400).apply(2400)[1])


def test_percentile_is_linear_between_ranks():
    assert percentile([4, 1, 3, 2], 0.75) == pytest.approx(3.25)
    assert percentile([7], 0.9) == 7
    assert aggregate([1, 2, 3, 10], "mean") == 4
    assert aggregate([True, False, True, True], "share") == 0.75
    assert aggregate([1, 5, 2], "max") == 5


# ---------------------------------------------------------------- scoring a portal


def test_score_portal_arithmetic_by_hand(small):
    ev = evidence(
        [
            page(f"https://p.example/{i}", lcp=lcp, violations=v)
            for i, (lcp, v) in enumerate(
                [
                    (1000, [violation("image-alt", "critical", 3, ("1.1.1",))]),  # 30
                    (2000, [violation("color-contrast", "serious", 25, ("1.4.3",))]),  # 7 × 10 (capped)
                    (2400, []),  # 0
                    (3000, [violation("region", "moderate", 2), violation("x", "minor", 20)]),  # 6 + 10
                ]
            )
        ],
        scenarios=[
            scenario("search_procedure", "passed"),
            scenario("dossier_lookup", "failed", [("open", True), ("submit", False)]),
        ],
    )
    ps = score_portal(small, ev)
    # LCP p75 of 1000, 2000, 2400, 3000 = 2400 + 0.25 × 600 = 2550
    lcp = crit(ps, "p.lcp")
    assert lcp.value == 2550
    expected = round(100 * lognormal_score(2550, 1200, 2400), 2)
    assert lcp.score == expected
    assert lcp.statistic.startswith("p75 over 4 desktop pages, crawl timings (no lab measurements)")
    assert lcp.arithmetic.startswith("LCP p75 = 2 550 ms; log-normal(p10=1 200, median=2 400) → ")
    assert lcp.arithmetic.endswith(f"→ {expected:.2f}/100 × 30 pts = {expected * 0.3:.2f}")
    assert [e.url for e in lcp.evidence][:2] == ["https://p.example/3", "https://p.example/2"]  # worst first
    # Accessibility: mean of 30, 70, 0, 16 = 29 → linear 0..100 → 71
    axe = crit(ps, "a.axe")
    assert axe.value == 29 and axe.score == 71.0 and axe.points == 14.2
    labels = [e.label for e in axe.evidence if e.kind == "violation"]
    assert labels[0] == "color-contrast (serious, WCAG 1.4.3): 25 nodes on 1 page"
    assert any(label.startswith("image-alt (critical, WCAG 1.1.1): 3 nodes") for label in labels)
    # Functionality: search passed 30/30, lookup failed 0/20 → 60
    assert crit(ps, "f.search").points == 30 and crit(ps, "f.lookup").points == 0
    assert "failed at step 'submit'" in crit(ps, "f.lookup").evidence[0].label
    assert ps.groups["functionality"].score == 60.0
    assert ps.groups["performance"].score == expected
    assert ps.groups["accessibility"].score == 71.0
    total = 30 + 30 * expected / 100 + 14.2
    assert ps.score == round(total, 2)
    assert ps.grade == grade(ps.score)
    assert ps.pages_evaluated == 4 and ps.criteria_set == "small 1"


def test_lab_medians_preferred_and_fallback_said(small):
    pages = [page("https://p.example/a", lcp=9000), page("https://p.example/b", lcp=9000)]
    lab = [
        LabTiming(url="https://p.example/a", runs=5, median=Timings(lcp_ms=1200)),
        LabTiming(url="https://p.example/b", runs=5, median=Timings(lcp_ms=1200)),
    ]
    with_lab = crit(score_portal(small, evidence(pages, lab=lab)), "p.lcp")
    assert with_lab.value == 1200 and with_lab.score == 90.0
    assert "lab medians of 5 isolated loads each" in with_lab.statistic
    without = crit(score_portal(small, evidence(pages)), "p.lcp")
    assert without.value == 9000 and "crawl timings (no lab measurements)" in without.statistic
    mobile_only = crit(score_portal(small, evidence([page("https://p.example/m", profile="mobile")])), "p.lcp")
    assert mobile_only.status == "missing" and mobile_only.score == 0.0  # desktop figures asked, none measured


def test_noise_measured_from_repeated_lab_loads(small):
    samples = [Timings(lcp_ms=v) for v in (1200, 2400, 1800)]
    lab = [LabTiming(url="https://p.example/", runs=3, median=Timings(lcp_ms=1800), samples=samples)]
    ps = score_portal(small, evidence([page("https://p.example/")], lab=lab))
    # LCP alone is worth 30 pts: 1 200 ms scores 90, 2 400 ms scores 50 → the score moves by 0.4 × 30 = 12.
    assert ps.noise == 12.0
    assert ps.noise_note.startswith("score from each of 3 lab loads alone:")
    assert crit(ps, "p.lcp").value == 1800  # the score itself uses the medians
    assert score_portal(small, evidence([page("https://p.example/")])).noise_note.startswith("not measured")


def test_missing_evidence_follows_the_written_rule(small):
    # Lookup not applicable → excluded: search's 30 pts become the group's 50.
    ev = evidence(
        [page("https://p.example/")],
        scenarios=[
            scenario("search_procedure", "passed"),
            scenario("dossier_lookup", "not_applicable", reason="no lookup offered"),
        ],
    )
    ps = score_portal(small, ev)
    lookup = crit(ps, "f.lookup")
    assert lookup.score is None and lookup.status == "excluded" and lookup.points == 0
    assert "when_missing: exclude" in lookup.arithmetic and "not applicable: no lookup offered" in lookup.arithmetic
    search = crit(ps, "f.search")
    assert search.max_points == 50 and search.points == 50
    assert "30 declared, rescaled" in search.arithmetic
    assert ps.groups["functionality"].score == 100.0
    # Search missing → zero, stated.
    ps = score_portal(small, evidence([page("https://p.example/")]))
    s = crit(ps, "f.search")
    assert s.score == 0.0 and s.status == "missing"
    assert "scenario search_procedure was not run" in s.arithmetic and "when_missing: zero" in s.arithmetic


def test_fixed_missing_score_and_excluded_group(tmp_path):
    body = SMALL_SET.replace("when_missing: exclude", "when_missing: 40")
    cs = load_criteria_set(write_set(tmp_path, body))
    ps = score_portal(cs, evidence([page("https://p.example/")], scenarios=[scenario("search_procedure", "passed")]))
    assert crit(ps, "f.lookup").score == 40.0 and crit(ps, "f.lookup").points == 8.0
    # A group whose only criterion is excluded hands its points to the other groups.
    body = SMALL_SET.replace(
        """    evidence: timing.lcp_ms
    statistic: p75
    rule: {type: lognormal, p10: 1200, median: 2400}
    when_missing: zero""",
        """    evidence: timing.lcp_ms
    statistic: p75
    rule: {type: lognormal, p10: 1200, median: 2400}
    when_missing: exclude""",
    )
    cs = load_criteria_set(write_set(tmp_path, body, "g.yaml"))
    ev = evidence(
        [page("https://p.example/", lcp=None)],
        scenarios=[scenario("search_procedure", "passed"), scenario("dossier_lookup", "passed")],
    )
    ps = score_portal(cs, ev)
    assert ps.groups["performance"].status == "excluded" and ps.groups["performance"].max_points == 0
    assert ps.groups["functionality"].max_points == pytest.approx(50 * 100 / 70, abs=1e-3)
    assert ps.score == 100.0  # every judged criterion is perfect


def test_unreachable_portal_scores_zero_with_reasons():
    cs = load_criteria_set("mic-2024")
    ev = evidence(
        [page("https://p.example/", status=None, error="net::ERR_CONNECTION_REFUSED", lcp=None, audited=False)]
    )
    ev.errors.append("start page unreachable")
    ps = score_portal(cs, ev)
    assert ps.score == 0.0 and ps.grade == "E"
    assert ps.errors == ["start page unreachable"] and ps.pages_evaluated == 0
    assert crit(ps, "perf.availability").statistic == "share of desktop pages passing: 0 of 1"
    assert all(c.score in (0.0, None) for c in ps.criteria)


def test_security_metrics_read_the_crawler_keys():
    cs = load_criteria_set("mic-2024")
    good = {
        "https": True,
        "hsts": True,
        "server": "nginx",
        "x_powered_by": None,
        "mixed_content": [],
        "headers": dict.fromkeys(
            ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"), "x"
        ),
        "cookies": [{"name": "s", "secure": True, "httponly": True, "samesite": "Lax"}],
    }
    bad = {
        "https": True,
        "hsts": False,
        "server": "Microsoft-IIS/8.5",
        "x_powered_by": "ASP.NET",
        "mixed_content": ["http://p.example/a.js"],
        "headers": {"x-frame-options": "DENY"},
        "cookies": [{"name": "ASP.NET_SessionId", "secure": False, "httponly": True, "samesite": None}],
    }
    ps = score_portal(
        cs,
        evidence(
            [page("https://p.example/1", security=good), page("https://p.example/2", security=bad)],
            site={"tls": {"valid": False, "error": "certificate has expired"}, "https_redirect": True},
        ),
    )
    assert crit(ps, "sec.hsts").score == 50.0
    assert crit(ps, "sec.headers").value == pytest.approx((1 + 0.25) / 2)
    assert crit(ps, "sec.cookies").score == 50.0
    assert crit(ps, "sec.version_disclosure").score == 50.0
    assert crit(ps, "sec.mixed_content").evidence[0].url == "https://p.example/2"
    tls = crit(ps, "sec.tls_valid")
    assert tls.score == 0.0 and "certificate has expired" in tls.evidence[0].label
    assert crit(ps, "sec.https_redirect").score == 100.0
    # No security dict at all: missing, not passing.
    ps = score_portal(cs, evidence([page("https://p.example/")]))
    assert crit(ps, "sec.hsts").status == "missing"


def test_links_and_scenario_steps():
    cs = load_criteria_set("mic-2024")
    links = [LinkCheck(url=f"https://p.example/l{i}", source="https://p.example/", status=200) for i in range(18)]
    links += [
        LinkCheck(url="https://p.example/gone", status=404),
        LinkCheck(url="https://p.example/x", error="timeout"),
    ]
    detail = scenario(
        "procedure_detail",
        "failed",
        [("open_home", True), ("find_search", True), ("search", True), ("open_result", True)]
        + [("has_thanh_phan_ho_so", True), ("has_trinh_tu_cach_thuc_thuc_hien", True)]
        + [("has_thoi_han_giai_quyet", True), ("has_phi_le_phi", False), ("has_co_quan_thuc_hien", True)]
        + [("has_can_cu_phap_ly", False)],
    )
    ps = score_portal(cs, evidence([page("https://p.example/")], links=links, scenarios=[detail]))
    lk = crit(ps, "func.links")
    assert lk.value == pytest.approx(0.9) and lk.score == 0.0  # linear: 1.0 → 100, 0.9 → 0
    assert [e.label for e in lk.evidence] == ["404 https://p.example/gone", "timeout https://p.example/x"]
    d = crit(ps, "func.procedure_detail")
    assert d.value == pytest.approx(4 / 6, abs=1e-4) and d.score == pytest.approx(
        66.67, abs=0.01
    )  # the 4 navigation steps earn nothing


def test_scoring_is_deterministic_and_round_trips():
    cs = load_criteria_set("mic-2024")
    ev = evidence(
        [
            page(f"https://p.example/{i}", lcp=1000 + 137 * i, violations=[violation("link-name", "serious", i)])
            for i in range(7)
        ],
        scenarios=[scenario(s, "passed") for s in journey_ids()],
        site={"emc": True},
    )
    a, b = score_portal(cs, ev), score_portal(cs, PortalEvidence.from_dict(json.loads(json.dumps(ev.to_dict()))))
    assert a.to_dict() == b.to_dict()
    again = PortalScore.from_dict(json.loads(json.dumps(a.to_dict())))
    assert again.to_dict() == a.to_dict()
    for c in a.criteria:
        assert c.rule and c.source and c.arithmetic
        assert c.score is None or (0 <= c.score <= 100 and c.score == round(c.score, 2))


# ---------------------------------------------------------------- grades


@pytest.mark.parametrize(
    "score,letter",
    [
        (100, "A"),
        (90, "A"),
        (89.99, "B"),
        (80, "B"),
        (79.99, "C"),
        (65, "C"),
        (64.99, "D"),
        (50, "D"),
        (49.99, "E"),
        (0, "E"),
    ],
)
def test_grades_at_the_bands(tmp_path, score, letter):
    cs = load_criteria_set("mic-2024")
    assert grade(score, cs.grades) == letter
    # Through the scorer: one criterion whose missing-evidence rule is the fixed score.
    body = SMALL_SET.replace("when_missing: zero", f"when_missing: {score}").replace(
        "when_missing: exclude", f"when_missing: {score}"
    )
    ps = score_portal(load_criteria_set(write_set(tmp_path, body)), evidence())
    assert ps.score == score and ps.grade == letter


# ---------------------------------------------------------------- bundled sets


@pytest.mark.parametrize("name", ["mic-2023", "mic-2024"])
def test_bundled_sets_load_and_explain_themselves(name):
    cs = load_criteria_set(name)
    assert cs.id == name and cs.total == 100
    ids = [g.id for g in cs.groups]
    assert {"functionality", "performance", "accessibility"} <= set(ids)
    assert [g for g, _ in cs.grades] == ["A", "B", "C", "D", "E"]
    assert [lo for _, lo in cs.grades] == [90, 80, 65, 50, 0]
    d = cs.to_dict()
    assert len(d["criteria"]) == len(cs.criteria)
    for c in d["criteria"]:
        assert c["source"] and c["rule_words"] and c["when_missing_words"] and c["title_vi"] and c["title_en"]
        assert c["evidence"] in METRICS
    # says where the criteria are ours, in both languages of the report
    assert any("portalscore" in n for n in d["notes_vi"]) and any("portalscore" in n for n in d["notes_en"])
    assert d["description_vi"] and d["description_en"]
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d


def test_mic_2024_groups_and_points():
    cs = load_criteria_set("mic-2024")
    assert {g.id: g.points for g in cs.groups} == {
        "functionality": 50,
        "structure": 5,
        "performance": 20,
        "security": 15,
        "accessibility": 5,
        "emc": 5,
    }
    assert len(load_criteria_set("mic-2023").groups) == 3


# ---------------------------------------------------------------- loader errors name file, line and field


HEADER = """
id: mine
version: "1"
title_vi: "Bộ"
title_en: "Set"
"""


def load_error(tmp_path: Path, body: str) -> InputError:
    path = write_set(tmp_path, body)
    with pytest.raises(InputError) as info:
        load_criteria_set(path)
    assert str(info.value).startswith(str(path) + ":")
    return info.value


def test_typo_in_top_level_key(tmp_path):
    e = load_error(tmp_path, SMALL_SET.replace("grades:", "grdes:"))
    assert e.line == 5 and e.field == "grdes"
    assert "did you mean 'grades'" in e.message and "allowed:" in e.message


def test_unknown_metric_suggests_the_closest(tmp_path):
    e = load_error(tmp_path, SMALL_SET.replace("evidence: timing.lcp_ms", "evidence: timing.lcp"))
    assert e.field == "criteria[2].evidence" and e.line == 34
    assert "unknown metric 'timing.lcp'" in e.message and "did you mean 'timing.lcp_ms'" in e.message
    assert str(e).startswith(f"{tmp_path / 'set.yaml'}:34: criteria[2].evidence: unknown metric")


def test_unknown_rule_type_and_rule_keys(tmp_path):
    e = load_error(tmp_path, SMALL_SET.replace("type: lognormal", "type: lognormel"))
    assert e.field == "criteria[2].rule.type" and "did you mean 'lognormal'" in e.message
    e = load_error(tmp_path, SMALL_SET.replace("p10: 1200", "p1O: 1200"))
    assert e.field == "criteria[2].rule.p1O" and "allowed: type, p10, median" in e.message
    e = load_error(tmp_path, SMALL_SET.replace("median: 2400", "median: 1000"))
    assert e.field == "criteria[2].rule.p10" and "below the median" in e.message


def test_rule_must_fit_the_metric(tmp_path):
    e = load_error(
        tmp_path,
        SMALL_SET.replace(
            "evidence: scenario.search_procedure\n    rule: {type: pass_fail}",
            "evidence: scenario.search_procedure\n    rule: {type: lognormal, p10: 1, median: 2}",
        ),
    )
    assert e.field == "criteria[0].rule" and "lower is better" in e.message
    e = load_error(
        tmp_path,
        SMALL_SET.replace("rule: {type: linear, best: 0, worst: 100}", "rule: {type: linear, best: 100, worst: 0}"),
    )
    assert e.field == "criteria[3].rule.best"


def test_wrong_types(tmp_path):
    e = load_error(
        tmp_path, SMALL_SET.replace("points: 30\n    evidence: scenario", "points: thirty\n    evidence: scenario")
    )
    assert e.field == "criteria[0].points" and "must be a number" in e.message and e.line == 15
    e = load_error(tmp_path, SMALL_SET.replace('version: "1"', "version: 1.0"))
    assert e.field == "version" and "quote it" in e.message
    e = load_error(
        tmp_path, SMALL_SET.replace('when_missing: zero\n    source: "ND', 'when_missing: nothing\n    source: "ND')
    )
    assert e.field == "criteria[0].when_missing" and "zero, exclude" in e.message
    e = load_error(tmp_path, SMALL_SET.replace("statistic: p75", "statistic: p95"))
    assert e.field == "criteria[2].statistic" and "p50, p75, p90" in e.message


def test_missing_fields(tmp_path):
    e = load_error(tmp_path, SMALL_SET.replace('    source: "Web Vitals"\n', ""))
    assert e.field == "criteria[2].source" and e.message == "missing required field" and e.line == 29
    e = load_error(tmp_path, SMALL_SET.replace("    statistic: p75\n", ""))
    assert e.field == "criteria[2].statistic" and "page figure" in e.message
    e = load_error(tmp_path, SMALL_SET.replace('title_en: "Small set"\n', ""))
    assert e.field == "title_en"


def test_points_must_add_up(tmp_path):
    e = load_error(
        tmp_path,
        SMALL_SET.replace(
            "points: 20\n    evidence: scenario.dossier_lookup", "points: 15\n    evidence: scenario.dossier_lookup"
        ),
    )
    assert e.field == "criteria[1].points" and "add up to 45" in e.message and "declares 50" in e.message
    e = load_error(tmp_path, SMALL_SET.replace('Access", points: 20}', 'Access", points: 25}'))
    assert e.field == "groups" and "add up to 105" in e.message and "total is 100" in e.message


def test_duplicate_ids_and_unknown_group(tmp_path):
    e = load_error(tmp_path, SMALL_SET.replace("id: f.lookup", "id: f.search"))
    assert e.field == "criteria[1].id" and "duplicate criterion id 'f.search' (first at line 11)" in e.message
    e = load_error(tmp_path, SMALL_SET.replace("group: performance", "group: perfomance"))
    assert e.field == "criteria[2].group" and "did you mean 'performance'" in e.message


def test_required_groups_and_unknown_set_name(tmp_path):
    e = load_error(
        tmp_path,
        HEADER
        + """
        grades: {A: 90, E: 0}
        groups: [{id: functionality, title_vi: a, title_en: b, points: 100}]
        criteria: []
        """.replace("        ", ""),
    )
    assert "missing group 'performance'" in e.message
    with pytest.raises(InputError, match=r"unknown criteria set 'mic-2025' \(available: mic-2023, mic-2024"):
        load_criteria_set("mic-2025")
    with pytest.raises(InputError, match="file not found"):
        load_criteria_set(tmp_path / "nope.yaml")
    e = load_error(tmp_path, "id: [unclosed\n")
    assert "invalid YAML" in e.message


# ---------------------------------------------------------------- extends


def test_extends_overrides_adds_and_removes(tmp_path):
    path = write_set(
        tmp_path,
        HEADER
        + """
extends: mic-2024
remove: [sec.cookies, struct.sitemap]
criteria:
  - id: perf.lcp
    rule: {type: lognormal, p10: 1000, median: 2000}
  - id: sec.headers
    points: 3
  - id: struct.lang
    title_vi: "Khai báo ngôn ngữ"
    title_en: "Language declared"
    group: structure
    points: 1
    evidence: page.has_lang
    statistic: share
    rule: {type: ratio}
    when_missing: zero
    source: "WCAG 2.1 SC 3.1.1"
""",
    )
    cs = load_criteria_set(path)
    base = load_criteria_set("mic-2024")
    assert cs.id == "mine" and cs.extends == "mic-2024" and cs.file == str(path)
    ids = [c.id for c in cs.criteria]
    assert "sec.cookies" not in ids and "struct.sitemap" not in ids and ids[-1] == "struct.lang"
    lcp = next(c for c in cs.criteria if c.id == "perf.lcp")
    assert (
        lcp.rule == LogNormal(1000, 2000)
        and lcp.points == 3
        and lcp.source == next(c for c in base.criteria if c.id == "perf.lcp").source
    )
    assert next(c for c in cs.criteria if c.id == "sec.headers").points == 3
    assert [g.id for g in cs.groups] == [g.id for g in base.groups]


def test_extends_errors_point_at_the_users_file(tmp_path):
    e = load_error(tmp_path, HEADER + "extends: mic-2024\ncriteria:\n  - id: perf.lcp\n    points: 7\n")
    assert e.field == "criteria[0].points" and e.line == 8 and "'performance' add up to 24" in e.message
    e = load_error(tmp_path, HEADER + "extends: mic-2024\nremove: [sec.cookeis]\n")
    assert e.field == "remove[0]" and "did you mean 'sec.cookies'" in e.message
    e = load_error(tmp_path, HEADER + "extends: mic-2024\nremove_groups: [performance]\n")
    assert "cannot be removed" in e.message
    e = load_error(tmp_path, HEADER + "extends: mic-2042\n")
    assert e.field == "extends" and "available: mic-2023, mic-2024" in e.message
    e = load_error(tmp_path, HEADER + "extends: set.yaml\n")
    assert e.field == "extends" and "extends itself" in e.message
    e = load_error(tmp_path, HEADER + "remove: [perf.lcp]\n")
    assert e.field == "remove" and "only a set that `extends`" in e.message


def test_extends_changing_evidence_needs_a_new_rule(tmp_path):
    e = load_error(tmp_path, HEADER + "extends: mic-2024\ncriteria:\n  - id: perf.lcp\n    evidence: timing.fcp_ms\n")
    assert e.field == "criteria[0].statistic"  # the old statistic and rule belonged to the old metric


def test_extends_removing_a_group_with_its_criteria(tmp_path):
    path = write_set(
        tmp_path,
        HEADER
        + """
extends: mic-2024
remove_groups: [emc]
groups:
  - {id: security, points: 20}
criteria:
  - id: sec.https
    points: 8
""",
    )
    cs = load_criteria_set(path)
    assert "emc" not in [g.id for g in cs.groups] and not any(c.group == "emc" for c in cs.criteria)
    assert math.isclose(sum(c.points for c in cs.criteria), 100)
