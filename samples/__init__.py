"""Sample DVC portals served on 127.0.0.1: the fixtures of the tests and of `portalscore demo`.

They look and behave like real Vietnamese online public-service portals (national, hash-routed app,
ASP.NET, /vi/, BCA-like and OpenCPS URL and markup styles) and differ in quality on purpose, so the
ranking has a known right answer: EXPECTED_ORDER (see profiles.py for the designed faults).
"""

from .content import KNOWN_DOSSIERS, NOT_FOUND_TEXT, PROCEDURES
from .profiles import EXPECTED_ORDER, MAY_TIE, MAY_TIE_SLACK, SAMPLE_PORTALS, PortalSpec, Quality
from .server import SampleFleet, SamplePortal

__all__ = [
    "EXPECTED_ORDER",
    "KNOWN_DOSSIERS",
    "MAY_TIE",
    "MAY_TIE_SLACK",
    "NOT_FOUND_TEXT",
    "PROCEDURES",
    "SAMPLE_PORTALS",
    "PortalSpec",
    "Quality",
    "SampleFleet",
    "SamplePortal",
]
