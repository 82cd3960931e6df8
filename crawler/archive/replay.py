"""The archived responses of one portal's run, served back to a browser: every request a replayed page makes is
answered from the WARC (Playwright request interception), none reaches the network, one the archive lacks fails
(as a blocked request). URLs stay the page's own, so nothing is rewritten: the page runs as it was crawled."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Route
from warcio.archiveiterator import ArchiveIterator

from .store import DOM_PREFIX, INDEX, PROFILE_HEADER, SLUG, Manifest

_DROP = {"content-length"}  # fulfil sets it from the body; X-Archive-Orig-* stay as they are


@dataclass(frozen=True)
class Replayed:
    status: int
    headers: dict[str, str]
    body: bytes


class ArchiveMissing(Exception):
    """The run holds no archive of this portal (archiving was off, or it was pruned)."""


class ReplayIndex:
    def __init__(self, root: Path | str, portal_id: str, run_id: int, profile: str = "desktop"):
        if not SLUG.match(portal_id):
            raise ArchiveMissing(f"not a portal id: {portal_id!r}")
        self.root, self.portal_id, self.run_id, self.profile = Path(root), portal_id, run_id, profile
        self.folder = self.root / portal_id
        self.warc = self.folder / f"run-{run_id}.warc.gz"
        manifest = Manifest.read(self.folder / f"run-{run_id}.json")
        if manifest is None or not self.warc.exists():
            raise ArchiveMissing(f"no archive of {portal_id} in run {run_id} under {self.root}")
        self.manifest = manifest
        self.records: dict[str, Replayed] = {}
        self.doms: dict[str, str] = {}
        self.served: list[str] = []
        self.missed: list[str] = []
        self._load()

    def _load(self) -> None:
        db = sqlite3.connect(self.root / INDEX)
        try:
            with open(self.warc, "rb") as fh:
                for record in ArchiveIterator(fh):
                    if record.rec_headers.get_header(PROFILE_HEADER, "desktop") != self.profile:
                        continue
                    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                    if record.rec_type == "resource" and uri.startswith(DOM_PREFIX):
                        self.doms[uri] = record.content_stream().read().decode("utf-8")
                    elif record.rec_type in ("response", "revisit") and uri not in self.records:
                        http = record.http_headers
                        body = record.content_stream().read()
                        if record.rec_type == "revisit":
                            body = self._original(db, record.rec_headers.get_header("WARC-Payload-Digest"))
                        status = int(http.get_statuscode() or 200) if http else 200
                        headers = {k: v for k, v in (http.headers if http else []) if k.lower() not in _DROP}
                        self.records[uri] = Replayed(status, headers, body)
        finally:
            db.close()

    def _original(self, db: sqlite3.Connection, digest: str | None) -> bytes:
        row = db.execute(
            "SELECT file, offset FROM payloads WHERE portal = ? AND digest = ?", (self.portal_id, digest)
        ).fetchone()
        if row is None:
            return b""
        with open(self.folder / row[0], "rb") as fh:
            fh.seek(row[1])
            record = next(iter(ArchiveIterator(fh)))
            return bytes(record.content_stream().read())

    def page_url(self, url: str) -> str:
        """The archived page a URL names: as asked, or the page whose crawl started there (a redirect)."""
        for page in self.manifest.pages:
            if page.profile == self.profile and url in (page.url, page.final_url):
                return page.final_url
        raise ArchiveMissing(f"{url} is not archived in run {self.run_id} of {self.portal_id} ({self.profile})")

    def dom(self, final_url: str) -> str:
        return self.doms.get(f"{DOM_PREFIX}{self.profile}:{final_url}", "")

    def lookup(self, url: str) -> Replayed | None:
        return self.records.get(url) or self.records.get(url.split("#", 1)[0])

    async def route(self, route: Route) -> None:
        """A Playwright route handler: the archived response, or the request fails (nothing goes out)."""
        found = self.lookup(route.request.url)
        if found is None:
            self.missed.append(route.request.url)
            await route.abort("blockedbyclient")
            return
        self.served.append(route.request.url)
        await route.fulfill(status=found.status, headers=found.headers, body=found.body)
