"""Teams with Selenium suites get the same accessibility result as our Playwright run on the same page."""

from __future__ import annotations

import pytest

from tests.browsers import test_egress
from tests.test_scenarios_sites import MiniSites

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sites():
    with MiniSites() as s:
        yield s


def violations(result) -> dict[str, int]:
    return {v.rule: v.node_count for v in result.violations}


def test_selenium_and_playwright_report_the_same_violations(sites):
    from playwright.sync_api import sync_playwright

    from portalscore.crawler.browser import context_options, launch_options
    from portalscore.scenarios.a11y import check_page as playwright_check
    from portalscore.scenarios.selenium_checks import check_page as selenium_check
    from portalscore.scenarios.selenium_checks import chrome_driver

    # A page with known violations (missing alt, unlabelled field, empty link and button, low contrast)
    # and a cleaner one.
    urls = [sites["broken"].url + "trang-loi", sites["plain"].url]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options(test_egress()))
        context = browser.new_context(**context_options("desktop"))
        page = context.new_page()
        by_playwright = []
        for url in urls:
            page.goto(url)
            by_playwright.append(playwright_check(page))
        browser.close()

    driver = chrome_driver()
    try:
        by_selenium = []
        for url in urls:
            driver.get(url)
            by_selenium.append(selenium_check(driver))
    finally:
        driver.quit()

    for pw_result, se_result in zip(by_playwright, by_selenium):
        assert pw_result.engine == se_result.engine == "axe-core 4.14.1"
        assert violations(pw_result) == violations(se_result)
        assert pw_result.passes == se_result.passes
    found = violations(by_playwright[0])
    assert {"image-alt", "label", "link-name", "button-name", "color-contrast"} <= set(found), found
    assert found["color-contrast"] == 2
