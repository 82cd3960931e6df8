"""What changed in the ranking between two stored runs (`portalscore diff RUN_A RUN_B`).

Both runs are compared with the same criteria set (run B's by default), so a change is a change
of the portals, not of the method. A run not yet scored with that set is scored from its stored
evidence first (no re-crawl), as `portalscore report --criteria` does.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field

from portalscore.contract.errors import InputError
from portalscore.criteria.model import PortalScore

from .store import RunRecord, Store


@dataclass
class PortalChange:
    portal_id: str
    name: str
    kind: str
    status: str  # up | down | same (rank) | new (only in B) | gone (only in A)
    rank_a: int | None = None
    rank_b: int | None = None
    rank_in_kind_a: int | None = None
    rank_in_kind_b: int | None = None
    score_a: float | None = None
    score_b: float | None = None
    grade_a: str | None = None
    grade_b: str | None = None
    groups: dict[str, dict[str, float | None]] = field(default_factory=dict)  # group -> {"a", "b", "delta"}

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive: moved up the ranking)."""
        return None if self.rank_a is None or self.rank_b is None else self.rank_a - self.rank_b

    @property
    def score_delta(self) -> float | None:
        return None if self.score_a is None or self.score_b is None else round(self.score_b - self.score_a, 2)

    @property
    def grade_changed(self) -> bool:
        return self.grade_a is not None and self.grade_b is not None and self.grade_a != self.grade_b


@dataclass
class RunDiff:
    criteria_set: str
    run_a: dict  # {"id", "registry", "started_at", "finished_at"}
    run_b: dict
    changes: list[PortalChange]

    def summary(self) -> dict[str, int]:
        counts = {
            status: sum(c.status == status for c in self.changes) for status in ("up", "down", "same", "new", "gone")
        }
        return counts | {"grade_changes": sum(c.grade_changed for c in self.changes)}

    def to_dict(self) -> dict:
        return {
            "criteria_set": self.criteria_set,
            "run_a": self.run_a,
            "run_b": self.run_b,
            "portals": [
                asdict(c)
                | {"rank_change": c.rank_change, "score_delta": c.score_delta, "grade_changed": c.grade_changed}
                for c in self.changes
            ],
            "summary": self.summary(),
        }


def _scores(store: Store, run_id: int, criteria_set: str) -> list[PortalScore]:
    stored = store.scores(run_id, criteria_set)
    if stored:
        return stored
    from portalscore.criteria import load_criteria_set  # scoring needs the criteria code; listing does not

    from .run import score_run

    return score_run(store, run_id, load_criteria_set(criteria_set))


def _run_info(run: RunRecord) -> dict:
    return {
        "id": run.id,
        "registry": run.registry_name,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "status": run.status,
    }


def _groups(a: PortalScore | None, b: PortalScore | None) -> dict[str, dict[str, float | None]]:
    names = list((a.groups if a else {}).keys()) + [g for g in (b.groups if b else {}) if not a or g not in a.groups]
    out = {}
    for g in names:
        va = a.groups[g].score if a and g in a.groups else None
        vb = b.groups[g].score if b and g in b.groups else None
        out[g] = {"a": va, "b": vb, "delta": None if va is None or vb is None else round(vb - va, 2)}
    return out


def diff_runs(store: Store, run_a: int, run_b: int, criteria_set: str | None = None) -> RunDiff:
    runs: dict[int, RunRecord] = {}
    for run_id in (run_a, run_b):
        run = store.run(run_id)
        if run is None:
            raise InputError(f"no run {run_id} in the database", file=store.url)
        runs[run_id] = run
    criteria_set = criteria_set or runs[run_b].criteria_set
    before = {s.portal_id: s for s in _scores(store, run_a, criteria_set)}
    after = {s.portal_id: s for s in _scores(store, run_b, criteria_set)}

    changes = []
    for pid in list(after) + [p for p in before if p not in after]:
        a, b = before.get(pid), after.get(pid)
        latest = b or a
        assert latest is not None  # pid comes from one of the two
        if a is None:
            status = "new"
        elif b is None:
            status = "gone"
        else:
            status = "up" if b.rank < a.rank else "down" if b.rank > a.rank else "same"
        changes.append(
            PortalChange(
                portal_id=pid,
                name=latest.name,
                kind=latest.kind,
                status=status,
                rank_a=a.rank if a else None,
                rank_b=b.rank if b else None,
                rank_in_kind_a=a.rank_in_kind if a else None,
                rank_in_kind_b=b.rank_in_kind if b else None,
                score_a=a.score if a else None,
                score_b=b.score if b else None,
                grade_a=a.grade if a else None,
                grade_b=b.grade if b else None,
                groups=_groups(a, b),
            )
        )
    # Ranking order of run B; portals that are gone follow, in their order in run A.
    changes.sort(key=lambda c: (c.rank_b is None, c.rank_b or 0, c.rank_a or 0, c.portal_id))
    return RunDiff(
        criteria_set=criteria_set, run_a=_run_info(runs[run_a]), run_b=_run_info(runs[run_b]), changes=changes
    )


def _pad(text: str, width: int) -> str:
    return text[: width - 1] + "…" if len(text) > width else text.ljust(width)


def _arrow(a, b, fmt: str) -> str:
    return f"{'—' if a is None else format(a, fmt)} → {'—' if b is None else format(b, fmt)}"


def format_text(diff: RunDiff) -> str:
    ra, rb = diff.run_a, diff.run_b
    lines = [
        f"run {ra['id']} ({ra['started_at']}, {ra['registry']}) → run {rb['id']} ({rb['started_at']}, "
        f"{rb['registry']}); criteria {diff.criteria_set}",
    ]
    labels = [unicodedata.normalize("NFC", f"{c.name} ({c.portal_id})") for c in diff.changes]
    width = min(max([len(label) for label in labels] + [6]), 60)
    lines.append(f"{'portal':<{width}} {'kind':<9} {'rank':>11} {'places':>6}  {'score':>15} {'change':>7}  grade")
    for c, label in zip(diff.changes, labels):
        if c.status == "new":
            moved = "new"
        elif c.status == "gone":
            moved = "gone"
        else:
            change = c.rank_change or 0  # both ranks are known for a portal in both runs
            moved = f"{'▲' if change > 0 else '▼' if change < 0 else '='}{abs(change) or ''}"
        delta = "" if c.score_delta is None else f"{c.score_delta:+.1f}"
        grade = _arrow(c.grade_a, c.grade_b, "") if c.grade_changed else (c.grade_b or c.grade_a or "")
        lines.append(
            f"{_pad(label, width)} {c.kind:<9} {_arrow(c.rank_a, c.rank_b, 'd'):>11} "
            f"{moved:>6}  {_arrow(c.score_a, c.score_b, '.1f'):>15} {delta:>7}  {grade}"
        )
    s = diff.summary()
    lines.append(
        f"{s['up']} up, {s['down']} down, {s['same']} same, {s['new']} new, {s['gone']} gone; "
        f"{s['grade_changes']} grade changes"
    )
    return "\n".join(lines)
