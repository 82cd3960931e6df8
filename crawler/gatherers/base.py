"""What a gatherer is and sees: Lighthouse's model (a gatherer reads artifacts off a page, audits judge them), here
a small class with `meta` and `gather(run)`, registered once; the criteria's metrics read what it produced."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from portalscore.contract import plugins
from portalscore.contract.evidence import Accessibility, PageEvidence
from portalscore.contract.facts import FactSpec, declare

from ..archive import PortalArchive, Recorder
from ..network import MAX_LISTED
from ..settings import CrawlSettings
from ..tab import PageJob, Tab

# Incremental crawling: earlier audits of this portal's content, by (profile, content hash), read before the crawl
# (the application's store has them); each is an audit of the same content, with reused_from_run set.
PriorAudits = Mapping[tuple[str, str], Accessibility]
# Template sampling: (profile, template key) -> whether this page is audited (crawler.template.TemplateSampler,
# bound by the crawl to the page's crawl order). False: its template's audit is given to it after the crawl.
Sample = Callable[[str, str], bool]


@dataclass(frozen=True)
class Hints:
    """What the crawl knows before a page loads and tells its gatherers: earlier audits of the portal's content,
    and its decisions by crawl order (is this page audited, does it run the heavy checks)."""

    prior: PriorAudits | None = None
    sample: Sample | None = None
    heavy: Sample | None = None
    archive: PortalArchive | None = None  # where the page's responses, DOM and screenshot go (None: not archived)


NO_HINTS = Hints()


@dataclass(frozen=True)
class GathererMeta:
    name: str  # how evidence names it (PortalEvidence.gathered) and metrics require it
    produces: tuple[str, ...]  # the PageEvidence fields it fills
    stage: str  # "facts": read off every audited load, a failure is the page's; "audit": on pages without error,
    #              a failure is the gatherer's own (recorded in what it produces)
    order: int  # gatherers of a stage run in this order (an audit reads the facts: dom first)
    # The page facts it writes into PageEvidence.facts, each declared with its meaning (contract/facts.py): the
    # criteria can score them as `fact.<name>` with nothing else written.
    facts: tuple[FactSpec, ...] = ()


@dataclass
class PageRun:
    """One page as the gatherers see it: the loaded tab, what was asked, the evidence so far (they add to it), the
    settings, the main document's response headers, and what the crawl knows before the page (earlier audits,
    the template sampling decision)."""

    tab: Tab
    job: PageJob
    ev: PageEvidence
    settings: CrawlSettings
    headers: dict[str, str] = field(default_factory=dict)
    hints: Hints = NO_HINTS
    mixed_in_dom: list[str] = field(default_factory=list)  # http:// resources the DOM names (dom -> security)
    recorder: Recorder | None = None  # the responses of the load, attached before it when the page is archived
    archived_shot: str = ""  # the page's screenshot in the archive, relative to its root (archive -> crops)
    _heavy: bool | None = None

    def wants_heavy(self) -> bool:
        """Asked once per page (the crawl's decision records the page), after the facts (it needs the template)."""
        if self._heavy is None:
            heavy = self.hints.heavy
            self._heavy = bool(heavy and self.ev.template and heavy(self.ev.profile, self.ev.template))
        return self._heavy

    @property
    def prior(self) -> PriorAudits | None:
        return self.hints.prior

    @property
    def sample(self) -> Sample | None:
        return self.hints.sample

    def note(self, text: str) -> None:
        if len(self.ev.notes) < MAX_LISTED:
            self.ev.notes.append(text[:300])


class Gatherer:
    """Subclass, set `meta`, implement `gather`, and decorate with `@register`."""

    meta: ClassVar[GathererMeta]

    def wanted(self, settings: CrawlSettings) -> bool:
        """Whether this run gathers it at all (axe can be turned off)."""
        return True

    async def gather(self, run: PageRun) -> None:
        raise NotImplementedError


_REGISTRY: dict[str, Gatherer] = {}


def register(cls: type[Gatherer]) -> type[Gatherer]:
    """Make a gatherer part of every audited page load (its module must be imported: crawler/gatherers/__init__)."""
    known = _REGISTRY.get(cls.meta.name)
    if known is not None and known.meta != cls.meta:
        raise ValueError(f"two gatherers named {cls.meta.name!r}")
    for fact in cls.meta.facts:
        if fact.gatherer != cls.meta.name:
            raise ValueError(f"fact {fact.name!r} names gatherer {fact.gatherer!r}, not {cls.meta.name!r}")
        declare(fact)
    _REGISTRY[cls.meta.name] = cls()
    return cls


def gatherers(stage: str, settings: CrawlSettings) -> list[Gatherer]:
    """The registered gatherers of a stage this run wants, in their order (other packages' too: plug-ins)."""
    plugins.load(plugins.GATHERERS)
    chosen = [g for g in _REGISTRY.values() if g.meta.stage == stage and g.wanted(settings)]
    return sorted(chosen, key=lambda g: g.meta.order)


def gathered(settings: CrawlSettings) -> list[str]:
    """The names of what this run gathers from pages (kept with the portal's evidence)."""
    plugins.load(plugins.GATHERERS)
    return sorted(g.meta.name for g in _REGISTRY.values() if g.wanted(settings))
