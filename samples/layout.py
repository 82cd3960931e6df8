"""The page around the content: head, header, menu, footer, scripts — per portal style and profile.

Also the shell of the hash-routed app (spa), whose header, menu and content all arrive by script.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape as e

from . import assets
from . import content as c
from .pages import NATIONAL_PORTAL, Site, View

_VIEWPORT = {
    "responsive": '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "noscale": (
        '<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1, user-scalable=no">'
    ),
    "none": "",
}
LANDMARK_STYLES = ("national", "spa", "aspnet", "vi")
# OpenCPS themes keep one fixed title on every page.
OPENCPS_TITLE = "Hệ thống Dịch vụ công trực tuyến"


@dataclass
class Document:
    html: str
    inline_scripts: list[str] = field(default_factory=list)  # for the CSP hashes


def _head(site: Site, title: str, scripts: list[str]) -> str:
    q = site.q
    parts = [
        '<meta charset="utf-8">',
        _VIEWPORT[q.viewport],
        f"<title>{e(title)}</title>",
        '<link rel="icon" href="/static/logo.svg" type="image/svg+xml">',
        '<link rel="stylesheet" href="/static/css/site.css">',
    ]
    if q.long_task_ms:
        parts.append('<script src="/static/js/jquery.plugins.bundle.js"></script>')  # render-blocking on purpose
    if q.emc:
        snippet = assets.emc_snippet(site.spec.site_id)
        scripts.append(snippet)
        parts.append(f"<script>{snippet}</script>")
        parts.append('<script src="/emc/gov-tracking.min.js" async></script>')
    return "<head>" + "".join(p for p in parts if p) + "</head>"


def chrome(site: Site) -> tuple[str, str]:
    """(header + menu, footer) HTML of a portal."""
    q, s, u = site.q, site.spec, site.urls
    landmarks = site.style in LANDMARK_STYLES
    skip = '<a class="skip-link" href="#noi-dung">Bỏ qua, đến nội dung chính</a>' if q.skip_link else ""
    logo = site.img("/static/logo.svg", "Quốc huy", content=False, size=(48, 48))
    brand = f'<a class="brand" href="{e(u.url("home"))}">{logo}<span>{e(s.name)}</span></a>'
    header_search = "" if q.search_label else site.search_form(where="header")
    if q.markup_errors:
        # Icon-only tools with no accessible name: text size, contrast, menu toggle.
        icons = "".join(
            f'<a href="javascript:;" class="icon-{n}"></a>' for n in ("font-up", "font-down", "contrast", "sitemap")
        )
        header_search += (
            f'<div class="tools">{icons}<button type="button" class="menu-toggle"></button>'
            '<button type="button" class="user-menu"></button></div>'
        )
    wrap = "header" if landmarks else "div"
    header = f'<{wrap} class="site-header" id="header"><div class="container">{brand}{header_search}</div></{wrap}>'
    items = site.nav_items()
    if site.caps:
        items = [(t.upper(), href) for t, href in items]
    lis = []
    for text, href in items:
        if q.markup_errors and text in ("TIN TỨC", "CÂU HỎI THƯỜNG GẶP"):
            # Menu items that are not links: no keyboard access, no crawlable href.
            lis.append(f'<li><span class="menu-item" onclick="location.href=\'{e(href)}\'">{e(text)}</span></li>')
        else:
            lis.append(f'<li><a href="{e(href)}">{e(text)}</a></li>')
    if q.markup_errors:
        lis.append('<div class="menu-extra"><span id="menu-title">Menu</span></div>')
        nav = (
            f'<div class="main-nav" id="menu"><span id="menu-title">Danh mục</span>'
            f'<ul aria-labelledby="menu-title">{"".join(lis)}</ul></div>'
        )
    elif landmarks:
        nav = f'<nav class="main-nav" aria-label="Menu chính"><ul>{"".join(lis)}</ul></nav>'
    else:
        nav = f'<div class="main-nav" id="menu"><ul>{"".join(lis)}</ul></div>'
    links = [f'<a href="{e(u.url("contact"))}">Liên hệ</a>']
    if site.serves("privacy"):
        links.append(f'<a href="{e(u.url("privacy"))}">Chính sách bảo vệ dữ liệu cá nhân</a>')
    links += [
        f'<a href="{e(u.url("sitemap_page"))}">Sơ đồ cổng</a>',
        f'<a href="{NATIONAL_PORTAL}">Cổng Dịch vụ công quốc gia</a>',
    ]
    hotline = f"<p>Đường dây nóng (Hotline): {c.HOTLINE}</p>" if q.hotline else ""
    social = (
        (
            '<p class="social"><a href="https://www.facebook.com/dichvucong" class="fb"></a>'
            '<a href="https://www.youtube.com/dichvucong" class="yt"></a></p>'
        )
        if q.empty_links
        else ""
    )
    fwrap = "footer" if landmarks else "div"
    footer = (
        f'<{fwrap} class="site-footer" id="footer"><div class="container">'
        f"<p><strong>Cơ quan chủ quản: {e(s.owner)}</strong></p><p>Địa chỉ: {e(s.address)}</p>"
        f"<p>Điện thoại: {e(s.phone)}</p>{hotline}<p>{' · '.join(links)}</p>{social}"
        '<p><a href="https://tinnhiemmang.vn/danh-ba-tin-nhiem"><span class="badge-tnm">'
        "Tín nhiệm mạng – Website đã được xác thực</span></a></p>"
        f"<p>© 2024 {e(s.owner)}. Bản mẫu dùng để kiểm thử portalscore.</p></div></{fwrap}>"
    )
    return skip + header + nav, footer


def page(site: Site, view: View) -> Document:
    """A full server-rendered HTML page."""
    q = site.q
    scripts: list[str] = []
    title = (
        OPENCPS_TITLE
        if site.style == "opencps"
        else (view.title if view.page == "home" else f"{view.title} – {site.spec.name}")
    )
    top, footer = chrome(site)
    main_tag = "main" if site.style in LANDMARK_STYLES else "div"
    body = [
        top,
        f'<{main_tag} id="noi-dung" tabindex="-1"><div class="container">{view.html}</div></{main_tag}>',
        footer,
    ]
    if site.style in ("aspnet", "vi", "opencps"):
        body.append('<script src="/static/js/ui.js" defer></script>')
    if q.console_errors:
        body.append('<script src="/static/js/slider.min.js"></script>')  # a file that is not there: 404
        scripts.append(assets.BROKEN_SCRIPT)
        body.append(f"<script>{assets.BROKEN_SCRIPT}</script>")
    if q.late_banner:
        late = assets.late_banner_script(360 if q.markup_errors else 140)
        scripts.append(late)
        body.append(f"<script>{late}</script>")
    lang = ' lang="vi"' if q.lang else ""
    head = _head(site, title, scripts)
    return Document(f"<!DOCTYPE html>\n<html{lang}>{head}<body>{''.join(body)}</body></html>\n", scripts)


def spa_shell(site: Site) -> Document:
    """The only HTML page of the hash-routed portal: no links, no content until the script runs."""
    scripts: list[str] = []
    head = _head(site, site.spec.name, scripts)
    app_js = assets.static_text("spa.js")  # inline, as the brief of such portals goes: one HTML, one script
    scripts.append(app_js)
    body = (
        '<div id="app"><p class="container">Đang tải…</p></div>'
        "<noscript>Vui lòng bật JavaScript để sử dụng Cổng Dịch vụ công.</noscript>"
        f"<script>{app_js}</script>"
    )
    return Document(f'<!DOCTYPE html>\n<html lang="vi">{head}<body>{body}</body></html>\n', scripts)
