"""One portal's evidence of one run in one file to hand over in a dispute: a zip of the WARC files its replay needs
(its own, and the earlier ones holding originals its revisit records name: any WARC replay tool, pywb included,
resolves those by URI and date), its screenshots, its manifest, and what the application adds (the explain output)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .replay import ArchiveMissing
from .retention import needed_files
from .store import Manifest, journey_folder

README = """Evidence of {portal}, run {run}, as collected by portalscore.

warc/       what the browser received for every evaluated page (WARC 1.1; response, revisit and resource
            records; the DOM after load is the resource record urn:portalscore:dom:<profile>:<url>).
            Replay: `portalscore replay`, or pywb (wb-manager add <collection> warc/*.warc.gz).
shots/      the viewport screenshot of each page and profile, named in manifest.json
journeys/   the citizen journeys that did not pass: the screenshot where each stopped, its Playwright trace
            (npx playwright show-trace <file>, or https://trace.playwright.dev)
manifest.json   the pages, their profile and screenshot
{extras}
"""


def export_zip(root: Path | str, portal: str, run: int, dest: Path | str, extras: dict[str, bytes]) -> Path:
    root, dest = Path(root), Path(dest)
    folder = root / portal
    manifest_path = folder / f"run-{run}.json"
    manifest = Manifest.read(manifest_path)
    if manifest is None:
        raise ArchiveMissing(f"no archive of {portal} in run {run} under {root}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    with zipfile.ZipFile(tmp, "w") as z:
        for name in needed_files(root, portal, run):
            if (folder / name).exists():
                z.write(folder / name, f"warc/{name}", compress_type=zipfile.ZIP_STORED)  # gzip already
        for shot in sorted({p.shot for p in manifest.pages if p.shot}):
            z.write(folder / shot, shot, compress_type=zipfile.ZIP_STORED)
        journeys = journey_folder(root, portal, run)
        for f in sorted(journeys.iterdir()) if journeys.is_dir() else []:
            if f.is_file():
                z.write(f, f"journeys/{f.name}", compress_type=zipfile.ZIP_DEFLATED)
        z.write(manifest_path, "manifest.json", compress_type=zipfile.ZIP_DEFLATED)
        for name, data in extras.items():
            z.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
        listing = "\n".join(f"{name:<15} from portalscore" for name in extras)
        z.writestr("README.txt", README.format(portal=portal, run=run, extras=listing))
    tmp.replace(dest)
    return dest
