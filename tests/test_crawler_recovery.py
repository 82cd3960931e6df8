"""The crawl survives a browser that dies under it, and a portal that takes too long stops on time."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from portalscore.contract.portal import Portal
from portalscore.crawler.crawl import audit_url, crawl_portal
from portalscore.crawler.pool import BrowserPool
from portalscore.crawler.settings import CrawlSettings
from tests.browsers import egress_for
from tests.faultfarm import Farm, links, page

pytestmark = pytest.mark.browser

QUICK = dict(
    min_delay_s=0.05,
    request_timeout_s=5,
    page_timeout_s=30,
    mobile_pages=0,
    run_axe=False,
    settle_s=0.5,
    allowed_hosts=["127.0.0.1"],
)


def _descendants(root: int) -> dict[int, str]:
    """pid -> command line of every process below `root`."""
    parents, cmds = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmds[int(entry)] = f.read().replace(b"\0", b" ").decode(errors="replace")
            except (OSError, IndexError, ValueError):
                continue
    found, todo = {}, [root]
    while todo:
        pid = todo.pop()
        for child, parent in parents.items():
            if parent == pid:
                found[child] = cmds.get(child, "")
                todo.append(child)
    return found


def _browser_pids() -> list[int]:
    """Our Chromium's main process (not its renderers, not other test runs' browsers)."""
    return [pid for pid, cmd in _descendants(os.getpid()).items() if "chromium" in cmd and "--type=" not in cmd]


def test_a_killed_browser_is_restarted_and_the_crawl_goes_on():
    routes = {"/": page("Trang chủ", links("/a", "/b", "/c")), "/*": page("Trang")}
    settings = CrawlSettings(**QUICK, max_pages=4)
    with Farm(routes) as farm:

        async def go():
            async with BrowserPool(settings, egress_for(settings)) as pool:
                first = await audit_url(pool, farm.url("/"), settings)
                pids = _browser_pids()
                assert pids, "Chromium's main process not found"
                for pid in pids:
                    os.kill(pid, signal.SIGKILL)
                await asyncio.sleep(0.5)
                ev = await crawl_portal(pool, Portal(id="p", name="P", kind="province", url=farm.url("/")), settings)
                return first, ev, pool.restarts

        first, ev, restarts = asyncio.run(go())
    assert first.status == 200
    assert restarts >= 1
    assert [p.status for p in ev.pages] == [200, 200, 200, 200]


def test_portal_time_limit_stops_the_crawl_and_says_so():
    routes = {"/": page("Trang chủ", links(*(f"/t/{i}" for i in range(20)))), "/t/*": page("Chậm")}
    settings = CrawlSettings(**(QUICK | {"per_host": 1}), max_pages=20, portal_timeout_s=2)
    with Farm(routes, delay_s=0.5) as farm:
        t = time.monotonic()
        ev = asyncio.run(_crawl_once(farm, settings))
        took = time.monotonic() - t
    assert any(e.startswith("portal time limit reached (2s)") for e in ev.errors)
    assert 1 <= len(ev.pages) < 20
    assert took < 20


async def _crawl_once(farm: Farm, settings: CrawlSettings):
    async with BrowserPool(settings, egress_for(settings)) as pool:
        return await crawl_portal(pool, Portal(id="p", name="P", kind="province", url=farm.url("/")), settings)
