"""Aggregating page figures to one portal figure, with the statistic always named, and number display."""

from __future__ import annotations

import math
from typing import Any

# Statistics a criterion may ask for. "share" is for yes/no page figures; the rest for numbers.
NUMBER_STATISTICS: dict[str, float | None] = {
    "p50": 0.50,
    "p75": 0.75,
    "p90": 0.90,
    "p25": 0.25,
    "p10": 0.10,
    "max": 1.0,
    "min": 0.0,
    "mean": None,
}
BOOL_STATISTICS: dict[str, float | None] = {"share": None}


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default, 'type 7'): monotone in every value."""
    xs = sorted(values)
    if not xs:
        raise ValueError("percentile of no values")
    h = (len(xs) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def aggregate(values: list[Any], statistic: str) -> float:
    if statistic == "share":
        return sum(1 for v in values if v) / len(values)
    q = NUMBER_STATISTICS[statistic]
    if q is None:  # mean
        return math.fsum(values) / len(values)
    return percentile(values, q)


def fmt(x: float | int | None, unit: str = "") -> str:
    """3400 -> '3 400', 0.0312 -> '0.031'; a space between thousands as in the report's examples."""
    if x is None:
        return "–"
    if isinstance(x, bool):
        return "yes" if x else "no"
    ax = abs(x)
    if ax >= 100 or float(x).is_integer():
        text = f"{x:,.0f}".replace(",", " ")
    elif ax >= 1:
        text = f"{x:.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{x:.4f}".rstrip("0").rstrip(".")
    if unit == "share":
        return text
    return f"{text} {unit}" if unit else text
