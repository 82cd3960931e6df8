"""Journey 5: the dossier lookup answers a code with a result or a clear "not found" (a read-only lookup)."""

from __future__ import annotations

from .. import locate, textmatch
from .. import vocabulary as V
from ..journey import Journey, NotApplicable, journey
from ..reach import open_home, submit_field

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


def _is_lookup_error(j: Journey, before: str, after: str) -> str | None:
    """An error page or a 5xx answer, rather than a result or a 'not found' message."""
    response = j.nav_response
    if response is not None and response.status >= 500:
        return f"HTTP {response.status}"
    if textmatch.count_mentions(after, V.ERROR_PAGE) > textmatch.count_mentions(before, V.ERROR_PAGE):
        return f"error page ({textmatch.mentions(after, V.ERROR_PAGE)!r})"
    return None


def _lookup_field(j: Journey) -> locate.Candidate | None:
    return locate.find_input(j.page, V.LOOKUP_INPUT, LOOKUP_INPUT_ATTRS)


@journey(
    "dossier_lookup",
    title="Tra cứu hồ sơ trả lời kết quả hoặc thông báo không tìm thấy",
    title_en="Dossier lookup answers with a result or a clear not-found",
    steps=("open_home", "find_lookup", "find_input", "submit_code", "answer"),
    subject=("submit_code", "answer"),
    order=50,
)
def dossier_lookup(j: Journey) -> None:
    open_home(j)
    page = j.page
    with j.step("find_lookup") as s:
        value = j.overrides.get("dossier_lookup")
        on_home = None if value else _lookup_field(j)
        if on_home is not None:
            s.detail = "lookup form on the home page: " + j.describe(on_home)
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
            s.detail = j.describe(cand)
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
            submit_field(j, field, code, V.LOOKUP_BUTTON, "dossier_lookup.submit")
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
