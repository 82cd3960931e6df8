"""Plug-ins found the way pytest and Scrapy find theirs: an installed package names its modules under an entry-point
group (pyproject.toml), and the group is imported the first time it is needed. Ours are declared the same way, so
that the criteria know every journey and page fact in any process, and importing the criteria loads no browser."""

from __future__ import annotations

import importlib.metadata
from typing import Generic, TypeVar

T = TypeVar("T")

JOURNEYS = "portalscore.journeys"  # modules declaring journeys (scenarios/journey.py, @journey)
GATHERERS = "portalscore.gatherers"  # modules registering page gatherers and the facts they produce

_loaded: set[str] = set()


def load(group: str) -> None:
    """Import every module of the group once; a plug-in that cannot be imported is a one-line error naming it."""
    if group in _loaded:
        return
    _loaded.add(group)
    for entry in importlib.metadata.entry_points(group=group):
        try:
            entry.load()
        except ImportError as e:
            raise ImportError(f"the plug-in {entry.value!r} ({group} entry point) cannot be imported: {e}") from e


class Declarations(Generic[T]):
    """What the plug-ins of one group declared, by name. The same declaration twice is one (pytest may import a
    package under two names); two different ones under one name are a mistake, said at import."""

    def __init__(self, group: str, what: str) -> None:
        self.group, self.what = group, what
        self._by_name: dict[str, T] = {}

    def add(self, name: str, declaration: T) -> None:
        known = self._by_name.get(name)
        if known is not None and known != declaration:
            raise ValueError(f"two {self.what}s named {name!r}")
        self._by_name[name] = declaration

    def get(self, name: str) -> T | None:
        load(self.group)
        return self._by_name.get(name)

    def all(self) -> dict[str, T]:
        load(self.group)
        return dict(self._by_name)
