"""Issue 19, item 1 on real sample portals: a broken search costs the search criterion only.

The best sample portal is served a second time with its search broken (it answers "no result" to everything); its
procedure pages are still reachable by its catalogue and were found by the crawl. Every journey runs on both, and
both criteria sets score both: the only criterion that differs is the search's. The route each journey took to its
procedure page is recorded and named in the evidence line `portalscore explain` prints.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from portalscore.contract.evidence import PageEvidence, PortalEvidence, PortalRef
from tests.browsers import journey_browser

pytestmark = pytest.mark.browser

BEST = "bo-ket-noi-mau"


@pytest.fixture(scope="module")
def chromium():
    with journey_browser() as journeys:
        yield journeys


@pytest.fixture(scope="module")
def broken_search():
    from portalscore.samples import SAMPLE_PORTALS, SampleFleet

    spec = next(s for s in SAMPLE_PORTALS if s.id == BEST)
    spec = dataclasses.replace(spec, quality=dataclasses.replace(spec.quality, search_works=False))
    with SampleFleet.start((spec,)) as fleet:
        yield fleet


def _scores(results, portal) -> dict[str, dict[str, float]]:
    from portalscore.criteria import load_criteria_set, score_portal

    ev = PortalEvidence(portal=PortalRef(portal.id, portal.name, portal.kind, portal.url), scenarios=results)
    return {
        name: {c.id: c.points for c in score_portal(load_criteria_set(name), ev).criteria}
        for name in ("mic-2023", "mic-2024")
    }


def test_broken_search_costs_the_search_criterion_only(chromium, fleet, broken_search, tmp_path: Path):
    from portalscore.scenarios.runner import run_scenarios

    intact = run_scenarios(chromium, fleet.portal(BEST), tmp_path / "intact")
    broken = run_scenarios(chromium, broken_search.portal(BEST), tmp_path / "broken")
    assert {r.id: r.outcome for r in intact} == dict.fromkeys((r.id for r in intact), "passed")
    by_id = {r.id: r for r in broken}
    assert by_id["search_procedure"].outcome == "failed" and by_id["search_procedure"].failed_step == "search"
    for sid in ("procedure_detail", "online_submission", "mobile"):
        r = by_id[sid]
        assert r.outcome == "passed", (sid, r.failed_step, r.reason)
        assert r.route == "catalogue"
        assert [(a.route, a.ok, a.step) for a in r.route_attempts] == [
            ("search", False, "search"),
            ("catalogue", True, ""),
        ]
        # The failed route's steps were taken back: the journey's steps are the way that worked.
        assert all(s.ok for s in r.steps) and "search" not in [s.name for s in r.steps]
    # Every step recorded is one the criteria can name (contract/journeys.py): params.steps stays checkable.
    from portalscore.contract.journeys import registered

    for r in intact + broken:
        assert {s.name for s in r.steps} <= set(registered()[r.id].steps), r.id
    before, after = _scores(intact, fleet.portal(BEST)), _scores(broken, broken_search.portal(BEST))
    for name in before:
        lost = {cid for cid in before[name] if before[name][cid] != after[name][cid]}
        assert lost == {"func.search_procedure"}, (name, lost)
    assert broken_search.non_get_count() == 0


def test_a_procedure_page_the_crawl_found_is_a_route(chromium, broken_search):
    """Neither search nor catalogue: the crawl's procedure page is opened and judged, and the route says so."""
    from portalscore.scenarios import routes
    from portalscore.scenarios.journey import Journey

    portal = broken_search.portal(BEST)
    scheme = portal.profile
    from portalscore.samples import PROCEDURES
    from portalscore.samples.urls import SCHEMES

    detail = portal.url.rstrip("/") + SCHEMES[scheme.style].detail_url(PROCEDURES[0])
    candidates = routes.procedure_candidates(
        [
            PageEvidence(url=portal.url, status=200, title="Cổng Dịch vụ công"),
            PageEvidence(url=portal.url.rstrip("/") + "/tin-tuc/1", status=200, title="Tin tức"),
            PageEvidence(url=detail, status=200, title=PROCEDURES[0].name),
        ]
    )
    assert candidates == [detail]
    browser = chromium.ensure()
    context = browser.new_context()
    try:
        page = context.new_page()
        j = Journey(page, portal.url, procedure_pages=[portal.url.rstrip("/") + "/tin-tuc/1", detail])
        assert j.try_route("crawled", lambda: routes.via_crawled(j))
        assert j.route == "crawled" and j.route_attempts[0].url.startswith(detail.split("?")[0])
        assert j.steps[-1].name == "open_crawled_procedure" and "6 required items" in j.steps[-1].detail
        nothing = Journey(page, portal.url, procedure_pages=[])
        assert not nothing.try_route("crawled", lambda: routes.via_crawled(nothing))
        assert nothing.route == "" and nothing.steps == []
        assert "the crawl found no page that looks like a procedure page" in nothing.route_attempts[0].reason
    finally:
        context.close()


def test_procedure_candidates_of_both_url_styles():
    from portalscore.scenarios.routes import procedure_candidates

    base = "https://dvc.example.gov.vn"
    pages = [
        PageEvidence(url=f"{base}/", status=200, title="Trang chủ"),
        PageEvidence(url=f"{base}/pages/ChiTietThuTuc.aspx?id=12", status=200, title="Đăng ký khai sinh"),
        PageEvidence(url=f"{base}/thu-tuc-hanh-chinh/1.001193", status=200, title="Đăng ký kết hôn"),
        PageEvidence(url=f"{base}/thu-tuc-hanh-chinh/1.001194", status=500, title="Lỗi"),
        PageEvidence(url=f"{base}/thu-tuc-hanh-chinh/1.001195", profile="mobile", status=200),
        PageEvidence(url=f"{base}/tin-tuc/5", status=200, title="Tin tức"),
    ]
    assert procedure_candidates(pages) == [
        f"{base}/pages/ChiTietThuTuc.aspx?id=12",
        f"{base}/thu-tuc-hanh-chinh/1.001193",
    ]
