"""The forms procedure pages link to (mẫu đơn, tờ khai), fetched and checked for accessibility (crawler/checks/
documents.py: tagged PDF, language, title, real text; DOCX title, language, alternative texts).

Fetched by the light client through the egress like every request (at most MAX_BYTES each, at most
`settings.document_checks` per portal, in the order the crawl found them), and checked in a subprocess with a
memory limit and a deadline: a document is input the portal controls.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys

from portalscore.contract.evidence import LinkCheck, Violation, from_dict

from .lighthttp import light_fetch
from .pool import BrowserPool

MAX_BYTES = 10_000_000  # a bigger form is checked as far as its first 10 MB go (a PDF needs its end: then unread)
CHECK_TIMEOUT_S = 20.0
CHECK_MEMORY_BYTES = 1_000_000_000  # the checker's address space
CHECKED_TYPES = ("pdf", "docx", "msword", "wordprocessingml", "octet-stream")
CHECKED_EXTENSIONS = (".pdf", ".docx", ".doc")


def worth_checking(check: LinkCheck) -> bool:
    """A document link that answered and looks like a PDF or Word form."""
    if check.kind != "document" or check.broken:
        return False
    path = check.url.split("?")[0].split("#")[0].lower()
    return path.endswith(CHECKED_EXTENSIONS) or any(t in check.content_type.lower() for t in CHECKED_TYPES)


async def check_documents(pool: BrowserPool, checks: list[LinkCheck]) -> None:
    """Fetch and check the first documents worth it; the findings go into each LinkCheck (violations, or
    check_error naming why it could not be checked)."""
    chosen = [c for c in checks if worth_checking(c)][: pool.settings.document_checks]
    await asyncio.gather(*(_one(pool, c) for c in chosen))


async def _one(pool: BrowserPool, check: LinkCheck) -> None:
    s = pool.settings
    fetched = await light_fetch(
        pool.light,
        pool.gate,
        check.url,
        retries=min(1, s.retries),
        timeout_s=max(s.request_timeout_s, 30.0),
        max_bytes=MAX_BYTES,
        allowed_hosts=s.allowed_hosts,
        max_redirects=s.max_redirects,
    )
    if fetched.error or fetched.status is None or fetched.status >= 400:
        check.check_error = f"not fetched for checking: {fetched.error or f'http {fetched.status}'}"
        return
    if len(fetched.body) >= MAX_BYTES:
        check.check_error = f"not checked: larger than {MAX_BYTES // 1_000_000} MB"
        return
    result = await _run_checker(fetched.body, fetched.headers.get("content-type", check.content_type), check.url)
    found = result.get("violations")
    if isinstance(found, list):
        check.violations = [from_dict(Violation, v) for v in found]
        check.checked = True
    else:
        check.check_error = str(result.get("not_checked", "not checked"))


def _limit_memory() -> None:  # in the child, before it runs: a bomb meets this limit, not the machine's
    resource.setrlimit(resource.RLIMIT_AS, (CHECK_MEMORY_BYTES, CHECK_MEMORY_BYTES))


async def _run_checker(data: bytes, content_type: str, url: str) -> dict[str, object]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "portalscore.crawler.checks.document_worker",
        url,
        content_type,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        preexec_fn=_limit_memory,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(data), CHECK_TIMEOUT_S)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return {"not_checked": f"not checked: reading the document took over {CHECK_TIMEOUT_S:g}s"}
    try:
        result: dict[str, object] = json.loads(out.decode("utf-8") or "{}")
    except ValueError:
        result = {}
    if not result:  # killed by its memory limit, or crashed
        return {"not_checked": "not checked: the document could not be read within the checker's limits"}
    return result
