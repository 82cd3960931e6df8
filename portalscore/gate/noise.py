"""How far a timing may move between two checks of an unchanged site before it counts as a regression.

Timings are judged on the median of N lab loads (DEFAULT_LAB_RUNS; Lighthouse's variability guidance: the median
of 5 runs is about twice as stable as one). A later median above the baseline's counts as a regression only beyond
the larger of: the spread (max - min) of either check's own lab loads of the worst page, RELATIVE of the baseline,
and a floor per metric. The floor and RELATIVE come from benchmarks/check_stability.py: ten checks of an unchanged
sample portal (docs/ci.md, "Noise") — the largest run-to-run movement of the worst page's median seen there was
under half of these, so an unchanged site does not flip, while a page made 300 ms slower (tests/test_check.py) does.
"""

from __future__ import annotations

DEFAULT_LAB_RUNS = 5
RELATIVE = 0.15
FLOOR: dict[str, float] = {"lcp_ms": 150.0, "fcp_ms": 150.0, "ttfb_ms": 100.0, "load_ms": 200.0, "cls": 0.02}


def timing_tolerance(metric: str, before: float, spread_now: float, spread_before: float) -> float:
    return max(FLOOR.get(metric, 0.0), RELATIVE * before, spread_now, spread_before)
