"""Journey 1: the home page answers, has a title, a main navigation and a visible search."""

from __future__ import annotations

from urllib.parse import urlsplit

from .. import locate
from .. import vocabulary as V
from ..journey import Journey, journey
from ..reach import SEARCH_INPUT_ATTRS, open_home
from ..safety import host_of


@journey(
    "home",
    title="Trang chủ truy cập được, có tiêu đề, điều hướng và ô tìm kiếm",
    title_en="Home page reachable, with title, navigation and search",
    steps=("open_home", "https", "title", "main_navigation", "visible_search"),
    subject=("https", "title", "main_navigation", "visible_search"),
    order=10,
)
def home(j: Journey) -> None:
    open_home(j)
    page = j.page
    with j.step("https") as s:
        scheme, host = urlsplit(page.url).scheme, host_of(page.url)
        if host in ("127.0.0.1", "localhost", "::1"):
            s.detail = f"{scheme} on a loopback test server: HTTPS not required"
        else:
            j.require(scheme == "https", f"the home page is served over {scheme}, not HTTPS")
            s.detail = "https"
    with j.step("title") as s:
        title = page.title().strip()
        j.require(title, "the page has no <title>")
        s.detail = title[:200]
    with j.step("main_navigation") as s:
        nav = locate.main_navigation(page)
        count = len(nav["items"])
        j.require(count >= 3, f"no visible main navigation (a menu with 3+ items; best has {count})")
        s.detail = f"{count} visible items" + ("" if nav["landmark"] else " (not marked up as a nav landmark)")
    with j.step("visible_search") as s:
        cand = locate.find_input(page, V.SEARCH_INPUT, SEARCH_INPUT_ATTRS, prefer_search_type=True)
        if cand is None:
            buttons = locate.find(page, V.SEARCH_BUTTON, kinds=("button", "link"), include_hidden=False, use_url=False)
            j.require(buttons, "no visible search box or search button on the home page")
            s.detail = "search button " + j.describe(buttons[0])
        else:
            s.detail = j.describe(cand)
