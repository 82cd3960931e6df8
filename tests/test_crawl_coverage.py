"""Crawl coverage does not depend on URL style (issue 19, item 4): a portal whose procedure records are `?id=` queries
on the catalogue's own path gets them all crawled, as a path-style portal does; the cap of query variants per path
still holds for sorting, filters, paging and endless `?id=N+1` chains."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from portalscore.crawler.frontier import Frontier, split_record_key
from portalscore.crawler.settings import CrawlSettings
from tests.faultfarm import Farm, links, page
from tests.test_crawler_politeness import QUICK, _portal, _run

BASE = "https://dvc.vn"
RECORDS = 14


def _crawl(start: str, links_of: Callable[[str], list[str]], **kw) -> list[str]:
    """Drive a frontier over a synthetic site; the paths+queries handed out, in crawl order."""
    frontier = Frontier(BASE + start, **(dict(max_pages=100, max_depth=6, max_query_variants=10) | kw))
    crawled: list[str] = []
    while item := frontier.next():
        assert item is not True
        crawled.append(item.url[len(BASE) :])
        frontier.add_links(item, [BASE + u for u in links_of(item.url[len(BASE) :])])
        frontier.done(item)
    assert frontier.next() is False
    return crawled


def _catalogue_and_records(listing: str, record: Callable[[int], str]) -> Callable[[str], list[str]]:
    """A home page, a catalogue with 12 sort/filter/paging links to itself and 14 records, records linking back."""
    facets = [f"{listing}&sort={k}" for k in ("ten", "ma", "ngay")] + [f"{listing}&page={n}" for n in range(2, 11)]
    procedures = [record(n) for n in range(1, RECORDS + 1)]

    def links_of(url: str) -> list[str]:
        if url == "/":
            return [listing]
        if url.startswith(listing):
            return facets + procedures
        return [listing, "/"]

    return links_of


@pytest.mark.parametrize(
    "listing, record",
    [
        ("/Default.aspx?tab=thu-tuc", lambda n: f"/Default.aspx?id={n}"),  # records on the catalogue's own path
        ("/ChiTietThuTuc.aspx?view=list", lambda n: f"/ChiTietThuTuc.aspx?id={n}"),
        ("/thu-tuc?view=list", lambda n: f"/thu-tuc/{n}"),  # path style
        ("/tthc.aspx?tab=1", lambda n: f"/tthc.aspx?MaTTHC=1.00{n:04d}&lang=vi"),
    ],
)
def test_every_procedure_record_is_crawled_whatever_the_url_style(listing, record):
    crawled = _crawl("/", _catalogue_and_records(listing, record), max_pages=60)
    assert [u for u in crawled if u in {record(n) for n in range(1, RECORDS + 1)}] == [
        record(n) for n in range(1, RECORDS + 1)
    ]
    # the catalogue's own variants (sorting, paging) are still capped: the listing itself + 9 of its 12 variants
    assert len([u for u in crawled if u.startswith(listing)]) == 10


def test_fifty_sort_and_filter_variants_stay_capped():
    variants = [f"/thu-tuc?sort={s}&linhVuc={v}" for s in ("ten", "ma") for v in range(25)]

    def links_of(url: str) -> list[str]:
        return ["/thu-tuc?sort=ten"] if url == "/" else variants

    crawled = _crawl("/", links_of, max_pages=100, max_query_variants=10)
    assert len([u for u in crawled if u.startswith("/thu-tuc?")]) == 10


def test_an_endless_record_chain_stays_capped():
    # Each record links to the next one without end (a trap, or a calendar keyed by id): the cap of variants holds.
    def links_of(url: str) -> list[str]:
        if url == "/":
            return ["/Default.aspx?id=1"]
        n = int(parse_qs(urlsplit(url).query)["id"][0])
        return [f"/Default.aspx?id={n + 1}"]

    crawled = _crawl("/", links_of, max_pages=1000, max_depth=1000, max_query_variants=10)
    assert 10 <= len(crawled) - 1 <= 11  # the first record is free, as it is listed from another path


def test_endless_listing_pages_leave_the_crawl_finite():
    # A catalogue whose every page lists 20 fresh records and a next page: paging is capped, so records are too.
    def links_of(url: str) -> list[str]:
        if url == "/":
            return ["/DS.aspx?page=1"]
        query = parse_qs(urlsplit(url).query)
        if "page" in query:
            p = int(query["page"][0])
            return [f"/DS.aspx?page={p + 1}"] + [f"/DS.aspx?id={p * 100 + i}" for i in range(20)]
        return []

    crawled = _crawl("/", links_of, max_pages=10_000, max_depth=10_000, max_query_variants=10)
    assert len([u for u in crawled if "page=" in u]) == 10
    assert len([u for u in crawled if "id=" in u]) == 10 * 20


@pytest.mark.parametrize(
    "query, record",
    [
        ("id=14", "id=14"),
        ("tt=101&lang=vi", "tt=101"),
        ("MaTTHC=1.001234", "MaTTHC=1.001234"),
        ("maThuTuc=TTHC000101", "maThuTuc=TTHC000101"),
        ("ItemID=5&sort=ten", "ItemID=5"),
        ("tabid=55", "tabid=55"),  # a DotNetNuke page: distinct pages, not facets
        ("page=2", ""),
        ("sort=ten&linhVuc=3", ""),
        ("m=1", ""),
        ("id=tat-ca", ""),  # not a key's shape
        ("key=giay+phep", ""),  # a search
    ],
)
def test_record_keys_are_told_from_facets(query, record):
    assert split_record_key(query)[0] == record


@pytest.mark.browser
def test_an_aspnet_portal_and_a_path_portal_get_all_their_procedures_crawled():
    """In the real crawler and Chromium: 14 `Default.aspx?id=` procedures beside a `?tab=` catalogue on the same path,
    and 14 `/thu-tuc/N` ones, under a page cap of 30 (which leaves room for both)."""

    def aspnet(h):
        query = parse_qs(h.query)
        if "id" in query:
            h.send(200, page(f"Thủ tục {query['id'][0]}", links("/Default.aspx?tab=thu-tuc")))
        else:
            facets = [f"/Default.aspx?tab=thu-tuc&sort={k}" for k in range(12)]
            h.send(200, page("Danh mục thủ tục", links(*facets, *(f"/Default.aspx?id={n}" for n in range(1, 15)))))

    routes = {
        "/a/": page("Cổng A", links("/Default.aspx?tab=thu-tuc")),
        "/Default.aspx": aspnet,
        "/b/": page("Cổng B", links("/b/thu-tuc?view=list")),
        "/b/thu-tuc": page(
            "Danh mục thủ tục",
            links(*(f"/b/thu-tuc?view=list&sort={k}" for k in range(12)), *(f"/b/thu-tuc/{n}" for n in range(1, 15))),
        ),
        "/b/thu-tuc/*": page("Thủ tục", links("/b/thu-tuc?view=list")),
    }
    settings = CrawlSettings(**QUICK, max_pages=30, max_depth=4, max_query_variants=5)
    with Farm(routes) as farm:
        aspnet_ev, path_ev = _run(settings, _portal(farm.url("/a/"), "a"), _portal(farm.url("/b/"), "b"))
    aspnet_records = {p.url for p in aspnet_ev.pages if "?id=" in p.url and p.error is None}
    path_records = {p.url for p in path_ev.pages if "/thu-tuc/" in p.url and p.error is None}
    assert len(aspnet_records) == len(path_records) == 14
    assert len([p for p in aspnet_ev.pages if "tab=thu-tuc" in p.url]) == 5  # the catalogue's variants: capped
