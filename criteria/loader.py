"""Load a criteria set from YAML (bundled name or path), resolve `extends`, validate everything.

Every problem is an InputError naming the file, line and field where the offending value was written,
which for an extending set may be the user's file or the set it extends.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from portalscore.contract.errors import InputError
from portalscore.contract.yamlfile import Located, load

from .criteriaset import CriteriaSet, Criterion, Group, WhenMissing
from .metrics import METRICS, journey_ids
from .rules import RULE_KEYS, RULES, RuleError

BUNDLED_DIR = Path(__file__).resolve().parent / "sets"
REQUIRED_GROUPS = ("functionality", "performance", "accessibility")  # ranking.json and the report always show them
TOP_KEYS = {
    "id",
    "version",
    "title_vi",
    "title_en",
    "description",
    "description_vi",
    "description_en",
    "notes",
    "notes_vi",
    "notes_en",
    "total",
    "grades",
    "groups",
    "noise_margin",
    "criteria",
    "extends",
    "remove",
    "remove_groups",
}
IDENTITY_KEYS = ("id", "version", "title_vi", "title_en")  # every file states its own: a changed set is a new set
GROUP_KEYS = {"id", "title_vi", "title_en", "points", "description", "description_vi", "description_en"}
CRITERION_KEYS = {
    "id",
    "title_vi",
    "title_en",
    "group",
    "points",
    "weight",
    "evidence",
    "statistic",
    "profile",
    "params",
    "rule",
    "when_missing",
    "source",
    "basis",
    "note",
    "note_vi",
    "note_en",
}
METRIC_BOUND_KEYS = ("statistic", "profile", "params", "rule")  # meaningless once `evidence` changes
PROFILES = ("desktop", "mobile")
BASES = ("official", "ours")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def available_sets() -> list[str]:
    return sorted(p.stem for p in BUNDLED_DIR.glob("*.yaml"))


def _closest(word: Any, options: Iterable[str]) -> str:
    match = difflib.get_close_matches(str(word), sorted(options), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


@dataclass(frozen=True)
class Src:
    """Where a value was written: a document and the path inside it."""

    doc: Located
    path: tuple[Any, ...]

    def at(self, *keys: Any) -> Src:
        return Src(self.doc, self.path + keys)

    def error(self, message: str) -> InputError:
        return self.doc.error(self.path, message)


Fields = dict[str, tuple[Any, Src]]  # field -> (value, where written)


@dataclass
class Draft:
    """A set being assembled from a chain of files, before type checks."""

    top: Fields = field(default_factory=dict)
    groups: dict[str, Fields] = field(default_factory=dict)
    group_src: dict[str, Src] = field(default_factory=dict)
    criteria: dict[str, Fields] = field(default_factory=dict)
    criterion_src: dict[str, Src] = field(default_factory=dict)
    groups_key: Src | None = None  # the `groups:` list last written, for errors about the groups as a whole
    doc: Located | None = None  # the file loaded last (the user's), for errors about the set as a whole
    extends: str | None = None


def _resolve(name_or_path: str | Path, relative_to: Path | None = None, src: Src | None = None) -> Path:
    text = str(name_or_path)
    path = Path(text)
    if relative_to is not None and not path.is_absolute():
        path = relative_to.parent / path
    if path.is_file():
        return path
    bundled = BUNDLED_DIR / f"{text}.yaml"
    if "/" not in text and "\\" not in text and bundled.is_file():
        return bundled
    if path.suffix in (".yaml", ".yml") or "/" in text or "\\" in text:
        return path  # the loader reports "file not found" with the path
    message = (
        f"unknown criteria set {text!r} (available: {', '.join(available_sets())}; or give the path of a YAML file)"
    )
    if src is not None:
        raise src.error(message)
    raise InputError(message)


def load_criteria_set(name_or_path: str | Path) -> CriteriaSet:
    """A bundled set by name (criteria/sets/<name>.yaml) or a user's YAML file; InputError on any problem."""
    path = _resolve(name_or_path)
    draft = _read(path, [])
    return _build(draft)


# ---------------------------------------------------------------- reading and merging files


