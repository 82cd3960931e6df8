"""A check's result for a developer: JUnit XML (CI test views), JSON (machines, and the next check's --baseline)
and Markdown (a merge-request comment: broken lines first, then the points lost, largest first)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from portalscore.contract.evidence import PortalEvidence

from . import measures
from .budget import TIMING_METRICS
from .judge import GateResult, LineResult

RESULT_KIND = "portalscore-check"
RESULT_VERSION = 1
STATUS = {0: "met", 1: "broken", 2: "unusable"}


def _clean(text: object) -> str:
    """Text from a portal (selectors, URLs, reasons) as plain XML text: no control characters."""
    return "".join(ch for ch in str(text) if ch in "\t\n" or ord(ch) >= 32)


def junit_xml(result: GateResult, ev: PortalEvidence) -> str:
    """One testsuite of budget lines (one testcase each) and one of journeys (one testcase per journey run); a
    journey fails the suite only when the budget says it must pass, so failures here are exactly the broken lines."""
    root = ET.Element("testsuites", name="portalscore check")
    budget = ET.SubElement(root, "testsuite", name="budget")
    required = {line.id.removeprefix("journeys."): line for line in result.lines if line.kind == "journey"}
    cases = 0
    failures = 0
    if not result.evaluable:
        case = ET.SubElement(budget, "testcase", classname="budget", name="site")
        ET.SubElement(case, "error", message=_clean(result.why_not)).text = _clean(result.url)
        budget.set("errors", "1")
        cases += 1
    for line in result.lines:
        if line.kind == "journey":
            continue
        cases += 1
        failures += _case(budget, "budget", line.id, line)
    budget.set("tests", str(cases))
    budget.set("failures", str(failures))
    journeys = ET.SubElement(root, "testsuite", name="journeys")
    jfail = 0
    seen = set()
    for s in ev.scenarios:
        seen.add(s.id)
        must = required.get(s.id)
        if must is not None:
            jfail += _case(journeys, "journeys", s.id, must)
            continue
        case = ET.SubElement(journeys, "testcase", classname="journeys", name=s.id)
        if s.outcome != "passed":
            ET.SubElement(case, "system-out").text = _clean(
                f"{s.outcome} (not required by the budget)" + (f": {s.reason}" if s.reason else "")
            )
    for jid, line in required.items():  # required but not run: still a test case, failed
        if jid not in seen:
            jfail += _case(journeys, "journeys", jid, line)
    journeys.set("tests", str(len(journeys)))
    journeys.set("failures", str(jfail))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _case(suite: ET.Element, classname: str, name: str, line: LineResult) -> int:
    case = ET.SubElement(suite, "testcase", classname=classname, name=name)
    if line.ok:
        return 0
    failure = ET.SubElement(case, "failure", message=_clean(line.detail))
    failure.text = _clean(
        "\n".join(
            f"{k}: {v}"
            for k, v in (("measured", line.detail), ("page", line.page), ("element", line.element), ("fix", line.fix))
            if v
        )
    )
    return 1


def result_dict(result: GateResult, ev: PortalEvidence) -> dict[str, Any]:
    s = result.score
    worst: dict[str, float] = {}
    spread: dict[str, float] = {}
    for metric in TIMING_METRICS:
        fig = measures.timing(ev, metric)
        if fig.value is not None:
            worst[metric], spread[metric] = fig.value, fig.spread
    return {
        "kind": RESULT_KIND,
        "version": RESULT_VERSION,
        "url": result.url,
        "status": STATUS[result.exit_code],
        "exit_code": result.exit_code,
        "why_not": result.why_not,
        "run_id": result.run_id,
        "report": result.report,
        "criteria_set": s.criteria_set,
        "score": s.score,
        "grade": s.grade,
        "noise": s.noise,
        "groups": {gid: g.score for gid, g in s.groups.items() if g.status == "scored"},
        "criteria": {c.id: c.score for c in s.criteria},
        "lines": [line.__dict__ for line in result.lines],
        "broken": [line.id for line in result.broken],
        "lost": [lost.__dict__ for lost in result.lost],
        "journeys": {sc.id: sc.outcome for sc in ev.scenarios},
        "timings": {"worst": worst, "spread": spread},
    }


def result_json(result: GateResult, ev: PortalEvidence) -> str:
    return json.dumps(result_dict(result, ev), ensure_ascii=False, indent=2) + "\n"


def _cell(text: object) -> str:
    """Table cell text: a portal's text must not break the table or become markup in a comment."""
    return (
        _clean(text)
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\n", " ")
        .replace("<", "&lt;")
        .replace("`", "'")
        .strip()
        or "–"
    )


def _code(text: str) -> str:
    return f"`{_cell(text)}`" if text else "–"


def markdown(result: GateResult, top_lost: int = 10) -> str:
    s = result.score
    head = {0: "✅ budget met", 1: "❌ budget broken", 2: "⚠️ site could not be evaluated"}[result.exit_code]
    out = [
        f"## portalscore check: {head}",
        "",
        f"{_cell(result.url)} — score **{s.score:.1f}** ({s.grade}), criteria {_cell(result.criteria_set)}"
        + (f"; noise ±{s.noise:.1f}" if s.noise else ""),
        "",
    ]
    if not result.evaluable:
        out += [f"**{_cell(result.why_not)}**", ""]
    broken = result.broken
    if broken:
        out += [
            f"### Broken budget lines ({len(broken)} of {len(result.lines)})",
            "",
            "| line | measured | page | element | fix |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| {_code(b.id)} | {_cell(b.detail)} | {_cell(b.page)} | {_code(b.element)} | {_cell(b.fix)} |"
            for b in broken
        ]
        out.append("")
    met = [line for line in result.lines if line.ok]
    if met:
        out += [f"<details><summary>{len(met)} budget lines met</summary>", ""]
        out += [f"- {_code(m.id)}: {_cell(m.detail)}" for m in met]
        out += ["", "</details>", ""]
    if result.lost:
        out += [
            "### Points lost, largest first",
            "",
            "| points | criterion | what was measured | page | element | fix |",
            "|---:|---|---|---|---|---|",
        ]
        out += [
            f"| {lost.lost:.2f} | {_cell(lost.title)} ({_code(lost.criterion)}) | {_cell(lost.finding)} "
            f"| {_cell(lost.page)} | {_code(lost.element)} | {_cell(lost.fix)} |"
            for lost in result.lost[:top_lost]
        ]
        if len(result.lost) > top_lost:
            out.append(f"\n…and {len(result.lost) - top_lost} more criteria; the HTML page has every one.")
        out.append("")
    if result.report:
        out += [f"Full evidence: `{_cell(result.report)}`", ""]
    return "\n".join(out)
