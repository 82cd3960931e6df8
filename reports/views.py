"""What the pages show, computed once per report: ranking rows, summaries, per-portal aggregates.

Templates only lay these out. Every aggregate is a single pass over a portal's evidence, so a
report of 60 portals x 200 pages renders in seconds (see benchmarks/report_bench.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portalscore.contract.evidence import LabTiming, LinkCheck, PageEvidence, PortalEvidence, PortalRef, ScenarioResult
from portalscore.criteria.model import GRADES, CriterionScore, EvidenceRef, PortalScore

from .i18n import Translator
from .safe import dom_id, file_stem, link_url

KIND_ORDER = ("ministry", "province", "national", "other")
IMPACT_ORDER = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
SLOWEST_SHOWN = 10
SELECTORS_PER_RULE_SHOWN = 8
EVIDENCE_REFS_SHOWN = 12
# Long lists are cut on the page (the evidence JSON beside it has everything).
SHOWN = {"pages_per_rule": 15, "broken_links": 200}


def text_of(value: Any) -> str:
    """Any criteria/settings value as one line of plain text."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(text_of(v) for v in value) or "–"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {text_of(v)}" for k, v in value.items()) or "–"
    return str(value)


def grade_bands(criteria: dict) -> list[tuple[str, float]]:
    """The criteria set's grade bands ([{"grade", "min"}]) as (letter, floor), highest first;
    the national bands when the set has none."""
    raw = criteria.get("grades") or []
    bands = [(str(g["grade"]), float(g["min"])) for g in raw if isinstance(g, dict) and "grade" in g and "min" in g]
    return sorted(bands or list(GRADES), key=lambda b: -b[1])


def kind_label(t: Translator, kind: str) -> str:
    return t(f"kind_{kind}") if t.has(f"kind_{kind}") else kind


def ordered_kinds(kinds: set[str]) -> list[str]:
    return [k for k in KIND_ORDER if k in kinds] + sorted(kinds - set(KIND_ORDER))


def portal_href(portal_id: str) -> str:
    """Path of a portal's page from a language root."""
    return f"portals/{file_stem(portal_id)}.html"


@dataclass
class Change:
    symbol: str  # shown, hidden from screen readers
    text: str  # what a screen reader says
    css: str
    sort: int  # places gained (new: large, so it sorts apart)


def change_of(t: Translator, score: PortalScore) -> Change:
    places = (score.previous_rank - score.rank) if score.previous_rank is not None else None
    if score.change == "new":
        return Change(t("change_new"), t("change_new_sr"), "new", 10_000)
    if score.change == "up":
        text = t("change_up", n=places) if places else t("change_up_unknown")
        return Change(f"▲ {places}" if places else "▲", text, "up", places or 1)
    if score.change == "down":
        text = t("change_down", n=-places) if places else t("change_down_unknown")
        return Change(f"▼ {-places}" if places else "▼", text, "down", places or -1)
    if score.change == "same":
        return Change("=", t("change_same"), "same", 0)
    return Change("–", t("change_none"), "none", 0)


@dataclass
class RankRow:
    score: PortalScore
    href: str
    change: Change
    group_scores: list[float | None]
    tied: list[tuple[str, str]]  # (name, href) of portals not distinguishable from this one


@dataclass
class KindTable:
    kind: str
    label: str
    table_id: str
    rows: list[RankRow]


TIED_NAMES_SHOWN = 3


def ranking_tables(t: Translator, scores: list[PortalScore], group_ids: list[str]) -> list[KindTable]:
    """One table per kind. A row's tie note names the tied portals of the same kind (the table's own
    ranking); ties across kinds are on each portal's page."""
    names = {s.portal_id: s.name for s in scores}
    kinds = {s.portal_id: s.kind for s in scores}
    by_kind: dict[str, list[PortalScore]] = {}
    for s in scores:
        by_kind.setdefault(s.kind, []).append(s)
    tables = []
    for kind in ordered_kinds(set(by_kind)):
        members = sorted(by_kind[kind], key=lambda s: (s.rank_in_kind or s.rank, s.rank, s.portal_id))
        rows = [
            RankRow(
                score=s,
                href=portal_href(s.portal_id),
                change=change_of(t, s),
                group_scores=[s.groups[g].score if g in s.groups else None for g in group_ids],
                tied=[
                    (names.get(o, o), portal_href(o)) for o in s.tied_with if o != s.portal_id and kinds.get(o) == kind
                ],
            )
            for s in members
        ]
        tables.append(KindTable(kind=kind, label=kind_label(t, kind), table_id=dom_id("ranking", kind), rows=rows))
    return tables


@dataclass
class KindSummary:
    label: str
    count: int
    average: float | None
    grade_counts: list[int]


@dataclass
class Mover:
    name: str
    href: str
    previous: int
    rank: int
    places: int


@dataclass
class Summary:
    kinds: list[KindSummary]
    up: list[Mover]
    down: list[Mover]
    has_previous: bool


