"""Keeping crawled content inert in the report.

Jinja2's autoescape takes care of text. What escaping cannot fix is *meaning*: a
`javascript:` URL escaped into an href still runs, and a portal id or screenshot path
can point outside the report folder. These helpers decide what may become a link,
a file name or an element id.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from pathlib import Path
from urllib.parse import unquote, unquote_plus, urlsplit

from markupsafe import Markup, escape

_SAFE_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.)){0,80}$")  # no "..", no leading dot
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9_-]+")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}
# An absolute local path inside a stored text (an exception message, say): not for publication.
LOCAL_PATH = re.compile(r"(?<![\w:/.])(?:/(?:home|root|tmp|work|var|srv|opt|usr|mnt|Users)/|[A-Za-z]:\\)[^\s'\"),;]*")


def scrub(text: str | None) -> str | None:
    """Text without local file paths (each replaced by "…")."""
    return LOCAL_PATH.sub("…", text) if text else text


def link_url(url: object) -> str | None:
    """The URL if it may be a live link (http or https with a host), else None: shown as text only."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    # Browsers drop tabs and newlines inside URLs; "java\tscript:" must not pass as relative.
    if any(c in text for c in "\t\r\n\x00"):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


# Characters a decoded URL must not show as they are: controls, and the invisible or direction-changing ones
# that could make it read as another address.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def display_url(url: str) -> str:
    """A URL as a reader reads it: percent-escapes decoded (…/tim-kiem?keyword=giấy phép), invisible and
    direction-changing characters shown as U+FFFD so that a decoded URL cannot disguise itself."""
    if "%" in url or "+" in url:
        head, sep, query = url.partition("?")
        try:
            url = unquote(head) + sep + unquote_plus(query)
        except (UnicodeDecodeError, ValueError):
            pass
    return _HIDDEN.sub("\ufffd", url)


def link(url: object, text: object = None) -> Markup:
    """A live link for an http(s) URL, plain text for anything else; both escaped. The link's text is the URL
    decoded (display_url); its href stays the URL as found. (A function rather than a template macro, and
    plain concatenation of escaped parts rather than Markup.format: pages list thousands of URLs.)"""
    label = (display_url(url) if isinstance(url, str) else url) if text is None or text == "" else text
    href = link_url(url)
    if href is None:
        return Markup('<span class="inert-url">' + str(escape(label)) + "</span>")
    return Markup(
        '<a href="' + str(escape(href)) + '" rel="noopener noreferrer nofollow">' + str(escape(label)) + "</a>"
    )


def file_stem(name: str) -> str:
    """A file name (without suffix) for a portal id, never leaving its folder: ids that are not plain
    get a readable slug and a short hash so two different ids never share a file."""
    if _SAFE_NAME.match(name):
        return name
    slug = _UNSAFE_CHARS.sub("-", name).strip("-")[:40] or "portal"
    return f"{slug}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:10]}"


def dom_id(prefix: str, name: str) -> str:
    """An HTML id built from untrusted text."""
    return f"{prefix}-{file_stem(name)}"


def artefact_file(
    artefact_dir: Path | None, relative: str | None, suffixes: Collection[str] = IMAGE_SUFFIXES
) -> Path | None:
    """The file a piece of evidence names (a screenshot; a trace with other `suffixes`), only if it is a file of
    that kind inside artefact_dir: stored evidence is not trusted with paths."""
    if artefact_dir is None or not relative:
        return None
    try:
        base = artefact_dir.resolve()
        path = (base / relative).resolve()
    except (OSError, ValueError):
        return None
    if not path.is_relative_to(base) or path.suffix.lower() not in suffixes or not path.is_file():
        return None
    return path
