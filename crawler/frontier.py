"""The crawl frontier of one portal: breadth-first, de-duplicated, bounded, deterministic.

Each URL gets a key (depth, parent's crawl order, position among the parent's links), and
a URL is handed out only when no page still loading could find one with a smaller key.
So the pages reached under a page cap do not depend on which load finished first: two
runs of the same site (or a resumed run) crawl the same pages in the same order.
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from .urls import is_document, page_key, site_host

SITEMAP_OFFSET = 1_000_000  # sitemap URLs come after the start page's own links at depth 1


@dataclass(frozen=True, order=True)
class Key:
    depth: int
    parent: int  # crawl order of the page the link was found on
    position: int  # index of the link on that page


@dataclass
class Item:
    url: str
    key: Key
    source: str  # page the link was found on ("" for the start URL, "sitemap")
    order: int = -1  # crawl order, once handed out


def _place_and_query(url: str) -> tuple[str, str]:
    """(host + path + hash route, query string(s)) of a URL; hash routes carry their own query."""
    parts = urlsplit(url)
    route, _, route_query = parts.fragment.partition("?")
    query = f"{parts.query}#{route_query}" if parts.query or route_query else ""
    return f"{parts.netloc}{parts.path}#{route}", query


# A query parameter that names one record (a procedure, a dossier, a news item, a DNN page): an id-like name ...
_RECORD_NAME = re.compile(
    r"^(id|.*id|.*[_-]key|ma|ma[_-][a-z_]+|ma(tthc|thutuc|tt|hoso|hs|donvi|dv)|tt|code|.*code|slug|uuid|guid)$",
    re.IGNORECASE,
)
_RECORD_CAMEL = re.compile(r"^ma[A-Z][A-Za-z]*$")  # maThuTuc, maHoSo (Vietnamese "mã": code)
# ... that is not one of the usual paging, sorting, filtering or search parameters, whatever its name looks like ...
_FACET_NAME = re.compile(
    r"^(p|pg|page|pageindex|pagenumber|pagesize|size|limit|offset|start|sort|sortby|order|orderby|dir|tab|view|"
    r"lang|q|key|keyword|tukhoa|search|filter|year|month|day|date|from|to|m|y|d)$",
    re.IGNORECASE,
)
# ... with a value shaped like a key: 123, 1.000894, a hex id or UUID, TTHC000101-style codes.
_RECORD_VALUE = re.compile(
    r"^([0-9][0-9._\-]*|(?=.*[0-9])[0-9a-fA-F\-]{8,}|(?=(?:[^0-9]*[0-9]){3})[A-Za-z0-9._\-]{4,64})$"
)


def split_record_key(query: str) -> tuple[str, str]:
    """(record part, facet part) of a query string as `_place_and_query` gives it: the record part names one record
    (`id=14`, `MaTTHC=1.001234`), the facet part is everything else (paging, sorting, filters, tabs)."""
    record: list[tuple[str, str]] = []
    facets: list[str] = []
    for section in query.split("#"):
        kept: list[tuple[str, str]] = []
        for name, value in parse_qsl(section, keep_blank_values=True):
            if (
                (_RECORD_NAME.match(name) or _RECORD_CAMEL.match(name))
                and not _FACET_NAME.match(name)
                and _RECORD_VALUE.match(value)
            ):
                record.append((name, value))
            else:
                kept.append((name, value))
        facets.append(urlencode(sorted(kept)))
    return urlencode(sorted(record)), "#".join(facets).strip("#")


# Links recorded per kind (other sites', documents, pages not crawled) for the link checks, which check a few hundred.
MAX_RECORDED = 20_000


class Frontier:
    def __init__(
        self,
        start_url: str,
        *,
        max_pages: int,
        max_depth: int,
        max_query_variants: int,
        include: list[str] | None = None,
        exclude: list[str] | None = None,
        max_queued: int = 20_000,
        max_recorded: int = MAX_RECORDED,
    ):
        self.site_hosts = {site_host(urlsplit(start_url).netloc)}
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.max_query_variants = max_query_variants
        self.max_queued = max_queued
        self.max_recorded = max_recorded
        self.include = [re.compile(p) for p in include or []]
        self.exclude = [re.compile(p) for p in exclude or []]
        self.start_url = start_url
        self._heap: list[tuple[Key, str]] = []
        self._queued: dict[str, Item] = {}  # page_key -> item not yet handed out
        self._seen: set[str] = set()  # page_keys handed out
        self._inflight: dict[int, Item] = {}
        self._variants: dict[str, set[str]] = defaultdict(set)
        self.handed_out = 0  # pages, toward the cap
        self._order = 0
        self.skipped: dict[str, int] = defaultdict(int)  # reason -> count (robots, scope, variants...)
        self.documents: dict[str, str] = {}  # document URL -> page it was found on
        self.unvisited: dict[str, str] = {}  # in-scope page links never crawled -> where found
        self.outbound: dict[str, str] = {}  # other sites' links -> where found
        self._offer(start_url, Key(0, -1, 0), "")

    @property
    def pending(self) -> int:
        """Pages queued or loading now (for progress displays; the page cap may leave fewer to crawl)."""
        return len(self._queued) + len(self._inflight)

    def add_site_host(self, netloc: str) -> None:
        """The start URL redirected to another host of the same portal: crawl it too."""
        self.site_hosts.add(site_host(netloc))

    def in_site(self, url: str) -> bool:
        return site_host(urlsplit(url).netloc) in self.site_hosts

    def in_scope(self, url: str) -> bool:
        if not self.in_site(url):
            return False
        if url == self.start_url:
            return True
        if self.include and not any(p.search(url) for p in self.include):
            return False
        return not any(p.search(url) for p in self.exclude)

    def add_links(self, parent: Item | None, links: list[str], sitemap: bool = False) -> None:
        """Links found on `parent` (normalised URLs), in page order; or sitemap URLs."""
        depth = 1 if parent is None else parent.key.depth + 1
        parent_order = 0 if parent is None else parent.order
        source = "sitemap" if sitemap else (parent.url if parent else "")
        for position, url in enumerate(links):
            if not self.in_site(url):
                self._record(self.outbound, url, source, "outbound list full")
            elif is_document(url):
                self._record(self.documents, url, source, "document list full")
            elif not self.in_scope(url):
                self.skipped["scope"] += 1
            elif depth > self.max_depth:
                self._note_unvisited(url, source)
            else:
                self._offer(url, Key(depth, parent_order, position + (SITEMAP_OFFSET if sitemap else 0)), source)

    def _note_unvisited(self, url: str, source: str) -> None:
        if page_key(url) not in self._seen:
            self._record(self.unvisited, url, source, "unvisited list full")

    def _record(self, found: dict[str, str], url: str, source: str, reason: str) -> None:
        """Links kept for the link checks, in the order found, up to a cap: what a portal links to must not decide
        how much memory we use (2,000 links a page x the page cap is millions); the link checks sample far fewer."""
        if url in found:
            return
        if len(found) >= self.max_recorded:
            self.skipped[reason] += 1
            return
        found[url] = source

    def _offer(self, url: str, key: Key, source: str) -> None:
        pk = page_key(url)
        if pk in self._seen:
            return
        known = self._queued.get(pk)
        if known is not None:
            if key < known.key:  # found closer to the start: keep the smaller key
                known.key = key
                known.source = source
                heapq.heappush(self._heap, (key, pk))
            return
        if len(self._queued) >= self.max_queued:
            self.skipped["frontier full"] += 1
            self._note_unvisited(url, source)
            return
        self._queued[pk] = Item(url, key, source)
        heapq.heappush(self._heap, (key, pk))

    def _blocked_by_inflight(self, key: Key) -> bool:
        """A page still loading could find links with keys below `key`."""
        return any((item.key.depth + 1, item.order) <= (key.depth, key.parent) for item in self._inflight.values())

    def next(self) -> Item | bool | None:
        """The next page to crawl; None when nothing can come now; False when the crawl is over."""
        while self._heap:
            key, pk = self._heap[0]
            item = self._queued.get(pk)
            if item is None or item.key != key:  # stale heap entry
                heapq.heappop(self._heap)
                continue
            if self._blocked_by_inflight(key):
                return None
            if self.handed_out >= self.max_pages:
                break
            heapq.heappop(self._heap)
            del self._queued[pk]
            if not self._variant_ok(item):
                self.skipped["query variants"] += 1
                self.unvisited.setdefault(item.url, item.source)
                continue
            self._seen.add(pk)
            item.order = self._order
            self._order += 1
            self.handed_out += 1
            self._inflight[item.order] = item
            return item
        if self._inflight:
            return None
        for item in self._queued.values():  # never crawled (page cap): their links are still checked
            self.unvisited.setdefault(item.url, item.source)
        self._queued.clear()
        self._heap.clear()
        return False

    def _variant_ok(self, item: Item) -> bool:
        """At most max_query_variants distinct queries per path when the links come from that same path: calendars,
        sort orders, filters and paging link to themselves without end. Distinct records are not capped, as
        `/thu-tuc/123` paths are not (a portal's URL style must not decide how much of it is evaluated): records
        listed on another page or in a sitemap, and records (`Default.aspx?id=14`) listed on a page of their own
        path that is not itself a record (`Default.aspx?tab=thu-tuc`, the catalogue); only their facets count
        (`?id=14&sort=…`). A record linking to further records of its path is capped like a facet: that is how an
        endless `?id=N+1` chain looks, and what is left uncapped stays finite (at most max_query_variants listing
        pages per path, each with a bounded number of links; depth and page caps as for every page)."""
        place, query = _place_and_query(item.url)
        if not query:
            return True
        source_place, source_query = _place_and_query(item.source)
        same_place = source_place == place
        record, facets = split_record_key(query)
        if record and not (same_place and split_record_key(source_query)[0]):
            # a distinct record: only its facets are variants, counted apart from the catalogue's own
            query = facets
            if not query:
                return True
            place += "?" + ",".join(sorted(name for name, _, _ in (p.partition("=") for p in record.split("&"))))
        variants = self._variants[place]
        if query in variants:
            return True
        if len(variants) >= self.max_query_variants and same_place:
            return False
        variants.add(query)
        return True

    def alias(self, url: str) -> None:
        """A page redirected to `url`: that URL is crawled already, under its first name."""
        pk = page_key(url)
        self._seen.add(pk)
        self._queued.pop(pk, None)  # its heap entry goes stale

    def never_crawled(self) -> dict[str, str]:
        """In-scope pages the crawl will not load, as far as is known now (URL -> where found): those noted
        unvisited, and queued ones ranked past the places the page cap has left (links found later can only
        push them further back). Rarely one is loaded after all (a download gave its place back, a query
        variant or a redirect alias left the queue): the caller must let the page's own load win."""
        out = dict(self.unvisited)
        left = self.max_pages - self.handed_out
        if len(self._queued) > max(0, left):
            for item in sorted(self._queued.values(), key=lambda item: item.key)[max(0, left) :]:
                out.setdefault(item.url, item.source)
        return out

    def loading_before(self, order: int) -> bool:
        """Whether a page handed out before `order` is still loading (later pages get larger orders)."""
        return any(o < order for o in self._inflight)

    def done(self, item: Item) -> None:
        self._inflight.pop(item.order, None)

    def forget(self, item: Item) -> None:
        """The URL was not a page after all (a download): it does not count toward the cap."""
        self.done(item)
        self.handed_out -= 1
