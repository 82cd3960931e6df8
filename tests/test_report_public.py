"""The published folder is fit to publish: no local path, command-line flag, raw setting, trace or log; it
names its publisher, the method's version and date, and how to ask for a re-check."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

from portalscore.contract.errors import InputError
from portalscore.reports import render_report
from portalscore.reports.publisher import Publisher, load_publisher
from tests.test_reports_data import build_scored

FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)+|(?<![\w-])--(?:resume|lang|db|out|criteria|publisher)\b")


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("public")
    artefacts = base / "operator" / "artefacts"
    artefacts.mkdir(parents=True)
    data = build_scored(artefact_dir=artefacts)
    (artefacts / "traces").mkdir()
    (artefacts / "traces" / "search_procedure.zip").write_bytes(b"PK trace")
    first = next(iter(data.evidence.values()))
    first.errors.append(f"scenarios failed: FileNotFoundError: {artefacts}/traces/missing.zip")
    first.pages[0].notes.append(f"download refused: {base}/secret.txt")
    operator = {
        "artefact_dir": str(artefacts),
        "criteria_source": str(base / "my-criteria.yaml"),
        "allowed_hosts": ["10.0.0.5"],
        "contact": "https://operator.example/contact",
        "full_audit": True,
    }
    data.settings |= operator
    for ev in data.evidence.values():
        ev.settings |= operator
    render_report(data, base / "site")
    return {"out": base / "site", "base": base, "artefacts": artefacts}


def _facts(path: Path) -> dict[str, str]:
    """The method page's first fact list, term -> description."""
    doc = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    dl = doc.xpath("//dl[@class='facts']")[0]
    return {
        dt.text_content().strip(): " ".join(dd.text_content().split()) for dt, dd in zip(dl.xpath("dt"), dl.xpath("dd"))
    }


def _files(out: Path) -> list[Path]:
    return [p for p in sorted(out.rglob("*")) if p.is_file()]


def test_no_local_path_flag_or_operator_setting_in_any_published_file(published):
    out, base = published["out"], published["base"]
    home = str(Path.home())
    leaks = []
    for path in _files(out):
        if path.suffix not in (".html", ".json", ".csv"):
            continue
        text = path.read_text(encoding="utf-8-sig")
        for needle in (str(base), home + "/", "/tmp/", "artefact_dir", "criteria_source", "allowed_hosts", "10.0.0.5"):
            if needle in text:
                leaks.append(f"{path.relative_to(out)}: {needle}")
        leaks += [f"{path.relative_to(out)}: {m}" for m in FLAG.findall(text)]
    assert leaks == []


def test_only_report_files_are_published(published):
    out = published["out"]
    suffixes = {p.suffix for p in _files(out)}
    assert suffixes <= {".html", ".json", ".csv", ".css", ".png", ".jpg", ".jpeg", ".webp"}
    assert not list(out.rglob("*.zip")) and not list(out.rglob("*.jsonl"))
    for ev_file in (out / "evidence").glob("*.json"):
        ev = json.loads(ev_file.read_text(encoding="utf-8"))
        assert all(s["trace"] is None for s in ev["scenarios"])
        assert set(ev["settings"]) <= {"max_pages", "lab_runs", "lab_pages", "audit_per_template", "throttle"}


def test_method_page_states_the_settings_in_words(published):
    text = " ".join(
        lxml.html.fromstring((published["out"] / "method.html").read_text(encoding="utf-8")).text_content().split()
    )
    assert "Tối đa 6 trang mỗi cổng" in text
    assert "mỗi trang được tải 3 lần riêng rẽ trên máy; lấy giá trị trung vị" in text
    assert "slow-4g: độ trễ khứ hồi 150 ms, tải xuống 1,6 Mbit/s, tải lên 750 kbit/s" in text
    assert "trên 2 trang đầu của mỗi khuôn mẫu trang" in text


def test_without_a_publisher_file_the_report_says_what_is_not_stated(published):
    out = published["out"]
    method = " ".join(lxml.html.fromstring((out / "method.html").read_text(encoding="utf-8")).text_content().split())
    facts = _facts(out / "method.html")
    assert facts["Đơn vị công bố"] == "đơn vị công bố chưa nêu" and facts["Liên hệ"] == "đơn vị công bố chưa nêu"
    assert facts["Phương pháp áp dụng từ"] == "đơn vị công bố chưa nêu"
    assert facts["Phiên bản phương pháp"] == "2024.1 (bộ tiêu chí mic-2024)"
    assert "Đơn vị công bố chưa nêu địa chỉ liên hệ" in method
    assert "Cách đề nghị kiểm tra lại" in method
    footer = lxml.html.fromstring((out / "index.html").read_text(encoding="utf-8")).xpath("//footer")[0].text_content()
    assert "Đơn vị công bố chưa ghi tên." in footer


def test_publisher_file_names_publisher_contact_method_and_recheck(tmp_path):
    path = tmp_path / "publisher.yaml"
    path.write_text(
        "name_vi: Cục Chuyển đổi số quốc gia\n"
        "name_en: National Digital Transformation Agency\n"
        "contact: danhgia@example.gov.vn\n"
        "method_version: '2024.1'\n"
        "method_date: 2024-04-03\n"
        "recheck_vi: Gửi thư điện tử trong 15 ngày kể từ ngày công bố.\n"
        "recheck_en: Write within 15 days of publication.\n",
        encoding="utf-8",
    )
    publisher = load_publisher(path)
    assert publisher == Publisher(
        name_vi="Cục Chuyển đổi số quốc gia",
        name_en="National Digital Transformation Agency",
        contact="danhgia@example.gov.vn",
        method_version="2024.1",
        method_date="2024-04-03",
        recheck_vi="Gửi thư điện tử trong 15 ngày kể từ ngày công bố.",
        recheck_en="Write within 15 days of publication.",
    )
    data = build_scored(n_ministries=1, n_provinces=1, pages=2)
    data.publisher = publisher
    render_report(data, tmp_path / "out")
    vi = lxml.html.fromstring((tmp_path / "out" / "method.html").read_text(encoding="utf-8"))
    text = " ".join(vi.text_content().split())
    facts = _facts(tmp_path / "out" / "method.html")
    assert facts["Đơn vị công bố"] == "Cục Chuyển đổi số quốc gia"
    assert facts["Phương pháp áp dụng từ"] == "03/04/2024"
    assert "Gửi thư điện tử trong 15 ngày kể từ ngày công bố." in text
    assert vi.xpath("//a[@href='mailto:danhgia@example.gov.vn']")
    en = " ".join(
        lxml.html.fromstring((tmp_path / "out" / "en" / "index.html").read_text(encoding="utf-8"))
        .text_content()
        .split()
    )
    assert "Published by National Digital Transformation Agency." in en
    ranking = json.loads((tmp_path / "out" / "ranking.json").read_text(encoding="utf-8"))
    assert ranking["publisher"]["contact"] == "danhgia@example.gov.vn"
    assert ranking["publisher"]["method_date"] == "2024-04-03"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("nmae: X\n", ":1: nmae: unknown key"),
        ("contact: call us\n", ":1: contact: must be an e-mail address or an http(s) URL"),
        ("method_date: 3/4/2024\n", ":1: method_date: must be a date written YYYY-MM-DD"),
        ("name: 42\n", ":1: name: must be a non-empty text (quote it)"),
        ("- a\n", "a publisher file is a mapping"),
    ],
)
def test_bad_publisher_file_is_one_clear_line(tmp_path, text, where):
    path = tmp_path / "publisher.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_publisher(path)
    assert where in str(e.value) and "\n" not in str(e.value)
