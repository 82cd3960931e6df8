"""The budget file (YAML): what a portal team's release must keep. Typed, validated with file/line/key errors.

score: 70                  # overall minimum (0-100)
groups: {accessibility: 60}          # minimum score per criteria group
criteria: {a11y.axe_weighted: 50}    # minimum score per criterion
metrics:                   # maxima, judged on the worst page (timings: the median of the lab loads)
  lcp_ms: 2500
  page_bytes: 1500000
  axe: {critical: 0, serious: 2}     # failing elements per impact, over the audited pages
  checks: 10               # findings of our own accessibility checks (crawler/checks)
  broken_links: 0
journeys: [home, search_procedure]   # journeys that must pass
baseline: {max_drop: 2}    # with --baseline: overall and group scores may fall at most this many points
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portalscore.contract.yamlfile import Located, load

IMPACTS = ("critical", "serious", "moderate", "minor")
TOP_KEYS = ("score", "groups", "criteria", "metrics", "journeys", "baseline")
METRIC_KEYS = ("lcp_ms", "fcp_ms", "ttfb_ms", "load_ms", "cls", "page_bytes", "axe", "checks", "broken_links")
TIMING_METRICS = ("lcp_ms", "fcp_ms", "ttfb_ms", "load_ms", "cls")
BASELINE_KEYS = ("max_drop",)


@dataclass(frozen=True)
class Budget:
    file: str = ""
    score: float | None = None
    groups: dict[str, float] = field(default_factory=dict)
    criteria: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)  # METRIC_KEYS but axe -> maximum
    axe: dict[str, int] = field(default_factory=dict)  # impact -> most failing elements allowed
    journeys: tuple[str, ...] = ()
    max_drop: float | None = None  # points an earlier result's scores may fall by (with --baseline)


def _number(doc: Located, path: tuple[Any, ...], value: Any, low: float, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise doc.error(path, f"must be a number, not {value!r}")
    if value < low or (high is not None and value > high):
        raise doc.error(path, f"must be between {low:g} and {high:g}" if high is not None else f"must be >= {low:g}")
    return float(value)


def _mapping(doc: Located, path: tuple[Any, ...], value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise doc.error(path, f"must be a mapping of {what}")
    return value


def _known(doc: Located, path: tuple[Any, ...], keys: dict[str, Any], allowed: tuple[str, ...] | set[str]) -> None:
    for key in keys:
        if key not in allowed:
            raise doc.error((*path, key), f"unknown key (expected one of: {', '.join(sorted(allowed))})")


def parse_budget(doc: Located, criterion_ids: set[str], group_ids: set[str], journey_ids: set[str]) -> Budget:
    """The budget in doc, its criteria, groups and journeys checked against what the criteria set and the
    journeys define (a typo would otherwise make a budget line that can never fail)."""
    data = doc.data if doc.data is not None else {}
    top = _mapping(doc, (), data, "budget lines (score, groups, criteria, metrics, journeys, baseline)")
    _known(doc, (), top, TOP_KEYS)
    score = _number(doc, ("score",), top["score"], 0, 100) if "score" in top else None
    groups = _mapping(doc, ("groups",), top.get("groups", {}), "group id to minimum score")
    _known(doc, ("groups",), groups, group_ids)
    criteria = _mapping(doc, ("criteria",), top.get("criteria", {}), "criterion id to minimum score")
    _known(doc, ("criteria",), criteria, criterion_ids)
    metrics = _mapping(doc, ("metrics",), top.get("metrics", {}), "metric to maximum")
    _known(doc, ("metrics",), metrics, METRIC_KEYS)
    axe = _mapping(doc, ("metrics", "axe"), metrics.get("axe", {}), "impact to maximum failing elements")
    _known(doc, ("metrics", "axe"), axe, IMPACTS)
    journeys = top.get("journeys", [])
    if not isinstance(journeys, list) or not all(isinstance(j, str) for j in journeys):
        raise doc.error(("journeys",), "must be a list of journey ids that must pass")
    for i, j in enumerate(journeys):
        if j not in journey_ids:
            raise doc.error(
                ("journeys", i), f"unknown journey {j!r} (expected one of: {', '.join(sorted(journey_ids))})"
            )
    baseline = _mapping(doc, ("baseline",), top.get("baseline", {}), "max_drop")
    _known(doc, ("baseline",), baseline, BASELINE_KEYS)
    return Budget(
        file=doc.file,
        score=score,
        groups={k: _number(doc, ("groups", k), v, 0, 100) for k, v in groups.items()},
        criteria={k: _number(doc, ("criteria", k), v, 0, 100) for k, v in criteria.items()},
        metrics={k: _number(doc, ("metrics", k), v, 0) for k, v in metrics.items() if k != "axe"},
        axe={k: int(_number(doc, ("metrics", "axe", k), v, 0)) for k, v in axe.items()},
        journeys=tuple(journeys),
        max_drop=_number(doc, ("baseline", "max_drop"), baseline["max_drop"], 0, 100)
        if "max_drop" in baseline
        else None,
    )


def load_budget(path: str | Path, criterion_ids: set[str], group_ids: set[str], journey_ids: set[str]) -> Budget:
    """InputError (one line: file, line, key) for a missing or malformed budget file."""
    return parse_budget(load(path), criterion_ids, group_ids, journey_ids)
