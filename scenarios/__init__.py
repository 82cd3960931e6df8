"""The citizen's journeys on a DVCTT portal, for evaluation runs and for portal teams' pytest suites.

    from portalscore.scenarios.catalog import SCENARIOS
    from portalscore.scenarios.runner import run_scenarios
    results = run_scenarios(browser, portal, artefact_dir, allowed_hosts=None, only=None)

SCENARIOS maps each scenario id to its Scenario (id, title, title_en, run, profile), in the order of
issue 4. See docs/scenarios.md. This package's own import runs nothing (pytest imports it under its
bare name too when it collects scenarios/test_journeys.py).
"""
