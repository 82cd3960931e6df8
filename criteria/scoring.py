"""Evidence → criterion scores → group scores → overall score and grade, each with its arithmetic.

Points: a criterion with score s (0–100, rounded to 2 dp) earns s/100 of its points. A criterion excluded
for missing evidence gives its points to the other criteria of its group in proportion to theirs; a group whose
criteria are all excluded gives its points to the other groups the same way. So the overall score is always
"points earned out of the points that could be judged", on the set's total (100), and the points shown add up.

Measured noise: when the lab loaded pages several times, the portal is also scored once per repeated load
(each load's timings in place of the medians); the spread of those scores is how much timing noise alone
can move the score. The ranking treats portals closer than that as not distinguishable.
"""

from __future__ import annotations

import math
from dataclasses import replace

from portalscore.contract.evidence import PortalEvidence

from .criteriaset import CriteriaSet, Criterion
from .metrics import METRICS, Measurement, Query, measure
from .model import CriterionScore, GroupScore, PortalScore, grade
from .stats import fmt


def _pts(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if not float(x).is_integer() else f"{x:.0f}"


def _judge(c: Criterion, m: Measurement) -> tuple[float | None, str]:
    """(fraction 0..1 or None when excluded, arithmetic up to the fraction)."""
    metric = METRICS[c.evidence]
    if m.value is None:
        why = f"no evidence ({m.missing})"
        wm = c.when_missing
        if wm.kind == "exclude":
            return None, f"{why} → when_missing: exclude → not counted"
        fraction = 0.0 if wm.kind == "zero" else wm.score / 100
        return fraction, f"{why} → when_missing: {wm.to_yaml()} → {fraction:.4f}"
    fraction, steps = c.rule.apply(m.value, m.unit if m.unit != "share" else "")
    if isinstance(m.value, bool):
        shown = (
            ("passed" if m.value else "failed") if metric.name.startswith("scenario") else ("yes" if m.value else "no")
        )
        return fraction, f"{metric.label}: {shown}; {steps}"
    if c.statistic == "share":
        return fraction, f"{metric.label}: share = {fmt(m.value)}; {steps}"
    stat = f" {c.statistic}" if c.statistic else ""
    return fraction, f"{metric.label}{stat} = {fmt(m.value, m.unit)}; {steps}"


def _value(v: object) -> object:
    return round(v, 4) if isinstance(v, float) else v


def score_portal(cs: CriteriaSet, evidence: PortalEvidence) -> PortalScore:
    ps = _score(cs, evidence)
    ps.noise, ps.noise_note = _lab_noise(cs, evidence)
    return ps


def _lab_noise(cs: CriteriaSet, evidence: PortalEvidence) -> tuple[float, str]:
    usable = [t for t in evidence.lab if t.error is None and t.samples]
    if not usable:
        return 0.0, "not measured: no repeated lab loads"
    runs = min(len(t.samples) for t in usable)
    if runs < 2:
        return 0.0, "not measured: fewer than 2 lab loads per page"
    usable_ids = {id(t) for t in usable}
    scores = []
    for k in range(runs):
        lab = [replace(t, median=t.samples[k]) if id(t) in usable_ids else t for t in evidence.lab]
        scores.append(_score(cs, replace(evidence, lab=lab)).score)
    spread = round(max(scores) - min(scores), 2)
    return spread, (
        f"score from each of {runs} lab loads alone: {fmt(min(scores))}–{fmt(max(scores))} (spread {spread:.2f})"
    )


def _score(cs: CriteriaSet, evidence: PortalEvidence) -> PortalScore:
    judged = []
    for c in cs.criteria:
        m = measure(c.evidence, evidence, Query(c.statistic, c.profile or "desktop", c.params))
        fraction, steps = _judge(c, m)
        score = None if fraction is None else round(100 * min(1.0, max(0.0, fraction)), 2)
        judged.append((c, m, score, steps))

    # Share the points of excluded criteria (and of wholly excluded groups) among what could be judged.
    counted = {
        g.id: math.fsum(c.points for c, _, s, _ in judged if c.group == g.id and s is not None) for g in cs.groups
    }
    live_total = math.fsum(g.points for g in cs.groups if counted[g.id] > 0)
    set_factor = cs.total / live_total if live_total else 0.0
    effective = {}
    for c, _, s, _ in judged:
        group = cs.group(c.group)
        effective[c.id] = 0.0 if s is None else c.points * group.points / counted[c.group] * set_factor

    criteria: list[CriterionScore] = []
    earned: dict[str, float] = {g.id: 0.0 for g in cs.groups}
    for c, m, s, steps in judged:
        eff = effective[c.id]
        if s is None:
            points = 0.0
            arithmetic = f"{steps}; its {_pts(c.points)} pts go to the other criteria of the group"
            status = "excluded"
        else:
            points = eff * s / 100
            rescaled = (
                f" ({_pts(c.points)} declared, rescaled for excluded criteria)" if abs(eff - c.points) > 1e-9 else ""
            )
            arithmetic = f"{steps} → {s:.2f}/100 × {_pts(eff)} pts{rescaled} = {points:.2f}"
            status = m.status if m.value is None else "scored"
        earned[c.group] += points
        criteria.append(
            CriterionScore(
                id=c.id,
                group=c.group,
                title_vi=c.title_vi,
                title_en=c.title_en,
                weight=round(c.points / cs.group(c.group).points, 6),
                max_points=round(eff, 4),
                score=s,
                points=round(points, 2),
                value=_value(m.value),
                unit=m.unit,
                statistic=m.statistic,
                rule=c.rule_words(),
                arithmetic=arithmetic,
                status=status,
                evidence=m.evidence,
                source=c.source,
            )
        )

    groups: dict[str, GroupScore] = {}
    for g in cs.groups:
        if counted[g.id] == 0:
            groups[g.id] = GroupScore(
                g.id,
                g.title_vi,
                g.title_en,
                max_points=0.0,
                score=0.0,
                points=0.0,
                status="excluded",
                arithmetic=f"no criterion had evidence; its {_pts(g.points)} pts go to the other groups",
            )
            continue
        max_points = g.points * set_factor
        gscore = round(100 * earned[g.id] / max_points, 2)
        parts = " + ".join(f"{cs_.points:.2f}" for cs_ in criteria if cs_.group == g.id and cs_.score is not None)
        groups[g.id] = GroupScore(
            g.id,
            g.title_vi,
            g.title_en,
            max_points=round(max_points, 4),
            score=gscore,
            points=round(earned[g.id], 2),
            arithmetic=f"{parts} = {earned[g.id]:.2f} of {_pts(max_points)} pts → {gscore:.2f}/100",
        )

    total_earned = math.fsum(earned.values())
    overall = round(min(100.0, 100 * total_earned / cs.total), 2) if live_total else 0.0
    errors = list(evidence.errors)
    if not live_total:
        errors.append("no criterion could be judged: every criterion lacked evidence and is excluded")
    parts = " + ".join(f"{gs.points:.2f}" for gs in groups.values() if gs.status == "scored")
    arithmetic = (
        f"{parts} = {total_earned:.2f} of {_pts(cs.total)} pts → {overall:.2f}/100 → grade {grade(overall, cs.grades)}"
    )
    return PortalScore(
        portal_id=evidence.portal.id,
        name=evidence.portal.name,
        kind=evidence.portal.kind,
        url=evidence.portal.url,
        score=overall,
        grade=grade(overall, cs.grades),
        groups=groups,
        criteria=criteria,
        pages_evaluated=sum(1 for p in evidence.pages if p.error is None),
        errors=errors,
        criteria_set=f"{cs.id} {cs.version}",
        noise_margin=cs.noise_margin,
        arithmetic=arithmetic,
    )
