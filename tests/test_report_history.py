"""Statements that are true by construction: two runs of one registry stored in a real SQLite database, scored
and reported by the pipeline's own functions; the comparison, the counts and the sentences must agree with the
records the scores come from."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest

from portalscore.contract.evidence import PortalEvidence, PortalRef
from portalscore.criteria import load_criteria_set
from portalscore.run import score_run, write_report
from portalscore.store import Store
from tests.report_language import run_on_sentences, wrong_language
from tests.stored_runs import page, portal, settings

PORTALS = [portal("an-giang"), portal("ben-tre"), portal("ca-mau")]


def _store_run(store: Store, violations: dict[str, int], failed_pages: int = 0) -> int:
    """A complete run: the same three portals, `violations` axe rules failed per page (more: a lower score)."""
    cs = load_criteria_set("mic-2024")
    run_id = store.create_run("delta", "delta.yaml", cs.id, settings(max_pages=4), PORTALS)
    for p in PORTALS:
        for i in range(4):
            pg = page(f"{p.url}trang-{i}.html", f"{p.id}-{i}", violations=violations[p.id])
            if i < failed_pages:
                pg.error, pg.status, pg.accessibility = "http 404", 404, None
            store.save_page(run_id, p.id, pg)
        ref = PortalRef(p.id, p.name, p.kind, p.url)
        store.save_portal(
            run_id,
            PortalEvidence(portal=ref, started_at="2026-11-20T02:00:00+00:00", browser="chromium 156"),
            "done",
        )
    score_run(store, run_id, cs)
    store.finish_run(run_id)
    return run_id


def _text(path: Path) -> str:
    return " ".join(lxml.html.fromstring(path.read_text(encoding="utf-8")).text_content().split())


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("history")
    store = Store(f"sqlite:///{base / 'runs.db'}")
    try:
        cs = load_criteria_set("mic-2024")
        first = _store_run(store, {"an-giang": 1, "ben-tre": 2, "ca-mau": 3})
        write_report(store, first, cs, base / "first")
        # ca-mau fixes its pages and overtakes both; one page of ben-tre stops answering.
        second = _store_run(store, {"an-giang": 1, "ben-tre": 2, "ca-mau": 0}, failed_pages=0)
        write_report(store, second, cs, base / "second")
    finally:
        store.close()
    return {"first": base / "first", "second": base / "second", "ids": (first, second)}


def test_first_run_says_there_is_nothing_to_compare(two_runs):
    index = _text(two_runs["first"] / "index.html")
    assert "Đây là lần đánh giá đầu tiên của danh sách cổng này" in index
    assert "tăng hạng" not in index


def test_second_run_compares_with_the_first_by_number_and_counts(two_runs):
    first, _ = two_runs["ids"]
    ranking = json.loads((two_runs["second"] / "ranking.json").read_text(encoding="utf-8"))
    changes = [p["change"] for p in ranking["portals"]]
    assert changes.count("up") == 1 and changes.count("down") == 2  # ca-mau 3 -> 1; the others one place down
    index = _text(two_runs["second"] / "index.html")
    assert f"So với lần đánh giá số {first} (hoàn thành lúc" in index
    assert "1 cổng tăng hạng, 2 cổng giảm hạng, 0 cổng giữ nguyên hạng." in index
    assert "chưa có bảng xếp hạng trước" not in index
    en = _text(two_runs["second"] / "en" / "index.html")
    assert f"Against run {first} (finished" in en and "1 portal moved up, 2 moved down, 0 kept their rank." in en
    assert "Cổng dịch vụ công CA-MAU: từ hạng 3 lên hạng 1" in index


def test_each_portal_page_counts_its_pages_from_one_record(two_runs):
    ranking = json.loads((two_runs["second"] / "ranking.json").read_text(encoding="utf-8"))
    for p in ranking["portals"]:
        text = _text(two_runs["second"] / "portals" / f"{p['id']}.html")
        evidence = json.loads((two_runs["second"] / "evidence" / f"{p['id']}.json").read_text(encoding="utf-8"))
        loads, ok = len(evidence["pages"]), sum(1 for pg in evidence["pages"] if pg["error"] is None)
        assert ok == p["pages_evaluated"]
        assert f"{ok} lượt tải trang được đánh giá" in text
        assert f"Lượt tải trang: {loads} ({ok} lượt được đánh giá, {loads - ok} lượt không tải được)" in text
        # the history table holds both runs, from the same scores the ranking used
        rows = lxml.html.fromstring(
            (two_runs["second"] / "portals" / f"{p['id']}.html").read_text(encoding="utf-8")
        ).xpath("//table[@id='trend-table']/tbody/tr")
        assert [r.xpath("./th")[0].text_content() for r in rows] == [str(i) for i in two_runs["ids"]]
        assert rows[-1].xpath("./td")[-1].text_content() == str(p["rank"])


def test_versions_and_counts_stay_in_their_own_sentences(two_runs):
    for report in (two_runs["first"], two_runs["second"]):
        assert run_on_sentences(report) == []
        assert [str(f) for f in wrong_language(report)] == []
    page = _text(two_runs["second"] / "portals" / "an-giang.html")
    assert "Kiểm tra bằng axe-core 4.14.1." in page
