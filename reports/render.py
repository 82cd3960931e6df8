"""Render the whole report folder from one run's scores and evidence."""

from __future__ import annotations

import base64
import hashlib
import shutil
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from portalscore.contract.evidence import PortalEvidence
from portalscore.criteria.model import PortalScore

from . import charts, views
from .crops import publish_crops, publish_step_crops
from .evidence import ReportEvidence, report_evidence
from .exports import DICTIONARY, public_evidence, ranking_dict, write_exports
from .i18n import LANGS, Translator
from .method import collection_facts
from .publisher import Publisher
from .safe import artefact_file, file_stem, link

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
CSS_NAME = "report.css"
PAGES = ("index", "portal", "method", "data")


@dataclass
class ReportInput:
    run_id: int
    generated_at: str
    registry_name: str
    criteria: dict[str, Any]
    settings: dict[str, Any]  # the run's crawl settings: the method page says some of them in words, never raw
    scores: list[PortalScore]
    evidence: dict[str, PortalEvidence]
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    artefact_dir: Path | None = None  # the run's screenshots (operator material: only images are copied)
    archive_dir: Path | None = None  # the run's evidence archive: findings' elements are cut from its screenshots
    # --publish-evidence: the archive's part for this run copied into archive/ and linked (reports/evidence.py)
    publish_evidence: bool = False
    publisher: Publisher = field(default_factory=Publisher)
    # The run the scores' previous ranks come from; None: found in `history` when its ranks agree.
    previous: views.PreviousRun | None = None


def operator_dir(out_dir: Path) -> Path:
    """Where a run's operator material belongs (journey screenshots and traces, the run's log, settings):
    beside the published folder, never inside it. `out/demo` publishes; `out/demo.operator` does not."""
    out_dir = Path(out_dir)
    return out_dir.parent / f"{out_dir.name}.operator"


@dataclass
class PageLinks:
    """Where one page sits, and the relative links it needs (the report works from file://)."""

    lang: str
    other_lang: str
    name: str  # index | method | portal | data
    up: str  # to this language's root
    root: str  # to the report folder (assets, exports)
    other_href: str  # the same page in the other language


def _page_links(lang: str, top_lang: str, path: str, name: str) -> PageLinks:
    other = next(code for code in LANGS if code != lang)
    up = "../" * path.count("/")
    nested = lang != top_lang
    root = up + ("../" if nested else "")
    other_href = up + ("../" if nested else f"{other}/") + path
    return PageLinks(lang=lang, other_lang=other, name=name, up=up, root=root, other_href=other_href)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.globals["link"] = link
    return env


