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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from portalscore.contract.evidence import PageEvidence, PortalEvidence, ScenarioResult

from .model import EvidenceRef
from .rules import ValueKind
from .stats import BOOL_STATISTICS, NUMBER_STATISTICS, aggregate, fmt

# Produced by the scenarios package (issue 4); a criterion may read any of them.
SCENARIO_IDS = (
    "home",
    "search_procedure",
    "procedure_detail",
    "online_submission",
    "dossier_lookup",
    "online_payment",
    "feedback",
    "help",
    "mobile",
    "keyboard",
    "privacy",
)

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
    statistic: str = ""
    evidence: list[EvidenceRef] = field(default_factory=list)
    missing: str = ""  # why there is no value
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


def _aggregate_pages(
    metric: Metric,
    q: Query,
    values: list[tuple[str, Any]],
    source: str,
    extra: list[EvidenceRef] | None = None,
    left_out: int = 0,
    describe: Callable[[str, Any], str] | None = None,
    passing_means: str = "passing",
) -> Measurement:
    """values: (url, per-page figure). Aggregates with the stated statistic and keeps the worst pages."""
    if not values:
        return Measurement(
            None, metric.unit, missing=f"no {q.profile} page has a {metric.label} figure", status="missing"
        )
    stat = q.statistic or ""
    value = aggregate([v for _, v in values], stat)
    n = len(values)
    if stat == "share":
        passing = sum(1 for _, v in values if v)
        statistic = f"share of {q.profile} pages {passing_means}: {passing} of {n}{source}"
        worst = sorted([(url, v) for url, v in values if not v])[:WORST_PAGES]
    else:
        statistic = f"{stat} over {n} {q.profile} page{'s' if n != 1 else ''}{source}"
        reverse = metric.better == "lower"
        worst = sorted(values, key=lambda uv: (-uv[1] if reverse else uv[1], uv[0]))[:WORST_PAGES]
    if left_out:
        statistic += f"; {left_out} page{'s' if left_out != 1 else ''} without the figure left out"
    say = describe or (
        lambda url, v: (
            f"{metric.label} {fmt(v, metric.unit)}"
            if not isinstance(v, bool)
            else f"{metric.label}: {'yes' if v else 'no'}"
        )
    )
    refs = [EvidenceRef(label=say(url, v), url=url, kind="page", value=v) for url, v in worst]
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
                f", lab medians of {runs_text} isolated loads each",
                left_out=len(lab) - len(lab_values),
            )
        pages = [p for p in _profile_pages(ev, q.profile) if p.error is None]
        values = [(p.url, getattr(p.timings, field_name)) for p in pages]
        found = [(u, v) for u, v in values if v is not None]
        return _aggregate_pages(
            metric, q, found, ", crawl timings (no lab measurements)", left_out=len(values) - len(found)
        )

    return measure


