"""Where a reader of the report finds the evidence behind each finding (issue 22).

The evidence archive (crawler/archive) is the operator's: by default nothing of it is published but the element
crops the report shows (reports/crops.py), and each finding names the archived page by its run and URL, with the
command the evaluation office runs to replay it (a portal team disputing a finding quotes that line to them).
With --publish-evidence the published folder gets archive/, laid out as an archive root of its own (each
portal's WARC files, manifest, page screenshots, journeys' screenshots and traces, a trimmed index), so that the
links go to the page's screenshot and WARC and the replay command works on the published folder alone.
"""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from portalscore.contract.evidence import PortalEvidence
from portalscore.crawler.archive import ArchiveMissing, journey_folder, publish_run
from portalscore.crawler.archive.store import Manifest

from .safe import artefact_file

FOLDER = "archive"  # in the published folder, with --publish-evidence only (evidence/ holds the JSON exports)
TRACE_SUFFIXES = (".zip",)

README = """Evidence of run {run}, published with the report (portalscore --publish-evidence).

<portal>/run-<N>.warc.gz    what the browser received for every evaluated page (WARC 1.1: responses, revisits of
                            payloads unchanged since an earlier run, whose WARC file is here too, and the DOM after
                            load as the resource record urn:portalscore:dom:<profile>:<url>)
<portal>/run-<N>.json       the run's pages, their profile and screenshot
<portal>/shots/             the viewport screenshot of each page, as the crawler took it
<portal>/journeys/run-<N>/  the citizen journeys that did not pass: the screenshot where each stopped and its
                            Playwright trace (npx playwright show-trace <file>, or https://trace.playwright.dev)
index.sqlite                payload digests -> records, for the replay

Replay a page offline, from this folder alone (run in the report's folder; nothing reaches the network):
    portalscore replay --archive-dir archive --run {run} <page URL>
or load the WARC files in pywb (wb-manager add <collection> <portal>/*.warc.gz).
"""


@dataclass(frozen=True)
class PageEvidenceLinks:
    """The evidence of one evaluated page (one profile) as a reader reaches it."""

    run: int
    url: str  # the page as archived: what the replay command takes
    profile: str
    replay: str  # the command that loads it again from the archive, offline
    screenshot: str | None = None  # published screenshot, path from the report root (--publish-evidence)
    warc: str | None = None  # published WARC file holding it, path from the report root (--publish-evidence)


@dataclass
class ReportEvidence:
    published: bool = False
    pages: dict[str, dict[tuple[str, str], PageEvidenceLinks]] = field(default_factory=dict)
    traces: dict[str, dict[int, str]] = field(default_factory=dict)  # portal -> scenario index -> path from root

    def page(self, portal_id: str, url: str, profile: str = "desktop") -> PageEvidenceLinks | None:
        return self.pages.get(portal_id, {}).get((url, profile))


def replay_command(run: int, url: str, profile: str, published: bool) -> str:
    """The command line, to be pasted in a shell: the URL is the portal's (untrusted; `$(...)`, `;` and `'` are
    valid in one), so it is quoted for the shell."""
    where = f"--archive-dir {FOLDER} " if published else ""
    mobile = " --profile mobile" if profile == "mobile" else ""
    return f"portalscore replay {where}--run {run}{mobile} {shlex.quote(url)}"


def report_evidence(
    run: int,
    evidence: dict[str, PortalEvidence],
    archive_dir: Path | None,
    artefact_dir: Path | None,
    out_dir: Path,
    publish: bool,
) -> ReportEvidence:
    """The links of every archived page; with `publish`, archive/ written first (anew: a report written again
    without it keeps none of an earlier one's)."""
    dest = out_dir / FOLDER
    if dest.exists():
        shutil.rmtree(dest)
    result = ReportEvidence(published=publish)
    for portal_id, ev in evidence.items():
        links: dict[tuple[str, str], PageEvidenceLinks] = {}
        if archive_dir is not None:
            try:
                links = _portal_pages(run, portal_id, archive_dir, dest, publish)
            except (ArchiveMissing, ValueError, OSError):
                links = {}
        result.pages[portal_id] = links
        if publish:
            result.traces[portal_id] = _publish_traces(run, portal_id, ev, archive_dir, artefact_dir, dest)
    if publish:
        dest.mkdir(parents=True, exist_ok=True)
        (dest / "README.txt").write_text(README.format(run=run), encoding="utf-8")
    return result


def _portal_pages(
    run: int, portal_id: str, archive_dir: Path, dest: Path, publish: bool
) -> dict[tuple[str, str], PageEvidenceLinks]:
    links: dict[tuple[str, str], PageEvidenceLinks] = {}
    if publish:
        published = publish_run(archive_dir, portal_id, run, dest)
        warc = f"{FOLDER}/{published.warcs[0]}" if published.warcs else None
        pages = [(p.url, p.final_url, p.profile, f"{FOLDER}/{p.shot}" if p.shot else None) for p in published.pages]
    else:
        manifest = Manifest.read(archive_dir / portal_id / f"run-{run}.json")
        if manifest is None:
            return links
        warc = None
        pages = [(p.url, p.final_url, p.profile, None) for p in manifest.pages]
    for url, final_url, profile, shot in pages:
        entry = PageEvidenceLinks(run, final_url, profile, replay_command(run, final_url, profile, publish), shot, warc)
        links.setdefault((final_url, profile), entry)
        links.setdefault((url, profile), entry)
    return links


def _publish_traces(
    run: int,
    portal_id: str,
    ev: PortalEvidence,
    archive_dir: Path | None,
    artefact_dir: Path | None,
    dest: Path,
) -> dict[int, str]:
    """Each journey's trace, in archive/<portal>/journeys/run-<N>/ (already there when the run archived its
    journeys; copied from the operator's artefacts folder for a run that did not)."""
    traces: dict[int, str] = {}
    target = journey_folder(dest, portal_id, run)
    for i, scenario in enumerate(ev.scenarios):
        src = artefact_file(archive_dir, scenario.trace, TRACE_SUFFIXES) or artefact_file(
            artefact_dir, scenario.trace, TRACE_SUFFIXES
        )
        if src is None:
            continue
        target.mkdir(parents=True, exist_ok=True)
        if not (target / src.name).exists():
            shutil.copyfile(src, target / src.name)
        traces[i] = (target / src.name).relative_to(dest.parent).as_posix()
    return traces