def _csp(script: str) -> str:
    """Only our own stylesheet, images and the one inline script may load: crawled text that slipped
    through escaping still could not run or fetch anything. connect-src 'self' lets an auditing tool
    run in the page (axe reads the stylesheet) without opening anything else."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; style-src 'self'; img-src 'self'; connect-src 'self'; script-src 'sha256-{digest}'; "
        "base-uri 'none'; form-action 'none'"
    )


def _copy_screenshots(data: ReportInput, out_dir: Path) -> dict[str, dict[int, str]]:
    """Copy the screenshots the scenarios refer to (images only: traces and logs stay with the operator);
    returns portal id -> scenario index -> path from the root. Destination names are ours, never taken from
    the evidence (no path traversal)."""
    copied: dict[str, dict[int, str]] = {}
    for portal_id, ev in data.evidence.items():
        for i, scenario in enumerate(ev.scenarios):
            # An archived run keeps them in the archive (<portal>/journeys/run-<N>/), an older one in its artefacts.
            src = artefact_file(data.artefact_dir, scenario.screenshot) or artefact_file(
                data.archive_dir, scenario.screenshot
            )
            if src is None:
                continue
            rel = f"assets/screenshots/{file_stem(portal_id)}/{i:02d}-{file_stem(scenario.id)}{src.suffix.lower()}"
            dest = out_dir / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if src != dest.resolve():
                shutil.copyfile(src, dest)
            copied.setdefault(portal_id, {})[i] = rel
    return copied


def render_report(data: ReportInput, out_dir: Path, lang: str = "vi") -> Path:
    """Write the report: `lang` at out_dir/, the other language at out_dir/<code>/; returns out_dir/index.html.
    Everything written is fit to publish: no local path, command-line flag, raw setting or trace."""
    if lang not in LANGS:
        raise ValueError(f"unknown report language {lang!r}: use one of {', '.join(LANGS)}")
    out_dir = Path(out_dir)
    (out_dir / "assets").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STATIC / CSS_NAME, out_dir / "assets" / CSS_NAME)
    script = (STATIC / "sort.js").read_text(encoding="utf-8")
    csp = _csp(script)

    criteria = data.criteria
    groups_def = [g for g in criteria.get("groups", []) if isinstance(g, dict) and "id" in g]
    group_ids = [g["id"] for g in groups_def]
    group_ids += sorted({gid for s in data.scores for gid in s.groups} - set(group_ids))
    bands = views.grade_bands(criteria)
    scores = sorted(data.scores, key=lambda s: (s.rank, s.portal_id))
    names = {s.portal_id: s.name for s in scores}
    previous = data.previous or views.previous_from_history(data.history, data.run_id, scores)

    screenshots = _copy_screenshots(data, out_dir)
    crops = {ref: crop.path for ref, crop in publish_crops(data.evidence, data.archive_dir, out_dir).items()}
    step_crops = publish_step_crops(data.evidence, [data.artefact_dir, data.archive_dir], out_dir)
    found = report_evidence(
        data.run_id, data.evidence, data.archive_dir, data.artefact_dir, out_dir, data.publish_evidence
    )
    ranking = ranking_dict(criteria, data.generated_at, data.run_id, scores, data.publisher)
    public = {pid: public_evidence(ev, screenshots.get(pid, {}), crops) for pid, ev in data.evidence.items()}
    write_exports(out_dir, ranking, group_ids, public)

    # Pages show the published evidence, the same as the JSON beside them: no operator material in either.
    facts = {s.portal_id: views.portal_facts(s, public.get(s.portal_id)) for s in scores}
    for pid, f in facts.items():
        for rule in f.rules:
            for rp in rule.pages:
                rp.evidence = found.page(pid, rp.url, rp.profile)
    collection = collection_facts(data.settings, public, data.generated_at)
    env = _environment()
    templates: dict[str, Template] = {name: env.get_template(f"{name}.html") for name in PAGES}
    for page_lang in LANGS:
        t = Translator(page_lang)
        env.install_gettext_callables(t.gettext, t.ngettext, newstyle=False)  # type: ignore[attr-defined]
        base = out_dir if page_lang == lang else out_dir / page_lang
        (base / "portals").mkdir(parents=True, exist_ok=True)
        groups_by_id = {g["id"]: g for g in groups_def}
        group_titles = [t.title(groups_by_id.get(gid, {"id": gid})) for gid in group_ids]
        common = dict(
            t=t,
            script=script,
            csp=csp,
            criteria=criteria,
            bands=bands,
            run_id=data.run_id,
            generated_at=data.generated_at,
            registry_name=data.registry_name,
            criteria_title=t.title(criteria),
            group_ids=group_ids,
            group_titles=group_titles,
            publisher=data.publisher,
            filter_from=views.FILTER_FROM,
            words=views.WORDS,
        )

        tables = views.ranking_tables(t, scores, group_ids)
        bar_charts = {
            tbl.kind: charts.bar_chart(
                [(r.score.name, r.score.score, t.num(r.score.score, 1), r.score.grade, r.href) for r in tbl.rows],
                bands,
            )
            for tbl in tables
        }
        _write(
            base / "index.html",
            templates["index"].render(
                page=_page_links(page_lang, lang, "index.html", "index"),
                tables=tables,
                all_rows=sorted(
                    (r for tbl in tables for r in tbl.rows), key=lambda r: (r.score.rank, r.score.portal_id)
                ),
                charts=bar_charts,
                summary=views.summary(t, scores, bands, previous),
                portal_count=len(scores),
                **common,
            ),
        )
        _write(
            base / "method.html",
            templates["method"].render(
                page=_page_links(page_lang, lang, "method.html", "method"),
                groups_def=groups_def,
                criteria_by_group=views.method_criteria(t, criteria, group_ids),
                collection=collection,
                points_total=_points_total(groups_def),
                **common,
            ),
        )
        _write(
            base / "data.html",
            templates["data"].render(
                page=_page_links(page_lang, lang, "data.html", "data"), dictionary=DICTIONARY, **common
            ),
        )
        for s in scores:
            history = data.history.get(s.portal_id, [])
            pv = views.portal_view(
                t, s, facts[s.portal_id], groups_def, history, screenshots.get(s.portal_id, {}), names
            )
            _link_journeys(
                pv, s.portal_id, found, {k[1:]: c.path for k, c in step_crops.items() if k[0] == s.portal_id}
            )
            trend = None
            if len(history) >= 2:
                points = [(float(h["score"]), t.day(str(h["generated_at"]))) for h in history]
                trend = charts.trend_chart(points, partial(t.num, digits=0))
            path = views.portal_href(s.portal_id)
            _write(
                base / path,
                templates["portal"].render(
                    page=_page_links(page_lang, lang, path, "portal"), p=pv, trend=trend, **common
                ),
            )
    return out_dir / "index.html"


def _link_journeys(
    pv: views.PortalView, portal_id: str, found: ReportEvidence, crops: dict[tuple[int, int], str]
) -> None:
    """Each failed step: the element it points at, and its page as the crawl archived it; each journey: its trace."""
    for i, sc in enumerate(pv.scenarios):
        sc.trace = found.traces.get(portal_id, {}).get(i)
        for k, (view, step) in enumerate(zip(sc.steps, sc.result.steps)):
            if step.ok:
                continue
            view.crop = crops.get((i, k))
            if step.url:
                view.evidence = found.page(portal_id, step.url) or found.page(portal_id, step.url, "mobile")


def _points_total(groups_def: list[dict[str, Any]]) -> float | None:
    points = [g.get("points") for g in groups_def]
    if not points or not all(isinstance(p, (int, float)) for p in points):
        return None
    return float(sum(p for p in points if isinstance(p, (int, float))))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
