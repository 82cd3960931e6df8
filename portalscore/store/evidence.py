"""Evidence: every page as it completes (its own transaction), each portal's stage, and the audits an
earlier run made of the same content (incremental crawling).

Evidence is stored as JSON documents (the shape of portalscore.contract.evidence), so scoring can be
redone without re-crawling, and a run killed at any point keeps what it had.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import exc, insert, select, update
from sqlalchemy.engine import Connection, Engine

from portalscore.contract import secrets
from portalscore.contract.evidence import Accessibility, PageEvidence, PortalEvidence, PortalRef, from_dict, to_dict

from .database import from_json, now
from .schema import pages, run_portals, runs

PAGE_ORDER = "page_order"  # key in run_portals.evidence: [url, profile] of every page, in crawl order
# Earlier pages with the same content looked at for a usable audit (one that had not failed, audited by
# the same axe version, the page's own): the newest usable one wins.
AUDIT_CANDIDATES = 20
_IN_CHUNK = 500  # ids per IN (...) list

AuditKey = tuple[str, str]  # (profile, content hash)


class EvidenceQueries:
    engine: Engine

    def stage(self, run_id: int, portal_id: str) -> str:
        with self.engine.connect() as conn:
            return (
                conn.execute(
                    select(run_portals.c.stage).where(
                        run_portals.c.run_id == run_id, run_portals.c.portal_id == portal_id
                    )
                ).scalar()
                or "pending"
            )

    def portal_stages(self, run_id: int) -> dict[str, str]:
        """portal id -> stage, for every portal of the run."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(run_portals.c.portal_id, run_portals.c.stage).where(run_portals.c.run_id == run_id)
            ).all()
        return dict(rows)  # rows of two columns

    def save_page(self, run_id: int, portal_id: str, page: PageEvidence) -> None:
        """Insert or replace one page's evidence, atomically: a page is stored once, however often it comes."""
        data = secrets.scrub(to_dict(page))  # a portal's credentials never reach the database
        url = secrets.scrub(page.url)
        try:
            with self.engine.begin() as conn:
                self._upsert_page(conn, run_id, portal_id, url, page, data)
        except exc.IntegrityError:  # another process stored it between our look and our insert: replace it
            with self.engine.begin() as conn:
                self._upsert_page(conn, run_id, portal_id, url, page, data)

    @staticmethod
    def _upsert_page(
        conn: Connection, run_id: int, portal_id: str, url: str, page: PageEvidence, data: dict[str, Any]
    ) -> None:
        existing = conn.execute(
            select(pages.c.id).where(
                pages.c.run_id == run_id,
                pages.c.portal_id == portal_id,
                pages.c.url == url,
                pages.c.profile == page.profile,
            )
        ).scalar()
        if existing is None:
            conn.execute(
                insert(pages).values(
                    run_id=run_id,
                    portal_id=portal_id,
                    url=url,
                    profile=page.profile,
                    content_hash=page.content_hash,
                    data=data,
                )
            )
        else:
            conn.execute(update(pages).where(pages.c.id == existing).values(content_hash=page.content_hash, data=data))

    def pages(self, run_id: int, portal_id: str) -> list[PageEvidence]:
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(pages.c.data)
                    .where(pages.c.run_id == run_id, pages.c.portal_id == portal_id)
                    .order_by(pages.c.id)
                )
                .scalars()
                .all()
            )
        return [from_dict(PageEvidence, from_json(r)) for r in rows]

    def save_portal(self, run_id: int, evidence: PortalEvidence, stage: str) -> None:
        """Store everything but the pages (stored one by one) and move the portal to `stage`."""
        data = secrets.scrub(evidence.to_dict())
        data.pop("pages", None)
        if evidence.pages:
            # Rows are inserted as loads finish; this keeps the crawl's order, which the lab sample and
            # the criteria read, so a resumed (or any) run yields its pages in the same order.
            data[PAGE_ORDER] = [[secrets.scrub(p.url), p.profile] for p in evidence.pages]
        with self.engine.begin() as conn:
            conn.execute(
                update(run_portals)
                .where(run_portals.c.run_id == run_id, run_portals.c.portal_id == evidence.portal.id)
                .values(stage=stage, evidence=data, updated_at=now())
            )

    def evidence(self, run_id: int, portal_id: str) -> PortalEvidence:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(run_portals.c.evidence).where(
                    run_portals.c.run_id == run_id, run_portals.c.portal_id == portal_id
                )
            ).scalar()
            entries = from_json(conn.execute(select(runs.c.portals).where(runs.c.id == run_id)).scalar()) or []
        data = from_json(row) or {}
        portal = next(p for p in entries if p["id"] == portal_id)
        data.setdefault("portal", {k: portal[k] for k in ("id", "name", "kind", "url")})
        ev = PortalEvidence.from_dict(data)
        if not isinstance(ev.portal, PortalRef):
            ev.portal = PortalRef(**ev.portal)
        ev.pages = self.pages(run_id, portal_id)
        order = {(url, profile): i for i, (url, profile) in enumerate(data.get(PAGE_ORDER) or [])}
        if order:  # crawl order; pages it does not list (none, normally) keep their storage order, last
            ev.pages.sort(key=lambda p: order.get((p.url, p.profile), len(order)))
        return ev

    def prior_audits(self, run_id: int, portal_id: str, engine: str) -> dict[AuditKey, Accessibility]:
        """For incremental crawling: the axe results earlier runs stored for this portal's content, by
        (profile, content hash), to be given to the crawler before it starts.

        For each content: the result of the latest *complete* run of the same registry before `run_id` that
        has a usable one — audited by `engine` (e.g. "axe-core 4.14.1"; another version re-audits), not
        failed, and the page's own audit (not a template sample's). Its reused_from_run names the run that
        audited the content (kept along a chain of reuses). Same content under another URL is the same audit."""
        registry = select(runs.c.registry_name).where(runs.c.id == run_id).scalar_subquery()
        candidates: dict[AuditKey, list[tuple[int, int]]] = defaultdict(list)  # key -> [(page id, run id)]
        with self.engine.connect() as conn:
            # First the keys alone (small rows, newest first), then the documents of the few candidates.
            for page_id, audited_in, profile, content_hash in conn.execute(
                select(pages.c.id, pages.c.run_id, pages.c.profile, pages.c.content_hash)
                .join(runs, runs.c.id == pages.c.run_id)
                .where(
                    pages.c.portal_id == portal_id,
                    pages.c.content_hash != "",
                    runs.c.registry_name == registry,
                    runs.c.status == "complete",
                    runs.c.id < run_id,
                )
                .order_by(runs.c.id.desc(), pages.c.id.desc())
            ):
                if len(candidates[(profile, content_hash)]) < AUDIT_CANDIDATES:
                    candidates[(profile, content_hash)].append((page_id, audited_in))
            found: dict[AuditKey, Accessibility] = {}
            for depth in range(AUDIT_CANDIDATES):  # usually one round: the newest candidate is usable
                round_ = {key: c[depth] for key, c in candidates.items() if key not in found and depth < len(c)}
                if not round_:
                    break
                documents = self._page_documents(conn, [page_id for page_id, _ in round_.values()])
                for key, (page_id, audited_in) in round_.items():
                    result = _own_audit(documents.get(page_id), engine)
                    if result is not None:
                        if result.reused_from_run is None:
                            result.reused_from_run = audited_in
                        found[key] = result
        return found

    @staticmethod
    def _page_documents(conn: Connection, ids: list[int]) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for i in range(0, len(ids), _IN_CHUNK):
            chunk = ids[i : i + _IN_CHUNK]
            rows = conn.execute(select(pages.c.id, pages.c.data).where(pages.c.id.in_(chunk)))
            out.update((page_id, data) for page_id, data in rows)
        return out


def _own_audit(data: Any, engine: str) -> Accessibility | None:
    """The page's own, usable axe result by this engine, or None."""
    acc = (from_json(data) or {}).get("accessibility")
    if not acc or acc.get("error") or acc.get("sampled_from") is not None:
        return None  # failed, or another page's audit (template sampling): not this content's
    result: Accessibility = from_dict(Accessibility, acc)
    return result if result.engine == engine else None
