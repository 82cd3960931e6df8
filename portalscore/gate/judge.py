"""Each budget line judged against one check's score and evidence (and, optionally, an earlier check's result).

A line is met or broken; a broken line says by how much, on which page and element, and what to do. Lines the
site could not be measured for are broken too: a budget never passes on evidence that is not there.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from portalscore.contract.evidence import PortalEvidence
from portalscore.criteria.model import CriterionScore, PortalScore

from . import measures
from .baseline import Baseline
from .budget import TIMING_METRICS, Budget
from .noise import timing_tolerance


@dataclass(frozen=True)
class LineResult:
    id: str  # e.g. "metrics.lcp_ms", "criteria.a11y.axe_weighted", "journeys.home", "baseline.score"
    kind: str  # score | group | criterion | metric | journey | baseline
    ok: bool
    limit: float | str | None
    actual: float | str | None
    detail: str  # one English sentence: what was measured against what
    page: str = ""
    element: str = ""
    fix: str = ""


@dataclass(frozen=True)
class LostPoints:
    """A criterion that lost points (the Markdown summary lists them, largest first)."""

    criterion: str
    title: str
    lost: float
    finding: str
    page: str
    element: str
    fix: str


@dataclass
class GateResult:
    url: str
    criteria_set: str
    score: PortalScore
    lines: list[LineResult] = field(default_factory=list)
    lost: list[LostPoints] = field(default_factory=list)
    evaluable: bool = True
    why_not: str = ""  # when the site could not be evaluated
    run_id: int | None = None
    report: str = ""  # the HTML portal page

    @property
    def broken(self) -> list[LineResult]:
        return [line for line in self.lines if not line.ok]

    @property
    def exit_code(self) -> int:
        if not self.evaluable:
            return 2
        return 1 if self.broken else 0


def _fmt(value: float | None) -> str:
    if value is None:
        return "not measured"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def _min_line(kind: str, lid: str, what: str, actual: float | None, minimum: float, fix: str = "") -> LineResult:
    ok = actual is not None and actual >= minimum
    return LineResult(
        id=lid,
        kind=kind,
        ok=ok,
        limit=minimum,
        actual=actual,
        detail=f"{what}: {_fmt(actual)} (minimum {_fmt(minimum)})",
        fix="" if ok else fix,
    )


def _first_url(c: CriterionScore) -> str:
    for r in c.evidence:
        url = r.url or (str(r.value.get("source") or "") if isinstance(r.value, dict) else "")
        if url:
            return url
    return ""


def _element(c: CriterionScore) -> str:
    for r in c.evidence:
        if r.kind == "violation":
            return str(r.label_msg or r.label)
    return ""


def _criterion_lines(budget: Budget, score: PortalScore) -> list[LineResult]:
    lines = []
    if budget.score is not None:
        lines.append(_min_line("score", "score", "overall score", score.score, budget.score))
    for gid, minimum in budget.groups.items():
        g = score.groups.get(gid)
        actual = g.score if g is not None and g.status == "scored" else None
        lines.append(_min_line("group", f"groups.{gid}", f"group {gid} score", actual, minimum))
    by_id = {c.id: c for c in score.criteria}
    for cid, minimum in budget.criteria.items():
        c = by_id.get(cid)
        actual = c.score if c is not None else None
        line = _min_line("criterion", f"criteria.{cid}", f"criterion {cid} score", actual, minimum)
        if c is not None and not line.ok:  # what the criterion found, where, and its fix
            finding = str(c.finding_msg) if c.finding_msg else c.statistic
            line = dataclasses.replace(
                line,
                detail=f"{line.detail}; {finding}" if finding else line.detail,
                page=_first_url(c),
                element=_element(c),
                fix=str(c.fix_msg or ""),
            )
        lines.append(line)
    return lines


def _metric_lines(budget: Budget, ev: PortalEvidence) -> list[LineResult]:
    maxima: list[tuple[str, float]] = list(budget.metrics.items())
    maxima += [(f"axe.{impact}", float(n)) for impact, n in budget.axe.items()]
    lines = []
    for metric, maximum in maxima:
        fig = measures.figure(ev, metric)
        ok = fig.value is not None and fig.value <= maximum
        lines.append(
            LineResult(
                id=f"metrics.{metric}",
                kind="metric",
                ok=ok,
                limit=maximum,
                actual=fig.value,
                detail=f"{metric}: {_fmt(fig.value)} (maximum {_fmt(maximum)}; {fig.how})",
                page=fig.page,
                element=fig.element,
                fix="" if ok else fig.fix,
            )
        )
    return lines


def _journey_lines(budget: Budget, ev: PortalEvidence) -> list[LineResult]:
    lines = []
    results = {s.id: s for s in ev.scenarios}
    for jid in budget.journeys:
        s = results.get(jid)
        if s is None:
            lines.append(
                LineResult(f"journeys.{jid}", "journey", False, "passed", "not run", f"journey {jid}: not run")
            )
            continue
        failed = next((step for step in s.steps if not step.ok), None)
        ok = s.outcome == "passed"
        detail = f"journey {jid}: {s.outcome}"
        if not ok:
            detail += f" at step {s.failed_step or (failed.name if failed else '?')}" + (
                f": {s.reason}" if s.reason else ""
            )
        lines.append(
            LineResult(
                id=f"journeys.{jid}",
                kind="journey",
                ok=ok,
                limit="passed",
                actual=s.outcome,
                detail=detail,
                page=(failed.url if failed else "") or (s.steps[-1].url if s.steps else ""),
                element=s.failed_step or "",
                fix="" if ok else (failed.detail if failed and failed.detail else s.reason),
            )
        )
    return lines


def _baseline_lines(budget: Budget, score: PortalScore, ev: PortalEvidence, base: Baseline) -> list[LineResult]:
    """No worse than the earlier result by more than max_drop points — nor than the score's own measured noise
    (the spread of the score when each repeated lab load is scored on its own), whichever is larger."""
    lines = []
    if budget.max_drop is not None:
        allowed = max(budget.max_drop, score.noise, base.noise)
        pairs: list[tuple[str, str, float | None, float | None]] = [("score", "overall score", score.score, base.score)]
        for gid, group_before in base.groups.items():
            g = score.groups.get(gid)
            pairs.append((f"groups.{gid}", f"group {gid} score", g.score if g else None, group_before))
        for lid, what, now, was in pairs:
            if was is None:
                continue
            before = was
            ok = now is not None and now >= before - allowed
            lines.append(
                LineResult(
                    id=f"baseline.{lid}",
                    kind="baseline",
                    ok=ok,
                    limit=round(before - allowed, 2),
                    actual=now,
                    detail=f"{what}: {_fmt(now)} against {_fmt(before)} in the baseline (may fall {allowed:.1f} points)",
                )
            )
    for metric in TIMING_METRICS:
        if metric not in budget.metrics or metric not in base.worst_timings:
            continue
        fig = measures.figure(ev, metric)
        before = base.worst_timings[metric]
        tolerance = timing_tolerance(metric, before, fig.spread, base.spreads.get(metric, 0.0))
        ok = fig.value is not None and fig.value <= before + tolerance
        lines.append(
            LineResult(
                id=f"baseline.{metric}",
                kind="baseline",
                ok=ok,
                limit=round(before + tolerance, 3),
                actual=fig.value,
                detail=f"{metric}: {_fmt(fig.value)} against {_fmt(before)} in the baseline "
                f"(a regression beyond {_fmt(tolerance)}: the measured spread of the lab loads)",
                page=fig.page,
                fix="" if ok else fig.fix,
            )
        )
    return lines


def lost_points(score: PortalScore) -> list[LostPoints]:
    lost = []
    for c in score.criteria:
        if c.score is None or c.max_points - c.points < 0.005:
            continue
        lost.append(
            LostPoints(
                criterion=c.id,
                title=c.title_en,
                lost=round(c.max_points - c.points, 2),
                finding=str(c.finding_msg) if c.finding_msg else c.statistic,
                page=_first_url(c),
                element=_element(c),
                fix=str(c.fix_msg or ""),
            )
        )
    lost.sort(key=lambda x: (-x.lost, x.criterion))
    return lost


def judge(
    budget: Budget, score: PortalScore, ev: PortalEvidence, url: str, baseline: Baseline | None = None
) -> GateResult:
    result = GateResult(url=url, criteria_set=score.criteria_set, score=score)
    why_not = unevaluable(ev)
    if why_not:
        result.evaluable, result.why_not = False, why_not
    result.lines = _criterion_lines(budget, score) + _metric_lines(budget, ev) + _journey_lines(budget, ev)
    if baseline is not None:
        result.lines += _baseline_lines(budget, score, ev, baseline)
    result.lost = lost_points(score)
    return result


def unevaluable(ev: PortalEvidence) -> str:
    """Why a site could not be evaluated at all ("" when it could): no page of it loaded."""
    if any(p.error is None and p.status is not None and p.status < 400 for p in ev.pages):
        return ""
    reasons: list[Any] = [ev.start_blocked, *(p.error for p in ev.pages), *ev.errors]
    first = next((r for r in reasons if r), "")
    return f"no page of the site could be loaded: {first}" if first else "no page of the site could be loaded"
