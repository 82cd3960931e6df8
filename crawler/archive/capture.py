"""The responses one page load received, as the browser got them: Playwright's response events, bodies read after
the load within caps.

Why response events and not a HAR recording: a HAR is written for the whole context when it closes, every body
base64-inlined in one JSON document, with no per-response or per-page cap (an untrusted portal decides its size),
and would then be converted; the events give each response as it comes, its status line and headers in wire order
(duplicates kept), and let us skip a body before reading it (Content-Length) and stop at the page's cap.
The body Chromium hands over is decoded (no Content-Encoding left): the record says so (store.py)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from playwright.async_api import Page, Response

MAX_RESPONSES = 300  # per page: a page making thousands of requests is archived in part, and says so
MAX_RESPONSE_BYTES = 5_000_000  # one body bigger than this is recorded without it
MAX_PAGE_BYTES = 25_000_000  # all bodies of one page together
BODY_TIMEOUT_S = 5.0
BODIES_AT_ONCE = 6


@dataclass(frozen=True)
class Capture:
    """One response as received: what a WARC response record holds."""

    url: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes | None  # None: not kept (a redirect, too big, not readable); the headers still are
    date: str  # ISO 8601 UTC, when the response arrived
    method: str = "GET"
    skipped: str = ""  # why the body is not kept


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Recorder:
    """Attached to a page before its navigation; `captures()` after the load reads what arrived."""

    def __init__(self, page: Page):
        self.responses: list[tuple[Response, float]] = []
        self.dropped = 0
        page.on("response", self._on_response)

    def _on_response(self, response: Response) -> None:
        if not response.url.startswith(("http:", "https:")):
            return  # data: and blob: URLs are part of the page that made them
        if len(self.responses) >= MAX_RESPONSES:
            self.dropped += 1
            return
        self.responses.append((response, time.time()))

    async def captures(self, timeout_s: float) -> tuple[list[Capture], list[str]]:
        """Every recorded response with its body where it may be kept; and notes on what was left out. The bodies
        are asked for all at once (one round trip each to the browser, while the page holds a browser slot)."""
        notes: list[str] = []
        if self.dropped:
            notes.append(f"archive: {self.dropped} responses beyond the first {MAX_RESPONSES} not archived")
        recorded = list(self.responses)
        heads = await asyncio.gather(*(r.headers_array() for r, _at in recorded), return_exceptions=True)
        headers = [[(h["name"], h["value"]) for h in hs] if isinstance(hs, list) else [] for hs in heads]

        def wanted(i: int) -> str:
            response = recorded[i][0]
            length = next((v for k, v in headers[i] if k.lower() == "content-length"), "")
            if 300 <= response.status < 400:
                return "redirect"
            if length.isdigit() and int(length) > MAX_RESPONSE_BYTES:
                return f"body of {int(length)} bytes over the archive's cap"
            return ""

        skips = [wanted(i) for i in range(len(recorded))]
        # A few at a time: what Python holds at once is a few bodies, not the page.
        gate = asyncio.Semaphore(BODIES_AT_ONCE)

        async def body_of(response: Response) -> tuple[bytes | None, str]:
            async with gate:
                return await _body(response, timeout_s, MAX_RESPONSE_BYTES)

        bodies = await asyncio.gather(*(body_of(r) for (r, _at), skip in zip(recorded, skips) if not skip))
        fetched = iter(bodies)
        budget = MAX_PAGE_BYTES
        results: list[Capture] = []
        for (response, at), head, skipped in zip(recorded, headers, skips):
            body: bytes | None = None
            if not skipped:
                body, skipped = next(fetched)
            if body is not None and len(body) > budget:
                body, skipped = None, f"the page's archive cap ({MAX_PAGE_BYTES} bytes) reached"
            if body is not None:
                budget -= len(body)
            elif skipped != "redirect" and len(notes) < 5:
                notes.append(f"archive: {response.url[:150]}: {skipped}")
            results.append(
                Capture(
                    url=response.url,
                    status=response.status,
                    reason=response.status_text,
                    headers=head,
                    body=body,
                    date=_iso(at),
                    method=response.request.method,
                    skipped=skipped,
                )
            )
        return results, notes


async def _body(response: Response, left_s: float, cap: int) -> tuple[bytes | None, str]:
    """The decoded body, or None and why not."""
    try:
        body = await asyncio.wait_for(response.body(), max(0.1, min(BODY_TIMEOUT_S, left_s)))
    except Exception as e:  # evicted from the browser's buffer, still streaming, or the page is gone
        return None, f"body not readable: {type(e).__name__}"
    if len(body) > cap:
        return None, f"body of {len(body)} bytes over the archive's cap"
    return body, ""
