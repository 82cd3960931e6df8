"""Issue 17's plug-in points, used as a newcomer would: a new journey is one file, and new page evidence is one file
(a gatherer declaring its fact), each scored by a criterion that is one YAML entry, with nothing of ours edited.
Both live in a package of their own on PYTHONPATH that names them under the `portalscore.journeys` and
`portalscore.gatherers` entry points (as any installed package would); ours are found the same way
(pyproject.toml). The real command line, a real Chromium, sample portals on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from portalscore.samples import SAMPLE_PORTALS, SampleFleet
from tests.helpers import ROOT, portalscore_cli, run_portal

JOURNEY_FILE = '''
"""Journey: the portal's contact page gives a phone number or an e-mail address."""

from portalscore.scenarios import textmatch
from portalscore.scenarios.journey import Journey, journey
from portalscore.scenarios.reach import open_home, reach_step


@journey(
    "contact_page",
    title="Có trang liên hệ với điện thoại hoặc thư điện tử",
    title_en="Contact page with a phone number or an e-mail address",
    steps=("open_home", "find_contact", "contact_details"),
    subject=("contact_details",),
    order=120,
)
def contact_page(j: Journey) -> None:
    open_home(j)
    reached = reach_step(j, "find_contact", "contact_page", ("liên hệ",))
    with j.step("contact_details") as s:
        j.require(not reached.offsite, f"the contact page is off-site at {reached.url}")
        text = j.text()
        found = textmatch.mentions(text, ("điện thoại", "thư điện tử", "email"))
        j.require(found, "the contact page gives no phone number or e-mail address")
        s.detail = f"mentions {found!r}"
'''

GATHERER_FILE = '''
"""Page evidence: the page declares a viewport that follows the phone's width (else a phone shows it zoomed out)."""

from portalscore.contract.evidence import Fact
from portalscore.contract.facts import FactSpec
from portalscore.crawler.gatherers import Gatherer, GathererMeta, PageRun, register

VIEWPORT = FactSpec(
    name="viewport_meta",
    gatherer="viewport",
    type="bool",
    better="higher",
    label="viewport meta",
    label_vi="thẻ meta viewport",
    description="the page declares a viewport that follows the device width",
    description_vi="trang khai báo khung nhìn theo chiều rộng thiết bị",
)


@register
class ViewportGatherer(Gatherer):
    meta = GathererMeta(name="viewport", produces=("facts",), stage="facts", order=50, facts=(VIEWPORT,))

    async def gather(self, run: PageRun) -> None:
        content = await run.tab.page.evaluate(
            "() => (document.querySelector('meta[name=viewport]') || {}).content || ''"
        )
        run.ev.facts[VIEWPORT.name] = Fact("width=device-width" in content.replace(" ", ""), content or "no viewport")
