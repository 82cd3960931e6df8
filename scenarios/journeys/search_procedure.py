"""Journey 2: find a common procedure with the portal's search and open a result."""

from __future__ import annotations

from ..journey import Journey, journey
from ..reach import find_and_open_procedure, open_home


@journey(
    "search_procedure",
    title="Tìm một thủ tục hành chính và mở kết quả",
    title_en="Find a procedure and open a result",
    steps=("open_home", "find_search", "search", "open_result"),
    subject=("search", "open_result"),
    order=20,
)
def search_procedure(j: Journey) -> None:
    open_home(j)
    find_and_open_procedure(j)
