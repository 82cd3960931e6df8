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
from dataclasses import dataclass, field

from playwright.async_api import Page, Response

MAX_RESPONSES = 300  # per page: a page making thousands of requests is archived in part, and says so
MAX_RESPONSE_BYTES = 5_000_000  # one body bigger than this is recorded without it
MAX_PAGE_BYTES = 25_000_000  # all bodies of one page together
BODY_TIMEOUT_S = 5.0


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
    request_headers: list[tuple[str, str]] = field(default_factory=list)
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
        """Every recorded response with its body where it may be kept; and notes on what was left out."""
        notes: list[str] = []
        if self.dropped:
            notes.append(f"archive: {self.dropped} responses beyond the first {MAX_RESPONSES} not archived")
        budget = MAX_PAGE_BYTES
        deadline = time.monotonic() + timeout_s
        results: list[Capture] = []
        for response, at in list(self.responses):
            headers = [(h["name"], h["value"]) for h in await response.headers_array()]
            body: bytes | None = None
            skipped = ""
            length = next((v for k, v in headers if k.lower() == "content-length"), "")
            if 300 <= response.status < 400:
                skipped = "redirect"
            elif length.isdigit() and int(length) > min(MAX_RESPONSE_BYTES, budget):
                skipped = f"body of {int(length)} bytes over the archive's cap"
            else:
                body, skipped = await _body(response, deadline - time.monotonic(), min(MAX_RESPONSE_BYTES, budget))
            if body is not None:
                budget -= len(body)
            elif skipped != "redirect" and len(notes) < 5:
                notes.append(f"archive: {response.url[:150]}: {skipped}")
            request = response.request
            results.append(
                Capture(
                    url=response.url,
                    status=response.status,
                    reason=response.status_text,
                    headers=headers,
                    body=body,
                    date=_iso(at),
                    method=request.method,
                    request_headers=[(h["name"], h["value"]) for h in await request.headers_array()],
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
