"""The citizen's journeys on a DVCTT portal, for evaluation runs and for portal teams' pytest suites.

    from scenarios import SCENARIOS, run_scenarios
    results = run_scenarios(browser, portal, artefact_dir, allowed_hosts=None, only=None)

SCENARIOS maps each scenario id to its Scenario (id, title, title_en, run, profile), in the order of
issue 4. See docs/scenarios.md.
"""
from __future__ import annotations

from .catalog import SCENARIOS
from .journey import Journey, NotApplicable, Scenario, StepFailed, run_journey
from .runner import run_scenarios

__all__ = ["SCENARIOS", "Journey", "NotApplicable", "Scenario", "StepFailed", "run_journey", "run_scenarios"]
