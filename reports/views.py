"""What the pages show, computed once per report: ranking rows, summaries, per-portal aggregates.

Templates only lay these out. Every count a page states is computed here from the same records the scores
were computed from (the run's evidence and scores), so that two statements on a page cannot disagree. Every
aggregate is a single pass over a portal's evidence, so a report of 60 portals x 200 pages renders in seconds
(see benchmarks/report_bench.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from portalscore.contract.evidence import (
    LabTiming,
    LinkCheck,
    PageEvidence,
    PortalEvidence,
    PortalRef,
    ScenarioResult,
)
from portalscore.criteria.message import qty
from portalscore.criteria.model import GRADES, CriterionScore, EvidenceRef, PortalScore

from .evidence import PageEvidenceLinks
from .i18n import N_, Translator, scenario_titles
from .safe import dom_id, file_stem, link_url, scrub

KIND_ORDER = ("ministry", "province", "national", "other")
IMPACT_ORDER = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
SLOWEST_SHOWN = 10
PAGES_PER_LOSS = 3  # pages named under a lost point; the criterion's details list them all
FILTER_FROM = 12  # rows from which a table or list gets a filter box (static/sort.js)


def grade_bands(criteria: dict[str, Any]) -> list[tuple[str, float]]:
    """The criteria set's grade bands ([{"grade", "min"}]) as (letter, floor), highest first;
    the national bands when the set has none."""
    raw = criteria.get("grades") or []
    bands = [(str(g["grade"]), float(g["min"])) for g in raw if isinstance(g, dict) and "grade" in g and "min" in g]
    return sorted(bands or list(GRADES), key=lambda b: -b[1])


KIND_WORDS = {
    "ministry": N_("Ministries"),
    "province": N_("Provinces and cities"),
    "national": N_("National portal"),
    "other": N_("Other bodies"),
}


PROFILE_WORDS = {"desktop": N_("computer"), "mobile": N_("phone")}
IMPACT_WORDS = {
    "critical": N_("critical"),
    "serious": N_("serious"),
    "moderate": N_("moderate"),
    "minor": N_("minor"),
    "unknown": N_("unknown impact"),
}
LINK_WORDS = {"page": N_("page"), "document": N_("document"), "outbound": N_("link to another site")}
# The word tables the templates use: words.kind[...], words.profile[...] (translated with t.plain).
TYPE_WORDS = {
    "text": N_("text"),
    "number": N_("number"),
    "integer": N_("whole number"),
    "list": N_("list"),
    "object": N_("object"),
    "date-time": N_("date and time"),
    "number | null": N_("number or null"),
    "integer | null": N_("whole number or null"),
}
WORDS = {"kind": KIND_WORDS, "profile": PROFILE_WORDS, "impact": IMPACT_WORDS, "link": LINK_WORDS, "type": TYPE_WORDS}


def kind_label(t: Translator, kind: str) -> str:
    return t.plain(KIND_WORDS[kind]) if kind in KIND_WORDS else kind


def ordered_kinds(kinds: set[str]) -> list[str]:
    return [k for k in KIND_ORDER if k in kinds] + sorted(kinds - set(KIND_ORDER))


def portal_href(portal_id: str) -> str:
    """Path of a portal's page from a language root."""
    return f"portals/{file_stem(portal_id)}.html"


# ---------------------------------------------------------------- ranking page


@dataclass
class Change:
    symbol: str  # shown, hidden from screen readers
    text: str | Markup  # what a screen reader says
    css: str
    sort: int  # places gained (new: large, so it sorts apart)


def change_of(t: Translator, score: PortalScore) -> Change:
    places = (score.previous_rank - score.rank) if score.previous_rank is not None else None
    if score.change == "new":
        return Change(t.plain("new"), t.plain("new in this ranking"), "new", 10_000)
    if score.change == "up":
        text = t("up {n} places since the previous run", n=places) if places else t("up since the previous run")
        return Change(f"▲ {places}" if places else "▲", text, "up", places or 1)
    if score.change == "down":
        text = t("down {n} places since the previous run", n=-places) if places else t("down since the previous run")
        return Change(f"▼ {-places}" if places else "▼", text, "down", places or -1)
    if score.change == "same":
        return Change("=", t.plain("same rank as the previous run"), "same", 0)
    return Change("–", t.plain("no previous run"), "none", 0)


