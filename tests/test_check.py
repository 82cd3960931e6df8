"""`portalscore check` end to end (issue 21): the real command line, a real Chromium, sample portals on 127.0.0.1.

A clean sample portal meets the budget (exit 0); the same portal with one more serious axe violation, with slower
pages, or without the privacy page breaks exactly that budget line (exit 1), named in JUnit, JSON and Markdown;
an unreachable host exits 2; and `check` scores the site as a national `run` does.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from portalscore.criteria import load_criteria_set
from portalscore.samples import SAMPLE_PORTALS, SampleFleet
from tests.helpers import portalscore_cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLEAN = SAMPLE_PORTALS[0]  # bo-ket-noi-mau: no axe violation, no delay, every journey passes
assert CLEAN.id == "bo-ket-noi-mau"


def variant(suffix: str, **quality) -> object:
    return dataclasses.replace(CLEAN, id=f"{CLEAN.id}-{suffix}", quality=dataclasses.replace(CLEAN.quality, **quality))


BUDGET = """\
score: 80
groups: {accessibility: 80}
metrics:
  lcp_ms: 1500
  page_bytes: 500000
  axe: {critical: 0, serious: 0}
  broken_links: 0
journeys: [home, privacy]
"""
NO_JOURNEYS = BUDGET.replace("journeys: [home, privacy]\n", "")
FAST = ("--max-pages", "2", "--lab-runs", "3")


@pytest.fixture(scope="module")
def sites():
    specs = (
        CLEAN,
        variant("badge", contrast="badge"),  # one low-contrast badge per page: a serious violation
        variant("slow", delay_ms={"*": 2000}),  # every answer 2 s later
        variant("noprivacy", privacy=False),  # the privacy journey fails
    )
    with SampleFleet.start(specs) as fleet:  # type: ignore[arg-type]
        yield {p.id.removeprefix(CLEAN.id).lstrip("-") or "clean": p.url for p in fleet.portals}


def check(tmp: Path, url: str, budget: str, *flags: str):
    (tmp / "budget.yml").write_text(budget, encoding="utf-8")
    out = tmp / "out"
    proc = portalscore_cli(
        "check", url, "--budget", str(tmp / "budget.yml"), "--out", str(out), "--db", f"sqlite:///{tmp / 'c.db'}",
        "-q", *FAST, *flags,
    )  # fmt: skip
    return proc, out


def failures(out: Path) -> set[str]:
    root = ET.parse(out / "check-junit.xml").getroot()
    return {c.get("name", "") for c in root.iter("testcase") if c.find("failure") is not None}


def result(out: Path) -> dict:
    return json.loads((out / "check-result.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def clean_check(sites, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("clean")
    proc, out = check(tmp, sites["clean"], BUDGET)
    return proc, out


def test_a_site_that_meets_its_budget_exits_0(clean_check):
    proc, out = clean_check
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    data = result(out)
    assert data["status"] == "met" and data["broken"] == []
    assert failures(out) == set()
    assert data["journeys"]["privacy"] == "passed"
    assert "budget met" in (out / "check-summary.md").read_text(encoding="utf-8")
    assert Path(data["report"]).is_file()  # the HTML portal page, from reports/


def test_one_more_serious_violation_exits_1_and_is_named_everywhere(sites, tmp_path):
    proc, out = check(tmp_path, sites["badge"], NO_JOURNEYS, "--no-scenarios")
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    assert "BROKEN metrics.axe.serious" in proc.stdout
    assert "metrics.axe.serious" in failures(out)
    assert "metrics.axe.serious" in result(out)["broken"]
    md = (out / "check-summary.md").read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if line.startswith("| `metrics.axe.serious`"))
    assert "color-contrast" in row and sites["badge"] in row  # the rule's fix and the page


def test_a_slower_site_exits_1_on_its_timing_budget_and_against_the_baseline(sites, clean_check, tmp_path):
    baseline = clean_check[1] / "check-result.json"
    proc, out = check(tmp_path, sites["slow"], NO_JOURNEYS, "--no-scenarios", "--baseline", str(baseline))
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    broken = set(result(out)["broken"])
    assert {"metrics.lcp_ms", "baseline.lcp_ms"} <= broken, broken
    assert {"metrics.lcp_ms", "baseline.lcp_ms"} <= failures(out)
    assert "`metrics.lcp_ms`" in (out / "check-summary.md").read_text(encoding="utf-8")


def test_a_failing_journey_exits_1_naming_its_step(sites, tmp_path):
    proc, out = check(tmp_path, sites["noprivacy"], BUDGET)
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    assert result(out)["broken"] == ["journeys.privacy"]
    root = ET.parse(out / "check-junit.xml").getroot()
    case = next(c for c in root.iter("testcase") if c.get("name") == "privacy")
    failure = case.find("failure")
    assert failure is not None and "find_privacy" in failure.get("message", "")
    assert "`journeys.privacy`" in (out / "check-summary.md").read_text(encoding="utf-8")


def test_an_unreachable_host_exits_2(tmp_path):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc, out = check(tmp_path, f"http://127.0.0.1:{port}/", BUDGET, "--no-scenarios")
    assert proc.returncode == 2, proc.stdout + proc.stderr[-2000:]
    assert "could not be evaluated" in proc.stderr
    assert result(out)["status"] == "unusable"


def test_bad_input_exits_2_with_one_line_before_any_crawl(tmp_path):
    (tmp_path / "b.yml").write_text("metrics:\n  lcp: 3\n", encoding="utf-8")
    proc = portalscore_cli("check", "http://127.0.0.1:9/", "--budget", str(tmp_path / "b.yml"), "--out", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"portalscore: error: {tmp_path / 'b.yml'}:2: metrics.lcp: unknown key "
                                                "(expected one of: axe, broken_links, checks, cls, fcp_ms, lcp_ms, "
                                                "load_ms, page_bytes, ttfb_ms)"]  # fmt: skip
    proc = portalscore_cli("check", "javascript:alert(1)", "--out", str(tmp_path))
    assert proc.returncode == 2 and "not an http(s) URL" in proc.stderr


def test_check_and_a_national_run_give_the_same_criterion_scores(sites, clean_check, tmp_path):
    """The same pipeline and criteria set: every criterion gets the same score, but for timings, which two
    sets of loads of the same page measure within the criteria set's noise margin."""
    registry = tmp_path / "r.yaml"
    registry.write_text(
        f"name: same\nportals:\n  - id: site\n    name: Site\n    kind: other\n    url: {sites['clean']}\n",
        encoding="utf-8",
    )
    proc = portalscore_cli(
        "run", "--registry", str(registry), "--out", str(tmp_path / "run"), "--db", f"sqlite:///{tmp_path / 'r.db'}",
        "-q", *FAST,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]

    def criteria(ranking: Path) -> dict:
        (portal,) = json.loads(ranking.read_text(encoding="utf-8"))["portals"]
        return portal["criteria"]

    by_run = criteria(tmp_path / "run" / "ranking.json")
    by_check = criteria(clean_check[1] / "ranking.json")
    assert by_run.keys() == by_check.keys() and len(by_run) > 20
    cs = load_criteria_set("mic-2024")
    timing = {c.id: c for c in cs.criteria if c.evidence.startswith("timing.")}
    for cid, run_score in by_run.items():
        if cid in timing:
            # Two sets of loads minutes apart: under the mobile profile's 4x CPU throttle, other work on the machine
            # moved LCP about 20 %, 11 points where the curve is steep (measured: a test suite and a benchmark
            # beside this test); unthrottled desktop loads stay within the noise margin and 5 points.
            allowed = 2 * cs.noise_margin + (15 if timing[cid].profile == "mobile" else 5)
            assert run_score["status"] == by_check[cid]["status"] == "scored", cid
            assert abs(run_score["score"] - by_check[cid]["score"]) <= allowed, cid
        else:
            assert run_score == by_check[cid], cid
    assert json.loads((clean_check[1] / "check-result.json").read_text())["criteria_set"].startswith("mic-2024")