def _per_page(
    read: Callable[[PageEvidence, Metric, Query], Any], include_failed: bool = False
) -> Callable[[Metric, PortalEvidence, Query], Measurement]:
    """A metric whose per-page figure is read(page); None means the page lacks it."""

    def measure(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
        pages = [p for p in _profile_pages(ev, q.profile) if include_failed or p.error is None]
        values = [(p.url, read(p, metric, q)) for p in pages]
        found = [(u, v) for u, v in values if v is not None]
        return _aggregate_pages(metric, q, found, "", left_out=len(values) - len(found))

    return measure


def _page_ok(p: PageEvidence, m: Metric, q: Query) -> bool:
    return p.error is None and p.status is not None and 200 <= p.status < 400


def _has_title(p: PageEvidence, m: Metric, q: Query) -> bool:
    return bool(p.title.strip())


def _has_lang(p: PageEvidence, m: Metric, q: Query) -> bool:
    return bool(p.lang.strip())


def _security(key: str, read: Callable[[Any, Metric, Query], Any]) -> Callable[[PageEvidence, Metric, Query], Any]:
    def get(p: PageEvidence, m: Metric, q: Query) -> Any:
        if key not in p.security:
            return None
        return read(p.security[key], m, q)

    return get


def _headers_share(headers: Any, m: Metric, q: Query) -> float | None:
    if not isinstance(headers, dict):
        return None
    wanted = q.param(m, "headers")
    present = {k.lower() for k, v in headers.items() if v}
    return sum(1 for h in wanted if h in present) / len(wanted)


def _cookies_ok(cookies: Any, m: Metric, q: Query) -> bool | None:
    if not isinstance(cookies, list):
        return None
    required = q.param(m, "require")
    for c in cookies:
        for flag in required:
            v = c.get(flag) if isinstance(c, dict) else None
            if not v or (flag == "samesite" and str(v).lower() == "none"):
                return False
    return True


_VERSION = re.compile(r"\d")


def _no_version_disclosure(p: PageEvidence, m: Metric, q: Query) -> bool | None:
    sec = p.security
    if "server" not in sec and "x_powered_by" not in sec:
        return None
    server = sec.get("server") or ""
    return not _VERSION.search(str(server)) and not sec.get("x_powered_by")


def _mixed_content_free(mixed: Any, m: Metric, q: Query) -> bool | None:
    return None if not isinstance(mixed, list) else not mixed


# ---------------------------------------------------------------- accessibility


def _audited(ev: PortalEvidence, q: Query) -> list[PageEvidence]:
    return [
        p
        for p in _profile_pages(ev, q.profile)
        if p.error is None and p.accessibility is not None and p.accessibility.error is None
    ]


def _rule_summary(pages: list[PageEvidence], impacts: tuple[str, ...] = IMPACTS) -> list[EvidenceRef]:
    """The failing axe rules over all pages, with node and page counts, heaviest first."""
    by_rule: dict[str, dict] = {}
    for p in pages:
        for v in p.accessibility.violations:
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
        wcag = f", WCAG {' '.join(r['wcag'])}" if r["wcag"] else ""
        refs.append(
            EvidenceRef(
                label=f"{r['rule']} ({r['impact']}{wcag}): {r['nodes']} node{'s' if r['nodes'] != 1 else ''} "
                f"on {r['pages']} page{'s' if r['pages'] != 1 else ''}",
                url=r["url"],
                kind="violation",
                value=r,
            )
        )
    return refs


def _weighted_violations(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
    weights = q.param(metric, "impact_weights")
    cap = q.param(metric, "node_cap")
    pages = _audited(ev, q)
    values = []
    for p in pages:
        total = 0.0
        for v in p.accessibility.violations:
            nodes = v.node_count if cap is None else min(v.node_count, cap)
            total += weights.get(v.impact if v.impact in IMPACTS else "minor", 0) * nodes
        values.append((p.url, total))
    cap_text = f", nodes capped at {cap} per rule per page" if cap is not None else ""
    weights_text = "/".join(f"{weights.get(i, 0):g}" for i in IMPACTS)
    m = _aggregate_pages(
        metric,
        q,
        values,
        f"; weights critical/serious/moderate/minor {weights_text}{cap_text}",
        extra=_rule_summary(pages),
    )
    return m


def _clean_pages(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
    pages = _audited(ev, q)
    bad_rules = {
        p.url: sorted({v.rule for v in p.accessibility.violations if v.impact in ("critical", "serious")})
        for p in pages
    }
    values = [(p.url, not bad_rules[p.url]) for p in pages]
    return _aggregate_pages(
        metric,
        q,
        values,
        "",
        passing_means="with no critical or serious axe violation",
        extra=_rule_summary(pages, ("critical", "serious")),
        describe=lambda url, v: "critical/serious: " + ", ".join(bad_rules[url]),
    )


# ---------------------------------------------------------------- site figures


def _scenario(ev: PortalEvidence, sid: str) -> ScenarioResult | None:
    for s in ev.scenarios:
        if s.id == sid:
            return s
    return None


def _scenario_ref(s: ScenarioResult) -> EvidenceRef:
    if s.outcome == "passed":
        label = f"scenario {s.id}: passed ({len(s.steps)} steps)"
    else:
        step = f" at step '{s.failed_step}'" if s.failed_step else ""
        label = f"scenario {s.id}: {s.outcome}{step}" + (f": {s.reason}" if s.reason else "")
    url = next((st.url for st in s.steps if st.name == s.failed_step and st.url), "") or next(
        (st.url for st in reversed(s.steps) if st.url), ""
    )
    return EvidenceRef(
        label=label,
        url=url,
        kind="scenario",
        value={
            "scenario": s.id,
            "outcome": s.outcome,
            "failed_step": s.failed_step,
            "reason": s.reason,
            "screenshot": s.screenshot,
            "steps": [{"name": st.name, "ok": st.ok, "detail": st.detail} for st in s.steps],
        },
    )


def _scenario_missing(s: ScenarioResult | None, sid: str, unit: str) -> Measurement | None:
    if s is None:
        return Measurement(None, unit, "scenario outcome", missing=f"scenario {sid} was not run", status="missing")
    if s.outcome == "not_applicable":
        return Measurement(
            None,
            unit,
            "scenario outcome",
            [_scenario_ref(s)],
            missing=f"scenario {sid} not applicable" + (f": {s.reason}" if s.reason else ""),
            status="not_applicable",
        )
    if s.outcome == "error":
        return Measurement(
            None,
            unit,
            "scenario outcome",
            [_scenario_ref(s)],
            missing=f"scenario {sid} could not run" + (f": {s.reason}" if s.reason else ""),
            status="missing",
        )
    return None


def _scenario_passed(sid: str) -> Callable[[Metric, PortalEvidence, Query], Measurement]:
    def measure(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
        s = _scenario(ev, sid)
        gap = _scenario_missing(s, sid, "")
        if gap:
            return gap
        return Measurement(s.outcome == "passed", "", f"scenario outcome: {s.outcome}", [_scenario_ref(s)])

    return measure


def _scenario_steps(sid: str) -> Callable[[Metric, PortalEvidence, Query], Measurement]:
    def measure(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
        s = _scenario(ev, sid)
        gap = _scenario_missing(s, sid, "share")
        if gap:
            return gap
        if not s.steps:
            return Measurement(None, "share", missing=f"scenario {sid} recorded no steps", status="missing")
        # Scenarios that check a list of required items record one `has_<item>` step each;
        # those, not the navigation before them, are what the share measures.
        checks = [st for st in s.steps if st.name.startswith("has_")] or s.steps
        ok = sum(1 for st in checks if st.ok)
        kind = "required items found" if checks is not s.steps else "recorded steps that passed"
        return Measurement(
            ok / len(checks),
            "share",
            f"share of {kind}: {ok} of {len(checks)} (outcome {s.outcome})",
            [_scenario_ref(s)],
        )

    return measure


def _site_flag(path: tuple[str, ...], words: str) -> Callable[[Metric, PortalEvidence, Query], Measurement]:
    def measure(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
        value: Any = ev.site
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if not isinstance(value, bool):
            return Measurement(None, "", "site check", missing=f"{words}: not recorded", status="missing")
        detail = ""
        if path[0] == "tls" and isinstance(ev.site.get("tls"), dict) and ev.site["tls"].get("error"):
            detail = f": {ev.site['tls']['error']}"
        ref = EvidenceRef(
            label=f"{words}: {'yes' if value else 'no'}{detail}", url=ev.portal.url, kind="site", value=value
        )
        return Measurement(value, "", "site check", [ref])

    return measure


def _links_ok(metric: Metric, ev: PortalEvidence, q: Query) -> Measurement:
    kinds = q.param(metric, "kinds")
    checked = [lc for lc in ev.links if lc.kind in kinds]
    if not checked:
        return Measurement(None, "share", missing="no link was checked", status="missing")
    broken = sorted((lc for lc in checked if lc.broken), key=lambda lc: lc.url)
    value = 1 - len(broken) / len(checked)
    refs = [
        EvidenceRef(
            label=f"{lc.status if lc.status is not None else lc.error} {lc.url}",
            url=lc.url,
            kind="link",
            value={"status": lc.status, "error": lc.error, "source": lc.source, "kind": lc.kind},
        )
        for lc in broken[:WORST_ITEMS]
    ]
    return Measurement(
        value,
        "share",
        f"share of {len(checked)} checked links ({', '.join(kinds)}) that work: {len(broken)} broken",
        refs,
    )


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
    measure: Callable,
    params: dict[str, Param] | None = None,
    fraction: bool = False,
) -> Metric:
    return Metric(name, label, scope, type_, better, unit, description, measure, params or {}, fraction)


_TIMINGS = [
    ("timing.lcp_ms", "LCP", "lcp_ms", "ms", "Largest Contentful Paint"),
    ("timing.fcp_ms", "FCP", "fcp_ms", "ms", "First Contentful Paint"),
    ("timing.ttfb_ms", "TTFB", "ttfb_ms", "ms", "time to first byte"),
    ("timing.load_ms", "load", "load_ms", "ms", "load event"),
    ("timing.dcl_ms", "DCL", "dcl_ms", "ms", "DOMContentLoaded"),
    ("timing.tbt_ms", "TBT", "tbt_ms", "ms", "total blocking time (long tasks)"),
    ("timing.cls", "CLS", "cls", "", "Cumulative Layout Shift (unitless)"),
]

METRICS: dict[str, Metric] = {}
for _name, _label, _field, _unit, _desc in _TIMINGS:
    METRICS[_name] = _m(
        _name,
        _label,
        "page",
        "number",
        "lower",
        _unit,
        f"{_desc} per page; lab median when measured, else the crawl's timing",
        _timing(_field),
    )

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
    ),
    _m(
        "security.https",
        "HTTPS",
        "page",
        "bool",
        "higher",
        "",
        "the page was served over HTTPS",
        _per_page(lambda p, m, q: p.security["https"] if isinstance(p.security.get("https"), bool) else None),
    ),
    _m(
        "security.hsts",
        "HSTS",
        "page",
        "bool",
        "higher",
        "",
        "the page sends Strict-Transport-Security",
        _per_page(lambda p, m, q: p.security["hsts"] if isinstance(p.security.get("hsts"), bool) else None),
    ),
    _m(
        "security.headers",
        "security headers",
        "page",
        "number",
        "higher",
        "share",
        "share of the listed security headers the page sends",
        _per_page(_security("headers", _headers_share)),
        {"headers": Param(DEFAULT_HEADERS, _subset_of(SECURITY_HEADERS), "headers that must be present")},
        fraction=True,
    ),
    _m(
        "security.no_mixed_content",
        "no mixed content",
        "page",
        "bool",
        "higher",
        "",
        "the page loads nothing over plain http://",
        _per_page(_security("mixed_content", _mixed_content_free)),
    ),
    _m(
        "security.cookie_flags",
        "cookie flags",
        "page",
        "bool",
        "higher",
        "",
        "every cookie the page sets carries the required flags (a page without cookies passes)",
        _per_page(_security("cookies", _cookies_ok)),
        {"require": Param(["secure", "httponly"], _subset_of(COOKIE_FLAGS), "flags every cookie must carry")},
    ),
    _m(
        "security.no_version_disclosure",
        "no server version",
        "page",
        "bool",
        "higher",
        "",
        "neither the Server header shows a version number nor X-Powered-By is sent",
        _per_page(_no_version_disclosure),
    ),
    _m(
        "site.https_redirect",
        "http→https redirect",
        "site",
        "bool",
        "higher",
        "",
        "plain http:// requests are redirected to https://",
        _site_flag(("https_redirect",), "http redirects to https"),
    ),
    _m(
        "site.tls_valid",
        "valid certificate",
        "site",
        "bool",
        "higher",
        "",
        "the TLS certificate is valid for the host",
        _site_flag(("tls", "valid"), "valid TLS certificate"),
    ),
    _m(
        "site.robots",
        "robots.txt",
        "site",
        "bool",
        "higher",
        "",
        "robots.txt is published",
        _site_flag(("robots", "found"), "robots.txt found"),
    ),
    _m(
        "site.sitemap",
        "sitemap.xml",
        "site",
        "bool",
        "higher",
        "",
        "a sitemap.xml is published",
        _site_flag(("sitemap", "found"), "sitemap found"),
    ),
    _m(
        "site.emc",
        "EMC script",
        "site",
        "bool",
        "higher",
        "",
        "the EMC monitoring script (emc.gov.vn) is loaded by the portal",
        _site_flag(("emc",), "EMC tracking script seen"),
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

for _sid in SCENARIO_IDS:
    METRICS[f"scenario.{_sid}"] = _m(
        f"scenario.{_sid}",
        f"scenario {_sid}",
        "site",
        "bool",
        "higher",
        "",
        f"the '{_sid}' scenario passed",
        _scenario_passed(_sid),
    )
    METRICS[f"scenario_steps.{_sid}"] = _m(
        f"scenario_steps.{_sid}",
        f"steps of {_sid}",
        "site",
        "number",
        "higher",
        "share",
        f"share of the recorded steps of the '{_sid}' scenario that passed (steps never reached are not counted)",
        _scenario_steps(_sid),
        fraction=True,
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
)


def measure(metric_name: str, evidence: PortalEvidence, query: Query) -> Measurement:
    metric = METRICS[metric_name]
    return metric.measure(metric, evidence, query)
