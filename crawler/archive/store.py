"""One portal's archive of one run, on disk under the archive root (the run's operator folder, never the published
site):

    ROOT/index.sqlite                 payload digest -> the record that holds it (revisits across runs)
    ROOT/<portal>/run-<N>.warc.gz     every evaluated page's responses, its DOM after load (resource records)
    ROOT/<portal>/run-<N>.json        the run's manifest: pages, their screenshot, bytes this run added
    ROOT/<portal>/shots/<sha1>.jpg    viewport screenshots, content-addressed (an unchanged page costs nothing)
    ROOT/<portal>/journeys/run-<N>/   the citizen journeys' failure screenshots and Playwright traces

A payload already archived for the portal (this run or an earlier one) is written as a WARC revisit record
(profile identical-payload-digest) naming the original, so a nightly run of an unchanged portal adds little.
Records are written page by page and flushed: a run killed midway leaves a valid file up to its last page.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .capture import Capture
from .visual import looks_same

INDEX = "index.sqlite"
PROFILE_HEADER = "WARC-Portalscore-Profile"  # desktop | mobile: the same URL may be archived on both
DOM_PREFIX = "urn:portalscore:dom:"
# Chromium hands over decoded bodies: the encoding and length headers would misdescribe the payload, so they are
# kept under pywb's prefix and the length is set to the payload's.
_RENAMED = {"content-encoding", "transfer-encoding", "content-length"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


def journey_folder(root: Path | str, portal_id: str, run_id: int) -> Path:
    """Where a run's journeys of a portal keep their screenshots and traces: in the archive, so that `prune` and
    `evidence export` treat them as they treat the pages' evidence."""
    if not SLUG.match(portal_id):
        raise ValueError(f"not a portal id: {portal_id!r}")
    return Path(root) / portal_id / "journeys" / f"run-{run_id}"


