"""The forms a procedure page links to (mẫu đơn, tờ khai: PDF, DOCX), checked from their bytes.

    check_document(data, content_type, url) -> list[Violation]     # [] when the document passes

PDF (pypdf): tagged (/MarkInfo /Marked and a /StructTreeRoot: without tags a screen reader gets the text in
drawing order, no headings, tables or form fields: WCAG 1.3.1, technique PDF9/PDF6); a document language
(/Lang: 3.1.1, PDF16); a title (/Title in the document information or dc:title in the XMP metadata) that the
viewer shows (/ViewerPreferences /DisplayDocTitle: 2.4.2, PDF18); real text rather than scanned page images
(pages with images and no extractable text: 1.1.1 and 1.4.5; a scan is unreadable to a screen reader unless
OCR'd and tagged).
DOCX (python-docx): a title in the core properties (2.4.2), a language in the core properties or the default
run properties of the styles (3.1.1), text alternatives on pictures (1.1.1).
Legacy .doc (Word 97-2003, OLE2): not checked (DocumentNotChecked): its binary format carries no reliable
title/language/alternative-text metadata we could read without a hand-written parser; left to people, and
reported so.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from portalscore.contract.evidence import Violation

from .base import CheckMeta, Node, violation

PDF_UNTAGGED = CheckMeta(
    id="ps-pdf-untagged",
    wcag=("1.3.1",),
    impact="serious",
    title_en="PDF documents must be tagged so that their structure (headings, tables, form fields) reaches assistive technology",
    title_vi="Tài liệu PDF phải được gắn thẻ (tagged) để cấu trúc (tiêu đề, bảng, trường biểu mẫu) đến được công nghệ hỗ trợ",
    family="documents",
)
DOC_LANG = CheckMeta(
    id="ps-doc-lang",
    wcag=("3.1.1",),
    impact="serious",
    title_en="Documents must declare their language",
    title_vi="Tài liệu phải khai báo ngôn ngữ",
    family="documents",
)
DOC_TITLE = CheckMeta(
    id="ps-doc-title",
    wcag=("2.4.2",),
    impact="moderate",
    title_en="Documents must have a title, shown by the viewer in place of the file name",
    title_vi="Tài liệu phải có tiêu đề, được trình xem hiển thị thay cho tên tệp",
    family="documents",
)
PDF_SCANNED = CheckMeta(
    id="ps-pdf-scanned",
    wcag=("1.1.1",),
    impact="critical",
    title_en="PDF forms must contain real text, not scanned images of pages",
    title_vi="Biểu mẫu PDF phải chứa văn bản thật, không phải ảnh quét của trang",
    family="documents",
)
DOC_IMG_ALT = CheckMeta(
    id="ps-doc-img-alt",
    wcag=("1.1.1",),
    impact="serious",
    title_en="Pictures in documents must have alternative text",
    title_vi="Hình ảnh trong tài liệu phải có văn bản thay thế",
    family="documents",
)
DOCUMENT_CHECKS = (PDF_UNTAGGED, DOC_LANG, DOC_TITLE, PDF_SCANNED, DOC_IMG_ALT)

MAX_PAGES_READ = 5  # text extraction on the first pages is enough to tell a scan from a text document
PDF_TYPES = ("application/pdf", "application/x-pdf")
DOCX_TYPES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)
DOC_TYPES = ("application/msword",)
_WORDS = re.compile(r"\w{2,}", re.UNICODE)


class DocumentNotChecked(ValueError):
    """The document could not be checked (legacy .doc, damaged, encrypted, not a document): left to people."""


def kind_of(data: bytes, content_type: str, url: str) -> str:
    """'pdf' | 'docx' | 'doc' | '' from the bytes first (servers often send application/octet-stream)."""
    ctype = content_type.split(";")[0].strip().lower()
    path = url.split("?")[0].split("#")[0].lower()
    if data.startswith(b"%PDF-") or ctype in PDF_TYPES:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if "word/document.xml" in z.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            return ""
        return ""
    if data.startswith(b"\xd0\xcf\x11\xe0") or ctype in DOC_TYPES or path.endswith(".doc"):
        return "doc"
    if ctype in DOCX_TYPES or path.endswith(".docx"):
        return "docx"
    return ""


def check_document(data: bytes, content_type: str, url: str) -> list[Violation]:
    """Our document checks on one downloaded file; [] when it passes them all. Raises DocumentNotChecked."""
    kind = kind_of(data, content_type, url)
    if kind == "pdf":
        found = _check_pdf(data, url)
    elif kind == "docx":
        found = _check_docx(data, url)
    elif kind == "doc":
        raise DocumentNotChecked("legacy Word .doc: title, language and alternative texts are left to people")
    else:
        raise DocumentNotChecked(f"not a PDF or DOCX document ({content_type or 'no content type'})")
    return [violation(meta, [node]) for meta, node in found]


def _node(url: str, summary: str) -> Node:
    return Node(target=url, html="", summary=summary)


def _check_pdf(data: bytes, url: str) -> list[tuple[CheckMeta, Node]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentNotChecked("encrypted PDF that needs a password")
        root: Any = reader.trailer["/Root"]
        pages = reader.pages
        page_count = len(pages)
    except DocumentNotChecked:
        raise
    except (PdfReadError, KeyError, ValueError, TypeError) as e:
        raise DocumentNotChecked(f"unreadable PDF: {e}") from None
    found: list[tuple[CheckMeta, Node]] = []
    mark: Any = root.get("/MarkInfo")
    marked = bool(mark.get_object().get("/Marked")) if mark is not None else False
    if not (marked and root.get("/StructTreeRoot") is not None):
        why = "no structure tree" if marked else "not marked as tagged (/MarkInfo /Marked)"
        found.append((PDF_UNTAGGED, _node(url, f"untagged PDF: {why}")))
    lang = str(root.get("/Lang") or "").strip()
    if not lang:
        found.append((DOC_LANG, _node(url, "the PDF declares no language (/Lang in the catalog)")))
    info: Any = reader.metadata or {}
    title = str(info.get("/Title") or "").strip()
    if not title:
        xmp = reader.xmp_metadata
        title = str((xmp.dc_title or {}).get("x-default", "") if xmp is not None else "").strip()
    prefs: Any = root.get("/ViewerPreferences")
    shows = bool(prefs.get_object().get("/DisplayDocTitle")) if prefs is not None else False
    if not title:
        found.append((DOC_TITLE, _node(url, "the PDF has no title (document information or XMP dc:title)")))
    elif not shows:
        found.append(
            (
                DOC_TITLE,
                _node(url, f"title {title[:60]!r} is not shown: /ViewerPreferences /DisplayDocTitle is not set"),
            )
        )
    image_only = 0
    read = min(page_count, MAX_PAGES_READ)
    for page in list(pages)[:read]:
        try:
            text = page.extract_text() or ""
            images = _image_count(page)
        except Exception:  # a broken content stream on one page: read the others
            continue
        if images and len(_WORDS.findall(text)) < 3:
            image_only += 1
    if read and image_only == read:
        found.append(
            (PDF_SCANNED, _node(url, f"{image_only} of the first {read} pages are images with no text: a scan"))
        )
    return found


def _image_count(page: Any) -> int:
    """Image XObjects drawn by the page, directly or through one level of form XObjects (read from the
    resources: pypdf's page.images would decode them, which needs an imaging library)."""
    count = 0
    resources: Any = page.get("/Resources") or {}
    xobjects: Any = resources.get("/XObject")
    if not xobjects:
        return 0
    for ref in xobjects.get_object().values():
        xobj = ref.get_object()
        if xobj.get("/Subtype") == "/Image":
            count += 1
        elif xobj.get("/Subtype") == "/Form":
            inner_resources: Any = xobj.get("/Resources") or {}
            inner: Any = inner_resources.get("/XObject")
            if inner:
                count += sum(1 for r in inner.get_object().values() if r.get_object().get("/Subtype") == "/Image")
    return count


def _check_docx(data: bytes, url: str) -> list[tuple[CheckMeta, Node]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise DocumentNotChecked(f"unreadable DOCX: {e}") from None
    found: list[tuple[CheckMeta, Node]] = []
    props = document.core_properties
    if not (props.title or "").strip():
        found.append((DOC_TITLE, _node(url, "the document has no title (File > Properties > Title)")))
    lang = (props.language or "").strip() or _default_language(document)
    if not lang:
        found.append((DOC_LANG, _node(url, "the document declares no language (core properties or default style)")))
    missing = _pictures_without_alt(document)
    if missing:
        found.append((DOC_IMG_ALT, _node(url, f"{missing} picture(s) with no alternative text")))
    return found


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _default_language(document) -> str:
    """w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val, where Word keeps the language of a document's text."""
    styles = document.styles.element
    lang = styles.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}lang")
    return (lang.get(f"{_W}val") or "").strip() if lang is not None else ""


def _pictures_without_alt(document) -> int:
    """Inline and floating pictures (wp:docPr) with neither a description nor marked decorative."""
    wp = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    missing = 0
    for pr in document.element.body.iter(f"{wp}docPr"):
        descr = (pr.get("descr") or "").strip()
        decorative = any(child.tag.endswith("}decorative") for child in pr.iter())
        if not descr and not decorative:
            missing += 1
    return missing
