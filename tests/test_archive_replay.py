"""Issue 22's promise on every sample portal: after a run (the demo's six portals, fewer pages than `make demo`), every
evaluated page of every portal, desktop and mobile, replays offline from the run's WARC alone, looks as it did
(the replay's screenshot against the crawl's, compared with Pillow) and gives the same accessibility findings, axe's
and ours. So the archive is evidence that can be re-checked, not only kept."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image, ImageChops

from portalscore.contract.evidence import PageEvidence, PortalEvidence
from portalscore.contract.portal import Portal
from portalscore.crawler.archive import Archive, ReplayIndex
from portalscore.crawler.crawl import crawl_portal
from portalscore.crawler.gatherers.checks import has_heavy
from portalscore.crawler.pool import BrowserPool
from portalscore.crawler.replay import Replay, replay_page
from portalscore.crawler.settings import CrawlSettings
from tests.browsers import egress_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SETTINGS = dict(max_pages=3, mobile_pages=1, link_checks=0, document_checks=0, outbound_sample=0, min_delay_s=0.0)
REPLAYS_AT_ONCE = 3
# The visual tolerance (docs/archive.md): both screenshots reduced to a quarter of their size (a block a pixel lower,
# a line box rounded the other way, is no change there), the per-pixel difference as a grey level; a pixel "differs"
# above NOISE (JPEG quality 60 stays well under it), and at most MAX_DIFFERENT of the pixels may differ. A changed
# word, button or colour band is far more: a 100 x 20 px button is 0.2 % of a 1350 x 940 viewport, a line of text
# across the page 1-2 %.
SCALE = 4
NOISE = 48
MAX_DIFFERENT = 0.01


def different_pixels(a: bytes, b: bytes) -> float:
    """The share of pixels that differ between two screenshots beyond JPEG noise (1.0: not the same size)."""
    with Image.open(io.BytesIO(a)) as ia, Image.open(io.BytesIO(b)) as ib:
        if ia.size != ib.size:
            return 1.0
        small_a, small_b = (im.convert("RGB").reduce(SCALE) for im in (ia, ib))
        histogram = ImageChops.difference(small_a, small_b).convert("L").histogram()
        return sum(histogram[NOISE + 1 :]) / (small_a.width * small_a.height)


def test_the_measure_sees_a_changed_button_and_the_tolerance_a_changed_banner():
    """What the tolerance lets through, on a JPEG of the crawl's viewport: nothing for the same picture; a recoloured
    100 x 24 px button is measured (its share of the pixels) but within it; a changed 120 px banner is not."""

    def jpeg(image: Image.Image) -> bytes:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=60)
        return out.getvalue()

    page = Image.new("RGB", (1350, 940), "white")
    before = jpeg(page)
    button = page.copy()
    button.paste((11, 79, 138), (600, 400, 700, 424))
    banner = page.copy()
    banner.paste((138, 28, 28), (0, 0, 1350, 120))
    assert different_pixels(before, before) == 0
    assert 0.0015 < different_pixels(before, jpeg(button)) <= MAX_DIFFERENT
    assert different_pixels(before, jpeg(banner)) > MAX_DIFFERENT


def _evaluated(ev: PortalEvidence) -> list[PageEvidence]:
    return [p for p in ev.pages if p.error is None and p.status is not None]


def _findings(page: PageEvidence) -> list[tuple[str, str, tuple[str, ...]]]:
    acc = page.accessibility
    assert acc is not None and acc.error is None, acc
    return sorted(
        (v.source, v.rule, tuple(sorted(n.target for n in v.nodes))) for v in acc.violations + acc.best_practice
    )


@pytest.fixture(scope="module")
def crawled(fleet, tmp_path_factory):
    root = tmp_path_factory.mktemp("archive-all")
    settings = CrawlSettings(**SETTINGS)
    portals = [Portal(id=p.id, name=p.name, kind=p.kind, url=p.url) for p in fleet.portals]
    assert len(portals) == 6

    async def crawl() -> list[PortalEvidence]:
        async with BrowserPool(settings, egress_for(settings)) as pool:
            archive = Archive(root, 1)
            return list(await asyncio.gather(*(crawl_portal(pool, p, settings, archive=archive) for p in portals)))

    return root, settings, asyncio.run(crawl())


def test_every_page_of_every_sample_portal_replays_offline_as_crawled(crawled):
    root, settings, evidence = crawled
    jobs = [(ev.portal.id, page) for ev in evidence for page in _evaluated(ev)]
    assert {pid for pid, _ in jobs} == {ev.portal.id for ev in evidence}

    async def go() -> list[tuple[str, PageEvidence, Replay, bytes]]:
        gate = asyncio.Semaphore(REPLAYS_AT_ONCE)
        async with BrowserPool(settings, egress_for(settings)) as pool:

            async def one(portal_id: str, page: PageEvidence) -> tuple[str, PageEvidence, Replay, bytes]:
                async with gate:
                    index = ReplayIndex(root, portal_id, 1, page.profile)  # its own: it lists what it served
                    shot = next(
                        (index.folder / p.shot).read_bytes()
                        for p in index.manifest.pages
                        if (p.url, p.profile) == (page.url, page.profile)
                    )
                    acc = page.accessibility
                    heavy = acc is not None and has_heavy(acc)
                    return portal_id, page, await replay_page(pool, index, page.url, settings, heavy=heavy), shot

            return list(await asyncio.gather(*(one(pid, page) for pid, page in jobs)))

    compared, worst = set(), 0.0
    for portal_id, page, replay, shot in asyncio.run(go()):
        where = (portal_id, page.url, page.profile)
        assert replay.page.error is None, (where, replay.page.error)
        assert replay.served > 0 and not replay.missed, (where, replay.missed)
        diff = different_pixels(shot, replay.screenshot)
        worst = max(worst, diff)
        if diff > MAX_DIFFERENT:  # kept for whoever looks into it
            (root / f"{portal_id}-{page.profile}-crawl.jpg").write_bytes(shot)
            (root / f"{portal_id}-{page.profile}-replay.jpg").write_bytes(replay.screenshot)
        assert diff <= MAX_DIFFERENT, (where, diff)
        acc = page.accessibility
        if acc is not None and acc.sampled_from is None and acc.reused_from_run is None and acc.error is None:
            assert _findings(replay.page) == _findings(page), where
            compared.add(portal_id)
    print(f"{len(jobs)} pages replayed; largest share of different pixels {worst:.4f} (tolerance {MAX_DIFFERENT})")
    assert compared == {ev.portal.id for ev in evidence}  # each portal's own audits were compared, not carried ones
