"""Issue 19, item 1: each journey-based criterion earns credit only for the steps that show its subject.

"Opened the home page, found a search box" says nothing about a procedure page, a sign-in or a lookup: a journey
that got only that far earns 0 on every criterion that reads it, whichever criteria set. The steps that count are
data (`params.steps` in criteria/sets/*), checked by the loader against the steps each journey records
(contract/journeys.py). No browser: evidence is built from the contract's data classes.
"""

from __future__ import annotations

import pytest

from portalscore.contract import journeys as J
from portalscore.contract.evidence import RouteAttempt, ScenarioResult, StepResult
from portalscore.criteria import load_criteria_set, score_portal
from portalscore.criteria.metrics import METRICS
from portalscore.scenarios.reach import PROCEDURE_ITEM_STEPS
from tests.test_criteria import SMALL_SET, crit, evidence, load_error, page, write_set

SETS = ("mic-2023", "mic-2024")


def _journey_criteria() -> list[tuple[str, str, str]]:
    out = []
    for name in SETS:
        for c in load_criteria_set(name).criteria:
            if c.evidence.startswith(("scenario.", "scenario_steps.")):
                out.append((name, c.id, c.evidence.split(".", 1)[1]))
    return out


def _outside_subject_only(sid: str, patterns: list[str]) -> ScenarioResult:
    """The journey did everything up to its subject, then failed at the first step that shows the subject."""
    steps: list[StepResult] = []
    spec = J.spec_of(sid)
    assert spec is not None
    for name in spec.steps:
        if J.counts(name, patterns):
            steps.append(StepResult(name=name, ok=False, detail="not there"))
            break
        steps.append(StepResult(name=name, ok=True, detail="fine"))
    return ScenarioResult(
        id=sid, outcome="failed", steps=steps, failed_step=steps[-1].name, reason=f"{steps[-1].name}: not there"
    )


@pytest.mark.parametrize(("set_name", "criterion", "sid"), _journey_criteria())
def test_no_credit_for_steps_outside_the_subject(set_name, criterion, sid):
    cs = load_criteria_set(set_name)
    c = next(c for c in cs.criteria if c.id == criterion)
    metric = METRICS[c.evidence]
    patterns = c.params.get("steps") or (metric.params["steps"].default if "steps" in metric.params else [])
    patterns = list(patterns or J.registered()[sid].subject)
    result = _outside_subject_only(sid, patterns)
    assert any(st.ok for st in result.steps), "the journey did pass some steps before its subject"
    ps = score_portal(cs, evidence([page("https://p.example/")], scenarios=[result]))
    scored = crit(ps, criterion)
    assert scored.score == 0.0 and scored.points == 0.0, (criterion, scored.value, scored.arithmetic)


def test_home_and_search_box_earn_nothing_for_procedure_detail():
    """The issue's own case: 66.7 % used to be given for 'opened the home page, found a search box'."""
    result = ScenarioResult(
        id="procedure_detail",
        outcome="failed",
        failed_step="reach_procedure",
        reason="no route reached a procedure page",
        steps=[
            StepResult("open_home", True),
            StepResult("find_search", True),
            StepResult("reach_procedure", False, detail="search: no result list"),
        ],
    )
    for name in SETS:
        ps = score_portal(load_criteria_set(name), evidence([page("https://p.example/")], scenarios=[result]))
        d = crit(ps, "func.procedure_detail")
        assert d.value == 0.0 and d.score == 0.0
        assert "0 of 6" in d.arithmetic or "0 of 6" in str(d.statistic), d.arithmetic


