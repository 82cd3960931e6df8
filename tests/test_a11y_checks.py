"""Our accessibility checks (portalscore.crawler.checks) in a real Chromium, on the corpus pages of
benchmarks/a11y/corpus: each failing page is flagged by the check planted in it, each passing page (the same
layout without the failure) by none of its family's checks; axe's best-practice rules land apart from its WCAG
rules; a check that breaks or runs out of time is recorded and the others still run; the page is left as
found, never navigated away from, and nothing but GET requests leave it."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
from pathlib import Path

import pytest

from benchmarks.a11y_bench import CORPUS, corpus_pages, parse_name, serve
from benchmarks.loopback import loopback_egress
from portalscore.crawler.axe import run_axe
from portalscore.crawler.browser import context_options, launch_options
from portalscore.crawler.checks import BY_ID, CHECKS, registry, run_checks
from portalscore.crawler.checks.base import Check, CheckMeta

pytestmark = pytest.mark.browser

PAGES = corpus_pages()
OURS = {c.meta.id for c in CHECKS}


def _family_checks(family: str) -> list[str]:
    return [c.meta.id for c in CHECKS if c.meta.family == family]


async def _with_page(fn, url: str | None = None, html: str | None = None):
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options(loopback_egress()))
        try:
            context = await browser.new_context(**context_options("desktop"))
            page = await context.new_page()
            if url:
                await page.goto(url, wait_until="load")
            else:
                await page.set_content(html or "")
            return await fn(page)
        finally:
            await browser.close()


@pytest.fixture(scope="module")
def corpus_results():
    """Every corpus page audited once: axe (WCAG + best practice) and the checks of its family (and, for a
    failing page, its planted check)."""
    from playwright.async_api import async_playwright

    async def collect():
        server, base = serve(CORPUS)
        out = {}
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(**launch_options(loopback_egress()))
                context = await browser.new_context(**context_options("desktop"))
                for family, path in PAGES:
                    planted, _ = parse_name(path.stem)
                    only = _family_checks(family) + ([planted] if planted in OURS else [])
                    page = await context.new_page()
                    await page.goto(f"{base}/{family}/{path.name}", wait_until="load")
                    acc = await run_axe(page)  # the default: WCAG and best practice in one run
                    run = await run_checks(page, heavy=True, only=only)
                    out[path.stem] = (acc, run, only)
                    await page.close()
                await browser.close()
        finally:
            server.shutdown()
        return out

    return asyncio.run(collect())


@pytest.mark.parametrize("name", [p.stem for _, p in PAGES if parse_name(p.stem)[1]])
def test_a_failing_page_is_flagged_by_its_planted_check(corpus_results, name):
    acc, run, _ = corpus_results[name]
    planted = parse_name(name)[0]
    assert not run.errors, run.errors
    if planted in OURS:
        found = {v.rule: v for v in run.violations}
        assert planted in found, f"{planted} not found; ours: {sorted(found)}"
        v = found[planted]
        assert v.source == "portalscore" and v.help and v.help_vi and v.wcag == list(BY_ID[planted].meta.wcag)
        assert v.node_count >= 1 and all(n.target and n.summary for n in v.nodes)
    else:  # an axe rule: WCAG rules in violations, best-practice-only rules apart
        rules = {v.rule for v in acc.violations} | {v.rule for v in acc.best_practice}
        assert planted in rules, f"axe did not report {planted}: {sorted(rules)}"


@pytest.mark.parametrize("name", [p.stem for _, p in PAGES if not parse_name(p.stem)[1]])
def test_a_passing_page_gets_no_finding(corpus_results, name):
    acc, run, only = corpus_results[name]
    assert not run.errors, run.errors
    assert sorted(run.checks) == sorted(set(only)), "every selected check ran to the end"
    assert [v.rule for v in run.violations] == []
    assert [v.rule for v in acc.violations] == [] and [v.rule for v in acc.best_practice] == []


def test_axe_best_practice_rules_are_kept_apart_from_wcag_rules(corpus_results):
    acc, _, _ = corpus_results["heading-order--fail-1"]
    assert [v.rule for v in acc.best_practice] == ["heading-order"]
    assert acc.violations == []  # so WCAG-based criteria do not change
    acc, _, _ = corpus_results["image-alt--fail-1"]
    assert [v.rule for v in acc.violations] == ["image-alt"] and acc.best_practice == []


def test_every_check_runs_clean_on_a_passing_page_of_another_family():
    """All checks, light and heavy, on pages written for other checks: no finding, no error, and a record of
    what ran (a check that ran and found nothing is evidence too)."""

    async def go(page):
        return await run_checks(page, heavy=True)

    server, base = serve(CORPUS)
    try:
        for name in ("keyboard/ps-keyboard-operable--pass-3.html", "tables/ps-table-no-headers--pass-1.html"):
            run = asyncio.run(_with_page(go, f"{base}/{name}"))
            assert run.errors == {} and run.violations == [], (name, run.errors, [v.rule for v in run.violations])
            assert run.checks == [c.meta.id for c in CHECKS]
            assert run.cost_ms("light") > 0 and run.cost_ms("heavy") > 0
    finally:
        server.shutdown()


def test_light_only_runs_no_heavy_check():
    async def go(page):
        return await run_checks(page, heavy=False)

    run = asyncio.run(_with_page(go, html="<html lang='vi'><title>t</title><main><p>Xin chào</p></main></html>"))
    assert run.checks == [c.meta.id for c in CHECKS if c.meta.cost == "light"]


def test_a_check_that_breaks_or_overruns_is_recorded_and_the_others_still_run(monkeypatch):
    # The page breaks the DOM API our in-page helpers call: our checks run in the page's isolated world and do not
    # see it. A check that raises (a plug-in's, here) is recorded and the others run; then a budget none can meet.
    html = """<html lang="vi"><title>t</title><body><main><h1>Trang</h1><a href="/a">Một</a> <a href="/b">Hai</a>
    <img src="x.png" alt="banner.png"></main>
    <script>Element.prototype.checkVisibility = function () { throw new Error('broken by the page'); };</script></body></html>"""

    async def raising(page, ctx):
        raise RuntimeError("the check's own bug")

    plugin = Check(CheckMeta("ps-plugin", ("1.1.1",), "minor", "plug-in", "plug-in"), raising)
    monkeypatch.setattr(registry, "CHECKS", (plugin, *registry.CHECKS))
    monkeypatch.setitem(registry.BY_ID, plugin.meta.id, plugin)

    async def go(page):
        broken = await run_checks(
            page, heavy=True, only=["ps-plugin", "ps-img-alt-meaningless", "ps-link-purpose", "ps-focus-visible"]
        )
        slow = await run_checks(
            page,
            heavy=True,
            only=["ps-focus-visible", "ps-keyboard-trap", "ps-reflow"],
            budget_s={"light": 5, "heavy": 0.001},
        )
        spent = await run_checks(page, heavy=False, only=["ps-visual-heading", "ps-target-size"], page_budget_s=0)
        return broken, slow, spent, page.viewport_size

    broken, slow, spent, viewport = asyncio.run(_with_page(go, html=html))
    assert broken.errors == {"ps-plugin": "RuntimeError: the check's own bug"}
    assert broken.checks == ["ps-img-alt-meaningless", "ps-link-purpose", "ps-focus-visible"]
    assert [v.rule for v in broken.violations] == ["ps-img-alt-meaningless"]
    assert set(slow.errors) == {"ps-focus-visible", "ps-keyboard-trap", "ps-reflow"}
    assert slow.errors["ps-focus-visible"].startswith("timeout")
    assert "keyboard walk failed" in slow.errors["ps-keyboard-trap"]  # not a half walk read as a clean one
    assert viewport == context_options("desktop")["viewport"]  # the interrupted reflow check put it back
    # the page's own budget: the first check starts, the others are skipped and said so
    assert spent.checks == [] or spent.checks == ["ps-visual-heading"]
    assert spent.errors.get("ps-target-size", "").startswith("skipped")


class _RecordingServer(http.server.ThreadingHTTPServer):
    seen: list[tuple[str, str]]


class _Recorder(http.server.BaseHTTPRequestHandler):
    server: _RecordingServer

    """A page whose controls would navigate and POST: the server records every request it gets."""

    PAGE = """<!doctype html><html lang="vi"><head><title>Nộp hồ sơ</title>
