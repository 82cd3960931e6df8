"""A hostile portal cannot make the crawler's browser read a file of the machine it runs on."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from portalscore.contract.evidence import to_dict
from portalscore.contract.portal import Portal
from portalscore.crawler.crawl import crawl_portal
from portalscore.crawler.pool import BrowserPool
from portalscore.crawler.settings import CrawlSettings
from tests.browsers import egress_for
from tests.faultfarm import Farm, links, page, redirect_to

pytestmark = pytest.mark.browser


def test_pages_cannot_reach_local_files(tmp_path):
    token = f"SECRET-{uuid.uuid4().hex}"
    secret = tmp_path / "secret.txt"
    secret.write_text(token, encoding="utf-8")
    file_url = secret.as_uri()
    # Every way a page could reach the file: a link, a redirect, an iframe, an image, fetch, XHR, a new window.
    thief = (
        f"<iframe src='{file_url}' title='x'></iframe><img alt='x' src='{file_url}'>"
        "<script>"
        f"fetch('{file_url}').then(r => r.text()).then(t => {{ document.title = 'LEAK ' + t; }}).catch(() => {{}});"
        f"try {{ const x = new XMLHttpRequest(); x.open('GET', '{file_url}', false); x.send();"
        " document.body.dataset.leak = x.responseText; } catch (e) {}"
        f"window.open('{file_url}');"
        "</script>"
    )
    routes = {
        "/": page("Cổng lạ", links(file_url, "/redir", "/doc") + thief),
        "/redir": redirect_to(file_url),
        "/doc": page("Văn bản", f"<a href='{file_url}'>Tải</a>"),
    }
    settings = CrawlSettings(
        workers=2,
        per_host=2,
        min_delay_s=0.05,
        request_timeout_s=5,
        page_timeout_s=30,
        mobile_pages=1,
        settle_s=0.5,
        max_pages=5,
        allowed_hosts=["127.0.0.1"],
    )
    with Farm(routes) as farm:

        async def go():
            async with BrowserPool(settings, egress_for(settings)) as pool:
                return await crawl_portal(
                    pool, Portal(id="p", name="Cổng lạ", kind="province", url=farm.url("/")), settings
                )

        ev = asyncio.run(go())
    pages = {p.url: p for p in ev.pages if p.profile == "desktop"}
    assert pages[farm.url("/")].error is None and pages[farm.url("/")].accessibility is not None  # still evaluated
    assert not any(p.url.startswith("file:") or (p.final_url or "").startswith("file:") for p in ev.pages)
    assert pages[farm.url("/redir")].error  # a redirect to a local file is refused, and said so
    assert all(not (p.title or "").startswith("LEAK") for p in ev.pages)
    assert token not in json.dumps(to_dict(ev), ensure_ascii=False)
