"""The report folder: files, exports, both languages, and crawled text kept inert (no browser needed)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from portalscore.contract.evidence import Accessibility, PageEvidence, Violation, ViolationNode
from portalscore.reports import render_report
from portalscore.reports.views import violations_by_rule
from tests.test_reports_data import HOSTILE_SCRIPT, HOSTILE_TEMPLATE, build

SORT_JS = (Path(__file__).resolve().parent.parent / "reports" / "static" / "sort.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    base = tmp_path_factory.mktemp("report")
    (base / "artefacts").mkdir()
    data = build(n_ministries=4, n_provinces=5, pages=8, hostile=True, artefact_dir=base / "artefacts")
    render_report(data, base / "out")
    return {"out": base / "out", "data": data}


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def parse(path: Path):
    return lxml.html.fromstring(path.read_bytes())


def test_every_page_and_export_is_written(report):
    out, data = report["out"], report["data"]
    for lang_root in (out, out / "en"):
        for page in ("index.html", "method.html", "data.html"):
            assert (lang_root / page).is_file()
        for s in data.scores:
            assert (lang_root / "portals" / f"{s.portal_id}.html").is_file()
    for s in data.scores:
        published = json.loads((out / "evidence" / f"{s.portal_id}.json").read_text(encoding="utf-8"))
        run = json.loads(json.dumps(data.evidence[s.portal_id].to_dict()))
        # As measured, but with screenshots by their published path and no operator material (traces, settings).
        for pub, orig in zip(published["scenarios"], run["scenarios"]):
            assert pub["trace"] is None
            assert (pub["screenshot"] is None) == (orig["screenshot"] is None)
            if pub["screenshot"]:
                assert (out / pub["screenshot"]).is_file()
            pub["screenshot"], orig["screenshot"], orig["trace"] = None, None, None
        assert set(published.pop("settings")) <= set(run.pop("settings"))
        assert published == run
    assert (out / "assets" / "report.css").is_file()
    assert len(list((out / "assets" / "screenshots").rglob("*.png"))) == len(data.scores)
    assert not (out / "vi").exists(), "Vietnamese is the top level by default"


def test_ranking_json_keeps_its_contract(report):
    ranking = json.loads((report["out"] / "ranking.json").read_text(encoding="utf-8"))
    assert set(ranking) == {
        "criteria_set",
        "criteria_set_version",
        "generated_at",
        "run_id",
        "publisher",
        "criteria",
        "portals",
    }
    assert ranking["criteria_set"] == "test-2024" and ranking["run_id"] == 7
    assert ranking["generated_at"] == report["data"].generated_at
    portals = ranking["portals"]
    assert len(portals) == 9
    assert [p["rank"] for p in portals] == sorted(p["rank"] for p in portals)
    keys = {
        "id",
        "name",
        "kind",
        "rank",
        "rank_in_kind",
        "score",
        "grade",
        "groups",
        "pages_evaluated",
        "errors",
        "change",
        "tied_with",
        "url",
        "criteria",
        "previous_rank",
        "group_spread",
        "group_tied_with",
    }
    by_id = {s.portal_id: s for s in report["data"].scores}
    for p in portals:
        assert set(p) == keys
        s = by_id[p["id"]]
        assert p["score"] == round(s.score, 2) and 0 <= p["score"] <= 100
        assert set(p["groups"]) == {"functionality", "performance", "accessibility"}
        assert p["groups"]["performance"] == round(s.groups["performance"].score, 2)
        assert p["tied_with"] == s.tied_with and p["change"] == s.change
        # one field per criterion (as GSA publishes one per check), so any score can be recomputed
        assert set(p["criteria"]) == {c.id for c in s.criteria}
        for c in s.criteria:
            assert p["criteria"][c.id]["points"] == round(c.points, 2)
        assert round(sum(c["points"] for c in p["criteria"].values()), 1) == round(s.score, 1)
    assert any(p["tied_with"] for p in portals)


def test_csv_has_bom_and_vietnamese_names(report):
    raw = (report["out"] / "ranking.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 9
    assert rows[0]["rank"] == "1"
    names = {r["name"] for r in rows}
    assert "Thành phố Cần Thơ" in names and "Bộ Tư pháp" in names
    assert {"functionality", "performance", "accessibility"} <= set(rows[0])
    criteria = [c["id"] for c in report["data"].criteria["criteria"]]
    assert {f"{cid}.score" for cid in criteria} | {f"{cid}.points" for cid in criteria} <= set(rows[0])


def test_both_languages_link_to_each_other(report):
    out = report["out"]
    pairs = [
        ("index.html", "en/index.html"),
        ("method.html", "en/method.html"),
        ("portals/tinh-1.html", "en/portals/tinh-1.html"),
    ]
    for vi_path, en_path in pairs:
        vi, en = parse(out / vi_path), parse(out / en_path)
        assert vi.get("lang") == "vi" and en.get("lang") == "en"
        (to_en,) = vi.xpath("//a[contains(@class, 'lang-switch')][@hreflang='en']/@href")
        (to_vi,) = en.xpath("//a[contains(@class, 'lang-switch')][@hreflang='vi']/@href")
        assert ((out / vi_path).parent / to_en).resolve() == (out / en_path).resolve()
        assert ((out / en_path).parent / to_vi).resolve() == (out / vi_path).resolve()
    assert "Bảng xếp hạng" in parse(out / "index.html").text_content()
    assert "Ranking" in parse(out / "en/index.html").text_content()


def test_every_local_link_and_image_resolves(report):
    """The folder is self-contained: every relative href/src points at a file that exists (file:// works)."""
    out = report["out"]
    checked = 0
    for path in html_files(out):
        doc = parse(path)
        for ref in doc.xpath("//a/@href | //link/@href | //img/@src"):
            parts = urlsplit(ref)
            if parts.scheme in ("http", "https") or (not parts.path and parts.fragment):
                continue
            target = (path.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{path.relative_to(out)} links to missing {ref}"
            assert target.is_relative_to(out.resolve())
            checked += 1
    assert checked > 100


def test_lang_en_puts_english_at_the_top(tmp_path):
    render_report(build(n_ministries=2, n_provinces=2, pages=3), tmp_path, lang="en")
    assert parse(tmp_path / "index.html").get("lang") == "en"
    assert parse(tmp_path / "vi" / "index.html").get("lang") == "vi"
    assert parse(tmp_path / "vi" / "portals" / "bo-0.html").xpath("//a[contains(@class, 'lang-switch')]/@href") == [
        "../../portals/bo-0.html"
    ]
    assert not (tmp_path / "en").exists()


def test_unknown_language_is_refused(tmp_path):
    with pytest.raises(ValueError, match="fr"):
        render_report(build(n_ministries=1, n_provinces=1, pages=1), tmp_path, lang="fr")


def test_hostile_crawled_text_cannot_run(report):
    out = report["out"]
    for path in html_files(out):
        doc = parse(path)
        scripts = doc.xpath("//script")
        assert len(scripts) == 1 and scripts[0].text == SORT_JS, path
        for el in doc.iter():
            if not isinstance(el.tag, str):
                continue
            for name, value in el.attrib.items():
                assert not name.lower().startswith("on"), f"{path}: event handler {name}={value}"
                if name in ("href", "src"):
                    scheme = urlsplit(value.strip()).scheme.lower()
                    assert scheme in ("", "http", "https"), f"{path}: live {name}={value}"
        assert not doc.xpath("//iframe | //object | //embed | //base | //form | //meta[@http-equiv='refresh']")


def test_hostile_text_is_shown_literally(report):
    out = report["out"]
    page = parse(out / "portals" / "bo-0.html")
    h1 = page.xpath("//h1")[0].text_content()
    assert HOSTILE_SCRIPT in h1 and HOSTILE_TEMPLATE in h1
    text = page.text_content()
    assert f"{HOSTILE_SCRIPT} {HOSTILE_TEMPLATE}" in text  # scenario reason and page title, printed as typed
    assert '<img alt="{{ 7*7 }}" onerror="alert(2)">' in text  # axe's HTML snippet, as text
    assert "javascript:alert(1)" in text  # the URL is shown, not linked
    assert not page.xpath("//a[contains(@href, 'alert')]")
    index = parse(out / "index.html")
    assert any(HOSTILE_TEMPLATE in a.text_content() for a in index.xpath("//table//a"))
    assert "Bộ 49" not in index.text_content()
    method = parse(out / "method.html").text_content()
    assert HOSTILE_SCRIPT not in method  # raw settings are operator material: never printed


def test_portal_page_explains_each_criterion_and_evidence(report):
    out, data = report["out"], report["data"]
    s = next(x for x in data.scores if x.portal_id == "tinh-1")
    ev = data.evidence["tinh-1"]
    page = parse(out / "portals" / "tinh-1.html")
    text = page.text_content()
    for c in s.criteria:
        block = page.xpath(f"//details[@id='criterion-{c.id}']")
        assert block, c.id
        assert c.rule in block[0].text_content() and c.arithmetic in block[0].text_content()
    rules_seen = {v.rule for p in ev.pages for v in p.accessibility.violations}
    assert len(page.xpath("//details[contains(@class, 'rule ')]")) == len(rules_seen)
    # every element example names the page it was found on
    for rule in page.xpath("//details[contains(@class, 'rule ')]"):
        for row in rule.xpath(".//tbody/tr"):
            assert row.xpath("./th[contains(@class, 'url')]//text()") and row.xpath("./td[@class='example']//code")
    assert "Không tìm thấy ô nhập mã hồ sơ" in text and "nhập mã hồ sơ" in text
    (img,) = page.xpath("//figure[@class='screenshot']/img")
    assert (out / "portals" / img.get("src")).resolve().is_file()
    assert "Tra cứu hồ sơ" in img.get("alt")
    broken = [link for link in ev.links if link.broken]
    assert len(page.xpath("//table[@id='links-table']/tbody/tr")) == len(broken)
    assert len(page.xpath("//table[@id='pages-table']/tbody/tr")) == len(ev.pages)
    assert page.xpath("//section[@aria-labelledby='trend-h']//figure[@class='trend']/figcaption")
    assert len(page.xpath("//table[@id='trend-table']/tbody/tr")) == 3


def test_violations_are_grouped_by_rule_across_pages():
    def pg(url: str, *violations: Violation) -> PageEvidence:
        return PageEvidence(url=url, accessibility=Accessibility(violations=list(violations)))

    a = Violation(
        rule="image-alt",
        impact="serious",
        wcag=["1.1.1"],
        node_count=3,
        nodes=[ViolationNode(target="#a"), ViolationNode(target="#b")],
    )
    b = Violation(
        rule="image-alt",
        impact="critical",
        wcag=["1.1.1"],
        node_count=2,
        nodes=[ViolationNode(target="#b"), ViolationNode(target="#c")],
    )
    c = Violation(rule="label", impact="minor", node_count=1, nodes=[ViolationNode(target="input")])
    groups = violations_by_rule([pg("https://x/1", a, c), pg("https://x/2", b), PageEvidence(url="https://x/3")])
    assert [g.rule for g in groups] == ["image-alt", "label"]
    img = groups[0]
    assert img.impact == "critical" and img.nodes == 5
    assert [(p.url, p.nodes) for p in img.pages] == [("https://x/1", 3), ("https://x/2", 2)]
    # an element example per page, from that page
    assert [p.example[0] if p.example else None for p in img.pages] == ["#a", "#b"]


def test_unsafe_ids_and_screenshot_paths_stay_inside(tmp_path):
    (tmp_path / "artefacts").mkdir()
    (tmp_path / "secret.png").write_bytes(b"\x89PNG not for the report")
    data = build(n_ministries=1, n_provinces=1, pages=2, artefact_dir=tmp_path / "artefacts")
    odd = data.scores[0]
    ev = data.evidence.pop(odd.portal_id)
    odd.portal_id = ev.portal.id = "../../escape me"
    data.evidence[odd.portal_id] = ev
    ev.scenarios[1].screenshot = "../secret.png"
    render_report(data, tmp_path / "out")
    written = {p.resolve() for p in tmp_path.rglob("*") if p.is_file()}
    assert all(
        p.is_relative_to((tmp_path / "out").resolve())
        or p.is_relative_to((tmp_path / "artefacts").resolve())
        or p == (tmp_path / "secret.png").resolve()
        for p in written
    )
    assert not any(p.name == "secret.png" for p in (tmp_path / "out").rglob("*"))
    pages = list((tmp_path / "out" / "portals").glob("escape-me-*.html"))
    assert len(pages) == 1
    index = parse(tmp_path / "out" / "index.html")
    assert index.xpath(f"//a[@href='portals/{pages[0].name}']")


def test_portal_without_evidence_or_history_still_renders(tmp_path):
    data = build(n_ministries=2, n_provinces=1, pages=2, with_history=False)
    data.evidence.pop("bo-1")
    render_report(data, tmp_path)
    page = parse(tmp_path / "portals" / "bo-1.html")
    assert "Không có kết quả kịch bản." in page.text_content()
    assert not page.xpath("//section[@aria-labelledby='trend-h']//svg")


def test_real_criteria_set_scores_render_with_its_rules(tmp_path):
    """The report reads what criteria.CriteriaSet.to_dict() and score_portal() really produce."""
    from portalscore.criteria import load_criteria_set, rank, score_portal

    data = build(n_ministries=2, n_provinces=3, pages=4)
    cs = load_criteria_set("mic-2024")
    data.criteria = cs.to_dict()
    data.scores = rank([score_portal(cs, ev) for ev in data.evidence.values()], previous={"bo-0": 1})
    render_report(data, tmp_path)
    method = parse(tmp_path / "en" / "method.html")
    first = data.criteria["criteria"][0]
    block = method.xpath(f"//div[@id='def-{first['id']}']")[0].text_content()
    assert first["rule_words"] in block and first["when_missing_words"] in block and first["source"] in block
    assert len(method.xpath("//table[@id='groups-def']/tbody/tr")) == len(data.criteria["groups"])
    ranking = json.loads((tmp_path / "ranking.json").read_text(encoding="utf-8"))
    assert set(ranking["portals"][0]["groups"]) == {g["id"] for g in data.criteria["groups"]}
    portal = parse(tmp_path / "portals" / "bo-0.html")
    assert len(portal.xpath("//details[@class='criterion']")) == len(data.criteria["criteria"])
    assert "▼" in parse(tmp_path / "index.html").text_content()


def test_data_text_is_marked_with_its_language():
    from portalscore.reports.i18n import Translator

    vi, en = Translator("vi"), Translator("en")
    assert vi.part("Home page") == '<span class="data" lang="en">Home page</span>'
    assert vi.part("Bộ Y tế") == "Bộ Y tế" and vi.part("200") == "200"
    assert en.part("Bộ Y tế") == '<span class="data" lang="vi">Bộ Y tế</span>' and en.part("timeout") == "timeout"
    assert vi.part("<b>error</b>") == '<span class="data" lang="en">&lt;b&gt;error&lt;/b&gt;</span>'
    assert vi("Evaluation: {name}", name="<i>") == "Kết quả đánh giá: &lt;i&gt;"
    assert en.num(1234.5) == "1,234.5" and vi.num(1234.5) == "1.234,5" and vi.num(None) == "–"


def test_best_practice_rules_are_told_apart_from_wcag(tmp_path):
    """axe's best-practice results (Accessibility.best_practice) are listed after the WCAG rules, marked as such,
    and not counted as WCAG failures; our own checks' Vietnamese help is shown on the Vietnamese page."""
    from tests.test_reports_data import build_scored

    data = build_scored(n_ministries=1, n_provinces=1, pages=2)
    ev = next(iter(data.evidence.values()))
    for p in ev.pages:
        if p.accessibility:
            p.accessibility.violations = [Violation(rule="image-alt", impact="critical", node_count=1)]
    ev.pages[0].accessibility.best_practice = [Violation(rule="region", impact="moderate", node_count=2)]
    ev.pages[1].accessibility.violations.append(
        Violation(
            rule="ps-focus-visible",
            impact="serious",
            node_count=1,
            help="Every element that takes keyboard focus must show that it has focus",
            help_vi="Mọi phần tử nhận tiêu điểm bàn phím phải cho thấy nó đang có tiêu điểm",
            source="portalscore",
        )
    )
    render_report(data, tmp_path)
    page = parse(tmp_path / "portals" / f"{ev.portal.id}.html")
    rules = [r.xpath(".//summary/code")[0].text for r in page.xpath("//details[contains(@class, 'rule ')]")]
    assert rules == ["image-alt", "ps-focus-visible", "region"]
    assert "Mọi phần tử nhận tiêu điểm bàn phím" in page.xpath("string(//details[.//code='ps-focus-visible']/summary)")
    facts = page.xpath("//section[@aria-labelledby='a11y-h']//ul[@class='facts-list']/li")
    assert facts[0].text_content().startswith("2 quy tắc WCAG 2.1 A/AA bị vi phạm")
    assert "1 quy tắc thực hành tốt của axe" in facts[1].text_content()


def test_each_findings_element_is_shown_cut_from_the_archived_screenshot(tmp_path):
    """The example element of a failed rule is shown as a thumbnail cut from the page's archived screenshot, with
    alt text; the published evidence names the published crop, never the archive; a reference that leaves the
    archive or names no image gives no crop, and the finding stands."""
    from PIL import Image

    from tests.test_reports_data import build_scored

    archive = tmp_path / "archive"
    (archive / "p" / "shots").mkdir(parents=True)
    Image.new("RGB", (1280, 800), "white").save(archive / "p" / "shots" / "abc.jpg")
    (tmp_path / "outside.jpg").write_bytes((archive / "p" / "shots" / "abc.jpg").read_bytes())
    data = build_scored(n_ministries=1, n_provinces=1, pages=2)
    ev = next(iter(data.evidence.values()))
    good = ViolationNode(target="#logo", html="<img src=logo.png>", crop="p/shots/abc.jpg#xywh=100,50,200,40")
    ev.pages[0].accessibility.violations = [Violation(rule="image-alt", impact="critical", node_count=1, nodes=[good])]
    escape = ViolationNode(target="#a", crop="../outside.jpg#xywh=0,0,10,10")
    ev.pages[1].accessibility.violations = [Violation(rule="link-name", impact="serious", node_count=1, nodes=[escape])]
    data.archive_dir = archive
    out = tmp_path / "out"
    render_report(data, out)

    page = parse(out / "portals" / f"{ev.portal.id}.html")
    imgs = page.xpath("//details[.//code='image-alt']//img[@class='crop']")
    assert len(imgs) == 1 and imgs[0].get("alt") and imgs[0].get("loading") == "lazy"
    src = (out / "portals" / imgs[0].get("src")).resolve()
    assert src.is_relative_to(out.resolve()) and Image.open(src).size == (200 + 16, 40 + 16)  # the element, padded
    assert page.xpath("//details[.//code='link-name']//img") == []
    published = json.loads((out / "evidence" / f"{ev.portal.id}.json").read_text(encoding="utf-8"))
    crops = [n["crop"] for p in published["pages"] for v in p["accessibility"]["violations"] for n in v["nodes"]]
    assert crops[0].startswith("assets/crops/") and crops[1] is None
    assert not any("shots/" in (c or "") for c in crops)


def test_a_page_whose_checks_did_not_finish_says_so_beside_its_findings(tmp_path):
    """A check that could not finish found nothing on that page: the pages table says which, so that a clean row
    is not read as a page that passed them."""
    from tests.test_reports_data import build_scored

    data = build_scored(n_ministries=1, n_provinces=1, pages=2)
    ev = next(iter(data.evidence.values()))
    audited = [p for p in ev.pages if p.accessibility]
    audited[0].accessibility.check_errors = {"ps-keyboard-trap": "timeout: over 20s", "ps-reflow": "timeout: over 20s"}
    render_report(data, tmp_path)
    page = parse(tmp_path / "portals" / f"{ev.portal.id}.html")
    rows = page.xpath("//table[@id='pages-table']/tbody/tr")
    notes = [r.xpath("string(td[last()])") for r in rows]
    assert sum("không chạy xong" in n for n in notes) == 1
    assert next(n for n in notes if "không chạy xong" in n).endswith("ps-keyboard-trap, ps-reflow")
