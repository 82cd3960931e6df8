"""The catalogue of figures a criterion can read from a portal's evidence (`evidence:` in a criteria set).

Two scopes:
- page metrics give one figure per page; the criterion's `statistic` (p75, share...) makes it one portal figure.
  Timing metrics prefer the lab medians (isolated repeated loads) and fall back to the crawl's own timings,
  saying so in the statistic.
- site metrics give one figure for the portal (scenario outcomes, robots/sitemap, TLS, EMC, link checks).
A figure that cannot be read (no page has it, key absent, scenario not run) is *missing*: the criterion's
`when_missing` rule decides. Nothing here guesses a value.
"""

from __future__ import annotations

import dataclasses
import re
import statistics
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from portalscore.contract import facts
from portalscore.contract import journeys as journey_steps
from portalscore.contract.evidence import PageEvidence, PageSecurity, PortalEvidence, ScenarioResult, Violation

from .message import Message, msg, qty
from .model import EvidenceRef
from .rules import ValueKind
from .stats import BOOL_STATISTICS, NUMBER_STATISTICS, aggregate


def journey_ids() -> tuple[str, ...]:
    """The journeys a criterion may read (scenario.<id>, scenario_steps.<id>): the ones declared to the contract
    (contract.journeys) by the journeys the application loaded, each with its steps."""
    return tuple(journey_steps.registered())


IMPACTS = ("critical", "serious", "moderate", "minor")
DEFAULT_IMPACT_WEIGHTS = {"critical": 10, "serious": 7, "moderate": 3, "minor": 1}  # Lighthouse's axe weights
DEFAULT_NODE_CAP = 10
SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "strict-transport-security",
    "permissions-policy",
)
DEFAULT_HEADERS = ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"]
COOKIE_FLAGS = ("secure", "httponly", "samesite")
LINK_KINDS = ("page", "document", "outbound")
WORST_PAGES = 5  # evidence references kept per criterion
WORST_ITEMS = 10


@dataclass
class Measurement:
    """One portal figure, how it was obtained, and the evidence behind it; value None = missing."""

    value: Any
    unit: str = ""
    statistic: Message | None = None
    evidence: list[EvidenceRef] = field(default_factory=list)
    missing: Message | None = None  # why there is no value
    status: str = "scored"  # scored | missing | not_applicable


@dataclass(frozen=True)
class Param:
    default: Any
    check: Callable[[Any], str | None]  # error message, or None when the value is fine
    help: str


@dataclass(frozen=True)
class Metric:
    name: str
    label: str  # short name used in the arithmetic, e.g. "LCP"
    scope: str  # page | site
    type: str  # number | bool (per page for page metrics)
    better: str  # lower | higher
    unit: str
    description: str
    measure: Callable[[Metric, PortalEvidence, Query], Measurement]
    params: dict[str, Param] = field(default_factory=dict)
    fraction: bool = False  # a number in 0..1
    words: Message | None = None  # the description as a message; None: the description is the msgid
    label_words: Message | None = None  # the label as a message; None: the label is the msgid
    # What the metric reads, declared (Lighthouse's `requiredArtifacts`): the page gatherers whose evidence it
    # needs (crawler/gatherers: a run that did not gather them has no value here, rather than a false zero), and
    # the journey whose result it reads.
    gatherers: tuple[str, ...] = ()
    journey: str | None = None

    def label_msg(self) -> Message:
        return self.label_words or Message(self.label)

    def describe(self) -> Message:
        return self.words or Message(self.description)

    def value_kind(self, statistic: str | None) -> ValueKind:
        """What the rule receives once the statistic has been applied."""
        if self.scope == "page" and self.type == "bool":
            return ValueKind("number", "higher", fraction=True, unit="share")
        return ValueKind(self.type, self.better, fraction=self.fraction, unit=self.unit)

    def statistics(self) -> tuple[str, ...]:
        if self.scope == "site":
            return ()
        return tuple(BOOL_STATISTICS if self.type == "bool" else NUMBER_STATISTICS)


@dataclass(frozen=True)
class Query:
    """What a criterion asks of a metric."""

    statistic: str | None = None
    profile: str = "desktop"
    params: dict[str, Any] = field(default_factory=dict)

    def param(self, metric: Metric, name: str) -> Any:
        return self.params.get(name, metric.params[name].default)


# ---------------------------------------------------------------- page figures


def _profile_pages(ev: PortalEvidence, profile: str) -> list[PageEvidence]:
    return [p for p in ev.pages if p.profile == profile]


PROFILE_WORDS = {"desktop": msg("desktop"), "mobile": msg("mobile")}
# A statistic's short name in the arithmetic ("LCP p75 = ..."): p-values read the same in every language.
STATISTIC_SHORT = {"mean": msg("mean"), "max": msg("max"), "min": msg("min")}


def statistic_short(statistic: str) -> Message | str:
    return STATISTIC_SHORT.get(statistic, statistic)


def _profile(profile: str) -> Message | str:
    return PROFILE_WORDS.get(profile, profile)


def ref(label: Message, url: str = "", kind: str = "", value: Any = None) -> EvidenceRef:
    """An evidence reference whose label is a message (kept in English too, for `explain` and old readers)."""
    return EvidenceRef(label=str(label), url=url, kind=kind, value=value, label_msg=label)


def _default_say(metric: Metric) -> Callable[[str, Any], Message]:
    def say(url: str, v: Any) -> Message:
        if isinstance(v, bool):
            return msg("{label}: yes", label=metric.label_msg()) if v else msg("{label}: no", label=metric.label_msg())
        return msg("{label} {value}", label=metric.label_msg(), value=qty(v, metric.unit))

    return say


