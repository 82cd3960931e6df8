"""Scoring rules: how one portal figure becomes a fraction 0..1 of a criterion's points.

Each rule says in words what it does (`describe`) and shows its arithmetic (`apply`), so that a score
can be checked by hand. Rules are parsed from a criterion's `rule:` mapping; the loader checks that the
rule fits the metric (a log-normal curve only for lower-is-better figures, pass/fail only for yes/no...).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .message import Message, msg, qty

# Closest double to erfc^-1(1/5), as in Lighthouse's shared/statistics.js.
INVERSE_ERFC_ONE_FIFTH = 0.9061938024368232


@dataclass(frozen=True)
class ValueKind:
    """What a rule receives: a yes/no, or a number where lower or higher is better (a share lies in 0..1)."""

    type: str  # "bool" | "number"
    better: str = "higher"  # "lower" | "higher"
    fraction: bool = False  # the number is a share in 0..1
    unit: str = ""


class RuleError(ValueError):
    """A rule that cannot be used; `key` names the offending field of the rule mapping."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


def _number(spec: dict[str, Any], key: str, *, positive: bool = False) -> float:
    if key not in spec:
        raise RuleError(f"missing required field {key!r}", key=None)
    value = spec[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RuleError(f"must be a number (got {value!r})", key=key)
    if positive and value <= 0:
        raise RuleError(f"must be greater than 0 (got {value!r})", key=key)
    return float(value)


def lognormal_score(value: float, p10: float, median: float) -> float:
    """Lighthouse's getLogNormalScore: p10 scores 0.9, median 0.5, with its band clamps."""
    if value <= 0:
        return 1.0
    x_log_ratio = math.log(max(5e-324, value / median))
    p10_log_ratio = -math.log(max(5e-324, p10 / median))
    standardized = x_log_ratio * INVERSE_ERFC_ONE_FIFTH / p10_log_ratio
    complementary = (1 - math.erf(standardized)) / 2
    if value <= p10:
        return max(0.9, min(1.0, complementary))
    if value <= median:
        return max(0.5, min(0.8999999999999999, complementary))
    return max(0.0, min(0.49999999999999994, complementary))


class Rule:
    type: str = ""
    keys: tuple[str, ...] = ()  # allowed fields besides 'type'

    def describe(self, unit: str = "") -> Message:
        raise NotImplementedError

    def apply(self, value: Any, unit: str = "") -> tuple[float, Message]:
        """(fraction 0..1, the arithmetic in words)"""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **{k: getattr(self, k) for k in self.keys if getattr(self, k) is not None}}


@dataclass(frozen=True)
class PassFail(Rule):
    type = "pass_fail"
    keys = ()

    @classmethod
    def parse(cls, spec: dict[str, Any], kind: ValueKind) -> PassFail:
        if kind.type != "bool":
            raise RuleError("pass_fail needs a yes/no figure; for numbers use threshold, linear, lognormal or ratio")
        return cls()

    def describe(self, unit: str = "") -> Message:
        return msg("pass/fail: 100 if it passes, 0 if not")

    def apply(self, value: Any, unit: str = "") -> tuple[float, Message]:
        return (1.0, msg("passed → 1")) if value else (0.0, msg("failed → 0"))


@dataclass(frozen=True)
class Threshold(Rule):
    type = "threshold"
    keys = ("at_most", "at_least")
    at_most: float | None = None
    at_least: float | None = None

    @classmethod
    def parse(cls, spec: dict[str, Any], kind: ValueKind) -> Threshold:
        if kind.type != "number":
            raise RuleError("threshold needs a number; for a yes/no figure use pass_fail")
        if ("at_most" in spec) == ("at_least" in spec):
            raise RuleError("give exactly one of at_most (lower is better) or at_least (higher is better)")
        if "at_most" in spec:
            if kind.better != "lower":
                raise RuleError("higher is better for this figure: use at_least", key="at_most")
            return cls(at_most=_number(spec, "at_most"))
        if kind.better != "higher":
            raise RuleError("lower is better for this figure: use at_most", key="at_least")
        return cls(at_least=_number(spec, "at_least"))

    def describe(self, unit: str = "") -> Message:
        if self.at_most is not None:
            return msg("threshold: 100 if at most {limit}, else 0", limit=qty(self.at_most, unit))
        return msg("threshold: 100 if at least {limit}, else 0", limit=qty(self.at_least, unit))

    def apply(self, value: float, unit: str = "") -> tuple[float, Message]:
        if self.at_most is not None:
            limit = qty(self.at_most, unit)
            if value <= self.at_most:
                return 1.0, msg("≤ {limit} → 1", limit=limit)
            return 0.0, msg("> {limit} → 0", limit=limit)
        assert self.at_least is not None  # parse() sets exactly one of the two
        limit = qty(self.at_least, unit)
        if value >= self.at_least:
            return 1.0, msg("≥ {limit} → 1", limit=limit)
        return 0.0, msg("< {limit} → 0", limit=limit)


