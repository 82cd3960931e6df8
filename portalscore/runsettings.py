"""Everything a run needs to know, in one immutable object: made once (by the command line), stored with the
run, and rebuilt from the store by whoever continues it (`--resume`, a Celery worker).

Stored flat, as one JSON object: the crawl settings' fields and the run's own next to them. Runs stored before
this object existed (crawl fields, `artefact_dir`, `criteria_source`, `distributed`) read back the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portalscore.contract.evidence import from_dict
from portalscore.crawler.settings import CrawlSettings

EXECUTORS = ("local", "celery")


@dataclass(frozen=True)
class RunSettings:
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    scenarios: bool = True  # the citizen journeys
    scenario_workers: int = 2  # journeys of this many portals at once (each its own browser)
    journey_budget_s: float = 60.0  # each journey's time (held from outside: a page that never answers is stopped)
    lang: str = "vi"  # the report's top-level language
    criteria_source: str = (
        ""  # the criteria file, reloaded from there by `report`/`explain` ("": the run's criteria id)
    )
    artefact_dir: str = ""  # screenshots and traces of the journeys (absolute); the run's output folder decides it
    executor: str = "local"  # where the evidence was first collected: local | celery (--resume may choose anew)
    # The evidence archive (crawler/archive): where it is (absolute; default beside the report, OUT.operator/archive)
    # and how many runs it keeps (0: all; N: the last N and the first of each month; portalscore prune).
    archive_dir: str = ""
    archive_keep: int = 0
    # --publish-evidence: the published folder gets archive/ (the run's WARCs, page screenshots, journeys'
    # traces) and the report links into it; without it the archive stays with the operator (docs/archive.md).
    publish_evidence: bool = False
    publisher_file: str = ""  # --publisher: who publishes the report (reports/publisher.py); "": not stated

    def to_stored(self) -> dict[str, Any]:
        own = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "crawl"}
        return dataclasses.asdict(self.crawl) | own

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> RunSettings:
        crawl = from_dict(CrawlSettings, dict(data))
        for f in dataclasses.fields(CrawlSettings):  # JSON has no tuples
            if isinstance(f.default, tuple) and isinstance(getattr(crawl, f.name), list):
                setattr(crawl, f.name, tuple(getattr(crawl, f.name)))
        own = {f.name: data[f.name] for f in dataclasses.fields(cls) if f.name != "crawl" and f.name in data}
        if "executor" not in own and data.get("distributed"):  # how runs were marked before
            own["executor"] = "celery"
        return cls(crawl=crawl, **own)

    def differences(self, other: RunSettings) -> list[str]:
        """Names of the stored fields whose values differ; not where artefacts go (it follows the output folder)
        nor the executor (a run may be continued by another)."""
        mine, theirs = self.to_stored(), other.to_stored()
        return sorted(k for k in mine.keys() | theirs.keys() if k not in _PLACE and mine.get(k) != theirs.get(k))


_PLACE = ("artefact_dir", "executor", "publisher_file", "archive_dir", "archive_keep", "publish_evidence")
