"""Each middle sample portal fails the journey its designed faults break (portalscore/samples/profiles.py:
faults are nested, each portal adds some), checked on the journeys that tell it from its neighbours."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browsers import journey_browser

pytestmark = pytest.mark.browser

# portal -> {journey: expected failed step, or None for passed}
LADDER = {
    "tinh-song-xanh-mau": {"privacy": "find_privacy", "online_payment": None},  # no privacy page
    "bo-moi-truong-mau": {"online_payment": "find_payment", "keyboard": None, "online_submission": None},
    # + no skip link, sign-in without VNeID (the footer's link to the national portal is not a sign-in option)
    "tinh-lam-hai-mau": {"keyboard": "skip_link", "online_submission": "vneid_offered", "dossier_lookup": None},
    "bo-dan-sinh-mau": {
        "dossier_lookup": "submit_code",
        "mobile": "home_no_horizontal_scroll",
        "search_procedure": None,
    },  # + lookup 500, fixed width
}


@pytest.fixture(scope="module")
def chromium():
    with journey_browser() as journeys:
        yield journeys


@pytest.mark.parametrize("portal_id", list(LADDER))
def test_sample_portal_fails_where_its_design_says(chromium, fleet, portal_id: str, tmp_path: Path):
    from portalscore.scenarios.runner import run_scenarios

    expected = LADDER[portal_id]
    results = run_scenarios(chromium, fleet.portal(portal_id), tmp_path, only=list(expected))
    got = {
        r.id: (r.failed_step if r.outcome == "failed" else None if r.outcome == "passed" else r.outcome)
        for r in results
    }
    assert got == expected, {r.id: r.reason for r in results}
    assert fleet.non_get_count(portal_id) == 0
