"""Journey 4: online submission leads to a sign-in offering VNeID; nothing is ever submitted."""

from __future__ import annotations

from .. import locate, textmatch
from .. import vocabulary as V
from ..journey import Journey, Reached, journey
from ..reach import REACH_PROCEDURE_STEPS, open_home, reach_procedure
from ..safety import host_of


@journey(
    "online_submission",
    title="Nộp hồ sơ trực tuyến dẫn đến đăng nhập, có VNeID",
    title_en="Online submission leads to sign-in with VNeID",
    steps=(
        "open_home",
        "open_submission",
        *REACH_PROCEDURE_STEPS,
        "find_submit",
        "sign_in",
        "vneid_offered",
    ),
    subject=("sign_in", "vneid_offered"),
    order=40,
)
def online_submission(j: Journey) -> None:
    open_home(j)
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
        s.detail = j.describe(sso[0]) if sso else (offsite_sso[0].href if offsite_sso else f"text: {mention}")