def _entries(
    doc: Located, data: dict[str, Any], key: str, allowed: set[str], kind: str
) -> list[tuple[str, dict[str, Any], Src]]:
    """The `groups:` or `criteria:` list of one file: (id, mapping, src) with keys and ids checked."""
    items = data.get(key)
    if items is None:
        return []
    src = Src(doc, (key,))
    if not isinstance(items, list):
        raise src.error(f"must be a list of {kind}s")
    out: list[tuple[str, dict[str, Any], Src]] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(items):
        esrc = src.at(i)
        if not isinstance(entry, dict):
            raise esrc.error(f"each {kind} is a mapping with an id")
        for k in entry:
            if k not in allowed:
                raise esrc.at(k).error(f"unknown key{_closest(k, allowed)}; allowed: {', '.join(sorted(allowed))}")
        if "id" not in entry:
            raise esrc.at("id").error(f"missing required field (every {kind} has an id)")
        cid = entry["id"]
        if not isinstance(cid, str) or not _ID.match(cid):
            raise esrc.at("id").error(f"{cid!r} is not a valid id (lowercase letters, digits, '.', '-', '_')")
        if cid in seen:
            first = doc.line((key, seen[cid]))
            raise esrc.at("id").error(f"duplicate {kind} id {cid!r} (first at line {first})")
        seen[cid] = i
        out.append((cid, entry, esrc))
    return out


def _id_list(doc: Located, data: dict[str, Any], key: str) -> list[tuple[str, Src]]:
    value = data.get(key)
    if value is None:
        return []
    src = Src(doc, (key,))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise src.error("must be a list of ids")
    return [(v, src.at(i)) for i, v in enumerate(value)]


def _read(path: Path, chain: list[Path]) -> Draft:
    doc = load(path)
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error((), "a criteria set is a mapping (id, version, titles, grades, groups, criteria...)")
    for key in data:
        if key not in TOP_KEYS:
            raise doc.error((key,), f"unknown key{_closest(key, TOP_KEYS)}; allowed: {', '.join(sorted(TOP_KEYS))}")
    for key in IDENTITY_KEYS:
        if key not in data:
            raise doc.error((key,), "missing required field (every set file states its own id, version and titles)")

    if "extends" in data:
        base_name = data["extends"]
        src = Src(doc, ("extends",))
        if not isinstance(base_name, str) or not base_name.strip():
            raise src.error("must be the name of a bundled set or the path of a set file")
        base_path = _resolve(base_name.strip(), relative_to=path, src=src)
        resolved = [p.resolve() for p in chain + [path]]
        if base_path.resolve() in resolved:
            raise src.error(f"{base_name!r} extends itself, directly or through another set")
        draft = _read(base_path, chain + [path])
    else:
        for key in ("remove", "remove_groups"):
            if key in data:
                raise doc.error((key,), "only a set that `extends` another can remove from it")
        draft = Draft()
    draft.doc = doc
    draft.extends = data["extends"].strip() if "extends" in data else None

    for key, value in data.items():
        if key not in ("groups", "criteria", "remove", "remove_groups", "extends"):
            draft.top[key] = (value, Src(doc, (key,)))

    for gid, src in _id_list(doc, data, "remove_groups"):
        if gid not in draft.groups:
            raise src.error(f"no group {gid!r} to remove{_closest(gid, draft.groups)}")
        if gid in REQUIRED_GROUPS:
            raise src.error(f"group {gid!r} cannot be removed (every set has {', '.join(REQUIRED_GROUPS)})")
        del draft.groups[gid], draft.group_src[gid]
        for cid in [c for c, f in draft.criteria.items() if f.get("group", (None,))[0] == gid]:
            del draft.criteria[cid], draft.criterion_src[cid]
    removed: set[str] = set()
    for cid, src in _id_list(doc, data, "remove"):
        if cid not in draft.criteria:
            raise src.error(f"no criterion {cid!r} to remove{_closest(cid, draft.criteria)}")
        del draft.criteria[cid], draft.criterion_src[cid]
        removed.add(cid)

    if "groups" in data:
        draft.groups_key = Src(doc, ("groups",))
    for gid, entry, esrc in _entries(doc, data, "groups", GROUP_KEYS, "group"):
        fields = draft.groups.setdefault(gid, {})
        draft.group_src.setdefault(gid, esrc)
        for k, v in entry.items():
            fields[k] = (v, esrc.at(k))

    for cid, entry, esrc in _entries(doc, data, "criteria", CRITERION_KEYS, "criterion"):
        if cid in removed:
            raise esrc.at("id").error(f"criterion {cid!r} is both removed and defined in this file")
        existing = draft.criteria.get(cid)
        if existing is None:
            fields = draft.criteria[cid] = {}
        else:
            fields = existing
        if existing is not None and "evidence" in entry:
            for k in METRIC_BOUND_KEYS:
                fields.pop(k, None)
        if "points" in entry:
            fields.pop("weight", None)
        if "weight" in entry:
            fields.pop("points", None)
        draft.criterion_src[cid] = esrc
        for k, v in entry.items():
            fields[k] = (v, esrc.at(k))
    return draft


