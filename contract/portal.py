"""A portal to evaluate, as the registry gives it: what every room knows of it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Portal:
    id: str
    name: str
    kind: str
    url: str
    max_pages: int | None = None
    include: list[str] = field(default_factory=list)  # regexes on the URL; empty = whole site
    exclude: list[str] = field(default_factory=list)
    overrides: dict[str, str] = field(default_factory=dict)  # scenario step -> selector or URL
    url_confirmed: bool = True
    name_en: str = ""
    note: str = ""
    credentials: str | None = None  # the NAME of a credential set (portalscore.contract.secrets), never a value
