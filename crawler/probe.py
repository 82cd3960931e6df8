"""What one registry address leads to, without a browser: DNS, TLS, redirects and final host, HTTP status, and
whether the page looks like an online public-service (DVCTT) portal. For `portalscore registry check`.

Everything goes through the run's network policy: the name is resolved and its addresses checked by
NetPolicy.resolve (the rule the egress proxy applies), and the request itself is a GET through the egress proxy
(LightClient). The page is read as served (no script runs): a single-page app is judged on its HTML shell, whose
title usually names the portal.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from portalscore.contract.evidence import TlsCheck

from .hostgate import HostGate
from .lighthttp import Fetched, LightClient, light_fetch, tls_check
from .netpolicy import DEFAULT_PORTS, Refusal, ascii_host

MAX_BODY = 1_000_000
# Words and traces of a DVCTT portal (../shared/reference/portal-patterns.md): its own name, its functions' labels,
# the national portal's single sign-on and payment platform, the OpenCPS platform most provinces run.
TEXT_SIGNALS = (
    "dịch vụ công",
    "thủ tục hành chính",
    "tra cứu hồ sơ",
    "nộp hồ sơ",
    "phản ánh kiến nghị",
    "thanh toán trực tuyến",
)
# The portal naming itself in its title: the one trace a single-page app's HTML shell carries before any script runs.
TITLE_SIGNALS = ("cổng dịch vụ công", "hệ thống dịch vụ công", "dịch vụ công trực tuyến", "cổng dvc")
CODE_SIGNALS = {
    "xacthuc.dichvucong.gov.vn": "the national single sign-on",
    "/o/rest/v2": "OpenCPS",
    "opencps": "OpenCPS",
    "vneid": "VNeID",
}
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_TAGS = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")


@dataclass
class Probe:
    url: str
    addresses: list[str] = field(default_factory=list)  # what the name resolved to (every one allowed)
    dns_error: str | None = None
    refused: str | None = None  # the network policy would not contact it (an internal address, a host not allowed)
    tls: TlsCheck | None = None  # of the final https address; None when it ends on plain http
    redirects: list[str] = field(default_factory=list)  # the addresses that redirected, in order
    final_url: str = ""
    final_host: str = ""
    status: int | None = None
    error: str | None = None  # why no answer came (connection refused, timeout, ...)
    title: str = ""
    signals: list[str] = field(default_factory=list)  # what makes the page look like a DVCTT portal

    @property
    def looks_like_portal(self) -> bool:
        """Two independent traces at least: the words "dịch vụ công" alone appear on news sites too."""
        return len(self.signals) >= 2


def _text(body: bytes, content_type: str) -> tuple[str, str]:
    """(title, visible text) of an HTML answer, NFC-normalised and lower-cased for matching (older CMSs serve NFD)."""
    charset = "utf-8"
    if "charset=" in content_type:
        charset = content_type.split("charset=", 1)[1].split(";")[0].strip() or charset
    else:
        declared = _CHARSET.search(body[:4096])
        if declared:
            charset = declared.group(1).decode("ascii")
    try:
        text = body.decode(charset, "replace")
    except LookupError:
        text = body.decode("utf-8", "replace")
    m = _TITLE.search(text)
    title = _SPACE.sub(" ", m.group(1)).strip() if m else ""
    return unicodedata.normalize("NFC", title), unicodedata.normalize("NFC", text)


def signals_of(title: str, html: str, host: str) -> list[str]:
    """The traces of a DVCTT portal in a page, named (for the report)."""
    visible = _SPACE.sub(" ", _TAGS.sub(" ", html)).lower()
    raw = html.lower()
    found = [f'title "{title}"'] if any(name in title.lower() for name in TITLE_SIGNALS) else []
    found += [f'text "{w}"' for w in TEXT_SIGNALS if w in visible or w in title.lower()]
    found += [f"link or code of {name} ({needle})" for needle, name in CODE_SIGNALS.items() if needle in raw]
    if "dichvucong" in host or host.startswith("dvc.") or ".dvc." in host:
        found.append(f"host name {host}")
    return list(dict.fromkeys(found))


async def probe_url(client: LightClient, gate: HostGate, url: str, timeout_s: float = 20) -> Probe:
    """One registry address, followed to where it leads; never raises for what the network or a server does."""
    probe = Probe(url=url)
    parts = urlsplit(url)
    try:
        host = ascii_host(parts.hostname or "")
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except (ValueError, KeyError) as e:
        probe.error = f"not a valid http(s) URL: {e}"
        return probe
    resolved = await asyncio.to_thread(client.egress.policy.resolve, host, port, timeout_s)
    if isinstance(resolved, Refusal):
        if resolved.kind == "dns":
            probe.dns_error = resolved.message
        else:
            probe.refused = resolved.message
        return probe
    probe.addresses = [str(ip) for ip in resolved]
    fetched = await light_fetch(client, gate, url, retries=1, timeout_s=timeout_s, max_bytes=MAX_BODY, verify_tls=True)
    tls_error = fetched.error if fetched.error and fetched.error.startswith("tls") else None
    if tls_error:  # not trusted: what does it serve all the same? (browsers would warn; the report says so)
        fetched = await light_fetch(client, gate, url, retries=1, timeout_s=timeout_s, max_bytes=MAX_BODY)
    _record(probe, fetched, tls_error)
    return probe


def _record(probe: Probe, fetched: Fetched, tls_error: str | None) -> None:
    probe.redirects = list(fetched.redirects)
    probe.final_url = fetched.final_url
    probe.final_host = urlsplit(fetched.final_url).hostname or "" if fetched.final_url else ""
    probe.status = fetched.status
    probe.error = fetched.error
    last = fetched.final_url or (fetched.redirects[-1] if fetched.redirects else probe.url)
    if last.startswith("https:") and (tls_error or fetched.tls):
        probe.tls = tls_check(tls_error is None, tls_error, fetched.tls or {})
    if fetched.status is not None and fetched.body:
        title, html = _text(fetched.body, fetched.headers.get("content-type", ""))
        probe.title = title[:300]
        probe.signals = signals_of(title, html, probe.final_host)
