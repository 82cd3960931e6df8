"""The documents family of the accessibility corpus: PDF and DOCX forms (mẫu đơn, tờ khai) built here, each
fault in one document and the same document without it. Built with the libraries the check reads them with
(pypdf writes the PDFs, python-docx the DOCX files), so no binary is kept in the repository.

    corpus() -> [(name, bytes, content type)]   # names like the HTML corpus: <check>--fail-N / --pass-N
"""

from __future__ import annotations

import io
import struct
import zlib

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE = "Mẫu đơn đề nghị cấp giấy phép xây dựng"
LINES = [
    "Mau don de nghi cap giay phep xay dung",
    "Kinh gui: So Xay dung tinh Hoa Binh Xanh",
    "Ho va ten nguoi de nghi",
]


def make_pdf(
    *, tagged: bool = True, lang: str = "vi-VN", title: str = TITLE, display_title: bool = True, scanned: bool = False
) -> bytes:
    """A one-page form. scanned: the page is an image with no text (as a scanner makes it)."""
    w = PdfWriter()
    page = w.add_blank_page(595, 842)
    resources = DictionaryObject()
    if scanned:
        image = DecodedStreamObject()
        image.set_data(bytes((x * 7 + y * 3) % 256 for y in range(48) for x in range(48)))
        image.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(48),
                NameObject("/Height"): NumberObject(48),
                NameObject("/ColorSpace"): NameObject("/DeviceGray"),
                NameObject("/BitsPerComponent"): NumberObject(8),
            }
        )
        resources[NameObject("/XObject")] = DictionaryObject({NameObject("/Im1"): w._add_object(image)})
        content = b"q 495 0 0 742 50 50 cm /Im1 Do Q"
    else:
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        resources[NameObject("/Font")] = DictionaryObject({NameObject("/F1"): w._add_object(font)})
        text = " ".join(f"({line}) Tj 0 -24 Td" for line in LINES)
        body = f"BT /F1 14 Tf 72 770 Td {text} ET"
        content = (f"/P <</MCID 0>> BDC {body} EMC" if tagged else body).encode("latin-1")
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = w._add_object(stream)
    page[NameObject("/Resources")] = resources
    root = w.root_object
    if tagged:
        struct_root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
        struct_ref = w._add_object(struct_root)
        para = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/StructElem"),
                NameObject("/S"): NameObject("/P"),
                NameObject("/P"): struct_ref,
                NameObject("/Pg"): page.indirect_reference,
                NameObject("/K"): NumberObject(0),
            }
        )
        struct_root[NameObject("/K")] = ArrayObject([w._add_object(para)])
        root[NameObject("/StructTreeRoot")] = struct_ref
        root[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    if lang:
        root[NameObject("/Lang")] = TextStringObject(lang)
    if title:
        w.add_metadata({"/Title": title})
    if display_title:
        w.create_viewer_preferences().display_doctitle = True
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _png(width: int = 8, height: int = 8) -> bytes:
    """A small grey PNG for a picture in a DOCX (the format's own chunks; no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes([128] * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def make_docx(*, title: str = TITLE, lang: str = "vi-VN", picture_alt: str | None = "Quốc huy") -> bytes:
    """A tờ khai with a heading, a paragraph and a picture. picture_alt None: no picture; "" : one without alt."""
    import docx
    from docx.shared import Cm

    d = docx.Document()
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    default_lang = d.styles.element.find(f"{w}docDefaults/{w}rPrDefault/{w}rPr/{w}lang")
    if default_lang is not None:  # python-docx's template says en-US; a Vietnamese form says vi-VN, or nothing
        if lang:
            default_lang.set(f"{w}val", lang)
        else:
            default_lang.getparent().remove(default_lang)
    d.core_properties.title = title
    d.core_properties.language = lang
    if picture_alt is not None:
        d.add_picture(io.BytesIO(_png()), width=Cm(2))
        doc_pr = next(
            d.element.body.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")
        )
        doc_pr.set("descr", picture_alt)
    d.add_heading("TỜ KHAI ĐĂNG KÝ KHAI SINH", level=1)
    d.add_paragraph("Kính gửi: Ủy ban nhân dân xã Hòa Bình. Họ, chữ đệm, tên người yêu cầu: ....................")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def corpus() -> list[tuple[str, bytes, str]]:
    return [
        ("ps-pdf-untagged--fail-1", make_pdf(tagged=False), PDF),
        ("ps-pdf-untagged--pass-1", make_pdf(), PDF),
        ("ps-doc-lang--fail-1", make_pdf(lang=""), PDF),
        ("ps-doc-lang--pass-1", make_pdf(), PDF),
        ("ps-doc-title--fail-1", make_pdf(title=""), PDF),
        ("ps-doc-title--pass-1", make_pdf(), PDF),
        ("ps-doc-title--fail-2", make_pdf(display_title=False), PDF),
        ("ps-doc-title--pass-2", make_pdf(), PDF),
        ("ps-pdf-scanned--fail-1", make_pdf(scanned=True), PDF),
        ("ps-pdf-scanned--pass-1", make_pdf(), PDF),
        ("ps-doc-title--fail-3", make_docx(title=""), DOCX),
        ("ps-doc-title--pass-3", make_docx(), DOCX),
        ("ps-doc-lang--fail-2", make_docx(lang=""), DOCX),
        ("ps-doc-lang--pass-2", make_docx(), DOCX),
        ("ps-doc-img-alt--fail-1", make_docx(picture_alt=""), DOCX),
        ("ps-doc-img-alt--pass-1", make_docx(), DOCX),
    ]
