"""`portalscore diff`: ranking, score and grade changes between two stored runs."""

from __future__ import annotations

import json

import pytest

from portalscore.history import diff_runs, format_text
from portalscore.store import Store
from tests import stored_runs
from tests.helpers import portalscore_cli


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    store = Store(url)
    a = stored_runs.scored_run(
        store, "vn-2025", {"hanoi": 60.0, "hue": 70.0, "danang": 50.0}, kinds={"danang": "province"}
    )
    b = stored_runs.scored_run(
        store, "vn-2025", {"hanoi": 80.0, "hue": 65.0, "bo-tu-phap": 90.0}, kinds={"bo-tu-phap": "ministry"}
    )
    yield {"url": url, "store": store, "a": a, "b": b}
    store.close()


def test_diff_names_movers_new_and_gone_portals_and_grade_changes(db):
    diff = diff_runs(db["store"], db["a"], db["b"])
    by_id = {c.portal_id: c for c in diff.changes}
    # Run B's ranking order, then what is gone.
    assert [c.portal_id for c in diff.changes] == ["bo-tu-phap", "hanoi", "hue", "danang"]
    hanoi = by_id["hanoi"]
    assert (hanoi.rank_a, hanoi.rank_b, hanoi.score_delta, hanoi.grade_a, hanoi.grade_b) == (2, 2, 20.0, "D", "B")
    assert hanoi.status == "same" and hanoi.grade_changed
    hue = by_id["hue"]
    assert (hue.status, hue.rank_a, hue.rank_b, hue.rank_change, hue.score_delta) == ("down", 1, 3, -2, -5.0)
    assert not hue.grade_changed and hue.groups["performance"] == {"a": 70.0, "b": 65.0, "delta": -5.0}
    assert (by_id["bo-tu-phap"].status, by_id["bo-tu-phap"].rank_a, by_id["bo-tu-phap"].score_delta) == (
        "new",
        None,
        None,
    )
    assert (by_id["danang"].status, by_id["danang"].rank_b, by_id["danang"].score_a) == ("gone", None, 50.0)
    assert diff.summary() == {"up": 0, "down": 1, "same": 1, "new": 1, "gone": 1, "grade_changes": 1}

    text = format_text(diff)
    assert "Cổng dịch vụ công HUE (hue)" in text
    hue_line = next(line for line in text.splitlines() if "(hue)" in line)
    assert "1 → 3" in hue_line and "▼2" in hue_line and "-5.0" in hue_line
    hanoi_line = next(line for line in text.splitlines() if "(hanoi)" in line)
    assert "D → B" in hanoi_line and "+20.0" in hanoi_line
    assert "new" in next(line for line in text.splitlines() if "(bo-tu-phap)" in line)
    assert text.splitlines()[-1] == "0 up, 1 down, 1 same, 1 new, 1 gone; 1 grade changes"


def test_diff_command_prints_json(db):
    proc = portalscore_cli("diff", str(db["a"]), "latest", "--db", db["url"], "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["run_a"]["id"] == db["a"] and doc["run_b"]["id"] == db["b"] and doc["criteria_set"] == "test-set"
    hue = next(p for p in doc["portals"] if p["portal_id"] == "hue")
    assert (hue["rank_change"], hue["score_delta"], hue["status"]) == (-2, -5.0, "down")
    assert doc["summary"]["new"] == 1


def test_diff_command_prints_a_table(db):
    proc = portalscore_cli("diff", str(db["a"]), str(db["b"]), "--db", db["url"])
    assert proc.returncode == 0, proc.stderr
    assert f"run {db['a']}" in proc.stdout and "D → B" in proc.stdout


def test_diff_rescores_stored_evidence_with_another_criteria_set(db):
    """Runs scored with one set compare under another without re-crawling: scores come from stored evidence."""
    store = db["store"]
    assert store.scores(db["a"], "mic-2024") == []
    diff = diff_runs(store, db["a"], db["b"], "mic-2024")
    assert diff.criteria_set == "mic-2024"
    assert {c.portal_id for c in diff.changes} == {"hanoi", "hue", "danang", "bo-tu-phap"}
    assert all(0 <= (c.score_b if c.score_b is not None else c.score_a) <= 100 for c in diff.changes)
    assert len(store.scores(db["a"], "mic-2024")) == 3  # stored, as `report --criteria` does


@pytest.mark.parametrize(
    "args, message",
    [
        (["1", "99"], "no run 99"),
        (["1", "two"], "run id must be a number"),
        (["1", "2", "--criteria", "no-such-set"], "no-such-set"),
    ],
)
def test_diff_bad_input_is_one_clear_line(db, args, message):
    proc = portalscore_cli("diff", *args, "--db", db["url"])
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
