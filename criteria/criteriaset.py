"""A loaded, validated criteria set: groups, criteria, grades. Built only by criteria.loader."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .message import Message, msg
from .metrics import METRICS
from .rules import Rule

STATISTIC_WORDS: dict[str, Message] = {
    "p50": msg("median (p50)"),
    "p75": msg("75th percentile (p75)"),
    "p90": msg("90th percentile (p90)"),
    "p25": msg("25th percentile (p25)"),
    "p10": msg("10th percentile (p10)"),
    "max": msg("maximum (worst page)"),
    "min": msg("minimum"),
    "mean": msg("mean"),
    "share": msg("share of pages that pass"),
}


@dataclass(frozen=True)
class WhenMissing:
    """What a criterion scores when its evidence is missing: zero, excluded, or a fixed score."""

    kind: str  # zero | exclude | score
    score: float = 0.0

    def describe(self) -> Message:
        if self.kind == "zero":
            return msg("scores 0 when the evidence is missing")
        if self.kind == "exclude":
            return msg("left out when the evidence is missing; the other criteria of its group share its points")
        return msg("scores {score} when the evidence is missing", score=self.score)

    def to_yaml(self) -> Any:
        return self.score if self.kind == "score" else self.kind


@dataclass(frozen=True)
class Group:
    id: str
    title_vi: str
    title_en: str
    points: float
    description: str = ""  # in either language; description_vi/_en say it in one
    description_vi: str = ""
    description_en: str = ""


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
    note: str = ""  # in either language; note_vi/_en say it in one
    note_vi: str = ""
    note_en: str = ""

    def statistic_words(self) -> Message | None:
        return STATISTIC_WORDS.get(self.statistic or "")

    def rule_words(self) -> Message:
        metric = METRICS[self.evidence]
        unit = metric.value_kind(self.statistic).unit
        return self.rule.describe(unit if unit != "share" else "")


@dataclass
class CriteriaSet:
    id: str
    version: str
    title_vi: str
    title_en: str
    description: str  # in either language; description_vi/_en say it in one
    total: float
    groups: list[Group]
    criteria: list[Criterion]
    grades: tuple[tuple[str, float], ...]  # (letter, lowest score), best first; the form criteria.model.grade takes
    noise_margin: float
    file: str = ""
    extends: str | None = None
    notes: list[str] = field(default_factory=list)  # in either language; notes_vi/_en say them in one
    description_vi: str = ""
    description_en: str = ""
    notes_vi: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)

    def to_dict(self) -> dict[str, Any]:
        """Everything the report's method page shows: criteria, points, rules in words, sources.
        `*_words` are English; `*_msg` the same as messages ({"id", "args"}) the report translates."""

        def criterion(c: Criterion) -> dict[str, Any]:
            metric = METRICS[c.evidence]
            statistic = c.statistic_words()
            return {
                "id": c.id,
                "title_vi": c.title_vi,
                "title_en": c.title_en,
                "group": c.group,
                "points": c.points,
                "weight": c.weight,
                "evidence": c.evidence,
                "evidence_description": metric.description,
                "evidence_msg": asdict(metric.describe()),
                "statistic": c.statistic,
                "statistic_words": str(statistic) if statistic else "",
                "statistic_msg": asdict(statistic) if statistic else None,
                "profile": c.profile if metric.scope == "page" else None,
                "params": c.params,
                "rule": c.rule.to_dict(),
                "rule_words": str(c.rule_words()),
                "rule_msg": asdict(c.rule_words()),
                "when_missing": c.when_missing.to_yaml(),
                "when_missing_words": str(c.when_missing.describe()),
                "when_missing_msg": asdict(c.when_missing.describe()),
                "source": c.source,
                "basis": c.basis,
                "note": c.note,
                "note_vi": c.note_vi,
                "note_en": c.note_en,
            }

        return {
            "id": self.id,
            "version": self.version,
            "title_vi": self.title_vi,
            "title_en": self.title_en,
            "description": self.description,
            "description_vi": self.description_vi,
            "description_en": self.description_en,
            "notes": list(self.notes),
            "notes_vi": list(self.notes_vi),
            "notes_en": list(self.notes_en),
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
                    "description_vi": g.description_vi,
                    "description_en": g.description_en,
                    "criteria": [c.id for c in self.criteria if c.group == g.id],
                }
                for g in self.groups
            ],
            "criteria": [criterion(c) for c in self.criteria],
        }
