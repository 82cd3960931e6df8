"""Lab repeats stop early only when the loads made already fix the median of all of them (crawler/lab.py)."""

from __future__ import annotations

import itertools
import statistics

from portalscore.contract.evidence import Timings
from portalscore.crawler.lab import AGREE_MS, agree, enough, median_timings


def t(lcp: float, fcp: float = 500, ttfb: float = 200, tbt: float | None = 0, cls: float = 0.0) -> Timings:
    return Timings(ttfb_ms=ttfb, dcl_ms=fcp, load_ms=lcp, fcp_ms=fcp, lcp_ms=lcp, cls=cls, tbt_ms=tbt)


def test_two_agreeing_loads_of_three_are_enough_two_disagreeing_are_not():
    assert enough([t(1200), t(1250)], 3, early_stop=True)
    assert not enough([t(1200), t(1900)], 3, early_stop=True)  # LCP apart by 700 ms: the third load decides
    assert not enough([t(1200), t(1250)], 3, early_stop=False)  # `check` keeps all its loads
    assert not enough([t(1200)], 3, early_stop=True)  # one load is never a majority of 3
    assert enough([t(1200), t(1900), t(1500)], 3, early_stop=True)  # all made


def test_a_majority_is_needed_for_more_runs():
    assert not enough([t(1200), t(1210)], 5, early_stop=True)
    assert enough([t(1200), t(1210), t(1190)], 5, early_stop=True)


def test_each_scored_figure_must_agree_cls_and_missing_figures_included():
    assert not agree([t(1200, tbt=0), t(1200, tbt=400)])
    assert not agree([t(1200, cls=0.0), t(1200, cls=0.2)])
    assert not agree([t(1200, tbt=None), t(1200, tbt=50)])  # measured once, missing once: not the same load
    assert agree([t(1200, tbt=None), t(1210, tbt=None)])
    assert agree([t(5000), t(5400)])  # 8 %: within 10 % of a slow page's figure


def test_the_kept_median_is_within_the_agreement_of_any_full_median():
    """Whatever the third load would have given, the median of 3 is within half the two loads' spread of ours."""
    a, b = t(1200), t(1200 + AGREE_MS)
    kept = median_timings([a, b]).lcp_ms
    for third in (0.0, 1150.0, 1250.0, 1300.0, 99_999.0):
        full = statistics.median([1200.0, 1200 + AGREE_MS, third])
        assert abs(full - kept) <= AGREE_MS / 2
    for xs in itertools.product((1000.0, 1040.0, 5000.0), repeat=3):  # 5 runs, 3 agreeing made
        made = [1000.0, 1020.0, 1040.0]
        assert min(made) <= statistics.median([*made, *xs[:2]]) <= max(made)
