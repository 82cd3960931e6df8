"""One language per page: every text the report can show has its Vietnamese in the catalogue, other rooms'
stored English is translated through it, and no page carries a sentence of the other language."""

from __future__ import annotations

import re
import runpy
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from portalscore.reports import render_report
from portalscore.reports.catalog import EVIDENCE, needs_translation, read_catalog, translated
from portalscore.reports.i18n import Translator
from tests.browsers import test_egress
from tests.report_language import english_in, run_on_sentences, vietnamese_in, wrong_language
from tests.test_reports_data import build_scored

ROOT = Path(__file__).resolve().parent.parent
UPDATE = runpy.run_path(str(ROOT / "scripts" / "update_catalog.py"))
_NAMES = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}")


def _ids(message_id: str | tuple[str, ...]) -> tuple[str, ...]:
    return message_id if isinstance(message_id, tuple) else (message_id,)


def test_catalogue_has_every_text_the_report_can_show():
    """Every msgid the templates, the report's code and the criteria can produce (what scripts/update_catalog.py
    extracts) is in messages.po with a reviewed Vietnamese text: not missing, not empty, not fuzzy."""
    wanted = Catalog(locale="vi")
    UPDATE["_extract"](wanted)
    UPDATE["_metrics"](wanted)
    have = {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in read_catalog("vi", "messages") if m.id}
    problems = []
    for m in wanted:
        if not m.id:
            continue
        first = _ids(m.id)[0]
        if not needs_translation(first):
            continue
        entry = have.get(first)
        if entry is None:
            problems.append(f"missing: {first!r} (run scripts/update_catalog.py, then translate)")
        elif not translated(entry):
            problems.append(f"untranslated or fuzzy: {first!r}")
    assert len(wanted) > 400
    assert problems == []


def test_translations_keep_their_placeholders():
    for domain in ("messages", "axe"):
        for m in read_catalog("vi", domain):
            if not m.id or not m.string:
                continue
            wanted = set().union(*(_NAMES.findall(i) for i in _ids(m.id)))
            for form in _ids(m.string):
                # a plural's one Vietnamese form may drop {n} only when the English singular has none either
                assert set(_NAMES.findall(form)) >= wanted - {"n"} and set(_NAMES.findall(form)) <= wanted, (
                    m.id,
                    form,
                )


def test_vietnamese_plural_rule_has_one_form():
    assert read_catalog("vi", "messages").plural_forms == "nplurals=1; plural=0;"


# What the journeys and the crawler write today (scenarios/*.py, crawler/*.py), as stored in the evidence.
STORED_ENGLISH = [
    "failed at step 'search': no result list for 'khai sinh', 'giấy phép xây dựng'",
    "no link or button named like 'Chính sách bảo vệ dữ liệu cá nhân', 'Bảo mật thông tin'",
    "the first Tab stop is not a skip link but a 'Cổng Dịch vụ công tỉnh Lâm Hải (mẫu)'",
    "the page is 1000px wide in a 412px viewport: horizontal scrolling",
    "the server answered with an error: ['HTTP 500 http://127.0.0.1:36921/tracuu/hoso?ma_ho_so=H00']",
    "the lookup answers with an error: error page ('Lỗi hệ thống')",
    "1 result(s) for 'khai sinh', first: 'Đăng ký khai sinh'",
    "'Đăng ký khai sinh – Cổng (mẫu)' at http://127.0.0.1:36921/bothutuc/tthc?matt=101",
    "a \"Tra cứu hồ sơ\" (matched name on 'Tra cứu hồ sơ')",
    "input \"\" (matched id/name attribute on 'dossier')",
    "9 visible items (not marked up as a nav landmark)",
    "thời hạn giải quyết: found as 'Thời hạn giải quyết'",
    "2 of 18 under 24px",
    "0% of the text under 12px",
    "HTTP 200: 'Hệ thống Dịch vụ công trực tuyến'",
    "http on a loopback test server: HTTPS not required",
    "http 404",
    "not a page: application/pdf",
    "page time limit exceeded (30s)",
    "invalid TLS certificate: certificate has expired",
    "robots.txt disallows the start URL for portalscore: nothing crawled",
    "no criterion could be judged: every criterion lacked evidence and is excluded",
]


@pytest.mark.parametrize("text", STORED_ENGLISH)
def test_stored_english_of_other_rooms_is_translated(text):
    t = Translator("vi")
    out = str(t.evidence(text))
    assert 'lang="en"' not in out and not t.missing, out
    assert english_words(out) == set(), out


def english_words(html: str) -> set[str]:
    from tests.report_language import _strip, _words, english_vocabulary

    return {w for w in _words(_strip(re.sub(r"<[^>]+>", " ", html))) if w in english_vocabulary()}


def test_untranslated_text_is_shown_marked_and_counted():
    """A crawler text the catalogue does not know yet (the integrator adds its template) is shown in English,
    marked lang="en" for screen readers, and counted, so that the language test names it."""
    t = Translator("vi")
    out = str(t.evidence("renderer stopped while loading the page"))
    assert out == '<span lang="en">renderer stopped while loading the page</span>'
    assert t.missing == {"renderer stopped while loading the page"}
    nested = str(t.evidence("crawl failed: TimeoutError: page.goto: Timeout 30000ms exceeded"))
    assert nested.startswith('thu thập dữ liệu thất bại: <span lang="en">TimeoutError')


