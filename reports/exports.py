"""Machine-readable files beside the HTML: ranking.json, ranking.csv, evidence/<portal>.json, and the data
dictionary that describes them (data.html is rendered from DICTIONARY, so the page and the files cannot
disagree: tests/test_report_data.py checks every key and column against it).

ranking.json is a contract other tools rely on; change it only additively. Published evidence is the run's
evidence without operator material: no trace paths, no local paths, only the settings a reader can weigh.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from portalscore.contract.evidence import PageEvidence, PortalEvidence, ScenarioResult, Violation
from portalscore.criteria.message import Message
from portalscore.criteria.model import CriterionScore, PortalScore

from .i18n import N_
from .publisher import Publisher
from .safe import LOCAL_PATH, file_stem, scrub

# Crawl settings a reader of the published evidence may see: figures of the method, no hosts, contacts or paths.
PUBLIC_SETTINGS = (
    "max_pages",
    "max_depth",
    "lab_runs",
    "lab_pages",
    "profiles",
    "throttle",
    "mobile_throttle",
    "throttling_method",
    "mobile_pages",
    "outbound_sample",
    "run_axe",
    "reuse_audits",
    "audit_per_template",
    "link_checks",
    "page_timeout_s",
    "request_timeout_s",
    "settle_s",
)


def _score(value: float) -> float:
    return round(float(value), 2)


def _criterion(c: CriterionScore) -> dict[str, Any]:
    return {
        "score": None if c.score is None else _score(c.score),
        "points": _score(c.points),
        "max_points": _score(c.max_points),
        "status": c.status,
    }


def ranking_dict(
    criteria: dict[str, Any], generated_at: str, run_id: int, scores: list[PortalScore], publisher: Publisher
) -> dict[str, Any]:
    ordered = sorted(scores, key=lambda s: (s.rank, s.portal_id))
    return {
        "criteria_set": str(criteria.get("id", "")),
        "criteria_set_version": str(criteria.get("version", "")),
        "generated_at": generated_at,
        "run_id": run_id,
        "publisher": {
            "name_vi": publisher.name_vi,
            "name_en": publisher.name_en,
            "contact": publisher.contact,
            "method_version": publisher.method_version or str(criteria.get("version", "")),
            "method_date": publisher.method_date,
        },
        "criteria": [
            {
                "id": str(c.get("id", "")),
                "group": str(c.get("group", "")),
                "title_vi": str(c.get("title_vi", "")),
                "title_en": str(c.get("title_en", "")),
                "points": c.get("points"),
            }
            for c in criteria.get("criteria", [])
            if isinstance(c, dict)
        ],
        "portals": [
            {
                "id": s.portal_id,
                "name": s.name,
                "kind": s.kind,
                "url": s.url,
                "rank": s.rank,
                "rank_in_kind": s.rank_in_kind,
                "score": _score(s.score),
                "grade": s.grade,
                "groups": {gid: _score(g.score) for gid, g in s.groups.items()},
                "criteria": {c.id: _criterion(c) for c in s.criteria},
                "pages_evaluated": s.pages_evaluated,
                "errors": [scrub(e) for e in s.errors],
                "change": s.change,
                "previous_rank": s.previous_rank,
                "tied_with": list(s.tied_with),
                "group_spread": dict(s.group_noise),
                "group_tied_with": {gid: list(ids) for gid, ids in s.group_tied_with.items()},
            }
            for s in ordered
        ],
    }


def _criteria_ids(ranking: dict[str, Any]) -> list[str]:
    ids = [str(c["id"]) for c in ranking.get("criteria", [])]
    for p in ranking["portals"]:
        ids += [cid for cid in p.get("criteria", {}) if cid not in ids]
    return ids


def ranking_csv(ranking: dict[str, Any], group_ids: list[str]) -> str:
    """One row per portal; column names are the JSON keys (a criterion's as <id>.score and <id>.points), so
    that scripts can read either file."""
    criteria = _criteria_ids(ranking)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(
        [
            "rank",
            "rank_in_kind",
            "id",
            "name",
            "kind",
            "url",
            "score",
            "grade",
            *group_ids,
            *(f"{cid}.{part}" for cid in criteria for part in ("score", "points")),
            "pages_evaluated",
            "change",
            "previous_rank",
            "tied_with",
            "errors",
        ]
    )
    for p in ranking["portals"]:
        cells = []
        for cid in criteria:
            c = p.get("criteria", {}).get(cid)
            cells += (
                ["", ""] if c is None else ["" if c["score"] is None else f"{c['score']:.2f}", f"{c['points']:.2f}"]
            )
        writer.writerow(
            [
                p["rank"],
                p["rank_in_kind"],
                p["id"],
                p["name"],
                p["kind"],
                p.get("url", ""),
                f"{p['score']:.2f}",
                p["grade"],
                *(f"{p['groups'][g]:.2f}" if g in p["groups"] else "" for g in group_ids),
                *cells,
                p["pages_evaluated"],
                p["change"],
                "" if p.get("previous_rank") is None else p["previous_rank"],
                " ".join(p["tied_with"]),
                " | ".join(p["errors"]),
            ]
        )
    return buf.getvalue()


def _fields(obj: Any) -> dict[str, Any]:
    """json `default` hook: a dataclass as its fields. Same output as dataclasses.asdict, but the
    recursion stays in the C encoder (asdict deep-copies every value: 60 x 200 pages took seconds)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dict(obj.__dict__)
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def _public_scenario(s: ScenarioResult, screenshot: str | None) -> ScenarioResult:
    return replace(
        s,
        trace=None,
        screenshot=screenshot,
        reason=scrub(s.reason) or "",
        steps=[replace(st, detail=scrub(st.detail) or "") for st in s.steps],
    )


def _public_violations(violations: list[Violation], crops: Mapping[str, str]) -> list[Violation]:
    """Each element's crop by its published path, or none: the archive's own references stay with the operator."""
    return [
        replace(v, nodes=[replace(n, crop=crops.get(n.crop) if n.crop else None) for n in v.nodes])
        if any(n.crop for n in v.nodes)
        else v
        for v in violations
    ]


def _public_page(p: PageEvidence, crops: Mapping[str, str]) -> PageEvidence:
    acc = p.accessibility
    if acc is not None:
        acc = replace(
            acc,
            violations=_public_violations(acc.violations, crops),
            best_practice=_public_violations(acc.best_practice, crops),
        )
        p = replace(p, accessibility=acc)
    texts = [p.error or "", *p.notes]
    if not any(LOCAL_PATH.search(t) for t in texts):
        return p
    return replace(p, error=scrub(p.error), notes=[scrub(n) or "" for n in p.notes])


def public_evidence(
    ev: PortalEvidence, screenshots: dict[int, str], crops: Mapping[str, str] | None = None
) -> PortalEvidence:
    """The evidence as published: screenshots and element crops by their published path (or none), no traces,
    no archive references, no local paths, only PUBLIC_SETTINGS. screenshots: index in ev.scenarios -> path from
    the report root; crops: an element's crop reference in the archive -> the published crop's path."""
    return replace(
        ev,
        settings={k: ev.settings[k] for k in PUBLIC_SETTINGS if k in ev.settings},
        scenarios=[_public_scenario(s, screenshots.get(i)) for i, s in enumerate(ev.scenarios)],
        pages=[_public_page(p, crops or {}) for p in ev.pages],
        errors=[scrub(e) or "" for e in ev.errors],
    )


def write_exports(
    out_dir: Path, ranking: dict[str, Any], group_ids: list[str], evidence: dict[str, PortalEvidence]
) -> None:
    (out_dir / "ranking.json").write_text(json.dumps(ranking, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    # The BOM is what makes spreadsheet software read the file as UTF-8 (Vietnamese diacritics).
    (out_dir / "ranking.csv").write_text(ranking_csv(ranking, group_ids), encoding="utf-8-sig", newline="")
    ev_dir = out_dir / "evidence"
    ev_dir.mkdir(parents=True, exist_ok=True)
    for portal_id, ev in evidence.items():
        (ev_dir / f"{file_stem(portal_id)}.json").write_text(
            json.dumps(ev, default=_fields, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )


def explain_dict(score: PortalScore, criterion_id: str | None = None) -> dict[str, Any]:
    """`portalscore explain --json`: one portal's score, groups and criteria (or one criterion) with rule,
    statistic, arithmetic and evidence, in English, with the messages beside them for other tools."""

    def message(m: Message | None) -> dict[str, Any] | None:
        return dataclasses.asdict(m) if m is not None else None

    def criterion(c: CriterionScore) -> dict[str, Any]:
        return {
            "id": c.id,
            "group": c.group,
            "title_vi": c.title_vi,
            "title_en": c.title_en,
            "metric": c.metric,
            "score": c.score,
            "points": c.points,
            "max_points": c.max_points,
            "status": c.status,
            "value": c.value,
            "unit": c.unit,
            "statistic": c.statistic,
            "rule": c.rule,
            "arithmetic": c.arithmetic,
            "finding": str(c.finding_msg) if c.finding_msg else "",
            "fix": str(c.fix_msg) if c.fix_msg else "",
            "source": c.source,
            "evidence": [
                {"label": r.label, "url": r.url, "kind": r.kind, "label_msg": message(r.label_msg)} for r in c.evidence
            ],
            "messages": {
                "statistic": message(c.statistic_msg),
                "rule": message(c.rule_msg),
                "arithmetic": message(c.arithmetic_msg),
                "finding": message(c.finding_msg),
                "fix": message(c.fix_msg),
            },
        }

    items = [c for c in score.criteria if criterion_id is None or c.id == criterion_id]
    out: dict[str, Any] = {
        "portal": score.portal_id,
        "name": score.name,
        "kind": score.kind,
        "criteria_set": score.criteria_set,
        "criteria": [criterion(c) for c in items],
    }
    if criterion_id is None:
        out |= {
            "score": score.score,
            "grade": score.grade,
            "rank": score.rank,
            "rank_in_kind": score.rank_in_kind,
            "arithmetic": score.arithmetic,
            "noise": score.noise,
            "noise_note": score.noise_note,
            "groups": {
                gid: {"score": g.score, "points": g.points, "max_points": g.max_points, "arithmetic": g.arithmetic}
                for gid, g in score.groups.items()
            },
        }
    return out


# ---------------------------------------------------------------- the data dictionary (data.html)


@dataclass(frozen=True)
class Field:
    name: str  # JSON key or CSV column; <id> and <group> stand for every criterion and group id
    type: str  # text | number | integer | list | object | date-time | null
    meaning: str  # English (a catalogue msgid)


@dataclass(frozen=True)
class DataFile:
    file: str
    about: str
    fields: tuple[Field, ...]


DICTIONARY: tuple[DataFile, ...] = (
    DataFile(
        "ranking.json",
        N_("The ranking: one object for the run, one per portal, best first."),
        (
            Field("criteria_set", "text", N_("Id of the criteria set that produced the scores.")),
            Field("criteria_set_version", "text", N_("Version of that criteria set.")),
            Field("generated_at", "date-time", N_("When the run finished (ISO 8601, with its time zone).")),
            Field("run_id", "integer", N_("Number of the evaluation run in the publisher's database.")),
            Field(
                "publisher",
                "object",
                N_("Who publishes the report: name_vi, name_en, contact, method_version, method_date."),
            ),
            Field("criteria", "list", N_("Every criterion of the set: id, group, title_vi, title_en, points.")),
            Field("portals", "list", N_("One object per portal, in ranking order; its keys follow.")),
            Field("portals[].id", "text", N_("The portal's id in the registry.")),
            Field("portals[].name", "text", N_("The portal's name.")),
            Field("portals[].kind", "text", N_("ministry, province, national or other.")),
            Field("portals[].url", "text", N_("The address evaluated.")),
            Field("portals[].rank", "integer", N_("Place among all portals (equal scores share a place).")),
            Field("portals[].rank_in_kind", "integer", N_("Place among the portals of the same kind.")),
            Field("portals[].score", "number", N_("Overall score, 0 to 100.")),
            Field("portals[].grade", "text", N_("Grade of the overall score (A to E).")),
            Field("portals[].groups.<group>", "number", N_("Score of each criteria group, 0 to 100.")),
            Field(
                "portals[].criteria.<id>.score",
                "number | null",
                N_("Score of each criterion, 0 to 100; null when it was left out for missing evidence."),
            ),
            Field(
                "portals[].criteria.<id>.points", "number", N_("Points the criterion earned towards the overall score.")
            ),
            Field(
                "portals[].criteria.<id>.max_points",
                "number",
                N_("Points the criterion could earn in this portal's evaluation."),
            ),
            Field(
                "portals[].criteria.<id>.status",
                "text",
                N_("scored, missing (evidence missing), not_applicable or excluded."),
            ),
            Field(
                "portals[].pages_evaluated",
                "integer",
                N_("Pages loaded without error (desktop and phone), the pages the criteria read."),
            ),
            Field("portals[].errors", "list", N_("What went wrong while evaluating the portal, if anything.")),
            Field(
                "portals[].change",
                "text",
                N_("up, down, same or new, against the previous run; empty when there is none."),
            ),
            Field(
                "portals[].previous_rank", "integer | null", N_("Place in the previous run, if the portal was in it.")
            ),
            Field(
                "portals[].tied_with",
                "list",
                N_("Portals whose score is not distinguishable from this one (measurement noise)."),
            ),
            Field(
                "portals[].group_spread",
                "object",
                N_("Per group: how far the group's score moved between the repeated lab loads (0 to 100 scale)."),
            ),
            Field(
                "portals[].group_tied_with",
                "object",
                N_(
                    "Per group: the portals whose score in the group differs from this one's by less than that spread (a tie)."
                ),
            ),
        ),
    ),
    DataFile(
        "ranking.csv",
        N_("The same ranking as a table (UTF-8 with BOM, opens in spreadsheets): one row per portal."),
        (
            Field("rank, rank_in_kind, id, name, kind, url, score, grade", "", N_("As in ranking.json.")),
            Field("<group>", "number", N_("Score of each criteria group, 0 to 100.")),
            Field("<id>.score", "number", N_("Score of each criterion, 0 to 100; empty when left out.")),
            Field("<id>.points", "number", N_("Points each criterion earned.")),
            Field("pages_evaluated, change, previous_rank", "", N_("As in ranking.json.")),
            Field(
                "tied_with", "text", N_("Ids of the portals not distinguishable from this one, separated by spaces.")
            ),
            Field("errors", "text", N_("Evaluation errors, separated by “ | ”.")),
        ),
    ),
    DataFile(
        "evidence/<portal>.json",
        N_("Everything measured on one portal, as the criteria read it."),
        (
            Field("portal", "object", N_("id, name, kind and url of the portal.")),
            Field("started_at, finished_at", "date-time", N_("When the crawl of the portal started and ended.")),
            Field(
                "pages",
                "list",
                N_(
                    "Each page load: address, profile, HTTP status, timings, weight, requests, console errors, links, security headers, axe-core result."
                ),
            ),
            Field("lab", "list", N_("Pages loaded alone several times: each load's timings and their median.")),
            Field(
                "links",
                "list",
                N_("Links checked without loading them as pages: status or error, and the page they were found on."),
            ),
            Field(
                "scenarios",
                "list",
                N_("Each citizen journey: outcome, steps, the step that failed and why, screenshot."),
            ),
            Field(
                "site",
                "object",
                N_("Site-wide checks: robots.txt, sitemap, certificate, redirect to HTTPS, EMC script."),
            ),
            Field(
                "tls",
                "object",
                N_(
                    "The certificate as a browser that verifies it sees it: valid, error, issuer, expires, days_left, "
                    "version (TLS protocol)."
                ),
            ),
            Field(
                "https_redirect",
                "object",
                N_("What http:// of the portal answers: redirects (true/false), url asked, hops, final_url, status."),
            ),
            Field("errors", "list", N_("What went wrong while evaluating the portal.")),
            Field(
                "settings",
                "object",
                N_("The crawl figures the evidence was collected with (page cap, lab loads, ...)."),
            ),
            Field("browser", "text", N_("Browser and version the pages were measured with.")),
        ),
    ),
)
