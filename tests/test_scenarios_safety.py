"""Portals that misbehave: whatever a page tries (form post, fetch, XHR, beacon), nothing but GET leaves;
unreachable and hanging portals cost bounded time; keyboard traps and hidden focus are caught."""

from __future__ import annotations

import pytest

from tests.browsers import journey_browser, test_egress
from tests.test_scenarios_sites import MiniSites

pytestmark = pytest.mark.browser


def test_a_page_that_posts_by_itself_sends_nothing_and_every_attempt_is_logged():
    from playwright.sync_api import sync_playwright

    from portalscore.crawler.browser import context_options, launch_options
    from portalscore.scenarios.safety import guard_of, install_guard

    with MiniSites() as sites, sync_playwright() as pw:
        site = sites["plain"]
        egress = test_egress(only_loopback=True)
        browser = pw.chromium.launch(**launch_options(egress))
        context = browser.new_context(**context_options("desktop"))
        guard = install_guard(context, egress.policy)
        assert guard_of(context) is guard
        page = context.new_page()
        page.goto(site.url + "tu-gui")
        page.wait_for_timeout(800)  # the form submits itself after 100 ms
        # A link to another host is not fetched either.
        page.evaluate("() => fetch('http://192.0.2.1/x').catch(() => {})")
        page.wait_for_timeout(200)
        browser.close()

    assert site.non_get == []
    methods = sorted(f"{b.method} {b.url.split('/', 3)[-1]}" for b in guard.blocked)
    assert methods == ["GET x", "POST api/nop", "POST beacon", "POST nop", "PUT api/sua"]
    assert any("host 192.0.2.1 is not among this run's allowed hosts" in line for line in guard.lines())


def test_unreachable_and_hanging_portals_fail_at_open_home_in_bounded_time(tmp_path):
    import socket
    import threading
    import time

    from portalscore.contract.portal import Portal
    from portalscore.scenarios.runner import UNREACHABLE_BUDGET_S, run_scenarios

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    refused_port = closed.getsockname()[1]
    closed.close()
    hanging = socket.socket()  # accepts connections, never answers
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def hold() -> None:
        hanging.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(hanging.accept()[0])
            except OSError:
                pass

    threading.Thread(target=hold, daemon=True).start()
    try:
        with journey_browser() as browser:
            refused = run_scenarios(
                browser,
                Portal("down", "Down", "other", f"http://127.0.0.1:{refused_port}/"),
                tmp_path,
                only=["home", "dossier_lookup", "mobile"],
            )
            start = time.monotonic()
            hung_url = f"http://127.0.0.1:{hanging.getsockname()[1]}/"
            hung = run_scenarios(
                browser,
                Portal("hung", "Hung", "other", hung_url),
                tmp_path,
                only=["home", "privacy", "help"],
            )
            hung_s = time.monotonic() - start
    finally:
        stop.set()
        for s in held:
            s.close()
        hanging.close()

    assert len(refused) == 3
    assert {(r.outcome, r.failed_step) for r in refused} == {("failed", "open_home")}
    assert all(f"connection refused by 127.0.0.1:{refused_port}" in r.reason for r in refused)
    assert {(r.outcome, r.failed_step) for r in hung} == {("failed", "open_home")}
    assert hung[0].reason.startswith("TimeoutError")
    assert all(r.screenshot is None and r.trace for r in refused + hung)  # no blank pictures; traces kept
    # The first waits for the navigation timeout (20 s); the others get the short budget.
    assert hung_s < 20 + 2 * UNREACHABLE_BUDGET_S + 15


def test_keyboard_trap_and_invisible_focus_are_named(tmp_path):
    from portalscore.scenarios.runner import run_scenarios

    with MiniSites() as sites, journey_browser() as browser:
        trap = run_scenarios(browser, sites["trap"].portal(), tmp_path, only=["keyboard"])[0]
        hidden = run_scenarios(browser, sites["nofocus"].portal(), tmp_path, only=["keyboard"])[0]
    assert (trap.outcome, trap.failed_step) == ("failed", "no_keyboard_trap"), trap.reason
    assert "stuck on input" in trap.reason
    assert (hidden.outcome, hidden.failed_step) == ("failed", "focus_visible"), hidden.reason
    assert "show no focus indicator" in hidden.reason and "Trang chủ" in hidden.reason
