"""Scores: a run's ranked scores per criteria set, and each portal's history over the runs of a registry."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from portalscore.criteria.model import PortalScore

from .database import from_json, now
from .schema import runs, scores


class ScoreQueries:
    engine: Engine

    def save_scores(self, run_id: int, criteria_set: str, portal_scores: list[PortalScore]) -> None:
        """Replace the run's scores with this criteria set."""
        with self.engine.begin() as conn:
            conn.execute(delete(scores).where(scores.c.run_id == run_id, scores.c.criteria_set == criteria_set))
            for ps in portal_scores:
                conn.execute(
                    insert(scores).values(
                        run_id=run_id,
                        criteria_set=criteria_set,
                        portal_id=ps.portal_id,
                        score=ps.to_dict(),
                        created_at=now(),
                    )
                )

    def scores(self, run_id: int, criteria_set: str) -> list[PortalScore]:
        """The run's scores with this criteria set, in ranking order (empty when not scored with it)."""
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(scores.c.score).where(scores.c.run_id == run_id, scores.c.criteria_set == criteria_set)
                )
                .scalars()
                .all()
            )
        return sorted((PortalScore.from_dict(from_json(r)) for r in rows), key=lambda s: (s.rank, s.portal_id))

    def history(self, registry_name: str, criteria_set: str, up_to_run: int) -> dict[str, list[dict]]:
        """portal id -> [{run_id, generated_at, score, rank}] over the scored runs of this registry up to
        `up_to_run`, oldest first (the shape reports.ReportInput.history takes)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(runs.c.id, runs.c.started_at, scores.c.portal_id, scores.c.score)
                .join(scores, scores.c.run_id == runs.c.id)
                .where(
                    runs.c.registry_name == registry_name, scores.c.criteria_set == criteria_set, runs.c.id <= up_to_run
                )
                .order_by(runs.c.id)
            ).all()
        out: dict[str, list[dict]] = {}
        for run_id, started, portal_id, score in rows:
            s = from_json(score)
            out.setdefault(portal_id, []).append(
                {"run_id": run_id, "generated_at": started, "score": s["score"], "rank": s["rank"]}
            )
        return out
