"""Our citizen journeys as pytest tests, one per journey, for portal teams:

    pytest scenarios --portal-url https://dichvucong.example.gov.vn --junitxml=journeys.xml

Skipped when no --portal-url is given. A journey that does not apply (marked "n/a" in the
overrides, or gated by a captcha) is skipped with its reason; a failing one names its step.
"""

from __future__ import annotations

import json

import pytest

from portalscore.crawler.browser import MOBILE, user_agent
from portalscore.scenarios.catalog import SCENARIOS
from portalscore.scenarios.journey import outcome_line, run_journey
from portalscore.scenarios.runner import allowed_posts
from portalscore.scenarios.safety import guard_of

DESKTOP_JOURNEYS = [sid for sid, s in SCENARIOS.items() if s.profile == "desktop"]


def _run(scenario_id: str, page, portal_url: str, overrides: dict[str, str], request: pytest.FixtureRequest) -> None:
    guard = guard_of(page.context)
    if guard is not None:
        guard.allowed_posts = allowed_posts(overrides, scenario_id)
    result = run_journey(SCENARIOS[scenario_id], page, portal_url, overrides, guard=guard)
    for step in result.steps:  # printed: pytest shows it with the failure
        print(f"{'ok ' if step.ok else 'FAIL'} {step.name} ({step.ms:.0f} ms) {step.detail} [{step.url}]")
    props = request.node.user_properties
    props.append(("scenario_outcome", result.outcome))
    props.append(("scenario_steps", json.dumps([[s.name, s.ok, s.ms] for s in result.steps])))
    if result.failed_step:
        props.append(("failed_step", result.failed_step))
    if result.overrides_used:
        props.append(("overrides_used", json.dumps(result.overrides_used, ensure_ascii=False)))
    if result.outcome == "not_applicable":
        pytest.skip(result.reason)
    if result.outcome != "passed":
        pytest.fail(outcome_line(result), pytrace=False)


@pytest.mark.parametrize("scenario_id", DESKTOP_JOURNEYS)
def test_journey(
    scenario_id: str, portal_url: str, portal_overrides: dict[str, str], page, request: pytest.FixtureRequest
) -> None:
    _run(scenario_id, page, portal_url, portal_overrides, request)


@pytest.mark.browser_context_args(**MOBILE, user_agent=user_agent("mobile"))
def test_journey_mobile(
    portal_url: str, portal_overrides: dict[str, str], page, request: pytest.FixtureRequest
) -> None:
    _run("mobile", page, portal_url, portal_overrides, request)