def payload_digest(body: bytes) -> str:
    """WARC-Payload-Digest as warcio writes it: sha1, base32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()


@dataclass
class ArchivedPage:
    url: str
    final_url: str
    profile: str
    dom: str  # the resource record's URI
    shot: str = ""  # relative to the portal's folder
    shot_from_run: int | None = None  # the shot is an earlier run's, this one's looking the same (visual.py)
    responses: int = 0
    revisits: int = 0


@dataclass
class Manifest:
    run: int
    portal: str
    warc: str
    pages: list[ArchivedPage] = field(default_factory=list)
    shot_bytes: int = 0  # screenshots this run was the first to store

    @classmethod
    def read(cls, path: Path) -> Manifest | None:
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        pages = [ArchivedPage(**p) for p in data.pop("pages", [])]
        return cls(pages=pages, **data)


def _index(root: Path) -> sqlite3.Connection:
    # Written from one worker thread at a time (PortalArchive's lock), not always the one that opened it.
    db = sqlite3.connect(root / INDEX, timeout=30, check_same_thread=False)
    # Several portals' crawls (and Celery workers) write it; each commits page by page. WAL: readers never wait.
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS payloads (portal TEXT, digest TEXT, uri TEXT, date TEXT, file TEXT,"
        " offset INTEGER, length INTEGER, run INTEGER, PRIMARY KEY (portal, digest))"
    )
    # Which runs' revisits lean on a payload: pruning keeps the file holding it while one of them is kept.
    db.execute(
        "CREATE TABLE IF NOT EXISTS refs (portal TEXT, digest TEXT, run INTEGER, PRIMARY KEY (portal, digest, run))"
    )
    return db


class Archive:
    """The archive of one run: a PortalArchive per portal, opened by the crawl of that portal."""

    def __init__(self, root: Path | str, run_id: int):
        self.root = Path(root)
        self.run_id = run_id

    def portal(self, portal_id: str) -> PortalArchive:
        if not SLUG.match(portal_id):
            raise ValueError(f"not a portal id: {portal_id!r}")
        return PortalArchive(self.root, portal_id, self.run_id)


class PortalArchive:
    def __init__(self, root: Path, portal_id: str, run_id: int):
        self.root, self.portal_id, self.run_id = root, portal_id, run_id
        self.folder = root / portal_id
        (self.folder / "shots").mkdir(parents=True, exist_ok=True)
        self.warc_name = f"run-{run_id}.warc.gz"
        self.manifest_path = self.folder / f"run-{run_id}.json"
        self.manifest = Manifest.read(self.manifest_path) or Manifest(run_id, portal_id, self.warc_name)
        self._db = _index(root)
        self._lock = threading.Lock()  # pages of one portal finish concurrently; each is written whole
        self._previous = _previous_shots(self.folder, run_id)
        self._fh: BinaryIO = open(self.folder / self.warc_name, "ab")  # --resume appends to the same file
        self._writer = WARCWriter(self._fh, gzip=True)
        if self._fh.tell() == 0:
            info = {"software": "portalscore", "format": "WARC File Format 1.1", "portal": portal_id}
            self._writer.write_record(self._writer.create_warcinfo_record(self.warc_name, info))

    def write_page(
        self, url: str, final_url: str, profile: str, captures: list[Capture], dom: str, shot: bytes | None
    ) -> ArchivedPage:
        """Blocking (compression, the index, comparing screenshots): call it from a worker thread."""
        with self._lock:
            return self._write_page(url, final_url, profile, captures, dom, shot)

    def _write_page(
        self, url: str, final_url: str, profile: str, captures: list[Capture], dom: str, shot: bytes | None
    ) -> ArchivedPage:
        page = ArchivedPage(url=url, final_url=final_url, profile=profile, dom=f"{DOM_PREFIX}{profile}:{final_url}")
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        unchanged = True  # every payload of the page was archived before: only then may its screenshot be too
        for capture in captures:
            http = StatusAndHeaders(f"{capture.status} {capture.reason}".strip(), _headers(capture), "HTTP/1.1")
            revisit = self._write(capture.url, capture.date, "response", capture.body or b"", http, profile)
            page.responses += 1
            page.revisits += revisit
            unchanged = unchanged and (revisit or not capture.body)
        dom_bytes = dom.encode("utf-8")
        unchanged = (
            self._write(page.dom, now, "resource", dom_bytes, None, profile, "text/html; charset=utf-8") and unchanged
        )
        if shot:
            name = f"shots/{hashlib.sha1(shot).hexdigest()}.jpg"
            path = self.folder / name
            earlier = self._previous.get((url, profile))
            # Same bytes: the file is there. Same page (every payload and the DOM unchanged) and the same picture
            # to the eye, encoded a little differently: the earlier run's file (a colour change shows in the CSS).
            if not path.exists() and unchanged and earlier and looks_same(self.folder / earlier[0], shot):
                name, page.shot_from_run = earlier
            elif not path.exists():
                path.write_bytes(shot)
                self.manifest.shot_bytes += len(shot)
            page.shot = name
        self._fh.flush()
        self._db.commit()
        self.manifest.pages.append(page)
        self._save_manifest()
        return page

    def _write(
        self,
        uri: str,
        date: str,
        kind: str,
        body: bytes,
        http: StatusAndHeaders | None,
        profile: str,
        content_type: str | None = None,
    ) -> bool:
        """One record; a revisit when the portal's archive already holds this payload. True if it was a revisit."""
        digest = payload_digest(body)
        headers = {"WARC-Date": date, PROFILE_HEADER: profile}
        seen = self._db.execute(
            "SELECT uri, date FROM payloads WHERE portal = ? AND digest = ?", (self.portal_id, digest)
        ).fetchone()
        if seen is not None and body:
            record = self._writer.create_revisit_record(
                uri, digest, seen[0], seen[1], http_headers=http, warc_headers_dict=headers
            )
            self._writer.write_record(record)
            self._db.execute("INSERT OR IGNORE INTO refs VALUES (?, ?, ?)", (self.portal_id, digest, self.run_id))
            return True
        record = self._writer.create_warc_record(
            uri,
            kind,
            payload=BytesIO(body),
            length=len(body) if http is None else None,
            http_headers=http,
            warc_content_type=content_type or "",
            warc_headers_dict=headers,
        )
        offset = self._fh.tell()
        self._writer.write_record(record)
        if body:
            self._db.execute(
                "INSERT OR IGNORE INTO payloads VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (self.portal_id, digest, uri, date, self.warc_name, offset, self._fh.tell() - offset, self.run_id),
            )
        return False

    def _save_manifest(self) -> None:
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self.manifest), ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self.manifest_path)

    def close(self) -> None:
        self._db.commit()
        self._db.close()
        self._fh.close()


def _previous_shots(folder: Path, run_id: int) -> dict[tuple[str, str], tuple[str, int]]:
    """(url, profile) -> the screenshot of the latest earlier run archived here, and that run."""
    runs = sorted(
        (int(f.stem.removeprefix("run-")), f)
        for f in folder.glob("run-*.json")
        if f.stem.removeprefix("run-").isdigit()
    )
    earlier = [(r, f) for r, f in runs if r < run_id]
    if not earlier:
        return {}
    run, path = earlier[-1]
    manifest = Manifest.read(path)
    if manifest is None:
        return {}
    return {(p.url, p.profile): (p.shot, p.shot_from_run or run) for p in manifest.pages if p.shot}


def _headers(capture: Capture) -> list[tuple[str, str]]:
    out = []
    for name, value in capture.headers:
        if name.lower() in _RENAMED:
            out.append((f"X-Archive-Orig-{name}", value))
        else:
            out.append((name, value))
    out.append(("Content-Length", str(len(capture.body or b""))))
    return out


def archive_size(root: Path | str, portal_id: str, run_id: int) -> dict[str, Any]:
    """What one run added to one portal's archive: its WARC file, the screenshots it was first to store."""
    folder = Path(root) / portal_id
    manifest = Manifest.read(folder / f"run-{run_id}.json")
    warc = folder / f"run-{run_id}.warc.gz"
    warc_bytes = warc.stat().st_size if warc.exists() else 0
    shots = manifest.shot_bytes if manifest else 0
    pages = len(manifest.pages) if manifest else 0
    return {
        "portal": portal_id,
        "run": run_id,
        "pages": pages,
        "warc_bytes": warc_bytes,
        "shot_bytes": shots,
        "bytes": warc_bytes + shots,
    }