def summary(t: Translator, scores: list[PortalScore], bands: list[tuple[str, float]], total_label: str) -> Summary:
    letters = [b[0] for b in bands]

    def one(label: str, members: list[PortalScore]) -> KindSummary:
        counts = dict.fromkeys(letters, 0)
        for s in members:
            counts[s.grade] = counts.get(s.grade, 0) + 1
        average = sum(s.score for s in members) / len(members) if members else None
        return KindSummary(label, len(members), average, [counts[letter] for letter in letters])

    kinds = [one(kind_label(t, k), [s for s in scores if s.kind == k]) for k in ordered_kinds({s.kind for s in scores})]
    if len(kinds) > 1:
        kinds.append(one(total_label, scores))
    moved = [
        Mover(s.name, portal_href(s.portal_id), s.previous_rank, s.rank, s.previous_rank - s.rank)
        for s in scores
        if s.previous_rank is not None and s.previous_rank != s.rank
    ]
    up = sorted((m for m in moved if m.places > 0), key=lambda m: (-m.places, m.rank))[:3]
    down = sorted((m for m in moved if m.places < 0), key=lambda m: (m.places, m.rank))[:3]
    return Summary(
        kinds=kinds,
        up=up,
        down=down,
        has_previous=any(s.previous_rank is not None or s.change in ("up", "down", "same") for s in scores),
    )


# ---------------------------------------------------------------- method page


@dataclass
class MethodCriterion:
    id: str
    title: str
    points: Any
    weight: Any
    evidence: str
    statistic: str
    rule: str
    when_missing: str
    source: str
    note: str


def _words(c: dict, key: str) -> str:
    """The criteria set's sentence for a field (`rule_words`...) when it has one, else the raw value."""
    words = c.get(f"{key}_words")
    return words if isinstance(words, str) and words else text_of(c.get(key))


def method_criteria(t: Translator, criteria: dict, group_ids: list[str]) -> dict[str, list[MethodCriterion]]:
    out: dict[str, list[MethodCriterion]] = {gid: [] for gid in group_ids}
    for c in criteria.get("criteria", []):
        if not isinstance(c, dict):
            continue
        evidence = text_of(c.get("evidence"))
        if c.get("evidence_description"):
            evidence = f"{c['evidence_description']} ({evidence})"
        out.setdefault(str(c.get("group", "")), []).append(
            MethodCriterion(
                id=str(c.get("id", "–")),
                title=t.title(c),
                points=c.get("points"),
                weight=c.get("weight"),
                evidence=evidence,
                statistic=_words(c, "statistic"),
                rule=_words(c, "rule"),
                when_missing=_words(c, "when_missing"),
                source=text_of(c.get("source")),
                note=c.get("note") or "",
            )
        )
    return out


# ---------------------------------------------------------------- portal page


@dataclass
class RuleGroup:
    """One axe rule across every page of a portal."""

    rule: str
    impact: str | None
    wcag: list[str]
    help: str
    help_url: str | None
    nodes: int = 0
    pages: list[tuple[str, int]] = field(default_factory=list)  # (url, elements on that page)
    selectors: list[tuple[str, str]] = field(default_factory=list)  # (CSS selector, HTML snippet)
    selectors_seen: set[str] = field(default_factory=set)

    @property
    def impact_rank(self) -> int:
        return IMPACT_ORDER.get(self.impact or "", 9)


def violations_by_rule(pages: list[PageEvidence]) -> list[RuleGroup]:
    groups: dict[str, RuleGroup] = {}
    for page in pages:
        if page.accessibility is None:
            continue
        for v in page.accessibility.violations:
            g = groups.get(v.rule)
            if g is None:
                g = groups[v.rule] = RuleGroup(
                    rule=v.rule, impact=v.impact, wcag=list(v.wcag), help=v.help, help_url=link_url(v.help_url)
                )
            elif IMPACT_ORDER.get(v.impact or "", 9) < g.impact_rank:
                g.impact = v.impact
            count = v.node_count or len(v.nodes)
            g.nodes += count
            g.pages.append((page.url, count))
            for node in v.nodes:
                if len(g.selectors) >= SELECTORS_PER_RULE_SHOWN:
                    break
                if node.target not in g.selectors_seen:
                    g.selectors_seen.add(node.target)
                    g.selectors.append((node.target, node.html))
    return sorted(groups.values(), key=lambda g: (g.impact_rank, -g.nodes, g.rule))


@dataclass
class ScenarioView:
    result: ScenarioResult
    outcome_text: str
    screenshot: str | None  # path from the report root, when the file was copied
    screenshot_alt: str


@dataclass
class CriterionView:
    score: CriterionScore
    anchor: str
    value_text: str
    status_text: str
    refs: list[tuple[EvidenceRef, str | None]]  # (ref, live link or None)
    more_refs: int


@dataclass
class GroupView:
    id: str
    title: str
    score: float | None
    points: float | None
    max_points: float | None
    criteria: list[CriterionView]


