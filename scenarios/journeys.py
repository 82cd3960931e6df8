"""The citizen's journeys on a DVCTT portal (issue 4, journeys 1-11), each a function of a Journey.

Every journey starts from the portal's home page and gets to a function the way a citizen does:
by the words on links, buttons, labels and placeholders (vocabulary.py), not by portal-specific
CSS. Registry overrides (Portal.overrides) take precedence where a portal needs help.
Nothing is ever submitted: the network guard aborts non-GET requests, and no journey presses a
final "Nộp"/"Gửi"/"Thanh toán" button or types credentials.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Locator

from . import locate, routes, textmatch
from . import vocabulary as V
from .journey import Journey, NotApplicable, Reached
from .safety import host_of

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
LOOKUP_INPUT_ATTRS = (
    "mahoso",
    "ma ho so",
    "hoso",
    "ho so",
    "dossier",
    "dossierno",
    "code",
    "ma",
    "sohoso",
    "bien nhan",
)
MAX_QUERIES = 2  # a portal whose search finds neither "khai sinh" nor "giấy phép xây dựng" does not work
_PHONE = re.compile(r"(?:\+?84|0|1[89]00)[\d .]{6,12}\d")


def _is_lookup_error(j: Journey, before: str, after: str) -> str | None:
    """An error page or a 5xx answer, rather than a result or a 'not found' message."""
    response = j.nav_response
    if response is not None and response.status >= 500:
        return f"HTTP {response.status}"
    if textmatch.count_mentions(after, V.ERROR_PAGE) > textmatch.count_mentions(before, V.ERROR_PAGE):
        return f"error page ({textmatch.mentions(after, V.ERROR_PAGE)!r})"
    return None


# -- shared sub-journeys ------------------------------------------------------------------------


def _submit_field(j: Journey, field: Locator, value: str, buttons: tuple[str, ...], submit_key: str) -> bool:
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


def _find_search_field(j: Journey) -> tuple[Locator, str]:
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
    return cand.locator(page), cand.describe()


def _visible_search_field(j: Journey) -> Locator | None:
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
        field, how = _find_search_field(j)
        s.detail = f"{opened}; {how}" if opened else how
        search_url = page.url
    query_override = j.override("search_procedure.query")
    queries = (query_override,) if query_override else V.SEARCH_QUERIES[:MAX_QUERIES]
    with j.step("search") as s:
        results: list[locate.Candidate] = []
        for query in queries:
            before = {f"{c.absolute_href(page.url)} {c.name}" for c in locate.list_elements(page, ("link",))}
            changed = _submit_field(j, field, query, V.SEARCH_BUTTON, "search_procedure.submit")
            # Links naming the query that were there before count only if the search did something
            # (a client-side filter keeps them); otherwise a featured "khai sinh" link would pass.
            results = _result_links(j, query, before) if changed else []
            if results:
                s.detail = f"{len(results)} result(s) for {query!r}, first: {results[0].name[:100]!r}"
                break
            # The results page usually keeps the search box; else back to where it was.
            again = j.override_locator("search_procedure.input") or _visible_search_field(j)
            if again is None:
                j.open(search_url)
                again, _ = _find_search_field(j)
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


def _open_home(j: Journey) -> None:
    with j.step("open_home") as s:
        response = j.open_home()
        s.detail = f"HTTP {response.status if response else '?'}: {j.page.title()[:120]!r}"


def _reach_step(j: Journey, name: str, function: str, synonyms: tuple[str, ...], guess: bool = True) -> Reached:
    with j.step(name) as s:
        reached = j.reach(function, synonyms, guess=guess)
        s.detail = reached.how + (f" -> off-site {reached.url} (not loaded)" if reached.offsite else "")
    return reached


# -- 1. home ---------------------------------------------------------------------------------------


def home(j: Journey) -> None:
    _open_home(j)
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
            s.detail = "search button " + buttons[0].describe()
        else:
            s.detail = cand.describe()


# -- 2. search a procedure -----------------------------------------------------------------------


def search_procedure(j: Journey) -> None:
    _open_home(j)
    find_and_open_procedure(j)


# -- 3. procedure detail ---------------------------------------------------------------------------


def procedure_detail(j: Journey) -> None:
    _open_home(j)
    reach_procedure(j)
    # One step per required item, all recorded: the evidence says which items a page lacks.
    text = locate.all_text(j.page)
    missing: list[tuple[str, str]] = []
    for name, words in V.PROCEDURE_FIELDS.items():
        step = "has_" + textmatch.bare(name).replace(" ", "_")
        hit = textmatch.mentions(text, words)
        if not j.check(step, bool(hit), f"{name}: found as {hit!r}" if hit else f"{name}: not found"):
            missing.append((step, name))
    if missing:
        j.fail_at(missing[0][0], f"missing: {', '.join(name for _, name in missing)}")
    with j.step("service_level") as s:
        level = textmatch.mentions(locate.all_text(j.page), V.SERVICE_LEVEL)
        s.detail = f"shown: {level}" if level else "not shown"


# -- 4. online submission up to the sign-in ----------------------------------------------------------


def online_submission(j: Journey) -> None:
    _open_home(j)
    page = j.page
    if "online_submission" in j.overrides:
        with j.step("open_submission") as s:
            s.detail = j.open_override("online_submission") or ""
        reached = Reached(url=page.url, how=s.detail)
    else:
        reach_procedure(j)
        with j.step("find_submit") as s:
            button = j.override_locator("online_submission.button")
            if button is not None:
                button.click()
                j.settle()
                reached = Reached(url=page.url, how="registry override selector")
            else:
                found = locate.find(page, V.SUBMIT_ENTRY)
                j.require(found, "no 'Nộp hồ sơ trực tuyến' link or button on the procedure page")
                reached = j.follow(found[0])
            s.detail = reached.how + (f" -> off-site {reached.url} (not loaded)" if reached.offsite else "")
    with j.step("sign_in") as s:
        if reached.offsite:
            host = host_of(reached.url)
            j.require(
                any(host == h or host.endswith("." + h) for h in V.SSO_HOSTS),
                f"leads off-site to {host}, not a known sign-in host",
            )
            s.detail = f"national sign-on at {host}"
        else:
            has_password = page.locator("input[type=password]").count() > 0
            login = textmatch.mentions(j.text(), V.LOGIN) or bool(locate.find(page, V.LOGIN))
            j.require(has_password or login, "the submission entry does not lead to a sign-in page")
            s.detail = "password field" if has_password else "sign-in offered"
    with j.step("vneid_offered") as s:
        if reached.offsite:
            s.detail = f"national SSO host {host_of(reached.url)}"
            return
        # The sign-in page's own offer: the footer's site-wide link to the national portal is not a way to sign in.
        sso = [c for c in locate.find(page, V.NATIONAL_SSO) if not c.in_footer]
        offsite_sso = [
            c
            for c in locate.list_elements(page, ("link",))
            if not c.in_footer and any(host_of(c.absolute_href(page.url) or "").endswith(h) for h in V.SSO_HOSTS)
        ]
        mention = textmatch.mentions(locate.content_text(page), V.NATIONAL_SSO)
        j.require(sso or offsite_sso or mention, "no VNeID / national single sign-on offered on the sign-in page")
        s.detail = sso[0].describe() if sso else (offsite_sso[0].href if offsite_sso else f"text: {mention}")


# -- 5. dossier lookup -----------------------------------------------------------------------------------


def _lookup_field(j: Journey) -> locate.Candidate | None:
    return locate.find_input(j.page, V.LOOKUP_INPUT, LOOKUP_INPUT_ATTRS)


def dossier_lookup(j: Journey) -> None:
    _open_home(j)
    page = j.page
    with j.step("find_lookup") as s:
        value = j.overrides.get("dossier_lookup")
        on_home = None if value else _lookup_field(j)
        if on_home is not None:
            s.detail = "lookup form on the home page: " + on_home.describe()
        else:
            reached = j.reach("dossier_lookup", V.LOOKUP_ENTRY)
            j.require(not reached.offsite, f"the lookup is off-site at {reached.url}")
            s.detail = reached.how
    with j.step("find_input") as s:
        field = j.override_locator("dossier_lookup.input")
        if field is None:
            cand = _lookup_field(j)
            if cand is None:  # an unlabelled box: the first text input of the page body
                inputs = [
                    c
                    for c in locate.list_elements(page, ("input",))
                    if c.visible and not c.in_header and c.type in ("", "text", "search")
                ]
                cand = inputs[0] if inputs else None
            if cand is None:
                j.fail("no field for the dossier code on the lookup page")
            s.detail = cand.describe()
            field = cand.locator(page)
        else:
            s.detail = "registry override selector"
        captcha = (
            textmatch.mentions(j.text(), V.CAPTCHA)
            or page.locator("img[src*=captcha i], img[alt*=captcha i], [class*=captcha i], [id*=captcha i]").count()
        )
        if captcha:
            raise NotApplicable("the lookup asks for a captcha: a robot may not pass it")
    code = j.override("dossier_lookup.code") or V.LOOKUP_CODE
    with j.step("submit_code") as s:
        before = j.text()
        errors: list[str] = []
        listener = lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None  # noqa: E731
        page.on("response", listener)
        posts_before = len(j.guard.posts_blocked()) if j.guard else 0
        try:
            _submit_field(j, field, code, V.LOOKUP_BUTTON, "dossier_lookup.submit")
        finally:
            page.remove_listener("response", listener)
        new_posts = j.guard.posts_blocked()[posts_before:] if j.guard else []
        if new_posts:
            j.fail(
                f"the lookup sends a non-GET request, blocked by the safety guard: {new_posts[0]} (allow it "
                "with the override 'dossier_lookup.allow_post' if it is a read-only lookup)"
            )
        j.require(not errors, f"the server answered with an error: {errors[:1]}")
        s.detail = f"code {code!r} submitted"
    with j.step("answer") as s:
        after = j.text()
        error = _is_lookup_error(j, before, after)
        j.require(error is None, f"the lookup answers with an error: {error}")
        not_found = textmatch.count_mentions(after, V.NOT_FOUND) > textmatch.count_mentions(before, V.NOT_FOUND)
        result = textmatch.count_mentions(after, V.LOOKUP_RESULT) > textmatch.count_mentions(before, V.LOOKUP_RESULT)
        j.require(not_found or result, "no result and no clear 'not found' message after submitting a code")
        s.detail = ("not-found message: " + str(textmatch.mentions(after, V.NOT_FOUND))) if not_found else "a result"


# -- 6. online payment, 7. feedback, 8. help, 11. privacy --------------------------------------------------


def online_payment(j: Journey) -> None:
    _open_home(j)
    reached = _reach_step(j, "find_payment", "online_payment", V.PAYMENT_ENTRY)
    with j.step("payment_page") as s:
        if reached.offsite:
            s.detail = f"payment on {host_of(reached.url)} (not loaded)"
            return
        text = j.text()
        j.require(textmatch.mentions(text, V.PAYMENT_PAGE), "the page reached says nothing about payment")
        j.require(not textmatch.mentions(text, V.ERROR_PAGE), "the payment page is an error page")
        s.detail = j.page.title()[:120]


# The fields a citizen fills in on the page, <form> or not (many portals send them by script): visible inputs,
# text areas and selects of the content, the site-wide search box and header/footer tools excluded.
_FIELDS_JS = """() => {
  const fields = Array.from(document.querySelectorAll(
      'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=image]):not([type=reset]), ' +
      'textarea, select'))
    .filter(el => el.checkVisibility() && !el.closest(
      'header, nav, footer, [role=search], [role=banner], [role=navigation], [role=contentinfo]'));
  return {n: fields.length, in_form: fields.filter(el => el.form || el.closest('form')).length};
}"""


def feedback(j: Journey) -> None:
    _open_home(j)
    reached = _reach_step(j, "find_feedback", "feedback", V.FEEDBACK_ENTRY)
    page = j.page
    with j.step("feedback_channel") as s:
        if reached.offsite:
            s.detail = f"feedback system at {host_of(reached.url)} (not loaded)"
            return
        fields = page.evaluate(_FIELDS_JS)
        national = [
            c
            for c in locate.list_elements(page, ("link",))
            if any(host_of(c.absolute_href(page.url) or "").endswith(h) for h in V.FEEDBACK_HOSTS)
        ]
        n, in_form = fields["n"], fields["in_form"]
        j.require(n or national, "no feedback form and no link to the national feedback system")
        if not n:
            s.detail = f"link to {national[0].href}"
        elif in_form == n:
            s.detail = f"form with {n} field(s)"
        elif in_form == 0:
            s.detail = f"{n} field(s), not in a <form>"  # a script sends them: still a feedback form to a citizen
        else:
            s.detail = f"{n} field(s), {in_form} in a <form>"


def help(j: Journey) -> None:
    _open_home(j)
    page = j.page
    with j.step("help_channel") as s:
        home_text = j.text()
        hotline = textmatch.mentions(home_text, V.HOTLINE)
        phone = _PHONE.search(home_text) or page.locator("a[href^='tel:']").count()
        chatbot = textmatch.mentions(home_text, V.CHATBOT)
        found = locate.find(page, V.HELP_ENTRY)
        override = j.overrides.get("help")
        if found or override:
            reached = j.reach("help", V.HELP_ENTRY, guess=False)
            if not reached.offsite:
                j.require(not textmatch.mentions(j.text(), V.ERROR_PAGE), "the help page is an error page")
            s.detail = f"guide/FAQ: {reached.how}"
        elif hotline and phone:
            s.detail = f"hotline on the home page ({hotline})"
        elif chatbot:
            s.detail = f"chatbot ({chatbot})"
        else:
            reached = j.reach("help", V.HELP_ENTRY, guess=True)
            s.detail = reached.how


def privacy(j: Journey) -> None:
    _open_home(j)
    reached = _reach_step(j, "find_privacy", "privacy", V.PRIVACY_ENTRY)
    with j.step("privacy_page") as s:
        j.require(not reached.offsite, f"the policy is off-site at {reached.url} (not loaded)")
        mention = textmatch.mentions(locate.all_text(j.page), V.PRIVACY_PAGE)
        j.require(mention, "the page reached is not a personal-data / privacy policy")
        s.detail = f"{j.page.title()[:100]!r} mentions {mention!r}"
