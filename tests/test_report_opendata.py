"""Open data: ranking.json and ranking.csv carry every criterion's score and points per portal, and the data
dictionary page (rendered from reports.exports.DICTIONARY) documents every key and column they have."""

from __future__ import annotations

import csv
import io
import json
import re

import lxml.html
import pytest

from portalscore.reports import render_report
from portalscore.reports.exports import DICTIONARY, explain_dict
from tests.test_reports_data import build_scored


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("opendata")
    data = build_scored(n_ministries=2, n_provinces=2, pages=3)
    render_report(data, out)
    return {"out": out, "data": data}


def _documented(file: str) -> set[str]:
    names: set[str] = set()
    for df in DICTIONARY:
        if df.file == file:
            for f in df.fields:
                names |= {n.strip() for n in f.name.split(",")}
    return names


def _json_keys(ranking: dict) -> set[str]:
    keys = set(ranking)
    for p in ranking["portals"]:
        for k, v in p.items():
            if k == "groups":
                keys |= {"portals[].groups.<group>" for _ in v}
            elif k == "criteria":
                keys |= {f"portals[].criteria.<id>.{part}" for c in v.values() for part in c}
            else:
                keys.add(f"portals[].{k}")
    return keys


def test_every_ranking_json_key_is_documented(site):
    ranking = json.loads((site["out"] / "ranking.json").read_text(encoding="utf-8"))
    assert _json_keys(ranking) - _documented("ranking.json") == set()


def test_every_csv_column_is_documented_and_criteria_have_their_own(site):
    rows = list(csv.DictReader(io.StringIO((site["out"] / "ranking.csv").read_text(encoding="utf-8-sig"))))
    documented = _documented("ranking.csv")
    criteria = [c["id"] for c in site["data"].criteria["criteria"]]
    groups = [g["id"] for g in site["data"].criteria["groups"]]
    for column in rows[0]:
        generic = "<group>" if column in groups else re.sub(r"^(.+)\.(score|points)$", r"<id>.\2", column)
        assert column in documented or generic in documented, column
    by_id = {s.portal_id: s for s in site["data"].scores}
    for row in rows:
        score = by_id[row["id"]]
        for c in score.criteria:
            assert row[f"{c.id}.points"] == f"{c.points:.2f}"
        assert len(criteria) == len([k for k in row if k.endswith(".points")])


def test_data_dictionary_page_lists_every_field_in_both_languages(site):
    for root in (site["out"], site["out"] / "en"):
        page = lxml.html.fromstring((root / "data.html").read_text(encoding="utf-8"))
        shown = {c.text_content() for c in page.xpath("//tbody/tr/th/code")}
        assert {f.name for df in DICTIONARY for f in df.fields} <= shown
        assert {c["id"] for c in site["data"].criteria["criteria"]} <= shown


def test_explain_json_has_rule_arithmetic_and_messages(site):
    score = site["data"].scores[0]
    full = json.loads(json.dumps(explain_dict(score)))
    assert full["portal"] == score.portal_id and full["score"] == score.score
    assert len(full["criteria"]) == len(score.criteria)
    one = explain_dict(score, score.criteria[0].id)
    (c,) = one["criteria"]
    assert c["rule"] == score.criteria[0].rule and c["arithmetic"] == score.criteria[0].arithmetic
    assert c["messages"]["rule"]["id"] and "score" not in one
