"""Routes to a procedure page that do not go through the portal's search (issue 19, item 1).

A citizen who cannot make a portal's search work still reaches a procedure by its catalogue ("Danh mục thủ tục
hành chính"), and the crawler reached procedure pages by links and sitemaps. So a broken search costs the search
criterion only: procedure detail, online submission and the phone view are judged on a procedure page however it
was reached, and the journey records which route it took (ScenarioResult.route, route_attempts).

A page counts as a procedure page by what it shows (several of the required items), never by its URL alone: the
URL only orders the crawl's pages to try.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

from portalscore.contract.evidence import PageEvidence

from . import locate, textmatch
from . import vocabulary as V
from .journey import Journey

# A page mentioning this many of the required items (thành phần hồ sơ, trình tự, thời hạn...) is a procedure page:
# a list of procedures names one or two of them as column headers, a procedure page names them all.
MIN_ITEMS = 3
MAX_CATALOGUE_ENTRIES = 3  # procedures of the list tried before the route gives up
MAX_CRAWLED = 3  # crawled pages tried
MIN_ENTRY_WORDS = 3  # a procedure's name ("Đăng ký khai sinh") is longer than a menu item ("Tin tức")

# URL words of procedure pages in the portal families we know: /thu-tuc-hanh-chinh/..., ChiTietThuTuc.aspx?id=,
# /procedure/detail/..., ?ma-thu-tuc-public=... (url_words turns them into these words).
_PROCEDURE_WORDS = ("thu tuc", "thutuc", "procedure", "tthc")
_DETAIL_WORDS = ("chi tiet", "chitiet", "detail", "id")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def procedure_items(j: Journey) -> int:
    """How many of the required procedure items the current page names (collapsed sections included)."""
    text = locate.all_text(j.page)
    return sum(1 for words in V.PROCEDURE_FIELDS.values() if textmatch.mentions(text, words))


def procedure_candidates(pages: list[PageEvidence], limit: int = 10) -> list[str]:
    """The crawl's pages most likely to be procedure pages, best first: loaded fine, procedure words in the URL or
    title, a detail word or an id. Deterministic (ties by URL), so two runs try the same pages."""
    scored: list[tuple[int, str]] = []
    for p in pages:
        if p.profile != "desktop" or p.error or (p.status or 0) >= 400 or not (p.status or 0):
            continue
        url = p.final_url or p.url
        parts = urlsplit(url)
        # ChiTietThuTuc.aspx reads as "chi tiet thu tuc aspx": CamelCase ASP.NET names are words too.
        spaced = _CAMEL.sub(" ", parts.path + " " + parts.query)
        words = f" {textmatch.url_words(spaced)} "
        title = textmatch.bare(p.title)
        score = 0
        if any(f" {w} " in words for w in _PROCEDURE_WORDS) or "thu tuc" in title:
            score += 2
        if any(f" {w} " in words for w in _DETAIL_WORDS):
            score += 1
        if score >= 2:
            scored.append((score, url))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return list(dict.fromkeys(url for _, url in scored))[:limit]


def via_catalogue(j: Journey) -> None:
    """Home -> the procedure catalogue -> one of its procedures that shows procedure items."""
    page = j.page
    with j.step("find_catalogue") as s:
        j.open_home()
        found = locate.find(page, V.CATALOGUE_ENTRY)
        j.require(found, "no link to a list of procedures ('Danh mục thủ tục hành chính', 'Thủ tục hành chính')")
        reached = j.follow(found[0])
        j.require(not reached.offsite, f"the procedure list is off-site at {reached.url}")
        s.detail = reached.how
        list_url = page.url
    with j.step("open_catalogue_entry") as s:
        tried: list[str] = []
        for i in range(MAX_CATALOGUE_ENTRIES):
            if j.remaining_ms() < 5000:
                break
            if i:  # back to the list: its elements are listed again (a reload drops the references)
                j.open(list_url)
            entries = _catalogue_entries(j, list_url)
            j.require(entries, f"the procedure list at {list_url} lists no procedure")
            if i >= len(entries):
                break
            entry = entries[i]
            j.follow(entry)
            items = procedure_items(j)
            if items >= MIN_ITEMS:
                s.detail = f"{entry.name[:80]!r}: a procedure page ({items} required items named) at {page.url}"
                return
            tried.append(f"{entry.name[:60]!r} ({items} items)")
        j.fail(f"none of the list's first entries is a procedure page: {', '.join(tried) or 'none opened'}")


def _catalogue_entries(j: Journey, list_url: str) -> list[locate.Candidate]:
    """Links of the list that may be procedures, the list's records first: in the content, named by several words,
    leading elsewhere on the portal; those sharing the most common URL shape (a list of records links every record
    the same way, `chi-tiet-thu-tuc?serviceCode=…`) before the rest (the site's name, a banner)."""
    page = j.page
    found = [
        c
        for c in locate.list_elements(page, ("link",))
        if c.visible
        and not c.in_header
        and len(textmatch.bare(c.name).split()) >= MIN_ENTRY_WORDS
        and (c.absolute_href(page.url) or "").split("#")[0] != list_url.split("#")[0]
        and not j.is_offsite_blocked(c.absolute_href(page.url) or "")
    ]
    shapes = Counter(_shape(c.absolute_href(page.url) or "") for c in found)
    return sorted(found, key=lambda c: -shapes[_shape(c.absolute_href(page.url) or "")])


def _shape(url: str) -> str:
    """A URL with its record ids taken out: the path with digits as 0, and the names of its query parameters."""
    parts = urlsplit(url)
    keys = sorted(k for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    return re.sub(r"\d+", "0", parts.path) + "?" + "&".join(keys) + "#" + re.sub(r"\d+", "0", parts.fragment)


def via_crawled(j: Journey) -> None:
    """A procedure page the crawl found (by links or the sitemap), opened directly."""
    page = j.page
    with j.step("open_crawled_procedure") as s:
        j.require(j.procedure_pages, "the crawl found no page that looks like a procedure page")
        tried = []
        for url in j.procedure_pages[:MAX_CRAWLED]:
            if j.remaining_ms() < 5000 or j.is_offsite_blocked(url):
                continue
            j.acting()
            response = page.goto(url, wait_until="domcontentloaded")
            j.settle()
            status = response.status if response is not None else 0
            items = procedure_items(j) if status < 400 else 0
            if items >= MIN_ITEMS:
                s.detail = f"crawled page {url}: a procedure page ({items} required items named)"
                return
            tried.append(f"{url} (HTTP {status}, {items} items)")
        j.fail(f"none of the crawled candidates is a procedure page: {', '.join(tried) or 'none opened'}")