# ---------------------------------------------------------------- type checks and building


def _get(fields: Fields, key: str, entry: Src, required: bool = True, default: Any = None) -> tuple[Any, Src]:
    if key in fields:
        return fields[key]
    if required:
        raise entry.at(key).error("missing required field")
    return default, entry.at(key)


def _text(fields: Fields, key: str, entry: Src, required: bool = True) -> str:
    value, src = _get(fields, key, entry, required, "")
    if not isinstance(value, str) or (required and not value.strip()):
        hint = " (quote it)" if isinstance(value, (int, float)) and not isinstance(value, bool) else ""
        raise src.error(f"must be {'a non-empty' if required else 'a'} string{hint} (got {value!r})")
    return value.strip()


def _texts(fields: Fields, key: str, entry: Src) -> list[str]:
    value, src = _get(fields, key, entry, required=False, default=[])
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(n, str) for n in items):
        raise src.error("must be a text or a list of texts")
    return [str(n) for n in items]


def _number(
    fields: Fields,
    key: str,
    entry: Src,
    *,
    required: bool = True,
    default: float | None = None,
    minimum: float | None = None,
    positive: bool = False,
) -> float:
    value, src = _get(fields, key, entry, required, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise src.error(f"must be a number (got {value!r})")
    if positive and value <= 0:
        raise src.error(f"must be greater than 0 (got {value!r})")
    if minimum is not None and value < minimum:
        raise src.error(f"must be at least {minimum:g} (got {value!r})")
    return float(value)


def _grades(fields: Fields, entry: Src, total: float) -> tuple[tuple[str, float], ...]:
    value, src = _get(fields, "grades", entry)
    if not isinstance(value, dict) or not value:
        raise src.error("must map each grade to its lowest score, best first, e.g. {A: 90, B: 80, ..., E: 0}")
    out: list[tuple[str, float]] = []
    for letter, floor in value.items():
        gsrc = src.at(letter)
        if not isinstance(letter, str) or not letter.strip():
            raise gsrc.error("a grade is a short text such as 'A'")
        if isinstance(floor, bool) or not isinstance(floor, (int, float)) or not 0 <= floor <= total:
            raise gsrc.error(f"must be a score between 0 and {total:g} (got {floor!r})")
        if out and floor >= out[-1][1]:
            raise gsrc.error(f"grades go best first: {floor:g} is not below {out[-1][0]}'s {out[-1][1]:g}")
        out.append((letter, float(floor)))
    if out[-1][1] != 0:
        raise src.at(out[-1][0]).error("the last grade must start at 0, so that every score gets a grade")
    return tuple(out)


def _when_missing(fields: Fields, entry: Src) -> WhenMissing:
    value, src = _get(fields, "when_missing", entry)
    if value in ("zero", "exclude"):
        return WhenMissing(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 100:
        return WhenMissing("score", float(value))
    raise src.error(f"must be zero, exclude, or a fixed score 0–100 (got {value!r})")


def _criterion(cid: str, fields: Fields, entry: Src, groups: dict[str, Group]) -> tuple[Criterion, Src]:
    title_vi = _text(fields, "title_vi", entry)
    title_en = _text(fields, "title_en", entry)
    group_id, gsrc = _get(fields, "group", entry)
    if group_id not in groups:
        raise gsrc.error(f"unknown group {group_id!r}{_closest(group_id, groups)}; groups: {', '.join(groups)}")
    if "points" in fields and "weight" in fields:
        raise fields["weight"][1].error("give points or weight, not both")
    if "points" not in fields and "weight" not in fields:
        raise entry.at("points").error("missing required field (give points, or weight)")
    points = _number(fields, "points", entry, positive=True) if "points" in fields else None
    weight = _number(fields, "weight", entry, positive=True) if "weight" in fields else None

    metric_name, msrc = _get(fields, "evidence", entry)
    if metric_name not in METRICS:
        hint = " (no journeys are loaded: the application imports portalscore.scenarios.catalog)"
        if not metric_name.startswith(("scenario.", "scenario_steps.")) or journey_ids():
            hint = " (the catalogue is in docs/criteria.md)"
        raise msrc.error(f"unknown metric {metric_name!r}{_closest(metric_name, METRICS)}{hint}")
    metric = METRICS[metric_name]

    statistic, ssrc = _get(fields, "statistic", entry, required=False)
    if metric.scope == "page":
        allowed = metric.statistics()
        if statistic is None:
            raise ssrc.error(
                f"missing required field: {metric_name} is a page figure, say how pages combine ({', '.join(allowed)})"
            )
        if statistic not in allowed:
            raise ssrc.error(
                f"{statistic!r} does not apply to {metric_name}{_closest(statistic, allowed)}; "
                f"use one of: {', '.join(allowed)}"
            )
    elif statistic is not None:
        raise ssrc.error(f"{metric_name} is one figure for the whole portal: no statistic applies")

    profile, psrc = _get(fields, "profile", entry, required=False, default="desktop")
    if metric.scope == "site" and "profile" in fields:
        raise psrc.error(f"{metric_name} is one figure for the whole portal: no profile applies")
    if profile not in PROFILES:
        raise psrc.error(f"must be one of: {', '.join(PROFILES)} (got {profile!r})")

    params, prsrc = _get(fields, "params", entry, required=False, default={})
    if not isinstance(params, dict):
        raise prsrc.error("must be a mapping of parameter names to values")
    for name, value in params.items():
        if name not in metric.params:
            allowed_params = ", ".join(metric.params) or "none"
            raise prsrc.at(name).error(
                f"unknown parameter for {metric_name}{_closest(name, metric.params)}; allowed: {allowed_params}"
            )
        problem = metric.params[name].check(value)
        if problem:
            raise prsrc.at(name).error(problem)

    spec, rsrc = _get(fields, "rule", entry)
    if not isinstance(spec, dict) or "type" not in spec:
        raise rsrc.error(f"must be a mapping with a type ({', '.join(RULES)})")
    rtype = spec["type"]
    if rtype not in RULES:
        raise rsrc.at("type").error(f"unknown rule type {rtype!r}{_closest(rtype, RULES)}; types: {', '.join(RULES)}")
    for k in spec:
        if k != "type" and k not in RULE_KEYS[rtype]:
            allowed_keys = ", ".join(("type",) + RULE_KEYS[rtype])
            raise rsrc.at(k).error(
                f"unknown key for a {rtype} rule{_closest(k, RULE_KEYS[rtype])}; allowed: {allowed_keys}"
            )
    try:
        rule = RULES[rtype](spec, metric.value_kind(statistic))
    except RuleError as e:
        raise (rsrc.at(e.key) if e.key else rsrc).error(f"{e} (evidence {metric_name})") from None

    basis, bsrc = _get(fields, "basis", entry, required=False, default="ours")
    if basis not in BASES:
        raise bsrc.error(f"must be one of: {', '.join(BASES)} (got {basis!r})")
    criterion = Criterion(
        id=cid,
        title_vi=title_vi,
        title_en=title_en,
        group=group_id,
        points=points if points is not None else 0.0,
        weight=weight,
        evidence=metric_name,
        statistic=statistic,
        profile=profile if metric.scope == "page" else "",
        params=dict(params),
        rule=rule,
        when_missing=_when_missing(fields, entry),
        source=_text(fields, "source", entry),
        basis=basis,
        note=_text(fields, "note", entry, required=False),
        note_vi=_text(fields, "note_vi", entry, required=False),
        note_en=_text(fields, "note_en", entry, required=False),
    )
    return criterion, entry


def _share_points(criteria: list[tuple[Criterion, Src]], groups: dict[str, Group], draft: Draft) -> list[Criterion]:
    """Check each group's criteria add up to its points; turn weights into points."""
    out: dict[str, Criterion] = {c.id: c for c, _ in criteria}
    for gid, group in groups.items():
        members = [(c, src) for c, src in criteria if c.group == gid]
        if not members:
            raise draft.group_src[gid].error(f"group {gid!r} has no criteria")
        uses_weight = members[0][0].weight is not None
        for c, src in members:
            if (c.weight is not None) != uses_weight:
                first = members[0][0].id
                raise src.at("weight" if c.weight is not None else "points").error(
                    f"the criteria of group {gid!r} use {'weight' if uses_weight else 'points'} "
                    f"(see {first!r}); do not mix points and weight in one group"
                )
        if uses_weight:
            weights = {c.id: c.weight or 0.0 for c, _ in members}
            total_w = math.fsum(weights.values())
            for c, _ in members:
                out[c.id] = replace(c, points=group.points * weights[c.id] / total_w)
        else:
            declared = math.fsum(c.points for c, _ in members)
            if abs(declared - group.points) > 1e-6:
                listing = ", ".join(f"{c.id} {c.points:g}" for c, _ in members)
                # Point at the file being loaded when it changed this group, not at the set it extends.
                mine = [src for _, src in members if src.doc is draft.doc] or [src for _, src in members]
                raise (
                    mine[-1]
                    .at("points")
                    .error(
                        f"the points of group {gid!r} add up to {declared:g}, but the group declares "
                        f"{group.points:g} ({listing})"
                    )
                )
    return [out[c.id] for c, _ in criteria]


def _build(draft: Draft) -> CriteriaSet:
    assert draft.doc is not None  # _read sets it for every file
    root = Src(draft.doc, ())  # where errors about the set as a whole point
    top = draft.top
    set_id = _text(top, "id", root)
    if not _ID.match(set_id):
        raise top["id"][1].error(f"{set_id!r} is not a valid id (lowercase letters, digits, '.', '-', '_')")
    version = _text(top, "version", root)
    title_vi, title_en = _text(top, "title_vi", root), _text(top, "title_en", root)
    description = _text(top, "description", root, required=False)
    notes, notes_vi, notes_en = (_texts(top, key, root) for key in ("notes", "notes_vi", "notes_en"))
    total = _number(top, "total", root, required=False, default=100, positive=True)
    noise_margin = _number(top, "noise_margin", root, required=False, default=1.0, minimum=0)
    grades = _grades(top, root, total)

    groups: dict[str, Group] = {}
    for gid, fields in draft.groups.items():
        entry = draft.group_src[gid]
        groups[gid] = Group(
            id=gid,
            title_vi=_text(fields, "title_vi", entry),
            title_en=_text(fields, "title_en", entry),
            points=_number(fields, "points", entry, positive=True),
            description=_text(fields, "description", entry, required=False),
            description_vi=_text(fields, "description_vi", entry, required=False),
            description_en=_text(fields, "description_en", entry, required=False),
        )
    groups_src = draft.groups_key or root.at("groups")
    for gid in REQUIRED_GROUPS:
        if gid not in groups:
            raise groups_src.error(f"missing group {gid!r} (every set has {', '.join(REQUIRED_GROUPS)})")
    declared = math.fsum(g.points for g in groups.values())
    if abs(declared - total) > 1e-6:
        listing = ", ".join(f"{g.id} {g.points:g}" for g in groups.values())
        raise groups_src.error(f"group points add up to {declared:g}, but the set's total is {total:g} ({listing})")

    if not draft.criteria:
        raise root.at("criteria").error("a set needs at least one criterion")
    built = [_criterion(cid, fields, draft.criterion_src[cid], groups) for cid, fields in draft.criteria.items()]
    criteria = _share_points(built, groups, draft)
    return CriteriaSet(
        id=set_id,
        version=version,
        title_vi=title_vi,
        title_en=title_en,
        description=description,
        description_vi=_text(top, "description_vi", root, required=False),
        description_en=_text(top, "description_en", root, required=False),
        total=total,
        groups=list(groups.values()),
        criteria=criteria,
        grades=grades,
        noise_margin=noise_margin,
        file=draft.doc.file,
        extends=draft.extends,
        notes=notes,
        notes_vi=notes_vi,
        notes_en=notes_en,
    )
