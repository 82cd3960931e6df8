"""A portal cannot grade itself: the timing observers and axe run in an isolated world of the page
(crawler/world.py), so a page that forges what they read, or brings its own `window.axe`, changes nothing."""

from __future__ import annotations

import asyncio
import time

import pytest

from portalscore.crawler.crawl import audit_url
from portalscore.crawler.pool import BrowserPool
from portalscore.crawler.settings import CrawlSettings
from tests.browsers import egress_for
from tests.faultfarm import Farm

pytestmark = pytest.mark.browser

SERVER_DELAY_S = 0.2  # every real timing of the page is at least this; the forged ones are 1–3 ms

# What a portal that wants a better grade could put first in its <head>.
FORGERY = """<script>
window.__ps = {fcp: 1, lcp: 2, cls: 0, longtasks: [], flush() {}};
const fake = [{responseStart: 1, domContentLoadedEventEnd: 2, loadEventEnd: 3, startTime: 1}];
performance.getEntriesByType = () => fake;
performance.getEntriesByName = () => fake;
const getAttribute = Element.prototype.getAttribute;
Element.prototype.getAttribute = function (name) {
  return name === 'alt' ? 'Biểu trưng Cổng dịch vụ công' : getAttribute.call(this, name);
};
const computed = window.getComputedStyle;
let drawn = 0;  // a new box shadow at every look: every focused element looks different from before
window.getComputedStyle = (el, pseudo) => new Proxy(computed(el, pseudo), {
  get: (style, key) => key === 'boxShadow' ? `0 0 ${++drawn}px red` : Reflect.get(style, key),
});
window.axe = {run: async () => ({testEngine: {name: 'axe-core', version: '4.99'}, violations: [], passes: [],
                                incomplete: []})};
</script>"""

# Two failures axe finds on its own (no lang on <html>, an image with no text alternative) and two our checks
# find (an image whose alt is a file name; links whose focus is not drawn).
PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>Cổng tự chấm</title>
<style>a:focus, a:focus-visible {{ outline: none }}</style>{FORGERY}</head>
<body><main><h1>Dịch vụ công</h1><img src="/logo.png" width="200" height="80">
<img src="/anh.png" alt="IMG_0042.png" width="200" height="80"><p>Thủ tục hành chính</p>
<p><a href="/thu-tuc/1">Đăng ký khai sinh</a> <a href="/thu-tuc/2">Cấp bản sao trích lục</a></p></main>
<script>for (let i = 0; i < 2e6; i++) {{}} window.__ps = {{fcp: 1, lcp: 2, cls: 0, longtasks: []}};</script>
</body></html>"""


def _slow_page(h) -> None:
    time.sleep(SERVER_DELAY_S)
    h.send(200, PAGE, "text/html; charset=utf-8")


@pytest.fixture(scope="module")
def self_graded():
    with Farm({"/": _slow_page, "/*": lambda h: h.send(404, "", "text/plain")}) as farm:
        settings = CrawlSettings(allowed_hosts=["127.0.0.1"], settle_s=0.3)

        async def go():
            async with BrowserPool(settings, egress_for(settings)) as pool:
                return await audit_url(pool, farm.url("/"), settings)

        ev = asyncio.run(go())
    assert ev.error is None, ev.error
    return ev


def test_a_page_that_forges_its_timings_is_timed_as_it_loads(self_graded):
    t = self_graded.timings
    floor_ms = SERVER_DELAY_S * 1000
    assert t.ttfb_ms >= floor_ms and t.dcl_ms >= floor_ms and t.load_ms >= floor_ms, t
    assert t.fcp_ms >= floor_ms and t.lcp_ms >= floor_ms, t


def test_a_page_that_brings_its_own_axe_is_audited_by_ours(self_graded):
    acc = self_graded.accessibility
    assert acc.error is None and acc.engine.startswith("axe-core 4.") and acc.engine != "axe-core 4.99"
    assert {"html-has-lang", "image-alt"} <= {v.rule for v in acc.violations}


def test_a_page_that_patches_the_dom_our_checks_read_is_checked_as_it_is(self_graded):
    acc = self_graded.accessibility
    assert "ps-img-alt-meaningless" in acc.checks, acc.check_errors
    found = {v.rule: v for v in acc.violations}
    assert "IMG_0042.png" in found["ps-img-alt-meaningless"].nodes[0].summary


def test_a_page_that_fakes_a_focus_indicator_to_our_keyboard_walk_is_walked_as_it_is(self_graded):
    acc = self_graded.accessibility
    assert "ps-focus-visible" in acc.checks, acc.check_errors
    found = {v.rule: v for v in acc.violations}
    assert "Đăng ký khai sinh" in found["ps-focus-visible"].nodes[0].summary


def test_the_world_follows_the_page_to_its_next_document_with_the_observers_installed_again():
    # A client-side redirect or a journey step loads a new document: the world (and its installed scripts) must be
    # the new document's, never a stale one's.
    from playwright.async_api import async_playwright

    from portalscore.crawler.browser import context_options, launch_options
    from portalscore.crawler.pagejs import PERF_INIT_JS
    from portalscore.crawler.world import OurWorld
    from tests.browsers import test_egress

    read = "() => [location.pathname, typeof window.__ps, typeof window.mine]"
    with Farm(
        {"/*": lambda h: h.send(200, "<title>t</title><script>window.mine = 1</script><p>x</p>", "text/html")}
    ) as farm:

        async def go():
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(**launch_options(test_egress()))
                try:
                    page = await (await browser.new_context(**context_options("desktop"))).new_page()
                    world = OurWorld(await page.context.new_cdp_session(page), page)
                    await world.install(PERF_INIT_JS)
                    await page.goto(farm.url("/a"))
                    first = await world.evaluate(read)
                    await page.goto(farm.url("/b"))
                    return first, await world.evaluate(read)
                finally:
                    await browser.close()

        first, second = asyncio.run(go())
    assert first == ["/a", "object", "undefined"] and second == ["/b", "object", "undefined"]
