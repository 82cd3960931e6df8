"""What the DevTools Network domain tells about one page's requests: counts, bytes, hosts, failures, the document's
own hops, and whether anything is still in flight (the settle before the DOM is read)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from portalscore.contract.evidence import FailedRequest

from .urls import site_host

MAX_LISTED = 50  # console errors, failed requests, notes: a sample is evidence enough
MAX_TRACKED = 5000  # requests whose URL and type are remembered: a page that sends 100,000 must not grow us
PROXY_ERRORS = ("ERR_SOCKS_CONNECTION_FAILED", "ERR_PROXY_CONNECTION_FAILED", "ERR_TUNNEL_CONNECTION_FAILED")


@dataclass
class NetworkLog:
    site_hosts: set[str]
    main_frame: str = ""  # DevTools frame id of the page's top frame
    inflight: set[str] = field(default_factory=set)
    last_activity: float = field(default_factory=time.monotonic)
    requests: int = 0
    bytes_total: int = 0
    bytes_by_type: dict[str, int] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    hosts: set[str] = field(default_factory=set)
    http_urls: list[str] = field(default_factory=list)
    failed: list[FailedRequest] = field(default_factory=list)
    proxy_failures: list[str] = field(default_factory=list)  # URLs the egress proxy refused or could not reach
    document_url: str = ""  # the top document's latest hop (a redirect's target included)
    document_request: str = ""
    document_received: bool = False  # the top document's bytes have all arrived
    received: int = 0
    emc: bool = False

    def on_request(self, e: dict[str, Any]) -> None:
        self.requests += 1
        request_id = e["requestId"]
        self.inflight.add(request_id)
        self.last_activity = time.monotonic()
        url = e["request"]["url"]
        if e.get("type") == "Document" and e.get("frameId") == self.main_frame and request_id == e.get("loaderId"):
            self.document_url = url
            self.document_request = request_id
        if len(self.urls) < MAX_TRACKED:
            self.urls[request_id] = url
        if "gov-tracking" in url:
            self.emc = True
        if url.startswith(("http:", "https:")):
            if len(self.hosts) < MAX_TRACKED:
                self.hosts.add(urlsplit(url).netloc)
            if url.startswith("http:") and len(self.http_urls) < MAX_LISTED:
                self.http_urls.append(url)

    def on_response(self, e: dict[str, Any]) -> None:
        self.last_activity = time.monotonic()
        if len(self.types) < MAX_TRACKED:
            self.types[e["requestId"]] = str(e.get("type", "other")).lower()
        status = e["response"].get("status", 0)
        if status >= 400 and len(self.failed) < MAX_LISTED:
            self.failed.append(FailedRequest(url=e["response"].get("url", ""), status=status))

    def on_data(self, e: dict[str, Any]) -> None:
        self.received += max(e.get("encodedDataLength", 0), e.get("dataLength", 0))

    def on_finished(self, e: dict[str, Any]) -> None:
        self._done(e["requestId"])
        if e["requestId"] == self.document_request:
            self.document_received = True
        self.urls.pop(e["requestId"], None)
        size = int(e.get("encodedDataLength", 0))
        self.bytes_total += size
        kind = self.types.pop(e["requestId"], "other")
        self.bytes_by_type[kind] = self.bytes_by_type.get(kind, 0) + size

    def on_failed(self, e: dict[str, Any]) -> None:
        self._done(e["requestId"])
        self.types.pop(e["requestId"], None)
        reason = str(e.get("blockedReason") or e.get("errorText", "failed"))
        url = self.urls.get(e["requestId"], "")
        if any(code in reason for code in PROXY_ERRORS) and len(self.proxy_failures) < MAX_LISTED:
            self.proxy_failures.append(url)
        if len(self.failed) < MAX_LISTED and not e.get("canceled"):
            self.failed.append(FailedRequest(url=url, error=reason))

    def _done(self, request_id: str) -> None:
        self.inflight.discard(request_id)
        self.last_activity = time.monotonic()

    def third_party(self) -> list[str]:
        return sorted(h for h in self.hosts if site_host(h) not in self.site_hosts)
