"""The evidence behind each finding, as a reader of the report reaches it (issue 22): a sample portal with faults (no
skip link, unlabelled filters, images without alt) evaluated with its journeys, once with --publish-evidence and once
without, by the real command line.

With it, the published folder holds archive/ (the run's WARC, the pages' screenshots, the journeys' traces) and
each finding links to its page's screenshot and WARC, with a replay command that works on that folder alone.
Without it, the published folder holds no trace, WARC or page screenshot: only the images its pages show; each
finding names its archived page by run and URL. Either way the journeys' screenshots and traces are in the run's
archive (not a folder of their own), and a failed step that points at an element shows that element."""

from __future__ import annotations

import json
import re
import shlex
import zipfile
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest

from portalscore.crawler.archive import journey_folder, prune
from portalscore.crawler.archive.store import _index
from tests.helpers import portalscore_cli

pytestmark = pytest.mark.browser
PORTAL = "tinh-lam-hai-mau"  # no skip link: the keyboard journey fails on the first Tab stop, an element
LEAKS = (".gz", ".warc", ".zip", ".sqlite", ".har", ".log")
IMAGES = (".jpg", ".jpeg", ".png", ".webp")


def _run(registry: Path, db: str, out: Path, *flags: str) -> None:
    proc = portalscore_cli(
        "run", "--registry", str(registry), "--db", db, "--out", str(out), "--max-pages", "3", "--lab-runs", "1",
        "--allow-host", "127.0.0.1", "--journey-budget", "30", "-q", *flags,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.fixture(scope="module")
def runs(fleet, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("publish-evidence")
    registry = tmp / "registry.yaml"
    registry.write_text(
        f"name: evidence-test\nportals:\n  - id: {PORTAL}\n    name: Cổng thử\n    kind: province\n"
        f"    url: {fleet.portal(PORTAL).url}\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp / 'runs.db'}"
    _run(registry, db, tmp / "published", "--publish-evidence")
    _run(registry, db, tmp / "plain")
    return {"tmp": tmp, "db": db, "published": tmp / "published", "plain": tmp / "plain"}


def _portal_page(out: Path) -> lxml.html.HtmlElement:
    return lxml.html.parse(str(out / "portals" / f"{PORTAL}.html")).getroot()


def _target(page_file: Path, href: str) -> Path:
    return (page_file.parent / unquote(href)).resolve()


def test_published_evidence_holds_the_runs_warc_screenshots_and_traces(runs):
    evidence = runs["published"] / "archive"
    folder = evidence / PORTAL
    assert (folder / "run-1.warc.gz").is_file() and (folder / "run-1.json").is_file()
    manifest = json.loads((folder / "run-1.json").read_text(encoding="utf-8"))
    assert manifest["pages"] and all((folder / p["shot"]).is_file() for p in manifest["pages"])
    traces = list(journey_folder(evidence, PORTAL, 1).glob("*-trace.zip"))
    assert traces and all(zipfile.is_zipfile(t) for t in traces)
    assert (evidence / "index.sqlite").is_file() and (evidence / "README.txt").is_file()


def test_each_finding_links_to_its_screenshot_and_archived_page_and_replays_from_the_published_folder(runs):
    out = runs["published"]
    page_file = out / "portals" / f"{PORTAL}.html"
    rows = _portal_page(out).xpath("//details[contains(@class, 'rule')]//tbody/tr")
    assert rows
    commands = set()
    for row in rows:
        links = {a.text_content().strip(): a.get("href") for a in row.xpath(".//span[@class='evidence']//a")}
        shot = next(h for h in links.values() if "/shots/" in h)
        warc = next(h for h in links.values() if h.endswith(".warc.gz"))
        assert _target(page_file, shot).is_file() and _target(page_file, warc).is_file()
        (command,) = row.xpath(".//code[@class='replay']/text()")
        assert re.match(r"^portalscore replay --archive-dir archive --run 1 (--profile mobile )?'?http", command), (
            command
        )
        commands.add(command)
    # The command as printed, run in the published folder (here: its archive/ by its full path), with no database.
    args = shlex.split(sorted(commands)[0])[1:]
    args[args.index("archive")] = str(out / "archive")
    proc = portalscore_cli(*args, "--db", f"sqlite:///{runs['tmp'] / 'absent' / 'none.db'}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    replay = json.loads(proc.stdout)
    assert replay["error"] is None and replay["served_from_archive"] > 0 and replay["missing_from_archive"] == []
    assert replay["findings"]
    assert not (runs["tmp"] / "absent").exists()  # the database was never opened


def test_a_failed_step_shows_its_element_and_the_journey_links_its_trace(runs):
    out = runs["published"]
    page_file = out / "portals" / f"{PORTAL}.html"
    root = _portal_page(out)
    failed = root.xpath("//details[contains(@class, 'scenario-detail')]//li[@class='failed']")
    assert failed
    crops = [img.get("src") for li in failed for img in li.xpath(".//img[@class='crop']")]
    assert crops, "the keyboard journey's first Tab stop (not a skip link) is shown"
    for src in crops:
        assert _target(page_file, src).is_file()
        assert all(img.get("alt") and img.get("loading") == "lazy" for img in root.xpath("//img[@class='crop']"))
    traces = [a.get("href") for a in root.xpath("//details[contains(@class, 'scenario-detail')]//a") if a.get("href")]
    traces = [h for h in traces if h.endswith("-trace.zip")]
    assert traces and all(_target(page_file, h).is_file() for h in traces)


def test_without_the_flag_the_published_folder_holds_only_what_its_pages_show(runs):
    out = runs["plain"]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert not (out / "archive").exists()
    assert not [p for p in files if p.suffix.lower() in LEAKS or p.name.endswith(LEAKS)], "no trace, WARC, index"
    shown: set[Path] = set()
    for html in out.rglob("*.html"):
        doc = lxml.html.parse(str(html)).getroot()
        shown |= {_target(html, src) for src in doc.xpath("//img/@src")}
    images = {p.resolve() for p in files if p.suffix.lower() in IMAGES}
    assert images and images <= shown, sorted(str(p) for p in images - shown)
    # Each finding still names its archived page, and how the evaluation office replays it.
    rows = _portal_page(out).xpath("//details[contains(@class, 'rule')]//tbody/tr")
    assert rows
    for row in rows:
        (command,) = row.xpath(".//code[@class='replay']/text()")
        assert re.match(r"^portalscore replay --run 2 (--profile mobile )?'?http://127\.0\.0\.1:\d+/", command), command
        assert not row.xpath(".//span[@class='evidence']//a")


def test_journeys_screenshots_and_traces_are_in_the_runs_archive_and_its_export(runs):
    archive = runs["tmp"] / "plain.operator" / "archive"
    journeys = journey_folder(archive, PORTAL, 2)
    assert list(journeys.glob("*-trace.zip")) and list(journeys.glob("*.png"))
    assert not list((runs["tmp"] / "plain.operator" / "artefacts").glob("*"))
    dest = runs["tmp"] / "ev.zip"
    proc = portalscore_cli("evidence", "export", PORTAL, "--run", "2", "--db", runs["db"], "--out", str(dest))
    assert proc.returncode == 0, proc.stderr[-3000:]
    names = zipfile.ZipFile(dest).namelist()
    assert any(n.startswith("journeys/") and n.endswith("-trace.zip") for n in names)
    assert any(n.startswith("journeys/") and n.endswith(".png") for n in names)


def test_prune_takes_a_runs_journeys_with_its_pages(tmp_path):
    folder = tmp_path / PORTAL
    folder.mkdir()
    (folder / "run-7.json").write_text(json.dumps({"run": 7, "portal": PORTAL, "warc": "run-7.warc.gz"}))
    (folder / "run-7.warc.gz").write_bytes(b"")
    shots = journey_folder(tmp_path, PORTAL, 7)
    shots.mkdir(parents=True)
    (shots / "x--keyboard.png").write_bytes(b"\x89PNG")
    (shots / "x--keyboard-trace.zip").write_bytes(b"PK")
    _index(tmp_path).close()
    (pruned,) = prune(tmp_path, keep=set())
    assert pruned.run == 7 and pruned.freed >= 6
    assert not shots.exists() and not (folder / "run-7.json").exists()


@pytest.mark.parametrize("which", ["published", "plain"])
def test_the_portal_page_with_its_evidence_lines_passes_axe_and_fits_a_phone(runs, which):
    """The new lines (links, replay commands, step crops) keep the page accessible and within a 390 px screen (wide
    tables scroll in their own region, as before). Screenshots: test-results/reports/evidence-*.png."""
    from playwright.sync_api import sync_playwright

    from portalscore.crawler.axe import AXE_OPTIONS, axe_source
    from portalscore.crawler.browser import launch_options
    from tests.browsers import test_egress
    from tests.test_reports_browser import AXE_JS, OPEN_DETAILS, SHOTS, _axe

    page_file = runs[which] / "portals" / f"{PORTAL}.html"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options(test_egress()))
        try:
            for width in (390, 1280):
                context = browser.new_context(viewport={"width": width, "height": 900})
                pg = context.new_page()
                pg.goto(page_file.as_uri())
                pg.evaluate(OPEN_DETAILS)
                assert pg.locator(".evidence").count() > 0
                assert pg.evaluate("document.scrollingElement.scrollWidth") <= width
                SHOTS.mkdir(parents=True, exist_ok=True)
                pg.screenshot(path=str(SHOTS / f"evidence-{which}-{width}.png"), full_page=True)
                if width == 1280:
                    pg.evaluate(axe_source())
                    assert pg.evaluate(AXE_JS, AXE_OPTIONS) == []
                    assert _axe(pg) == []
                context.close()
        finally:
            browser.close()


def test_a_stored_runs_report_publishes_its_evidence_when_asked(runs):
    """`portalscore report --publish-evidence`: the evidence of a run that was published without it, for a dispute
    that comes later; and a report written again into a folder leaves no earlier archive/ behind."""
    later = runs["tmp"] / "later"
    proc = portalscore_cli("report", "--run", "2", "--out", str(later), "--db", runs["db"], "--publish-evidence")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (later / "archive" / PORTAL / "run-2.warc.gz").is_file()
    assert list(journey_folder(later / "archive", PORTAL, 2).glob("*-trace.zip"))
    proc = portalscore_cli("report", "--run", "2", "--out", str(later), "--db", runs["db"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not (later / "archive").exists()
