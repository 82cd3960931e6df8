"""Audit sampling by page template: axe runs on the first pages of a template, the others get its audit.

Unit tests of the template key and of the sampler's determinism; then real runs, through the command
line, of a local portal with eight procedure pages of one layout, two DNN-style pages that share a URL
pattern but not a layout, and a hash-routed app whose views share a shell.
"""

from __future__ import annotations

import itertools
import random
from urllib.parse import parse_qs

import pytest

from portalscore.contract.evidence import Accessibility, PageEvidence, Violation
from portalscore.crawler.template import PENDING, UNRESOLVED, TemplateSampler, url_pattern
from tests.faultfarm import Farm, links, page
from tests.helpers import portalscore_cli, run_portal

PORTAL = "tinh-khuon-mau"


@pytest.mark.parametrize(
    "a, b",
    [
        # The URL styles of portal-patterns.md: query codes, numeric and dotted ids, ObjectIds, TTHC codes, hash routes.
        (
            "/p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html?ma_thu_tuc=1.001234",
            "/p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html?ma_thu_tuc=2.002345",
        ),
        ("/pages/ChiTietThuTucHanhChinh.aspx?tt=101&lang=vi", "/pages/ChiTietThuTucHanhChinh.aspx?lang=en&tt=9"),
        ("/thu-tuc-hanh-chinh/1.000894", "/thu-tuc-hanh-chinh/2.001122"),
        ("/vi/procedure/detail/589c280dab172c9dd11f8301", "/vi/procedure/detail/2c127eca632f656a2e65b938"),
        ("/thu-tuc/TTHC000101", "/thu-tuc/TTHC000245"),
        ("/tin-tuc/2024/05/17/thong-bao.html", "/tin-tuc/2023/11/02/thong-bao.html"),
        ("/#/thu-tuc-hanh-chinh/1.000894", "/#/thu-tuc-hanh-chinh/1.009972"),
        ("/Default.aspx?tabid=55", "/Default.aspx?tabid=1"),
    ],
)
def test_pages_of_one_template_share_a_url_pattern(a, b):
    assert url_pattern("http://dichvucong.example.gov.vn" + a) == url_pattern("https://x.gov.vn:8443" + b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("/huong-dan", "/hoi-dap"),  # different pages, even if their layout is one
        ("/tin-tuc/-/trien-khai-vneid.html", "/tin-tuc/-/nop-phi-qua-paygov.html"),  # slugs are kept: safe side
        ("/#/thu-tuc-hanh-chinh", "/#/thanh-toan-truc-tuyen"),  # an app's views
        ("/thu-tuc?ma=1", "/thu-tuc?id=1"),
        ("/covid19", "/covid20x"),  # a word with a digit or two is not an id
    ],
)
def test_different_pages_keep_different_url_patterns(a, b):
    assert url_pattern("http://h" + a) != url_pattern("http://h" + b)


def _audit(url: str, ok: bool = True) -> Accessibility:
    if not ok:
        return Accessibility(engine="axe-core test", error="axe failed: boom")
    return Accessibility(engine="axe-core test", violations=[Violation(rule=f"rule-of-{url}", impact="serious")])


def _crawl(arrival: list[int], per_template: int, fails: frozenset[int] = frozenset()) -> dict[str, Accessibility]:
    """Pages 0..n-1 of one template (and page 100 of another) reach the axe step in `arrival` order."""
    sampler = TemplateSampler(per_template)
    pages, order = [], {}
    for i in arrival:
        url = f"http://h/thu-tuc?ma={i}"
        template = "other" if i == 100 else "detail"
        p = PageEvidence(url=url, template=template)
        order[url] = i
        p.accessibility = (
            _audit(url, i not in fails)
            if sampler.should_audit("desktop", template, i)
            else Accessibility(engine="axe-core test", error=PENDING)
        )
        pages.append(p)
    sampler.resolve(pages, order)
    return {p.url: p.accessibility for p in pages}


def test_which_pages_are_audited_does_not_depend_on_which_load_finished_first():
    pages = list(range(6)) + [100]
    results = [
        _crawl(list(arrival), 2)
        for arrival in itertools.permutations(pages)
        if random.Random(hash(arrival)).random() < 0.05
    ]  # a spread of the 5040 orders
    assert len(results) > 50
    first = results[0]
    assert all(r == first for r in results)
    url = "http://h/thu-tuc?ma={}".format
    assert first[url(0)].sampled_from is None and first[url(0)].violations[0].rule == f"rule-of-{url(0)}"
    assert first[url(1)].sampled_from is None and first[url(1)].violations[0].rule == f"rule-of-{url(1)}"
    for i in range(2, 6):  # the template's later pages carry its first audit, and say whose it is
        assert first[url(i)].sampled_from == url(0)
        assert first[url(i)].violations == first[url(0)].violations
    assert first[url(100)].sampled_from is None  # alone in its template: audited


def test_a_failed_audit_is_not_passed_on():
    url = "http://h/thu-tuc?ma={}".format
    got = _crawl([3, 2, 1, 0, 4], 2, fails=frozenset({0}))
    assert got[url(0)].error.startswith("axe failed")
    assert got[url(4)].sampled_from == url(1)  # the template's first audit that worked
    none = _crawl([0, 1, 2, 3], 2, fails=frozenset({0, 1}))
    assert none[url(2)].error == UNRESOLVED and none[url(3)].error == UNRESOLVED


def test_sampling_off_audits_every_page():
    got = _crawl([5, 4, 3, 2, 1, 0], 0)
    assert all(a.sampled_from is None and a.error is None for a in got.values())