def _aggregate_pages(
    metric: Metric,
    q: Query,
    values: list[tuple[str, Any]],
    source: Message | None,
    extra: list[EvidenceRef] | None = None,
    left_out: int = 0,
    describe: Callable[[str, Any], Message] | None = None,
    passing_means: Message | None = None,
) -> Measurement:
    """values: (url, per-page figure). Aggregates with the stated statistic and keeps the worst pages.
    source: how the figures were obtained, appended to the statistic (", lab medians of ...")."""
    if not values:
        return Measurement(
            None,
            metric.unit,
            missing=msg(
                "no {profile} page has a {label} figure", profile=_profile(q.profile), label=metric.label_msg()
            ),
            status="missing",
        )
    stat = q.statistic or ""
    value = aggregate([v for _, v in values], stat)
    n = len(values)
    suffix = source or ""
    statistic: Message
    if stat == "share":
        passing = sum(1 for _, v in values if v)
        statistic = msg(
            "share of {profile} pages {passing_means}: {passing} of {n}{source}",
            profile=_profile(q.profile),
            passing_means=passing_means or msg("passing"),
            passing=passing,
            n=n,
            source=suffix,
        )
        worst = sorted([(url, v) for url, v in values if not v])[:WORST_PAGES]
    else:
        if n == 1:
            statistic = msg(
                "{stat} over {n} {profile} page{source}",
                stat=statistic_short(stat),
                n=n,
                profile=_profile(q.profile),
                source=suffix,
            )
        else:
            statistic = msg(
                "{stat} over {n} {profile} pages{source}",
                stat=statistic_short(stat),
                n=n,
                profile=_profile(q.profile),
                source=suffix,
            )
        reverse = metric.better == "lower"
        worst = sorted(values, key=lambda uv: (-uv[1] if reverse else uv[1], uv[0]))[:WORST_PAGES]
    if left_out == 1:
        statistic = msg("{statistic}; 1 page without the figure left out", statistic=statistic)
    elif left_out:
        statistic = msg("{statistic}; {n} pages without the figure left out", statistic=statistic, n=left_out)
    say = describe or _default_say(metric)
    refs = [ref(say(url, v), url=url, kind="page", value=v) for url, v in worst]
    unit = "share" if stat == "share" else metric.unit
    return Measurement(value, unit, statistic, (extra or []) + refs)


