"""The citizen journeys as the criteria see them: each journey declares itself (id, titles, the steps it records,
the ones that show its subject) when its module is imported, and the criteria read the declarations from here, so
that a new journey is one file (scenarios/journeys/) and the criteria need no browser.

A step name is stable: renaming one breaks the criteria sets that count it (the criteria loader checks every
`params.steps` pattern against the journey's steps, so a typo is a one-line error, not a silent 0).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from . import plugins

# How a journey that needs a procedure page got to one: each route is tried in this order until one reaches a page
# that shows a procedure, so that a broken search costs the search criterion only.
ROUTES = ("override", "search", "catalogue", "crawled")


@dataclass(frozen=True)
class JourneySpec:
    """What a journey declares about itself (scenarios/journeys/<id>.py, `@journey(...)`): the criteria read its
    id, its steps and the ones that show its subject from here, without importing a browser."""

    id: str  # scored by the criteria (scenario.<id>, scenario_steps.<id>): keep it stable
    title: str  # Vietnamese, as the report shows it
    title_en: str
    steps: tuple[str, ...]  # every step it may record, in order
    # The steps that show its subject, by default: what a `scenario_steps.<id>` criterion counts unless its
    # `params.steps` says otherwise (names or globs). Getting there (opening the home page, finding a search box)
    # proves nothing about the subject and earns nothing.
    subject: tuple[str, ...]
    profile: str = "desktop"  # the browser profile it runs in (desktop | mobile)
    order: int = 100  # where it comes in a run and a report (issue 4's order: 10, 20, ...)

    def __post_init__(self) -> None:
        if not self.id.isidentifier():
            raise ValueError(f"journey id {self.id!r} is not an identifier")
        if len(set(self.steps)) != len(self.steps):
            raise ValueError(f"journey {self.id}: a step is listed twice")
        for pattern in self.subject:
            if not any(fnmatch.fnmatchcase(s, pattern) for s in self.steps):
                raise ValueError(f"journey {self.id}: subject step {pattern!r} is none of its steps")


_DECLARED: plugins.Declarations[JourneySpec] = plugins.Declarations(plugins.JOURNEYS, "journey")


def register(spec: JourneySpec) -> None:
    """Called by `@journey` when a journey's module is imported."""
    _DECLARED.add(spec.id, spec)


def registered() -> dict[str, JourneySpec]:
    """Every journey the installed packages declare (ours: portalscore.scenarios.catalog), in run order."""
    return {s.id: s for s in sorted(_DECLARED.all().values(), key=lambda s: (s.order, s.id))}


def spec_of(journey_id: str) -> JourneySpec | None:
    return _DECLARED.get(journey_id)


def steps_matching(scenario: str, pattern: str) -> tuple[str, ...]:
    """The known steps of a journey that a `params.steps` pattern (a step name, or a glob like 'has_*') names."""
    spec = spec_of(scenario)
    return tuple(s for s in spec.steps if fnmatch.fnmatchcase(s, pattern)) if spec else ()


def counts(step: str, patterns: list[str] | tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(step, p) for p in patterns)
