"""The journey catalogue: every module in scenarios/journeys/ declares its journey with `@journey` (scenarios/journey.py),
and importing this module imports them all, which also registers them for the criteria (contract.journeys). A new
journey is a new module there; nothing here changes."""

from __future__ import annotations

import importlib
import pkgutil

from portalscore.contract.journeys import registered

from . import journeys as _package
from .journey import Scenario, declared


def _import_all() -> None:
    for module in sorted(pkgutil.iter_modules(_package.__path__), key=lambda m: m.name):
        importlib.import_module(f"{_package.__name__}.{module.name}")


_import_all()
# Scenario id -> Scenario (id, title, title_en, run, profile): ours, in their declared order (issue 4's).
SCENARIOS: dict[str, Scenario] = declared()


def all_scenarios() -> dict[str, Scenario]:
    """Ours and those other installed packages declare (the `portalscore.journeys` entry points), in order."""
    registered()  # imports every package's journey modules
    return declared()
