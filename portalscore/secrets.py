"""Credentials for portals behind a login (staging sites), and the one place that hides them.

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
import os
import re
import stat
import sys
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote, quote_plus, urlsplit

from .errors import InputError
from .yamlfile import load

log = logging.getLogger("portalscore.secrets")

MASK = "***"
ENV_PREFIX = "PORTALSCORE_SECRET_"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Keys that would put a secret value into a registry (which is shared, reviewed and stored with runs).
SECRET_KEYS = {"password", "passwd", "pass", "pwd", "username", "user", "login", "secret", "token", "auth",
               "authorization", "http_credentials", "api_key", "apikey", "cookie", "cookies"}
# Text that carries credentials whatever their value: user:pass@ in URLs, Authorization headers.
_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/?#@\s:\"'<>]*:)[^/?#@\s\"'<>]*@")  # keeps the user
_AUTH_HEADER = re.compile(r"(?i)\b((?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)"
                          r"(?:(basic|bearer|digest|negotiate|ntlm)\s+)?[^\s\"',;]+")


@dataclass(frozen=True)
class Credential:
    """One credential set: a username and password for HTTP Basic authentication."""
    name: str
    username: str
    password: str = field(repr=False)
    source: str = ""  # "environment" or the secrets file: said in messages, never the values

    def authorization(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode("utf-8")).decode("ascii")
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


def env_names(name: str) -> tuple[str, str]:
    """The environment variables of a credential set: the name upper-cased, anything not A-Z0-9 as '_'."""
    key = re.sub(r"[^A-Z0-9]", "_", name.upper())
    return f"{ENV_PREFIX}{key}_USERNAME", f"{ENV_PREFIX}{key}_PASSWORD"


# -- where the values come from -------------------------------------------------------------------

def _from_environment(name: str, environ: Mapping[str, str]) -> Credential | None:
    user_var, pass_var = env_names(name)
    user, password = environ.get(user_var) or None, environ.get(pass_var) or None  # empty counts as unset
    if user is None and password is None:
        return None
    if not user or not password:
        missing = user_var if not user else pass_var
        raise InputError(f"credential set {name!r}: {missing} is not set (set both {user_var} and {pass_var})")
    return Credential(name=name, username=user, password=password, source="environment")


def load_file(path: str | Path) -> dict[str, Credential]:
    """A secrets file: a YAML mapping of credential-set name -> {username, password}.

    Warns (as ssh does) when group or others may read it. Errors name file, line and field, never a value."""
    file = str(path)
    try:
        mode = os.stat(file).st_mode
    except FileNotFoundError:
        raise InputError("file not found", file=file, field="--secrets") from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", file=file, field="--secrets") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("secrets file %s is accessible by group or others (mode %o): chmod 600 it", file,
                    stat.S_IMODE(mode))
    doc = load(file)
    if doc.data is None:
        return {}
    if not isinstance(doc.data, dict):
        raise doc.error((), "a secrets file maps credential-set names to {username, password}")
    out: dict[str, Credential] = {}
    for name, entry in doc.data.items():
        if not isinstance(name, str) or not NAME.match(name):
            raise doc.error((str(name),), "a credential-set name is letters, digits, '.', '_' and '-'")
        if not isinstance(entry, dict):
            raise doc.error((name,), "must be a mapping with username and password")
        for key in entry:
            if key not in ("username", "password"):
                raise doc.error((name, key), "unknown key (expected username and password)")
        for key in ("username", "password"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise doc.error((name, key), "must be a non-empty string (quote it if it looks like a number)")
        out[name] = Credential(name=name, username=entry["username"], password=entry["password"], source=file)
    return out


def _at(registry, i: int, message: str) -> InputError:
    """An error about portals[i].credentials, with its line when the registry was read from a file."""
    doc = getattr(registry, "doc", None)
    if doc is not None:
        return doc.error(("portals", i, "credentials"), message)
    return InputError(message, file=registry.file, field=f"portals[{i}].credentials")


def resolve(registry, secrets_file: str | Path | None = None,
            environ: Mapping[str, str] | None = None) -> dict[str, Credential]:
    """The credentials of every portal that names a set, by the portal's origin. InputError (naming the
    registry file, line and portal) for a set that is not provided; the environment wins over the file."""
    environ = os.environ if environ is None else environ
    from_file = load_file(secrets_file) if secrets_file else {}
    by_origin: dict[str, Credential] = {}
    owner: dict[str, str] = {}
    for i, portal in enumerate(registry.portals):
        name = getattr(portal, "credentials", None)
        if not name:
            continue
        try:
            cred = _from_environment(name, environ) or from_file.get(name)
        except InputError as e:
            raise _at(registry, i, f"portal {portal.id!r}: {e.message}") from None
        if cred is None:
            user_var, pass_var = env_names(name)
            raise _at(registry, i, f"portal {portal.id!r} needs credential set {name!r}, which is not provided: "
                                   f"set {user_var} and {pass_var}, or give it in a file with --secrets FILE")
        origin = origin_of(portal.url)
        if origin in by_origin and by_origin[origin] != cred:
            raise _at(registry, i, f"portal {portal.id!r} is served from {origin} like portal {owner[origin]!r}, "
                                   "which names another credential set: one origin has one credential set")
        by_origin[origin], owner[origin] = cred, portal.id
    return by_origin


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


def http_credentials(url: str | None = None) -> list[dict] | None:
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
        return dataclasses.replace(value, **{f.name: _scrub(getattr(value, f.name))
                                            for f in dataclasses.fields(value) if f.init})
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

    def excepthook(kind, value, tb) -> None:
        sys.stderr.write(redact("".join(traceback.format_exception(kind, value, tb))))

    def thread_excepthook(args) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread else "?"
        sys.stderr.write(redact(f"Exception in thread {name}:\n" + "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))))

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
