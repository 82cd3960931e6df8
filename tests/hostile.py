"""Portals that attack the evaluator, served on 127.0.0.1 (the evaluated portals' stand-ins), and the evaluator's
"own network" they aim at: servers on 127.0.0.2 and [::1] standing in for 169.254.169.254, 10.x admin pages and
intranet hosts. Each internal server logs every request it gets: the tests assert those logs stay empty."""

from __future__ import annotations

from tests.faultfarm import Farm, Handler, links, page, redirect_to

ROBOTS = "User-agent: *\nAllow: /\n"


def internal_farms() -> tuple[Farm, Farm]:
    """(127.0.0.2, [::1]): what a portal must never make us reach."""
    secret = page("Nội bộ", "<p>instance-id: i-0abc; AWS_SECRET_ACCESS_KEY=…</p>")
    return Farm({"/*": secret}, host="127.0.0.2"), Farm({"/*": secret}, host="::1")


def _robots(h: Handler) -> None:
    h.send(200, ROBOTS, "text/plain")


def ssrf_routes(inside: Farm, inside6: Farm) -> dict:
    """A portal whose pages, redirects, sitemap and scripts point inward, and that tries every state change."""
    meta = inside.url("/latest/meta-data/iam/security-credentials/admin")
    v6 = inside6.url("/admin")
    sitemap = (
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<url><loc>{meta}</loc></url><url><loc>/to-file</loc></url><url><loc>/to-ftp</loc></url></urlset>"
    )
    inward = (
        f"<img src='{inside.url('/pixel.png')}' alt='x'>"
        f"<iframe title='x' src='{v6}'></iframe>"
        f"<link rel='stylesheet' href='{inside.url('/site.css')}'>"
        "<script>"
        f"fetch('{inside.url('/api/fetch')}').catch(() => 0);"
        f"fetch('{v6}', {{mode: 'no-cors'}}).catch(() => 0);"
        f"const x = new XMLHttpRequest(); x.open('GET', '{inside.url('/api/xhr')}'); x.send();"
        f"try {{ new WebSocket('ws://127.0.0.2:{inside.port}/ws'); }} catch (e) {{}}"
        f"new Worker(URL.createObjectURL(new Blob([\"fetch('{inside.url('/api/worker')}').catch(() => 0)\"])));"
        "</script>"
    )
    posts = (
        "<form id='f' method='post' action='/nop-ho-so'><input name='hoTen' value='Nguyễn Văn A'></form>"
        "<script>"
        "fetch('/api/ho-so', {method: 'POST', body: 'x'}).catch(() => 0);"
        "fetch('/api/ho-so/1', {method: 'DELETE'}).catch(() => 0);"
        "fetch('/api/ho-so/1', {method: 'PUT', body: 'y'}).catch(() => 0);"
        "navigator.sendBeacon('/api/beacon', 'z');"
        f"fetch('{inside.url('/api/cors')}', {{method: 'DELETE'}}).catch(() => 0);"
        "setTimeout(() => document.getElementById('f').submit(), 50);"
        "</script>"
    )
    # 20,000 procedures in a list (a catalogue without paging), and the same as one run of text: the browser lays
    # that out again and again as it arrives, for longer than a page is given (it must still end, named).
    many = "<ul>" + "".join(f"<li><a href='/l/{i}'>Thủ tục {i}</a></li>" for i in range(20_000)) + "</ul>"
    inline = "".join(f"<a href='/l/{i}'>Thủ tục {i}</a> " for i in range(20_000))
    popups = "<script>for (let i = 0; i < 4; i++) window.open('/win' + i);</script>"
    home = links(
        "/ssrf", "/posts", "/refresh", "/links20k", "/links20k-inline", "/popups", "/to-meta", "/to-file", "/to-ftp",
        meta, v6,
    )  # fmt: skip
    return {
        "/": page("Cổng Dịch vụ công tỉnh Thử Thách", home + inward),
        "/robots.txt": _robots,
        "/sitemap.xml": lambda h: h.send(200, sitemap, "application/xml"),
        "/ssrf": page("Trang gọi vào trong", inward),
        "/posts": page("Trang tự gửi", posts),
        "/nop-ho-so": page("Đã nộp"),
        "/api/*": lambda h: h.send(200, "{}", "application/json"),
        "/refresh": page("Làm mới", head="<meta http-equiv='refresh' content='0;url=/refresh'>"),
        "/links20k": page("Danh sách thủ tục", many),
        "/links20k-inline": page("Danh sách thủ tục liền dòng", inline),
        "/l/*": page("Thủ tục"),
        "/popups": page("Cửa sổ bật lên", popups),
        "/win*": page("Cửa sổ"),
        "/to-meta": redirect_to(meta),
        "/to-file": redirect_to("file:///etc/passwd"),
        "/to-ftp": redirect_to(f"ftp://127.0.0.2:{inside.port}/"),
    }


def start_inward_routes(inside: Farm) -> dict:
    """A portal whose start URL itself redirects to an internal host."""
    return {"/": redirect_to(inside.url("/")), "/robots.txt": _robots}


def redirect_loop_routes() -> dict:
    return {"/": redirect_to("/vong"), "/vong": redirect_to("/"), "/robots.txt": _robots}


def refresh_loop_routes() -> dict:
    """A start page that reloads itself for ever (meta refresh, no delay)."""
    return {"/": page("Làm mới mãi", head="<meta http-equiv='refresh' content='0;url=/'>"), "/robots.txt": _robots}


BUSY_BEFORE = "<script>while (true) {}</script>"  # in the head: the page never even finishes parsing
BUSY_AFTER = "<script>setTimeout(() => { while (true) {} }, 300);</script>"  # loads, then never yields


def busy_routes() -> dict:
    """A portal whose pages run scripts that never yield, before and after load (its home page too: every
    journey starts there); its sitemap names the other pages, which the crawl cannot read off a stuck home page."""
    home = links("/truoc", "/sau", "/thu-tuc")

    def sitemap(h: Handler) -> None:
        base = f"http://{h.headers['Host']}"
        locs = "".join(f"<url><loc>{base}/{p}</loc></url>" for p in ("truoc", "sau", "thu-tuc"))
        h.send(200, f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{locs}</urlset>", "application/xml")

    return {
        "/": page("Trang chủ bận", home + "<input type='search' placeholder='Tìm kiếm'>", head=BUSY_AFTER),
        "/truoc": page("Bận trước khi tải", head=BUSY_BEFORE),
        "/sau": page("Bận sau khi tải", head=BUSY_AFTER),
        "/thu-tuc": page("Thủ tục"),
        "/robots.txt": _robots,
        "/sitemap.xml": sitemap,
    }
