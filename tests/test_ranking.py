"""Ranking: shared places for equal scores, ranks within kind, noise ties, change against the previous run."""

from __future__ import annotations

from portalscore.criteria import load_criteria_set, rank, score_portal
from portalscore.criteria.model import PortalScore
from tests.test_criteria import evidence, page, scenario


def ps(pid: str, score: float, kind: str = "province", margin: float = 1.0) -> PortalScore:
    return PortalScore(
        portal_id=pid,
        name=pid.upper(),
        kind=kind,
        url=f"https://{pid}.example/",
        score=score,
        grade="",
        noise_margin=margin,
    )


def by_id(scores: list[PortalScore]) -> dict[str, PortalScore]:
    return {s.portal_id: s for s in scores}


def test_equal_scores_share_a_place_and_ties_order_by_id():
    ranked = rank([ps("d", 70.0), ps("c", 80.0), ps("b", 80.0), ps("a", 90.0), ps("e", 10.0)])
    assert [(s.portal_id, s.rank) for s in ranked] == [("a", 1), ("b", 2), ("c", 2), ("d", 4), ("e", 5)]


def test_equal_after_rounding_to_two_places():
    ranked = rank([ps("x", 80.004), ps("y", 80.001), ps("z", 79.99)])
    assert [(s.portal_id, s.rank) for s in ranked] == [("x", 1), ("y", 1), ("z", 3)]


def test_rank_within_kind():
    ranked = by_id(
        rank([ps("mot", 75, "ministry"), ps("hn", 80), ps("monre", 40, "ministry"), ps("ct", 90), ps("bl", 80)])
    )
    assert {k: (s.rank, s.rank_in_kind) for k, s in ranked.items()} == {
        "ct": (1, 1),
        "bl": (2, 2),
        "hn": (2, 2),
        "mot": (4, 1),
        "monre": (5, 2),
    }


def test_scores_within_the_noise_margin_are_not_distinguishable():
    ranked = by_id(rank([ps("a", 80.0), ps("b", 79.2), ps("c", 78.0), ps("d", 78.0)]))
    assert ranked["a"].tied_with == ["b"]  # 0.8 apart: within 1.0
    assert ranked["b"].tied_with == ["a"]  # 1.2 from c and d
    assert ranked["c"].tied_with == ["d"] and ranked["d"].tied_with == ["c"]
    assert ranked["a"].rank == 1 and ranked["b"].rank == 2  # places are still given, the tie is stated
    wide = by_id(rank([ps("a", 80.0), ps("b", 79.2), ps("c", 78.0)], noise_margin=2.5))
    assert wide["a"].tied_with == ["b", "c"] and wide["a"].noise_margin == 2.5
    exact = by_id(rank([ps("a", 80.0, margin=0), ps("b", 80.0, margin=0), ps("c", 79.99, margin=0)]))
    assert exact["a"].tied_with == ["b"] and exact["c"].tied_with == []


def test_measured_noise_widens_the_tie():
    a, b, c = ps("a", 80.0), ps("b", 77.0), ps("c", 70.0)
    a.noise = 3.5  # a's score moves by 3.5 points from one lab load to the next
    ranked = by_id(rank([a, b, c]))
    assert ranked["a"].tied_with == ["b"] and ranked["b"].tied_with == ["a"] and ranked["c"].tied_with == []


def test_change_against_previous_run():
    previous = {"a": 2, "b": 1, "c": 3}
    ranked = by_id(rank([ps("a", 90), ps("b", 80), ps("c", 70), ps("new", 60)], previous=previous))
    assert {k: (s.change, s.previous_rank) for k, s in ranked.items()} == {
        "a": ("up", 2),
        "b": ("down", 1),
        "c": ("same", 3),
        "new": ("new", None),
    }
    first = rank([ps("a", 90)])
    assert first[0].change == "" and first[0].previous_rank is None


def test_ranking_scored_portals_end_to_end():
    cs = load_criteria_set("mic-2024")
    fast = evidence(
        [page("https://fast.example/", lcp=900)], pid="fast", scenarios=[scenario("search_procedure", "passed")]
    )
    slow = evidence(
        [page("https://slow.example/", lcp=6000)], pid="slow", scenarios=[scenario("search_procedure", "passed")]
    )
    broken = evidence(
        [page("https://broken.example/", lcp=900)],
        pid="broken",
        kind="ministry",
        scenarios=[scenario("search_procedure", "failed", [("open", True), ("search", False)])],
    )
    ranked = rank([score_portal(cs, e) for e in (slow, broken, fast)])
    assert [s.portal_id for s in ranked] == ["fast", "slow", "broken"]
    assert [s.rank_in_kind for s in ranked] == [1, 2, 1]
    assert ranked[0].noise_margin == cs.noise_margin
