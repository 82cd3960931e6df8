"""The run's credentials (for portals behind a login) as every room sees them, and the one place that hides them.

A registry names a credential set (`credentials: staging-account`), never a value. The values come
from the environment (PORTALSCORE_SECRET_STAGING_ACCOUNT_USERNAME / _PASSWORD) or from a secrets
file (`--secrets FILE`: name -> {username, password}). Each set is tied to the origin of the portal
that names it, and is only ever offered to that origin: Playwright's `http_credentials` with an
`origin`, and an Authorization header on light requests to that origin only.

The values of this run are kept here, in this process only, and `redact()` masks them ("***")
wherever text leaves the process: log records, progress lines, error messages and the evidence
written to the database (and so the report). They are never part of the run's stored settings.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import logging
import re
import sys
import threading
import traceback
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

log = logging.getLogger("portalscore.contract.secrets")

MASK = "***"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Keys that would put a secret value into a registry (which is shared, reviewed and stored with runs).
SECRET_KEYS = {
    "password",
    "passwd",
    "pass",
    "pwd",
    "username",
    "user",
    "login",
    "secret",
    "token",
    "auth",
    "authorization",
    "http_credentials",
    "api_key",
    "apikey",
    "cookie",
    "cookies",
}
# Text that carries credentials whatever their value: user:pass@ in URLs, Authorization headers.
_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/?#@\s:\"'<>]*:)[^/?#@\s\"'<>]*@")  # keeps the user
_AUTH_HEADER = re.compile(
    r"(?i)\b((?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)"
    r"(?:(basic|bearer|digest|negotiate|ntlm)\s+)?[^\s\"',;]+"
)


@dataclass(frozen=True)
class Credential:
    """One credential set: a username and password for HTTP Basic authentication."""

    name: str
    username: str
    password: str = field(repr=False)
    source: str = ""  # "environment" or the secrets file: said in messages, never the values

    def authorization(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"

    def forms(self) -> set[str]:
        """Every spelling of the secret that could end up in text: raw, URL-encoded, HTML-escaped (page
        snippets), as a Basic token. The username alone is not secret (it would mask ordinary words)."""
        p = self.password
        out = {p, quote(p, safe=""), quote_plus(p), html.escape(p), html.escape(p, quote=False)}
        for encoding in ("utf-8", "latin-1"):
            try:
                pair = f"{self.username}:{p}".encode(encoding)
            except UnicodeEncodeError:
                continue
            out.add(base64.b64encode(pair).decode("ascii"))
            out.add(base64.urlsafe_b64encode(pair).decode("ascii"))
        return {f for f in out if f}


def origin_of(url: str) -> str | None:
    """The web origin of a URL as browsers write it (scheme://host[:port], default port left out)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    if ":" in host:
        host = f"[{host}]"
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


# -- this run's credentials -----------------------------------------------------------------------

_lock = threading.Lock()
_active: dict[str, Credential] = {}
_forms: list[str] = []  # longest first, so that a form inside another is not half-masked


def activate(by_origin: Mapping[str, Credential]) -> None:
    """Make these the credentials of this process's run (and teach redact() their values)."""
    global _active, _forms
    with _lock:
        _active = dict(by_origin)
        forms = set(_forms)  # values seen earlier in this process stay masked
        for cred in _active.values():
            forms |= cred.forms()
        _forms = sorted(forms, key=len, reverse=True)


def deactivate(forget_values: bool = False) -> None:
    """No credentials offered any more; their values stay masked by redact() unless forget_values."""
    global _active, _forms
    with _lock:
        _active = {}
        if forget_values:
            _forms = []


def active() -> bool:
    return bool(_active)


def for_url(url: str) -> Credential | None:
    """The credential set of the URL's origin, if a portal of this run named one."""
    if not _active:
        return None
    return _active.get(origin_of(url) or "")


def authorization(url: str) -> str | None:
    """The Authorization header value for a request to this URL: only to a credentialed portal's origin."""
    cred = for_url(url)
    return cred.authorization() if cred else None


def http_credentials(url: str | None = None) -> list[dict[str, str]] | None:
    """Playwright `http_credentials` for a browser context: each set restricted to its own origin.
    With a URL, only the set of that URL's origin; None when there is nothing to offer."""
    items = _active.items() if url is None else [(o, c) for o, c in _active.items() if o == origin_of(url)]
    creds = [{"username": c.username, "password": c.password, "origin": o} for o, c in items]
    return creds or None


# -- masking --------------------------------------------------------------------------------------


def redact(text: str) -> str:
    """Text with this run's secret values, URL user:pass@ parts and Authorization header values masked."""
    if not isinstance(text, str) or not text:
        return text
    for form in _forms:
        if form in text:
            text = text.replace(form, MASK)
    if "@" in text:
        text = _USERINFO.sub(lambda m: m.group(1) + MASK + "@", text)
    if "uthorization" in text or "UTHORIZATION" in text:
        text = _AUTH_HEADER.sub(lambda m: m.group(1) + (m.group(2) + " " if m.group(2) else "") + MASK, text)
    return text


def scrub(value: Any) -> Any:
    """A copy of JSON-like data (dicts, lists, strings) or a dataclass with every string value redacted.
    Keys are kept as they are: they are names of fields, not data. A no-op when no secret is known."""
    if not _forms:
        return value
    return _scrub(value)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_scrub(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: _scrub(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        )
    return value


class RedactFilter(logging.Filter):
    """On a handler: every record it writes has secrets masked in its message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's problem to report, not ours
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_redaction() -> None:
    """Mask secrets in everything this process writes about itself: the root logger's handlers and
    uncaught exceptions (main thread and others)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactFilter) for f in handler.filters):
            handler.addFilter(RedactFilter())

    def excepthook(kind: type[BaseException], value: BaseException, tb: types.TracebackType | None) -> None:
        sys.stderr.write(redact("".join(traceback.format_exception(kind, value, tb))))

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread else "?"
        sys.stderr.write(
            redact(
                f"Exception in thread {name}:\n"
                + "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
            )
        )

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