def _timing(field_name: str) -> Callable[[Metric, PortalEvidence, Query], Measurement]:
    def measure(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
        lab = [(t.url, getattr(t.median, field_name)) for t in ev.lab if t.profile == q.profile and t.error is None]
        lab_values = [(u, v) for u, v in lab if v is not None]
        if lab_values:
            runs = sorted({t.runs for t in ev.lab if t.profile == q.profile and t.error is None})
            runs_text = "/".join(str(r) for r in runs)
            return _aggregate_pages(
                metric,
                q,
                lab_values,
                msg(", lab medians of {runs} isolated loads each", runs=runs_text),
                left_out=len(lab) - len(lab_values),
            )
        pages = [p for p in _profile_pages(ev, q.profile) if p.error is None]
        values = [(p.url, getattr(p.timings, field_name)) for p in pages]
        found = [(u, v) for u, v in values if v is not None]
        return _aggregate_pages(
            metric, q, found, msg(", crawl timings (no lab measurements)"), left_out=len(values) - len(found)
        )

    return measure


def _template_weight(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
    """One figure per page template: the median weight of its pages, shown by its heaviest page.

    A p75 over all pages lets a 2 MB home page or procedure layout hide among light news pages; with `max`, a
    criterion judges the heaviest layout the portal serves, typical of that layout rather than one odd page."""
    by_template: dict[str, list[PageEvidence]] = {}
    for p in _profile_pages(ev, q.profile):
        if p.error is None and p.transfer_bytes:
            by_template.setdefault(p.template or p.url, []).append(p)
    values = []
    for pages in by_template.values():
        heaviest = max(pages, key=lambda p: (p.transfer_bytes, p.url))
        values.append((heaviest.url, statistics.median(p.transfer_bytes for p in pages)))
    return _aggregate_pages(metric, q, values, msg(", each the median weight of one page template"))


def _per_page(
    read: Callable[[PageEvidence, Metric, Query], Any], include_failed: bool = False
) -> Callable[[Metric, PortalEvidence, Query], Measurement]:
    """A metric whose per-page figure is read(page); None means the page lacks it."""

    def measure(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
        pages = [p for p in _profile_pages(ev, q.profile) if include_failed or p.error is None]
        values = [(p.url, read(p, metric, q)) for p in pages]
        found = [(u, v) for u, v in values if v is not None]
        return _aggregate_pages(metric, q, found, None, left_out=len(values) - len(found))

    return measure


def _page_ok(p: PageEvidence, m: Metric, q: Query) -> bool:
    return p.error is None and p.status is not None and 200 <= p.status < 400


def _has_title(p: PageEvidence, m: Metric, q: Query) -> bool:
    return bool(p.title.strip())


def _has_lang(p: PageEvidence, m: Metric, q: Query) -> bool:
    return bool(p.lang.strip())


def _security(read: Callable[[PageSecurity, Metric, Query], Any]) -> Callable[[PageEvidence, Metric, Query], Any]:
    """A page figure read off the page's security evidence; None (missing) when the page has none."""

    def get(p: PageEvidence, m: Metric, q: Query) -> Any:
        return None if p.security is None else read(p.security, m, q)

    return get


def _security_headers(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
    """The share of the wanted headers each page sends; each page's evidence names the headers it lacks."""
    wanted = q.param(metric, "headers")
    pages = [p for p in _profile_pages(ev, q.profile) if p.error is None]
    values: list[tuple[str, Any]] = []
    lacking: dict[str, list[str]] = {}
    for p in pages:
        if p.security is None:
            continue
        present = {k.lower() for k, v in p.security.headers.items() if v}
        lacking[p.url] = [h for h in wanted if h not in present]
        values.append((p.url, (len(wanted) - len(lacking[p.url])) / len(wanted)))

    def say(url: str, v: Any) -> Message:
        if lacking.get(url):
            return msg("{label} {value}: missing {headers}", label=metric.label_msg(), value=v, headers=lacking[url])
        return msg("{label} {value}: all sent", label=metric.label_msg(), value=v)

    return _aggregate_pages(metric, q, values, None, left_out=len(pages) - len(values), describe=say)


def _cookies_ok(sec: PageSecurity, m: Metric, q: Query) -> bool:
    required = q.param(m, "require")
    for c in sec.cookies:
        for flag in required:
            v = getattr(c, flag)
            if not v or (flag == "samesite" and str(v).lower() == "none"):
                return False
    return True


_VERSION = re.compile(r"\d")


def _no_version_disclosure(sec: PageSecurity, m: Metric, q: Query) -> bool:
    return not _VERSION.search(sec.server) and not sec.x_powered_by


# ---------------------------------------------------------------- accessibility


def _audited(ev: PortalEvidence, q: Query) -> list[PageEvidence]:
    return [
        p
        for p in _profile_pages(ev, q.profile)
        if p.error is None and p.accessibility is not None and p.accessibility.error is None
    ]


IMPACT_WORDS = {
    "critical": msg("critical"),
    "serious": msg("serious"),
    "moderate": msg("moderate"),
    "minor": msg("minor"),
}


def _violations(p: PageEvidence) -> list[Violation]:
    return p.accessibility.violations if p.accessibility is not None else []


def _rule_summary(pages: list[PageEvidence], impacts: tuple[str, ...] = IMPACTS) -> list[EvidenceRef]:
    """The failing axe rules over all pages, with node and page counts, heaviest first."""
    by_rule: dict[str, dict[str, Any]] = {}
    for p in pages:
        for v in _violations(p):
            impact = v.impact if v.impact in IMPACTS else "minor"
            if impact not in impacts:
                continue
            r = by_rule.setdefault(
                v.rule,
                {
                    "rule": v.rule,
                    "impact": impact,
                    "wcag": v.wcag,
                    "help": v.help,
                    "help_url": v.help_url,
                    "nodes": 0,
                    "pages": 0,
                    "url": p.url,
                    "targets": [],
                },
            )
            r["nodes"] += v.node_count
            r["pages"] += 1
            r["targets"].extend(n.target for n in v.nodes[: max(0, 3 - len(r["targets"]))])
    order = sorted(by_rule.values(), key=lambda r: (-DEFAULT_IMPACT_WEIGHTS[r["impact"]] * r["nodes"], r["rule"]))
    refs = []
    for r in order[:WORST_ITEMS]:
        args = dict(
            rule=r["rule"], impact=IMPACT_WORDS[r["impact"]], wcag=" ".join(r["wcag"]), n=r["nodes"], pages=r["pages"]
        )
        nodes, on_pages = r["nodes"] != 1, r["pages"] != 1
        if r["wcag"]:
            if nodes and on_pages:
                label = msg("{rule} ({impact}, WCAG {wcag}): {n} nodes on {pages} pages", **args)
            elif nodes:
                label = msg("{rule} ({impact}, WCAG {wcag}): {n} nodes on {pages} page", **args)
            elif on_pages:
                label = msg("{rule} ({impact}, WCAG {wcag}): {n} node on {pages} pages", **args)
            else:
                label = msg("{rule} ({impact}, WCAG {wcag}): {n} node on {pages} page", **args)
        elif nodes and on_pages:
            label = msg("{rule} ({impact}): {n} nodes on {pages} pages", **args)
        elif nodes:
            label = msg("{rule} ({impact}): {n} nodes on {pages} page", **args)
        elif on_pages:
            label = msg("{rule} ({impact}): {n} node on {pages} pages", **args)
        else:
            label = msg("{rule} ({impact}): {n} node on {pages} page", **args)
        refs.append(ref(label, url=r["url"], kind="violation", value=r))
    return refs


def _weighted_violations(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
    weights = q.param(metric, "impact_weights")
    cap = q.param(metric, "node_cap")
    pages = _audited(ev, q)
    values = []
    for p in pages:
        total = 0.0
        for v in _violations(p):
            nodes = v.node_count if cap is None else min(v.node_count, cap)
            total += weights.get(v.impact if v.impact in IMPACTS else "minor", 0) * nodes
        values.append((p.url, total))
    weights_text = "/".join(f"{weights.get(i, 0):g}" for i in IMPACTS)
    if cap is not None:
        source = msg(
            "; weights critical/serious/moderate/minor {weights}, nodes capped at {cap} per rule per page",
            weights=weights_text,
            cap=cap,
        )
    else:
        source = msg("; weights critical/serious/moderate/minor {weights}", weights=weights_text)
    return _aggregate_pages(metric, q, values, source, extra=_rule_summary(pages))


def _clean_pages(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
    pages = _audited(ev, q)
    bad_rules = {p.url: sorted({v.rule for v in _violations(p) if v.impact in ("critical", "serious")}) for p in pages}
    values = [(p.url, not bad_rules[p.url]) for p in pages]
    return _aggregate_pages(
        metric,
        q,
        values,
        None,
        passing_means=msg("with no critical or serious axe violation"),
        extra=_rule_summary(pages, ("critical", "serious")),
        describe=lambda url, v: msg("critical/serious: {rules}", rules=", ".join(bad_rules[url])),
    )


# ---------------------------------------------------------------- site figures


def _scenario(ev: PortalEvidence, sid: str) -> ScenarioResult | None:
    for s in ev.scenarios:
        if s.id == sid:
            return s
    return None


OUTCOME_WORDS = {
    "passed": msg("passed"),
    "failed": msg("failed"),
    "not_applicable": msg("not applicable"),
    "error": msg("error"),
}


def _outcome(outcome: str) -> Message | str:
    return OUTCOME_WORDS.get(outcome, outcome)


def _scenario_ref(s: ScenarioResult) -> EvidenceRef:
    label: Message
    if s.outcome == "passed":
        label = msg("scenario {scenario}: passed ({n} steps)", scenario=s.id, n=len(s.steps))
    elif s.failed_step and s.reason:
        label = msg(
            "scenario {scenario}: {outcome} at step '{step}': {reason}",
            scenario=s.id,
            outcome=_outcome(s.outcome),
            step=s.failed_step,
            reason=s.reason,
        )
    elif s.failed_step:
        label = msg(
            "scenario {scenario}: {outcome} at step '{step}'",
            scenario=s.id,
            outcome=_outcome(s.outcome),
            step=s.failed_step,
        )
    elif s.reason:
        label = msg(
            "scenario {scenario}: {outcome}: {reason}", scenario=s.id, outcome=_outcome(s.outcome), reason=s.reason
        )
    else:
        label = msg("scenario {scenario}: {outcome}", scenario=s.id, outcome=_outcome(s.outcome))
    if s.route:
        # Which way the journey got to the page it judged: a portal team disputing a score needs to know.
        route = ROUTE_WORDS.get(s.route, s.route)
        tried = [
            msg(
                "{route} (step '{step}'): {reason}",
                route=ROUTE_WORDS.get(a.route, a.route),
                step=a.step,
                reason=a.reason,
            )
            for a in s.route_attempts
            if not a.ok
        ]
        label = (
            msg(
                "{label} (procedure page reached by {route}; tried first: {tried})",
                label=label,
                route=route,
                tried=tried,
            )
            if tried
            else msg("{label} (procedure page reached by {route})", label=label, route=route)
        )
    url = next((st.url for st in s.steps if st.name == s.failed_step and st.url), "") or next(
        (st.url for st in reversed(s.steps) if st.url), ""
    )
    return ref(
        label,
        url=url,
        kind="scenario",
        value={
            "scenario": s.id,
            "outcome": s.outcome,
            "failed_step": s.failed_step,
            "reason": s.reason,
            "screenshot": s.screenshot,
            "steps": [{"name": st.name, "ok": st.ok, "detail": st.detail} for st in s.steps],
            "route": s.route,
            "route_attempts": [dataclasses.asdict(a) for a in s.route_attempts],
        },
    )


# The routes a journey takes to a procedure page (contract.journeys.ROUTES), as the evidence line names them.
ROUTE_WORDS = {
    "override": msg("the registry's URL"),
    "search": msg("the portal's search"),
    "catalogue": msg("the procedure catalogue"),
    "crawled": msg("a procedure page the crawl found"),
}

_OUTCOME_STATISTIC = msg("scenario outcome")


def _scenario_missing(s: ScenarioResult | None, sid: str, unit: str) -> Measurement | None:
    if s is None:
        return Measurement(
            None,
            unit,
            _OUTCOME_STATISTIC,
            missing=msg("scenario {scenario} was not run", scenario=sid),
            status="missing",
        )
    if s.outcome == "not_applicable":
        missing = (
            msg("scenario {scenario} not applicable: {reason}", scenario=sid, reason=s.reason)
            if s.reason
            else msg("scenario {scenario} not applicable", scenario=sid)
        )
        return Measurement(None, unit, _OUTCOME_STATISTIC, [_scenario_ref(s)], missing=missing, status="not_applicable")
    if s.outcome == "error":
        missing = (
            msg("scenario {scenario} could not run: {reason}", scenario=sid, reason=s.reason)
            if s.reason
            else msg("scenario {scenario} could not run", scenario=sid)
        )
        return Measurement(None, unit, _OUTCOME_STATISTIC, [_scenario_ref(s)], missing=missing, status="missing")
    return None


def _scenario_passed(sid: str) -> Callable[[Metric, PortalEvidence, Query], Measurement]:
    def measure(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
        s = _scenario(ev, sid)
        gap = _scenario_missing(s, sid, "")
        if gap or s is None:
            return gap or Measurement(None)
        return Measurement(
            s.outcome == "passed",
            "",
            msg("scenario outcome: {outcome}", outcome=_outcome(s.outcome)),
            [_scenario_ref(s)],
        )

    return measure


def _check_steps(sid: str) -> Callable[[Any], str | None]:
    """`params.steps` of a scenario_steps criterion: step names or globs, each naming a step the journey records."""

    def check(v: Any) -> str | None:
        if not isinstance(v, list) or not v or not all(isinstance(x, str) and x.strip() for x in v):
            return "must be a non-empty list of step names or patterns (e.g. [has_*])"
        spec = journey_steps.spec_of(sid)
        known = spec.steps if spec else ()
        for pattern in v:
            if not journey_steps.steps_matching(sid, pattern):
                return f"{pattern!r} names no step of the {sid} journey (its steps: {', '.join(known)})"
        return None

    return check


def _scenario_steps(sid: str) -> Callable[[Metric, PortalEvidence, Query], Measurement]:
    def measure(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
        s = _scenario(ev, sid)
        gap = _scenario_missing(s, sid, "share")
        if gap or s is None:
            return gap or Measurement(None)
        patterns = list(q.param(metric, "steps"))
        # Only the steps that show the criterion's subject count (params.steps): opening the home page or finding
        # a search box proves nothing about a procedure page. A counted step the journey never reached counts as
        # not shown, so a journey that stopped early earns nothing for what it did not see.
        expected = [n for p in patterns for n in journey_steps.steps_matching(sid, p)]
        recorded = {st.name: st.ok for st in s.steps if journey_steps.counts(st.name, patterns)}
        names = list(dict.fromkeys([n for n in expected if n in recorded or s.outcome != "passed"] + list(recorded)))
        if not names:
            return Measurement(
                None,
                "share",
                missing=msg("scenario {scenario} recorded none of the steps that show its subject", scenario=sid),
                status="missing",
            )
        ok = sum(1 for n in names if recorded.get(n))
        args = dict(ok=ok, n=len(names), outcome=_outcome(s.outcome))
        statistic = msg("share of the steps showing the subject that passed: {ok} of {n} (outcome {outcome})", **args)
        return Measurement(ok / len(names), "share", statistic, [_scenario_ref(s)])

    return measure


def _site_flag(
    check: str, read: Callable[[PortalEvidence], bool | None], words: Message
) -> Callable[[Metric, PortalEvidence, Query], Measurement]:
    def measure(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
        value = read(ev)
        statistic = msg("site check")
        if not isinstance(value, bool):
            why = ev.https_redirect.error if check == "https_redirect" and ev.https_redirect else None
            missing = (
                msg("{what}: not recorded: {error}", what=words, error=why)
                if why
                else msg("{what}: not recorded", what=words)
            )
            return Measurement(None, "", statistic, missing=missing, status="missing")
        named = _named_site_check(check, value, words, ev)
        if named is not None:
            label, facts = named
            return Measurement(value, "", statistic, [ref(label, url=ev.portal.url, kind="site", value=facts)])
        error = ev.tls.error if check == "tls" and ev.tls is not None else None
        if error:
            label = (
                msg("{what}: yes: {error}", what=words, error=str(error))
                if value
                else msg("{what}: no: {error}", what=words, error=str(error))
            )
        else:
            label = msg("{what}: yes", what=words) if value else msg("{what}: no", what=words)
        return Measurement(value, "", statistic, [ref(label, url=ev.portal.url, kind="site", value=value)])

    return measure


def _named_site_check(check: str, value: bool, words: Message, ev: PortalEvidence) -> tuple[Message, Any] | None:
    """The evidence line of a typed site check: the certificate's issuer, expiry and TLS version; the http:// address
    asked and where it led. None for runs stored before these were recorded (the plain flag is shown)."""
    if check == "tls" and ev.tls is not None and (ev.tls.issuer or ev.tls.expires or ev.tls.version):
        tls = ev.tls
        facts = dataclasses.asdict(tls)
        if value:
            return (
                msg(
                    "{what}: yes: issued by {issuer}, expires {expires} (in {days} days), {version}",
                    what=words,
                    issuer=tls.issuer or "?",
                    expires=(tls.expires or "?")[:10],
                    days=tls.days_left if tls.days_left is not None else "?",
                    version=tls.version or "?",
                ),
                facts,
            )
        if tls.expires is None:  # the certificate could not be read
            return msg(
                "{what}: no: {error} ({version})", what=words, error=str(tls.error), version=tls.version or "?"
            ), facts
        return (
            msg(
                "{what}: no: {error} (issued by {issuer}, expires {expires}: in {days} days, {version})",
                what=words,
                error=str(tls.error),
                issuer=tls.issuer or "?",
                expires=tls.expires[:10],
                days=tls.days_left if tls.days_left is not None else "?",
                version=tls.version or "?",
            ),
            facts,
        )
    if check == "https_redirect" and ev.https_redirect is not None and ev.https_redirect.url:
        hr = ev.https_redirect
        facts = dataclasses.asdict(hr)
        if value:
            return msg("{what}: yes: {url} → {final}", what=words, url=hr.url, final=hr.final_url), facts
        return (
            msg(
                "{what}: no: {url} answers {status} at {final}",
                what=words,
                url=hr.url,
                status=hr.status,
                final=hr.final_url,
            ),
            facts,
        )
    return None


def _links_ok(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
    kinds = q.param(metric, "kinds")
    checked = [lc for lc in ev.links if lc.kind in kinds]
    if not checked:
        return Measurement(None, "share", missing=msg("no link was checked"), status="missing")
    broken = sorted((lc for lc in checked if lc.broken), key=lambda lc: lc.url)
    value = 1 - len(broken) / len(checked)
    refs = [
        ref(
            msg("{status} {url}", status=str(lc.status), url=lc.url)
            if lc.status is not None
            else msg("{error} {url}", error=str(lc.error), url=lc.url),
            url=lc.url,
            kind="link",
            value={"status": lc.status, "error": lc.error, "source": lc.source, "kind": lc.kind},
        )
        for lc in broken[:WORST_ITEMS]
    ]
    kind_words = [LINK_KIND_WORDS.get(k, k) for k in kinds]
    return Measurement(
        value,
        "share",
        msg(
            "share of {n} checked links ({kinds}) that work: {broken} broken",
            n=len(checked),
            kinds=kind_words,
            broken=len(broken),
        ),
        refs,
    )


LINK_KIND_WORDS = {"page": msg("page"), "document": msg("document"), "outbound": msg("outbound")}


# ---------------------------------------------------------------- parameter checks


def _check_weights(v: Any) -> str | None:
    if (
        not isinstance(v, dict)
        or set(v) - set(IMPACTS)
        or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and x >= 0 for x in v.values())
    ):
        return f"must map impacts ({', '.join(IMPACTS)}) to numbers ≥ 0"
    return None


def _check_cap(v: Any) -> str | None:
    return (
        None
        if v is None or (isinstance(v, int) and not isinstance(v, bool) and v > 0)
        else "must be a positive whole number, or null for no cap"
    )


def _subset_of(allowed: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        if not isinstance(v, list) or not v or not all(isinstance(x, str) and x in allowed for x in v):
            return f"must be a non-empty list drawn from: {', '.join(allowed)}"
        return None

    return check


# ---------------------------------------------------------------- the catalogue


def _m(
    name: str,
    label: str,
    scope: str,
    type_: str,
    better: str,
    unit: str,
    description: str,
    measure: Callable[[Metric, PortalEvidence, Query], Measurement],
    params: dict[str, Param] | None = None,
    fraction: bool = False,
    words: Message | None = None,
    label_words: Message | None = None,
    gatherers: tuple[str, ...] = (),
    journey: str | None = None,
) -> Metric:
    return Metric(
        name,
        label,
        scope,
        type_,
        better,
        unit,
        description,
        measure,
        params or {},
        fraction,
        words,
        label_words,
        gatherers,
        journey,
    )


_TIMINGS = [
    ("timing.lcp_ms", "LCP", "lcp_ms", "ms", msg("Largest Contentful Paint")),
    ("timing.fcp_ms", "FCP", "fcp_ms", "ms", msg("First Contentful Paint")),
    ("timing.ttfb_ms", "TTFB", "ttfb_ms", "ms", msg("time to first byte")),
    ("timing.load_ms", "load", "load_ms", "ms", msg("load event")),
    ("timing.dcl_ms", "DCL", "dcl_ms", "ms", msg("DOMContentLoaded")),
    ("timing.tbt_ms", "TBT", "tbt_ms", "ms", msg("total blocking time (long tasks)")),
    ("timing.cls", "CLS", "cls", "", msg("Cumulative Layout Shift (unitless)")),
]


class MetricCatalogue(Mapping[str, Metric]):
    """Every metric a criterion can name: the fixed ones below, two per declared journey (scenario.<id>,
    scenario_steps.<id>) and one per declared page fact (fact.<name>), made when first asked for, so that a journey
    (scenarios/journeys/) or a page fact (crawler/gatherers/) declared in one file is scored without a line here."""

    def __init__(self) -> None:
        self._fixed: dict[str, Metric] = {}
        self._made: dict[str, tuple[object, Metric]] = {}  # by name: the declaration it was made from, the metric

    def __setitem__(self, name: str, metric: Metric) -> None:
        self._fixed[name] = metric

    def __getitem__(self, name: str) -> Metric:
        found = self._fixed.get(name)
        if found is not None:
            return found
        kind, _, key = name.partition(".")
        made = self._made.get(name)
        if kind in ("scenario", "scenario_steps"):
            spec = journey_steps.spec_of(key)
            if spec is not None and (made is None or made[0] != spec):
                made = (spec, _journey_metric(kind, spec))
        elif kind == "fact":
            fact = facts.spec_of(key)
            if fact is not None and (made is None or made[0] != fact):
                made = (fact, _fact_metric(fact))
        else:
            made = None
        if made is None:
            raise KeyError(name)
        self._made[name] = made
        return made[1]

    def __iter__(self) -> Iterator[str]:
        yield from self._fixed
        for sid in journey_ids():
            yield f"scenario.{sid}"
            yield f"scenario_steps.{sid}"
        for fact in facts.declared():
            yield f"fact.{fact}"

    def __len__(self) -> int:
        return sum(1 for _ in self)


METRICS = MetricCatalogue()
for _name, _label, _field, _unit, _what in _TIMINGS:
    _words = msg("{what} per page; lab median when measured, else the crawl's timing", what=_what)
    METRICS[_name] = _m(_name, _label, "page", "number", "lower", _unit, str(_words), _timing(_field), words=_words)

for _metric in [
    _m(
        "page.transfer_bytes",
        "page weight",
        "page",
        "number",
        "lower",
        "bytes",
        "bytes transferred to load the page",
        _per_page(lambda p, m, q: p.transfer_bytes if p.transfer_bytes else None),
    ),
    _m(
        "page.template_weight",
        "template weight",
        "page",
        "number",
        "lower",
        "bytes",
        "median bytes transferred per page of each page template (with max: the heaviest template)",
        _template_weight,
    ),
    _m(
        "page.request_count",
        "requests",
        "page",
        "number",
        "lower",
        "requests",
        "network requests made by the page",
        _per_page(lambda p, m, q: p.request_count if p.request_count else None),
    ),
    _m(
        "page.console_errors",
        "console errors",
        "page",
        "number",
        "lower",
        "errors",
        "JavaScript console errors on the page",
        _per_page(lambda p, m, q: len(p.console_errors)),
    ),
    _m(
        "page.ok",
        "page answered",
        "page",
        "bool",
        "higher",
        "",
        "the page answered with HTTP 2xx/3xx and could be evaluated",
        _per_page(_page_ok, include_failed=True),
    ),
    _m(
        "page.has_title",
        "page title",
        "page",
        "bool",
        "higher",
        "",
        "the page has a non-empty <title> (WCAG 2.4.2)",
        _per_page(_has_title),
        gatherers=("dom",),
    ),
    _m(
        "page.has_lang",
        "page language",
        "page",
        "bool",
        "higher",
        "",
        "the page declares its language (<html lang>, WCAG 3.1.1)",
        _per_page(_has_lang),
        gatherers=("dom",),
    ),
    _m(
        "a11y.weighted_violations",
        "weighted axe violations",
        "page",
        "number",
        "lower",
        "points",
        "axe-core violations per page, each rule's failing nodes (capped) times its impact weight",
        _weighted_violations,
        {
            "impact_weights": Param(DEFAULT_IMPACT_WEIGHTS, _check_weights, "points per failing node by impact"),
            "node_cap": Param(DEFAULT_NODE_CAP, _check_cap, "most nodes counted per rule per page"),
        },
        gatherers=("axe",),
    ),
    _m(
        "a11y.clean_page",
        "no critical/serious violation",
        "page",
        "bool",
        "higher",
        "",
        "the page has no critical or serious axe-core violation",
        _clean_pages,
        gatherers=("axe",),
    ),
    _m(
        "security.https",
        "HTTPS",
        "page",
        "bool",
        "higher",
        "",
        "the page was served over HTTPS",
        _per_page(_security(lambda sec, m, q: sec.https)),
        gatherers=("security",),
    ),
    _m(
        "security.hsts",
        "HSTS",
        "page",
        "bool",
        "higher",
        "",
        "the page sends Strict-Transport-Security",
        _per_page(_security(lambda sec, m, q: sec.hsts)),
        gatherers=("security",),
    ),
    _m(
        "security.headers",
        "security headers",
        "page",
        "number",
        "higher",
        "share",
        "share of the listed security headers the page sends",
        _security_headers,
        {"headers": Param(DEFAULT_HEADERS, _subset_of(SECURITY_HEADERS), "headers that must be present")},
        fraction=True,
        gatherers=("security",),
    ),
    _m(
        "security.no_mixed_content",
        "no mixed content",
        "page",
        "bool",
        "higher",
        "",
        "the page loads nothing over plain http://",
        _per_page(_security(lambda sec, m, q: not sec.mixed_content)),
        gatherers=("security",),
    ),
    _m(
        "security.cookie_flags",
        "cookie flags",
        "page",
        "bool",
        "higher",
        "",
        "every cookie the page sets carries the required flags (a page without cookies passes)",
        _per_page(_security(_cookies_ok)),
        {"require": Param(["secure", "httponly"], _subset_of(COOKIE_FLAGS), "flags every cookie must carry")},
        gatherers=("security",),
    ),
    _m(
        "security.no_version_disclosure",
        "no server version",
        "page",
        "bool",
        "higher",
        "",
        "neither the Server header shows a version number nor X-Powered-By is sent",
        _per_page(_security(_no_version_disclosure)),
        gatherers=("security",),
    ),
    _m(
        "site.https_redirect",
        "http→https redirect",
        "site",
        "bool",
        "higher",
        "",
        "plain http:// requests are redirected to https://",
        _site_flag(
            "https_redirect",
            lambda ev: ev.https_redirect.redirects if ev.https_redirect else None,
            msg("http redirects to https"),
        ),
    ),
    _m(
        "site.tls_valid",
        "valid certificate",
        "site",
        "bool",
        "higher",
        "",
        "the TLS certificate is valid for the host",
        _site_flag("tls", lambda ev: ev.tls.valid if ev.tls else None, msg("valid TLS certificate")),
    ),
    _m(
        "site.robots",
        "robots.txt",
        "site",
        "bool",
        "higher",
        "",
        "robots.txt is published",
        _site_flag("robots", lambda ev: ev.site.robots.found if ev.site.robots else None, msg("robots.txt found")),
    ),
    _m(
        "site.sitemap",
        "sitemap.xml",
        "site",
        "bool",
        "higher",
        "",
        "a sitemap.xml is published",
        _site_flag("sitemap", lambda ev: ev.site.sitemap.found if ev.site.sitemap else None, msg("sitemap found")),
    ),
    _m(
        "site.emc",
        "EMC script",
        "site",
        "bool",
        "higher",
        "",
        "the EMC monitoring script (emc.gov.vn) is loaded by the portal",
        _site_flag("emc", lambda ev: ev.site.emc, msg("EMC tracking script seen")),
    ),
    _m(
        "links.ok_share",
        "working links",
        "site",
        "number",
        "higher",
        "share",
        "share of checked links that answer without error",
        _links_ok,
        {"kinds": Param(list(LINK_KINDS), _subset_of(LINK_KINDS), "which checked links count")},
        fraction=True,
    ),
]:
    METRICS[_metric.name] = _metric


def _fact_metric(spec: facts.FactSpec) -> Metric:
    """A page fact as a page metric: one value per page (Fact.value), aggregated by the criterion's statistic; the
    evidence line quotes what the page showed (Fact.detail). Words in both languages come from the declaration."""
    label = msg("{fact}", fact=spec.name)

    def read(p: PageEvidence, m: Metric, q: Query) -> Any:
        fact = p.facts.get(spec.name)
        return None if fact is None else fact.value

    def measure(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
        pages = [p for p in _profile_pages(ev, q.profile) if p.error is None]
        values = [(p.url, read(p, metric, q)) for p in pages]
        found = [(u, v) for u, v in values if v is not None]
        details = {p.url: p.facts[spec.name].detail for p in pages if spec.name in p.facts}

        def say(url: str, v: Any) -> Message:
            shown = _default_say(metric)(url, v)
            return msg("{line} ({detail})", line=shown, detail=details[url][:200]) if details.get(url) else shown

        return _aggregate_pages(metric, q, found, None, left_out=len(values) - len(found), describe=say)

    return _m(
        f"fact.{spec.name}",
        spec.label,
        "page",
        spec.type,
        spec.better,
        spec.unit,
        spec.description,
        measure,
        words=msg("{fact_description}", fact_description=spec.name),
        label_words=label,
        gatherers=(spec.gatherer,),
    )


def _journey_metric(kind: str, spec: journey_steps.JourneySpec) -> Metric:
    sid = spec.id
    if kind == "scenario":
        words = msg("the '{scenario}' scenario passed", scenario=sid)
        return _m(
            f"scenario.{sid}",
            f"scenario {sid}",
            "site",
            "bool",
            "higher",
            "",
            str(words),
            _scenario_passed(sid),
            words=words,
            label_words=msg("scenario {scenario}", scenario=sid),
            journey=sid,
        )
    words = msg(
        "share of the steps of the '{scenario}' scenario that show its subject (params.steps) and passed; a step "
        "never reached counts as not passed",
        scenario=sid,
    )
    return _m(
        f"scenario_steps.{sid}",
        f"steps of {sid}",
        "site",
        "number",
        "higher",
        "share",
        str(words),
        _scenario_steps(sid),
        {
            "steps": Param(
                list(spec.subject),
                _check_steps(sid),
                "the steps that show the criterion's subject (names or globs); the others earn nothing",
            )
        },
        fraction=True,
        words=words,
        label_words=msg("steps of {scenario}", scenario=sid),
        journey=sid,
    )


# ---------------------------------------------------------------- accessibility: axe best practice (issue 18)


def _best_practice_view(p: PageEvidence) -> PageEvidence:
    """The page as if axe's best-practice findings were its violations (the page itself is not changed)."""
    if p.accessibility is None:
        return p
    return dataclasses.replace(
        p, accessibility=dataclasses.replace(p.accessibility, violations=p.accessibility.best_practice)
    )


def _weighted_best_practice(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
    # The same arithmetic and evidence as a11y.weighted_violations, over Accessibility.best_practice.
    return _weighted_violations(metric, dataclasses.replace(ev, pages=[_best_practice_view(p) for p in ev.pages]), q)


METRICS["a11y.weighted_best_practice"] = _m(
    "a11y.weighted_best_practice",
    "weighted axe best-practice findings",
    "page",
    "number",
    "lower",
    "points",
    "axe-core best-practice rules that map to no WCAG success criterion (heading order, landmarks, empty "
    "headings, positive tabindex, ...) per page, each rule's failing nodes (capped) times its impact weight",
    _weighted_best_practice,
    {
        "impact_weights": Param(DEFAULT_IMPACT_WEIGHTS, _check_weights, "points per failing node by impact"),
        "node_cap": Param(DEFAULT_NODE_CAP, _check_cap, "most nodes counted per rule per page"),
    },
    gatherers=("axe",),
)


# What a portal team can do about a lost point, one sentence per metric (scenario_steps.* share scenario.*'s).
FIXES: dict[str, Message] = {
    "timing.lcp_ms": msg(
        "Show the main content sooner: smaller banner images, fewer render-blocking scripts and styles, a faster server."
    ),
    "timing.fcp_ms": msg(
        "Show something sooner: fewer render-blocking scripts and styles in the page head, a faster server."
    ),
    "timing.ttfb_ms": msg(
        "Answer faster on the server: caching, lighter database queries, a server close to its users."
    ),
    "timing.load_ms": msg("Load less: smaller images, fewer and smaller scripts, nothing from slow third-party hosts."),
    "timing.dcl_ms": msg("Defer the scripts that the first view of the page does not need."),
    "timing.tbt_ms": msg("Run less JavaScript while the page loads: split or defer long scripts."),
    "timing.cls": msg("Reserve space for images, banners and late content so that the page does not jump."),
    "page.transfer_bytes": msg("Send fewer bytes: compress images, minify and compress scripts and styles."),
    "page.template_weight": msg("Send fewer bytes: compress images, minify and compress scripts and styles."),
    "page.request_count": msg("Make fewer requests: combine small files, drop unused scripts and trackers."),
    "page.console_errors": msg("Fix the JavaScript errors that the pages log in the browser console."),
    "page.ok": msg("Make every linked page answer: fix or remove the pages that return errors."),
    "page.has_title": msg("Give every page a <title> that says what the page is."),
    "page.has_lang": msg('Declare the language of every page: <html lang="vi">.'),
    "a11y.weighted_violations": msg(
        "Fix the accessibility errors listed below, starting with the rules that affect the most elements."
    ),
    "a11y.clean_page": msg("Fix the critical and serious accessibility errors first (listed below)."),
    "security.https": msg("Serve every page over HTTPS."),
    "security.hsts": msg("Send Strict-Transport-Security with every HTTPS answer."),
    "security.headers": msg("Send the missing security headers (listed in the evidence) with every page."),
    "security.no_mixed_content": msg("Load every image, script and style over https://."),
    "security.cookie_flags": msg("Set the Secure and HttpOnly flags (and SameSite) on every cookie."),
    "security.no_version_disclosure": msg(
        "Hide the server software version (Server header) and stop sending X-Powered-By."
    ),
    "site.https_redirect": msg("Redirect every http:// address to https://."),
    "site.tls_valid": msg("Renew or fix the TLS certificate so that it is valid for the portal's address."),
    "site.robots": msg("Publish a robots.txt at the root of the site."),
    "site.sitemap": msg("Publish a sitemap.xml and name it in robots.txt."),
    "site.emc": msg("Add the EMC monitoring script (emc.gov.vn) to every page."),
    "links.ok_share": msg("Fix or remove the broken links listed below."),
    "scenario.home": msg("Make the home page load with a title, a visible main menu and a search box."),
    "scenario.search_procedure": msg(
        "Make the procedure search find procedures by their common names (such as “khai sinh”) and list them as links."
    ),
    "scenario.procedure_detail": msg(
        "Show every required item on each procedure page: documents, fees, processing time, place, legal basis."
    ),
    "scenario.online_submission": msg(
        "Offer “Nộp hồ sơ trực tuyến” on each procedure page, leading to a sign-in with VNeID."
    ),
    "scenario.dossier_lookup": msg("Offer a dossier lookup that answers with a result or a clear “not found” message."),
    "scenario.online_payment": msg("Offer online payment and link to it from the home page."),
    "scenario.feedback": msg("Offer a feedback form, or a link to the national feedback system, from the home page."),
    "scenario.help": msg("Link to a guide, FAQ, hotline or chatbot from the home page."),
    "scenario.mobile": msg(
        "Make the pages fit a phone: no sideways scrolling, readable text, large enough buttons, a working menu."
    ),
    "scenario.keyboard": msg(
        "Make the site usable with the keyboard: a skip link first, every menu item reachable by Tab, visible focus."
    ),
    "scenario.privacy": msg("Publish a personal-data protection policy and link to it from every page."),
}


def fix_for(metric_name: str) -> Message | None:
    """The sentence that tells a portal team how to earn back the points of a metric, if we have one."""
    metric = METRICS.get(metric_name)
    if metric is not None and metric.journey is not None:
        return FIXES.get(f"scenario.{metric.journey}")
    return FIXES.get(metric_name)


def measure(metric_name: str, evidence: PortalEvidence, query: Query) -> Measurement:
    metric = METRICS[metric_name]
    # A run names what it gathered (runs stored before it did name nothing: everything was gathered then).
    absent = [g for g in metric.gatherers if evidence.gathered and g not in evidence.gathered]
    if absent:
        return Measurement(
            None, metric.unit, missing=msg("not gathered in this run: {what}", what=", ".join(absent)), status="missing"
        )
    return metric.measure(metric, evidence, query)
