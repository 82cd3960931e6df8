"""What a portal team runs: `pytest scenarios --portal-url ...` gets one test per page and check family
(accessibility, our checks, performance) beside the journeys (issue 21), read through its JUnit XML."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_scenarios_pytest import cases, run_pytest

pytestmark = pytest.mark.browser


def test_a_clean_portal_passes_every_page_test_beside_the_journeys(fleet, tmp_path: Path):
    url = fleet.portal("bo-ket-noi-mau").url
    proc, xml = run_pytest(
        tmp_path, "--portal-url", url, "--portal-page", url, "--portal-page", url + "p/home/dvc-danh-muc-dich-vu-cong.html",
        "--portal-lab-runs", "2", "-k", "test_page or home",
    )  # fmt: skip
    found = cases(xml)
    pages = {name: c for name, c in found.items() if name.startswith("test_page")}
    assert len(pages) == 6, found  # 2 pages x 3 families
    assert {n.split("-")[-1].rstrip("]") for n in pages} == {"accessibility", "checks", "performance"}
    assert all(c["status"] == "passed" for c in found.values()), (found, proc.stdout[-3000:])
    assert (
        "test_journey[chromium-home]" in found
    )  # the journeys' sync browser and the pages' measurement share a session
    assert proc.returncode == 0


def test_a_failing_page_names_its_rule_element_and_family(fleet, tmp_path: Path):
    url = fleet.portal("bo-moi-truong-mau").url  # missing alts, a low-contrast badge
    proc, xml = run_pytest(
        tmp_path, "--portal-url", url, "--portal-lab-runs", "1", "--portal-max-lcp-ms", "1", "-k", "test_page",
    )  # fmt: skip
    assert proc.returncode == 1
    found = cases(xml)
    a11y = found[f"test_page[{url}-accessibility]"]["status"]
    assert a11y.startswith("failure") and "image-alt" in a11y and ".banner" in a11y
    perf = found[f"test_page[{url}-performance]"]["status"]
    assert "LCP" in perf and "> 1 ms" in perf


def test_without_a_portal_the_page_tests_are_skipped(tmp_path: Path):
    proc, xml = run_pytest(tmp_path, "-k", "test_page")
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert all(c["status"].startswith("skipped") for c in cases(xml).values())
