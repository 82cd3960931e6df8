"""A failed load, named for what happened: what the page's evidence and the portal's errors say, and whether a retry
can help. Chromium reports a refusal of the egress proxy only as a SOCKS failure; the proxy knows why."""

from __future__ import annotations

from urllib.parse import urlsplit

from .egress import Egress
from .netpolicy import DEFAULT_PORTS, Refusal

# Refusals by our own rule (nothing was contacted): never worth a retry, and a finding about the portal.
POLICY_KINDS = ("internal-address", "scheme", "host-not-allowed", "bad-url")
_NAMED = (
    ("ERR_NAME_NOT_RESOLVED", "DNS: the host name does not resolve", False),
    ("ERR_CONNECTION_REFUSED", "connection refused", False),
    ("ERR_CONNECTION_RESET", "connection reset by the server", True),
    ("ERR_CONNECTION_CLOSED", "connection closed by the server", True),
    ("ERR_EMPTY_RESPONSE", "the server closed the connection without an answer", True),
    ("ERR_CONNECTION_TIMED_OUT", "connection timed out", True),
    ("ERR_ADDRESS_UNREACHABLE", "address unreachable", False),
    ("ERR_CERT_", "TLS: the certificate was refused", False),
    ("ERR_SSL_", "TLS: the secure connection failed", False),
    ("ERR_HTTP2", "HTTP/2 protocol error", True),
    ("ERR_INVALID_RESPONSE", "the server's answer is not valid HTTP", False),
    ("ERR_UNSAFE_REDIRECT", "redirect to a non-web address (e.g. file: or ftp:)", False),
    ("ERR_UNKNOWN_URL_SCHEME", "not an http(s) address", False),
    ("ERR_INVALID_REDIRECT", "invalid redirect", False),
)


def refusal_of(egress: Egress, url: str, since: float = 0.0) -> Refusal | None:
    """The egress proxy's reason for not reaching `url` (recorded since `since`), if it has one."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    if not host or not port:
        return None
    return egress.explain(host, port, since)


def navigation_error(message: str, timeout_s: float, refusal: Refusal | None = None) -> tuple[str, bool]:
    """A short reason for a failed navigation, and whether it is worth a retry. `refusal`: the egress proxy's reason
    for the document's last hop, when the browser reported a proxy failure."""
    first = message.strip().splitlines()[0] if message.strip() else "navigation failed"
    if refusal is not None and ("ERR_SOCKS" in first or "ERR_PROXY" in first or "ERR_TUNNEL" in first):
        return refusal.message, refusal.kind == "timeout"
    if "Timeout" in first or "timeout" in first:
        return f"timeout: no response within {timeout_s:g}s", True
    if "ERR_TOO_MANY_REDIRECTS" in first:
        return "redirect loop or chain too long (net::ERR_TOO_MANY_REDIRECTS)", False
    if "crash" in first.lower():
        return "renderer crashed", True
    if "has been closed" in first or "Target closed" in first or "disconnected" in first:
        return "browser closed during the load", True
    for code, text, transient in _NAMED:
        if code in first:
            return f"{text} (net::{code.rstrip('_')})", transient
    if "ERR_" in first:
        return f"network: {first[first.find('net::') if 'net::' in first else 0 :][:200]}", False
    return f"navigation failed: {first[:200]}", False
