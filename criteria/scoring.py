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
from .message import Message, msg, qty
from .metrics import METRICS, Measurement, Query, fix_for, measure, statistic_short
from .model import CriterionScore, GroupScore, PortalScore, grade


def _judge(c: Criterion, m: Measurement) -> tuple[float | None, Message]:
    """(fraction 0..1 or None when excluded, arithmetic up to the fraction)."""
    metric = METRICS[c.evidence]
    label = metric.label_msg()
    if m.value is None:
        why = msg("no evidence ({missing})", missing=m.missing or "–")
        wm = c.when_missing
        if wm.kind == "exclude":
            return None, msg("{why} → when_missing: exclude → not counted", why=why)
        fraction = 0.0 if wm.kind == "zero" else wm.score / 100
        if wm.kind == "zero":
            return fraction, msg("{why} → when_missing: zero → {fraction:.4f}", why=why, fraction=fraction)
        return fraction, msg(
            "{why} → when_missing: {score} → {fraction:.4f}", why=why, score=wm.score, fraction=fraction
        )
    fraction, steps = c.rule.apply(m.value, m.unit if m.unit != "share" else "")
    if isinstance(m.value, bool):
        if metric.journey is not None:
            if m.value:
                return fraction, msg("{label}: passed; {steps}", label=label, steps=steps)
            return fraction, msg("{label}: failed; {steps}", label=label, steps=steps)
        if m.value:
            return fraction, msg("{label}: yes; {steps}", label=label, steps=steps)
        return fraction, msg("{label}: no; {steps}", label=label, steps=steps)
    if c.statistic == "share":
        return fraction, msg("{label}: share = {value}; {steps}", label=label, value=m.value, steps=steps)
    value = qty(m.value, m.unit)
    if c.statistic:
        return fraction, msg(
            "{label} {statistic} = {value}; {steps}",
            label=label,
            statistic=statistic_short(c.statistic),
            value=value,
            steps=steps,
        )
    return fraction, msg("{label} = {value}; {steps}", label=label, value=value, steps=steps)


def _finding(c: Criterion, m: Measurement) -> Message | None:
    """Why a criterion lost points, in one line: the failure, the missing evidence, or the figure measured."""
    metric = METRICS[c.evidence]
    if m.value is None:
        return m.missing
    scenario = next((e.value for e in m.evidence if e.kind == "scenario" and isinstance(e.value, dict)), None)
    if scenario and scenario.get("outcome") != "passed":
        step, reason = scenario.get("failed_step"), scenario.get("reason")
        if step and reason:
            return msg("failed at step '{step}': {reason}", step=step, reason=reason)
        if reason:
            return msg("failed: {reason}", reason=reason)
    if metric.scope == "site" and m.evidence and m.evidence[0].label_msg is not None and m.unit != "share":
        return m.evidence[0].label_msg
    if m.unit == "share" or isinstance(m.value, bool):
        measured = m.statistic or msg("{label}: {value}", label=metric.label_msg(), value=m.value)
    else:
        measured = msg(
            "{label}: {value} ({statistic})",
            label=metric.label_msg(),
            value=qty(m.value, m.unit),
            statistic=m.statistic or c.statistic_words() or "–",
        )
    # The worst page says what the figure hides: which headers are missing, which rules fail, how slow.
    worst = next((e.label_msg for e in m.evidence if e.kind == "page" and e.label_msg is not None), None)
    if worst is not None and metric.scope == "page":
        return msg("{measured}; worst page: {worst}", measured=measured, worst=worst)
    return measured


def _value(v: object) -> object:
    return round(v, 4) if isinstance(v, float) else v


def score_portal(cs: CriteriaSet, evidence: PortalEvidence) -> PortalScore:
    ps = _score(cs, evidence)
    ps.noise, note, ps.group_noise = _lab_noise(cs, evidence)
    ps.noise_note, ps.noise_note_msg = str(note), note
    return ps


def _lab_noise(cs: CriteriaSet, evidence: PortalEvidence) -> tuple[float, Message, dict[str, float]]:
    """(spread of the overall score, how it was measured, spread of each group's score) over the repeated lab loads.

    The group spreads are what the performance group's ties rest on (criteria/ranking.py): two portals whose
    performance differs by less than this cannot be told apart by this run's measurements."""
    usable = [t for t in evidence.lab if t.error is None and t.samples]
    if not usable:
        return 0.0, msg("not measured: no repeated lab loads"), {}
    runs = min(len(t.samples) for t in usable)
    if runs < 2:
        return 0.0, msg("not measured: fewer than 2 lab loads per page"), {}
    usable_ids = {id(t) for t in usable}
    scored = []
    for k in range(runs):
        lab = [replace(t, median=t.samples[k]) if id(t) in usable_ids else t for t in evidence.lab]
        scored.append(_score(cs, replace(evidence, lab=lab)))
    scores = [s.score for s in scored]
    spread = round(max(scores) - min(scores), 2)
    groups = {}
    for gid in scored[0].groups:
        values = [s.groups[gid].score for s in scored if gid in s.groups]
        groups[gid] = round(max(values) - min(values), 2)
    return (
        spread,
        msg(
            "score from each of {runs} lab loads alone: {low}–{high} (spread {spread:.2f})",
            runs=runs,
            low=min(scores),
            high=max(scores),
            spread=spread,
        ),
        groups,
    )


