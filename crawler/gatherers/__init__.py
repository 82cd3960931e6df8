"""What is read off a loaded page, each by a gatherer with one job (crawler/gatherers/base.py says what a gatherer
is). A new kind of page evidence is one module here, registered with `@register`; the criteria's metrics read it.

    facts  (every audited load; a failure is the page's):  dom, security, archive (when the run archives)
    audit  (pages without error; a failure is the gatherer's own):  axe, checks (our accessibility checks), crops
           (where each finding's element is on the archived screenshot)

Every module of this package is imported here (a new one needs no line anywhere); other packages add gatherers
through the `portalscore.gatherers` entry points (contract/plugins.py).
"""

import importlib
import pkgutil

from .base import NO_HINTS, Gatherer, GathererMeta, Hints, PageRun, PriorAudits, Sample, gathered, gatherers, register

__all__ = [
    "NO_HINTS",
    "Gatherer",
    "GathererMeta",
    "Hints",
    "PageRun",
    "PriorAudits",
    "Sample",
    "gathered",
    "gatherers",
    "register",
]

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")  # each registers its gatherer
