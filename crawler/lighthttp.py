"""Light HTTP requests (robots.txt, sitemaps, link checks, TLS and redirect checks) without a browser.

httpx (which speaks only HTTP(S)), through the run's egress proxy like the browser, so the network policy holds
for every hop; redirects are followed by hand so that each hop's scheme is checked before anything is sent and
each hop is recorded. Bounded in time (a wall-clock deadline over the whole exchange: a slow-drip body cannot hold
us) and in bytes; the per-host gate of the run spaces and bounds requests. Never raises for anything a server or
the network does: every failure comes back as a named `error`.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from portalscore.contract import secrets
from portalscore.contract.evidence import TlsCheck

from .certinfo import certificate_facts
from .egress import Egress
from .failures import refusal_of
from .hostgate import HostGate
from .netpolicy import display_host
from .urls import host_allowed, host_of

TRANSIENT_STATUS = {429, 502, 503, 504}
_CHUNK = 65536


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
    tls: dict[str, Any] | None = None  # the final https hop's TLS version and certificate facts (crawler/certinfo.py)


def _without_userinfo(url: str) -> str:
    """user:pass@ in a link is never used (nor looked up as a host name): credentials come from the run only."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


class LightClient:
    """The run's light requests: two connection pools through the egress proxy (one that verifies certificates,
    for the TLS check, one that does not: an invalid certificate is a finding, not a stop)."""

    def __init__(self, egress: Egress, user_agent: str):
        self.egress = egress
        self.user_agent = user_agent
        self._clients: dict[bool, httpx.AsyncClient] = {}

    def _client(self, verify: bool) -> httpx.AsyncClient:
        client = self._clients.get(verify)
        if client is None:
            client = self._clients[verify] = httpx.AsyncClient(
                proxy=self.egress.proxy_url,
                verify=ssl.create_default_context() if verify else False,
                trust_env=False,  # the environment's proxies must not see portal traffic
                follow_redirects=False,
                limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
            )
        return client

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        timeout_s: float = 15,
        max_bytes: int = 2_000_000,
        allowed_hosts: list[str] | None = None,
        verify_tls: bool = False,
        max_redirects: int = 20,
        read_body: bool = True,
    ) -> Fetched:
        """One request (following redirects), bounded in time and size; never raises."""
        result = Fetched(url=url)
        started = time.monotonic()
        try:
            async with asyncio.timeout(timeout_s):
                await self._follow(
                    result,
                    url,
                    method,
                    timeout_s,
                    max_bytes,
                    allowed_hosts,
                    verify_tls,
                    max_redirects,
                    read_body,
                    started,
                )
        except TimeoutError:
            if result.status is not None and read_body:
                result.error = f"timeout after {timeout_s:g}s (body)"
            else:
                result.error = f"timeout after {timeout_s:g}s"
            result.transient = True
        except Exception as e:
            result.error = f"request failed: {type(e).__name__}: {str(e)[:200]}"
        return result

    async def _follow(
        self,
        result: Fetched,
        url: str,
        method: str,
        timeout_s: float,
        max_bytes: int,
        allowed_hosts: list[str] | None,
        verify_tls: bool,
        max_redirects: int,
        read_body: bool,
        started: float,
    ) -> None:
        current = url
        client = self._client(verify_tls)
        for _hop in range(max_redirects + 1):
            current = _without_userinfo(current)
            refusal = self.egress.policy.check_url(current)
            if refusal is not None:
                result.error = f"blocked: {refusal.message}" if refusal.kind == "host-not-allowed" else refusal.message
                if current != url:
                    result.error = f"redirects to {current[:200]}: {result.error}"
                return
            if not host_allowed(current, allowed_hosts):
                result.error = f"blocked: host not allowed ({host_of(current)})"
                return
            headers = {"User-Agent": self.user_agent, "Accept": "*/*", "Accept-Encoding": "identity"}
            auth = secrets.authorization(current)  # checked at every hop: a redirect elsewhere gets none
            if auth:
                headers["Authorization"] = auth
            try:
                request = client.build_request(method, current, headers=headers, timeout=timeout_s)
                response = await client.send(request, stream=True)
            except httpx.HTTPError as e:
                result.error, result.transient = self._named(e, current, started)
                return
            try:
                status = response.status_code
                response_headers = {k.lower(): v for k, v in response.headers.items()}
                location = response_headers.get("location")
                if 300 <= status < 400 and location:
                    result.redirects.append(current)
                    current = urljoin(current, location)
                    continue
                result.final_url, result.status, result.headers = current, status, response_headers
                result.transient = status in TRANSIENT_STATUS
                length = response_headers.get("content-length")
                result.size = int(length) if length and length.isdigit() else None
                if current.startswith("https:"):  # also unverified: the protocol version is known either way
                    result.tls = _tls_facts(response)
                if read_body and method != "HEAD":
                    await _read(response, result, max_bytes)
                return
            finally:
                await response.aclose()
        result.error = f"too many redirects (more than {max_redirects})"

    def _named(self, e: httpx.HTTPError, url: str, started: float) -> tuple[str, bool]:
        """A failed exchange, named for what happened; and whether a retry may help."""
        if isinstance(e, httpx.ProxyError):
            refusal = refusal_of(self.egress, url, started)
            if refusal is not None:
                return refusal.message, refusal.kind == "timeout"
            return f"connection: the egress proxy could not reach {display_host(urlsplit(url).hostname or '')}", True
        if isinstance(e, httpx.TimeoutException):
            return "timeout: no answer in time", True
        cause = e.__cause__ or e.__context__
        text = str(e) or type(e).__name__
        if isinstance(cause, ssl.SSLError) or "CERTIFICATE" in text.upper() or "SSL" in text.upper():
            detail = getattr(cause, "verify_message", None) or getattr(cause, "reason", None) or text
            return f"tls: {detail}"[:300], False
        if isinstance(e, httpx.RemoteProtocolError):
            if "without sending" in text or "disconnected" in text.lower():
                return "the server closed the connection without an answer", True
            return f"protocol: the server's answer is not valid HTTP ({text[:150]})", False
        if isinstance(e, httpx.ReadError | httpx.WriteError):
            return f"connection reset while talking to the server ({text[:150]})", True
        if isinstance(e, httpx.UnsupportedProtocol):
            return f"not an http(s) URL: {url[:200]}", False
        if isinstance(e, httpx.DecodingError):
            return f"the answer could not be decoded ({text[:150]})", False
        return f"connection: {type(e).__name__}: {text[:200]}", isinstance(e, httpx.ConnectError)