@dataclass
class RankRow:
    score: PortalScore
    href: str
    change: Change
    group_scores: list[float | None]
    tied: list[tuple[str, str]]  # (name, href) of portals not distinguishable from this one
    group_tied: list[bool] = field(default_factory=list)  # per group: within its measured spread of another portal


@dataclass
class KindTable:
    kind: str
    label: str
    table_id: str
    rows: list[RankRow]


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
                group_tied=[bool(s.group_tied_with.get(g)) for g in group_ids],
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
class PreviousRun:
    """The run this one is compared with: the run whose ranks are the scores' previous_rank."""

    run_id: int | None = None
    generated_at: str = ""


@dataclass
class Comparison:
    previous: PreviousRun | None  # None: no earlier run to compare with
    up: int = 0
    down: int = 0
    same: int = 0
    new: int = 0
    movers_up: list[Mover] = field(default_factory=list)
    movers_down: list[Mover] = field(default_factory=list)


@dataclass
class Summary:
    kinds: list[KindSummary]
    comparison: Comparison


def previous_from_history(
    history: dict[str, list[dict[str, Any]]], run_id: int, scores: list[PortalScore]
) -> PreviousRun:
    """The previous run as the history records it, named only when its ranks are the scores' previous ranks
    (else the comparison says 'the previous run' without a number or date it cannot vouch for)."""
    earlier: dict[int, dict[str, dict[str, Any]]] = {}
    for portal_id, rows in history.items():
        for row in rows:
            rid = row.get("run_id")
            if isinstance(rid, int) and rid < run_id:
                earlier.setdefault(rid, {})[portal_id] = row
    if not earlier:
        return PreviousRun()
    latest = max(earlier)
    in_run = earlier[latest]
    compared = [s for s in scores if s.previous_rank is not None]
    if compared and all(in_run.get(s.portal_id, {}).get("rank") == s.previous_rank for s in compared):
        return PreviousRun(latest, str(next(iter(in_run.values())).get("generated_at", "")))
    return PreviousRun()


def summary(
    t: Translator,
    scores: list[PortalScore],
    bands: list[tuple[str, float]],
    previous: PreviousRun | None,
) -> Summary:
    letters = [b[0] for b in bands]

    def one(label: str, members: list[PortalScore]) -> KindSummary:
        counts = dict.fromkeys(letters, 0)
        for s in members:
            counts[s.grade] = counts.get(s.grade, 0) + 1
        average = sum(s.score for s in members) / len(members) if members else None
        return KindSummary(label, len(members), average, [counts[letter] for letter in letters])

    kinds = [one(kind_label(t, k), [s for s in scores if s.kind == k]) for k in ordered_kinds({s.kind for s in scores})]
    if len(kinds) > 1:
        kinds.append(one(t.plain("All portals"), scores))
    compared = any(s.previous_rank is not None or s.change in ("up", "down", "same") for s in scores)
    if not compared:
        return Summary(kinds, Comparison(previous=None))
    moved = [
        Mover(s.name, portal_href(s.portal_id), s.previous_rank, s.rank, s.previous_rank - s.rank)
        for s in scores
        if s.previous_rank is not None and s.previous_rank != s.rank
    ]
    changes = [s.change for s in scores]
    return Summary(
        kinds,
        Comparison(
            previous=previous or PreviousRun(),
            up=changes.count("up"),
            down=changes.count("down"),
            same=changes.count("same"),
            new=changes.count("new"),
            movers_up=sorted((m for m in moved if m.places > 0), key=lambda m: (-m.places, m.rank))[:3],
            movers_down=sorted((m for m in moved if m.places < 0), key=lambda m: (m.places, m.rank))[:3],
        ),
    )


# ---------------------------------------------------------------- method page


