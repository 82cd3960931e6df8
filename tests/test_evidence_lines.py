"""Issue 19, item 3: the journeys' evidence lines say what is true on pages of the shapes that fooled them.

- a menu that is a `<nav aria-label=…>` inside a bigger `<div class="menu">` is a navigation landmark;
- the first Tab stop, a logo link named by its image's alt, is quoted by that name (Playwright's accessible-name
  computation), not as '';
- a feedback page whose three fields are not in a `<form>` says so, not "form with 1 field";
- the whole portal is served in decomposed Unicode (NFD, as older CMSs store Vietnamese): its labels are still
  matched, and everything quoted is NFC.
Served here on 127.0.0.1, run through the journeys' own browser behind the egress proxy.
"""

from __future__ import annotations

import threading
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from portalscore.contract.portal import Portal
from tests.browsers import journey_browser

pytestmark = pytest.mark.browser

NAME = "Cổng Dịch vụ công tỉnh Mẫu"
HEADER = f"""<header><div class="menu">
<a href="/"><img alt="{NAME}" src="/logo.svg" width="40" height="40"></a>
<nav aria-label="Điều hướng chính"><a href="/">Trang chủ</a> <a href="/thu-tuc">Thủ tục hành chính</a>
<a href="/tra-cuu">Tra cứu hồ sơ</a> <a href="/phan-anh">Phản ánh, kiến nghị</a></nav>
<a href="/dang-nhap">Đăng nhập</a> <a href="/dang-ky">Đăng ký</a></div>
<form role="search" action="/tim-kiem"><label for="q">Tìm kiếm</label><input id="q" name="q"></form></header>"""
DIV_MENU = HEADER.replace('<nav aria-label="Điều hướng chính">', '<div class="nav">').replace("</nav>", "</div>")


def _page(title: str, body: str, header: str = HEADER) -> str:
    return (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head><body>{header}'
        f"<main><h1>{title}</h1>{body}</main><footer><p>Đường dây nóng 1900 1234</p></footer></body></html>"
    )


# A menu entry led by an icon font's glyph, hidden from the accessibility tree: its name is the words alone.
ICON_MENU = HEADER.replace(
    '<a href="/phan-anh">Phản ánh, kiến nghị</a>',
    '<a href="/phan-anh"><i aria-hidden="true">✉</i> Phản ánh, kiến nghị</a>',
)

PAGES = {
    "/": _page(NAME, "<p>Chào mừng</p>"),
    "/icon-menu": _page(NAME, "<p>Chào mừng</p>", ICON_MENU),
    "/div-menu": _page(NAME, "<p>Chào mừng</p>", DIV_MENU),
    "/phan-anh": _page(
        "Phản ánh, kiến nghị",
        '<div id="gop-y"><label for="ten">Họ và tên</label><input id="ten">'
        '<label for="sdt">Số điện thoại</label><input id="sdt" type="tel">'
        '<label for="nd">Nội dung phản ánh</label><textarea id="nd"></textarea>'
        '<button type="button">Gửi phản ánh</button></div>',
    ),
    "/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40"/></svg>',
}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        body = PAGES.get(path)
        status = 200 if body is not None else 404
        # Every page in NFD, as an older CMS stores Vietnamese.
        data = unicodedata.normalize("NFD", body or "<h1>404</h1>").encode("utf-8")
        self.send_response(status)
        ctype = "image/svg+xml" if path.endswith(".svg") else "text/html; charset=utf-8"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def chromium():
    with journey_browser() as journeys:
        yield journeys


def _run(chromium, url: str, only: list[str], tmp_path: Path):
    from portalscore.scenarios.runner import run_scenarios

    portal = Portal(id="mini-nfd", name="nfd", kind="province", url=url)
    return {r.id: r for r in run_scenarios(chromium, portal, tmp_path, only=only)}


def _detail(result, step: str) -> str:
    return next(s.detail for s in result.steps if s.name == step)


def _all_text(result) -> str:
    return " ".join([result.reason] + [s.detail for s in result.steps])


def test_nav_landmark_inside_a_bigger_menu_box_is_a_landmark(chromium, site, tmp_path):
    home = _run(chromium, site + "/", ["home"], tmp_path)["home"]
    assert "not marked up as a nav landmark" not in _detail(home, "main_navigation"), _detail(home, "main_navigation")
    # The same menu without <nav>: then it is true, and said.
    plain = _run(chromium, site + "/div-menu", ["home"], tmp_path)["home"]
    assert "(not marked up as a nav landmark)" in _detail(plain, "main_navigation")


def test_first_tab_stop_is_named_by_its_image_alt_in_nfc(chromium, site, tmp_path):
    keyboard = _run(chromium, site + "/", ["keyboard"], tmp_path)["keyboard"]
    assert keyboard.outcome == "failed" and keyboard.failed_step == "skip_link"
    assert keyboard.reason == f"the first Tab stop is not a skip link but a {NAME!r}", keyboard.reason


def test_a_followed_link_is_quoted_by_its_accessible_name(chromium, site, tmp_path):
    """The evidence quotes what a screen reader says (the accessibility tree), not the glyph of an aria-hidden icon."""
    feedback = _run(chromium, site + "/icon-menu", ["feedback"], tmp_path)["feedback"]
    found = _detail(feedback, "find_feedback")
    assert found.startswith('a "Phản ánh, kiến nghị"'), found
    assert "✉" not in found


def test_feedback_fields_without_a_form_are_counted_and_said(chromium, site, tmp_path):
    feedback = _run(chromium, site + "/", ["feedback"], tmp_path)["feedback"]
    assert feedback.outcome == "passed", feedback.reason
    assert _detail(feedback, "feedback_channel") == "3 field(s), not in a <form>"


def test_nfd_portal_is_matched_and_quoted_nfc(chromium, site, tmp_path):
    results = _run(chromium, site + "/", ["home", "feedback", "keyboard"], tmp_path)
    # Matched: the NFD link "Phản ánh, kiến nghị" was found by its words.
    assert "Phản ánh, kiến nghị" in _detail(results["feedback"], "find_feedback")
    assert _detail(results["home"], "title") == NAME
    for r in results.values():
        text = _all_text(r)
        assert text == unicodedata.normalize("NFC", text), (r.id, text)
        assert not any(unicodedata.combining(c) for c in text), (r.id, text)