def _score(cs: CriteriaSet, evidence: PortalEvidence) -> PortalScore:
    judged = []
    for c in cs.criteria:
        m = measure(c.evidence, evidence, Query(c.statistic, c.profile or "desktop", c.params))
        fraction, steps = _judge(c, m)
        score = None if fraction is None else round(100 * min(1.0, max(0.0, fraction)), 2)
        judged.append((c, m, score, steps))
    judged_steps: dict[str, Message] = {c.id: steps for c, _, _, steps in judged}

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
    for c, m, s, _ in judged:
        eff = effective[c.id]
        steps = judged_steps[c.id]
        arithmetic: Message
        if s is None:
            points = 0.0
            arithmetic = msg(
                "{steps}; its {points:pts} pts go to the other criteria of the group", steps=steps, points=c.points
            )
            status = "excluded"
        else:
            points = eff * s / 100
            args = dict(steps=steps, score=s, effective=eff, declared=c.points, earned=points)
            if abs(eff - c.points) > 1e-9:
                arithmetic = msg(
                    "{steps} → {score:.2f}/100 × {effective:pts} pts ({declared:pts} declared, rescaled for excluded"
                    " criteria) = {earned:.2f}",
                    **args,
                )
            else:
                arithmetic = msg("{steps} → {score:.2f}/100 × {effective:pts} pts = {earned:.2f}", **args)
            status = m.status if m.value is None else "scored"
        statistic = m.statistic
        rule = c.rule_words()
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
                statistic=str(statistic) if statistic else "",
                rule=str(rule),
                arithmetic=str(arithmetic),
                status=status,
                evidence=m.evidence,
                source=c.source,
                statistic_msg=statistic,
                rule_msg=rule,
                arithmetic_msg=arithmetic,
                metric=c.evidence,
                finding_msg=_finding(c, m),
                fix_msg=fix_for(c.evidence),
            )
        )

    groups: dict[str, GroupScore] = {}
    for g in cs.groups:
        if counted[g.id] == 0:
            excluded = msg("no criterion had evidence; its {points:pts} pts go to the other groups", points=g.points)
            groups[g.id] = GroupScore(
                g.id,
                g.title_vi,
                g.title_en,
                max_points=0.0,
                score=0.0,
                points=0.0,
                status="excluded",
                arithmetic=str(excluded),
                arithmetic_msg=excluded,
            )
            continue
        max_points = g.points * set_factor
        gscore = round(100 * earned[g.id] / max_points, 2)
        sums = msg(
            "{parts} = {earned:.2f} of {max:pts} pts → {score:.2f}/100",
            parts=_sum_terms([cs_.points for cs_ in criteria if cs_.group == g.id and cs_.score is not None]),
            earned=earned[g.id],
            max=max_points,
            score=gscore,
        )
        groups[g.id] = GroupScore(
            g.id,
            g.title_vi,
            g.title_en,
            max_points=round(max_points, 4),
            score=gscore,
            points=round(earned[g.id], 2),
            arithmetic=str(sums),
            arithmetic_msg=sums,
        )

    total_earned = math.fsum(earned.values())
    overall = round(min(100.0, 100 * total_earned / cs.total), 2) if live_total else 0.0
    errors = list(evidence.errors)
    if not live_total:
        errors.append("no criterion could be judged: every criterion lacked evidence and is excluded")
    overall_sum = msg(
        "{parts} = {earned:.2f} of {total:pts} pts → {score:.2f}/100 → grade {grade}",
        parts=_sum_terms([gs.points for gs in groups.values() if gs.status == "scored"]),
        earned=total_earned,
        total=cs.total,
        score=overall,
        grade=grade(overall, cs.grades),
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
        arithmetic=str(overall_sum),
        arithmetic_msg=overall_sum,
    )


def _sum_terms(points: list[float]) -> Message:
    """a + b + c, each to 2 decimals (the terms of a group's or the portal's sum)."""
    terms = {f"p{i}": p for i, p in enumerate(points)}
    return Message(" + ".join("{" + name + ":.2f}" for name in terms), terms)
