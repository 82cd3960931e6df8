"""Plug-ins found the way pytest and Scrapy find theirs: an installed package names its modules under an entry-point
group (pyproject.toml), and the group is imported the first time it is needed. Ours are declared the same way, so
that the criteria know every journey and page fact in any process, and importing the criteria loads no browser."""

from __future__ import annotations

import importlib.metadata

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
