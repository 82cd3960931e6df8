"""Journey 8: a guide, FAQ, hotline or chatbot is reachable from the home page."""

from __future__ import annotations

import re

from .. import locate, textmatch
from .. import vocabulary as V
from ..journey import Journey, journey
from ..reach import open_home

_PHONE = re.compile(r"(?:\+?84|0|1[89]00)[\d .]{6,12}\d")


@journey(
    "help",
    title="Hướng dẫn, câu hỏi thường gặp hoặc đường dây nóng",
    title_en="Guide, FAQ, hotline or chatbot reachable",
    steps=("open_home", "help_channel"),
    subject=("help_channel",),
    order=80,
)
def help(j: Journey) -> None:
    open_home(j)
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
