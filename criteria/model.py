"""Scores: what the criteria make of the evidence. Plain data, JSON-friendly.

A CriterionScore carries everything needed to explain it (rule, value, arithmetic,
evidence references), so that the report and `portalscore explain` need no other source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portalscore.contract.evidence import from_dict, to_dict

from .message import Message

GRADES = (("A", 90.0), ("B", 80.0), ("C", 65.0), ("D", 50.0), ("E", 0.0))


@dataclass
class EvidenceRef:
    """One piece of evidence behind a score: a page, a rule, a scenario step..."""

    label: str  # short human text, e.g. "LCP 3 400 ms"
    url: str = ""  # page or link concerned
    kind: str = ""  # page | violation | scenario | link | site
    value: Any = None
    label_msg: Message | None = None  # the label as a message the report translates


@dataclass
class CriterionScore:
    id: str
    group: str
    title_vi: str
    title_en: str
    weight: float  # share of the group (weights within a group sum as declared)
    max_points: float  # points this criterion can add to the portal total
    score: float | None  # 0-100, None when the missing-evidence rule excludes it
    points: float  # earned, = max_points * score / 100
    value: Any = None  # the measured figure the rule scored
    unit: str = ""
    statistic: str = ""  # how page figures were aggregated, e.g. "p75 over 31 pages"
    rule: str = ""  # the scoring rule in words, e.g. "log-normal, p10 1200 ms, median 2400 ms"
    arithmetic: str = ""  # how value became score, step by step
    status: str = "scored"  # scored | missing | not_applicable | excluded
    evidence: list[EvidenceRef] = field(default_factory=list)
    source: str = ""  # legal/technical basis
    # The texts above as messages the report says in either language (None in scores stored before them).
    statistic_msg: Message | None = None
    rule_msg: Message | None = None
    arithmetic_msg: Message | None = None
    metric: str = ""  # the metric read (criteria.metrics.METRICS)
    finding_msg: Message | None = None  # what was measured, in one line: why points were lost
    fix_msg: Message | None = None  # what the portal team can do about it, in one sentence


@dataclass
class GroupScore:
    id: str
    title_vi: str
    title_en: str
    max_points: float
    score: float  # 0-100
    points: float  # earned
    status: str = "scored"  # scored | excluded (no criterion of the group had evidence)
    arithmetic: str = ""  # how the criteria's points make the group's score
    arithmetic_msg: Message | None = None


@dataclass
class PortalScore:
    portal_id: str
    name: str
    kind: str
    url: str
    score: float  # 0-100
    grade: str
    groups: dict[str, GroupScore] = field(default_factory=dict)
    criteria: list[CriterionScore] = field(default_factory=list)
    pages_evaluated: int = 0
    errors: list[str] = field(default_factory=list)
    rank: int = 0
    rank_in_kind: int = 0
    tied_with: list[str] = field(default_factory=list)  # portals not distinguishable from this one
    change: str = ""  # up | down | same | new ("" when there is no previous run)
    previous_rank: int | None = None
    criteria_set: str = ""  # "<id> <version>" of the set that produced the score
    noise_margin: float = 1.0  # scores closer than this are not distinguishable (from the criteria set)
    noise: float = 0.0  # measured: spread of the score when each repeated lab load is scored on its own
    noise_note: str = ""  # how `noise` was measured, or why it could not be
    # Measured the same way, per group: the spread of each group's score over the repeated lab loads (timing noise
    # moves the performance group only), and per group the portals whose group score differs by less than it.
    group_noise: dict[str, float] = field(default_factory=dict)
    group_tied_with: dict[str, list[str]] = field(default_factory=dict)
    arithmetic: str = ""  # how the groups' points make the overall score
    arithmetic_msg: Message | None = None
    noise_note_msg: Message | None = None

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PortalScore:
        score: PortalScore = from_dict(cls, data)
        return score


def grade(score: float, bands: tuple[tuple[str, float], ...] = GRADES) -> str:
    for letter, floor in bands:
        if score >= floor:
            return letter
    return str(bands[-1][0])