def test_route_used_is_in_the_evidence_line():
    result = ScenarioResult(
        id="procedure_detail",
        outcome="passed",
        route="crawled",
        route_attempts=[
            RouteAttempt("search", False, step="search", reason="no result list for 'khai sinh'"),
            RouteAttempt("catalogue", False, step="find_catalogue", reason="no procedure list"),
            RouteAttempt("crawled", True, url="https://p.example/thu-tuc/1"),
        ],
        steps=[StepResult("open_home", True), StepResult("open_crawled_procedure", True)]
        + [StepResult(n, True) for n in PROCEDURE_ITEM_STEPS],
    )
    ps = score_portal(load_criteria_set("mic-2024"), evidence([page("https://p.example/")], scenarios=[result]))
    d = crit(ps, "func.procedure_detail")
    assert d.score == 100.0
    label = d.evidence[0].label
    assert "procedure page reached by a procedure page the crawl found" in label, label
    assert "tried first: the portal's search (step 'search'): no result list for 'khai sinh'" in label, label
    assert "the procedure catalogue (step 'find_catalogue'): no procedure list" in label, label


def test_steps_param_is_checked_by_the_loader(tmp_path):
    body = SMALL_SET.replace(
        "evidence: scenario.search_procedure\n    rule: {type: pass_fail}",
        "evidence: scenario_steps.procedure_detail\n    params: {steps: STEPS}\n    rule: {type: ratio}",
    )
    assert "STEPS" in body
    ok = write_set(tmp_path, body.replace("STEPS", '["has_*", service_level]'), "ok.yaml")
    assert load_criteria_set(ok).criteria[0].params["steps"] == ["has_*", "service_level"]
    e = load_error(tmp_path, body.replace("STEPS", "[has_fees]"))
    assert e.field == "criteria[0].params.steps"
    assert "'has_fees' names no step of the procedure_detail journey" in e.message and "has_phi_le_phi" in e.message
    e = load_error(tmp_path, body.replace("STEPS", "[]"))
    assert "non-empty list of step names" in e.message


def test_explain_names_the_route(tmp_path):
    """`portalscore explain` on a stored run prints the route the journey took and the routes that failed."""
    from portalscore.store import Store
    from tests import stored_runs
    from tests.helpers import portalscore_cli

    url = f"sqlite:///{tmp_path / 'runs.db'}"
    store = Store(url)
    p = stored_runs.portal("tinh-mau")
    run_id = store.create_run("r", "r.yaml", "mic-2024", stored_runs.settings(), [p])
    store.save_page(run_id, p.id, stored_runs.page(p.url, "h"))
    detail = ScenarioResult(
        id="procedure_detail",
        outcome="passed",
        route="catalogue",
        route_attempts=[
            RouteAttempt("search", False, step="search", reason="no result list for 'khai sinh'"),
            RouteAttempt("catalogue", True, url=p.url + "thu-tuc/1"),
        ],
        steps=[StepResult("open_home", True), StepResult("find_catalogue", True)]
        + [StepResult("open_catalogue_entry", True)]
        + [StepResult(n, True) for n in PROCEDURE_ITEM_STEPS],
    )
    ev = store.evidence(run_id, p.id)
    ev.scenarios = [detail]
    store.save_portal(run_id, ev, "done")
    store.finish_run(run_id)
    store.close()
    proc = portalscore_cli("explain", "--run", str(run_id), "--db", url, p.id, "func.procedure_detail")
    assert proc.returncode == 0, proc.stderr
    assert "score 100.00/100" in proc.stdout
    assert (
        "(procedure page reached by the procedure catalogue; tried first: the portal's search (step 'search'): "
        "no result list for 'khai sinh')" in proc.stdout
    ), proc.stdout


def test_every_route_has_its_words():
    from portalscore.criteria.metrics import ROUTE_WORDS

    assert set(ROUTE_WORDS) == set(J.ROUTES)


def test_every_journey_names_its_steps_and_subject():
    """Each journey declares its steps and subject with `@journey`; the criteria read exactly those journeys."""
    from portalscore.criteria.metrics import METRICS, journey_ids
    from portalscore.scenarios.catalog import SCENARIOS

    assert set(J.registered()) == set(journey_ids()) == set(SCENARIOS)
    for sid, spec in J.registered().items():
        assert all(J.steps_matching(sid, p) for p in spec.subject), sid
        assert METRICS[f"scenario_steps.{sid}"].params["steps"].default == list(spec.subject)
        assert METRICS[f"scenario.{sid}"].journey == sid