def test_evidence_templates_do_not_match_what_they_do_not_say():
    # "{title} at {url}" must not turn a failure into a title: typed placeholders and whole-text matches
    t = Translator("vi")
    assert str(t.evidence("failed at step 'open_home': HTTP 503 for http://x/")).startswith(
        "không đạt ở bước “mở trang chủ”: HTTP 503 khi mở http://x/"
    )
    assert "tại" not in str(t.evidence("looked at the page"))


@pytest.fixture(scope="module")
def scored_report(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("language")
    (base / "artefacts").mkdir()
    render_report(build_scored(artefact_dir=base / "artefacts"), base / "out")
    return base / "out"


def test_no_page_carries_a_sentence_of_the_other_language(scored_report):
    assert [str(f) for f in wrong_language(scored_report)] == []


def test_no_version_runs_into_the_next_sentence(scored_report):
    assert run_on_sentences(scored_report) == []


def test_english_pages_name_journeys_in_english(scored_report):
    page = (scored_report / "en" / "portals" / "bo-0.html").read_text(encoding="utf-8")
    assert "Find a procedure and open a result" in page and "Tìm một thủ tục hành chính" not in page
    assert "failed at step" not in (scored_report / "portals" / "bo-0.html").read_text(encoding="utf-8")


def test_the_checker_sees_what_it_must(tmp_path):
    """The language test can fail: English marked lang="en" on a Vietnamese page is still English, and
    Vietnamese on an English page is found; what the portal wrote (class data), code and URLs are not read."""
    vi = tmp_path / "vi.html"
    vi.write_text(
        '<html lang="vi"><body><p>Quy tắc: <span lang="en">pass/fail: 100 if it passes, 0 if not</span></p>'
        '<p><span class="data" lang="en">Home page</span> <code>image-alt</code> http://x.vn/a-b</p></body></html>',
        encoding="utf-8",
    )
    (finding,) = english_in(vi)
    assert {"passes", "if"} <= set(finding.words)
    en = tmp_path / "en.html"
    en.write_text(
        '<html lang="en"><body><p>Journey: Tìm kiếm thủ tục</p><p><span class="data">Bộ Y tế</span> “Tra cứu”</p>'
        "<cite>Nghị định 42/2022/NĐ-CP</cite></body></html>",
        encoding="utf-8",
    )
    (finding,) = vietnamese_in(en)
    assert "Tìm kiếm" in finding.text
    (tmp_path / "runon.html").write_text(
        '<html lang="vi"><body><p>Công cụ: axe-core 4.14.1.8 trang không chạy được.</p>'
        "<p>So với lần đánh giá số 1 (lúc 20:33 UTC):0 cổng tăng hạng</p><p>lúc 20:33, http://x/a:b</p></body></html>",
        encoding="utf-8",
    )
    assert len(run_on_sentences(tmp_path)) == 2


@pytest.mark.browser
def test_every_axe_rule_has_its_vietnamese_text(tmp_path):
    """Every rule of the pinned axe-core (axe.getRules(): WCAG A/AA, best practices and the rest) has our
    Vietnamese help in axe.po, written for the English help that this version gives."""
    from playwright.sync_api import sync_playwright

    from portalscore.crawler.axe import axe_source
    from portalscore.crawler.browser import launch_options

    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options(test_egress()))
        try:
            page = browser.new_page()
            page.set_content("<!doctype html><title>rules</title>")
            page.evaluate(axe_source())
            rules = page.evaluate("axe.getRules().map(r => ({id: r.ruleId, help: r.help, tags: r.tags}))")
        finally:
            browser.close()
    catalogue = {m.context: m for m in read_catalog("vi", "axe") if m.context}
    assert len(rules) >= 100
    assert any("best-practice" in r["tags"] for r in rules)
    problems = [
        r["id"]
        for r in rules
        if r["id"] not in catalogue or not translated(catalogue[r["id"]]) or catalogue[r["id"]].id != r["help"]
    ]
    assert problems == [], "run scripts/update_catalog.py --axe and translate these rules"
    t = Translator("vi")
    assert str(t.axe_help("image-alt", "Images must have alternative text")) == "Hình ảnh phải có văn bản thay thế"


def test_evidence_entries_are_kept_by_the_catalogue_update(tmp_path):
    """scripts/update_catalog.py keeps the hand-written evidence templates and step names."""
    from babel.messages.pofile import read_po

    def entries(path: Path) -> dict[tuple[object, str | None], object]:
        with path.open("rb") as f:
            return {(m.id, m.context): m.string for m in read_po(f, locale="vi") if m.id}

    po = ROOT / "reports" / "locale" / "vi" / "LC_MESSAGES" / "messages.po"
    copy = tmp_path / "messages.po"
    shutil.copyfile(po, copy)
    UPDATE["update_messages"](copy)
    before, after = entries(po), entries(copy)
    assert any(ctx == EVIDENCE for _, ctx in before)
    assert after == before  # the catalogue is up to date with the code, and the update loses nothing
