"""`portalscore evidence browse` (issue 22, item 3): a person browses a run's archived pages in a browser, replayed by
pywb from the run's WARC files, offline. After a real run of a sample portal: every evaluated desktop page answers
through pywb with its crawled title, and the home page, rendered by Chromium from pywb, looks as the crawler saw it
(its screenshot against the crawl's, with the tolerance of tests/test_archive_replay.py). The sample portal is
stopped before pywb starts: nothing can come from it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from portalscore.crawler.archive.browse import pywb_bin
from portalscore.crawler.archive.store import Manifest
from portalscore.crawler.browser import context_options, launch_options
from portalscore.samples import SAMPLE_PORTALS, SampleFleet
from portalscore.store import Store
from tests.browsers import test_egress
from tests.helpers import ROOT, run_portal
from tests.test_archive_replay import MAX_DIFFERENT, different_pixels

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PORTAL = SAMPLE_PORTALS[0]


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browse")
    db = f"sqlite:///{tmp / 'runs.db'}"
    with SampleFleet.start((PORTAL,)) as fleet:
        run_portal(fleet.portals[0].url, PORTAL.id, db, tmp / "out", max_pages=3)
    return tmp, db


def _serve(tmp: Path, db: str) -> tuple[subprocess.Popen, str]:
    """The command as a person runs it; returns the server and where it says it serves the run."""
    server = subprocess.Popen(
        [sys.executable, "-m", "portalscore", "evidence", "browse", PORTAL.id, "--run", "latest", "--db", db,
         "--port", "0", "--dir", str(tmp / "pywb")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    header = server.stdout.readline()
    found = re.search(r"replayed by pywb at (http://127\.0\.0\.1:\d+/run-\d+/)", header)
    assert found, header + (server.stderr.read() if server.poll() is not None and server.stderr else "")
    return server, found.group(1)


def _get(url: str, deadline_s: float = 30) -> tuple[int, str]:
    start = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")
        except OSError:
            if time.monotonic() - start > deadline_s:
                raise
            time.sleep(0.5)


def test_pywb_is_installed_by_setup():
    assert pywb_bin("wayback").is_file() and pywb_bin("wb-manager").is_file()


def test_a_person_browses_the_archived_pages_as_crawled(archived, tmp_path):
    tmp, db = archived
    store = Store(db)
    try:
        run = store.list_runs(1)[0]
        ev = store.evidence(run.id, PORTAL.id)
    finally:
        store.close()
    crawled = {p.url: p for p in ev.pages if p.profile == "desktop" and p.error is None}
    server, base = _serve(tmp_path, db)
    try:
        for url, page in list(crawled.items())[:3]:
            status, html = _get(base + url)
            assert status == 200, (url, status)
            title = re.search(r"<title>(.*?)</title>", html, re.S)
            assert title and title.group(1).strip() == page.title.strip(), (url, title and title.group(1))

        home = ev.pages[0]
        archive_root = tmp / "out.operator" / "archive"
        manifest = Manifest.read(archive_root / PORTAL.id / f"run-{run.id}.json")
        assert manifest is not None
        shot = next(p.shot for p in manifest.pages if p.url == home.url and p.profile == "desktop")
        crawl_shot = (archive_root / PORTAL.id / shot).read_bytes()

        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(**launch_options(test_egress(only_loopback=True)))
            try:
                context = browser.new_context(**context_options("desktop"))
                page = context.new_page()
                # pywb's "mp_" form: the page alone, no archive banner above it.
                page.goto(f"{base}2026mp_/{home.url}", wait_until="networkidle")
                replay_shot = page.screenshot(type="jpeg", quality=60, scale="css", animations="disabled")
            finally:
                browser.close()
        assert different_pixels(crawl_shot, replay_shot) <= MAX_DIFFERENT
    finally:
        server.terminate()
        server.wait(10)
