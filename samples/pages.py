"""The content of each logical page (the part inside <main>), in the markup of each portal style.

A View is what a page shows; layout.py wraps it in the portal's header and footer (server-rendered
styles) or the hash-routed app fetches it as JSON (spa). Faults from the quality profile (missing
labels and alts, broken links, missing functions) are applied here, where the markup is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape as e

from . import content as c
from .profiles import PortalSpec
from .urls import SCHEMES, UrlScheme

VNEID_SSO = "https://sso.dancuquocgia.gov.vn/oauth2/authorize?response_type=code&client_id=dvc"
NATIONAL_SSO = "https://xacthuc.dichvucong.gov.vn/oauth2/authorize?response_type=code&scope=openid&acr_values=LoA1"
NATIONAL_PORTAL = "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html"
BROKEN = {
    "legal": "/van-ban-phap-luat.html",
    "stats": "/thong-ke-ho-so",
    "old_form": "/files/mau-cu.doc",
    "old_news": "/tin-tuc-cu/thong-bao-nghi-le.html",
}


@dataclass
class View:
    page: str  # logical page, for delays and faults
    title: str
    html: str  # the content of <main>
    status: int = 200
    redirect: str = ""  # a Location for 302 answers


class Site:
    """One portal's pages: its spec (quality), URL scheme and markup style."""

    def __init__(self, spec: PortalSpec):
        self.spec = spec
        self.q = spec.quality
        self.style = spec.style
        self.urls: UrlScheme = SCHEMES[spec.style]
        self.caps = spec.style == "opencps"  # OpenCPS themes write headings in capitals

    # -- which pages exist -------------------------------------------------------------------------

    def serves(self, page: str) -> bool:
        return {"privacy": self.q.privacy, "payment": self.q.payment, "feedback": self.q.feedback_form}.get(page, True)

    def nav_items(self) -> list[tuple[str, str]]:
        u = self.urls
        items = [("Trang chủ", u.url("home")), ("Thủ tục hành chính", u.list_url()), ("Tra cứu hồ sơ", u.lookup_url())]
        if self.serves("payment"):
            items.append(("Thanh toán trực tuyến", u.url("payment")))
        if self.serves("feedback"):
            items.append(("Phản ánh, kiến nghị", u.url("feedback")))
        items += [
            ("Hướng dẫn sử dụng", u.url("guide")),
            ("Câu hỏi thường gặp", u.url("faq")),
            ("Tin tức", u.url("news")),
        ]
        if self.q.broken_links:
            items.append(("Văn bản pháp luật", BROKEN["legal"]))
        items.append(("Đăng nhập", u.url("login")))
        return items

    def all_page_urls(self) -> list[str]:
        """Every page of the portal, for sitemap.xml and the "Sơ đồ cổng" page."""
        u = self.urls
        pages = [
            u.url(p)
            for p in ("home", "guide", "faq", "news", "contact", "login", "sitemap_page", "lookup")
            if self.serves(p)
        ]
        pages += [u.url(p) for p in ("payment", "feedback", "privacy") if self.serves(p)]
        pages += [u.list_url(n) for n in range(1, self.page_count() + 1)]
        pages += [u.detail_url(p) for p in c.PROCEDURES] + [u.article_url(a) for a in c.NEWS]
        return pages

    @staticmethod
    def page_count() -> int:
        return -(-len(c.PROCEDURES) // c.PAGE_SIZE)

    # -- small pieces ------------------------------------------------------------------------------

    def h(self, text: str) -> str:
        return text.upper() if self.caps else text

    def breadcrumb(self, *trail: tuple[str, str]) -> str:
        items = [f'<a href="{e(self.urls.url("home"))}">Trang chủ</a>']
        items += [f'<a href="{e(href)}">{e(t)}</a>' if href else f"<span>{e(t)}</span>" for t, href in trail]
        sep = " › "
        if self.style in ("bca", "opencps"):
            return f'<div class="breadcrumb">{sep.join(items)}</div>'
        return f'<nav class="breadcrumb" aria-label="Đường dẫn">{sep.join(items)}</nav>'

    def img(self, src: str, alt: str, *, content: bool = True, cls: str = "", size: tuple[int, int] = (0, 0)) -> str:
        """An image; the profile decides whether content images carry their alt text."""
        ok = self.q.content_alt if content else self.q.logo_alt
        attrs = f' alt="{e(alt)}"' if ok else ""
        attrs += f' width="{size[0]}" height="{size[1]}"' if size[0] else ""
        attrs += f' class="{cls}"' if cls else ""
        return f'<img src="{e(src)}"{attrs}>'

    def field(
        self,
        name: str,
        label: str,
        *,
        kind: str = "input",
        value: str = "",
        placeholder: str = "",
        labelled: bool = True,
        options: tuple[str, ...] = (),
        required: bool = False,
        input_type: str = "text",
    ) -> str:
        """A form field; unlabelled ones keep only a placeholder, as many portals do, or (markup_errors)
        only a caption beside them that is not tied to the field."""
        fid = f"f-{name}"
        req = " required" if required else ""
        loose = not labelled and self.q.markup_errors
        hint = "" if loose else placeholder or ("" if labelled else label)
        ph = f' placeholder="{e(hint)}"' if hint else ""
        if kind == "select":
            opts = "".join(
                f'<option value="{e(o)}"{" selected" if o == value else ""}>{e(o or "Tất cả")}</option>'
                for o in ("",) + options
            )
            ctl = f'<select id="{fid}" name="{name}">{opts}</select>'
        elif kind == "textarea":
            ctl = f'<textarea id="{fid}" name="{name}" rows="5"{ph}{req}>{e(value)}</textarea>'
        else:
            ctl = f'<input id="{fid}" name="{name}" type="{input_type}" value="{e(value)}"{ph}{req}>'
        lab = f'<label for="{fid}">{e(label)}</label>' if labelled else (f"<span>{e(label)}:</span> " if loose else "")
        return f'<div class="form-row">{lab}{ctl}</div>'

    def search_form(self, value: str = "", where: str = "main") -> str:
        """The procedure search box, in the portal's own markup."""
        u = self.urls
        action = u.paths["search"]
        name = u.params["q"]
        placeholder = "Tìm kiếm theo tên thủ tục, mã thủ tục ..."
        fid = f"tu-khoa-{where}"
        if self.style == "spa":
            return (
                f'<form role="search" class="search-box" data-route="{action}" action="/" method="get">'
                f'<label for="{fid}">Tìm kiếm thủ tục hành chính</label>'
                f'<input id="{fid}" name="{name}" type="search" value="{e(value)}" placeholder="{placeholder}">'
                '<button type="submit">Tìm kiếm</button></form>'
            )
        if not self.q.search_label:
            # Placeholder as the only label and an icon-only button: the OpenCPS habit.
            dup = ' id="keyword"' if self.q.markup_errors else ""
            return (
                f'<form class="search-box" action="{action}" method="get">'
                f'<input{dup} name="{name}" type="text" value="{e(value)}" placeholder="{placeholder}">'
                '<button type="submit" class="btn-search"><span class="fa fa-search"></span></button></form>'
            )
        if self.style == "aspnet":
            fid = f"ctl00_PlaceHolderMain_txtTuKhoa_{where}"
            return (
                f'<form role="search" class="search-box" action="{action}" method="get" id="aspnetForm_{where}">'
                f'<label for="{fid}">Từ khóa thủ tục</label>'
                f'<input id="{fid}" name="{name}" type="text" value="{e(value)}" placeholder="Nhập từ khóa">'
                '<button type="submit" id="ctl00_PlaceHolderMain_btnTimKiem">Tìm kiếm</button></form>'
            )
        if self.style == "vi":
            return (
                f'<form role="search" class="search-box" action="{action}" method="get">'
                f'<input name="{name}" type="search" value="{e(value)}" aria-label="Nhập tên thủ tục hành chính"'
                ' placeholder="Nhập tên thủ tục hành chính">'
                '<button type="submit">Tìm kiếm</button></form>'
            )
        return (
            f'<form role="search" class="search-box" action="{action}" method="get">'
            f'<label for="{fid}">Tìm kiếm thủ tục hành chính</label>'
            f'<input id="{fid}" name="{name}" type="search" value="{e(value)}" placeholder="{placeholder}">'
            '<button type="submit">Tìm kiếm</button></form>'
        )

    def procedure_list(self, procs: list[c.Procedure]) -> str:
        u = self.urls
        if self.style in ("bca", "aspnet", "opencps"):
            rows = "".join(
                f'<tr><td>{i}</td><td>{e(p.code)}</td><td><a href="{e(u.detail_url(p))}">{e(p.name)}</a></td>'
                f'<td>{e(p.sector)}</td><td class="level">{e(p.level)}</td></tr>'
                for i, p in enumerate(procs, 1)
            )
            return (
                '<div class="table-wrap"><table><thead><tr><th scope="col">STT</th><th scope="col">Mã thủ tục</th>'
                '<th scope="col">Tên thủ tục</th><th scope="col">Lĩnh vực</th><th scope="col">Mức độ</th></tr>'
                f"</thead><tbody>{rows}</tbody></table></div>"
            )
        items = "".join(
            f'<li><a href="{e(u.detail_url(p))}">{e(p.name)}</a><br><span class="muted">Mã thủ tục: {e(p.code)} · '
            f"Lĩnh vực: {e(p.sector)} · Mức độ: {e(p.level)}</span></li>"
            for p in procs
        )
        return f'<ul class="cards">{items}</ul>'

    # -- pages -------------------------------------------------------------------------------------

    def view(self, page: str, params: dict[str, str]) -> View:
        """The View for a logical page, or a 404 View."""
        if page in self.q.error_pages:
            return self.server_error(page)
        if not page or not self.serves(page):
            return self.not_found()
        if page == "detail":
            proc = c.by_code(params.get("id", ""))
            return self.detail(proc) if proc else self.not_found()
        if page == "article":
            art = c.article(params.get("id", ""))
            return self.article(art) if art else self.not_found()
        if page == "apply":
            return View("apply", "", "", 302, redirect=self.urls.url("login"))
        if page == "list":
            return self.listing(params)
        if page == "search":
            return self.search(params.get("q", ""))
        if page == "lookup":
            return self.lookup(params.get("code", ""))
        return getattr(self, page)()

    def home(self) -> View:
        u, q = self.urls, self.q
        banner = "/static/banner.png" if q.banner_kb else "/static/banner.svg"
        # The heavy banner is an unoptimised upload: no width/height, so it shifts the layout when it arrives.
        banner_size = (0, 0) if q.banner_kb else (1140, 180)
        map_frame = '<iframe src="/static/ban-do.html" width="300" height="120"></iframe>' if q.markup_errors else ""
        cards = [
            ("Thủ tục hành chính", u.list_url(), "Tra cứu thông tin, nộp hồ sơ trực tuyến"),
            ("Tra cứu hồ sơ", u.lookup_url(), "Theo dõi tình trạng giải quyết hồ sơ"),
        ]
        if self.serves("payment"):
            cards.append(("Thanh toán trực tuyến", u.url("payment"), "Nộp phí, lệ phí không dùng tiền mặt"))
        if self.serves("feedback"):
            cards.append(("Phản ánh, kiến nghị", u.url("feedback"), "Gửi phản ánh về quy định hành chính"))
        cards.append(("Hướng dẫn sử dụng", u.url("guide"), "Các bước sử dụng Cổng Dịch vụ công"))
        if q.broken_links:
            cards.append(("Thống kê hồ sơ", BROKEN["stats"], "Tình hình giải quyết hồ sơ theo tháng"))
        card_html = "".join(
            f'<li><a href="{e(href)}"><strong>{e(self.h(t))}</strong></a><br><span class="muted">{e(d)}</span></li>'
            for t, href, d in cards
        )
        popular = self.procedure_list(list(c.PROCEDURES[:6]))
        news = "".join(
            f"<li>{self.img('/static/news.svg', a.title, size=(320, 180))}"
            f'<a href="{e(u.article_url(a))}">{e(a.title)}</a><br><span class="meta">{e(a.date)}</span></li>'
            for a in c.NEWS[:3]
        )
        stats = (
            '<table><caption>Tình hình xử lý hồ sơ năm 2024</caption><thead><tr><th scope="col">Đã tiếp nhận</th>'
            '<th scope="col">Đã giải quyết</th><th scope="col">Đang xử lý</th></tr></thead>'
            "<tbody><tr><td>128.450</td><td>121.902</td><td>6.548</td></tr></tbody></table>"
        )
        html = (
            f"<h1>{e(self.h('Dịch vụ công trực tuyến'))}</h1>"
            f"{self.img(banner, 'Cổng Dịch vụ công: nộp hồ sơ mọi lúc, mọi nơi', cls='banner', size=banner_size)}"
            f"{map_frame}"
            f"{self.search_form(where='home')}"
            f'<h2>{e(self.h("Chức năng chính"))}</h2><ul class="cards">{card_html}</ul>'
            f"<h2>{e(self.h('Thủ tục phổ biến'))}</h2>{popular}"
            f'<p><a href="{e(u.list_url())}">Xem tất cả thủ tục hành chính</a></p>'
            f'<h2>{e(self.h("Tin tức"))}</h2><ul class="cards">{news}</ul>'
            f"<h2>{e(self.h('Tình hình xử lý hồ sơ'))}</h2>{stats}"
        )
        return View("home", self.spec.name, html)

    def listing(self, params: dict[str, str]) -> View:
        u = self.urls
        sector, level = params.get("sector", ""), params.get("level", "")
        try:
            number = max(1, int(params.get("page") or 1))
        except ValueError:
            number = 1
        procs = c.filter_procedures(sector, level)
        pages = max(1, -(-len(procs) // c.PAGE_SIZE))
        number = min(number, pages)
        shown = procs[(number - 1) * c.PAGE_SIZE : number * c.PAGE_SIZE]
        labelled = self.q.filter_labels
        filters = (
            f'<form class="filters" action="{e(u.paths["list"])}" method="get">'
            + self.field(
                u.params["sector"], "Lĩnh vực", kind="select", value=sector, options=c.SECTORS, labelled=labelled
            )
            + self.field(u.params["level"], "Mức độ", kind="select", value=level, options=c.LEVELS, labelled=labelled)
            + '<div class="form-row"><button type="submit">Lọc danh sách</button></div></form>'
        )
        pager_items = []
        for n in range(1, pages + 1):
            if n == number:
                pager_items.append(f'<li class="page-item active"><span aria-current="page">{n}</span></li>')
            else:
                href = u.list_url(n, sector, level)
                pager_items.append(
                    f'<li class="page-item"><a class="page-link" href="{e(href)}" aria-label="Trang {n}">{n}</a></li>'
                )
        pager = f'<nav aria-label="Phân trang"><ul class="pager">{"".join(pager_items)}</ul></nav>'
        html = (
            f"{self.breadcrumb(('Thủ tục hành chính', ''))}<h1>{e(self.h('Danh sách thủ tục hành chính'))}</h1>"
            f"{self.search_form(where='list')}{filters}"
            f'<p class="muted">Tìm thấy {len(procs)} thủ tục · Trang {number}/{pages}</p>'
            f"{self.procedure_list(shown)}{pager}"
        )
        title = "Danh sách thủ tục hành chính" + (f" – Trang {number}" if number > 1 else "")
        return View("list", title, html)

    def detail_sections(self, p: c.Procedure) -> list[tuple[str, str, str]]:
        """(id, heading, html) of every field a procedure page must show."""
        steps = "".join(f"<li>{e(s)}</li>" for s in p.steps)
        methods = "".join(f"<tr><td>{e(m)}</td><td>{e(t)}</td><td>{e(f)}</td></tr>" for m, t, f in p.methods)
        forms = []
        for name in p.forms:
            forms.append(f'<a href="/files/{e(name)}" download>Tải mẫu: {e(name)}</a>')
        if self.q.broken_links and p.number % 3 == 0:
            forms.append(f'<a href="{BROKEN["old_form"]}">Tải mẫu cũ (bản Word)</a>')
        docs = "".join(f"<tr><td>{e(d)}</td><td>1</td></tr>" for d in p.documents)
        legal = "".join(f"<li>{e(x)}</li>" for x in p.legal)
        return [
            ("trinh-tu", "Trình tự thực hiện", f"<ol>{steps}</ol>"),
            (
                "cach-thuc",
                "Cách thức thực hiện",
                '<div class="table-wrap"><table><thead><tr><th scope="col">Hình thức nộp</th>'
                '<th scope="col">Thời hạn giải quyết</th><th scope="col">Phí, lệ phí</th></tr></thead>'
                f"<tbody>{methods}</tbody></table></div>",
            ),
            (
                "thanh-phan",
                "Thành phần hồ sơ",
                '<div class="table-wrap"><table><thead><tr><th scope="col">Tên giấy tờ</th><th scope="col">Số lượng</th>'
                f"</tr></thead><tbody>{docs}</tbody></table></div><p>File biểu mẫu: {' · '.join(forms)}</p>",
            ),
            ("thoi-han", "Thời hạn giải quyết", f"<p>{e(p.duration)}</p>"),
            ("phi", "Phí, lệ phí", f"<p>{e(p.fee)}</p>"),
            ("doi-tuong", "Đối tượng thực hiện", f"<p>{e(p.applicants)}</p>"),
            ("co-quan", "Cơ quan thực hiện", f"<p>{e(p.agency)}</p>"),
            ("ket-qua", "Kết quả thực hiện", f"<p>{e(p.result)}</p>"),
            ("can-cu", "Căn cứ pháp lý", f"<ul>{legal}</ul>"),
        ]

    def detail(self, p: c.Procedure) -> View:
        u = self.urls
        info = (
            f'<dl class="info"><dt>Mã thủ tục</dt><dd>{e(p.code)}</dd><dt>Lĩnh vực</dt><dd>{e(p.sector)}</dd>'
            f"<dt>Cơ quan thực hiện</dt><dd>{e(p.agency)}</dd>"
            f'<dt>Mức độ</dt><dd class="level">Dịch vụ công trực tuyến {e(p.level.lower())}</dd></dl>'
        )
        submit = f'<p><a class="btn btn-submit" href="{e(u.apply_url(p))}">{e(self.h("Nộp hồ sơ trực tuyến"))}</a></p>'
        sections = self.detail_sections(p)
        if self.style == "spa":
            body = "".join(
                f"<details{' open' if i == 0 else ''}><summary>{e(t)}</summary>{html}</details>"
                for i, (_, t, html) in enumerate(sections)
            )
        elif self.style == "aspnet":
            body = "".join(
                f'<h2><button type="button" class="accordion-btn" aria-expanded="{"true" if i == 0 else "false"}" '
                f'aria-controls="ctl00_pn_{sid}">{e(t)}</button></h2>'
                f'<div id="ctl00_pn_{sid}" class="accordion-panel"{"" if i == 0 else " hidden"}>{html}</div>'
                for i, (sid, t, html) in enumerate(sections)
            )
        elif self.style == "vi":
            tabs = "".join(
                f'<button type="button" role="tab" id="tab-{sid}" aria-controls="panel-{sid}" '
                f'aria-selected="{"true" if i == 0 else "false"}">{e(t)}</button>'
                for i, (sid, t, _) in enumerate(sections)
            )
            panels = "".join(
                f'<div role="tabpanel" id="panel-{sid}" aria-labelledby="tab-{sid}"'
                f"{'' if i == 0 else ' hidden'}>{html}</div>"
                for i, (sid, _, html) in enumerate(sections)
            )
            body = f'<div class="tabs"><div role="tablist" aria-label="Thông tin thủ tục">{tabs}</div>{panels}</div>'
        elif self.style == "bca":
            rows = "".join(f'<tr><th scope="row">{e(t)}</th><td>{html}</td></tr>' for _, t, html in sections)
            body = f'<div class="table-wrap"><table class="tthc-detail">{rows}</table></div>'
        elif self.style == "opencps":
            links = "".join(f'<li><a class="tab-link" href="#{sid}">{e(t)}</a></li>' for sid, t, _ in sections)
            panes = "".join(
                f'<div class="tab-pane" id="{sid}"><h3>{e(t)}</h3>{html}</div>' for sid, t, html in sections
            )
            body = f'<ul class="nav-tabs">{links}</ul>{panes}'
        else:
            body = "".join(
                f'<section aria-labelledby="h-{sid}"><h2 id="h-{sid}">{e(t)}</h2>{html}</section>'
                for sid, t, html in sections
            )
        html = (
            f"{self.breadcrumb(('Thủ tục hành chính', u.list_url()), (p.name, ''))}"
            f"<h1>{e(p.name)}</h1>{info}{submit}{body}{submit}"
        )
        return View("detail", p.name, html)

    def search(self, query: str) -> View:
        u = self.urls
        found = c.search(query) if self.q.search_works else []
        if not query.strip():
            result = "<p>Nhập tên hoặc mã thủ tục để tìm kiếm.</p>"
        elif found:
            result = (
                f'<p role="status">Tìm thấy {len(found)} thủ tục cho từ khóa «{e(query)}».</p>'
                f"{self.procedure_list(found)}"
            )
        else:
            result = f'<p role="status">Không tìm thấy thủ tục nào phù hợp với từ khóa «{e(query)}».</p>'
        html = (
            f"{self.breadcrumb(('Tìm kiếm', ''))}<h1>{e(self.h('Tìm kiếm thủ tục hành chính'))}</h1>"
            f"{self.search_form(query, where='search')}{result}"
            f'<p><a href="{e(u.list_url())}">Xem danh sách thủ tục hành chính</a></p>'
        )
        return View("search", f"Kết quả tìm kiếm: {query}" if query else "Tìm kiếm thủ tục", html)

    def lookup(self, code: str) -> View:
        u = self.urls
        if code and not self.q.lookup_works:
            return self.server_error("lookup")
        form = (
            f'<form class="lookup" action="{e(u.paths["lookup"])}" method="get"'
            + (f' data-route="{e(u.paths["lookup"])}"' if self.style == "spa" else "")
            + ">"
            + self.field(
                u.params["code"],
                "Mã hồ sơ",
                value=code,
                required=True,
                labelled=self.q.filter_labels,
                placeholder="Ví dụ: H01.23-240115-0001" if self.q.filter_labels else "Nhập mã hồ sơ",
            )
            + '<div class="form-row"><button type="submit">Tra cứu</button></div></form>'
        )
        result = ""
        if code:
            d = c.lookup(code)
            if d:
                result = (
                    '<h2>Kết quả tra cứu</h2><div class="table-wrap"><table><tbody>'
                    f'<tr><th scope="row">Mã hồ sơ</th><td>{e(code.strip().upper())}</td></tr>'
                    f'<tr><th scope="row">Thủ tục</th><td>{e(d["procedure"])}</td></tr>'
                    f'<tr><th scope="row">Ngày tiếp nhận</th><td>{e(d["received"])}</td></tr>'
                    f'<tr><th scope="row">Ngày hẹn trả</th><td>{e(d["due"])}</td></tr>'
                    f'<tr><th scope="row">Tiến trình thụ lý</th><td>{e(d["step"])}</td></tr>'
                    f'<tr><th scope="row">Trạng thái</th>'
                    f'<td><span class="status">{e(d["status"])}</span></td></tr>'
                    "</tbody></table></div>"
                )
            else:
                result = (
                    f'<p class="error-box" role="alert">{c.NOT_FOUND_TEXT} có mã «{e(code)}». '
                    "Vui lòng kiểm tra lại mã hồ sơ in trên giấy tiếp nhận.</p>"
                )
        html = (
            f"{self.breadcrumb(('Tra cứu hồ sơ', ''))}<h1>{e(self.h('Tra cứu hồ sơ'))}</h1>"
            "<p>Nhập mã hồ sơ in trên giấy tiếp nhận hồ sơ và hẹn trả kết quả để tra cứu tình trạng hồ sơ.</p>"
            f'{form}<div aria-live="polite">{result}</div>'
        )
        return View("lookup", "Tra cứu hồ sơ", html)

    def payment(self) -> View:
        u = self.urls
        html = (
            f"{self.breadcrumb(('Thanh toán trực tuyến', ''))}<h1>{e(self.h('Thanh toán trực tuyến'))}</h1>"
            "<p>Thanh toán phí, lệ phí hồ sơ thủ tục hành chính qua Nền tảng thanh toán trên Cổng Dịch vụ công "
            "quốc gia: thẻ ngân hàng nội địa, thẻ quốc tế, ví điện tử, mã QR.</p>"
            f"<h2>{e(self.h('Thông tin thanh toán'))}</h2><ol><li>Đăng nhập tài khoản.</li>"
            "<li>Chọn hồ sơ cần thanh toán trong mục «Hồ sơ chờ thanh toán».</li>"
            "<li>Chọn cổng thanh toán, xác nhận và nhận biên lai điện tử.</li></ol>"
            f'<p><a class="btn" href="{e(u.url("login"))}">Đăng nhập để thanh toán</a></p>'
            "<h2>Cổng thanh toán hỗ trợ</h2><ul><li>Nền tảng thanh toán Cổng DVC quốc gia (PayGov)</li>"
            "<li>KeyPay</li><li>ViettelPay QR</li></ul>"
        )
        return View("payment", "Thanh toán trực tuyến", html)

    def feedback(self, sent: str = "") -> View:
        u = self.urls
        lab = self.q.filter_labels
        action = "/api/phan-anh" if self.style == "spa" else u.paths["feedback"]
        form = (
            f'<form class="feedback" action="{e(action)}" method="post">'
            + self.field("hoTen", "Họ và tên người gửi", labelled=lab, required=True)
            + self.field("dienThoai", "Số điện thoại", labelled=lab, input_type="tel")
            + self.field("email", "Thư điện tử", labelled=lab, input_type="email")
            + self.field("tieuDe", "Tiêu đề", labelled=lab, required=True)
            + self.field("noiDung", "Nội dung phản ánh, kiến nghị", kind="textarea", labelled=lab, required=True)
            + '<div class="form-row"><button type="submit">Gửi phản ánh</button></div></form>'
        )
        thanks = f'<p class="status" role="status">{e(sent)}</p>' if sent else ""
        html = (
            f"{self.breadcrumb(('Phản ánh, kiến nghị', ''))}<h1>{e(self.h('Phản ánh, kiến nghị'))}</h1>"
            f"{thanks}<p>Tiếp nhận phản ánh, kiến nghị của cá nhân, tổ chức về quy định hành chính và việc "
            f"giải quyết thủ tục hành chính.</p>{form}"
            f'<p>Hoặc gửi qua <a href="https://dichvucong.gov.vn/p/home/dvc-phan-anh-kien-nghi.html">'
            "Hệ thống phản ánh, kiến nghị của Cổng Dịch vụ công quốc gia</a>.</p>"
        )
        return View("feedback", "Phản ánh, kiến nghị", html)

    def guide(self) -> View:
        body = "".join(f"<h2>{e(t)}</h2><p>{e(x)}</p>" for t, x in c.GUIDE_SECTIONS)
        hotline = f"<p>Tổng đài hỗ trợ: {c.HOTLINE}</p>" if self.q.hotline else ""
        html = (
            f"{self.breadcrumb(('Hướng dẫn sử dụng', ''))}<h1>{e(self.h('Hướng dẫn sử dụng'))}</h1>"
            f'{body}<p><a href="/files/mau-to-khai.pdf">Tải tài liệu hướng dẫn (PDF)</a></p>{hotline}'
        )
        return View("guide", "Hướng dẫn sử dụng", html)

    def faq(self) -> View:
        if self.style in ("spa", "vi"):
            body = "".join(f"<details><summary>{e(qs)}</summary><p>{e(a)}</p></details>" for qs, a in c.FAQ)
        else:
            body = "".join(f"<h2>{e(qs)}</h2><p>{e(a)}</p>" for qs, a in c.FAQ)
        html = f"{self.breadcrumb(('Câu hỏi thường gặp', ''))}<h1>{e(self.h('Câu hỏi thường gặp'))}</h1>{body}"
        return View("faq", "Câu hỏi thường gặp", html)

    def news(self) -> View:
        u = self.urls
        items = [
            f"<li>{self.img('/static/news.svg', a.title, size=(320, 180))}"
            f'<h2><a href="{e(u.article_url(a))}">{e(a.title)}</a></h2>'
            f'<p class="meta">{e(a.date)}</p><p>{e(a.summary)}</p></li>'
            for a in c.NEWS
        ]
        if self.q.broken_links:
            items.append(
                f'<li><h2><a href="{BROKEN["old_news"]}">Thông báo lịch nghỉ lễ</a></h2>'
                '<p class="meta">01/01/2023</p></li>'
            )
        html = (
            f'{self.breadcrumb(("Tin tức", ""))}<h1>{e(self.h("Tin tức"))}</h1><ul class="cards">{"".join(items)}</ul>'
        )
        return View("news", "Tin tức", html)

    def article(self, a: c.Article) -> View:
        u = self.urls
        body = "".join(f"<p>{e(x)}</p>" for x in a.body)
        html = (
            f"{self.breadcrumb(('Tin tức', u.url('news')), (a.title, ''))}<article><h1>{e(a.title)}</h1>"
            f'<p class="meta">Ngày đăng: {e(a.date)}</p><p><strong>{e(a.summary)}</strong></p>{body}</article>'
            f'<p><a href="{e(u.url("news"))}">Xem các tin khác</a></p>'
        )
        return View("article", a.title, html)

    def contact(self) -> View:
        s = self.spec
        hotline = f"<li>Đường dây nóng: {c.HOTLINE}</li>" if self.q.hotline else ""
        iframe = '<iframe src="/static/ban-do.html" width="400" height="200"></iframe>' if self.q.markup_errors else ""
        html = (
            f"{self.breadcrumb(('Liên hệ', ''))}<h1>{e(self.h('Liên hệ'))}</h1>"
            f"<ul><li>Cơ quan chủ quản: {e(s.owner)}</li><li>Địa chỉ: {e(s.address)}</li>"
            f"<li>Điện thoại: {e(s.phone)}</li>{hotline}<li>Thư điện tử: dichvucong@{s.id}.example.vn</li></ul>"
            f"{iframe}"
        )
        return View("contact", "Liên hệ", html)

    def privacy(self) -> View:
        html = (
            f"{self.breadcrumb(('Chính sách bảo vệ dữ liệu cá nhân', ''))}"
            "<h1>Chính sách bảo vệ dữ liệu cá nhân</h1>"
            "<p>Chính sách này mô tả cách Cổng Dịch vụ công thu thập, xử lý và bảo vệ dữ liệu cá nhân của người "
            "dân, doanh nghiệp theo Nghị định số 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân.</p>"
            "<h2>Dữ liệu được thu thập</h2><p>Họ tên, số định danh cá nhân, địa chỉ liên hệ và giấy tờ trong "
            "hồ sơ thủ tục hành chính.</p><h2>Mục đích xử lý</h2><p>Chỉ để giải quyết thủ tục hành chính và "
            "cung cấp dịch vụ công.</p><h2>Quyền của chủ thể dữ liệu</h2><p>Được biết, đồng ý, truy cập, "
            "yêu cầu chỉnh sửa hoặc xóa dữ liệu theo quy định.</p>"
        )
        return View("privacy", "Chính sách bảo vệ dữ liệu cá nhân", html)

    def login(self, message: str = "") -> View:
        action = "/api/dang-nhap" if self.style == "spa" else self.urls.paths["login"]
        msg = f'<p class="error-box" role="alert">{e(message)}</p>' if message else ""
        if self.q.vneid_login:
            sso = (
                f'<ul class="cards"><li><a class="btn" href="{VNEID_SSO}">Đăng nhập bằng VNeID</a><br>'
                '<span class="muted">Tài khoản định danh điện tử cấp bởi Bộ Công an dành cho công dân</span></li>'
                f'<li><a class="btn" href="{NATIONAL_SSO}">Đăng nhập qua Cổng DVC Quốc gia</a><br>'
                '<span class="muted">Tài khoản cấp bởi Cổng dịch vụ công quốc gia</span></li></ul>'
                "<h2>Hoặc đăng nhập bằng tài khoản của Cổng</h2>"
            )
            fields = self.field("username", "Tên đăng nhập", labelled=self.q.filter_labels, required=True) + self.field(
                "password", "Mật khẩu", labelled=self.q.filter_labels, required=True, input_type="password"
            )
        else:
            sso = ""
            fields = (
                self.field("email", "Email đăng nhập", labelled=False, required=True)
                + self.field("password", "Mật khẩu", labelled=False, input_type="password")
                + self.field("captcha", "Nhập captcha", labelled=False)
            )
        html = (
            f"{self.breadcrumb(('Đăng nhập', ''))}<h1>{e(self.h('Đăng nhập hệ thống'))}</h1>{msg}{sso}"
            f'<form class="login" action="{e(action)}" method="post">{fields}'
            '<div class="form-row"><button type="submit">Đăng nhập</button></div></form>'
        )
        return View("login", "Đăng nhập", html)

    def sitemap_page(self) -> View:
        u = self.urls
        links = list(self.nav_items())
        links += [("Liên hệ", u.url("contact"))]
        if self.serves("privacy"):
            links.append(("Chính sách bảo vệ dữ liệu cá nhân", u.url("privacy")))
        links += [(f"Danh sách thủ tục – trang {n}", u.list_url(n)) for n in range(1, self.page_count() + 1)]
        links += [(p.name, u.detail_url(p)) for p in c.PROCEDURES] + [(a.title, u.article_url(a)) for a in c.NEWS]
        items = "".join(f'<li><a href="{e(href)}">{e(t)}</a></li>' for t, href in links)
        html = f"{self.breadcrumb(('Sơ đồ cổng', ''))}<h1>{e(self.h('Sơ đồ cổng'))}</h1><ul>{items}</ul>"
        return View("sitemap_page", "Sơ đồ cổng", html)

    def not_found(self) -> View:
        html = (
            f"<h1>Không tìm thấy trang</h1><p>Trang bạn yêu cầu không tồn tại hoặc đã được di chuyển.</p>"
            f'<p><a href="{e(self.urls.url("home"))}">Về trang chủ</a></p>'
        )
        return View("not_found", "Không tìm thấy trang", html, 404)

    def server_error(self, page: str) -> View:
        html = (
            "<h1>HTTP Status 500 – Internal Server Error</h1><p>Hệ thống đang gặp sự cố, vui lòng thử lại sau.</p>"
            "<pre>java.lang.NullPointerException\n\tat vn.dvc.portal.ServiceController.handle</pre>"
        )
        return View(page, "Lỗi hệ thống", html, 500)
