"""One sample portal as a plain function of the request: (method, path, query, body) -> Response.

Kept apart from the HTTP server so the routing, faults and headers read in one place.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape as e
from urllib.parse import parse_qs, urlsplit

from . import assets, layout
from .pages import Site, View
from .profiles import PortalSpec

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"


@dataclass
class Response:
    status: int
    content_type: str = HTML
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0  # seconds the server waits before answering (designed slowness)


def _csp(inline_scripts: list[str]) -> str:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in inline_scripts
    )
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'self'; "
        f"form-action 'self'; frame-ancestors 'none'; script-src 'self' {hashes}".strip()
    )


class PortalApp:
    def __init__(self, spec: PortalSpec):
        self.spec = spec
        self.site = Site(spec)
        self.q = spec.quality
        self.spa = spec.style == "spa"

    # -- answers -----------------------------------------------------------------------------------

    def _html(self, doc: layout.Document, status: int = 200, delay: float = 0.0) -> Response:
        headers = list(self.q.headers)
        if self.q.cookie:
            headers.append(("Set-Cookie", self.q.cookie))
        if self.q.csp:
            headers.append(("Content-Security-Policy", _csp(doc.inline_scripts)))
        return Response(status, HTML, doc.html.encode("utf-8"), headers, delay)

    def _page(self, view: View) -> Response:
        delay = self.q.delay(view.page)
        if view.redirect:
            return Response(302, HTML, b"", [("Location", view.redirect)], delay)
        return self._html(layout.page(self.site, view), view.status, delay)

    def _json(self, data: dict, status: int = 200, delay: float = 0.0) -> Response:
        return Response(status, JSON, json.dumps(data, ensure_ascii=False).encode("utf-8"), list(self.q.headers), delay)

    @staticmethod
    def _text(body: str | bytes, content_type: str, status: int = 200) -> Response:
        return Response(status, content_type, body.encode("utf-8") if isinstance(body, str) else body)

    # -- GET ---------------------------------------------------------------------------------------

    def static(self, path: str, base: str) -> Response | None:
        """Files that every portal serves (or None when the path is a page)."""
        q = self.q
        if path == "/robots.txt":
            robots = f"User-agent: *\nDisallow: /admin/\n\nSitemap: {base}/sitemap.xml\n"
            return self._text(robots, "text/plain; charset=utf-8")
        if path == "/sitemap.xml":
            urls = "".join(
                f"<url><loc>{e(base + ('/' if self.spa else '') + u)}</loc></url>" for u in self.site.all_page_urls()
            )
            return self._text(
                '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
                f'schemas/sitemap/0.9">{urls}</urlset>\n',
                "application/xml; charset=utf-8",
            )
        if path == "/favicon.ico":
            return Response(204, "image/x-icon")
        files: dict[str, tuple[str, Callable[[], str | bytes]]] = {
            "/static/css/site.css": ("text/css; charset=utf-8", lambda: assets.stylesheet(self.spec)),
            "/static/js/ui.js": ("text/javascript; charset=utf-8", lambda: assets.static_text("ui.js")),
            "/static/logo.svg": ("image/svg+xml", lambda: assets.logo_svg(self.spec)),
            "/static/banner.svg": ("image/svg+xml", lambda: assets.banner_svg(self.spec)),
            "/static/news.svg": ("image/svg+xml", lambda: assets.NEWS_SVG),
            "/static/ban-do.html": (HTML, lambda: '<!DOCTYPE html><html lang="vi"><title>Bản đồ</title><p>Bản đồ</p>'),
        }
        if q.emc:
            files["/emc/gov-tracking.min.js"] = ("text/javascript; charset=utf-8", lambda: assets.EMC_JS)
        if q.long_task_ms:
            files["/static/js/jquery.plugins.bundle.js"] = (
                "text/javascript; charset=utf-8",
                lambda: assets.blocking_script(q.long_task_ms),
            )
        if q.banner_kb:
            files["/static/banner.png"] = ("image/png", lambda: assets.heavy_png(q.banner_kb))
        for name, (file_type, maker) in assets.FILES.items():
            files["/files/" + name] = (file_type, maker)
        if path in files:
            ctype, make = files[path]
            return self._text(make(), ctype)
        if path.startswith(("/static/", "/files/", "/emc/")):
            return self._text("Not Found", "text/plain; charset=utf-8", 404)  # the static file server: no delay
        return None

    def get(self, target: str, base: str) -> Response:
        """Answer a GET; `base` is the portal's own origin (http://127.0.0.1:PORT)."""
        parts = urlsplit(target)
        path, query = parts.path or "/", parts.query
        found = self.static(path, base)
        if found:
            return found
        if self.spa:
            return self._spa(path, query)
        if path == "/" and self.site.urls.paths["home"] != "/":
            return Response(302, HTML, b"", [("Location", self.site.urls.paths["home"])])
        page, params = self.site.urls.resolve(path, query)
        return self._page(self.site.view(page, params))

    def _spa(self, path: str, query: str) -> Response:
        delay = self.q.delay("*")
        if path == "/":
            return self._html(layout.spa_shell(self.site), delay=delay)
        if path == "/api/khung":
            top, footer = layout.chrome(self.site)
            return self._json({"top": top, "footer": footer})
        if path == "/api/view":
            route = parse_qs(query).get("route", ["/"])[0]
            rparts = urlsplit(route)
            page, params = self.site.urls.resolve(rparts.path or "/", rparts.query)
            view = self.site.view(page, params)
            redirect = "#" + view.redirect.removeprefix("#") if view.redirect else ""
            title = view.title if view.page == "home" else f"{view.title} – {self.spec.name}"
            return self._json(
                {"title": title, "html": view.html, "status": view.status, "redirect": redirect},
                view.status if view.status != 302 else 200,
                delay,
            )
        return self._page(self.site.not_found())

    # -- POST and other methods (counted by the server; never sent by portalscore) -------------------

    def post(self, target: str, body: bytes, wants_json: bool) -> Response:
        path = urlsplit(target).path
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        paths = self.site.urls.paths
        if self.q.feedback_form and path in (paths["feedback"], "/api/phan-anh"):
            message = (
                f"Cảm ơn {form.get('hoTen', 'ông/bà')}. Phản ánh, kiến nghị đã được tiếp nhận với mã PAKN-2024-000123."
            )
            if wants_json or self.spa:
                return self._json({"message": message})
            return self._page(self.site.feedback(sent=message))
        if path in (paths["login"], "/api/dang-nhap"):
            message = "Tên đăng nhập hoặc mật khẩu không đúng."
            if wants_json or self.spa:
                return self._json({"message": message}, 401)
            view = self.site.login(message)
            return self._page(View(view.page, view.title, view.html, 401))
        return self.method_not_allowed()

    def method_not_allowed(self) -> Response:
        view = View("error", "Phương thức không được hỗ trợ", "<h1>405 – Phương thức không được hỗ trợ</h1>", 405)
        resp = self._page(view)
        resp.headers.append(("Allow", "GET, HEAD"))
        return resp
