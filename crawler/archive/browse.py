"""One portal's archived run laid out for pywb, the web archivists' replay (https://github.com/webrecorder/pywb), so
that a person can browse the pages as the crawler received them, in any browser (`portalscore evidence browse`).

pywb reads our WARC files as they are (response, revisit and resource records, written with warcio); it rewrites
the pages' links so that everything a page asks for is answered from the archive, and it is given no live
collection, so a replay never reaches the portal. It runs as a tool in a virtualenv of its own (its pins cannot live
beside Celery's: scripts/setup.sh); this module only prepares its folder and says where its server is.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from .replay import ArchiveMissing
from .retention import needed_files
from .store import SLUG, Manifest


@dataclass(frozen=True)
class BrowseSite:
    folder: Path  # pywb's working folder: config.yaml, collections/<name>/archive/*.warc.gz (links to ours)
    collection: str  # run-<N>
    pages: list[str]  # the run's evaluated pages of the portal (desktop, then mobile), as crawled


def prepare(root: Path | str, portal: str, run: int, folder: Path | str) -> BrowseSite:
    """pywb's folder for `portal`'s pages of `run`: its WARC and those its revisits lean on, linked, not copied."""
    root, folder = Path(root), Path(folder)
    if not SLUG.match(portal):
        raise ArchiveMissing(f"not a portal id: {portal!r}")
    manifest = Manifest.read(root / portal / f"run-{run}.json")
    if manifest is None:
        raise ArchiveMissing(f"no archive of {portal} in run {run} under {root}")
    collection = f"run-{run}"
    archive = folder / "collections" / collection / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    (folder / "collections" / collection / "indexes").mkdir(exist_ok=True)
    for name in needed_files(root, portal, run):
        source = root / portal / name
        if source.is_file():
            link = archive / name
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(source.resolve())
    # Archive mode only: no live web, no recording; the index is built from the WARC files when pywb starts.
    (folder / "config.yaml").write_text(
        f"collections:\n  {collection}:\n    index_paths: ./collections/{collection}/indexes/\n"
        f"    archive_paths: ./collections/{collection}/archive/\nframed_replay: false\nenable_memento: false\n",
        encoding="utf-8",
    )
    pages = list(dict.fromkeys(p.url for p in sorted(manifest.pages, key=lambda p: p.profile != "desktop")))
    return BrowseSite(folder, collection, pages)


def pywb_bin(name: str) -> Path:
    """A pywb program (wayback, wb-manager) from its tool virtualenv: $PORTALSCORE_PYWB, else .venv/tools/pywb."""
    base = os.environ.get("PORTALSCORE_PYWB") or str(Path(sys.prefix) / "tools" / "pywb")
    program = Path(base) / "bin" / name
    if not program.is_file():
        found = shutil.which(name)
        if found is None:
            raise ArchiveMissing(f"pywb is not installed ({program} is missing): run `make setup`")
        return Path(found)
    return program