@dataclass(frozen=True)
class Linear(Rule):
    type = "linear"
    keys = ("best", "worst")
    best: float = 0.0
    worst: float = 1.0

    @classmethod
    def parse(cls, spec: dict[str, Any], kind: ValueKind) -> Linear:
        if kind.type != "number":
            raise RuleError("linear needs a number; for a yes/no figure use pass_fail")
        best, worst = _number(spec, "best"), _number(spec, "worst")
        if best == worst:
            raise RuleError("best and worst must differ", key="worst")
        if kind.better == "lower" and best > worst:
            raise RuleError("lower is better for this figure, so best must be below worst", key="best")
        if kind.better == "higher" and best < worst:
            raise RuleError("higher is better for this figure, so best must be above worst", key="best")
        return cls(best=best, worst=worst)

    def describe(self, unit: str = "") -> Message:
        return msg(
            "linear: 100 at {best} or better, 0 at {worst} or worse, straight line between",
            best=qty(self.best, unit),
            worst=qty(self.worst, unit),
        )

    def apply(self, value: float, unit: str = "") -> tuple[float, Message]:
        raw = (value - self.worst) / (self.best - self.worst)
        fraction = min(1.0, max(0.0, raw))
        args = dict(
            best=qty(self.best, unit),
            worst=qty(self.worst, unit),
            value=value,
            worst_n=self.worst,
            best_n=self.best,
            fraction=fraction,
        )
        if fraction != raw:
            return fraction, msg(
                "linear(best={best}, worst={worst}): ({value} − {worst_n}) / ({best_n} − {worst_n}) clamped to 0..1"
                " → {fraction:.4f}",
                **args,
            )
        return fraction, msg(
            "linear(best={best}, worst={worst}): ({value} − {worst_n}) / ({best_n} − {worst_n}) → {fraction:.4f}",
            **args,
        )


@dataclass(frozen=True)
class LogNormal(Rule):
    type = "lognormal"
    keys = ("p10", "median")
    p10: float = 1.0
    median: float = 2.0

    @classmethod
    def parse(cls, spec: dict[str, Any], kind: ValueKind) -> LogNormal:
        if kind.type != "number" or kind.better != "lower":
            raise RuleError("lognormal is for figures where lower is better (timings, sizes, violation counts)")
        p10, median = _number(spec, "p10", positive=True), _number(spec, "median", positive=True)
        if p10 >= median:
            raise RuleError("p10 must be below the median (p10 scores 90, the median 50)", key="p10")
        return cls(p10=p10, median=median)

    def describe(self, unit: str = "") -> Message:
        return msg(
            "log-normal curve (Lighthouse getLogNormalScore): {p10} scores 90, {median} scores 50, smaller is better",
            p10=qty(self.p10, unit),
            median=qty(self.median, unit),
        )

    def apply(self, value: float, unit: str = "") -> tuple[float, Message]:
        fraction = lognormal_score(value, self.p10, self.median)
        return fraction, msg(
            "log-normal(p10={p10}, median={median}) → {fraction:.4f}",
            p10=self.p10,
            median=self.median,
            fraction=fraction,
        )


@dataclass(frozen=True)
class Ratio(Rule):
    type = "ratio"
    keys = ("full_at",)
    full_at: float = 1.0

    @classmethod
    def parse(cls, spec: dict[str, Any], kind: ValueKind) -> Ratio:
        if kind.type != "number" or not kind.fraction or kind.better != "higher":
            raise RuleError(
                "ratio needs a share in 0..1 where higher is better (a 'share' statistic, or a metric that is a share)"
            )
        full_at = _number(spec, "full_at", positive=True) if "full_at" in spec else 1.0
        if full_at > 1:
            raise RuleError("must be a share between 0 and 1", key="full_at")
        return cls(full_at=full_at)

    def describe(self, unit: str = "") -> Message:
        if self.full_at == 1.0:
            return msg("ratio: the share itself, as a score (0.8 → 80)")
        return msg(
            "ratio: the share divided by {full_at} (full marks from {full_at}), capped at 100", full_at=self.full_at
        )

    def apply(self, value: float, unit: str = "") -> tuple[float, Message]:
        if self.full_at == 1.0:
            return value, msg("ratio → {fraction:.4f}", fraction=value)
        fraction = min(1.0, value / self.full_at)
        if value > self.full_at:
            return fraction, msg(
                "ratio {value} / {full_at} capped at 1 → {fraction:.4f}",
                value=value,
                full_at=self.full_at,
                fraction=fraction,
            )
        return fraction, msg(
            "ratio {value} / {full_at} → {fraction:.4f}", value=value, full_at=self.full_at, fraction=fraction
        )


RULES: dict[str, Callable[[dict[str, Any], ValueKind], Rule]] = {
    r.type: r.parse for r in (Threshold, Linear, LogNormal, PassFail, Ratio)
}
RULE_KEYS: dict[str, tuple[str, ...]] = {r.type: r.keys for r in (Threshold, Linear, LogNormal, PassFail, Ratio)}
