"""Incremental crawling: a page whose content is unchanged since the last complete run reuses its axe result.

Three real runs of a one-portal registry into one SQLite file, through the command line, against a local
portal whose pages carry what real portals change on every load (CSRF tokens, a nonce, an inline
timestamp, a visitor counter) and one page whose news text changes between the runs.
"""

from __future__ import annotations

import dataclasses
import itertools
import uuid

import pytest

from tests.browsers import egress_for
from tests.faultfarm import Farm, links, page
from tests.helpers import run_portal

pytestmark = pytest.mark.browser

PORTAL = "tinh-thu-nghiem"


def portal_farm(news: dict[str, str]) -> Farm:
    visits = itertools.count(1000)

    def home(h) -> None:
        token = uuid.uuid4().hex  # what a CSRF-protected portal sends: new on every load
        h.send(
            200,
            page(
                "Cổng dịch vụ công tỉnh thử nghiệm",
                links("/gioi-thieu", "/tin-tuc")
                + "<img src='data:,' width='10' height='10'>"  # no alt: a violation to carry over
                + f"<form method='get' action='/tra-cuu'><input type='hidden' name='__RequestVerificationToken' "
                f"value='{token}'><label>Mã hồ sơ <input name='ma'></label></form>"
                + f"<footer>Lượt truy cập: {next(visits)}</footer>"
                + f"<script nonce='{uuid.uuid4().hex}'>window.__loadedAt = {uuid.uuid4().int % 10**12};</script>",
                head=f"<meta name='csrf-token' content='{token}'>",
            ),
        )

    return Farm(
        {
            "/": home,
            "/gioi-thieu": page("Giới thiệu", "<p>Thông tin chung.</p><img src='data:,' width='5' height='5'>"),
            "/tin-tuc": lambda h: h.send(200, page("Tin tức", f"<p>{news['text']}</p>")),
        }
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run 1 audits everything; the news page changes; run 2 reuses; run 3 with --full-audit audits again."""
    tmp = tmp_path_factory.mktemp("incremental")
    db = f"sqlite:///{tmp / 'runs.db'}"
    news = {"text": "Thông báo lịch tiếp công dân tháng này."}
    with portal_farm(news) as farm:
        run_portal(farm.url("/"), PORTAL, db, tmp / "r1")
        news["text"] = "Hướng dẫn nộp hồ sơ trực tuyến đã được cập nhật."
        run_portal(farm.url("/"), PORTAL, db, tmp / "r2")
        run_portal(farm.url("/"), PORTAL, db, tmp / "r3", "--full-audit")
        home_loads = farm.count("/")

    from portalscore.store import Store

    store = Store(db)
    try:
        pages = {
            run_id: {(p.url.replace(farm.url(""), ""), p.profile): p for p in store.pages(run_id, PORTAL)}
            for run_id in (1, 2, 3)
        }
        settings = {run_id: store.run(run_id).settings.crawl for run_id in (1, 2, 3)}
        scores = {run_id: store.scores(run_id, "mic-2024")[0] for run_id in (1, 2, 3)}
    finally:
        store.close()
    reports = {i: next((tmp / f"r{i}" / "portals").glob("*.html")).read_text(encoding="utf-8") for i in (1, 2)}
    return {"pages": pages, "settings": settings, "scores": scores, "home_loads": home_loads, "reports": reports}


def test_second_run_reuses_the_audits_of_unchanged_pages(runs):
    first, second = runs["pages"][1], runs["pages"][2]
    assert set(first) == set(second) and ("/", "desktop") in first and ("/", "mobile") in first
    assert all(p.accessibility.reused_from_run is None for p in first.values())  # nothing to reuse yet
    assert runs["home_loads"] >= 3  # the home page was served anew, with new tokens, on every run
    for key in [("/", "desktop"), ("/", "mobile"), ("/gioi-thieu", "desktop")]:
        reused = second[key]
        # Tokens, nonce, timestamp and counter changed; what axe looks at did not.
        assert reused.content_hash == first[key].content_hash, key
        assert reused.accessibility.reused_from_run == 1, key
        assert reused.accessibility.violations == first[key].accessibility.violations, key
        assert any("axe audit reused from run 1" in n for n in reused.notes), key
    assert {v.rule for v in second[("/", "desktop")].accessibility.violations} >= {"image-alt"}
    # The published report says which audits were reused, and from which run.
    assert "kết quả axe của lần chạy 1" in runs["reports"][2]
    assert "kết quả axe của lần chạy" not in runs["reports"][1]


def test_a_page_whose_content_changed_is_audited_again(runs):
    before, after = runs["pages"][1][("/tin-tuc", "desktop")], runs["pages"][2][("/tin-tuc", "desktop")]
    assert before.content_hash != after.content_hash
    assert after.accessibility is not None and after.accessibility.error is None
    assert after.accessibility.reused_from_run is None
    assert not any("reused" in n for n in after.notes)


def test_reuse_leaves_the_scores_unchanged(runs):
    first, second, full = (runs["scores"][i] for i in (1, 2, 3))

    def accessibility(score):
        return score.groups["accessibility"].score, [
            (c.id, c.value, c.score) for c in score.criteria if c.group == "accessibility"
        ]

    assert accessibility(first)[1]
    assert accessibility(second) == accessibility(first)
    assert accessibility(full) == accessibility(first)


def test_full_audit_reuses_nothing_and_is_recorded(runs):
    assert runs["settings"][1].reuse_audits is True
    assert runs["settings"][3].reuse_audits is False
    full = runs["pages"][3]
    assert full and all(p.accessibility.reused_from_run is None for p in full.values())
    # ... and a fresh audit of unchanged content finds what the reused one said.
    # (Where each element sits on the run's own screenshot, ViolationNode.crop, is the run's, not the finding's.)
    for key in [("/", "desktop"), ("/gioi-thieu", "desktop")]:
        assert _findings(full[key]) == _findings(runs["pages"][2][key])


def _findings(page):
    return [
        dataclasses.replace(v, nodes=[dataclasses.replace(n, crop=None) for n in v.nodes])
        for v in page.accessibility.violations
    ]


def test_a_stored_audit_is_used_only_where_axe_would_run_with_the_same_engine():
    """An earlier audit given to the crawler replaces axe only for an audited page (DOM cap respected) and the same
    axe version."""
    import asyncio

    from portalscore.contract.evidence import Accessibility
    from portalscore.crawler.axe import axe_engine
    from portalscore.crawler.checks import CHECKS_VERSION, selected
    from portalscore.crawler.gatherers import Hints
    from portalscore.crawler.load import load_page
    from portalscore.crawler.pool import BrowserPool
    from portalscore.crawler.settings import CrawlSettings
    from portalscore.crawler.tab import PageJob

    asked: list[tuple[str, str]] = []

    class Prior(dict):  # earlier audits, as the store gives them: one for any content, and every lookup recorded
        def __init__(self, engine: str, checks: bool = True):
            super().__init__()
            self.engine, self.checks = engine, checks

        def get(self, key, default=None):
            asked.append(key)
            ran = [c.meta.id for c in selected(heavy=False)] if self.checks else []  # our light checks ran too
            return Accessibility(
                engine=self.engine, passes=1, reused_from_run=7, checks=ran, checks_version=CHECKS_VERSION
            )

    async def load(url: str, settings: CrawlSettings, engine: str, checks: bool = True):
        async with BrowserPool(settings, egress_for(settings)) as pool:
            return await load_page(pool, PageJob(url), Hints(prior=Prior(engine, checks)))

    with Farm({"/": page("Trang", "<img src='data:,' width='5' height='5'>")}) as farm:
        settings = CrawlSettings(allowed_hosts=["127.0.0.1"], retries=0)
        same = asyncio.run(load(farm.url("/"), settings, axe_engine()))
        other = asyncio.run(load(farm.url("/"), settings, "axe-core 3.0.0"))
        before_checks = asyncio.run(load(farm.url("/"), settings, axe_engine(), checks=False))
        asked_before_cap = len(asked)
        capped = asyncio.run(
            load(farm.url("/"), CrawlSettings(allowed_hosts=["127.0.0.1"], max_dom_nodes=3), axe_engine())
        )

    assert same.accessibility.reused_from_run == 7 and same.accessibility.violations == []
    assert asked[0] == ("desktop", same.content_hash) and len(same.content_hash) == 64
    # Another axe version's result is not this axe's: audited afresh (and the missing alt is found).
    assert other.accessibility.reused_from_run is None
    assert "image-alt" in {v.rule for v in other.accessibility.violations}
    assert other.content_hash == same.content_hash
    # An audit made before our checks existed is not the whole audit: done again, checks included.
    assert before_checks.accessibility.reused_from_run is None and before_checks.accessibility.checks
    # A page axe would not audit (DOM over the cap) does not take a stored result either.
    assert capped.accessibility.error.startswith("not audited") and len(asked) == asked_before_cap


def test_content_hash_follows_the_stylesheet_but_not_per_load_tokens():
    """A colour changed in the stylesheet (same URL, same HTML) is new content for axe; a new CSRF token is not."""
    import asyncio

    from portalscore.crawler.load import load_page
    from portalscore.crawler.pool import BrowserPool
    from portalscore.crawler.settings import CrawlSettings
    from portalscore.crawler.tab import PageJob

    css = {"text": "p { color: #222; }"}

    def home(h) -> None:
        h.send(
            200,
            page(
                "Trang",
                f"<p>Nội dung</p><input type='hidden' name='csrf' value='{uuid.uuid4().hex}'>",
                head="<link rel='stylesheet' href='/site.css'>",
            ),
        )

    routes = {
        "/": home,
        "/site.css": lambda h: h.send(200, css["text"], content_type="text/css", headers={"Cache-Control": "no-store"}),
    }
    settings = CrawlSettings(allowed_hosts=["127.0.0.1"], run_axe=False)

    async def hashes(url: str) -> list[str]:
        async with BrowserPool(settings, egress_for(settings)) as pool:
            out = [(await load_page(pool, PageJob(url))).content_hash for _ in range(2)]
            css["text"] = "p { color: #ddd; }"  # low contrast now
            out.append((await load_page(pool, PageJob(url))).content_hash)
            return out

    with Farm(routes) as farm:
        first, again, restyled = asyncio.run(hashes(farm.url("/")))
    assert first and first == again
    assert restyled != first
