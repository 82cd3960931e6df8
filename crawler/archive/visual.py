"""Whether two screenshots show the same picture. Chromium does not always encode an unchanged page to the same
JPEG bytes (rasterisation differs by a level here and there), so deduplicating screenshots by digest alone kept a
new copy of the same picture most nights; compared decoded, a picture no pixel of which differs visibly is kept once.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import cast

from PIL import Image, ImageChops

# Per channel, out of 255: JPEG's own noise at quality 60 stays under it; a changed text, colour or layout does not.
NOISE = 24


def looks_same(earlier: Path, shot: bytes) -> bool:
    try:
        with Image.open(earlier) as a, Image.open(io.BytesIO(shot)) as b:
            if a.size != b.size:
                return False
            diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
            bands = cast(tuple[tuple[int, int], ...], diff.getextrema())  # RGB: (low, high) per band
            return all(high <= NOISE for _low, high in bands)
    except (OSError, ValueError):  # the earlier file is gone or unreadable: keep the new one
        return False
