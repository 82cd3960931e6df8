"""Journey 6: online payment is offered and its page answers."""

from __future__ import annotations

from .. import textmatch
from .. import vocabulary as V
from ..journey import Journey, journey
from ..reach import open_home, reach_step
from ..safety import host_of


@journey(
    "online_payment",
    title="Thanh toán trực tuyến có và truy cập được",
    title_en="Online payment offered and reachable",
    steps=("open_home", "find_payment", "payment_page"),
    subject=("payment_page",),
    order=60,
)
def online_payment(j: Journey) -> None:
    open_home(j)
    reached = reach_step(j, "find_payment", "online_payment", V.PAYMENT_ENTRY)
    with j.step("payment_page") as s:
        if reached.offsite:
            s.detail = f"payment on {host_of(reached.url)} (not loaded)"
            return
        text = j.text()
        j.require(textmatch.mentions(text, V.PAYMENT_PAGE), "the page reached says nothing about payment")
        j.require(not textmatch.mentions(text, V.ERROR_PAGE), "the payment page is an error page")
        s.detail = j.page.title()[:120]
