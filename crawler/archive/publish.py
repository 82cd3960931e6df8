"""One portal's evidence of one run copied into another folder laid out as an archive root of its own (the published
report's archive/, with --publish-evidence): the WARC files the run's replay reads, its manifest, its page
screenshots, the journeys' screenshots and traces, and an index holding only the payloads of the copied files. So
`portalscore replay --archive-dir <that folder> --run N URL` replays from the copy alone, and pywb reads its WARCs."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .replay import ArchiveMissing
from .retention import needed_files
from .store import INDEX, Manifest, _index, journey_folder


@dataclass(frozen=True)
class PublishedPage:
    url: str
    final_url: str
    profile: str
    shot: str  # relative to the destination root ("" when the page has none)


@dataclass
class PublishedRun:
    portal: str
    run: int
    warcs: list[str] = field(default_factory=list)  # relative to the destination root, the run's own first
    pages: list[PublishedPage] = field(default_factory=list)
    journeys: list[str] = field(default_factory=list)  # journey screenshots and traces, relative to the root


def publish_run(root: Path | str, portal: str, run: int, dest: Path | str) -> PublishedRun:
    """Copy what replaying `portal`'s pages of `run` needs from the archive `root` into `dest` (same layout)."""
    root, dest = Path(root), Path(dest)
    folder, out = root / portal, dest / portal
    manifest = Manifest.read(folder / f"run-{run}.json")
    if manifest is None:
        raise ArchiveMissing(f"no archive of {portal} in run {run} under {root}")
    (out / "shots").mkdir(parents=True, exist_ok=True)
    published = PublishedRun(portal, run)
    own = f"run-{run}.warc.gz"
    files = [f for f in needed_files(root, portal, run) if (folder / f).exists()]
    for name in sorted(files, key=lambda f: f != own):
        shutil.copyfile(folder / name, out / name)
        published.warcs.append(f"{portal}/{name}")
    shutil.copyfile(folder / f"run-{run}.json", out / f"run-{run}.json")
    for page in manifest.pages:
        shot = ""
        if page.shot and (folder / page.shot).is_file():
            shutil.copyfile(folder / page.shot, out / page.shot)
            shot = f"{portal}/{page.shot}"
        published.pages.append(PublishedPage(page.url, page.final_url, page.profile, shot))
    journeys = journey_folder(root, portal, run)
    if journeys.is_dir():
        target = journey_folder(dest, portal, run)
        target.mkdir(parents=True, exist_ok=True)
        for f in sorted(journeys.iterdir()):
            if f.is_file():
                shutil.copyfile(f, target / f.name)
                published.journeys.append(str((target / f.name).relative_to(dest)))
    _copy_index(root, dest, portal, files)
    return published


def _copy_index(root: Path, dest: Path, portal: str, files: list[str]) -> None:
    """The payloads held by the copied files (revisits resolve through them), and nothing of other portals."""
    source = sqlite3.connect(root / INDEX, timeout=30)
    target = _index(dest)
    try:
        marks = ",".join("?" * len(files))
        rows = source.execute(f"SELECT * FROM payloads WHERE portal = ? AND file IN ({marks})", (portal, *files))
        target.executemany("INSERT OR REPLACE INTO payloads VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.fetchall())
        refs = source.execute(
            "SELECT r.* FROM refs r JOIN payloads p ON p.portal = r.portal AND p.digest = r.digest"
            f" WHERE r.portal = ? AND p.file IN ({marks})",
            (portal, *files),
        )
        target.executemany("INSERT OR IGNORE INTO refs VALUES (?, ?, ?)", refs.fetchall())
        target.commit()
        target.execute("PRAGMA journal_mode=DELETE")  # one file to publish, no -wal beside it
    finally:
        source.close()
        target.close()