async def _read(response: httpx.Response, result: Fetched, max_bytes: int) -> None:
    chunks, total = [], 0
    try:
        async for chunk in response.aiter_bytes(_CHUNK):
            chunks.append(chunk)
            total += len(chunk)
            if total >= max_bytes:
                break
        else:
            if result.size is None:
                result.size = total
    except httpx.HTTPError as e:
        result.error = f"connection: the body was cut off ({type(e).__name__})"
    result.body = b"".join(chunks)[:max_bytes]


def _tls_facts(response: httpx.Response) -> dict[str, Any] | None:
    """The peer certificate's issuer, expiry and the TLS version, as the connection saw them. For a verified peer
    from ssl's own reading; for an unverified one (ssl then describes nothing) from the certificate's bytes."""
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:
        return None
    version = ssl_object.version() or ""
    cert = ssl_object.getpeercert() or {}
    if not cert:
        der = ssl_object.getpeercert(binary_form=True)
        return {**(certificate_facts(der) if der else {}), "version": version}
    issuer = {k: v for rdn in cert.get("issuer", ()) for k, v in rdn}
    not_after = cert.get("notAfter")
    expires = email.utils.parsedate_to_datetime(not_after).isoformat() if not_after else None
    days_left = None
    if not_after:
        days_left = int((ssl.cert_time_to_seconds(not_after) - time.time()) // 86400)
    return {
        "issuer": issuer.get("organizationName") or issuer.get("commonName") or "",
        "expires": expires,
        "days_left": days_left,
        "version": version,
    }


def tls_check(valid: bool, error: str | None, facts: dict[str, Any]) -> TlsCheck:
    """The typed evidence of a TLS check from the facts `_tls_facts` read."""
    days_left = facts.get("days_left")
    return TlsCheck(
        valid=valid,
        error=error,
        issuer=str(facts.get("issuer") or ""),
        expires=facts.get("expires"),
        days_left=days_left if isinstance(days_left, int) else None,
        version=str(facts.get("version") or ""),
    )


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
    return float(min(8.0, 0.5 * 2**attempt) * (0.75 + random.random() / 2))


async def light_fetch(
    client: LightClient,
    gate: HostGate,
    url: str,
    *,
    retries: int = 2,
    retry_after_cap_s: float = 30,
    **kwargs: Any,
) -> Fetched:
    """client.fetch() through the host gate, retried with backoff for transient failures only."""
    netloc = host_of(url)
    attempt = 0
    while True:
        permit = await gate.acquire(netloc)
        try:
            result = await client.fetch(url, **kwargs)
        finally:
            permit.release()
        if not result.transient or attempt >= retries:
            return result
        wait = retry_after_s(result.headers.get("retry-after")) if result.status else None
        wait = backoff_s(attempt) if wait is None else min(wait, retry_after_cap_s)
        gate.pause(netloc, wait)
        attempt += 1
