"""Page facts: small named findings a gatherer reads off every page (PageEvidence.facts), declared by the gatherer
with what they mean, so that a criterion can score one as `fact.<name>` with no line of criteria code. New page
evidence with a criterion on it is then one gatherer module (crawler/gatherers/) and one YAML entry.

A fact is a yes/no or a number per page, with the words the page showed (`detail`), quoted by the evidence line.
Richer evidence (a list of findings with elements, a site-wide check) stays a typed field of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import plugins


@dataclass(frozen=True)
class FactSpec:
    name: str  # the key in PageEvidence.facts; criteria read it as `fact.<name>`
    gatherer: str  # the gatherer that reads it: a run without that gatherer has no value, rather than a false one
    type: str  # bool | number
    better: str  # higher | lower
    label: str  # short English name, e.g. "viewport meta"
    label_vi: str
    description: str  # English: what the figure is, one sentence
    description_vi: str
    unit: str = ""  # ms, bytes, ... ("" for yes/no and plain counts)

    def __post_init__(self) -> None:
        if not self.name.replace("_", "").isalnum():
            raise ValueError(f"fact name {self.name!r}: letters, digits and '_' only")
        if self.type not in ("bool", "number") or self.better not in ("higher", "lower"):
            raise ValueError(f"fact {self.name}: type is bool|number and better is higher|lower")
        if not (self.label and self.label_vi and self.description and self.description_vi):
            raise ValueError(f"fact {self.name}: label and description in English and Vietnamese are required")


_DECLARED: plugins.Declarations[FactSpec] = plugins.Declarations(plugins.GATHERERS, "fact")


def declare(spec: FactSpec) -> None:
    """Called when a gatherer registers (crawler/gatherers/base.py)."""
    _DECLARED.add(spec.name, spec)


def declared() -> dict[str, FactSpec]:
    """Every fact the installed gatherers declare."""
    return _DECLARED.all()


def spec_of(name: str) -> FactSpec | None:
    return _DECLARED.get(name)
