"""The forms a portal links to are fetched and checked in a crawl: findings on the link, and a document that cannot
be checked (a legacy .doc, a decompression bomb) named, never a crash or a hang of the crawl."""

from __future__ import annotations

import asyncio
import io
import time
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.generic import EncodedStreamObject, NameObject

from benchmarks.a11y.documents import PDF, make_pdf
from portalscore.contract.portal import Portal
from portalscore.crawler.crawl import crawl_portal
from portalscore.crawler.pool import BrowserPool
from portalscore.crawler.settings import CrawlSettings
from tests.browsers import egress_for
from tests.faultfarm import Farm, links, page

pytestmark = pytest.mark.browser


def _bomb() -> bytes:
    """A valid PDF whose one page's content stream inflates from about 1 MB to 2 GB."""
    z, chunk = zlib.compressobj(9), b" " * 1_000_000
    payload = b"".join(z.compress(chunk) for _ in range(2000)) + z.flush()
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    stream = EncodedStreamObject()
    stream._data = payload  # already compressed: written as it is
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _send(data: bytes, ctype: str):
    return lambda h: h.send(200, data, ctype)


def test_linked_forms_are_checked_and_the_unreadable_ones_named():
    routes = {
        "/": page(
            "Thủ tục cấp giấy phép",
            links("/files/mau-don.pdf", "/files/to-khai.pdf", "/files/cu.doc", "/files/bom.pdf"),
        ),
        "/files/mau-don.pdf": _send(make_pdf(), PDF),
        "/files/to-khai.pdf": _send(make_pdf(tagged=False, lang=""), PDF),
        "/files/cu.doc": _send(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000, "application/msword"),
        "/files/bom.pdf": _send(_bomb(), PDF),
    }
    settings = CrawlSettings(max_pages=2, mobile_pages=0, allowed_hosts=["127.0.0.1"], run_axe=False, settle_s=0.3)
    with Farm(routes) as farm:

        async def go():
            async with BrowserPool(settings, egress_for(settings)) as pool:
                return await crawl_portal(pool, Portal("p", "Cổng thử", "province", farm.url("/")), settings)

        start = time.monotonic()
        ev = asyncio.run(go())
        took = time.monotonic() - start
    docs = {lc.url.rsplit("/", 1)[-1]: lc for lc in ev.links if lc.kind == "document"}
    assert docs["mau-don.pdf"].checked and docs["mau-don.pdf"].violations == []
    assert docs["to-khai.pdf"].checked
    assert sorted(v.rule for v in docs["to-khai.pdf"].violations) == ["ps-doc-lang", "ps-pdf-untagged"]
    assert not docs["cu.doc"].checked and "left to people" in docs["cu.doc"].check_error
    # A decompression bomb is either never inflated by our checks or stopped at the checker's limits: named.
    assert docs["bom.pdf"].checked or docs["bom.pdf"].check_error
    assert took < 90


def test_the_checker_runs_within_its_memory_and_time_limits(monkeypatch):
    """What a document may cost is the checker's process, not the crawl's: over its limits, it is named."""
    from portalscore.crawler import documents

    monkeypatch.setattr(documents, "CHECK_MEMORY_BYTES", 20_000_000)  # too little even to start Python with pypdf
    starved = asyncio.run(documents._run_checker(make_pdf(), PDF, "http://127.0.0.1/mau.pdf"))
    assert starved == {"not_checked": "not checked: the document could not be read within the checker's limits"}
    monkeypatch.undo()
    monkeypatch.setattr(documents, "CHECK_TIMEOUT_S", 0.01)
    slow = asyncio.run(documents._run_checker(make_pdf(), PDF, "http://127.0.0.1/mau.pdf"))
    assert slow["not_checked"].startswith("not checked: reading the document took over")