@dataclass
class MethodCriterion:
    id: str
    title: str
    points: Any
    weight: Any
    evidence: Markup
    metric: str
    statistic: Markup | None
    rule: Markup
    when_missing: Markup
    source: str
    basis: str
    note: str


def _said(t: Translator, item: dict[str, Any], key: str) -> Markup:
    """A criteria-set field said as a message (`<key>_msg`) when the set gives one, else its English words."""
    message = item.get(f"{key}_msg")
    if message:
        return t.msg(message)
    words = item.get(f"{key}_words") or item.get(key)
    return t.evidence(words if isinstance(words, str) else "–")


def method_criteria(t: Translator, criteria: dict[str, Any], group_ids: list[str]) -> dict[str, list[MethodCriterion]]:
    out: dict[str, list[MethodCriterion]] = {gid: [] for gid in group_ids}
    for c in criteria.get("criteria", []):
        if not isinstance(c, dict):
            continue
        evidence_msg = c.get("evidence_msg")
        evidence = t.msg(evidence_msg) if evidence_msg else t.evidence(c.get("evidence_description") or "–")
        out.setdefault(str(c.get("group", "")), []).append(
            MethodCriterion(
                id=str(c.get("id", "–")),
                title=t.title(c),
                points=c.get("points"),
                weight=c.get("weight"),
                evidence=evidence,
                metric=str(c.get("evidence") or ""),
                statistic=_said(t, c, "statistic") if c.get("statistic") else None,
                rule=_said(t, c, "rule"),
                when_missing=_said(t, c, "when_missing"),
                source=str(c.get("source") or ""),
                basis=str(c.get("basis") or ""),
                note=t.field(c, "note"),
            )
        )
    return out


# ---------------------------------------------------------------- portal page


@dataclass
class RulePage:
    """One page where an axe rule failed, with an element example from that very page."""

    url: str
    nodes: int
    example: tuple[str, str] | None  # (CSS selector, HTML snippet)
    sampled_from: str | None  # the page whose audit this page carries (template sampling)
    reused_from_run: int | None
    crop: str | None = None  # the example element cut from the page's screenshot, path from the report root
    profile: str = "desktop"
    evidence: PageEvidenceLinks | None = None  # the archived page: its screenshot, WARC, replay (reports/evidence.py)


@dataclass
class RuleGroup:
    """One axe rule across every page of a portal."""

    rule: str
    impact: str | None
    wcag: list[str]
    help: str
    help_url: str | None
    help_vi: str = ""  # our checks' own Vietnamese (axe's rules: the report catalogue's)
    nodes: int = 0
    pages: list[RulePage] = field(default_factory=list)
    best_practice: bool = False  # axe's best-practice run, not a WCAG success criterion

    @property
    def impact_rank(self) -> int:
        return IMPACT_ORDER.get(self.impact or "", 9)


def violations_by_rule(pages: list[PageEvidence]) -> list[RuleGroup]:
    """Every rule that failed on a portal's pages, WCAG rules (axe's and our checks') first, then axe's
    best-practice rules (kept apart in the evidence: `Accessibility.best_practice`)."""
    groups: dict[tuple[bool, str], RuleGroup] = {}
    for page in pages:
        acc = page.accessibility
        if acc is None:
            continue
        for best_practice, violations in ((False, acc.violations), (True, acc.best_practice)):
            for v in violations:
                g = groups.get((best_practice, v.rule))
                if g is None:
                    g = groups[best_practice, v.rule] = RuleGroup(
                        rule=v.rule,
                        impact=v.impact,
                        wcag=list(v.wcag),
                        help=v.help,
                        help_url=link_url(v.help_url),
                        help_vi=v.help_vi,
                        best_practice=best_practice,
                    )
                elif IMPACT_ORDER.get(v.impact or "", 9) < g.impact_rank:
                    g.impact = v.impact
                count = v.node_count or len(v.nodes)
                g.nodes += count
                example = (v.nodes[0].target, v.nodes[0].html) if v.nodes else None
                crop = v.nodes[0].crop if v.nodes else None
                g.pages.append(
                    RulePage(page.url, count, example, acc.sampled_from, acc.reused_from_run, crop, page.profile)
                )
    return sorted(groups.values(), key=lambda g: (g.best_practice, g.impact_rank, -g.nodes, g.rule))


