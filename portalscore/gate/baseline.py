"""An earlier check's JSON result (outputs.result_json), read back as what a later check must not fall below."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portalscore.contract.errors import InputError


@dataclass(frozen=True)
class Baseline:
    file: str
    score: float
    noise: float = 0.0
    groups: dict[str, float] = field(default_factory=dict)
    worst_timings: dict[str, float] = field(default_factory=dict)  # metric -> worst page's lab median
    spreads: dict[str, float] = field(default_factory=dict)  # metric -> that page's spread of lab loads


def _numbers(data: Any, file: str, key: str) -> dict[str, float]:
    if not isinstance(data, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in data.values()
    ):
        raise InputError("must map names to numbers", file=file, field=key)
    return {str(k): float(v) for k, v in data.items()}


def load_baseline(path: str | Path) -> Baseline:
    """InputError (one line) unless the file is a `portalscore check --json` result."""
    file = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", file=file) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"not a JSON check result: {e}", file=file) from None
    if not isinstance(data, dict) or data.get("kind") != "portalscore-check":
        raise InputError("not a `portalscore check` JSON result (kind: portalscore-check)", file=file)
    score = data.get("score")
    if not isinstance(score, int | float) or isinstance(score, bool):
        raise InputError("must be a number", file=file, field="score")
    timings = data.get("timings", {})
    if not isinstance(timings, dict):
        raise InputError("must be a mapping", file=file, field="timings")
    return Baseline(
        file=file,
        score=float(score),
        noise=float(data.get("noise") or 0.0),
        groups=_numbers(data.get("groups", {}), file, "groups"),
        worst_timings=_numbers(timings.get("worst", {}), file, "timings.worst"),
        spreads=_numbers(timings.get("spread", {}), file, "timings.spread"),
    )
