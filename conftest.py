"""pytest for portal teams: our citizen journeys against your own portal.

    pytest scenarios --portal-url https://dichvucong.example.gov.vn --junitxml=journeys.xml

pytest-playwright's conventions hold (its sync `page` fixture, --screenshot, --tracing, --output,
--headed); this file makes it drive the same Chromium as portalscore (Debian's, our flags), with a
Vietnamese desktop context, and puts every browser context behind the network guard and the egress
proxy of portalscore's network policy: non-GET requests are aborted and listed, never sent, and nothing
but your portal's own origin may be an internal address. See docs/scenarios.md.
"""

from __future__ import annotations

import json
import os

import pytest

from portalscore.crawler.browser import context_options, launch_options


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("portalscore", "portalscore citizen journeys")
    group.addoption(
        "--portal-url",
        default=os.environ.get("PORTALSCORE_PORTAL_URL"),
        help="home page of the portal to run the journeys on (or $PORTALSCORE_PORTAL_URL)",
    )
    group.addoption(
        "--portal-overrides",
        default=None,
        metavar="FILE",
        help="YAML file of overrides: step -> selector, URL or text (see docs/scenarios.md)",
    )
    group.addoption(
        "--portal-allowed-host",
        action="append",
        default=None,
        metavar="HOST",
        help="only requests to these hosts are let through (repeatable); default: any host",
    )
    group.addoption(
        "--portal-allow-internal",
        action="append",
        default=[],
        metavar="ORIGIN_OR_RANGE",
        help="besides the portal's own origin, an internal origin (http://10.0.0.5:8080) or address range "
        "(10.20.0.0/16) the browser may reach (repeatable); any other private or loopback address is refused",
    )
    group.addoption(
        "--portal-page",
        action="append",
        default=None,
        metavar="URL",
        help="a page whose accessibility and performance scenarios/test_pages.py checks (repeatable); "
        "default: the --portal-url",
    )
    group.addoption(
        "--portal-fail-on",
        choices=("critical", "serious", "moderate", "minor"),
        default="serious",
        help="accessibility tests fail on a violation of this impact or worse (default serious)",
    )
    group.addoption("--portal-max-lcp-ms", type=float, default=2500.0, help="most LCP, lab median (default 2500)")
    group.addoption("--portal-max-bytes", type=int, default=1_500_000, help="most bytes per page (default 1500000)")
    group.addoption("--portal-lab-runs", type=int, default=5, help="timed loads per page, median kept (default 5)")


@pytest.fixture(scope="session")
def portal_egress(pytestconfig: pytest.Config):
    """The session's egress proxy (portalscore.crawler.egress): the one way out of every browser it starts."""
    from portalscore.crawler.egress import Egress
    from portalscore.crawler.netpolicy import NetPolicy

    url = pytestconfig.getoption("--portal-url")
    try:
        policy = NetPolicy.build(
            [url] if url else [],
            pytestconfig.getoption("--portal-allow-internal"),
            pytestconfig.getoption("--portal-allowed-host"),
        )
    except ValueError as e:
        raise pytest.UsageError(str(e)) from None
    with Egress(policy) as egress:
        yield egress


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, portal_egress) -> dict:
    # Ours first, so that pytest-playwright's --headed / --slowmo still apply (--headed needs the full browser).
    headless = browser_type_launch_args.get("headless", True)
    return {**launch_options(portal_egress, headless), **browser_type_launch_args}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**context_options("desktop"), **browser_context_args}


@pytest.fixture
def new_context(new_context, portal_egress, request: pytest.FixtureRequest):
    """pytest-playwright's context factory, with the network guard on every context it makes."""
    from portalscore.scenarios.safety import install_guard

    guards = []

    def make(**kwargs):
        context = new_context(**kwargs)
        guards.append(install_guard(context, portal_egress.policy, egress=portal_egress))
        return context

    yield make
    blocked = [line for guard in guards for line in guard.lines()]
    if blocked:  # shown in the JUnit XML as a property of the test
        request.node.user_properties.append(("blocked_requests", json.dumps(blocked[:50], ensure_ascii=False)))


@pytest.fixture(scope="session")
def portal_url(pytestconfig: pytest.Config) -> str:
    url = pytestconfig.getoption("--portal-url")
    if not url:
        pytest.skip("no portal given: run with --portal-url https://your-portal (or set PORTALSCORE_PORTAL_URL)")
    return url


_OVERRIDES = pytest.StashKey[dict]()


def pytest_configure(config: pytest.Config) -> None:
    # Checked before any test runs: a typo in the file stops the session with file, line and key.
    path = config.getoption("--portal-overrides", default=None)
    if path:
        from portalscore.scenarios.overrides import InputError, load_overrides

        try:
            config.stash[_OVERRIDES] = load_overrides(path)
        except InputError as e:
            raise pytest.UsageError(f"--portal-overrides: {e}") from None


@pytest.fixture(scope="session")
def portal_overrides(pytestconfig: pytest.Config) -> dict[str, str]:
    return dict(pytestconfig.stash.get(_OVERRIDES, {}))


@pytest.fixture
def journey(portal_url: str, page, portal_overrides: dict[str, str]):
    """A Journey on pytest-playwright's page, for a team's own scenario files."""
    from portalscore.scenarios.journey import Journey
    from portalscore.scenarios.safety import guard_of

    return Journey(page, portal_url, portal_overrides, guard=guard_of(page.context))
