"""Synthetic report input built from the real data classes (evidence, scores), for the report tests
and benchmarks/report_bench.py. No tests here."""

from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

from portalscore.contract.evidence import (
    Accessibility,
    HttpsRedirect,
    LabTiming,
    LinkCheck,
    PageEvidence,
    PortalEvidence,
    PortalRef,
    RobotsCheck,
    ScenarioResult,
    Site,
    SitemapCheck,
    StepResult,
    Timings,
    Violation,
    ViolationNode,
)
from portalscore.criteria.model import CriterionScore, EvidenceRef, GroupScore, PortalScore, grade
from portalscore.reports import ReportInput

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_TEMPLATE = "{{ 7*7 }}"
HOSTILE_URL = "javascript:alert(1)"

GROUPS = [
    {"id": "functionality", "title_vi": "Chức năng", "title_en": "Functionality", "points": 50},
    {"id": "performance", "title_vi": "Hiệu năng", "title_en": "Performance", "points": 30},
    {"id": "accessibility", "title_vi": "Khả năng truy cập thuận tiện", "title_en": "Convenient access", "points": 20},
]
CRITERIA_DEF = [
    {
        "id": "fn.search",
        "title_vi": "Tìm kiếm thủ tục",
        "title_en": "Find a procedure",
        "group": "functionality",
        "points": 30,
        "evidence": ["scenario:search"],
        "statistic": "pass/fail",
        "rule": "passed = 100, failed = 0",
        "when_missing": "score 0",
        "source": "Nghị định 42/2022/NĐ-CP",
    },
    {
        "id": "fn.lookup",
        "title_vi": "Tra cứu hồ sơ",
        "title_en": "Dossier lookup",
        "group": "functionality",
        "points": 20,
        "evidence": ["scenario:lookup"],
        "statistic": "pass/fail",
        "rule": "passed = 100, failed = 0",
        "when_missing": "score 0",
        "source": "Thông tư 21/2023/TT-BTTTT",
    },
    {
        "id": "perf.lcp",
        "title_vi": "Thời gian hiển thị nội dung lớn nhất",
        "title_en": "Largest contentful paint",
        "group": "performance",
        "points": 30,
        "evidence": ["lab.median.lcp_ms"],
        "statistic": "p75 of pages",
        "rule": "log-normal, p10 1200 ms, median 2400 ms",
        "when_missing": "exclude",
        "source": "Web Vitals",
    },
    {
        "id": "a11y.axe",
        "title_vi": "Lỗi truy cập WCAG 2.1 AA",
        "title_en": "WCAG 2.1 AA violations",
        "group": "accessibility",
        "points": 20,
        "evidence": ["pages.accessibility"],
        "statistic": "weighted violations per page",
        "rule": "linear: 0 per page = 100, 5 per page = 0",
        "when_missing": "score 0",
        "source": "Thông tư 26/2020/TT-BTTTT; WCAG 2.1",
    },
]
CRITERIA = {
    "id": "test-2024",
    "version": "1.0",
    "title_vi": "Bộ tiêu chí thử nghiệm",
    "title_en": "Test criteria set",
    "groups": GROUPS,
    "criteria": CRITERIA_DEF,
    "grades": [{"grade": g, "min": f} for g, f in (("A", 90), ("B", 80), ("C", 65), ("D", 50), ("E", 0))],
}

MINISTRIES = [
    "Bộ Giao thông vận tải",
    "Bộ Tài chính",
    "Bộ Tư pháp",
    "Bộ Y tế",
    "Bộ Công an",
    "Bộ Nông nghiệp và Môi trường",
    "Bộ Giáo dục và Đào tạo",
    "Bộ Xây dựng",
]
PROVINCES = [
    "Thành phố Cần Thơ",
    "Tỉnh Bình Dương",
    "Tỉnh Bạc Liêu",
    "Thành phố Hà Nội",
    "Tỉnh Lào Cai",
    "Thành phố Đà Nẵng",
    "Tỉnh Khánh Hòa",
    "Tỉnh Thanh Hóa",
    "Tỉnh Nghệ An",
    "Tỉnh Đắk Lắk",
]
RULES = [
    ("image-alt", "critical", ["1.1.1"], "Images must have alternative text"),
    ("color-contrast", "serious", ["1.4.3"], "Elements must meet minimum color contrast ratio thresholds"),
    ("label", "critical", ["4.1.2", "1.3.1"], "Form elements must have labels"),
    ("link-name", "serious", ["2.4.4", "4.1.2"], "Links must have discernible text"),
    ("html-has-lang", "serious", ["3.1.1"], "<html> element must have a lang attribute"),
]


