"""Light HTTP requests (robots.txt, sitemaps, link checks) without a browser.

urllib in a worker thread, with the crawler's User-Agent, a wall-clock deadline (a
slow-drip body cannot hold a thread for ever), a byte cap, redirects followed by hand so
that every hop is checked against allowed_hosts, and the per-host gate of the run.
"""

from __future__ import annotations

import asyncio
import email.utils
import http.client
import random
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from portalscore.contract import secrets

from .hostgate import HostGate
from .urls import host_allowed, host_of

TRANSIENT_STATUS = {429, 502, 503, 504}
_CHUNK = 16384


@dataclass
class Fetched:
    url: str
    final_url: str = ""
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    size: int | None = None  # Content-Length if given, else bytes read (when read fully)
    redirects: list[str] = field(default_factory=list)
    error: str | None = None
    transient: bool = False  # worth a retry


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # we follow redirects ourselves
        return None


def _opener(verify_tls: bool) -> urllib.request.OpenerDirector:
    context = ssl.create_default_context()
    if not verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    # No ProxyHandler: the environment's proxies must not see portal traffic.
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _NoRedirect, urllib.request.HTTPSHandler(context=context)
    )


def _without_userinfo(url: str) -> str:
    """user:pass@ in a link is never used (nor looked up as a host name): credentials come from the run only."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def fetch(
    url: str,
    *,
    user_agent: str,
    method: str = "GET",
    timeout_s: float = 15,
    max_bytes: int = 2_000_000,
    allowed_hosts: list[str] | None = None,
    verify_tls: bool = False,
    max_redirects: int = 20,
    read_body: bool = True,
) -> Fetched:
    """One request (following redirects), bounded in time and size; never raises for network trouble."""
    result = Fetched(url=url)
    deadline = time.monotonic() + timeout_s
    opener = _opener(verify_tls)
    current = url
    for _hop in range(max_redirects + 1):
        current = _without_userinfo(current)
        if not host_allowed(current, allowed_hosts):
            result.error = f"blocked: host not allowed ({host_of(current)})"
            return result
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            result.error, result.transient = f"timeout after {timeout_s:g}s", True
            return result
        headers = {"User-Agent": user_agent, "Accept": "*/*", "Accept-Encoding": "identity"}
        auth = secrets.authorization(current)  # checked at every hop: a redirect elsewhere gets none
        if auth:
            headers["Authorization"] = auth
        request = urllib.request.Request(current, method=method, headers=headers)
        try:
            response = opener.open(request, timeout=remaining)
        except urllib.error.HTTPError as e:  # 3xx (we do not follow automatically) and 4xx/5xx
            response = e
        except TimeoutError:
            result.error, result.transient = f"timeout after {timeout_s:g}s", True
            return result
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                result.error, result.transient = f"timeout after {timeout_s:g}s", True
            elif isinstance(reason, ssl.SSLError):
                result.error = f"tls: {getattr(reason, 'verify_message', None) or reason}"
            else:
                result.error = f"connection: {reason}"
                result.transient = isinstance(reason, (ConnectionResetError, ConnectionRefusedError))
            return result
        except (OSError, ValueError, http.client.HTTPException) as e:
            result.error = f"connection: {type(e).__name__}: {e}"
            result.transient = isinstance(e, (ConnectionResetError,))
            return result
        with response:
            status = response.status if hasattr(response, "status") and response.status else response.code
            headers = {k.lower(): v for k, v in response.headers.items()}
            location = headers.get("location")
            if 300 <= status < 400 and location:
                result.redirects.append(current)
                current = urljoin(current, location)
                continue
            result.final_url, result.status, result.headers = current, status, headers
            result.transient = status in TRANSIENT_STATUS
            length = headers.get("content-length")
            result.size = int(length) if length and length.isdigit() else None
            if read_body and method != "HEAD":
                _read(response, result, deadline, max_bytes, timeout_s)
            return result
    result.error = f"too many redirects (more than {max_redirects})"
    return result


def _read(response, result: Fetched, deadline: float, max_bytes: int, timeout_s: float) -> None:
    chunks, total = [], 0
    try:
        while True:
            if time.monotonic() > deadline:
                result.error, result.transient = f"timeout after {timeout_s:g}s (body)", True
                break
            chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
            if not chunk:
                if result.size is None:
                    result.size = total
                break
            chunks.append(chunk)
            total += len(chunk)
            if total >= max_bytes:
                break
    except TimeoutError:
        result.error, result.transient = f"timeout after {timeout_s:g}s (body)", True
    except (OSError, http.client.HTTPException) as e:
        result.error = f"connection: {type(e).__name__}: {e}"
    result.body = b"".join(chunks)


def retry_after_s(value: str | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff_s(attempt: int) -> float:
    """0.5 s, 1 s, 2 s ... with jitter, so that retries do not arrive in step."""
    return min(8.0, 0.5 * 2**attempt) * (0.75 + random.random() / 2)


async def light_fetch(
    gate: HostGate, url: str, *, user_agent: str, retries: int = 2, retry_after_cap_s: float = 30, **kwargs
) -> Fetched:
    """fetch() in a thread, through the host gate, retried with backoff for transient failures only."""
    netloc = host_of(url)
    attempt = 0
    while True:
        permit = await gate.acquire(netloc)
        try:
            result = await asyncio.to_thread(fetch, url, user_agent=user_agent, **kwargs)
        finally:
            permit.release()
        if not result.transient or attempt >= retries:
            return result
        wait = retry_after_s(result.headers.get("retry-after")) if result.status else None
        wait = backoff_s(attempt) if wait is None else min(wait, retry_after_cap_s)
        gate.pause(netloc, wait)
        attempt += 1
