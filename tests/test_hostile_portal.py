"""A portal whose pages carry script in titles, alt texts and URLs cannot run anything in our report."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browsers import test_egress
from tests.helpers import portalscore_cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE = "<script>window.__pwned=1;alert('x')</script>{{ 7*7 }}${7*7}"
PAGES = {
    "/": f"""<!doctype html><html lang="vi"><head><title>{HOSTILE}</title></head><body>
        <main><h1>Trang chủ</h1><img src="/a.png" alt="&quot;><script>window.__pwned=2</script>">
        <a href="/b?x=&quot;&gt;&lt;script&gt;window.__pwned=3&lt;/script&gt;">b</a>
        <a href="javascript:window.__pwned=4">js</a><button></button></main></body></html>""",
    "/b": f"""<!doctype html><html><head><title>{HOSTILE} 2</title></head><body><a href="/">home</a></body></html>""",
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = PAGES.get(self.path.split("?")[0])
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    tmp = tmp_path_factory.mktemp("hostile")
    registry = tmp / "registry.yaml"
    registry.write_text(
        'portals:\n  - id: hostile\n    name: "<img src=x onerror=window.__pwned=5> {{ 7*7 }}"\n'
        f"    kind: province\n    url: http://127.0.0.1:{server.server_port}/\n",
        encoding="utf-8",
    )
    proc = portalscore_cli(
        "run",
        "--registry",
        str(registry),
        "--out",
        str(tmp / "out"),
        "--db",
        f"sqlite:///{tmp / 'db.sqlite'}",
        "--max-pages",
        "5",
        "--lab-runs",
        "1",
        "--allow-host",
        "127.0.0.1",
        timeout=600,
    )
    server.shutdown()
    assert proc.returncode == 0, proc.stderr[-3000:]
    return tmp / "out"


def test_nothing_from_the_portal_runs_in_the_report(hostile_report):
    from playwright.sync_api import sync_playwright

    from portalscore.crawler.browser import launch_options

    pages = [
        hostile_report / "index.html",
        hostile_report / "portals" / "hostile.html",
        hostile_report / "en" / "index.html",
    ]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options(test_egress()))
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in pages:
            page.goto(path.as_uri())
            assert page.evaluate("window.__pwned") is None, path
            assert page.locator("a[href^='javascript:']").count() == 0, path
            text = page.inner_text("body")
            assert "{{ 7*7 }}" in text, path  # template-looking text prints literally
        browser.close()
    assert dialogs == []