# -- real runs -------------------------------------------------------------------------------------


def _layout(title: str, body: str, aside: str = "") -> str:
    return page(
        title, f"<nav class='menu'>{links('/', '/thu-tuc')}</nav><section class='noi-dung'>{body}</section>{aside}"
    )


def _farm() -> Farm:
    def detail(h) -> None:
        code = parse_qs(h.query).get("ma", ["?"])[0]
        # Every procedure page has the same fault (a field without a label), as a template would give it;
        # page 7 alone has an image without alt: the finding that sampling gives up, on purpose.
        extra = "<img src='data:,' width='8' height='8'>" if code == "7" else ""
        h.send(
            200,
            _layout(
                f"Thủ tục {code}",
                f"<table class='tt'><tr><th>Mã</th><td>{code}</td></tr></table><form><input name='q'></form>{extra}",
            ),
        )

    def dnn(h) -> None:
        tab = parse_qs(h.query).get("tabid", ["1"])[0]
        if tab == "1":
            h.send(200, _layout("Giới thiệu", "<p>Cổng dịch vụ công của tỉnh.</p>"))
        else:  # another layout behind the same URL pattern: audited on its own
            h.send(
                200,
                _layout(
                    "Phản ánh",
                    "<form class='pakn'><input name='noi-dung'></form>",
                    aside="<aside class='lien-he'><img src='data:,' width='9' height='9'></aside>",
                ),
            )

    return Farm(
        {
            "/": _layout(
                "Cổng dịch vụ công tỉnh khuôn mẫu", links("/thu-tuc", "/Default.aspx?tabid=1", "/Default.aspx?tabid=2")
            ),
            "/thu-tuc": _layout("Danh sách thủ tục", links(*(f"/thu-tuc/chi-tiet?ma={i}" for i in range(1, 9)))),
            "/thu-tuc/chi-tiet": detail,
            "/Default.aspx": dnn,
        }
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same portal evaluated twice with sampling (default settings) and once with --full-audit."""
    tmp = tmp_path_factory.mktemp("templates")
    with _farm() as farm:
        got = {}
        for name, flags in (("sampled", ()), ("again", ()), ("full", ("--full-audit",))):
            db = f"sqlite:///{tmp / name}.db"  # a database each: no audit is reused from another run
            run_portal(farm.url("/"), PORTAL, db, tmp / name, *flags, max_pages=14)
            from portalscore.store import Store

            store = Store(db)
            try:
                got[name] = {
                    "pages": {
                        p.url.replace(farm.url(""), ""): p for p in store.pages(1, PORTAL) if p.profile == "desktop"
                    },
                    "score": store.scores(1, "mic-2024")[0],
                    "settings": store.run(1).settings.crawl,
                }
            finally:
                store.close()
            got[name]["report"] = next((tmp / name / "portals").glob("*.html")).read_text(encoding="utf-8")
    return got


@pytest.mark.browser
def test_later_pages_of_a_template_get_its_first_audit(runs):
    pages = runs["sampled"]["pages"]
    details = [f"/thu-tuc/chi-tiet?ma={i}" for i in range(1, 9)]
    assert set(details) <= set(pages)
    assert len({pages[u].template for u in details}) == 1
    for url in details[:2]:
        assert pages[url].accessibility.sampled_from is None and pages[url].accessibility.error is None
    for url in details[2:]:
        acc = pages[url].accessibility
        assert acc.sampled_from is not None and acc.sampled_from.endswith(details[0]), url
        assert acc.violations == pages[details[0]].accessibility.violations
    assert "label" in {v.rule for v in pages[details[0]].accessibility.violations}
    # Same URL pattern, other layout: both audited, each its own.
    dnn = [pages["/Default.aspx?tabid=1"], pages["/Default.aspx?tabid=2"]]
    assert dnn[0].template != dnn[1].template
    assert all(p.accessibility.sampled_from is None and p.accessibility.error is None for p in dnn)
    assert "image-alt" in {v.rule for v in dnn[1].accessibility.violations}
    # Nothing is left pending in the database, and the report says which results are sampled.
    assert not any(p.accessibility and p.accessibility.error == PENDING for p in pages.values())
    assert "kết quả axe của trang cùng khuôn mẫu" in runs["sampled"]["report"]
    assert runs["sampled"]["settings"].audit_per_template == 2


@pytest.mark.browser
def test_sampled_runs_are_repeatable(runs):
    first, again = runs["sampled"], runs["again"]
    assert {u: (p.accessibility.sampled_from, p.accessibility.violations) for u, p in first["pages"].items()} == {
        u: (p.accessibility.sampled_from, p.accessibility.violations) for u, p in again["pages"].items()
    }


@pytest.mark.browser
def test_full_audit_audits_every_page_and_finds_what_sampling_gives_up(runs):
    full = runs["full"]
    assert full["settings"].audit_per_template == 0
    assert all(p.accessibility.sampled_from is None for p in full["pages"].values())
    assert "image-alt" in {v.rule for v in full["pages"]["/thu-tuc/chi-tiet?ma=7"].accessibility.violations}
    assert "image-alt" not in {
        v.rule for v in runs["sampled"]["pages"]["/thu-tuc/chi-tiet?ma=7"].accessibility.violations
    }
    assert "cùng khuôn mẫu" not in full["report"]


def test_audit_per_template_is_checked_on_the_command_line():
    proc = portalscore_cli("run", "--registry", "vn-2025", "--audit-per-template", "-1")
    assert proc.returncode == 2 and "--audit-per-template" in proc.stderr
