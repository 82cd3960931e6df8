"""URL families of real DVC portals (see portal-patterns.md §1), one per markup style.

A scheme turns a logical page ("detail" of procedure X, "list" page 2...) into a URL and a
request path back into the logical page, so every style shares the same page renderers.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from .content import Article, Procedure


@dataclass(frozen=True)
class UrlScheme:
    paths: dict[str, str]  # logical page -> path
    detail: tuple[str, str]  # ("query", param) or ("path", suffix); id attribute below
    detail_id: str  # Procedure attribute naming it: code | number | hex_id | service_code
    article: tuple[str, str]
    params: dict[str, str]  # role -> query parameter: page, sector, level, q, code
    apply: tuple[str, str]  # submission entry: (path, param) -> redirects to login
    prefix: str = ""  # "#" for the hash-routed app

    def _u(self, path: str, query: dict[str, str] | None = None) -> str:
        q = {k: v for k, v in (query or {}).items() if v not in ("", None)}
        return self.prefix + path + ("?" + urlencode(q) if q else "")

    def url(self, name: str, **query: str) -> str:
        """URL of a logical page; query keys are roles (page, sector, level, q, code)."""
        return self._u(self.paths[name], {self.params.get(k, k): v for k, v in query.items()})

    def list_url(self, page: int = 1, sector: str = "", level: str = "") -> str:
        return self.url("list", page=str(page) if page > 1 else "", sector=sector, level=level)

    def search_url(self, q: str) -> str:
        return self.url("search", q=q)

    def lookup_url(self, code: str = "") -> str:
        return self.url("lookup", code=code)

    def detail_url(self, p: Procedure) -> str:
        key = str(getattr(p, self.detail_id))
        mode, param = self.detail
        if mode == "path":
            return self._u(self.paths["detail"] + key + param)
        return self._u(self.paths["detail"], {param: key})

    def article_url(self, a: Article) -> str:
        mode, param = self.article
        if mode == "path":
            return self._u(self.paths["article"] + a.slug + param)
        return self._u(self.paths["article"], {param: str(a.number)})

    def apply_url(self, p: Procedure) -> str:
        path, param = self.apply
        return self._u(path, {param: p.code})

    def resolve(self, path: str, query: str) -> tuple[str, dict[str, str]]:
        """The logical page of a request path, and its parameters by role ("" when unknown)."""
        raw = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        by_role = {role: raw.get(name, "") for role, name in self.params.items()}
        for page in ("detail", "article"):
            mode, param = self.detail if page == "detail" else self.article
            base = self.paths[page]
            if mode == "path" and path.startswith(base) and path.endswith(param) and len(path) > len(base + param):
                return page, {"id": path[len(base) : len(path) - len(param)]}
            if mode == "query" and path == base and param in raw:
                return page, {"id": raw[param]}
        if path == self.apply[0]:
            return "apply", {"id": raw.get(self.apply[1], "")}
        # Search and list may share a path: a search term makes it a search.
        if self.paths["search"] == self.paths["list"] == path:
            return ("search" if self.params["q"] in raw else "list"), by_role
        for page, p in self.paths.items():
            if p == path and page not in ("detail", "article"):
                return page, by_role
        return "", by_role


def _scheme(paths, detail, detail_id, article, params, apply, prefix="") -> UrlScheme:
    return UrlScheme(paths, detail, detail_id, article, params, apply, prefix)


SCHEMES: dict[str, UrlScheme] = {
    # National portal family: /p/home/dvc-<page>.html
    "national": _scheme(
        {
            "home": "/p/home/dvc-trang-chu.html",
            "list": "/p/home/dvc-danh-muc-dich-vu-cong.html",
            "search": "/p/home/dvc-tim-kiem-thu-tuc.html",
            "detail": "/p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html",
            "lookup": "/p/home/dvc-tra-cuu-ho-so.html",
            "payment": "/p/home/dvc-thanh-toan-truc-tuyen.html",
            "feedback": "/p/home/dvc-phan-anh-kien-nghi.html",
            "guide": "/p/home/dvc-huong-dan-cong-dan-doanh-nghiep.html",
            "faq": "/p/home/dvc-cau-hoi-pho-bien.html",
            "news": "/p/home/dvc-tin-tuc.html",
            "article": "/p/home/dvc-tin-tuc-chi-tiet.html",
            "contact": "/p/home/dvc-lien-he.html",
            "privacy": "/p/home/dvc-chinh-sach-bao-ve-du-lieu-ca-nhan.html",
            "login": "/p/home/dvc-dang-nhap.html",
            "sitemap_page": "/p/home/dvc-so-do-cong.html",
        },
        ("query", "ma_thu_tuc"),
        "code",
        ("query", "id"),
        {"page": "pageIndex", "sector": "linhVuc", "level": "mucDo", "q": "key", "code": "ma_ho_so"},
        ("/p/home/dvc-nop-ho-so.html", "ma_thu_tuc"),
    ),
    # Hash-routed single-page app (OpenCPS-like routes): the server only serves "/" and a JSON API.
    "spa": _scheme(
        {
            "home": "/",
            "list": "/thu-tuc-hanh-chinh",
            "search": "/tim-kiem",
            "detail": "/thu-tuc-hanh-chinh/",
            "lookup": "/tra-cuu-ho-so",
            "payment": "/thanh-toan-truc-tuyen",
            "feedback": "/phan-anh-kien-nghi",
            "guide": "/huong-dan-su-dung",
            "faq": "/cau-hoi-thuong-gap",
            "news": "/tin-tuc",
            "article": "/tin-tuc/",
            "contact": "/lien-he",
            "privacy": "/chinh-sach-bao-ve-du-lieu-ca-nhan",
            "login": "/dang-nhap",
            "sitemap_page": "/so-do-cong",
        },
        ("path", ""),
        "code",
        ("path", ""),
        {"page": "page", "sector": "linhVuc", "level": "mucDo", "q": "q", "code": "maHoSo"},
        ("/nop-ho-so", "maThuTuc"),
        prefix="#",
    ),
    # ASP.NET / SharePoint ministry portal.
    "aspnet": _scheme(
        {
            "home": "/",
            "list": "/pages/DanhSachThuTuc.aspx",
            "search": "/pages/TimKiem.aspx",
            "detail": "/pages/ChiTietThuTucHanhChinh.aspx",
            "lookup": "/pages/TraCuuHoSo.aspx",
            "payment": "/pages/ThanhToan.aspx",
            "feedback": "/pages/PhanAnhKienNghi.aspx",
            "guide": "/pages/HuongDanSuDung.aspx",
            "faq": "/FAQ.aspx",
            "news": "/pages/TinTuc.aspx",
            "article": "/pages/cttin.aspx",
            "contact": "/pages/LienHe.aspx",
            "privacy": "/pages/ChinhSachBaoMat.aspx",
            "login": "/Login.aspx",
            "sitemap_page": "/pages/SoDoCong.aspx",
        },
        ("query", "tt"),
        "number",
        ("query", "ItemID"),
        {"page": "Page", "sector": "LinhVuc", "level": "MucDo", "q": "key", "code": "MaHoSo"},
        ("/pages/NopHoSo.aspx", "MaTTHC"),
    ),
    # Angular-style /vi/ portal with 24-hex ids.
    "vi": _scheme(
        {
            "home": "/",
            "list": "/vi/procedure/search",
            "search": "/vi/procedure/search",
            "detail": "/vi/procedure/detail/",
            "lookup": "/vi/dossier/search",
            "payment": "/vi/payment",
            "feedback": "/vi/feedback",
            "guide": "/vi/guide",
            "faq": "/vi/faq",
            "news": "/vi/news",
            "article": "/vi/news/",
            "contact": "/vi/contact",
            "privacy": "/vi/privacy",
            "login": "/vi/login",
            "sitemap_page": "/vi/sitemap",
        },
        ("path", ""),
        "hex_id",
        ("path", ""),
        {"page": "page", "sector": "sector", "level": "level", "q": "keyword", "code": "code"},
        ("/vi/nps/apply", "MaTTHC"),
    ),
    # Server-rendered list/detail in the Bộ Công an manner.
    "bca": _scheme(
        {
            "home": "/",
            "list": "/bothutuc/listThuTuc",
            "search": "/bothutuc/listThuTuc",
            "detail": "/bothutuc/tthc",
            "lookup": "/tracuu/hoso",
            "payment": "/thanh-toan",
            "feedback": "/phan-anh-kien-nghi",
            "guide": "/huong-dan",
            "faq": "/hoi-dap",
            "news": "/tin-tuc",
            "article": "/tin-tuc/",
            "contact": "/lien-he",
            "privacy": "/chinh-sach-bao-mat",
            "login": "/dang-nhap",
            "sitemap_page": "/so-do-trang",
        },
        ("query", "matt"),
        "number",
        ("path", ".html"),
        {"page": "page", "sector": "linh_vuc", "level": "muc_do", "q": "tukhoa", "code": "ma_ho_so"},
        ("/tiep-nhan-online/chon-truong-hop-ho-so", "ma-thu-tuc-public"),
    ),
    # Liferay / OpenCPS theme, server-rendered (2018 generation).
    "opencps": _scheme(
        {
            "home": "/web/cong-dich-vu-cong",
            "list": "/web/cong-dich-vu-cong/thu-tuc-hanh-chinh",
            "search": "/web/cong-dich-vu-cong/tim-kiem",
            "detail": "/web/cong-dich-vu-cong/chi-tiet-thu-tuc",
            "lookup": "/web/cong-dich-vu-cong/tra-cuu-ho-so",
            "payment": "/web/cong-dich-vu-cong/thanh-toan",
            "feedback": "/web/cong-dich-vu-cong/hoi-dap",
            "guide": "/web/cong-dich-vu-cong/huong-dan",
            "faq": "/web/cong-dich-vu-cong/cau-hoi-thuong-gap",
            "news": "/web/cong-dich-vu-cong/tin-tuc",
            "article": "/web/cong-dich-vu-cong/tin-tuc/-/",
            "contact": "/web/cong-dich-vu-cong/lien-he",
            "privacy": "/web/cong-dich-vu-cong/bao-mat",
            "login": "/web/cong-dich-vu-cong/dang-nhap",
            "sitemap_page": "/web/cong-dich-vu-cong/so-do-cong",
        },
        ("query", "serviceCode"),
        "service_code",
        ("path", ".html"),
        {"page": "page", "sector": "domainCode", "level": "level", "q": "keyword", "code": "dossierNo"},
        ("/web/cong-dich-vu-cong/nop-ho-so", "serviceCode"),
    ),
}
