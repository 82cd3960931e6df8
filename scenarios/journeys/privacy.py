"""Journey 11: a personal-data protection policy is published (Decree 13/2023)."""

from __future__ import annotations

from .. import locate, textmatch
from .. import vocabulary as V
from ..journey import Journey, journey
from ..reach import open_home, reach_step


@journey(
    "privacy",
    title="Có chính sách bảo vệ dữ liệu cá nhân",
    title_en="Personal-data protection policy published",
    steps=("open_home", "find_privacy", "privacy_page"),
    subject=("privacy_page",),
    order=110,
)
def privacy(j: Journey) -> None:
    open_home(j)
    reached = reach_step(j, "find_privacy", "privacy", V.PRIVACY_ENTRY)
    with j.step("privacy_page") as s:
        j.require(not reached.offsite, f"the policy is off-site at {reached.url} (not loaded)")
        mention = textmatch.mentions(locate.all_text(j.page), V.PRIVACY_PAGE)
        j.require(mention, "the page reached is not a personal-data / privacy policy")
        s.detail = f"{j.page.title()[:100]!r} mentions {mention!r}"
