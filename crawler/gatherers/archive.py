"""The page as evidence: the responses its load received, its DOM after load (WARC, crawler/archive) and a viewport
screenshot. Last of the facts, so the DOM is read once the page has settled; a failure to archive is noted on the
page, never its error (the page was evaluated all the same)."""

from __future__ import annotations

import asyncio

from ..settings import CrawlSettings
from .base import Gatherer, GathererMeta, PageRun, register

MAX_DOM_CHARS = 5_000_000  # a serialised DOM bigger than this is not archived (the responses still are)
# JPEG: Playwright encodes it in the browser, fast; WebP went through a re-encode and was ~5x slower here.
SHOT_QUALITY = 60
# CSS pixels (a phone profile's 3x device pixels would make its shot 9x the size, for no evidence gained), and CSS
# animations stopped at their end (or start, if endless): an unchanged page then gives the same bytes the next night,
# which is what lets screenshots be deduplicated by content; a carousel caught mid-slide would not.


@register
class ArchiveGatherer(Gatherer):
    meta = GathererMeta(name="archive", produces=(), stage="facts", order=90)

    def wanted(self, settings: CrawlSettings) -> bool:
        return settings.archive

    async def gather(self, run: PageRun) -> None:
        archive, recorder, tab = run.hints.archive, run.recorder, run.tab
        if archive is None or recorder is None:
            return
        try:
            dom = await asyncio.wait_for(tab.page.content(), tab.left())
            await _images_decoded(run)
            shot = await asyncio.wait_for(
                tab.page.screenshot(type="jpeg", quality=SHOT_QUALITY, scale="css", animations="disabled"), tab.left()
            )
            captures, notes = await recorder.captures(tab.left())
        except Exception as e:  # the page went away or ran out of time: evaluated, just not archived
            run.note(f"archive: not archived: {type(e).__name__}: {str(e)[:150]}")
            return
        if len(dom) > MAX_DOM_CHARS:
            run.note(f"archive: DOM of {len(dom)} characters not archived")
            dom = ""
        for text in notes:
            run.note(text)
        ev = run.ev
        page = await asyncio.to_thread(
            archive.write_page, ev.url, ev.final_url or ev.url, ev.profile, captures, dom, shot
        )
        run.archived_shot = f"{archive.portal_id}/{page.shot}" if page.shot else ""


# The network has settled, but an image that arrived may still be decoding: the screenshot would show a gap one
# night and the picture the next (and its replay would differ from it). Only loaded images (a lazy one below the fold
# would hold us until the time limit); bounded all the same.
_DECODE_JS = (
    "() => Promise.all([...document.images].filter(i => i.complete && i.naturalWidth).slice(0, 200)"
    ".map(i => i.decode().catch(() => null)))"
)
DECODE_WAIT_S = 2.0


async def _images_decoded(run: PageRun) -> None:
    try:
        await asyncio.wait_for(run.tab.page.evaluate(_DECODE_JS), min(DECODE_WAIT_S, run.tab.left()))
    except Exception:  # slow or gone: the screenshot shows what is there
        pass