def scenario_title(t: Translator, result: ScenarioResult) -> str:
    vi, en = scenario_titles().get(result.id, (result.title or result.id, ""))
    if t.lang == "en":
        return en or result.title or result.id
    return result.title or vi


@dataclass
class StepView:
    name: str
    ok: bool
    ms: float
    detail: Markup | None
    url: str
    crop: str | None = None  # the element the failed step points at, cut from the journey's screenshot
    evidence: PageEvidenceLinks | None = None  # the step's page as the crawl archived it


@dataclass
class ScenarioView:
    result: ScenarioResult
    title: str
    outcome_text: str
    failed_step: str
    reason: Markup
    steps: list[StepView]
    screenshot: str | None  # path from the report root, when the file was copied
    screenshot_alt: str
    trace: str | None = None  # the journey's Playwright trace, path from the report root (--publish-evidence)


@dataclass
class CriterionView:
    score: CriterionScore
    anchor: str
    value_text: Markup
    status_text: str
    statistic: Markup | None
    rule: Markup | None
    arithmetic: Markup | None
    refs: list[tuple[EvidenceRef, Markup, str | None]]  # (ref, its label in this language, live link or None)
    lost: float


@dataclass
class GroupView:
    id: str
    title: str
    score: float | None
    points: float | None
    max_points: float | None
    criteria: list[CriterionView]
    # The group's score spread over the repeated lab loads (performance), and the portals within it: a tie.
    spread: float = 0.0
    tied: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class LostPoints:
    """One criterion that did not earn all its points: what the portal team reads first."""

    view: CriterionView
    lost: float
    finding: Markup
    fix: Markup | None
    pages: list[str]  # where it was seen, most telling first
    more_pages: int


@dataclass
class PageCounts:
    """How many page records the portal's evidence holds and what became of them: one source for every
    count on the page."""

    records: int = 0  # page loads recorded, desktop and mobile
    desktop: int = 0
    mobile: int = 0
    evaluated: int = 0  # loaded without error: the pages the criteria read
    failed: int = 0
    audited: int = 0  # with an axe result
    audit_errors: int = 0
    sampled: int = 0  # given their template's audit
    reused: int = 0  # given an earlier run's audit (content unchanged)
    with_violations: int = 0


@dataclass
class PortalFacts:
    """What a portal page shows that does not depend on the language: computed once per portal."""

    evidence: PortalEvidence
    stem: str
    rules: list[RuleGroup]
    a11y_nodes: int
    counts: PageCounts
    engines: list[str]  # axe versions the audits were made with
    lab_slowest: list[LabTiming]
    crawl_slowest: list[PageEvidence]
    broken: list[LinkCheck]
    links_checked: int
    page_violations: dict[int, int]  # index in evidence.pages -> violated rules


@dataclass
class PortalView:
    score: PortalScore
    facts: PortalFacts
    groups: list[GroupView]
    lost: list[LostPoints]
    full_marks: list[CriterionView]
    scenarios: list[ScenarioView]
    errors: list[Markup]
    history: list[dict[str, Any]]
    tied: list[tuple[str, str]]
    change: Change

    @property
    def lost_split(self) -> tuple[list[LostPoints], list[LostPoints]]:
        """(the losses shown open, the smaller ones folded): a good portal's page opens with what matters in the
        first screen, and every loss is still one click away, in the same order."""
        shown = 0
        for i, x in enumerate(self.lost):  # largest first: the open ones are a prefix
            if not ((i < MAJOR_LOSSES and x.lost >= MAJOR_LOSS_POINTS) or x.lost >= ALWAYS_OPEN_POINTS or i == 0):
                break
            shown = i + 1
        return self.lost[:shown], self.lost[shown:]


