"""The journeys on the bundled sample portals: the best passes every journey, and a full run sends no
POST to any portal (the worst and the middle ones: test_scenarios_samples_worst.py, _ladder.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browsers import journey_browser

pytestmark = pytest.mark.browser

BEST = "bo-ket-noi-mau"


@pytest.fixture(scope="module")
def chromium():
    with journey_browser() as journeys:
        yield journeys


def test_best_sample_passes_every_journey_and_nothing_is_posted(chromium, fleet, tmp_path: Path):
    from portalscore.scenarios.catalog import SCENARIOS
    from portalscore.scenarios.runner import run_scenarios

    before = fleet.non_get_count()
    best = run_scenarios(chromium, fleet.portal(BEST), tmp_path)
    assert {r.id: r.outcome for r in best} == dict.fromkeys(SCENARIOS, "passed"), [
        (r.id, r.failed_step, r.reason) for r in best if r.outcome != "passed"
    ]
    assert all(r.screenshot is None and r.steps and all(s.ok for s in r.steps) for r in best)
    # The feedback form and the sign-in form are there, and were never sent.
    assert fleet.non_get_count() == before == 0