@dataclass
class PortalFacts:
    """What a portal page shows that does not depend on the language: computed once per portal."""

    evidence: PortalEvidence
    stem: str
    rules: list[RuleGroup]
    a11y_nodes: int
    a11y_pages: int
    a11y_errors: int
    a11y_sampled: int  # pages given their template's audit (crawler/template.py)
    engine: str
    lab_slowest: list[LabTiming]
    crawl_slowest: list[PageEvidence]
    broken: list[LinkCheck]
    links_checked: int
    errors: list[str]
    page_violations: dict[int, int]  # index in evidence.pages -> violated rules


@dataclass
class PortalView:
    score: PortalScore
    facts: PortalFacts
    groups: list[GroupView]
    scenarios: list[ScenarioView]
    history: list[dict]
    tied: list[tuple[str, str]]
    change: Change


def _value_text(t: Translator, value: Any, unit: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = text_of(value)
    else:
        text = t.num(value, 0 if float(value).is_integer() else 2)
    return f"{text} {unit}".strip() if unit and text != "–" else text


def criterion_views(t: Translator, score: PortalScore, groups_def: list[dict]) -> list[GroupView]:
    by_group: dict[str, list[CriterionScore]] = {}
    for c in score.criteria:
        by_group.setdefault(c.group, []).append(c)
    order = [g["id"] for g in groups_def] + sorted(set(by_group) - {g["id"] for g in groups_def})
    defs = {g["id"]: g for g in groups_def}
    views = []
    for gid in order:
        gs = score.groups.get(gid)
        if gs is None and gid not in by_group:
            continue
        title = t.title(gs) if gs is not None else t.title(defs.get(gid, {"id": gid}))
        crits = []
        for c in by_group.get(gid, []):
            status_key = f"status_{c.status}"
            crits.append(
                CriterionView(
                    score=c,
                    anchor=dom_id("criterion", c.id),
                    value_text=_value_text(t, c.value, c.unit),
                    status_text=t(status_key) if t.has(status_key) else c.status,
                    refs=[(r, link_url(r.url)) for r in c.evidence[:EVIDENCE_REFS_SHOWN]],
                    more_refs=max(0, len(c.evidence) - EVIDENCE_REFS_SHOWN),
                )
            )
        views.append(
            GroupView(
                id=gid,
                title=title,
                score=gs.score if gs else None,
                points=gs.points if gs else None,
                max_points=gs.max_points if gs else None,
                criteria=crits,
            )
        )
    return views


def _sort_desc(value: float | None) -> float:
    return -(value if value is not None else -1.0)


def portal_facts(score: PortalScore, evidence: PortalEvidence | None) -> PortalFacts:
    ev = evidence or PortalEvidence(
        portal=PortalRef(id=score.portal_id, name=score.name, kind=score.kind, url=score.url)
    )
    rules = violations_by_rule(ev.pages)
    audited = [p for p in ev.pages if p.accessibility is not None]
    timed = [p for p in ev.pages if p.timings.load_ms is not None or p.timings.lcp_ms is not None]
    return PortalFacts(
        evidence=ev,
        stem=file_stem(score.portal_id),
        rules=rules,
        a11y_nodes=sum(r.nodes for r in rules),
        a11y_pages=sum(1 for p in audited if p.accessibility.violations),
        a11y_errors=sum(1 for p in audited if p.accessibility.error),
        a11y_sampled=sum(1 for p in audited if p.accessibility.sampled_from),
        engine=next((p.accessibility.engine for p in audited if p.accessibility.engine), ""),
        lab_slowest=sorted(ev.lab, key=lambda m: (_sort_desc(m.median.lcp_ms), _sort_desc(m.median.load_ms)))[
            :SLOWEST_SHOWN
        ],
        crawl_slowest=sorted(timed, key=lambda p: (_sort_desc(p.timings.load_ms), _sort_desc(p.timings.lcp_ms)))[
            :SLOWEST_SHOWN
        ],
        broken=[link for link in ev.links if link.broken],
        links_checked=len(ev.links),
        errors=list(dict.fromkeys([*score.errors, *ev.errors])),
        page_violations={i: len(p.accessibility.violations) for i, p in enumerate(ev.pages) if p.accessibility},
    )


def portal_view(
    t: Translator,
    score: PortalScore,
    facts: PortalFacts,
    groups_def: list[dict],
    history: list[dict],
    screenshots: dict[int, str],
    names: dict[str, str],
) -> PortalView:
    """screenshots: index in evidence.scenarios -> copied file's path from the report root."""
    scenarios = []
    for i, s in enumerate(facts.evidence.scenarios):
        key = f"outcome_{s.outcome}"
        scenarios.append(
            ScenarioView(
                result=s,
                outcome_text=t(key) if t.has(key) else s.outcome,
                screenshot=screenshots.get(i),
                screenshot_alt=t("screenshot_alt", title=s.title or s.id, step=s.failed_step or "–"),
            )
        )
    return PortalView(
        score=score,
        facts=facts,
        groups=criterion_views(t, score, groups_def),
        scenarios=scenarios,
        history=history,
        tied=[(names.get(o, o), portal_href(o)) for o in score.tied_with if o != score.portal_id],
        change=change_of(t, score),
    )
