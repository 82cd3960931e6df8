"""The requests of one load as the network simulation needs them (crawler/netsim.py): when each was sent, got its
headers and finished, how many bytes, over which protocol, and which request it was found in. Bounded: a page that
sends thousands of requests is traced on its first `netsim.MAX_SIMULATED`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import CDPSession

from .netsim import MAX_SIMULATED, Req

MULTIPLEXED = ("h2", "h2c", "h3", "quic")
RENDER_BLOCKING = ("Blocking", "InBodyParserBlocking")


@dataclass
class _Open:
    url: str
    kind: str
    start: float
    parent: str | None
    blocking: bool
    priority: str
    headers: float | None = None
    multiplexed: bool = False


@dataclass
class NetTrace:
    zero: float | None = None  # the navigation's first request: time 0, as the page's own timings count
    document: str | None = None
    open: dict[str, _Open] = field(default_factory=dict)
    done: list[Req] = field(default_factory=list)
    by_url: dict[str, str] = field(default_factory=dict)  # URL -> key of its latest request
    hops: dict[str, int] = field(default_factory=dict)  # request id -> redirects so far
    truncated: bool = False

    def attach(self, cdp: CDPSession) -> None:
        cdp.on("Network.requestWillBeSent", self.on_request)
        cdp.on("Network.responseReceived", self.on_response)
        cdp.on("Network.loadingFinished", self.on_finished)
        cdp.on("Network.loadingFailed", self.on_failed)

    def _key(self, request_id: str) -> str:
        return f"{request_id}#{self.hops.get(request_id, 0)}"

    def on_request(self, e: dict[str, Any]) -> None:
        rid, ts = e["requestId"], float(e["timestamp"])
        url = e["request"]["url"]
        if self.zero is None:
            if e.get("type") != "Document":
                return  # nothing before the navigation counts
            self.zero, self.document = ts, rid
        if rid in self.hops or self._key(rid) in self.open:  # a redirect: the hop before it ends here
            hop = self.open.pop(self._key(rid), None)
            if hop is not None:
                self._close(self._key(rid), hop, ts, int(e.get("redirectResponse", {}).get("encodedDataLength", 0)))
            self.hops[rid] = self.hops.get(rid, 0) + 1
            parent: str | None = f"{rid}#{self.hops[rid] - 1}"
        else:
            parent = self._parent(e)
        if len(self.open) + len(self.done) >= MAX_SIMULATED:
            self.truncated = True
            return
        key = self._key(rid)
        blocking = e.get("renderBlockingBehavior") in RENDER_BLOCKING
        priority = str(e["request"].get("initialPriority", "High"))
        self.open[key] = _Open(url, str(e.get("type", "other")).lower(), ts - self.zero, parent, blocking, priority)
        self.by_url[url] = key

    def _parent(self, e: dict[str, Any]) -> str | None:
        """The request this one was found in: the document or stylesheet its parser read, the script that asked."""
        if e["requestId"] == self.document:
            return None
        initiator = e.get("initiator") or {}
        url = initiator.get("url", "")
        stack = initiator.get("stack")
        while not url and stack:
            url = next((f.get("url", "") for f in stack.get("callFrames", []) if f.get("url")), "")
            stack = stack.get("parent")
        return self.by_url.get(url) or (f"{self.document}#0" if self.document else None)

    def on_response(self, e: dict[str, Any]) -> None:
        hop = self.open.get(self._key(e["requestId"]))
        if hop is None or self.zero is None:
            return
        response = e.get("response", {})
        timing = response.get("timing")
        if timing and timing.get("requestTime"):
            end = timing.get("receiveHeadersEnd", 0.0)
            hop.headers = float(timing["requestTime"]) + max(0.0, end) / 1000 - self.zero
        else:
            hop.headers = float(e["timestamp"]) - self.zero
        hop.multiplexed = str(response.get("protocol", "")).lower() in MULTIPLEXED

    def on_finished(self, e: dict[str, Any]) -> None:
        key = self._key(e["requestId"])
        hop = self.open.pop(key, None)
        if hop is not None:
            self._close(key, hop, float(e["timestamp"]), int(e.get("encodedDataLength", 0)))

    def on_failed(self, e: dict[str, Any]) -> None:
        key = self._key(e["requestId"])
        hop = self.open.pop(key, None)
        if hop is not None:
            self._close(key, hop, float(e["timestamp"]), 0)

    def _close(self, key: str, hop: _Open, ts: float, size: int) -> None:
        assert self.zero is not None
        finish = max(hop.start, ts - self.zero)
        headers = min(finish, hop.headers if hop.headers is not None else finish)
        self.done.append(
            Req(
                key=key,
                url=hop.url,
                origin=f"{urlsplit(hop.url).scheme}://{urlsplit(hop.url).netloc}",
                kind=hop.kind,
                start=hop.start,
                headers=max(hop.start, headers),
                finish=finish,
                size=max(0, size),
                parent=hop.parent,
                multiplexed=hop.multiplexed,
                blocking=hop.blocking,
                priority=hop.priority,
            )
        )

    def requests(self) -> list[Req]:
        """The finished requests (one still open when the figures were read finished after all of them)."""
        return list(self.done)
