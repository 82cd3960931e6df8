"""Retention: which runs' archives are on disk, and taking some away. Which runs to keep is the application's
policy (it knows the runs' dates); this module keeps the archive whole while doing it: a run whose WARC holds the
original of a payload that a kept run's revisit records lean on stays (its replay would otherwise break), and a
screenshot goes when no remaining run names it."""

from __future__ import annotations

import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .store import INDEX, SLUG, Manifest, journey_folder

_RUN_FILE = re.compile(r"^run-(\d+)\.json$")


@dataclass(frozen=True)
class Pruned:
    portal: str
    run: int
    freed: int  # bytes
    kept_for: tuple[int, ...] = ()  # not removed: these kept runs lean on its payloads


def archived_runs(root: Path | str) -> dict[str, list[int]]:
    """Portal -> the runs archived for it, oldest first."""
    out: dict[str, list[int]] = {}
    root = Path(root)
    if not root.is_dir():
        return out
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and SLUG.match(folder.name):
            runs = sorted(int(m.group(1)) for f in folder.iterdir() if (m := _RUN_FILE.match(f.name)))
            if runs:
                out[folder.name] = runs
    return out


def prune(root: Path | str, keep: set[int]) -> list[Pruned]:
    """Remove every run not in `keep` from the archive under `root` (all portals), but one kept runs lean on."""
    root = Path(root)
    results: list[Pruned] = []
    runs = archived_runs(root)
    if not runs:
        return results
    db = sqlite3.connect(root / INDEX, timeout=30)
    try:
        for portal, portal_runs in runs.items():
            folder = root / portal
            for run in portal_runs:
                if run in keep:
                    continue
                leaning = db.execute(
                    "SELECT DISTINCT r.run FROM refs r JOIN payloads p ON p.portal = r.portal AND p.digest = r.digest"
                    " WHERE r.portal = ? AND p.run = ? AND r.run != ?",
                    (portal, run, run),
                ).fetchall()
                kept_for = tuple(sorted(r for (r,) in leaning if r in keep))
                if kept_for:
                    results.append(Pruned(portal, run, 0, kept_for))
                    continue
                freed = 0
                for name in (f"run-{run}.warc.gz", f"run-{run}.json"):
                    path = folder / name
                    if path.exists():
                        freed += path.stat().st_size
                        path.unlink()
                freed += _drop_journeys(root, portal, run)
                db.execute("DELETE FROM payloads WHERE portal = ? AND run = ?", (portal, run))
                db.execute("DELETE FROM refs WHERE portal = ? AND run = ?", (portal, run))
                db.commit()
                results.append(Pruned(portal, run, freed))
            freed_shots = _drop_unnamed_shots(folder)
            if freed_shots and results and results[-1].portal == portal:
                last = results[-1]
                results[-1] = Pruned(last.portal, last.run, last.freed + freed_shots, last.kept_for)
    finally:
        db.close()
    return results


def _drop_journeys(root: Path, portal: str, run: int) -> int:
    """The run's journey screenshots and traces go with its pages' evidence."""
    folder = journey_folder(root, portal, run)
    if not folder.is_dir():
        return 0
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    shutil.rmtree(folder)
    return size


def _drop_unnamed_shots(folder: Path) -> int:
    named: set[str] = set()
    for f in folder.glob("run-*.json"):
        manifest = Manifest.read(f)
        if manifest is not None:
            named |= {p.shot for p in manifest.pages if p.shot}
    freed = 0
    for shot in (folder / "shots").glob("*.jpg"):
        if f"shots/{shot.name}" not in named:
            freed += shot.stat().st_size
            shot.unlink()
    return freed


def needed_files(root: Path | str, portal: str, run: int) -> list[str]:
    """The WARC files one run's replay reads: its own, and those holding originals its revisits name."""
    db = sqlite3.connect(Path(root) / INDEX, timeout=30)
    try:
        rows = db.execute(
            "SELECT DISTINCT p.file FROM refs r JOIN payloads p ON p.portal = r.portal AND p.digest = r.digest"
            " WHERE r.portal = ? AND r.run = ?",
            (portal, run),
        ).fetchall()
    finally:
        db.close()
    return sorted({f"run-{run}.warc.gz", *(f for (f,) in rows)})
