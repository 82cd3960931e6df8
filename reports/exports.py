"""Machine-readable files beside the HTML: ranking.json, ranking.csv, evidence/<portal>.json.

ranking.json is a contract other tools rely on; change it only additively.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path
from typing import Any

from portalscore.contract.evidence import PortalEvidence
from portalscore.criteria.model import PortalScore

from .safe import file_stem


def _score(value: float) -> float:
    return round(float(value), 2)


def ranking_dict(criteria_set: str, generated_at: str, run_id: int, scores: list[PortalScore]) -> dict:
    ordered = sorted(scores, key=lambda s: (s.rank, s.portal_id))
    return {
        "criteria_set": criteria_set,
        "generated_at": generated_at,
        "run_id": run_id,
        "portals": [
            {
                "id": s.portal_id,
                "name": s.name,
                "kind": s.kind,
                "rank": s.rank,
                "rank_in_kind": s.rank_in_kind,
                "score": _score(s.score),
                "grade": s.grade,
                "groups": {gid: _score(g.score) for gid, g in s.groups.items()},
                "pages_evaluated": s.pages_evaluated,
                "errors": list(s.errors),
                "change": s.change,
                "tied_with": list(s.tied_with),
            }
            for s in ordered
        ],
    }


def ranking_csv(ranking: dict, group_ids: list[str]) -> str:
    """One row per portal; column names are the JSON keys so that scripts can read either file."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(
        [
            "rank",
            "rank_in_kind",
            "id",
            "name",
            "kind",
            "score",
            "grade",
            *group_ids,
            "pages_evaluated",
            "change",
            "tied_with",
            "errors",
        ]
    )
    for p in ranking["portals"]:
        writer.writerow(
            [
                p["rank"],
                p["rank_in_kind"],
                p["id"],
                p["name"],
                p["kind"],
                f"{p['score']:.2f}",
                p["grade"],
                *(f"{p['groups'][g]:.2f}" if g in p["groups"] else "" for g in group_ids),
                p["pages_evaluated"],
                p["change"],
                " ".join(p["tied_with"]),
                " | ".join(p["errors"]),
            ]
        )
    return buf.getvalue()


def _fields(obj: Any) -> dict:
    """json `default` hook: a dataclass as its fields. Same output as dataclasses.asdict, but the
    recursion stays in the C encoder (asdict deep-copies every value: 60 x 200 pages took seconds)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return obj.__dict__
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def write_exports(out_dir: Path, ranking: dict, group_ids: list[str], evidence: dict[str, PortalEvidence]) -> None:
    (out_dir / "ranking.json").write_text(json.dumps(ranking, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    # The BOM is what makes spreadsheet software read the file as UTF-8 (Vietnamese diacritics).
    (out_dir / "ranking.csv").write_text(ranking_csv(ranking, group_ids), encoding="utf-8-sig", newline="")
    ev_dir = out_dir / "evidence"
    ev_dir.mkdir(parents=True, exist_ok=True)
    for portal_id, ev in evidence.items():
        (ev_dir / f"{file_stem(portal_id)}.json").write_text(
            json.dumps(ev, default=_fields, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
