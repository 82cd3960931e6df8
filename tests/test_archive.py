"""The evidence archive (issue 22), on real sample portals crawled twice by a real Chromium: every evaluated page's
responses and DOM are in the run's WARC, a second run of unchanged portals adds little (revisit records), and each
finding points at its element on the archived screenshot. That every page replays offline as crawled, with the same
findings, is held on all six sample portals by tests/test_archive_replay.py."""

from __future__ import annotations

import asyncio

import pytest
from warcio.archiveiterator import ArchiveIterator

from portalscore.contract.evidence import PageEvidence, PortalEvidence
from portalscore.contract.portal import Portal
from portalscore.crawler.archive import Archive, archive_size
from portalscore.crawler.archive.store import DOM_PREFIX
from portalscore.crawler.crawl import crawl_portal
from portalscore.crawler.pool import BrowserPool
from portalscore.crawler.settings import CrawlSettings
from tests.browsers import egress_for

pytestmark = pytest.mark.browser
PORTALS = ("bo-ket-noi-mau", "tinh-song-xanh-mau")
SETTINGS = dict(max_pages=5, mobile_pages=1, link_checks=0, document_checks=0, outbound_sample=0, min_delay_s=0.0)


@pytest.fixture(scope="module")
def archived(fleet, tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    settings = CrawlSettings(**SETTINGS)
    portals = [Portal(id=p.id, name=p.name, kind=p.kind, url=p.url) for p in fleet.portals if p.id in PORTALS]
    assert len(portals) == len(PORTALS)

    async def crawl(run_id: int) -> list[PortalEvidence]:
        async with BrowserPool(settings, egress_for(settings)) as pool:
            archive = Archive(root, run_id)
            return list(await asyncio.gather(*(crawl_portal(pool, p, settings, archive=archive) for p in portals)))

    first = asyncio.run(crawl(1))
    second = asyncio.run(crawl(2))
    return {"root": root, "settings": settings, "first": first, "second": second}


def _evaluated(ev: PortalEvidence) -> list[PageEvidence]:
    return [p for p in ev.pages if p.error is None and p.status is not None]


def test_every_evaluated_page_is_in_the_runs_warc(archived):
    for ev in archived["first"]:
        warc = archived["root"] / ev.portal.id / "run-1.warc.gz"
        targets: dict[str, set[str]] = {}
        with open(warc, "rb") as fh:
            for record in ArchiveIterator(fh):
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                targets.setdefault(record.rec_type, set()).add(uri)
        pages = _evaluated(ev)
        assert pages
        for page in pages:
            final = page.final_url or page.url
            assert final.split("#")[0] in targets["response"] | targets.get("revisit", set()), final
            assert f"{DOM_PREFIX}{page.profile}:{final}" in targets["resource"] | targets.get("revisit", set())
        # subresources too: more responses than pages (stylesheets, scripts, images)
        assert len(targets["response"]) > len({p.final_url for p in pages})


def test_a_second_run_of_unchanged_portals_adds_under_a_tenth(archived):
    for ev in archived["first"]:
        first = archive_size(archived["root"], ev.portal.id, 1)
        second = archive_size(archived["root"], ev.portal.id, 2)
        assert second["pages"] == first["pages"] > 0
        print(f"{ev.portal.id}: run 1 {first['bytes']} B, run 2 {second['bytes']} B")
        assert second["bytes"] < 0.10 * first["bytes"], (first, second)


def test_findings_point_at_their_element_on_the_archived_screenshot(archived):
    crops = [
        n.crop
        for ev in archived["first"]
        for p in ev.pages
        if p.accessibility is not None
        for v in p.accessibility.violations + p.accessibility.best_practice
        for n in v.nodes
        if n.crop
    ]
    assert crops  # the sample portals' faults above the fold
    for crop in crops:
        shot, _, box = crop.partition("#xywh=")
        assert (archived["root"] / shot).is_file(), crop
        x, y, w, h = map(int, box.split(","))
        assert x >= 0 and y >= 0 and w > 0 and h > 0 and x + w <= 1280, crop