<style>body{font:16px Arial} .big{font-size:15px}</style></head><body><main><h1>Nộp hồ sơ</h1>
<div role="button" tabindex="0" id="gui" style="padding:8px;border:1px solid">Gửi hồ sơ</div>
<div id="di" style="cursor:pointer;padding:8px">Sang trang khác</div>
<a href="/trang-khac">Trang khác</a>
<form method="post" action="/nop"><label for="ten">Họ tên</label><input id="ten" name="ten" required>
<button type="submit">Nộp</button></form>
<p class="big">Nội dung trang dài vừa đủ để có chữ cho các kiểm tra văn bản.</p></main>
<script>
document.getElementById('gui').addEventListener('click', function () { fetch('/api/nop', {method: 'POST', body: 'x'}); });
document.getElementById('di').addEventListener('click', function () { location.href = '/trang-khac'; });
</script></body></html>"""

    def do_GET(self):
        self.server.seen.append(("GET", self.path))
        body = self.PAGE.encode() if self.path == "/" else b"<html><title>other</title></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.server.seen.append(("POST", self.path))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_page_is_left_as_found_never_navigated_and_nothing_is_posted():
    server = _RecordingServer(("127.0.0.1", 0), _Recorder)
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    state_js = """() => ({url: location.href, scroll: [scrollX, scrollY], active: document.activeElement.tagName,
      ps: Object.keys(window).filter(k => k.startsWith('__ps')), marks: document.querySelectorAll('#__ps_start, #__ps_spacing, [data-ps-dialog]').length,
      inline: Array.from(document.querySelectorAll('*')).filter(e => e.style.fontSize || e.style.lineHeight).length,
      value: document.getElementById('ten').value})"""

    async def go(page):
        await page.fill("#ten", "Nguyễn Văn An")
        await page.evaluate("document.activeElement.blur()")
        before = await page.evaluate(state_js)
        viewport = page.viewport_size
        run = await run_checks(page, heavy=True)
        return before, await page.evaluate(state_js), viewport, page.viewport_size, run

    try:
        before, after, vp_before, vp_after, run = asyncio.run(_with_page(go, url))
    finally:
        server.shutdown()
    assert run.errors == {}
    assert after == before and vp_after == vp_before
    assert [m for m, _ in server.seen] == ["GET"] and server.seen == [("GET", "/")]
    found = {v.rule: v for v in run.violations}
    # the div that navigates on click cannot take focus: reported, and the click the check made did not leave
    assert any("Sang trang" in n.summary for n in found["ps-keyboard-operable"].nodes)


def test_findings_are_json_evidence_like_axe_violations(corpus_results):
    from portalscore.contract.evidence import Accessibility, from_dict, to_dict

    acc, run, _ = corpus_results["ps-focus-visible--fail-1"]
    merged = run.apply(Accessibility(engine=acc.engine, violations=list(acc.violations)))
    again = from_dict(Accessibility, json.loads(json.dumps(to_dict(merged))))
    assert again == merged and again.checks and "ps-focus-visible" in {v.rule for v in again.violations}
    assert {v.source for v in again.violations} == {"portalscore"}


def test_the_corpus_has_failing_and_passing_pages_for_every_family():
    by_family: dict[str, list[str]] = {}
    for family, path in PAGES:
        by_family.setdefault(family, []).append(path.stem)
    assert set(by_family) >= {"keyboard", "reflow", "target-size", "tables", "forms", "links", "headings", "images"}
    for family, names in by_family.items():
        fails = [n for n in names if parse_name(n)[1]]
        assert len(fails) >= 4 and len(names) - len(fails) >= 4, family
        for n in fails:  # every failing page has its passing twin
            assert n.replace("--fail-", "--pass-") in names, n
    assert len([n for n in by_family["keyboard"] if parse_name(n)[1]]) >= 10
    assert Path(CORPUS / "_assets" / "portal.css").exists()


def test_the_checks_run_on_a_sync_page_as_portal_teams_pytest_drives_it():
    from playwright.sync_api import sync_playwright

    from portalscore.crawler.checks.sync import run_checks_sync

    server, base = serve(CORPUS)

    def audit(name: str):
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**launch_options(loopback_egress()))
            try:
                page = browser.new_context(**context_options("desktop")).new_page()
                page.goto(f"{base}/{name}", wait_until="load")
                return run_checks_sync(page, heavy=True), page.url
            finally:
                browser.close()

    try:
        failing, url = audit("keyboard/ps-keyboard-operable--fail-2.html")
        passing, _ = audit("keyboard/ps-keyboard-operable--pass-2.html")
    finally:
        server.shutdown()
    assert url.endswith("ps-keyboard-operable--fail-2.html")
    assert "ps-keyboard-operable" in {v.rule for v in failing.violations} and failing.errors == {}
    assert passing.violations == [] and passing.errors == {} and len(passing.checks) == len(CHECKS)
    with pytest.raises(TypeError):
        run_checks_sync(object(), heavy=False)


def test_audit_page_is_axe_and_our_checks_in_one_call():
    from portalscore.crawler.checks.audit import audit_page

    async def go(page):
        return await audit_page(page, heavy=False), await audit_page(page, heavy=False, checks=False)

    server, base = serve(CORPUS)
    try:
        both, axe_only = asyncio.run(_with_page(go, f"{base}/images/image-alt--fail-1.html"))
    finally:
        server.shutdown()
    assert [v.rule for v in both.violations] == ["image-alt"] and both.engine.startswith("axe-core")
    assert both.checks == [c.meta.id for c in CHECKS if c.meta.cost == "light"] and both.checks_version
    assert axe_only.checks == [] and axe_only.checks_version == ""
