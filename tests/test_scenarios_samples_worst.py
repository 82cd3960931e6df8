"""The worst sample portal fails exactly the journeys it is designed to fail, and nothing is posted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browsers import journey_browser

pytestmark = pytest.mark.browser

WORST = "tinh-bac-dong-mau"
# Its designed faults (portalscore/samples/profiles.py): search finds nothing (which costs the search journey
# only: the others reach a procedure page by the catalogue, issue 19), sign-in without VNeID, lookup answers 500,
# no payment, no feedback, no privacy page, fixed 1200px layout, no skip link. Its guide page, menu and procedure
# pages still work.
WORST_FAILS = {
    "search_procedure": "search",
    "online_submission": "vneid_offered",
    "dossier_lookup": "submit_code",
    "online_payment": "find_payment",
    "feedback": "find_feedback",
    "mobile": "home_no_horizontal_scroll",
    "keyboard": "skip_link",
    "privacy": "find_privacy",
}


@pytest.fixture(scope="module")
def chromium():
    with journey_browser() as journeys:
        yield journeys


def test_worst_sample_fails_its_designed_journeys_with_evidence(chromium, fleet, tmp_path: Path):
    from portalscore.scenarios.runner import run_scenarios

    before = fleet.non_get_count(WORST)
    worst = run_scenarios(chromium, fleet.portal(WORST), tmp_path)
    failed = {r.id: r.failed_step for r in worst if r.outcome == "failed"}
    assert failed == WORST_FAILS, {r.id: (r.outcome, r.failed_step, r.reason) for r in worst}
    assert {r.id for r in worst if r.outcome == "passed"} == {"home", "help", "procedure_detail"}
    routes = {r.id: r.route for r in worst if r.route}
    assert routes == {"procedure_detail": "catalogue", "online_submission": "catalogue"}, routes
    for r in worst:
        if r.outcome == "failed":
            assert (tmp_path / r.screenshot).exists() and (tmp_path / r.trace).exists()
            assert r.steps[-1].name == r.failed_step and not r.steps[-1].ok and r.reason
    assert fleet.non_get_count(WORST) == before == 0
