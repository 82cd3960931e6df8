"""`portalscore check URL`: one portal evaluated by the national run's own pipeline, then judged by a budget.

The site becomes a one-portal registry and goes through portalscore.run.evaluate — the same crawl, lab timings,
journeys, criteria set and report as a national `run` — so that a team's gate and the ranking never disagree on
a score. Only the judging (judge.py) and the outputs (outputs.py) are the gate's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from portalscore.contract.errors import InputError
from portalscore.contract.evidence import PortalEvidence
from portalscore.contract.portal import Portal
from portalscore.criteria import CriteriaSet
from portalscore.criteria.metrics import journey_ids
from portalscore.progress import Progress
from portalscore.registry import Registry
from portalscore.reports.safe import file_stem
from portalscore.run import evaluate
from portalscore.runsettings import RunSettings
from portalscore.store import Store

from .baseline import Baseline, load_baseline
from .budget import Budget, load_budget
from .judge import GateResult, judge

_SLUG = re.compile(r"[^a-z0-9]+")


def site_portal(
    url: str, credentials: str | None = None, include: list[str] | None = None, exclude: list[str] | None = None
) -> Portal:
    """The team's site as a registry entry (include/exclude: regular expressions on the URLs crawled, as in a
    registry); InputError for anything but an http(s) URL with a host, or a bad expression."""
    for flag, patterns in (("--include", include or []), ("--exclude", exclude or [])):
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as e:
                raise InputError(f"invalid regular expression {pattern!r}: {e}", field=flag) from None
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise InputError(f"not an http(s) URL: {url!r}", field="URL")
    if parts.username or parts.password:
        raise InputError("a user name or password in the URL is not allowed: use --credentials NAME", field="URL")
    slug = _SLUG.sub("-", f"{host}-{parts.port or ''}".lower()).strip("-")[:60] or "site"
    return Portal(
        id=slug,
        name=host,
        kind="other",
        url=url,
        credentials=credentials,
        include=list(include or []),
        exclude=list(exclude or []),
    )


def load_inputs(
    criteria: CriteriaSet, budget_file: str | None, baseline_file: str | None
) -> tuple[Budget, Baseline | None]:
    """The budget (checked against the criteria set's ids and the journeys) and the baseline, before anything
    is crawled: a typo in either stops the check at once with a one-line error (exit 2)."""
    budget = (
        load_budget(
            budget_file,
            criterion_ids={c.id for c in criteria.criteria},
            group_ids={g.id for g in criteria.groups},
            journey_ids=set(journey_ids()),
        )
        if budget_file
        else Budget()
    )
    baseline = load_baseline(baseline_file) if baseline_file else None
    return budget, baseline


@dataclass
class CheckRun:
    result: GateResult
    evidence: PortalEvidence


def run_check(
    portal: Portal,
    criteria: CriteriaSet,
    budget: Budget,
    baseline: Baseline | None,
    out: Path,
    store: Store,
    settings: RunSettings,
    progress: Progress | None = None,
) -> CheckRun:
    registry = Registry(name=f"check-{portal.id}", file="", portals=[portal])
    run = evaluate(registry, criteria, out, store, settings, progress=progress)
    score = next(s for s in run.scores if s.portal_id == portal.id)
    evidence = store.evidence(run.run_id, portal.id)
    result = judge(budget, score, evidence, portal.url, baseline)
    result.run_id = run.run_id
    result.report = str((out / "portals" / f"{file_stem(portal.id)}.html").resolve())
    return CheckRun(result, evidence)
