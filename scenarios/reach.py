"""The moves several journeys share: open the home page, find and use the procedure search, reach a procedure page by
the first route that gets there (search, catalogue, a crawled page), reach a function by its words. Each records
its steps on the Journey; the step names are listed here for the journeys that declare them."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Locator

from . import locate, routes, textmatch
from . import vocabulary as V
from .journey import Journey, Reached

# The steps a journey records on the way to a procedure page, whichever route it took.
REACH_PROCEDURE_STEPS = (
    "open_procedure",  # the registry's URL (route override)
    "find_search",
    "search",
    "open_result",  # route search
    "find_catalogue",
    "open_catalogue_entry",  # route catalogue: the procedure list, then one of its procedures
    "open_crawled_procedure",  # route crawled: a procedure page the crawl found
    "reach_procedure",  # recorded failed when no route reached a procedure page
)


def item_step(item: str) -> str:
    """The step that records whether a procedure page shows a required item: "has_thanh_phan_ho_so"."""
    return "has_" + textmatch.bare(item).replace(" ", "_")


# One step per required item of a procedure page (vocabulary.PROCEDURE_FIELDS), all recorded.
PROCEDURE_ITEM_STEPS = tuple(item_step(item) for item in V.PROCEDURE_FIELDS)

SEARCH_INPUT_ATTRS = (
    "search",
    "keyword",
    "keywords",
    "key",
    "tukhoa",
    "tu khoa",
    "timkiem",
    "tim kiem",
    "q",
    "query",
    "tenthutuc",
    "ten thu tuc",
    "txtsearch",
)
MAX_QUERIES = 2  # a portal whose search finds neither "khai sinh" nor "giấy phép xây dựng" does not work


def submit_field(j: Journey, field: Locator, value: str, buttons: tuple[str, ...], submit_key: str) -> bool:
    """Type into a field and submit it as a citizen does: Enter, else the search button.
    Returns whether the page changed (URL, visible links or text)."""
    page = j.page
    before_url, before_links = page.url, _page_signature(j)
    field.fill(value)
    field.press("Enter")
    j.settle()
    if page.url != before_url or _page_signature(j) != before_links:
        return True
    button = j.override_locator(submit_key)
    if button is None:
        found = [
            c
            for c in locate.find(page, buttons, kinds=("button", "link"), include_hidden=False, use_url=False)
            if not c.href or c.href.strip() in ("#", "") or c.href.lower().startswith("javascript:")
        ]
        if not found:
            return False
        button = found[0].locator(page)
    button.click()
    j.settle()
    return page.url != before_url or _page_signature(j) != before_links


def _page_signature(j: Journey) -> tuple[str, ...]:
    """Visible links and a hash of the visible text: tells whether a submit changed anything."""
    return tuple(
        j.page.evaluate("""() => {
      const t = document.body ? document.body.innerText : '';
      let h = 0; for (let i = 0; i < t.length; i++) h = (h * 31 + t.charCodeAt(i)) | 0;
      return [String(h)].concat(Array.from(document.querySelectorAll('a[href]'))
        .filter(a => a.offsetParent !== null).map(a => a.href + ' ' + a.textContent.trim()).slice(0, 500));
    }""")
    )


def find_search_field(j: Journey) -> tuple[Locator, str]:
    override = j.override_locator("search_procedure.input")
    if override is not None:
        return override, "registry override selector"
    page = j.page
    cand = locate.find_input(page, V.SEARCH_INPUT, SEARCH_INPUT_ATTRS, prefer_search_type=True)
    if cand is None:
        # Behind a toggle (phone layouts) or on a search page of its own.
        toggles = locate.find(
            page, V.SEARCH_BUTTON + V.MENU_TOGGLE, kinds=("button",), include_hidden=False, use_url=False
        )
        if toggles:
            toggles[0].locator(page).click()
            j.settle()
            cand = locate.find_input(page, V.SEARCH_INPUT, SEARCH_INPUT_ATTRS, prefer_search_type=True)
    if cand is None:
        entries = locate.find(page, V.SEARCH_ENTRY)
        if entries:
            j.follow(entries[0])
            cand = locate.find_input(page, V.SEARCH_INPUT, SEARCH_INPUT_ATTRS, prefer_search_type=True)
    if cand is None:
        j.fail(
            "no procedure search box (by label, placeholder, name or type=search), here or behind "
            "a 'Tra cứu thủ tục' link"
        )
    return cand.locator(page), j.describe(cand)


def visible_search_field(j: Journey) -> Locator | None:
    cand = locate.find_input(j.page, V.SEARCH_INPUT, SEARCH_INPUT_ATTRS, prefer_search_type=True)
    return cand.locator(j.page) if cand else None


def _result_links(j: Journey, query: str, before: set[str]) -> list[locate.Candidate]:
    """Visible links outside the header and navigation naming the query (new ones first): the result list."""
    links = [c for c in locate.list_elements(j.page, ("link",)) if c.visible and not c.in_header]
    results = []
    for c in links:
        href = c.absolute_href(j.page.url)
        if not href or (href.split("#")[0] == j.page.url.split("#")[0] and not urlsplit(href).fragment.startswith("/")):
            continue
        if textmatch.match_quality(c.name, query):
            results.append(c)
    fresh = [c for c in results if f"{c.absolute_href(j.page.url)} {c.name}" not in before]
    return fresh or results


def find_and_open_procedure(j: Journey) -> str:
    """Search for a common procedure, see a result list, open a result. Returns the query that worked."""
    page = j.page
    with j.step("find_search") as s:
        opened = j.open_override("search_procedure")
        field, how = find_search_field(j)
        s.detail = f"{opened}; {how}" if opened else how
        search_url = page.url
    query_override = j.override("search_procedure.query")
    queries = (query_override,) if query_override else V.SEARCH_QUERIES[:MAX_QUERIES]
    with j.step("search") as s:
        results: list[locate.Candidate] = []
        for query in queries:
            before = {f"{c.absolute_href(page.url)} {c.name}" for c in locate.list_elements(page, ("link",))}
            changed = submit_field(j, field, query, V.SEARCH_BUTTON, "search_procedure.submit")
            # Links naming the query that were there before count only if the search did something
            # (a client-side filter keeps them); otherwise a featured "khai sinh" link would pass.
            results = _result_links(j, query, before) if changed else []
            if results:
                s.detail = f"{len(results)} result(s) for {query!r}, first: {results[0].name[:100]!r}"
                break
            # The results page usually keeps the search box; else back to where it was.
            again = j.override_locator("search_procedure.input") or visible_search_field(j)
            if again is None:
                j.open(search_url)
                again, _ = find_search_field(j)
            field = again
        if not results:
            blocked = j.guard.posts_blocked() if j.guard else []
            if blocked:
                j.fail(f"the search sends a non-GET request, blocked by the safety guard: {blocked[0]}")
            j.fail(f"no result list for {', '.join(repr(q) for q in queries)}")
    with j.step("open_result") as s:
        reached = j.follow(results[0])
        j.require(not reached.offsite, f"the result links off-site to {reached.url}")
        j.require(textmatch.mentions(j.text(), (query,)), f"the opened page does not mention {query!r}")
        s.detail = f"{page.title()[:120]!r} at {page.url}"
    return query


def reach_procedure(j: Journey) -> None:
    """A procedure detail page: the registry's URL if it gives one, else by the first route that gets there (the
    search, the procedure catalogue, a procedure page the crawl found). A route that fails costs nothing here: the
    search has its own criterion. The route taken and the ones tried are recorded (j.route, j.route_attempts)."""
    url = j.override("procedure_detail")
    if url and j.is_url(url):

        def by_override() -> None:
            with j.step("open_procedure") as s:
                j.open(url)
                s.detail = "registry override URL"

        if j.try_route("override", by_override):
            return
    else:
        if j.try_route("search", lambda: find_and_open_procedure(j)):
            return
        if j.try_route("catalogue", lambda: routes.via_catalogue(j)):
            return
        if j.try_route("crawled", lambda: routes.via_crawled(j)):
            return
    with j.step("reach_procedure"):
        j.fail(
            "no route reached a procedure page: "
            + "; ".join(f"{a.route} failed at '{a.step}': {a.reason}" for a in j.route_attempts)
        )


def open_home(j: Journey) -> None:
    with j.step("open_home") as s:
        response = j.open_home()
        s.detail = f"HTTP {response.status if response else '?'}: {j.page.title()[:120]!r}"


def reach_step(j: Journey, name: str, function: str, synonyms: tuple[str, ...], guess: bool = True) -> Reached:
    with j.step(name) as s:
        reached = j.reach(function, synonyms, guess=guess)
        s.detail = reached.how + (f" -> off-site {reached.url} (not loaded)" if reached.offsite else "")
    return reached
