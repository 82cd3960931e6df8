"""The element of each accessibility finding the report shows, cut from the page's archived screenshot.

The crawl keeps one screenshot per page in the evidence archive and, for each finding's element, its box on that
screenshot (`ViolationNode.crop`: `<portal>/shots/<sha1>.jpg#xywh=x,y,w,h`, relative to the archive). Only the
example element of each rule on each page is cut (the one the report shows), a few hundred per portal at most, each
a small JPEG: a reader sees the element without the operator's archive, and the archive itself is never published.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from portalscore.contract.evidence import PortalEvidence

from .safe import artefact_file, file_stem

_CROP = re.compile(r"^(?P<file>[^#]+)#xywh=(?P<x>\d+),(?P<y>\d+),(?P<w>\d+),(?P<h>\d+)$")
MAX_PER_PORTAL = 300
PAD = 8  # CSS px around the element: its edge and what touches it are part of the finding
MAX_SIDE = 480  # a thumbnail, not a screenshot: larger crops are scaled down


@dataclass(frozen=True)
class Crop:
    path: str  # from the report root
    width: int
    height: int


def publish_crops(evidence: dict[str, PortalEvidence], archive_dir: Path | None, out_dir: Path) -> dict[str, Crop]:
    """Cut the example element of every failed rule on every page; returns the crop reference -> the published
    file. Names are ours (a digest of the reference), never taken from the evidence; a screenshot outside the
    archive, missing or unreadable gives no crop, and the finding stands without one."""
    if archive_dir is None:
        return {}
    published: dict[str, Crop] = {}
    for portal_id, ev in evidence.items():
        count = 0
        for page in ev.pages:
            acc = page.accessibility
            if acc is None:
                continue
            for v in acc.violations + acc.best_practice:
                ref = v.nodes[0].crop if v.nodes else None
                match = _CROP.match(ref or "")
                if ref is None or match is None or ref in published or count >= MAX_PER_PORTAL:
                    continue
                shot = artefact_file(archive_dir, match["file"])
                if shot is None:
                    continue
                x, y, w, h = (int(match[k]) for k in ("x", "y", "w", "h"))
                rel = f"assets/crops/{file_stem(portal_id)}/{hashlib.sha1(ref.encode()).hexdigest()[:16]}.jpg"
                crop = _cut(shot, (x, y, w, h), out_dir, rel)
                if crop is not None:
                    published[ref] = crop
                    count += 1
    return published


def publish_step_crops(
    evidence: dict[str, PortalEvidence], artefact_dirs: list[Path | None], out_dir: Path
) -> dict[tuple[str, int, int], Crop]:
    """Cut the element each failed journey step points at (StepResult.crop) from the journey's failure screenshot,
    found in the first of `artefact_dirs` holding it; returns (portal, scenario index, step index) -> the crop."""
    published: dict[tuple[str, int, int], Crop] = {}
    for portal_id, ev in evidence.items():
        for i, scenario in enumerate(ev.scenarios):
            shot = next((f for d in artefact_dirs if (f := artefact_file(d, scenario.screenshot))), None)
            if shot is None:
                continue
            for k, step in enumerate(scenario.steps):
                box = step.crop
                if step.ok or box is None:
                    continue
                ref = f"{portal_id}/{scenario.id}/{k}/{box.x},{box.y},{box.w},{box.h}/{shot.name}"
                rel = f"assets/crops/{file_stem(portal_id)}/step-{hashlib.sha1(ref.encode()).hexdigest()[:16]}.jpg"
                crop = _cut(shot, (box.x, box.y, box.w, box.h), out_dir, rel)
                if crop is not None:
                    published[portal_id, i, k] = crop
    return published


def _cut(shot: Path, box: tuple[int, int, int, int], out_dir: Path, rel: str) -> Crop | None:
    """The box (padded, within the picture) cut from the screenshot as a thumbnail at out_dir/rel; None if the box
    is outside it or the file is not a readable image."""
    from PIL import Image, UnidentifiedImageError

    x, y, w, h = box
    try:
        with Image.open(shot) as image:
            area = (max(0, x - PAD), max(0, y - PAD), min(image.width, x + w + PAD), min(image.height, y + h + PAD))
            if area[2] <= area[0] or area[3] <= area[1]:
                return None
            cut = image.crop(area)
            cut.thumbnail((MAX_SIDE, MAX_SIDE))
            dest = out_dir / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            cut.convert("RGB").save(dest, "JPEG", quality=80)
            return Crop(rel, cut.width, cut.height)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return None
