"""How far a timing may move between two checks of an unchanged site before it counts as a regression.

Timings are judged on the median of N lab loads (DEFAULT_LAB_RUNS; Lighthouse's variability guidance: the median
of 5 runs is about twice as stable as one). A later median above the baseline's counts as a regression only beyond
the larger of: the spread (max - min) of either check's own lab loads of the worst page, RELATIVE of the baseline,
and a floor per metric. The spreads are what the machine measured in those very runs, so a busy CI runner widens
the tolerance and a quiet one narrows it down to the floor. benchmarks/check_stability.py (docs/ci.md, "Noise"):
ten checks of an unchanged sample portal at load average 15-20 gave 0 flips; the worst page's LCP median moved
up to 292 ms above the first run's while the smallest tolerance allowed was 340 ms (the first run's own spread of
loads). On a quiet machine the same page's loads spread by about 50 ms, so the floors (150 ms for LCP, about
three times that) keep a quiet runner from failing on jitter, while a page made 2 s slower (tests/test_check.py)
fails either way.
"""

from __future__ import annotations

DEFAULT_LAB_RUNS = 5
RELATIVE = 0.15
FLOOR: dict[str, float] = {"lcp_ms": 150.0, "fcp_ms": 150.0, "ttfb_ms": 100.0, "load_ms": 200.0, "cls": 0.02}


def timing_tolerance(metric: str, before: float, spread_now: float, spread_before: float) -> float:
    return max(FLOOR.get(metric, 0.0), RELATIVE * before, spread_now, spread_before)
