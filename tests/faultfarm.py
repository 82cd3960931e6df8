"""Local HTTP servers that behave like real portals, badly on purpose, on 127.0.0.1 only.

A `Farm` serves a dict of routes (path -> HTML string or handler function) and records
every request it gets, with start and end times, so tests can check what the crawler did
to it (robots obeyed, delays kept, concurrency bounded, nothing repeated).
"""

from __future__ import annotations

import base64
import io
import socket
import ssl
import struct
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Route = str | Callable[["Handler"], None]


@dataclass
class Hit:
    method: str
    path: str  # with the query
    start: float
    end: float = 0.0
    user_agent: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # as received (names as the client wrote them)


class Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self.server.farm._serve(self)

    do_HEAD = do_GET
    do_POST = do_GET

    # Helpers for route functions.
    def send(
        self,
        status: int = 200,
        body: str | bytes = "",
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send(status, "", headers={"Location": location})

    @property
    def query(self) -> str:
        return urlsplit(self.path).query


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a hanging handler must not hold the test at shutdown
    farm: Farm


class _Server6(_Server):
    address_family = socket.AF_INET6


class Farm:
    def __init__(
        self,
        routes: dict[str, Route],
        host: str = "127.0.0.1",
        delay_s: float = 0.0,
        tls: tuple[str, str] | None = None,
    ):
        self.routes = dict(routes)
        self.delay_s = delay_s  # added to every answer, so that concurrency shows
        self.hits: list[Hit] = []
        self.inflight = 0
        self.max_inflight = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = (_Server6 if ":" in host else _Server)((host, 0), Handler)
        self._server.farm = self
        self.host = host
        self.port = self._server.server_address[1]
        self.scheme = "https" if tls else "http"
        if tls:  # (certfile, keyfile)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Farm:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str = "/", host: str | None = None) -> str:
        host = host or self.host
        return f"{self.scheme}://{f'[{host}]' if ':' in host else host}:{self.port}{path}"

    def paths(self, method: str = "GET") -> list[str]:
        with self._lock:
            return [h.path for h in self.hits if h.method == method]

    def count(self, path: str) -> int:
        return sum(1 for p in self.paths() if p == path)

    def _route(self, path: str) -> Route | None:
        if path in self.routes:
            return self.routes[path]
        prefixes = [p for p in self.routes if p.endswith("*") and path.startswith(p[:-1])]
        return self.routes[max(prefixes, key=len)] if prefixes else None

    def _serve(self, handler: Handler) -> None:
        hit = Hit(
            handler.command,
            handler.path,
            time.monotonic(),
            user_agent=handler.headers.get("User-Agent", ""),
            headers=dict(handler.headers.items()),
        )
        with self._lock:
            self.hits.append(hit)
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
        try:
            if self.delay_s:
                time.sleep(self.delay_s)
            route = self._route(urlsplit(handler.path).path)
            if route is None:
                handler.send(404, "<!doctype html><html lang='vi'><title>Không tìm thấy</title><h1>404</h1></html>")
            elif isinstance(route, str):
                handler.send(200, route)
            else:
                route(handler)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up on us, as it should
        finally:
            with self._lock:
                self.inflight -= 1
                hit.end = time.monotonic()


def page(title: str, body: str = "", head: str = "") -> str:
    """A small valid Vietnamese page."""
    # The data: icon keeps the browser from asking for /favicon.ico, so that request logs show only our loads.
    return (
        f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>{title}</title>"
        f"<link rel='icon' href='data:,'>{head}</head>"
        f"<body><main><h1>{title}</h1>{body}</main></body></html>"
    )


def links(*hrefs: str) -> str:
    return "<ul>" + "".join(f"<li><a href='{h}'>{h}</a></li>" for h in hrefs) + "</ul>"


# Misbehaviours, as route functions.


def hang(h: Handler) -> None:
    """Accept the request and never answer (until the farm stops)."""
    h.server.farm.stopping.wait(120)


def drip(h: Handler) -> None:
    """Headers at once, then one byte of body every half second, for a minute."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", "1000000")
    h.end_headers()
    h.wfile.write(b"<!doctype html><html><head><title>Nh\xe1\xbb\x8f gi\xe1\xbb\x8dt</title></head><body>")
    h.wfile.flush()
    for _ in range(120):
        if h.server.farm.stopping.wait(0.5):
            return
        h.wfile.write(b"x")
        h.wfile.flush()


def status(code: int, headers: dict[str, str] | None = None) -> Callable[[Handler], None]:
    return lambda h: h.send(code, page(f"Lỗi {code}"), headers=headers)


def redirect_to(location: str, code: int = 302) -> Callable[[Handler], None]:
    return lambda h: h.redirect(location, code)


def chain(h: Handler) -> None:
    """/chain/N redirects to /chain/N+1 ... until /chain/30 answers."""
    n = int(urlsplit(h.path).path.rsplit("/", 1)[-1] or 0)
    if n >= 30:
        h.send(200, page("Cuối chuỗi"))
    else:
        h.redirect(f"/chain/{n + 1}")


def calendar(h: Handler) -> None:
    """An endless calendar: every month links to the next and the previous one."""
    q = dict(p.split("=", 1) for p in h.query.split("&") if "=" in p)
    year, month = (int(x) for x in q.get("month", "2025-01").split("-"))
    nxt = f"{year + (month == 12)}-{month % 12 + 1:02d}"
    prev = f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}"
    h.send(200, page(f"Lịch {year}-{month:02d}", links(f"/calendar?month={nxt}", f"/calendar?month={prev}")))


def attachment(h: Handler) -> None:
    h.send(
        200,
        b"%PDF-1.4 fake",
        content_type="application/octet-stream",
        headers={"Content-Disposition": "attachment; filename=bieu-mau.pdf"},
    )


def pdf(h: Handler) -> None:
    h.send(200, b"%PDF-1.4\n" + b"0" * 5000, content_type="application/pdf")


def huge(h: Handler) -> None:
    """About 50 MB of HTML, streamed."""
    h.close_connection = True  # no Content-Length: the end of the body is the end of the connection
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Connection", "close")
    h.end_headers()
    h.wfile.write(b"<!doctype html><html lang='vi'><head><title>Trang rat lon</title></head><body>")
    row = b"<p>Th\xe1\xbb\xa7 t\xe1\xbb\xa5c h\xc3\xa0nh ch\xc3\xadnh " + b"x" * 480 + b"</p>\n"
    for _ in range(50_000_000 // len(row)):
        if h.server.farm.stopping.is_set():
            return
        h.wfile.write(row)
    h.wfile.write(b"</body></html>")


def retry_once(h: Handler) -> None:
    """503 with Retry-After: 1 the first time this path is asked for, then the page."""
    if h.server.farm.count(urlsplit(h.path).path) <= 1:
        h.send(503, page("Bảo trì"), headers={"Retry-After": "1"})
    else:
        h.send(200, page("Đã trở lại"))


DIALOGS = page("Hộp thoại", "<p>Xin chào</p>", head="<script>alert('Chào mừng'); confirm('Tiếp tục?');</script>")
POPUP = page("Cửa sổ bật lên", "<p>x</p>", head="<script>window.open('/popped', '_blank');</script>")
BUSY = page("Vòng lặp", "<p>x</p>", head="<script>while (true) {}</script>")


def big_dom(n: int = 80_000) -> str:
    return page("DOM lớn", "<div>" + "<span>ô</span>" * n + "</div>")


# A hash-routed single-page app: the links exist only after a script fetches the menu.
SPA = page(
    "Ứng dụng",
    "<nav id='menu'></nav><div id='view'></div>",
    head="""<script>
window.addEventListener('DOMContentLoaded', () => {
  setTimeout(() => fetch('/api/menu').then(r => r.json()).then(items => {
    document.getElementById('menu').innerHTML = items.map(i => `<a href="#/${i}">${i}</a>`).join(' ');
  }), 300);
  const show = () => { document.getElementById('view').textContent = 'route ' + location.hash; };
  window.addEventListener('hashchange', show); show();
});
</script>""",
)


def spa_menu(h: Handler) -> None:
    h.send(200, '["thu-tuc", "tra-cuu", "gioi-thieu"]', content_type="application/json")


_TONES = "\u0300\u0301\u0303\u0309\u0323"  # the five tone marks windows-1258 keeps as combining characters


def cp1258(text: str) -> bytes:
    """Vietnamese as windows-1258 writes it: precomposed base letters (ơ, ư, â...) + combining tone marks."""
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out.append((base + "".join(c for c in decomposed if c in _TONES)).encode("cp1258"))
    return b"".join(out)


def windows_1258(h: Handler) -> None:
    """Vietnamese in windows-1258, declared in the header and in the page."""
    body = page("Thủ tục hành chính", "<p>Cơ quan thực hiện: Sở Tư pháp</p>").replace("'utf-8'", "'windows-1258'")
    h.send(200, cp1258(body), content_type="text/html; charset=windows-1258")


def broken_utf8(h: Handler) -> None:
    """Declared UTF-8, with bytes that are not: truncated sequences in the title and the body."""
    h.send(
        200,
        b"<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
        b"<title>Tra c\xe1\xbb h\xe1 s\xc6</title></head>"
        b"<body><main><h1>L\xe1\xbb\xa1i \xff\xfe</h1><p><b><i>unclosed</p></main></body>",
    )


def basic_auth(route: Route | None, username: str, password: str, realm: str = "staging") -> Callable[[Handler], None]:
    """The route behind HTTP Basic authentication, as a staging site is: 401 with a challenge unless the
    request carries exactly these credentials (None: 404 once authenticated)."""
    expected = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")

    def serve(h: Handler) -> None:
        if h.headers.get("Authorization") != expected:
            h.send(401, page("Cần đăng nhập"), headers={"WWW-Authenticate": f'Basic realm="{realm}"'})
        elif route is None:
            h.send(404, page("Không tìm thấy"))
        elif isinstance(route, str):
            h.send(200, route)
        else:
            route(h)

    return serve


# A DOM nested this deep, built while the page is parsed, overflows the renderer's stack: Chromium 156
# kills the tab ("Aw, Snap!") within about a second, using a few MB (5 000 levels crash; 2 000 do not).
# (Built after the load event, the same tree takes 8-25 s to crash on a busy machine.)
CRASH = page(
    "Trang làm sập trình duyệt",
    """<p>x</p><script>
let node = document.body;
for (let i = 0; i < 20000; i++) { const d = document.createElement('div'); node.appendChild(d); node = d; }
document.body.offsetHeight;
</script>""",
)


def reset(h: Handler) -> None:
    """Read the request, then reset the TCP connection (SO_LINGER 0 then close sends an RST, no answer)."""
    h.close_connection = True
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()
    h.wfile = io.BytesIO()  # the handler flushes its output after the route: let it, into nothing