def page(portal_url: str, i: int, rnd: random.Random, title: str | None = None, url: str | None = None) -> PageEvidence:
    violations = []
    for rule, impact, wcag, help_text in rnd.sample(RULES, rnd.randint(0, 3)):
        count = rnd.randint(1, 30)
        violations.append(
            Violation(
                rule=rule,
                impact=impact,
                wcag=wcag,
                help=help_text,
                help_url=f"https://dequeuniversity.com/rules/axe/4.14/{rule}",
                node_count=count,
                nodes=[
                    ViolationNode(
                        target=f"#main > div:nth-child({k}) > img",
                        html=f'<img src="a{k}.png">',
                        summary="Fix any of the following: Element does not have an alt attribute",
                    )
                    for k in range(min(count, 20))
                ],
            )
        )
    load = rnd.uniform(400, 9000)
    return PageEvidence(
        url=url or f"{portal_url}thu-tuc/{i}.html",
        final_url=url or f"{portal_url}thu-tuc/{i}.html",
        status=200,
        depth=1 + i % 3,
        title=title or f"Thủ tục hành chính số {i} – Cổng dịch vụ công",
        lang="vi",
        content_type="text/html",
        timings=Timings(
            ttfb_ms=load / 8, dcl_ms=load / 2, load_ms=load, fcp_ms=load / 3, lcp_ms=load / 2, cls=rnd.uniform(0, 0.3)
        ),
        transfer_bytes=rnd.randint(50_000, 3_000_000),
        request_count=rnd.randint(5, 120),
        accessibility=Accessibility(engine="axe-core 4.14.1", violations=violations, passes=40, incomplete=2),
    )


def evidence(
    portal: PortalRef, pages: int, seed: int, screenshot: str | None = None, hostile: bool = False
) -> PortalEvidence:
    rnd = random.Random(seed)
    ev = PortalEvidence(portal=portal, started_at="2026-11-23T02:00:00+00:00", finished_at="2026-11-23T02:14:00+00:00")
    ev.pages = [page(portal.url, i, rnd) for i in range(pages)]
    ev.lab = [LabTiming(url=p.url, runs=3, median=p.timings, samples=[p.timings] * 3) for p in ev.pages[:10]]
    ev.links = [
        LinkCheck(
            url=f"{portal.url}tai-lieu/{i}.pdf",
            source=ev.pages[0].url if ev.pages else portal.url,
            kind="document",
            status=404 if i % 4 == 0 else 200,
        )
        for i in range(12)
    ]
    ev.scenarios = [
        ScenarioResult(
            id="search",
            title="Tìm kiếm thủ tục",
            outcome="passed",
            ms=2100.0,
            steps=[StepResult("mở trang chủ", True, 800.0), StepResult("tìm “khai sinh”", True, 1300.0)],
        ),
        ScenarioResult(
            id="lookup",
            title="Tra cứu hồ sơ",
            outcome="failed",
            failed_step="nhập mã hồ sơ",
            reason="Không tìm thấy ô nhập mã hồ sơ",
            ms=5400.0,
            screenshot=screenshot,
            steps=[
                StepResult("mở trang tra cứu", True, 900.0),
                StepResult("nhập mã hồ sơ", False, 4500.0, detail="timeout 4 500 ms"),
            ],
        ),
    ]
    if hostile:
        ev.pages.insert(0, page(portal.url, 999, rnd, title=f"{HOSTILE_SCRIPT} {HOSTILE_TEMPLATE}", url=HOSTILE_URL))
        ev.pages[0].accessibility.violations.insert(
            0,
            Violation(
                rule="image-alt",
                impact="critical",
                wcag=["1.1.1"],
                help=HOSTILE_SCRIPT,
                help_url=HOSTILE_URL,
                node_count=1,
                nodes=[
                    ViolationNode(
                        target=f"img[alt='{HOSTILE_SCRIPT}']", html=f'<img alt="{HOSTILE_TEMPLATE}" onerror="alert(2)">'
                    )
                ],
            ),
        )
        ev.links.append(
            LinkCheck(
                url=HOSTILE_URL, source="data:text/html,<script>alert(3)</script>", status=None, error=HOSTILE_SCRIPT
            )
        )
        ev.scenarios[1].reason = f"{HOSTILE_SCRIPT} {HOSTILE_TEMPLATE}"
        ev.errors.append(f"{HOSTILE_SCRIPT}")
    return ev


