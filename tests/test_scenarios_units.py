"""Label matching, override files and artefact names: the parts of the scenarios that need no browser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portalscore.contract.errors import InputError
from portalscore.crawler.netpolicy import NetPolicy
from portalscore.scenarios import textmatch as T
from portalscore.scenarios.locate import Candidate
from portalscore.scenarios.overrides import load_overrides
from portalscore.scenarios.runner import artefact_name
from portalscore.scenarios.safety import AllowedPost, Guard


@pytest.mark.parametrize(
    "label, synonym",
    [
        ("TRA CỨU HỒ SƠ", "Tra cứu hồ sơ"),  # capitals
        ("Tra cuu ho so", "Tra cứu hồ sơ"),  # written without diacritics
        ("Cơ quan được uỷ quyền", "Cơ quan được ủy quyền"),  # old and new tone placement
        ("Từ khoá", "Từ khóa"),
        ("Phản ánh, kiến nghị", "Phản ánh kiến nghị"),  # punctuation
        ("» Tra cứu hồ sơ trực tuyến", "Tra cứu hồ sơ"),  # a longer label containing the phrase
    ],
)
def test_the_same_label_written_differently_matches(label: str, synonym: str):
    import unicodedata  # NFD text too (copied from macOS, or decomposed by a CMS)

    assert T.match_quality(unicodedata.normalize("NFD", label), synonym) > 0
    assert T.match_quality(label, synonym) > 0


@pytest.mark.parametrize(
    "label, synonym",
    [
        ("Tra cứu hộ tịch", "Tra cứu hồ sơ"),  # different words once diacritics matter
        ("Tra cứu hồ sơ", "Tra cứu hộ"),  # diacritics present: no stripped fallback
        ("Thanh toán", "Thanh toán trực tuyến"),  # a label shorter than the phrase
        ("Tra cứu hồ sơ", ""),
    ],
)
def test_different_labels_do_not_match(label: str, synonym: str):
    assert T.match_quality(label, synonym) == 0


def test_exact_beats_phrase_beats_no_diacritics():
    assert T.match_quality("Tra cứu hồ sơ", "tra cứu hồ sơ") == T.EXACT
    assert T.match_quality("Tra cứu hồ sơ trực tuyến", "tra cứu hồ sơ") == T.PHRASE
    assert T.match_quality("Tra cuu ho so", "tra cứu hồ sơ") == T.BARE_EXACT
    assert T.match_quality("Tra cuu ho so online", "tra cứu hồ sơ") == T.BARE_PHRASE


def test_mentions_in_a_page_mixing_styles_and_counting_new_answers():
    page = "Chuyển đến nội dung chính. Trinh tu thuc hien. THÀNH PHẦN HỒ SƠ: tờ khai."
    assert T.mentions(page, ("Trình tự thực hiện",)) == "Trình tự thực hiện"
    assert T.mentions(page, ("Thành phần hồ sơ",)) == "Thành phần hồ sơ"
    assert T.mentions(page, ("Căn cứ pháp lý",)) is None
    assert T.count_mentions("Không tìm thấy. Khong tim thay. KHÔNG TÌM THẤY", ("Không tìm thấy",)) == 3
    assert T.url_words("/web/x/tra-cuu-ho-so#/tra-cuu") == "web x tra cuu ho so tra cuu"


@given(
    st.text(
        alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ ,.",
        max_size=40,
    )
)
def test_any_text_matches_itself_and_its_capitals(text: str):
    if T.fold(text):
        assert T.match_quality(text, text) == T.EXACT
        assert T.match_quality(text.upper(), text) == T.EXACT


def test_a_long_headline_is_not_the_entry_to_a_function():
    from portalscore.scenarios.locate import _score

    fields = dict(
        ref="r1",
        tag="a",
        role="",
        type="",
        labels="",
        title="",
        placeholder="",
        target="",
        attrs="",
        visible=True,
        in_header=False,
        y=0,
    )
    headline = Candidate(
        name="Hướng dẫn thanh toán phí, lệ phí trực tuyến qua Nền tảng thanh toán quốc gia",
        href="/tin-tuc/thanh-toan-le-phi-truc-tuyen.html",
        **fields,
    )
    entry = Candidate(name="Thanh toán trực tuyến", href="/p/home/dvc-thanh-toan-truc-tuyen.html", **fields)
    icon = Candidate(name="", href="/thanh-toan-truc-tuyen", **fields)
    synonyms = ("Thanh toán trực tuyến", "Thanh toán phí, lệ phí", "Thanh toán")
    for c in (headline, entry, icon):
        _score(c, synonyms, use_url=True)
    assert (headline.quality, entry.quality, entry.matched_on, icon.matched_on) == (0, T.EXACT, "name", "url")


def test_guard_blocks_non_get_and_foreign_hosts_but_allows_listed_lookups():
    policy = NetPolicy.build(["http://127.0.0.1:8000/"], only_hosts=["127.0.0.1"])
    guard = Guard(policy, allowed_posts=[AllowedPost(r"/api/tra-cuu$")])
    assert guard.decide("GET", "http://127.0.0.1:8000/a") is None
    assert guard.decide("POST", "http://127.0.0.1:8000/nop-ho-so").kind == "state-changing"
    assert guard.decide("PUT", "http://127.0.0.1:8000/api/tra-cuu").kind == "state-changing"
    assert guard.decide("POST", "http://127.0.0.1:8000/api/tra-cuu") is None
    foreign = guard.decide("GET", "https://xacthuc.dichvucong.gov.vn/")
    assert foreign.reason == "host xacthuc.dichvucong.gov.vn is not among this run's allowed hosts"
    assert guard.decide("GET", "data:text/plain,x") is None


def test_artefact_names_come_from_ids_only():
    assert artefact_name("bo-ket-noi", "dossier_lookup", ".png") == "bo-ket-noi--dossier_lookup.png"
    assert artefact_name("../../etc/passwd", "x", ".png") == "_etc_passwd--x.png"


def test_override_file_errors_name_file_line_and_key(tmp_path):
    good = tmp_path / "ok.yaml"
    good.write_text("dossier_lookup: '#/tra-cuu-ho-so'\nsearch_procedure.input: '#keyword'\n", encoding="utf-8")
    assert load_overrides(good) == {"dossier_lookup": "#/tra-cuu-ho-so", "search_procedure.input": "#keyword"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("privacy: /chinh-sach\ndossier_lookup.code: 12\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_overrides(bad)
    assert str(e.value) == f"{bad}:2: dossier_lookup.code: must be a non-empty string"
