"""The six sample portals and their designed quality.

The faults are NESTED: each portal, from best to worst, keeps every weakness of the one above it
and adds more, in every group (functions missing, slower, more axe violations per page, fewer
security headers). So any scoring that rewards better evidence ranks them in the same order in every
group, and EXPECTED_ORDER is honest whatever the weights. The portals, best to worst
("+": in addition to everything above):
- bo-ket-noi-mau (ministry): every function; no delay; ~15 KB pages, no long task, CLS 0; no axe violation;
  all security headers, strict CSP, Secure/HttpOnly/SameSite cookie; EMC snippet.
- tinh-song-xanh-mau (province, hash-routed app): no privacy page; 40 ms per request (+ one XHR per route);
  one low-contrast footer badge per page.
- bo-moi-truong-mau (ministry, ASP.NET): + no online payment; 150–250 ms; 300 KB banner, 80 ms blocking script;
  + missing alts (home, news), unlabelled list filters; IIS/ASP.NET version headers.
- tinh-lam-hai-mau (province, /vi/): + broken internal links (404), sign-in without VNeID/national SSO;
  300–350 ms; 500 KB banner, 120 ms script;
  + logo without alt, empty icon links, grey dates and breadcrumbs, no skip link.
- bo-dan-sinh-mau (ministry, BCA-like): + dossier lookup answers HTTP 500, no EMC; 400–550 ms; 1.2 MB image,
  300 ms script, late banner (CLS ~0.1), console error; + icon-only search button, zoom disabled, fixed 1000px
  width, no focus outline, white-on-yellow menu.
- tinh-bac-dong-mau (province, OpenCPS): + search finds nothing, no feedback, no hotline, some 500 pages;
  600–750 ms; 2 MB image, 350 ms script, CLS ~0.26; + no lang, no viewport, nameless tools, broken list,
  untitled iframe, grey tables, menu items that are not links; Server: Apache/2.2.15 (CentOS) PHP/5.3.3.

Measured with axe-core 4.14.1 on the home pages (critical 10, serious 5, moderate 2 per node):
0, 5, 45, 135, 217, 390. The phone view scrolls sideways on the last two only.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Quality:
    # --- functions (chức năng) ---
    privacy: bool = True  # "Chính sách bảo vệ dữ liệu cá nhân" page
    payment: bool = True  # "Thanh toán trực tuyến" page
    feedback_form: bool = True  # "Phản ánh, kiến nghị" with a POST form
    hotline: bool = True  # hotline in the footer
    vneid_login: bool = True  # sign-in offers VNeID / national SSO
    search_works: bool = True  # False: search answers "no result" to everything
    lookup_works: bool = True  # False: the lookup answers HTTP 500
    broken_links: bool = False  # a few internal links lead to 404
    error_pages: tuple[str, ...] = ()  # logical pages answering HTTP 500/503
    emc: bool = True  # EMC tracking snippet + local gov-tracking.min.js
    # --- accessibility (khả năng truy cập) ---
    lang: bool = True
    skip_link: bool = True
    focus_visible: bool = True
    viewport: str = "responsive"  # "responsive" | "noscale" (zoom off, fixed 1000px) | "none" (1200px)
    logo_alt: bool = True
    content_alt: bool = True  # banner / news images
    filter_labels: bool = True  # list filters and lookup input labelled
    search_label: bool = True  # header search labelled, button has a name
    empty_links: bool = False  # icon-only social links without a name
    markup_errors: bool = False  # duplicate ids, <div> in <ul>, untitled iframe
    contrast: str = "ok"  # "ok" | "badge" | "muted" | "low" | "poor" (each adds low-contrast text)
    # --- performance (hiệu năng) ---
    delay_ms: dict[str, int] = field(default_factory=dict)  # logical page -> ms; "*" default
    banner_kb: int = 0  # size of the home banner image (0: small SVG)
    long_task_ms: int = 0  # render-blocking script busy time
    late_banner: bool = False  # a notice inserted above the content after load (CLS)
    console_errors: bool = False
    # --- security (an toàn thông tin), read from headers ---
    csp: bool = False  # Content-Security-Policy with hashes of the inline scripts
    headers: tuple[tuple[str, str], ...] = ()
    cookie: str = ""

    def delay(self, page: str) -> float:
        return self.delay_ms.get(page, self.delay_ms.get("*", 0)) / 1000


@dataclass(frozen=True)
class PortalSpec:
    id: str
    name: str
    kind: str  # "ministry" | "province"
    style: str  # markup/URL family: national | spa | aspnet | vi | bca | opencps
    owner: str  # cơ quan chủ quản
    address: str
    phone: str
    brand: str  # main colour
    quality: Quality
    site_id: int = 0  # EMC setSiteId


STRICT_HEADERS = (
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "geolocation=(), camera=(), microphone=()"),
)
SECURE_COOKIE = "dvc_session=s1a2b3; Path=/; Secure; HttpOnly; SameSite=Lax"

SAMPLE_PORTALS: tuple[PortalSpec, ...] = (
    PortalSpec(
        "bo-ket-noi-mau",
        "Cổng Dịch vụ công Bộ Kết nối Hạ tầng (mẫu)",
        "ministry",
        "national",
        "Bộ Kết nối Hạ tầng",
        "Số 80 Trần Hưng Đạo, Hoàn Kiếm, Hà Nội",
        "024 3942 1234",
        "#0b4f8a",
        Quality(headers=STRICT_HEADERS, cookie=SECURE_COOKIE, csp=True),
        site_id=1101,
    ),
    PortalSpec(
        "tinh-song-xanh-mau",
        "Cổng Dịch vụ công tỉnh Sông Xanh (mẫu)",
        "province",
        "spa",
        "Ủy ban nhân dân tỉnh Sông Xanh",
        "Số 2 Đại lộ Hòa Bình, thành phố Sông Xanh",
        "0292 382 0123",
        "#1d6b3a",
        Quality(
            privacy=False,
            contrast="badge",
            delay_ms={"*": 40},
            headers=STRICT_HEADERS[:4],
            cookie=SECURE_COOKIE,
            csp=True,
        ),
        site_id=2201,
    ),
    PortalSpec(
        "bo-moi-truong-mau",
        "Cổng Dịch vụ công Bộ Đất đai và Môi trường (mẫu)",
        "ministry",
        "aspnet",
        "Bộ Đất đai và Môi trường",
        "Số 10 Tôn Thất Thuyết, Cầu Giấy, Hà Nội",
        "024 3795 6868",
        "#00695c",
        Quality(
            privacy=False,
            payment=False,
            contrast="badge",
            content_alt=False,
            filter_labels=False,
            delay_ms={"*": 150, "list": 250, "detail": 250, "search": 250},
            banner_kb=300,
            long_task_ms=80,
            headers=(
                ("X-Frame-Options", "SAMEORIGIN"),
                ("X-Content-Type-Options", "nosniff"),
                ("X-Powered-By", "ASP.NET"),
                ("X-AspNet-Version", "4.0.30319"),
            ),
            cookie="ASP.NET_SessionId=k3v9x2q1; path=/; HttpOnly",
        ),
        site_id=1301,
    ),
    PortalSpec(
        "tinh-lam-hai-mau",
        "Cổng Dịch vụ công tỉnh Lâm Hải (mẫu)",
        "province",
        "vi",
        "Ủy ban nhân dân tỉnh Lâm Hải",
        "Số 9 Lê Lợi, thành phố Lâm Hải",
        "0235 381 0456",
        "#8a1c1c",
        Quality(
            privacy=False,
            payment=False,
            broken_links=True,
            vneid_login=False,
            contrast="muted",
            content_alt=False,
            filter_labels=False,
            skip_link=False,
            logo_alt=False,
            empty_links=True,
            delay_ms={"*": 300, "detail": 350, "search": 350},
            banner_kb=500,
            long_task_ms=120,
            headers=(("X-Frame-Options", "SAMEORIGIN"),),
            cookie="SESSION=7f3a9c; Path=/",
        ),
        site_id=2401,
    ),
    PortalSpec(
        "bo-dan-sinh-mau",
        "Cổng Dịch vụ công Bộ Dân sinh và Tư pháp (mẫu)",
        "ministry",
        "bca",
        "Bộ Dân sinh và Tư pháp",
        "Số 44 Yết Kiêu, Hoàn Kiếm, Hà Nội",
        "069 234 2590",
        "#7a4b00",
        Quality(
            privacy=False,
            payment=False,
            broken_links=True,
            vneid_login=False,
            lookup_works=False,
            emc=False,
            contrast="low",
            content_alt=False,
            filter_labels=False,
            skip_link=False,
            logo_alt=False,
            empty_links=True,
            search_label=False,
            focus_visible=False,
            viewport="noscale",
            delay_ms={"*": 400, "home": 500, "detail": 550, "search": 550},
            banner_kb=1200,
            long_task_ms=300,
            late_banner=True,
            console_errors=True,
            headers=(("X-Powered-By", "PHP/7.2.24"),),
            cookie="PHPSESSID=a8d7f6e5",
        ),
        site_id=0,
    ),
    PortalSpec(
        "tinh-bac-dong-mau",
        "Cổng Dịch vụ công tỉnh Bắc Đồng (mẫu)",
        "province",
        "opencps",
        "Ủy ban nhân dân tỉnh Bắc Đồng",
        "Số 1 Trần Phú, thành phố Bắc Đồng",
        "0291 382 2222",
        "#c62828",
        Quality(
            privacy=False,
            payment=False,
            broken_links=True,
            lookup_works=False,
            emc=False,
            feedback_form=False,
            hotline=False,
            vneid_login=False,
            search_works=False,
            error_pages=("faq", "contact"),
            contrast="poor",
            content_alt=False,
            filter_labels=False,
            skip_link=False,
            logo_alt=False,
            empty_links=True,
            search_label=False,
            focus_visible=False,
            viewport="none",
            lang=False,
            markup_errors=True,
            delay_ms={"*": 600, "home": 700, "detail": 750, "search": 750, "list": 700},
            banner_kb=2000,
            long_task_ms=350,
            late_banner=True,
            console_errors=True,
            headers=(("X-Powered-By", "PHP/5.3.3"),),
            cookie="JSESSIONID=9F8E7D6C5B4A",
        ),
        site_id=0,
    ),
)

SERVER_HEADERS = {
    "bo-ket-noi-mau": "nginx",
    "tinh-song-xanh-mau": "nginx",
    "bo-moi-truong-mau": "Microsoft-IIS/10.0",
    "tinh-lam-hai-mau": "nginx/1.18.0",
    "bo-dan-sinh-mau": "Apache/2.4.29 (Ubuntu)",
    "tinh-bac-dong-mau": "Apache/2.2.15 (CentOS) PHP/5.3.3",
}

_BEST_TO_WORST = [p.id for p in SAMPLE_PORTALS]
# The faults are nested (see the top of this module), so the designed order is the same in every group.
EXPECTED_ORDER: dict[str, list[str]] = {
    "functionality": list(_BEST_TO_WORST),
    "performance": list(_BEST_TO_WORST),
    "accessibility": list(_BEST_TO_WORST),
    "overall": list(_BEST_TO_WORST),
}
# Neighbours whose designed gap is real but small enough for a score to round away: the top four
# differ by a few hundred milliseconds, all under one second, where Web Vitals curves (LCP "good"
# up to 1.2 s) give ~100 to all. A ranking test should accept a tie (never the reverse) for these.
MAY_TIE: dict[str, list[tuple[str, str]]] = {
    "functionality": [],
    "performance": [
        (_BEST_TO_WORST[0], _BEST_TO_WORST[1]),
        (_BEST_TO_WORST[1], _BEST_TO_WORST[2]),
        (_BEST_TO_WORST[2], _BEST_TO_WORST[3]),
    ],
    "accessibility": [],
    "overall": [],
}
# How far MAY_TIE neighbours may swap: the run-to-run spread of the performance score that
# benchmarks/perf_spread.py measured for the four fastest samples (1.6–4.6 points, README "Measured figures"):
# mobile lab loads run under 4x CPU throttling, which magnifies whatever else the machine is doing, and a spread
# measured within one run (the ties) underestimates the spread between runs.
MAY_TIE_SLACK: dict[str, float] = {"performance": 5.0}
