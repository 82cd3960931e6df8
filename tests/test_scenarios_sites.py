"""The journeys on small portals served here on 127.0.0.1, one per markup style real portals use:
labelled server-rendered forms, a hash-routed single-page app with capitalised labels and
javascript: links, a portal written without diacritics with placeholder-only inputs and a lookup
that POSTs, and a broken one. Other scenario test files reuse these sites.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from portalscore.contract.portal import Portal
from tests.browsers import journey_browser

LOOPBACK = ["127.0.0.1", "localhost"]

# -- the sites ----------------------------------------------------------------------------------

CSS = """body{font:16px/1.5 sans-serif;margin:0} header,main,footer{padding:8px 16px} nav a{display:inline-block;
padding:12px} .skip{position:absolute;left:-999px} .skip:focus{left:8px;top:8px;background:#fff}
button,input{min-height:32px;font-size:16px} footer a{display:inline-block;padding:6px}"""
BROKEN_CSS = "body{width:1400px;font-size:11px} a:focus,button:focus,input:focus{outline:none}"


def page(title: str, body: str, *, good: bool = True, nav: str = "") -> str:
    head = '<meta name="viewport" content="width=device-width, initial-scale=1">' if good else ""
    skip = '<a class="skip" href="#noi-dung">Chuyển đến nội dung chính</a>' if good else ""
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">{head}<title>{title}</title>
<style>{CSS}{"" if good else BROKEN_CSS}</style></head><body>{skip}
<header><nav aria-label="Điều hướng chính">{nav}</nav></header>
<main id="noi-dung"><h1>{title}</h1>{body}</main></body></html>"""


PLAIN_NAV = (
    '<a href="/">Trang chủ</a><a href="/thu-tuc">Thủ tục hành chính</a>'
    '<a href="/tra-cuu-ho-so">Tra cứu hồ sơ</a><a href="/thanh-toan">Thanh toán trực tuyến</a>'
    '<a href="/phan-anh">Phản ánh, kiến nghị</a>'
)
PROCEDURE = """<h2>Đăng ký khai sinh</h2><p>Mức độ: Dịch vụ công trực tuyến toàn trình</p>
<section><h3>Trình tự thực hiện</h3><p>Nộp hồ sơ, nhận kết quả.</p></section>
<section><h3>Thành phần hồ sơ</h3><p>Tờ khai.</p></section><section><h3>Thời hạn giải quyết</h3><p>1 ngày</p></section>
<section><h3>Phí, lệ phí</h3><p>Miễn phí</p></section><section><h3>Cơ quan thực hiện</h3><p>UBND cấp xã</p></section>
<section><h3>Căn cứ pháp lý</h3><p>Luật Hộ tịch 2014</p></section>"""
FOOTER = (
    '<footer><a href="/huong-dan">Hướng dẫn sử dụng</a> <a href="/chinh-sach">Chính sách bảo vệ dữ liệu '
    "cá nhân</a> <p>Đường dây nóng: 1900 1234</p></footer>"
)


def plain_site(path: str, query: dict[str, str], good: bool = True) -> tuple[int, str]:
    """Server-rendered, labelled forms, GET everywhere. With good=False: the broken portal."""

    def p(title: str, body: str) -> str:
        return page(title, body + (FOOTER if good else ""), good=good, nav=PLAIN_NAV)

    if path == "/":
        return 200, p(
            "Cổng dịch vụ công tỉnh Mẫu",
            """<form action="/tim-kiem" method="get" role="search">
<label for="q">Tìm kiếm thủ tục</label><input id="q" name="q" type="text"><button>Tìm kiếm</button></form>""",
        )
    if path == "/tim-kiem":
        q = query.get("q", "")
        hits = (
            '<ul><li><a href="/thu-tuc/1">Đăng ký khai sinh</a></li></ul>'
            if "khai sinh" in q and good
            else "<p>Không có kết quả</p>"
        )
        return 200, p(f"Kết quả tìm kiếm: {q}", hits)
    if path == "/thu-tuc":
        return 200, p("Thủ tục hành chính", '<a href="/thu-tuc/1">Đăng ký khai sinh</a>')
    if path == "/thu-tuc/1":
        return 200, p("Đăng ký khai sinh", PROCEDURE + '<p><a href="/dang-nhap">Nộp hồ sơ trực tuyến</a></p>')
    if path == "/thu-tuc/2":  # a procedure page lacking fees and legal basis
        partial = PROCEDURE.split("<section><h3>Phí")[0] + "<section><h3>Cơ quan thực hiện</h3><p>UBND</p></section>"
        return 200, p("Cấp giấy phép xây dựng", partial)
    if path == "/dang-nhap":
        sso = '<a href="https://xacthuc.dichvucong.gov.vn/oauth2/authorize">Đăng nhập bằng VNeID</a>' if good else ""
        return 200, p(
            "Đăng nhập",
            f"""<form method="post" action="/dang-nhap"><label>Tên đăng nhập <input name="u">
</label><label>Mật khẩu <input type="password" name="p"></label><button>Đăng nhập</button></form>{sso}""",
        )
    if path == "/tra-cuu-ho-so":
        if "ma" in query:
            if not good:
                return 500, "<h1>Internal Server Error</h1>"
            return 200, p("Tra cứu hồ sơ", f"<p>Không tìm thấy hồ sơ có mã {query['ma']}</p>")
        return 200, p(
            "Tra cứu hồ sơ",
            """<form method="get"><label for="ma">Mã hồ sơ</label>
<input id="ma" name="ma"><button>Tra cứu</button></form>""",
        )
    if path == "/thanh-toan":
        return 200, p("Thanh toán trực tuyến", "<p>Thanh toán phí, lệ phí qua Nền tảng thanh toán quốc gia.</p>")
    if path == "/phan-anh":
        return 200, p(
            "Phản ánh, kiến nghị",
            """<form method="post" action="/phan-anh"><label>Họ và tên
<input name="ten"></label><label>Nội dung <textarea name="nd"></textarea></label><button>Gửi</button></form>""",
        )
    if path == "/huong-dan":
        return 200, p("Hướng dẫn sử dụng", "<p>Các bước nộp hồ sơ trực tuyến.</p>")
    if path == "/tu-gui":  # a page that tries every way of sending data by itself
        return 200, p(
            "Tự gửi",
            """<form id="f" method="post" action="/nop"><input name="a" value="1"></form>
<script>
fetch('/api/nop', {method: 'POST', body: 'x'}).catch(() => {});
navigator.sendBeacon('/beacon', 'y');
const x = new XMLHttpRequest(); x.open('PUT', '/api/sua'); x.send('z');
setTimeout(() => document.getElementById('f').submit(), 100);
</script>""",
        )
    if path == "/trang-loi":  # known axe-core violations, for comparing drivers
        return 200, p(
            "Trang lỗi",
            """<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20">
<input type="text"><a href="/x"></a><button></button><p style="color:#bbb;background:#fff">Chữ mờ</p>
<p style="color:#ccc;background:#fff">Chữ mờ nữa</p><div id="d"></div><div id="d"></div>""",
        )
    if path == "/chinh-sach" and good:
        return 200, p("Chính sách bảo vệ dữ liệu cá nhân", "<p>Chúng tôi bảo vệ dữ liệu cá nhân của bạn.</p>")
    return 404, p("Không tìm thấy trang", "")


SPA_SHELL = (
    """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>CỔNG DỊCH VỤ CÔNG TỈNH SPA</title>
<style>"""
    + CSS
    + """ .menu-btn{display:none} @media (max-width:600px){nav{display:none} nav.open{display:block}
 .menu-btn{display:inline-block;width:44px;height:44px}}</style></head><body>
<a class="skip" href="#app">Bỏ qua điều hướng</a>
<header><button class="menu-btn" aria-expanded="false" aria-label="Menu"
 onclick="document.querySelector('nav').classList.toggle('open')">☰</button>
<nav><a href="#/">TRANG CHỦ</a><a href="javascript:;" onclick="go('#/tra-cuu-ho-so')">TRA CỨU HỒ SƠ</a>
<span role="button" tabindex="0" onclick="go('#/thanh-toan')">THANH TOÁN TRỰC TUYẾN</span>
<a href="#/phan-anh">PHẢN ÁNH KIẾN NGHỊ</a><button onclick="window.open('/#/hoi-dap')">CÂU HỎI THƯỜNG GẶP</button>
</nav></header>
<main id="app" tabindex="-1"></main>
<footer><a href="#/quyen-rieng-tu">Chính sách quyền riêng tư</a></footer>
<script>
function go(h) { location.hash = h; }
const views = {
  '': () => `<h1>TRANG CHỦ</h1><input id="kw" placeholder="Nhập tên thủ tục hành chính" aria-label="Tìm kiếm">
    <button onclick="go('#/thu-tuc?q=' + encodeURIComponent(document.getElementById('kw').value))">TÌM KIẾM</button>`,
  'thu-tuc': (q) => `<h1>DANH SÁCH THỦ TỤC HÀNH CHÍNH</h1>` + ((q.get('q') || '').includes('khai sinh') ?
     `<a href="#/thu-tuc/1">Thủ tục đăng ký khai sinh</a>` : '<p>Không có kết quả</p>'),
  'thu-tuc/1': () => `<h1>THỦ TỤC ĐĂNG KÝ KHAI SINH</h1>"""
    + PROCEDURE.replace("\n", " ")
    + """
     <button onclick="go('#/dang-nhap')">NỘP HỒ SƠ TRỰC TUYẾN</button>`,
  'dang-nhap': () => `<h1>ĐĂNG NHẬP HỆ THỐNG</h1><button>Đăng nhập qua Cổng DVC Quốc gia</button>`,
  'tra-cuu-ho-so': () => `<h1>TRA CỨU HỒ SƠ</h1><input id="ma" placeholder="Nhập mã hồ sơ">
     <button onclick="lookup()">TRA CỨU</button><div id="kq"></div>`,
  'thanh-toan': () => `<h1>THANH TOÁN TRỰC TUYẾN</h1><p>Thanh toán phí, lệ phí hồ sơ.</p>`,
  'phan-anh': () => `<h1>PHẢN ÁNH KIẾN NGHỊ</h1><form><textarea aria-label="Nội dung"></textarea></form>`,
  'hoi-dap': () => `<h1>CÂU HỎI THƯỜNG GẶP</h1><p>Hỏi và đáp.</p>`,
  'quyen-rieng-tu': () => `<h1>CHÍNH SÁCH QUYỀN RIÊNG TƯ</h1><p>Về thông tin cá nhân của công dân.</p>`,
};
async function lookup() {
  const r = await fetch('/api/ho-so?ma=' + encodeURIComponent(document.getElementById('ma').value));
  const d = await r.json();
  document.getElementById('kq').textContent = d.found ? 'Trạng thái: ' + d.status : 'Không tìm thấy hồ sơ';
}
function render() {
  const [route, qs] = location.hash.replace(/^#\\/?/, '').split('?');
  const app = document.getElementById('app');
  app.innerHTML = '<p>Đang tải...</p>';
  setTimeout(() => { app.innerHTML = (views[route] || (() => '<h1>404</h1>'))(new URLSearchParams(qs || '')); }, 150);
}
window.addEventListener('hashchange', render); render();
</script></body></html>"""
)


def spa_site(path: str, query: dict[str, str]) -> tuple[int, str]:
    if path == "/":
        return 200, SPA_SHELL
    if path == "/api/ho-so":
        return 200, json.dumps({"found": False})
    return 404, "not found"


NODIA_NAV = (
    '<a href="/">Trang chu</a><a href="/tra-cuu">Tra cuu ho so</a><a href="/thanh-toan">Thanh toan truc '
    'tuyen</a><a href="/gop-y">Phan anh, kien nghi</a><a href="/hd">Huong dan</a>'
)


def nodiacritics_site(path: str, query: dict[str, str]) -> tuple[int, str]:
    """Labels without diacritics, placeholder-only inputs, a lookup form that POSTs."""

    def p(title: str, body: str) -> str:
        return page(title, body + '<footer><a href="/bao-mat">Chinh sach bao mat thong tin</a></footer>', nav=NODIA_NAV)

    if path == "/":
        return 200, p(
            "Cong dich vu cong",
            '<form action="/tk"><input name="tukhoa" placeholder="Nhap tu khoa">'
            '<input type="submit" value="Tim kiem"></form>',
        )
    if path == "/tk":
        hit = "khai sinh" in query.get("tukhoa", "")
        return 200, p("Ket qua", '<a href="/tt/1">Dang ky khai sinh</a>' if hit else "Khong co ket qua")
    if path == "/tt/1":
        return 200, p(
            "Dang ky khai sinh",
            "<p>Trinh tu thuc hien. Thanh phan ho so. Thoi han giai quyet. "
            "Phi, le phi. Co quan thuc hien. Can cu phap ly. Muc do 4.</p><a href="
            '"https://xacthuc.dichvucong.gov.vn/oauth2/authorize?acr_values=LoA1">Nop ho so truc tuyen</a>',
        )
    if path == "/gop-y":
        return 200, p(
            "Phan anh, kien nghi", '<a href="https://pakn.dichvucong.gov.vn/">He thong phan anh, kien nghi quoc gia</a>'
        )
    if path == "/hd":
        return 200, p("Huong dan", "<p>Huong dan su dung.</p>")
    if path == "/tra-cuu":
        return 200, p(
            "Tra cuu ho so",
            '<form method="post" action="/api/tra-cuu"><input name="code" '
            'placeholder="Nhap ma ho so"><button>Tra cuu</button></form>',
        )
    if path == "/bao-mat":
        return 200, p("Chinh sach bao mat thong tin", "<p>Bao ve du lieu ca nhan.</p>")
    if path == "/thanh-toan":
        return 200, p("Thanh toan truc tuyen", "<p>Thanh toan le phi.</p>")
    return 404, p("404", "")


def nodiacritics_post(path: str, body: str) -> tuple[int, str]:
    return 200, page("Ket qua tra cuu", "<p>Khong tim thay ho so</p>", nav=NODIA_NAV)


def keyboard_site(trap: bool) -> object:
    """A home page with a skip link and a menu, and either a keyboard trap or focus styles removed."""
    trap_js = """<script>document.getElementById('q').addEventListener('keydown', (e) => {
  if (e.key === 'Tab') { e.preventDefault(); e.target.focus(); } });</script>"""
    no_focus = "<style>a:focus,input:focus,button:focus{outline:none}</style>"
    body = '<label for="q">Tìm kiếm thủ tục</label><input id="q"><button>Tìm kiếm</button>' + (
        trap_js if trap else no_focus
    )

    def get(path: str, query: dict[str, str]) -> tuple[int, str]:
        return (200, page("Bàn phím", body, nav=PLAIN_NAV)) if path == "/" else (404, "")

    return get


# -- serving ------------------------------------------------------------------------------------


@dataclass
class Site:
    name: str
    get: object
    post: object = None
    non_get: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def portal(self, overrides: dict[str, str] | None = None) -> Portal:
        return Portal(
            id=f"mini-{self.name}", name=self.name, kind="province", url=self.url, overrides=dict(overrides or {})
        )


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _send(self, status: int, body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            ctype = "application/json" if body.startswith("{") else "text/html; charset=utf-8"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            self._send(*site.get(parts.path, query))

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_POST(self) -> None:
            site.non_get.append(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace")
            if site.post is None:
                self._send(405, "<h1>405</h1>")
            else:
                self._send(*site.post(urlsplit(self.path).path, body))

        do_PUT = do_DELETE = do_PATCH = do_POST

    return Handler


class MiniSites:
    def __init__(self) -> None:
        self.sites = {
            "plain": Site("plain", plain_site),
            "broken": Site("broken", lambda path, q: plain_site(path, q, good=False)),
            "spa": Site("spa", spa_site),
            "nodia": Site("nodia", nodiacritics_site, nodiacritics_post),
            "trap": Site("trap", keyboard_site(trap=True)),
            "nofocus": Site("nofocus", keyboard_site(trap=False)),
        }

    def __enter__(self) -> MiniSites:
        for site in self.sites.values():
            site.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
            threading.Thread(target=site.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        for site in self.sites.values():
            site.server.shutdown()
            site.server.server_close()

    def __getitem__(self, name: str) -> Site:
        return self.sites[name]


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sites():
    with MiniSites() as s:
        yield s


@pytest.fixture(scope="module")
def chromium():
    with journey_browser() as journeys:
        yield journeys


def outcomes(results) -> dict[str, str]:
    return {r.id: r.outcome if r.outcome != "failed" else f"failed:{r.failed_step}" for r in results}


# -- tests --------------------------------------------------------------------------------------

pytestmark = pytest.mark.browser


def test_labelled_portal_passes_every_journey_and_posts_nothing(chromium, sites, tmp_path: Path):
    from portalscore.scenarios.catalog import SCENARIOS
    from portalscore.scenarios.runner import run_scenarios

    results = run_scenarios(chromium, sites["plain"].portal(), tmp_path)
    assert [r.id for r in results] == list(SCENARIOS)
    assert outcomes(results) == dict.fromkeys(SCENARIOS, "passed"), [
        (r.id, r.failed_step, r.reason) for r in results if r.outcome != "passed"
    ]
    assert sites["plain"].non_get == []
    assert all(r.screenshot is None and r.trace is None for r in results)
    submission = next(r for r in results if r.id == "online_submission")
    assert (submission.steps[-2].detail, submission.steps[-1].name) == ("password field", "vneid_offered")
    assert "VNeID" in submission.steps[-1].detail


def test_hash_routed_app_with_capitalised_labels_and_javascript_links(chromium, sites, tmp_path: Path):
    from portalscore.scenarios.runner import run_scenarios

    only = ["online_submission", "dossier_lookup", "online_payment", "mobile", "help"]
    results = {r.id: r for r in run_scenarios(chromium, sites["spa"].portal(), tmp_path, only=only)}
    assert {k: r.outcome for k, r in results.items()} == dict.fromkeys(only, "passed"), [
        (r.id, r.failed_step, r.reason) for r in results.values() if r.outcome != "passed"
    ]
    lookup = results["dossier_lookup"]
    # Reached through a javascript: link by its capitalised name, answered by the app's XHR.
    assert lookup.steps[1].url.endswith("#/tra-cuu-ho-so") and "TRA CỨU HỒ SƠ" in lookup.steps[1].detail
    assert "Không tìm thấy" in lookup.steps[-1].detail
    assert results["online_payment"].steps[1].url.endswith("#/thanh-toan")  # a role=button span
    assert results["help"].steps[-1].url.endswith("#/hoi-dap")  # a button opening a new window
    assert "menu button opens" in next(s for s in results["mobile"].steps if s.name == "menu").detail
    assert sites["spa"].non_get == []


def test_portal_without_diacritics_and_a_lookup_that_posts(chromium, sites, tmp_path: Path):
    from portalscore.scenarios.runner import run_scenarios

    site = sites["nodia"]
    results = {
        r.id: r
        for r in run_scenarios(
            chromium,
            site.portal(),
            tmp_path,
            only=["procedure_detail", "online_submission", "dossier_lookup", "feedback"],
        )
    }
    assert {k: r.outcome for k, r in results.items() if k != "dossier_lookup"} == dict.fromkeys(
        ["procedure_detail", "online_submission", "feedback"], "passed"
    )
    # Placeholder-only search box, matched without diacritics.
    assert "Nhap tu khoa" in results["procedure_detail"].steps[1].detail
    # The sign-in lives on the national SSO host: recognised from the link, never loaded.
    assert "xacthuc.dichvucong.gov.vn" in results["online_submission"].steps[-1].detail
    assert "pakn.dichvucong.gov.vn" in results["feedback"].steps[-1].detail
    # The lookup form POSTs: blocked, logged, and nothing reached the server.
    lookup = results["dossier_lookup"]
    assert (lookup.outcome, lookup.failed_step) == ("failed", "submit_code")
    assert "non-GET" in lookup.reason and lookup.blocked_requests[0].startswith("POST ")
    assert site.non_get == []
    assert lookup.screenshot == "mini-nodia--dossier_lookup.png" and (tmp_path / lookup.screenshot).stat().st_size
    assert (tmp_path / lookup.trace).stat().st_size > 0

    # The registry can allow that one read-only endpoint; the report shows the override.
    allowed = run_scenarios(
        chromium,
        site.portal({"dossier_lookup.allow_post": r"/api/tra-cuu$"}),
        tmp_path,
        only=["dossier_lookup"],
    )[0]
    assert allowed.outcome == "passed", (allowed.failed_step, allowed.reason)
    assert allowed.overrides_used == {"dossier_lookup.allow_post": r"/api/tra-cuu$"}
    assert site.non_get == ["/api/tra-cuu"]


def test_broken_portal_fails_where_it_is_broken(chromium, sites, tmp_path: Path):
    from portalscore.scenarios.runner import run_scenarios

    results = {
        r.id: r
        for r in run_scenarios(
            chromium,
            sites["broken"].portal(),
            tmp_path,
            only=["dossier_lookup", "mobile", "keyboard", "privacy", "help"],
        )
    }
    failed = {k: (r.outcome, r.failed_step) for k, r in results.items()}
    assert failed == {
        "dossier_lookup": ("failed", "submit_code"),  # HTTP 500
        "mobile": ("failed", "home_no_horizontal_scroll"),  # a 1400px page
        "keyboard": ("failed", "skip_link"),
        "privacy": ("failed", "find_privacy"),
        "help": ("passed", None),  # no link names it, but /huong-dan exists: found as a last resort
    }, {k: r.reason for k, r in results.items()}
    assert "500" in results["dossier_lookup"].reason
    assert "guessed URL /huong-dan" in results["help"].steps[-1].detail
    for r in results.values():
        if r.outcome == "failed":
            assert r.screenshot == f"mini-broken--{r.id}.png" and (tmp_path / r.screenshot).exists()
            assert r.trace == f"mini-broken--{r.id}-trace.zip" and (tmp_path / r.trace).exists()


def test_registry_overrides_take_precedence_and_are_reported(chromium, sites, tmp_path: Path):
    from portalscore.scenarios.runner import run_scenarios

    overrides = {
        "search_procedure.input": "#q",
        "search_procedure.query": "đăng ký khai sinh",
        "dossier_lookup": "/tra-cuu-ho-so",
        "dossier_lookup.code": "H99.99-123456-7890",
        "online_payment": "n/a",
        "procedure_detail": "/thu-tuc/2",
    }
    results = {
        r.id: r
        for r in run_scenarios(
            chromium,
            sites["plain"].portal(overrides),
            tmp_path,
            only=["search_procedure", "dossier_lookup", "online_payment", "procedure_detail"],
        )
    }
    assert results["search_procedure"].outcome == "passed"
    assert results["search_procedure"].overrides_used == {
        "search_procedure.input": "#q",
        "search_procedure.query": "đăng ký khai sinh",
    }
    lookup = results["dossier_lookup"]
    assert lookup.outcome == "passed" and "registry override URL" in lookup.steps[1].detail
    assert lookup.overrides_used == {"dossier_lookup": "/tra-cuu-ho-so", "dossier_lookup.code": "H99.99-123456-7890"}
    assert "H99.99-123456-7890" in lookup.steps[-1].url
    assert results["online_payment"].outcome == "not_applicable"
    assert results["online_payment"].overrides_used == {"online_payment": "n/a"}
    # Every required item is a step of its own, so the evidence says which ones the page lacks.
    detail = results["procedure_detail"]
    assert [(st.name, st.ok) for st in detail.steps] == [
        ("open_home", True),
        ("open_procedure", True),
        ("has_thanh_phan_ho_so", True),
        ("has_trinh_tu_cach_thuc_thuc_hien", True),
        ("has_thoi_han_giai_quyet", True),
        ("has_phi_le_phi", False),
        ("has_co_quan_thuc_hien", True),
        ("has_can_cu_phap_ly", False),
    ]
    assert (detail.outcome, detail.failed_step) == ("failed", "has_phi_le_phi")
    assert detail.reason == "missing: phí, lệ phí, căn cứ pháp lý"
