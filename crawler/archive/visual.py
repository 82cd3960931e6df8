"""Whether two screenshots show the same picture. Chromium does not always render an unchanged page to the same JPEG
bytes (a line box rounded a pixel the other way, rasterisation a level off here and there), so deduplicating
screenshots by digest alone kept a new copy of the same picture most nights. Compared decoded at a quarter of the
size (a one-pixel shift is then no change), a picture with next to no visibly different pixels is kept once."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageChops

SCALE = 4
NOISE = 48  # per pixel, out of 255 (grey level of the difference): JPEG noise and shifted edges stay under it
MAX_CHANGED = 0.005  # share of pixels above it: a changed word or button is more, at a quarter of a 1280 px page


def looks_same(earlier: Path, shot: bytes) -> bool:
    try:
        with Image.open(earlier) as a, Image.open(io.BytesIO(shot)) as b:
            if a.size != b.size:
                return False
            small_a, small_b = (im.convert("RGB").reduce(SCALE) for im in (a, b))
            histogram = ImageChops.difference(small_a, small_b).convert("L").histogram()
            changed = sum(histogram[NOISE + 1 :])
            return changed <= MAX_CHANGED * small_a.width * small_a.height
    except (OSError, ValueError):  # the earlier file is gone or unreadable: keep the new one
        return False
