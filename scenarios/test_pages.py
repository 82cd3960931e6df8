"""Accessibility and performance of your pages as pytest tests, one per page and check family:

    pytest scenarios --portal-url https://dichvucong.example.gov.vn [--portal-page URL ...] --junitxml=pages.xml

Families: accessibility (axe-core's WCAG rules), checks (our own accessibility checks beyond axe, each mapped to a
WCAG success criterion) — both failing on a violation of --portal-fail-on's impact or worse (default serious) — and
performance (the median LCP of --portal-lab-runs lab loads, default 5, against --portal-max-lcp-ms, and the page's
weight against --portal-max-bytes). Pages: --portal-page (repeatable), else the --portal-url itself. Every page
is measured once per session, behind the same egress proxy and network policy as the journeys.
"""

from __future__ import annotations

import pytest

from portalscore.scenarios.pagechecks import FAMILIES, Limits, Measured, measure, problems

_MEASURED = pytest.StashKey[dict]()


def _pages(config: pytest.Config) -> list[str]:
    return list(config.getoption("--portal-page") or []) or (
        [config.getoption("--portal-url")] if config.getoption("--portal-url") else []
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "page_url" in metafunc.fixturenames:
        pages = _pages(metafunc.config) or ["(no page)"]
        metafunc.parametrize("page_url", pages, ids=pages)


@pytest.fixture(scope="session")
def page_limits(pytestconfig: pytest.Config) -> Limits:
    return Limits(
        fail_on=pytestconfig.getoption("--portal-fail-on"),
        max_lcp_ms=pytestconfig.getoption("--portal-max-lcp-ms"),
        max_bytes=pytestconfig.getoption("--portal-max-bytes"),
        lab_runs=pytestconfig.getoption("--portal-lab-runs"),
    )


@pytest.fixture(scope="session")
def measured_pages(pytestconfig: pytest.Config, portal_url: str, portal_egress, page_limits: Limits) -> dict:
    if _MEASURED not in pytestconfig.stash:
        pytestconfig.stash[_MEASURED] = measure(_pages(pytestconfig), portal_egress, page_limits.lab_runs)
    return pytestconfig.stash[_MEASURED]


@pytest.mark.parametrize("family", FAMILIES)
def test_page(family: str, page_url: str, measured_pages: dict, page_limits: Limits, request) -> None:
    m: Measured = measured_pages[page_url]
    if m.lab is not None and m.lab.median.lcp_ms is not None:
        request.node.user_properties.append(("lcp_ms", m.lab.median.lcp_ms))
    request.node.user_properties.append(("transfer_bytes", m.page.transfer_bytes))
    found = problems(family, m, page_limits)
    if found:
        pytest.fail(f"{family} on {page_url}: " + "; ".join(found), pytrace=False)
