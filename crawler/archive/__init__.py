"""The evidence archive (issue 22): what the browser received for every evaluated page, written as WARC with warcio,
plus the DOM after load and a viewport screenshot; replayable offline (crawler/archive/replay.py).

    capture.py   the responses of one page load, from Playwright's response events, within caps
    store.py     one portal's archive of one run: WARC file, payload-digest index (revisits across runs), shots
    replay.py    the archived responses served back to a browser, nothing reaching the network
    retention.py which runs are archived; pruning some without breaking the others' revisits
    export.py    one portal's evidence of one run as one zip, for a dispute
    publish.py   one portal's evidence of one run copied beside the published report (--publish-evidence)
"""

from .capture import Capture, Recorder
from .export import export_zip
from .publish import PublishedPage, PublishedRun, publish_run
from .replay import ArchiveMissing, ReplayIndex
from .retention import Pruned, archived_runs, prune
from .store import Archive, PortalArchive, archive_size, journey_folder

__all__ = [
    "Archive",
    "ArchiveMissing",
    "Capture",
    "PortalArchive",
    "Pruned",
    "PublishedPage",
    "PublishedRun",
    "Recorder",
    "ReplayIndex",
    "archive_size",
    "archived_runs",
    "export_zip",
    "journey_folder",
    "prune",
    "publish_run",
]