# A loss is shown open when it is among the largest few and at least half a point, or large in itself (a portal
# that loses much sees all of it; a good one, which cannot lose 4 points more than three times, fits one screen).
MAJOR_LOSSES = 3
MAJOR_LOSS_POINTS = 0.5
ALWAYS_OPEN_POINTS = 4.0

STATUS_WORDS = {
    "scored": N_("scored"),
    "missing": N_("evidence missing"),
    "not_applicable": N_("not applicable"),
    "excluded": N_("excluded"),
}
OUTCOME_WORDS = {
    "passed": N_("passed"),
    "failed": N_("failed"),
    "not_applicable": N_("not applicable"),
    "error": N_("error"),
}


def _value_text(t: Translator, c: CriterionScore) -> Markup:
    value = c.value
    if value is None:
        return Markup("–")
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if isinstance(value, (int, float)):
        if c.unit == "share":
            return Markup(t.num(100 * value, 0 if float(100 * value).is_integer() else 1) + "%")
        return t.msg(qty(value, c.unit))
    return t.part(value)


def _ref_label(t: Translator, r: EvidenceRef) -> Markup:
    if r.label_msg is not None:
        return t.msg(r.label_msg)
    return t.evidence(r.label)


def _either(t: Translator, message: Any, english: str) -> Markup | None:
    if message:
        return t.msg(message)
    return t.evidence(english) if english else None


def criterion_view(t: Translator, c: CriterionScore) -> CriterionView:
    status = STATUS_WORDS.get(c.status)
    lost = max(0.0, round(c.max_points - c.points, 2)) if c.score is not None else 0.0
    return CriterionView(
        score=c,
        anchor=dom_id("criterion", c.id),
        value_text=_value_text(t, c),
        status_text=t.plain(status) if status else c.status,
        statistic=_either(t, c.statistic_msg, c.statistic),
        rule=_either(t, c.rule_msg, c.rule),
        arithmetic=_either(t, c.arithmetic_msg, c.arithmetic),
        refs=[(r, _ref_label(t, r), link_url(r.url)) for r in c.evidence],
        lost=lost,
    )


def criterion_views(t: Translator, score: PortalScore, groups_def: list[dict[str, Any]]) -> list[GroupView]:
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
        views.append(
            GroupView(
                id=gid,
                title=title,
                score=gs.score if gs else None,
                points=gs.points if gs else None,
                max_points=gs.max_points if gs else None,
                criteria=[criterion_view(t, c) for c in by_group.get(gid, [])],
            )
        )
    return views


def _seen_on(c: CriterionScore) -> list[str]:
    """Pages where a criterion's problem was seen, most telling first: the worst pages, failing journey
    steps and site checks, then the pages a broken link or an accessibility rule was found on."""
    order = {"page": 0, "scenario": 0, "site": 1, "violation": 2, "link": 3}
    urls: list[str] = []
    for r in sorted(c.evidence, key=lambda r: order.get(r.kind, 4)):
        url = r.url
        if r.kind == "link" and isinstance(r.value, dict):
            url = str(r.value.get("source") or "")
        if url and url not in urls:
            urls.append(url)
    return urls


def lost_points(t: Translator, groups: list[GroupView]) -> tuple[list[LostPoints], list[CriterionView]]:
    """(criteria that lost points, largest loss first; criteria with full marks)."""
    lost, full = [], []
    for g in groups:
        for v in g.criteria:
            c = v.score
            if c.score is None:
                continue  # excluded: its points went to the others
            if v.lost < 0.005:
                full.append(v)
                continue
            finding = t.msg(c.finding_msg) if c.finding_msg else (v.statistic or Markup("–"))
            pages = _seen_on(c)
            lost.append(
                LostPoints(
                    view=v,
                    lost=v.lost,
                    finding=finding,
                    fix=t.msg(c.fix_msg) if c.fix_msg else None,
                    pages=pages[:PAGES_PER_LOSS],
                    more_pages=max(0, len(pages) - PAGES_PER_LOSS),
                )
            )
    lost.sort(key=lambda x: (-x.lost, x.view.score.id))
    return lost, full


def _sort_desc(value: float | None) -> float:
    return -(value if value is not None else -1.0)


