"""Network shaping of a sample portal, for the national bench (benchmarks/national_bench.py).

Local sample portals answer in milliseconds with pages of a few hundred KB; real portals answer in hundreds of
milliseconds to seconds, with pages of 1-3 MB, over links of limited bandwidth, and some hosts hang or drop
connections. A `Shaping` makes a sample portal's server behave so, on 127.0.0.1:
- `ttfb_s`: server time before every HTML answer (the designed per-page delays of the portal come on top);
- `page_kb`: every HTML page carries one more image of this size (incompressible, as an unoptimised photo);
- `kbps`: each response body is sent at most this fast (kilobytes per second, per connection);
- `fault`: "timeout" (the host accepts connections and never answers) or "reset" (every third HTML request is
  answered by a TCP reset, as an overloaded load balancer does).
Tests and the demo use no shaping; the server's behaviour without it is unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .app import HTML, Response
from .assets import heavy_png

WEIGHT_PATH = "/static/shaping/photo-{kb}.png"
_WEIGHT = re.compile(r"^/static/shaping/photo-(\d+)\.png$")
FAULTS = ("", "timeout", "reset")


@dataclass(frozen=True)
class Shaping:
    ttfb_s: float = 0.0
    page_kb: int = 0
    kbps: int = 0
    fault: str = ""

    def __post_init__(self) -> None:
        if self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r} (known: {FAULTS})")

    def static(self, path: str) -> Response | None:
        """The shaping's own files (the page-weight image), or None."""
        m = _WEIGHT.match(path)
        if m and int(m.group(1)) == self.page_kb:
            return Response(200, "image/png", heavy_png(self.page_kb), [("Cache-Control", "max-age=3600")])
        return None

    def shape(self, resp: Response) -> Response:
        """An HTML page with the server time and the extra weight; anything else as it is."""
        if not resp.content_type.startswith(HTML.split(";")[0]) or resp.status >= 300:
            return resp
        body = resp.body
        if self.page_kb and b"</body>" in body:
            img = f'<img src="{WEIGHT_PATH.format(kb=self.page_kb)}" alt="" width="1200" height="400">'
            body = body.replace(b"</body>", img.encode() + b"</body>", 1)
        return replace(resp, body=body, delay=resp.delay + self.ttfb_s)