def score(portal: PortalRef, seed: int, pages: int) -> PortalScore:
    rnd = random.Random(seed)
    crits = []
    for d in CRITERIA_DEF:
        value = rnd.uniform(0, 100)
        crits.append(
            CriterionScore(
                id=d["id"],
                group=d["group"],
                title_vi=d["title_vi"],
                title_en=d["title_en"],
                weight=1.0,
                max_points=d["points"],
                score=value,
                points=d["points"] * value / 100,
                value=round(value * 37.3, 1),
                unit="ms" if d["group"] == "performance" else "",
                statistic=d["statistic"],
                rule=d["rule"],
                arithmetic=f"{value:.2f} × {d['points']} / 100 = {d['points'] * value / 100:.2f}",
                evidence=[
                    EvidenceRef(label=f"LCP {k * 1000} ms", url=f"{portal.url}thu-tuc/{k}.html", kind="page")
                    for k in range(3)
                ],
                source=d["source"],
            )
        )
    groups = {}
    for g in GROUPS:
        mine = [c for c in crits if c.group == g["id"]]
        pts = sum(c.points for c in mine)
        groups[g["id"]] = GroupScore(
            id=g["id"],
            title_vi=g["title_vi"],
            title_en=g["title_en"],
            max_points=g["points"],
            score=100 * pts / g["points"],
            points=pts,
        )
    total = sum(g.points for g in groups.values())
    return PortalScore(
        portal_id=portal.id,
        name=portal.name,
        kind=portal.kind,
        url=portal.url,
        score=total,
        grade=grade(total),
        groups=groups,
        criteria=crits,
        pages_evaluated=pages,
    )


def rank_in_place(scores: list[PortalScore]) -> list[PortalScore]:
    scores.sort(key=lambda s: (-s.score, s.portal_id))
    counters: dict[str, int] = {}
    for i, s in enumerate(scores, 1):
        s.rank = i
        counters[s.kind] = counters.get(s.kind, 0) + 1
        s.rank_in_kind = counters[s.kind]
    return scores