'''

CRITERIA = """
id: plug
version: "1"
title_vi: "Bộ thử"
title_en: "Plug-in set"
grades: {A: 90, B: 80, C: 65, D: 50, E: 0}
groups:
  - {id: functionality, title_vi: "Chức năng", title_en: "Functions", points: 80}
  - {id: performance, title_vi: "Hiệu năng", title_en: "Performance", points: 10}
  - {id: accessibility, title_vi: "Truy cập", title_en: "Access", points: 10}
criteria:
  - id: func.contact
    title_vi: "Trang liên hệ"
    title_en: "Contact page"
    group: functionality
    points: 80
    evidence: scenario_steps.contact_page
    rule: {type: linear, worst: 0, best: 1}
    when_missing: zero
    source: "issue 17 (a plug-in journey)"
  - id: perf.ok
    title_vi: "Trang trả lời"
    title_en: "Pages answer"
    group: performance
    points: 10
    evidence: page.ok
    statistic: share
    rule: {type: linear, worst: 0, best: 1}
    when_missing: zero
    source: "test"
  - id: a11y.viewport
    title_vi: "Khung nhìn theo thiết bị"
    title_en: "Viewport follows the device"
    group: accessibility
    points: 10
    evidence: fact.viewport_meta
    statistic: share
    rule: {type: linear, worst: 0, best: 1}
    when_missing: zero
    source: "test"
"""


def plugin(tmp: Path) -> dict[str, str]:
    """The two files, and the package metadata any installed package carries (here written by hand)."""
    site = tmp / "site"
    (site / "contact_journey-1.0.dist-info").mkdir(parents=True)
    (site / "contact_journey.py").write_text(JOURNEY_FILE, encoding="utf-8")
    (site / "viewport_fact.py").write_text(GATHERER_FILE, encoding="utf-8")
    meta = site / "contact_journey-1.0.dist-info"
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: contact-journey\nVersion: 1.0\n", encoding="utf-8")
    (meta / "entry_points.txt").write_text(
        "[portalscore.journeys]\ncontact = contact_journey\n\n[portalscore.gatherers]\nviewport = viewport_fact\n",
        encoding="utf-8",
    )
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH", "")]))}


def test_the_criteria_know_plugged_journeys_and_facts(tmp_path):
    """The criteria load a set that scores the new journey and fact; the journey's steps are checked like ours (a
    typo is an error). Importing the criteria loads no browser; loading this set does (the plug-ins' modules)."""
    env = {**os.environ, **plugin(tmp_path)}
    (tmp_path / "plug.yaml").write_text(CRITERIA, encoding="utf-8")
    code = textwrap.dedent(
        f"""
        from portalscore.criteria import load_criteria_set
        from portalscore.contract.journeys import registered
        cs = load_criteria_set({str(tmp_path / "plug.yaml")!r})
        print(cs.criteria[0].evidence, registered()["contact_page"].subject, list(registered())[-1])
        print(cs.criteria[-1].evidence, "playwright" in __import__("sys").modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "scenario_steps.contact_page", "('contact_details',)", "contact_page", "fact.viewport_meta", "True"
    ]  # fmt: skip

    (tmp_path / "typo.yaml").write_text(
        CRITERIA.replace("when_missing: zero", "when_missing: zero\n    params: {steps: [contact_detail]}"),
        encoding="utf-8",
    )
    typo = code.replace("plug.yaml", "typo.yaml")
    out = subprocess.run([sys.executable, "-c", typo], env=env, cwd=ROOT, capture_output=True, text=True)
    assert out.returncode != 0
    assert "'contact_detail' names no step of the contact_page journey" in out.stderr


@pytest.mark.browser
@pytest.mark.slow
def test_a_new_journey_and_new_page_evidence_are_one_file_each(tmp_path):
    """`portalscore check` runs the plugged journey and gatherer on sample portals, scores them by their YAML
    criteria, and judges the journey in the budget, like any of ours; the evidence line quotes the page."""
    (tmp_path / "plug.yaml").write_text(CRITERIA, encoding="utf-8")
    (tmp_path / "budget.yml").write_text("journeys: [contact_page]\n", encoding="utf-8")
    env = plugin(tmp_path)
    clean, no_viewport = SAMPLE_PORTALS[0], SAMPLE_PORTALS[5]
    assert (clean.quality.viewport, no_viewport.quality.viewport) == ("responsive", "none")
    with SampleFleet.start((clean, no_viewport)) as fleet:
        proc = portalscore_cli(
            "check", fleet.portals[0].url, "--criteria", str(tmp_path / "plug.yaml"),
            "--budget", str(tmp_path / "budget.yml"), "--out", str(tmp_path / "out"),
            "--db", f"sqlite:///{tmp_path / 'c.db'}", "--max-pages", "2", "--lab-runs", "1", "-q",
            env=env,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
        result = json.loads((tmp_path / "out" / "check-result.json").read_text(encoding="utf-8"))
        assert result["journeys"]["contact_page"] == "passed"
        assert result["score"] == 100, result

        db = f"sqlite:///{tmp_path / 'n.db'}"
        run_portal(fleet.portals[1].url, no_viewport.id, db, tmp_path / "n", "--criteria", str(tmp_path / "plug.yaml"),
                   env=env)  # fmt: skip
    proc = portalscore_cli("explain", "--run", "latest", "--db", db, "--json", no_viewport.id, "a11y.viewport", env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    explained = json.loads(proc.stdout)
    text = json.dumps(explained, ensure_ascii=False)
    assert "viewport meta: no (no viewport)" in text, text[:3000]
