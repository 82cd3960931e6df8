"""Document checks (crawler/checks/documents.py) on PDF and DOCX forms built in the test with pypdf and
python-docx, the axe best-practice split, and the evidence fields our checks add (old runs still load)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter

from benchmarks.a11y.documents import DOCX, PDF, corpus, make_docx, make_pdf
from portalscore.contract.evidence import Accessibility, PageEvidence, from_dict
from portalscore.crawler.axe import summarize
from portalscore.crawler.checks import CHECKS
from portalscore.crawler.checks.base import CheckMeta
from portalscore.crawler.checks.documents import DOCUMENT_CHECKS, DocumentNotChecked, check_document, kind_of

URL = "https://dichvucong.example.gov.vn/files/mau-don.pdf"


def rules(data: bytes, ctype: str = PDF) -> list[str]:
    return sorted(v.rule for v in check_document(data, ctype, URL))


def test_a_well_made_pdf_form_passes():
    assert rules(make_pdf()) == []


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"tagged": False}, ["ps-pdf-untagged"]),
        ({"lang": ""}, ["ps-doc-lang"]),
        ({"title": ""}, ["ps-doc-title"]),
        ({"display_title": False}, ["ps-doc-title"]),
        ({"scanned": True}, ["ps-pdf-scanned"]),
        ({"tagged": False, "lang": "", "title": ""}, ["ps-doc-lang", "ps-doc-title", "ps-pdf-untagged"]),
    ],
)
def test_each_pdf_fault_is_found_alone(kwargs, expected):
    assert rules(make_pdf(**kwargs)) == expected


def test_a_pdf_finding_reads_like_an_axe_violation():
    (v,) = check_document(make_pdf(tagged=False), PDF, URL)
    assert v.source == "portalscore" and v.wcag == ["1.3.1"] and v.impact == "serious"
    assert v.help and v.help_vi and v.help_url.startswith("https://www.w3.org/WAI/WCAG22/Understanding/")
    assert v.node_count == 1 and v.nodes[0].target == URL and "untagged" in v.nodes[0].summary


def test_a_title_in_xmp_only_counts():
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(title=""))))
    w.xmp_metadata = None  # pypdf writes XMP from a stream: the document information stays empty
    from pypdf.xmp import XmpInformation

    xmp = XmpInformation.create()
    xmp.dc_title = {"x-default": "Tờ khai đăng ký khai sinh"}
    w.xmp_metadata = xmp
    out = io.BytesIO()
    w.write(out)
    assert rules(out.getvalue()) == []


def test_docx_forms():
    assert rules(make_docx(), DOCX) == []
    assert rules(make_docx(title=""), DOCX) == ["ps-doc-title"]
    assert rules(make_docx(lang=""), DOCX) == ["ps-doc-lang"]
    assert rules(make_docx(picture_alt=""), DOCX) == ["ps-doc-img-alt"]


def test_the_kind_comes_from_the_bytes_first():
    assert kind_of(make_pdf(), "application/octet-stream", "https://x/dl?id=1") == "pdf"
    assert kind_of(make_docx(), "application/octet-stream", "https://x/dl?id=2") == "docx"
    assert rules(make_pdf(lang=""), "application/octet-stream") == ["ps-doc-lang"]


def test_what_cannot_be_checked_says_so():
    with pytest.raises(DocumentNotChecked, match="legacy Word"):
        check_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "application/msword", "https://x/a.doc")
    with pytest.raises(DocumentNotChecked, match="unreadable PDF"):
        check_document(b"%PDF-1.7\n garbage", PDF, URL)
    with pytest.raises(DocumentNotChecked, match="not a PDF or DOCX"):
        check_document(b"<html></html>", "text/html", "https://x/")
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    w.encrypt(user_password="mat-khau", owner_password="chu")
    out = io.BytesIO()
    w.write(out)
    with pytest.raises(DocumentNotChecked, match="password"):
        check_document(out.getvalue(), PDF, URL)


def test_the_benchmark_documents_each_fail_alone():
    for name, data, ctype in corpus():
        planted, _, rest = name.partition("--")
        assert rules(data, ctype) == ([planted] if rest.startswith("fail") else []), name


def test_axe_best_practice_violations_are_split_from_wcag_ones():
    raw = {
        "engine": "axe-core 4.14.1",
        "violations": [
            {
                "id": "image-alt",
                "impact": "critical",
                "tags": ["cat.text-alternatives", "wcag2a", "wcag111"],
                "nodes": [],
            },
            {"id": "heading-order", "impact": "moderate", "tags": ["cat.semantics", "best-practice"], "nodes": []},
            {"id": "region", "impact": "moderate", "tags": ["cat.keyboard", "best-practice", "RGAAv4"], "nodes": []},
        ],
        "passes": 3,
        "incomplete": 0,
    }
    acc = summarize(raw)
    assert [v.rule for v in acc.violations] == ["image-alt"]
    assert [v.rule for v in acc.best_practice] == ["heading-order", "region"]
    assert all(v.source == "axe" for v in acc.violations + acc.best_practice)


def test_a_stored_run_from_before_these_fields_still_loads():
    old = {
        "url": "https://x/",
        "accessibility": {
            "engine": "axe-core 4.14.1",
            "violations": [{"rule": "image-alt", "impact": "critical", "wcag": ["1.1.1"], "node_count": 1,
                            "nodes": [{"target": "img", "html": "<img>", "summary": "x"}]}],
            "passes": 3,
        },
    }  # fmt: skip
    page = from_dict(PageEvidence, old)
    acc = page.accessibility
    assert isinstance(acc, Accessibility)
    assert acc.best_practice == [] and acc.checks == [] and acc.check_errors == {}
    assert (
        acc.violations[0].source == "axe"
        and acc.violations[0].help_vi == ""
        and acc.violations[0].nodes[0].crop is None
    )


def test_check_ids_are_unique_and_mapped_to_wcag():
    ids = [c.meta.id for c in CHECKS] + [m.id for m in DOCUMENT_CHECKS]
    assert len(ids) == len(set(ids))
    assert all(c.meta.wcag and c.meta.title_vi and c.meta.title_en and c.meta.family for c in CHECKS)
    with pytest.raises(ValueError):
        CheckMeta(id="focus", wcag=("2.4.7",), impact="serious", title_en="x", title_vi="x")
    with pytest.raises(ValueError):
        CheckMeta(id="ps-x", wcag=("9.9.9",), impact="serious", title_en="x", title_vi="x")


def test_applying_a_run_puts_best_practice_checks_apart_and_marks_what_ran():
    from portalscore.contract.evidence import Violation
    from portalscore.crawler.checks import CHECKS_VERSION, CheckRun, reusable, selected

    run = CheckRun(
        violations=[
            Violation(rule="ps-focus-visible", impact="serious", source="portalscore"),
            Violation(rule="ps-link-no-destination", impact="minor", source="portalscore"),
        ],
        checks=[c.meta.id for c in selected(heavy=False)],
    )
    acc = run.apply(
        Accessibility(engine="axe-core 4.14.1", violations=[Violation(rule="image-alt", impact="critical")])
    )
    assert [v.rule for v in acc.violations] == ["image-alt", "ps-focus-visible"]
    assert [v.rule for v in acc.best_practice] == ["ps-link-no-destination"]
    assert acc.checks_version == CHECKS_VERSION
    assert reusable(acc, heavy=False) and not reusable(acc, heavy=True)  # heavy checks are due and did not run
    assert not reusable(Accessibility(engine="axe-core 4.14.1"), heavy=False)  # stored before our checks
