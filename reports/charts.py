"""Geometry of the report's charts; the templates draw them (and escape every label).

Charts are decorations of tables that carry the same figures, so they stay simple: one bar chart of scores
per kind, one line chart of a portal's score over runs. Every word and figure on a chart is HTML text at the
page's font size (so it stays legible on a phone and wraps instead of being cut); SVG draws only bars and
lines, sized in percent of their box (the page's Content-Security-Policy allows no inline styles).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Bar:
    label: str  # the portal's full name
    href: str
    value_text: str
    grade: str
    percent: float  # bar length, 0-100


@dataclass
class BarChart:
    bars: list[Bar] = field(default_factory=list)
    lines: list[tuple[float, str]] = field(default_factory=list)  # (percent, grade letter) of grade thresholds


def bar_chart(rows: list[tuple[str, float, str, str, str]], thresholds: list[tuple[str, float]]) -> BarChart:
    """rows: (label, score 0-100, formatted score, grade, href); thresholds: (grade, floor) from the criteria set."""
    chart = BarChart()
    for label, score, text, grade_letter, href in rows:
        clamped = max(0.0, min(100.0, score))
        chart.bars.append(Bar(label=label, href=href, value_text=text, grade=grade_letter, percent=round(clamped, 1)))
    chart.lines = [(round(floor, 1), letter) for letter, floor in thresholds if 0 < floor < 100]
    return chart


@dataclass
class TrendChart:
    points: list[tuple[float, float]] = field(default_factory=list)  # (x, y) in 0-100, y downwards
    ylabels: list[str] = field(default_factory=list)  # top (100) to bottom (0)
    gridlines: list[float] = field(default_factory=list)  # y in 0-100
    first: str = ""
    last: str = ""

    @property
    def polyline(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points)


def trend_chart(values: list[tuple[float, str]], axis_text: Callable[[float], str]) -> TrendChart:
    """values: (score, date label) oldest first (at least two); axis_text formats the y-axis numbers."""
    chart = TrendChart()
    step = 100 / (len(values) - 1)
    for i, (score, _) in enumerate(values):
        clamped = max(0.0, min(100.0, score))
        chart.points.append((round(i * step, 2), round(100 - clamped, 2)))
    ticks = (100, 75, 50, 25, 0)
    chart.ylabels = [axis_text(v) for v in ticks]
    chart.gridlines = [float(100 - v) for v in ticks]
    chart.first, chart.last = values[0][1], values[-1][1]
    return chart
