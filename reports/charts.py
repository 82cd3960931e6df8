"""Geometry of the report's inline SVG charts; the templates draw them (and escape every label).

Charts are decorations of tables that carry the same figures, so they stay simple:
one horizontal bar chart of scores per kind, one line chart of a portal's score over runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GRADE_LINES = (50.0, 65.0, 80.0, 90.0)
LABEL_CHARS = 34


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class Bar:
    label: str
    value_text: str
    grade: str
    y: float
    width: float


@dataclass
class BarChart:
    width: int
    height: int
    bar_x: int
    bar_max: int
    bar_h: int
    top: int
    bars: list[Bar] = field(default_factory=list)
    lines: list[tuple[float, str]] = field(default_factory=list)  # (x, grade letter) of grade thresholds


def bar_chart(rows: list[tuple[str, float, str, str]], thresholds: list[tuple[str, float]]) -> BarChart:
    """rows: (label, score 0-100, formatted score, grade); thresholds: (grade, floor) from the criteria set."""
    width, bar_x, bar_max, row_h, bar_h, top = 760, 270, 420, 24, 16, 28
    chart = BarChart(
        width=width, height=top + row_h * len(rows) + 8, bar_x=bar_x, bar_max=bar_max, bar_h=bar_h, top=top
    )
    for i, (label, score, text, grade_letter) in enumerate(rows):
        clamped = max(0.0, min(100.0, score))
        chart.bars.append(
            Bar(
                label=_short(label),
                value_text=text,
                grade=grade_letter,
                y=top + i * row_h + (row_h - bar_h) / 2,
                width=round(bar_max * clamped / 100, 1),
            )
        )
    chart.lines = [(round(bar_x + bar_max * floor / 100, 1), letter) for letter, floor in thresholds if 0 < floor < 100]
    return chart


@dataclass
class TrendPoint:
    x: float
    y: float
    label: str


@dataclass
class TrendChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: list[TrendPoint] = field(default_factory=list)
    gridlines: list[tuple[float, str]] = field(default_factory=list)  # (y, label)
    xlabels: list[tuple[float, str, str]] = field(default_factory=list)  # (x, text, anchor)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


def trend_chart(values: list[tuple[float, str]], axis_text) -> TrendChart:
    """values: (score, date label) oldest first (at least two); axis_text formats the y-axis numbers."""
    width, height, left, right, top, bottom = 640, 240, 44, 24, 14, 206
    chart = TrendChart(width=width, height=height, left=left, right=width - right, top=top, bottom=bottom)
    span = chart.right - left
    step = span / (len(values) - 1)
    for i, (score, label) in enumerate(values):
        clamped = max(0.0, min(100.0, score))
        chart.points.append(
            TrendPoint(
                x=round(left + i * step, 1), y=round(top + (100 - clamped) / 100 * (bottom - top), 1), label=label
            )
        )
    chart.gridlines = [(round(top + (100 - v) / 100 * (bottom - top), 1), axis_text(v)) for v in (0, 25, 50, 75, 100)]
    first, last = chart.points[0], chart.points[-1]
    chart.xlabels = [(first.x, first.label, "start"), (last.x, last.label, "end")]
    return chart
