"""What a portal team runs: `pytest scenarios --portal-url ...` in a subprocess, read through its JUnit XML."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import ROOT


def run_pytest(tmp_path: Path, *args: str, timeout: float = 240) -> tuple[subprocess.CompletedProcess, Path]:
    xml = tmp_path / "journeys.xml"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "scenarios",
            "-p",
            "no:cacheprovider",
            "-q",
            f"--junitxml={xml}",
            "--output",
            str(tmp_path / "artefacts"),
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return proc, xml


def cases(xml: Path) -> dict[str, dict]:
    out = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        status = "passed"
        for tag in ("failure", "error", "skipped"):
            element = case.find(tag)
            if element is not None:
                status = f"{tag}: {element.get('message', '')}"
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        out[case.get("name")] = {"status": status, "props": props}
    return out


@pytest.mark.browser
def test_team_runs_the_journeys_on_their_portal_with_junit_xml(fleet, tmp_path: Path):
    portal = fleet.portal("bo-ket-noi-mau")
    posts_before = fleet.non_get_count(portal.id)
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("online_payment: n/a\ndossier_lookup.code: H11.22-333333-4444\n", encoding="utf-8")
    proc, xml = run_pytest(
        tmp_path, "--portal-url", portal.url, "--portal-allowed-host", "127.0.0.1", "--portal-overrides", str(overrides)
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = cases(xml)
    assert len([name for name in result if name.startswith("test_journey")]) == 11
    assert len(result) == 11 + 3  # and scenarios/test_pages.py's families, one test each with no page given
    statuses = {name: r["status"] for name, r in result.items()}
    skipped = [name for name, s in statuses.items() if s.startswith("skipped")]
    assert len(skipped) == 1 and "online_payment" in skipped[0]
    assert "marked not applicable" in statuses[skipped[0]]
    assert all(s == "passed" for name, s in statuses.items() if name not in skipped), statuses
    lookup = next(r for name, r in result.items() if "dossier_lookup" in name)
    assert lookup["props"]["scenario_outcome"] == "passed"
    assert "H11.22-333333-4444" in lookup["props"]["overrides_used"]
    assert fleet.non_get_count(portal.id) == posts_before == 0


@pytest.mark.browser
def test_a_failing_journey_names_its_step_and_keeps_a_screenshot(fleet, tmp_path: Path):
    worst = fleet.portal("tinh-bac-dong-mau").url
    proc, xml = run_pytest(
        tmp_path,
        "--portal-url",
        worst,
        "--portal-allowed-host",
        "127.0.0.1",
        "-k",
        "dossier_lookup or privacy",
        "--screenshot",
        "only-on-failure",
    )
    assert proc.returncode == 1, proc.stdout[-3000:]
    result = cases(xml)
    assert set(result) == {"test_journey[chromium-dossier_lookup]", "test_journey[chromium-privacy]"}
    lookup = result["test_journey[chromium-dossier_lookup]"]
    assert lookup["status"].startswith("failure: ")
    assert "dossier_lookup: failed at step 'submit_code'" in lookup["status"]
    assert lookup["props"]["failed_step"] == "submit_code"
    shots = list((tmp_path / "artefacts").rglob("*.png"))
    assert len(shots) == 2


def test_without_a_portal_every_journey_is_skipped_with_the_reason(tmp_path: Path):
    proc, xml = run_pytest(tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stdout[-2000:]
    result = cases(xml)
    assert len([name for name in result if name.startswith("test_journey")]) == 11
    assert len(result) == 11 + 3  # and scenarios/test_pages.py's families, one test each with no page given
    assert all("--portal-url" in r["status"] and r["status"].startswith("skipped") for r in result.values())


def test_a_typo_in_the_overrides_file_stops_with_file_line_and_key(tmp_path: Path):
    bad = tmp_path / "overrides.yaml"
    bad.write_text("dossier_lookup.code: H00\nsearch_procedure.inptu: '#q'\n", encoding="utf-8")
    proc, _ = run_pytest(tmp_path, "--portal-url", "http://127.0.0.1:9/", "--portal-overrides", str(bad), timeout=60)
    assert proc.returncode == 4
    assert f"{bad}:2: search_procedure.inptu: unknown override" in proc.stderr


@pytest.mark.browser
def test_the_documented_team_scenario_file_runs_next_to_ours(fleet, tmp_path: Path):
    """The example of docs/scenarios.md, as a team would save it, passes on the best sample portal."""
    import re
    import shutil
    import uuid

    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    example = re.search(r"```python\n(from portalscore.scenarios import locate.*?)```", doc, re.S).group(1)
    # Under the repository (so the root conftest.py applies, as in scenarios/), in the ignored out/ folder.
    folder = ROOT / "out" / f"team-example-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    try:
        (folder / "test_my_portal.py").write_text(example, encoding="utf-8")
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                str(folder / "test_my_portal.py"),
                "-p",
                "no:cacheprovider",
                "-q",
                "--portal-url",
                fleet.portal("bo-ket-noi-mau").url,
                "--output",
                str(tmp_path / "artefacts"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        shutil.rmtree(folder)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "1 passed" in proc.stdout
