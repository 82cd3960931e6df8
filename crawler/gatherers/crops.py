"""Where each accessibility finding's element is on the page's archived screenshot: its box, as a Media Fragments
URI on the screenshot (`<portal>/shots/<sha1>.jpg#xywh=x,y,w,h`, relative to the archive root), so that a report or
a reviewer shows the element cropped from evidence already kept, at the cost of one DOM read (no image per finding).
Elements outside the screenshot's viewport (below the fold) get no crop."""

from __future__ import annotations

import asyncio

from ..settings import CrawlSettings
from .base import Gatherer, GathererMeta, PageRun, register

MAX_CROPS = 20  # elements located per page: a page with 500 contrast failures needs a sample, not 500 boxes
_BOXES_JS = """(targets) => targets.map(t => {
  let el = null;
  try { el = document.querySelector(t); } catch (e) { return null; }
  if (!el) return null;
  const r = el.getBoundingClientRect();
  return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height];
})"""


@register
class CropsGatherer(Gatherer):
    meta = GathererMeta(name="crops", produces=("accessibility",), stage="audit", order=30)

    def wanted(self, settings: CrawlSettings) -> bool:
        return settings.archive and settings.run_axe

    async def gather(self, run: PageRun) -> None:
        acc, shot = run.ev.accessibility, run.archived_shot
        if acc is None or acc.error is not None or acc.reused_from_run is not None or not shot:
            return
        nodes = [n for v in acc.violations + acc.best_practice for n in v.nodes if n.target][:MAX_CROPS]
        if not nodes:
            return
        page = run.tab.page
        view = page.viewport_size or {"width": 0, "height": 0}
        try:
            boxes = await asyncio.wait_for(page.evaluate(_BOXES_JS, [n.target for n in nodes]), run.tab.left())
        except Exception as e:  # the page went away: the findings stand without crops
            run.note(f"crops: not located: {type(e).__name__}")
            return
        for node, box in zip(nodes, boxes):
            if not box:
                continue
            x, y = max(0, int(box[0])), max(0, int(box[1]))
            w = min(int(box[0] + box[2]), view["width"]) - x
            h = min(int(box[1] + box[3]), view["height"]) - y
            if w > 0 and h > 0:
                node.crop = f"{shot}#xywh={x},{y},{w},{h}"
