"""A page loaded again from the evidence archive, offline, and evaluated as the crawl evaluated it: the same
measure_page, gatherers (axe and our checks) and screenshot, on a context whose every request is answered from the
run's WARC (crawler/archive/replay.py) so that nothing reaches the network. What a dispute needs: the findings are
reproducible from the archive, not only stored."""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass
from pathlib import Path

from portalscore.contract.evidence import PageEvidence

from .archive import Archive, ReplayIndex
from .gatherers import Hints
from .measure import measure_page
from .pool import BrowserPool
from .settings import CrawlSettings
from .tab import PageJob, Tab, close_context


@dataclass
class Replay:
    page: PageEvidence  # evaluated on the archived copy
    screenshot: bytes  # the viewport, taken as the crawl took it
    served: int  # requests answered from the archive
    missed: list[str]  # requests the archive had no answer for (they failed)


async def replay_page(
    pool: BrowserPool, index: ReplayIndex, url: str, settings: CrawlSettings, *, heavy: bool = False
) -> Replay:
    """Load `url` (as archived in `index`) from the archive and evaluate it. `heavy`: run the heavy checks too
    (the crawl ran them on the first page of each template)."""
    final = index.page_url(url)
    job = PageJob(final, profile=index.profile)
    settings = dataclasses.replace(settings, archive=True, retries=0)
    with tempfile.TemporaryDirectory(prefix="portalscore-replay-") as scratch:
        again = Archive(Path(scratch), 0).portal(index.portal_id)  # the same gatherer takes the same screenshot
        guard = pool.guard()
        context = await pool.new_context(index.profile, guard)
        try:
            await context.route("**/*", index.route)  # the last route added is asked first: the guard never is
            tab = await Tab.open(context, guard, job)
            hints = Hints(heavy=lambda _p, _t: heavy, archive=again)
            measured = await measure_page(tab, job, settings, pool.egress, hints=hints)
        finally:
            await close_context(context)
            again.close()
        pages = again.manifest.pages
        shot = (again.folder / pages[0].shot).read_bytes() if pages and pages[0].shot else b""
    return Replay(measured.page, shot, len(index.served), list(index.missed))
