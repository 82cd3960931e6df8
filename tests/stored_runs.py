"""Build small stored runs (evidence and scores) directly through the Store, for history, diff and schedule tests."""

from __future__ import annotations

from portalscore.contract.evidence import Accessibility, PageEvidence, PortalEvidence, PortalRef, Timings, Violation
from portalscore.contract.portal import Portal
from portalscore.crawler.settings import CrawlSettings
from portalscore.criteria.model import GroupScore, PortalScore, grade
from portalscore.runsettings import RunSettings
from portalscore.store import Store

GROUPS = {"functionality": 50.0, "performance": 30.0, "accessibility": 20.0}


def portal(pid: str, kind: str = "province", name: str | None = None) -> Portal:
    return Portal(id=pid, name=name or f"Cổng dịch vụ công {pid.upper()}", kind=kind, url=f"http://127.0.0.1:9/{pid}/")


def settings(max_pages: int = 1) -> RunSettings:
    return RunSettings(crawl=CrawlSettings(max_pages=max_pages))


def portal_score(p: Portal, score: float, rank: int) -> PortalScore:
    groups = {
        g: GroupScore(id=g, title_vi=g, title_en=g, max_points=pts, score=score, points=pts * score / 100)
        for g, pts in GROUPS.items()
    }
    return PortalScore(
        portal_id=p.id,
        name=p.name,
        kind=p.kind,
        url=p.url,
        score=score,
        grade=grade(score),
        groups=groups,
        pages_evaluated=1,
        rank=rank,
        rank_in_kind=rank,
    )


def page(
    url: str, content_hash: str, violations: int = 1, engine: str = "axe-core 4.14.1", error: str | None = None
) -> PageEvidence:
    acc = Accessibility(
        engine=engine,
        passes=10,
        error=error,
        violations=[
            Violation(rule=f"rule-{i}", impact="serious", wcag=["1.1.1"], node_count=i + 1) for i in range(violations)
        ],
    )
    return PageEvidence(
        url=url,
        status=200,
        title="Trang chủ — Cổng dịch vụ công",
        content_hash=content_hash,
        timings=Timings(ttfb_ms=12.0, lcp_ms=300.0),
        accessibility=acc,
    )


def scored_run(
    store: Store,
    registry: str,
    scores: dict[str, float],
    criteria_set: str = "test-set",
    kinds: dict[str, str] | None = None,
    complete: bool = True,
) -> int:
    """A run of `registry` with one page per portal and the given overall scores (ranked by score)."""
    kinds = kinds or {}
    portals = [portal(pid, kinds.get(pid, "province")) for pid in scores]
    run_id = store.create_run(registry, f"{registry}.yaml", criteria_set, settings(), portals)
    for p in portals:
        store.save_page(run_id, p.id, page(p.url, f"hash-{p.id}"))
        store.save_portal(run_id, PortalEvidence(portal=PortalRef(p.id, p.name, p.kind, p.url)), "done")
    ordered = sorted(portals, key=lambda p: (-scores[p.id], p.id))
    store.save_scores(
        run_id, criteria_set, [portal_score(p, scores[p.id], rank) for rank, p in enumerate(ordered, start=1)]
    )
    if complete:
        store.finish_run(run_id)
    return run_id
