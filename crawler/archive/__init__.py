"""The evidence archive (issue 22): what the browser received for every evaluated page, written as WARC with warcio,
plus the DOM after load and a viewport screenshot; replayable offline (crawler/archive/replay.py).

    capture.py   the responses of one page load, from Playwright's response events, within caps
    store.py     one portal's archive of one run: WARC file, payload-digest index (revisits across runs), shots
    replay.py    the archived responses served back to a browser, nothing reaching the network
"""

from .capture import Capture, Recorder
from .replay import ReplayIndex
from .store import Archive, PortalArchive, archive_size

__all__ = ["Archive", "Capture", "PortalArchive", "Recorder", "ReplayIndex", "archive_size"]