def build(
    n_ministries: int = 4,
    n_provinces: int = 5,
    pages: int = 8,
    hostile: bool = False,
    artefact_dir: Path | None = None,
    with_history: bool = True,
) -> ReportInput:
    """A ranked report input. With hostile=True the first ministry carries hostile crawled text."""
    refs = []
    for i in range(n_ministries):
        name = MINISTRIES[i % len(MINISTRIES)] + ("" if i < len(MINISTRIES) else f" {i}")
        refs.append(PortalRef(id=f"bo-{i}", name=name, kind="ministry", url=f"https://dvc.bo{i}.gov.vn/"))
    for i in range(n_provinces):
        name = PROVINCES[i % len(PROVINCES)] + ("" if i < len(PROVINCES) else f" {i}")
        refs.append(PortalRef(id=f"tinh-{i}", name=name, kind="province", url=f"https://dichvucong.tinh{i}.gov.vn/"))
    if hostile:
        refs[0].name = f"Bộ {HOSTILE_SCRIPT} {HOSTILE_TEMPLATE}"
    shot = None
    if artefact_dir is not None:
        shot = "shots/lookup.png"
        (artefact_dir / "shots").mkdir(parents=True, exist_ok=True)
        (artefact_dir / "shots" / "lookup.png").write_bytes(png())
    evid = {
        r.id: evidence(r, pages, seed, screenshot=shot, hostile=hostile and seed == 0) for seed, r in enumerate(refs)
    }
    scores = rank_in_place([score(r, seed, pages) for seed, r in enumerate(refs)])
    if hostile:
        evid[refs[0].id].portal.url = HOSTILE_URL
        next(s for s in scores if s.portal_id == refs[0].id).url = HOSTILE_URL
    history: dict[str, list[dict]] = {}
    for s in scores:
        s.previous_rank = s.rank + (2 if s.rank % 3 == 0 else -1 if s.rank % 3 == 1 else 0) if s.rank > 1 else None
        s.change = (
            "new"
            if s.previous_rank is None
            else "up"
            if s.previous_rank > s.rank
            else "down"
            if s.previous_rank < s.rank
            else "same"
        )
        if with_history:
            history[s.portal_id] = [
                {
                    "run_id": r,
                    "generated_at": f"2026-{r + 5:02d}-01T02:00:00+00:00",
                    "score": max(0.0, s.score - 10 + 3 * r),
                    "rank": s.rank + 1,
                }
                for r in (1, 2, 3)
            ]
    if len(scores) > 3:
        scores[1].tied_with = [scores[2].portal_id]
        scores[2].tied_with = [scores[1].portal_id]
    settings = {"max_pages": pages, "lab_runs": 3, "chromium": "Chromium 156.0.8078.79", "axe": "axe-core 4.14.1"}
    if hostile:
        settings["user_agent_contact"] = HOSTILE_SCRIPT
    return ReportInput(
        run_id=7,
        generated_at="2026-11-23T02:15:00+00:00",
        registry_name="test-registry",
        criteria=CRITERIA,
        settings=settings,
        scores=scores,
        evidence=evid,
        history=history,
        artefact_dir=artefact_dir,
    )


