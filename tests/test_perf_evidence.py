"""Performance evidence a publisher can defend (issue 19, item 2), the parts that need no browser: which pages the
lab times, under which throttle, weight judged on the heaviest template, desktop and mobile both scored, and ties
within the performance group's measured spread. The browser part: tests/test_crawler_crawl.py (mobile lab loads)."""

from __future__ import annotations

from dataclasses import replace

from portalscore.contract.evidence import LabTiming, PageEvidence, PortalEvidence, PortalRef, Timings
from portalscore.crawler.lab import lab_sample, lab_throttle
from portalscore.crawler.settings import CrawlSettings
from portalscore.criteria import load_criteria_set, rank, score_portal

BASE = "https://dvc.example.gov.vn"


def _page(path: str, template: str, weight: int = 200_000, profile: str = "desktop", **kw) -> PageEvidence:
    return PageEvidence(
        url=BASE + path, profile=profile, status=200, template=template, transfer_bytes=weight, title="t", **kw
    )


def _crawl() -> list[PageEvidence]:
    """Start page, 6 news pages, 3 procedure pages, 1 contact page, in crawl order."""
    pages = [_page("/", "home")]
    pages += [_page(f"/tin-tuc/{i}", "news") for i in range(6)]
    pages += [_page(f"/thu-tuc/{i}", "procedure") for i in range(3)]
    pages += [_page("/lien-he", "contact")]
    return pages


def test_lab_times_the_start_page_and_one_page_of_every_template_with_enough_pages():
    chosen = [p.url.removeprefix(BASE) for p in lab_sample(_crawl(), 4)]
    # the one-page contact template is not a template's worth of evidence; budget left goes to spread pages
    assert chosen[0] == "/" and "/tin-tuc/0" in chosen and "/thu-tuc/0" in chosen and len(chosen) == 4
    assert lab_sample(_crawl(), 4) == lab_sample(_crawl(), 4)  # stable from run to run


def test_the_lab_budget_is_kept_and_the_largest_templates_come_first():
    assert [p.url.removeprefix(BASE) for p in lab_sample(_crawl(), 2)] == ["/", "/tin-tuc/0"]
    assert lab_sample(_crawl(), 0) == []
    failed = [replace(p, error="http 500", status=500) for p in _crawl()]
    assert lab_sample(failed, 4) == []


def test_mobile_is_throttled_by_the_fixed_profile_and_throttle_applies_to_both():
    plain = CrawlSettings()
    assert plain.profiles == ("desktop", "mobile")
    assert (lab_throttle(plain, "desktop"), lab_throttle(plain, "mobile")) == (None, "slow-4g")
    slow = CrawlSettings(throttle="regular-3g")
    assert (lab_throttle(slow, "desktop"), lab_throttle(slow, "mobile")) == ("regular-3g", "regular-3g")


def _evidence(
    pid: str = "p",
    pages: list[PageEvidence] | None = None,
    desktop_lcp: list[float] = (900, 900, 900),
    mobile_lcp: list[float] = (2000, 2000, 2000),
) -> PortalEvidence:
    pages = pages if pages is not None else _crawl()
    lab = []
    for profile, lcps in (("desktop", desktop_lcp), ("mobile", mobile_lcp)):
        samples = [Timings(ttfb_ms=100, fcp_ms=lcp * 0.6, lcp_ms=lcp, cls=0.0, tbt_ms=0) for lcp in lcps]
        median = sorted(samples, key=lambda t: t.lcp_ms)[len(samples) // 2]
        lab.append(LabTiming(url=BASE + "/", profile=profile, runs=len(samples), median=median, samples=samples))
    return PortalEvidence(portal=PortalRef(pid, pid, "province", BASE + "/"), pages=pages, lab=lab)


def _criterion(ps, cid):
    return next(c for c in ps.criteria if c.id == cid)


def test_a_heavy_page_template_costs_points_that_the_typical_page_weight_hides():
    pages = _crawl()
    # two of the three procedure pages weigh 5 MB: the template's median is 5 MB, the p75 of all pages is light
    pages = [replace(p, transfer_bytes=5_000_000) if p.url.endswith(("/thu-tuc/0", "/thu-tuc/1")) else p for p in pages]
    ps = score_portal(load_criteria_set("mic-2024"), _evidence(pages=pages))
    assert _criterion(ps, "perf.weight").score == 100  # p75 over 11 pages: a light news page
    heaviest = _criterion(ps, "perf.weight_heaviest")
    assert heaviest.value == 5_000_000 and heaviest.score < 50
    assert heaviest.evidence[0].url.startswith(BASE + "/thu-tuc/")


def test_desktop_and_mobile_are_both_scored_mobile_on_mobile_thresholds():
    cs = load_criteria_set("mic-2024")
    fast_phone = score_portal(cs, _evidence(mobile_lcp=(2000, 2000, 2000)))
    slow_phone = score_portal(cs, _evidence(mobile_lcp=(8000, 8000, 8000)))
    assert _criterion(fast_phone, "perf.mobile_lcp").score > 90  # 2 s is good on a throttled phone ...
    assert _criterion(fast_phone, "perf.lcp").score > 90
    assert _criterion(slow_phone, "perf.mobile_lcp").score < 20  # ... 8 s is not
    assert _criterion(slow_phone, "perf.lcp").score == _criterion(fast_phone, "perf.lcp").score
    assert slow_phone.groups["performance"].score < fast_phone.groups["performance"].score - 10
    points = sum(c.max_points for c in fast_phone.criteria if c.group == "performance")
    assert round(points, 6) == 20


def test_the_performance_spread_is_measured_per_group_and_stored():
    steady = score_portal(load_criteria_set("mic-2024"), _evidence(desktop_lcp=(2400, 2400, 2400)))
    noisy = score_portal(load_criteria_set("mic-2024"), _evidence(desktop_lcp=(1800, 2400, 3200)))
    assert steady.group_noise["performance"] == 0
    assert noisy.group_noise["performance"] > 5
    assert noisy.group_noise["functionality"] == 0  # timing noise moves the performance group only
    back = type(noisy).from_dict(noisy.to_dict())
    assert back.group_noise == noisy.group_noise


def test_portals_closer_than_the_measured_spread_tie_in_the_performance_group():
    cs = load_criteria_set("mic-2024")
    a = score_portal(cs, _evidence("a", desktop_lcp=(2300, 2400, 2500)))
    b = score_portal(cs, _evidence("b", desktop_lcp=(2350, 2450, 2550)))
    far = score_portal(cs, _evidence("far", desktop_lcp=(6000, 6000, 6000), mobile_lcp=(9000, 9000, 9000)))
    gap = abs(a.groups["performance"].score - b.groups["performance"].score)
    assert 0 < gap < max(a.group_noise["performance"], b.group_noise["performance"])
    rank([a, b, far])
    assert a.group_tied_with["performance"] == ["b"] and b.group_tied_with["performance"] == ["a"]
    assert "far" not in a.group_tied_with.get("performance", [])
    assert "performance" not in far.group_tied_with


def test_without_a_measured_spread_only_equal_group_scores_tie():
    cs = load_criteria_set("mic-2024")
    a = score_portal(cs, _evidence("a", desktop_lcp=(2400,)))
    b = score_portal(cs, _evidence("b", desktop_lcp=(2450,)))
    rank([a, b])
    assert a.group_noise == {} and "performance" not in a.group_tied_with
