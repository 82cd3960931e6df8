"""A loaded, validated criteria set: groups, criteria, grades. Built only by criteria.loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .metrics import METRICS
from .rules import Rule
from .stats import STATISTIC_WORDS, fmt


@dataclass(frozen=True)
class WhenMissing:
    """What a criterion scores when its evidence is missing: zero, excluded, or a fixed score."""

    kind: str  # zero | exclude | score
    score: float = 0.0

    def describe(self) -> str:
        if self.kind == "zero":
            return "scores 0 when the evidence is missing"
        if self.kind == "exclude":
            return "left out when the evidence is missing; the other criteria of its group share its points"
        return f"scores {fmt(self.score)} when the evidence is missing"

    def to_yaml(self) -> Any:
        return self.score if self.kind == "score" else self.kind


@dataclass(frozen=True)
class Group:
    id: str
    title_vi: str
    title_en: str
    points: float
    description: str = ""


@dataclass(frozen=True)
class Criterion:
    id: str
    title_vi: str
    title_en: str
    group: str
    points: float  # declared points (from `points`, or the group's points shared by `weight`)
    weight: float | None  # the declared relative weight, when the set uses weights
    evidence: str  # metric name in criteria.metrics.METRICS
    statistic: str | None
    profile: str
    params: dict[str, Any]
    rule: Rule
    when_missing: WhenMissing
    source: str
    basis: str  # official | ours
    note: str = ""

    def statistic_words(self) -> str:
        return STATISTIC_WORDS.get(self.statistic or "", "")

    def rule_words(self) -> str:
        metric = METRICS[self.evidence]
        unit = metric.value_kind(self.statistic).unit
        return self.rule.describe(unit if unit != "share" else "")


@dataclass
class CriteriaSet:
    id: str
    version: str
    title_vi: str
    title_en: str
    description: str
    total: float
    groups: list[Group]
    criteria: list[Criterion]
    grades: tuple[tuple[str, float], ...]  # (letter, lowest score), best first; the form criteria.model.grade takes
    noise_margin: float
    file: str = ""
    extends: str | None = None
    notes: list[str] = field(default_factory=list)

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)

    def to_dict(self) -> dict:
        """Everything the report's method page shows: criteria, points, rules in words, sources."""

        def criterion(c: Criterion) -> dict:
            metric = METRICS[c.evidence]
            return {
                "id": c.id,
                "title_vi": c.title_vi,
                "title_en": c.title_en,
                "group": c.group,
                "points": c.points,
                "weight": c.weight,
                "evidence": c.evidence,
                "evidence_description": metric.description,
                "statistic": c.statistic,
                "statistic_words": c.statistic_words(),
                "profile": c.profile if metric.scope == "page" else None,
                "params": c.params,
                "rule": c.rule.to_dict(),
                "rule_words": c.rule_words(),
                "when_missing": c.when_missing.to_yaml(),
                "when_missing_words": c.when_missing.describe(),
                "source": c.source,
                "basis": c.basis,
                "note": c.note,
            }

        return {
            "id": self.id,
            "version": self.version,
            "title_vi": self.title_vi,
            "title_en": self.title_en,
            "description": self.description,
            "notes": list(self.notes),
            "total": self.total,
            "noise_margin": self.noise_margin,
            "extends": self.extends,
            "file": self.file,
            "grades": [{"grade": g, "min": lo} for g, lo in self.grades],
            "groups": [
                {
                    "id": g.id,
                    "title_vi": g.title_vi,
                    "title_en": g.title_en,
                    "points": g.points,
                    "description": g.description,
                    "criteria": [c.id for c in self.criteria if c.group == g.id],
                }
                for g in self.groups
            ],
            "criteria": [criterion(c) for c in self.criteria],
        }