def png(width: int = 240, height: int = 150, rgb: tuple[int, int, int] = (11, 61, 110)) -> bytes:
    """A plain-colour PNG, so the screenshot copy has a real image to carry."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# Journeys as the real scenarios record them (ids of scenarios/catalog.py; English reasons and details in the
# forms scenarios/journeys.py writes), so that the report's catalogue is exercised on real text.
def realistic_scenarios(portal_url: str, screenshot: str | None) -> list[ScenarioResult]:
    home = StepResult("open_home", True, 800.0, detail="HTTP 200: 'Cổng Dịch vụ công'", url=portal_url)
    return [
        ScenarioResult(
            id="home",
            title="Trang chủ truy cập được, có tiêu đề, điều hướng và ô tìm kiếm",
            outcome="passed",
            ms=1900.0,
            steps=[
                home,
                StepResult("https", True, 1.0, detail="https"),
                StepResult("main_navigation", True, 40.0, detail="9 visible items (not marked up as a nav landmark)"),
                StepResult(
                    "visible_search",
                    True,
                    30.0,
                    detail="input \"Tìm kiếm thủ tục hành chính\" (matched name on 'Tìm kiếm thủ tục')",
                ),
            ],
        ),
        ScenarioResult(
            id="search_procedure",
            title="Tìm một thủ tục hành chính và mở kết quả",
            outcome="failed",
            failed_step="search",
            reason="no result list for 'khai sinh', 'giấy phép xây dựng'",
            ms=6100.0,
            screenshot=screenshot,
            trace="traces/search_procedure.zip",
            steps=[
                home,
                StepResult(
                    "find_search",
                    True,
                    200.0,
                    detail="input \"Từ khóa thủ tục\" (matched placeholder on 'Nhập từ khóa')",
                ),
                StepResult("search", False, 5100.0, detail="no result list for 'khai sinh', 'giấy phép xây dựng'"),
            ],
        ),
        ScenarioResult(
            id="dossier_lookup",
            title="Tra cứu hồ sơ trả lời kết quả hoặc thông báo không tìm thấy",
            outcome="failed",
            failed_step="submit_code",
            reason=f"the server answered with an error: ['HTTP 500 {portal_url}tra-cuu?ma=H00.00-000000-0000']",
            ms=4200.0,
            steps=[
                home,
                StepResult("find_lookup", True, 300.0, detail="a \"Tra cứu hồ sơ\" (matched name on 'Tra cứu hồ sơ')"),
                StepResult("find_input", True, 100.0, detail="input \"Mã hồ sơ\" (matched name on 'Mã hồ sơ')"),
                StepResult("submit_code", False, 2000.0, detail="code 'H00.00-000000-0000' submitted"),
            ],
        ),
        ScenarioResult(
            id="online_payment",
            title="Thanh toán trực tuyến có và truy cập được",
            outcome="failed",
            failed_step="find_payment",
            reason="no link or button named like 'Thanh toán trực tuyến', 'Thanh toán phí, lệ phí'",
            ms=1200.0,
            steps=[home, StepResult("find_payment", False, 400.0)],
        ),
        ScenarioResult(
            id="mobile",
            title="Dùng được trên điện thoại",
            outcome="failed",
            failed_step="home_no_horizontal_scroll",
            reason="the page is 1000px wide in a 412px viewport: horizontal scrolling",
            ms=2500.0,
            steps=[home, StepResult("home_no_horizontal_scroll", False, 30.0)],
        ),
        ScenarioResult(
            id="keyboard",
            title="Dùng được bằng bàn phím",
            outcome="passed",
            ms=3000.0,
            steps=[
                home,
                StepResult("skip_link", True, 50.0, detail="'Bỏ qua, đến nội dung chính' -> #noi-dung"),
                StepResult("focus_visible", True, 900.0, detail="32 focused elements all show focus"),
            ],
        ),
    ]


def build_scored(
    n_ministries: int = 2,
    n_provinces: int = 3,
    pages: int = 6,
    artefact_dir: Path | None = None,
    criteria_set: str = "mic-2024",
    previous: dict[str, int] | None = None,
    run_id: int = 7,
) -> ReportInput:
    """A report input scored by a real criteria set, with journeys and errors in the forms the real crawler and
    journeys write them: what the report's language must handle."""
    from portalscore.criteria import load_criteria_set, rank, score_portal

    data = build(n_ministries, n_provinces, pages, artefact_dir=artefact_dir, with_history=False)
    for i, ev in enumerate(data.evidence.values()):
        shot = ev.scenarios[1].screenshot if len(ev.scenarios) > 1 else None
        ev.scenarios = realistic_scenarios(ev.portal.url, shot)
        ev.pages[-1].error = "http 404"
        ev.pages[-1].status = 404
        ev.links.append(LinkCheck(url=f"{ev.portal.url}cu.pdf", source=ev.portal.url, kind="document", error="timeout"))
        ev.settings = {"max_pages": pages, "lab_runs": 3, "lab_pages": 4, "audit_per_template": 2, "throttle": None}
        ev.browser = "chromium-headless-shell 156.0.8078.129"
        ev.site = Site(robots=RobotsCheck(found=True), sitemap=SitemapCheck(found=i % 2 == 0), emc=i % 3 == 0)
        ev.https_redirect = HttpsRedirect(redirects=True)
    cs = load_criteria_set(criteria_set)
    data.criteria = cs.to_dict()
    data.scores = rank([score_portal(cs, ev) for ev in data.evidence.values()], previous=previous)
    data.settings = {"max_pages": pages, "lab_runs": 3, "lab_pages": 4, "audit_per_template": 2, "throttle": "slow-4g"}
    data.run_id = run_id
    return data
