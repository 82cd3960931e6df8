"""Journey 3: a procedure page, however it was reached, shows the items the law requires of it."""

from __future__ import annotations

from .. import locate, textmatch
from .. import vocabulary as V
from ..journey import Journey, journey
from ..reach import PROCEDURE_ITEM_STEPS, REACH_PROCEDURE_STEPS, item_step, open_home, reach_procedure


@journey(
    "procedure_detail",
    title="Trang thủ tục có đủ thông tin bắt buộc",
    title_en="Procedure page has the required information",
    steps=("open_home", *REACH_PROCEDURE_STEPS, *PROCEDURE_ITEM_STEPS, "service_level"),
    subject=("has_*",),
    order=30,
)
def procedure_detail(j: Journey) -> None:
    open_home(j)
    reach_procedure(j)
    # One step per required item, all recorded: the evidence says which items a page lacks.
    text = locate.all_text(j.page)
    missing: list[tuple[str, str]] = []
    for name, words in V.PROCEDURE_FIELDS.items():
        step = item_step(name)
        hit = textmatch.mentions(text, words)
        if not j.check(step, bool(hit), f"{name}: found as {hit!r}" if hit else f"{name}: not found"):
            missing.append((step, name))
    if missing:
        j.fail_at(missing[0][0], f"missing: {', '.join(name for _, name in missing)}")
    with j.step("service_level") as s:
        level = textmatch.mentions(locate.all_text(j.page), V.SERVICE_LEVEL)
        s.detail = f"shown: {level}" if level else "not shown"
