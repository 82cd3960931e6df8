"""Our page accessibility check for teams with Selenium suites: the same pinned axe-core file, the
same WCAG 2.1 A/AA options and the same summary (crawler.axe.summarize) as the crawler uses, run
through axe-selenium-python from any Selenium WebDriver.

    from portalscore.scenarios.selenium_checks import chrome_driver, check_page
    driver = chrome_driver()              # Debian's chromedriver + Chromium, portalscore's flags
    driver.get("https://dichvucong.example.gov.vn/")
    result = check_page(driver)           # portalscore.contract.evidence.Accessibility
    assert not [v for v in result.violations if v.impact in ("serious", "critical")]
"""

from __future__ import annotations

import os

from axe_selenium_python import Axe

from portalscore.contract.evidence import Accessibility
from portalscore.crawler.axe import axe_path, axe_source, options_json, summarize
from portalscore.crawler.browser import CHROMIUM_ARGS, chromium_path, user_agent

CHROMEDRIVER = os.environ.get("PORTALSCORE_CHROMEDRIVER", "/usr/bin/chromedriver")
AXE_TIMEOUT_S = 60


def chrome_driver(headless: bool = True, profile: str = "desktop"):
    """A Selenium Chrome driver on Debian's Chromium with the crawler's flags and user agent."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium_path(headless)
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    if headless:
        options.add_argument("--headless=new")
    options.add_argument(f"--user-agent={user_agent(profile)}")
    options.add_argument("--lang=vi-VN")
    options.add_argument("--window-size=1350,940")
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def check_page(driver, options: dict | None = None) -> Accessibility:
    """Run our axe-core (WCAG 2.1 A/AA) on the driver's current page."""
    axe_source()  # verifies the pinned file's sha256 before it is injected
    axe = Axe(driver, script_url=str(axe_path()))
    axe.inject()
    driver.set_script_timeout(AXE_TIMEOUT_S)
    # axe-selenium-python 2.x pastes options into the script: it wants a JSON string.
    raw = axe.run(options=options_json(options))
    return summarize(raw)
