"""A portal whose pages run scripts that never yield, before and after load: a whole run, journeys included, ends
within its deadlines with those pages and journeys named, and leaves no process behind."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import psutil
import pytest

from tests import hostile
from tests.browsers import journey_browser
from tests.faultfarm import Farm, page
from tests.helpers import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
BUDGET_S = 15  # --journey-budget: the default (60 s) would make the same point four times slower


def test_pages_and_journeys_that_never_yield_are_named_and_the_run_ends(tmp_path):
    with Farm(hostile.busy_routes()) as farm:
        registry = tmp_path / "registry.yaml"
        registry.write_text(
            f"portals:\n  - {{id: ban, name: Cổng bận, kind: province, url: '{farm.url('/')}'}}\n", encoding="utf-8"
        )
        command = [
            sys.executable, "-m", "portalscore", "run", "--registry", str(registry), "--out", str(tmp_path / "out"),
            "--db", f"sqlite:///{tmp_path / 'db.sqlite'}", "--max-pages", "4", "--lab-runs", "1",
            "--journey-budget", str(BUDGET_S), "-q",
        ]  # fmt: skip
        start = time.monotonic()
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen: set[int] = set()
        while proc.poll() is None:
            try:
                seen.update(c.pid for c in psutil.Process(proc.pid).children(recursive=True))
            except psutil.NoSuchProcess:
                pass
            time.sleep(0.5)
            assert time.monotonic() - start < 600, "the run did not end"
        took = time.monotonic() - start
        _, stderr = proc.communicate()
    assert proc.returncode == 0, stderr[-3000:]
    alive = [p for p in seen if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert alive == [], [psutil.Process(p).cmdline()[:2] for p in alive]

    ev = json.loads((tmp_path / "out" / "evidence" / "ban.json").read_text(encoding="utf-8"))
    pages = {p["url"].rsplit("/", 1)[-1]: p for p in ev["pages"] if p["profile"] == "desktop"}
    for busy in ("", "truoc", "sau"):  # the home page and two others never yield
        assert "page unresponsive" in (pages[busy]["error"] or ""), (busy, pages[busy]["error"])
    assert pages["thu-tuc"]["error"] is None  # the well-behaved page of the same portal is evaluated
    journeys = ev["scenarios"]
    assert len(journeys) == 11
    said = [(s["id"], s["outcome"], s["reason"][:60]) for s in journeys]
    hung = [i for i, s in enumerate(journeys) if s["reason"].startswith("hung:")]
    # Some journey may finish in the moment before the script takes the page; then two hang in a row, and
    # the journeys after them are not run (they all start from the same stuck home page).
    assert len(hung) == 2 and hung[1] == hung[0] + 1, said
    assert all(s["outcome"] == "error" for s in journeys[hung[0] :]), said
    assert all(s["reason"].startswith("not run: the portal's pages stopped") for s in journeys[hung[1] + 1 :]), said
    # Well within 11 journeys × their budget: two hung journeys are enough to know.
    assert took < 11 * BUDGET_S + 120, took


def test_a_step_that_times_out_on_a_page_that_stopped_answering_counts_as_hung(tmp_path):
    """Which deadline fires first on a stuck page (the step's own timeout or the watchdog's) depends on where the
    journey was when the script took over; either way the journey hung, and two such in a row end the portal's
    journeys. Here the step's timeout comes first: the page is probed, found stuck, and the journey named hung."""
    from portalscore.contract.portal import Portal
    from portalscore.scenarios.journey import Scenario
    from portalscore.scenarios.runner import run_one

    def wait_for_a_button_never_drawn(j) -> None:
        j.open_home()
        with j.step("wait"):
            j.page.locator("#never").click()

    scenario = Scenario("stuck", "Stuck", wait_for_a_button_never_drawn)
    busy = "<script>setTimeout(() => { while (true) {} }, 500);</script>"
    with Farm({"/": page("Trang bận", head=busy)}) as farm, journey_browser() as journeys:
        portal = Portal(id="ban", name="Cổng bận", kind="province", url=farm.url("/"))
        result = run_one(journeys, scenario, portal, tmp_path, budget_s=8)
        after = run_one(journeys, scenario, portal, tmp_path, budget_s=8)  # the browser still serves journeys
    budget_and_grace_ms = 16_000
    for r in (result, after):
        assert r.reason.startswith("hung:"), r.reason
        assert r.ms < budget_and_grace_ms, r.ms  # named by the probe, not by the watchdog
