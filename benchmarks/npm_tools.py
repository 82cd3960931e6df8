"""Lighthouse and pa11y-ci, run as their users run them, for benchmarks/crawl_bench.py to compare against.

Both come pinned from benchmarks/tools (package.json + package-lock.json; `make bench-tools` runs
`npm ci` there with PUPPETEER_SKIP_DOWNLOAD=1) or, failing that, from PATH. Both drive the very binary
portalscore drives (crawler.browser.chromium_path: Debian's headless shell) with the crawler's offline flags (CHROMIUM_ARGS: no background
networking, no component updates, no sandbox as root), so neither tries to reach the internet.

Lighthouse: the CLI once per URL, one after another, with --only-categories=accessibility,performance
and otherwise its defaults (mobile form factor, simulated throttling, full-page screenshot, JSON output).
Its clock: the run's own timing.total (gather + audit), which leaves out node's start, config loading and
Chrome's launch, as portalscore's clock leaves out its browser launch; the CLI wall time is kept too.

pa11y-ci: one call over all the URLs from a generated config: its defaults (concurrency 1, an incognito
context per URL, WCAG2AA, 1280x1024) with the chosen runner (axe by default: the engine portalscore
runs) and the Chromium above. Its clock: tools/timing-reporter.js, from the queue's start (browser
already launched) to the end.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from pss import PeakMemory

from portalscore.crawler.browser import CHROMIUM_ARGS, chromium_path

TOOLS_DIR = Path(__file__).resolve().parent / "tools"
LIGHTHOUSE_CATEGORIES = "accessibility,performance"
LIGHTHOUSE_PAGE_TIMEOUT = 300.0  # seconds; Lighthouse's own page-load cap is 45 s
PA11Y_PAGE_TIMEOUT = 90.0  # seconds, for our kill switch only; pa11y keeps its own 60 s default


def tool_path(name: str) -> str | None:
    """The pinned install under benchmarks/tools, else the one on PATH, else None."""
    local = TOOLS_DIR / "node_modules" / ".bin" / name
    return str(local) if local.exists() else shutil.which(name)


@dataclass
class ToolRun:
    pages: int  # pages the tool evaluated without an error
    seconds: float  # the tool's own clock (see the module docstring)
    wall: float  # the whole of its CLI calls, node start and browser launch included
    peak_mb: float  # PSS over the tool's processes (node and its Chromium)
    errors: list[str]

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def wall_rate(self) -> float:
        return self.pages / self.wall if self.wall else 0.0


async def _run(cmd: list[str], env: dict[str, str], log: Path, timeout: float) -> int:
    """Runs cmd in its own process group (so a timeout ends its Chromium too); output goes to log."""
    with open(log, "ab") as out:
        proc = await asyncio.create_subprocess_exec(*cmd, stdout=out, stderr=out, env=env, start_new_session=True)
        try:
            return await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
            return -1


def _env() -> dict[str, str]:
    return {**os.environ, "CHROME_PATH": chromium_path(), "PUPPETEER_SKIP_DOWNLOAD": "1"}


def lighthouse_command(binary: str, url: str, output: Path) -> list[str]:
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    return [
        binary,
        url,
        f"--only-categories={LIGHTHOUSE_CATEGORIES}",
        "--output=json",
        f"--output-path={output}",
        f"--chrome-flags={flags}",
    ]


async def run_lighthouse(binary: str, urls: list[str], workdir: Path) -> ToolRun:
    pages, seconds, errors = 0, 0.0, []
    log = workdir / "lighthouse.log"
    async with PeakMemory() as mem:
        t = time.monotonic()
        for i, url in enumerate(urls):
            output = workdir / f"lighthouse-{i}.json"
            rc = await _run(lighthouse_command(binary, url, output), _env(), log, LIGHTHOUSE_PAGE_TIMEOUT)
            try:
                lhr = json.loads(output.read_text())
            except (OSError, ValueError):
                errors.append(f"{url}: exit {rc}, no report (see {log})")
                continue
            scores = [c.get("score") for c in lhr.get("categories", {}).values()]
            if lhr.get("runtimeError") or len(scores) != 2 or None in scores:
                errors.append(f"{url}: {lhr.get('runtimeError') or 'a category has no score'}")
                continue
            pages += 1
            seconds += lhr["timing"]["total"] / 1000
        wall = time.monotonic() - t
    return ToolRun(pages, seconds, wall, mem.peak, errors)


def pa11y_ci_config(urls: list[str], runner: str, timing_file: Path) -> dict:
    return {
        "defaults": {
            "runners": [runner],
            "chromeLaunchConfig": {"executablePath": chromium_path(), "args": list(CHROMIUM_ARGS)},
            "reporters": ["cli", [str(TOOLS_DIR / "timing-reporter.js"), {"fileName": str(timing_file)}]],
        },
        "urls": list(urls),
    }


async def run_pa11y_ci(binary: str, urls: list[str], workdir: Path, runner: str = "axe") -> ToolRun:
    config, timing = workdir / "pa11y-ci.json", workdir / "pa11y-ci-timing.json"
    config.write_text(json.dumps(pa11y_ci_config(urls, runner, timing), indent=2))
    log = workdir / "pa11y-ci.log"
    async with PeakMemory() as mem:
        t = time.monotonic()
        # Exit 2 means "accessibility issues found": a normal outcome, not a failure of the tool.
        rc = await _run([binary, "--config", str(config)], _env(), log, PA11Y_PAGE_TIMEOUT * len(urls) + 60)
        wall = time.monotonic() - t
    try:
        measured = json.loads(timing.read_text())
    except (OSError, ValueError):
        return ToolRun(0, 0.0, wall, mem.peak, [f"exit {rc}, no timing (see {log})"])
    errors = [f"{measured['failed']} of {measured['total']} pages failed (see {log})"] if measured["failed"] else []
    return ToolRun(measured["evaluated"], measured["seconds"], wall, mem.peak, errors)