def page_counts(pages: list[PageEvidence]) -> PageCounts:
    n = PageCounts(records=len(pages))
    for p in pages:
        n.desktop += p.profile == "desktop"
        n.mobile += p.profile == "mobile"
        n.evaluated += p.error is None
        n.failed += p.error is not None
        a = p.accessibility
        if a is not None:
            n.audited += 1
            n.audit_errors += a.error is not None
            n.sampled += a.sampled_from is not None
            n.reused += a.reused_from_run is not None
            n.with_violations += bool(a.violations)
    return n


def portal_facts(score: PortalScore, evidence: PortalEvidence | None) -> PortalFacts:
    ev = evidence or PortalEvidence(
        portal=PortalRef(id=score.portal_id, name=score.name, kind=score.kind, url=score.url)
    )
    rules = violations_by_rule(ev.pages)
    timed = [p for p in ev.pages if p.timings.load_ms is not None or p.timings.lcp_ms is not None]
    engines = sorted({p.accessibility.engine for p in ev.pages if p.accessibility and p.accessibility.engine})
    return PortalFacts(
        evidence=ev,
        stem=file_stem(score.portal_id),
        rules=rules,
        a11y_nodes=sum(r.nodes for r in rules if not r.best_practice),
        counts=page_counts(ev.pages),
        engines=engines,
        lab_slowest=sorted(ev.lab, key=lambda m: (_sort_desc(m.median.lcp_ms), _sort_desc(m.median.load_ms)))[
            :SLOWEST_SHOWN
        ],
        crawl_slowest=sorted(timed, key=lambda p: (_sort_desc(p.timings.load_ms), _sort_desc(p.timings.lcp_ms)))[
            :SLOWEST_SHOWN
        ],
        broken=[link for link in ev.links if link.broken],
        links_checked=len(ev.links),
        page_violations={i: len(p.accessibility.violations) for i, p in enumerate(ev.pages) if p.accessibility},
    )


def scenario_views(t: Translator, results: list[ScenarioResult], screenshots: dict[int, str]) -> list[ScenarioView]:
    views = []
    for i, s in enumerate(results):
        title = scenario_title(t, s)
        step = t.step(s.failed_step) if s.failed_step else "–"
        views.append(
            ScenarioView(
                result=s,
                title=title,
                outcome_text=t.plain(OUTCOME_WORDS[s.outcome]) if s.outcome in OUTCOME_WORDS else s.outcome,
                failed_step=step,
                reason=t.evidence(s.reason) if s.reason else Markup("–"),
                steps=[
                    StepView(t.step(st.name), st.ok, st.ms, t.evidence(st.detail) if st.detail else None, st.url)
                    for st in s.steps
                ],
                screenshot=screenshots.get(i),
                screenshot_alt=str(
                    t("Screenshot where the journey “{title}” stopped at step “{step}”", title=title, step=step)
                ),
            )
        )
    return views


def portal_view(
    t: Translator,
    score: PortalScore,
    facts: PortalFacts,
    groups_def: list[dict[str, Any]],
    history: list[dict[str, Any]],
    screenshots: dict[int, str],
    names: dict[str, str],
) -> PortalView:
    """screenshots: index in evidence.scenarios -> copied file's path from the report root."""
    groups = criterion_views(t, score, groups_def)
    for g in groups:
        g.spread = score.group_noise.get(g.id, 0.0)
        g.tied = [(names.get(o, o), portal_href(o)) for o in score.group_tied_with.get(g.id, [])]
    lost, full = lost_points(t, groups)
    errors = list(dict.fromkeys([*(scrub(e) or "" for e in score.errors), *facts.evidence.errors]))
    return PortalView(
        score=score,
        facts=facts,
        groups=groups,
        lost=lost,
        full_marks=full,
        scenarios=scenario_views(t, facts.evidence.scenarios, screenshots),
        errors=[t.evidence(e) for e in errors],
        history=history,
        tied=[(names.get(o, o), portal_href(o)) for o in score.tied_with if o != score.portal_id],
        change=change_of(t, score),
    )
