"""Static files of the sample portals: CSS per portal, scripts, images, downloadable forms.

Everything is generated here and served by the portal itself: no page loads anything from another
origin. Heavy images and busy scripts are the performance faults the quality profile asks for.
"""

from __future__ import annotations

import random
import struct
import zlib
from functools import lru_cache
from pathlib import Path

from .profiles import PortalSpec

# -- stylesheets -----------------------------------------------------------------------------------

STATIC_DIR = Path(__file__).resolve().parent / "static"

_FOCUS_OK = (
    ":is(a, button, input, select, textarea, summary, [tabindex]):focus-visible "
    "{ outline: 3px solid #ffbf47; outline-offset: 2px; }"
)
_FOCUS_OFF = "*:focus{outline:none}"

# Low-contrast text, in layers: each level adds its layer to those before it.
_CONTRAST_LAYERS = (
    ("badge", ".badge-tnm { color: #a3acb9; }"),  # the footer badge only
    ("muted", ".muted, .breadcrumb, .breadcrumb a, .meta { color: #a0a0a0; }"),  # dates, breadcrumbs
    (
        "low",
        ".main-nav { background: #ffd54f; } .main-nav a { color: #fff; } "  # white menu on yellow
        ".site-footer { background: #9e9e9e; color: #e0e0e0; } .site-footer a { color: #eee; }",
    ),
    ("poor", "td, th { color: #a0a0a0; }"),  # grey tables
)
CONTRAST_LEVELS = ("ok",) + tuple(name for name, _ in _CONTRAST_LAYERS)


def _contrast_css(level: str) -> str:
    depth = CONTRAST_LEVELS.index(level)
    return "".join(css for _, css in _CONTRAST_LAYERS[:depth])


_WIDTH = {
    "responsive": "",
    "noscale": ".container,.main-nav ul{width:1000px;max-width:none}",
    "none": "body{min-width:1200px}.container,.main-nav ul{width:1180px;max-width:none}",
}


def stylesheet(portal: PortalSpec) -> str:
    q = portal.quality
    css = static_text("site.css").replace("BRAND", portal.brand)
    css += _FOCUS_OK if q.focus_visible else _FOCUS_OFF
    css += _contrast_css(q.contrast) + _WIDTH[q.viewport]
    return css


# -- scripts ---------------------------------------------------------------------------------------

# Stand-in for EMC's gov-tracking.min.js: drains the _govaq queue locally and sends nothing.
EMC_JS = """/* gov-tracking.min.js (sample, local copy: records the queue, sends nothing) */
(function(w){var q=w._govaq||[];w.__govTracked=[];function p(c){w.__govTracked.push(c)}
for(var i=0;i<q.length;i++){p(q[i])}w._govaq={push:p};})(window);
"""


def emc_snippet(site_id: int) -> str:
    """The inline queue the EMC integration guide asks for (setTrackerUrl kept local)."""
    return (
        "var _govaq = window._govaq || [];\n"
        "_govaq.push(['trackPageView']);\n"
        "_govaq.push(['enableLinkTracking']);\n"
        "_govaq.push(['setTrackerUrl', '/emc/tracking']);\n"
        f"_govaq.push(['setSiteId', '{site_id}']);\n"
    )


def blocking_script(busy_ms: int) -> str:
    """A render-blocking "plugins" bundle whose start-up keeps the main thread busy (a long task)."""
    return (
        "/* jquery.plugins.bundle.js (sample) */\n"
        f"(function(){{var end=Date.now()+{busy_ms};var x=0;while(Date.now()<end){{x+=Math.sqrt(x+1)}}"
        "window.__pluginsReady=x>0;})();\n"
    )


def late_banner_script(height: int) -> str:
    """Inserts a notice above the content after load: the layout shift (CLS) the profile asks for."""
    return (
        "window.addEventListener('load',function(){setTimeout(function(){"
        "var m=document.querySelector('main')||document.body;var d=document.createElement('div');"
        f"d.className='notice';d.style.height='{height}px';"
        "d.textContent='Thông báo: Hệ thống sẽ tạm dừng để bảo trì từ 22 giờ đến 24 giờ thứ Bảy.';"
        "m.insertBefore(d,m.firstChild);},250);});"
    )


BROKEN_SCRIPT = "initSlider('#banner', {autoplay: true});"  # initSlider is never defined: a console error


def static_text(name: str) -> str:
    """A file of static/ (the shared stylesheet base, the detail-page widgets, the hash-routed app)."""
    return (STATIC_DIR / name).read_text(encoding="utf-8")


# -- images ----------------------------------------------------------------------------------------


def logo_svg(portal: PortalSpec) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">'
        f'<circle cx="48" cy="48" r="46" fill="#da251d" stroke="{portal.brand}" stroke-width="4"/>'
        '<polygon points="48,18 56,42 82,42 61,57 69,81 48,66 27,81 35,57 14,42 40,42" fill="#ffde00"/></svg>'
    )


def banner_svg(portal: PortalSpec) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="1140" height="180" viewBox="0 0 1140 180">'
        f'<rect width="1140" height="180" fill="{portal.brand}"/>'
        '<text x="40" y="105" font-family="Arial" font-size="40" fill="#fff">Dịch vụ công trực tuyến</text></svg>'
    )


NEWS_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180" viewBox="0 0 320 180">'
    '<rect width="320" height="180" fill="#d9e2ec"/><circle cx="90" cy="80" r="30" fill="#9fb3c8"/>'
    '<rect x="40" y="130" width="240" height="16" fill="#9fb3c8"/></svg>'
)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@lru_cache(maxsize=8)
def heavy_png(kb: int) -> bytes:
    """A valid PNG of about `kb` kilobytes: noise, so it does not compress (an unoptimised photo)."""
    width = 1200
    height = max(40, kb * 1024 // (3 * width))
    rng = random.Random(kb)  # deterministic bytes: the same size on every run
    raw = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 1))
        + _png_chunk(b"IEND", b"")
    )


# -- downloadable forms ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def form_pdf() -> bytes:
    """A small valid one-page PDF (the form template citizens download)."""
    text = b"BT /F1 18 Tf 60 760 Td (TO KHAI - mau so 01 (ban mau)) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _rtf_escape(text: str) -> str:
    return "".join(c if ord(c) < 128 else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?" for c in text)


@lru_cache(maxsize=1)
def form_doc() -> bytes:
    """A Word-readable form (RTF content, as many portals serve under .doc)."""
    body = _rtf_escape("ĐƠN ĐỀ NGHỊ (mẫu)\\par Kính gửi: ........\\par Họ và tên: ........")
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs28 " + body + "}").encode("ascii")


FILES = {"mau-to-khai.pdf": ("application/pdf", form_pdf), "mau-don-de-nghi.doc": ("application/msword", form_doc)}
