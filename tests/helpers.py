"""Helpers for tests: run the real command line, as a user would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = ["127.0.0.1", "localhost"]


def portalscore_cli(*args: str, env: dict | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "portalscore", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


def run_portal(
    farm_url: str, portal_id: str, db: str, out: Path, *flags: str, max_pages: int = 3, env: dict | None = None
) -> None:
    """`portalscore run` of a one-portal registry (written beside `out`) into `db`, journeys off, quietly."""
    registry = out.parent / f"{portal_id}.yaml"
    registry.write_text(
        f"name: {portal_id}-test\nportals:\n  - id: {portal_id}\n    name: Cổng thử nghiệm\n"
        f"    kind: province\n    url: {farm_url}\n",
        encoding="utf-8",
    )
    proc = portalscore_cli(
        "run",
        "--registry",
        str(registry),
        "--db",
        db,
        "--out",
        str(out),
        "--max-pages",
        str(max_pages),
        "--lab-runs",
        "1",
        "--no-scenarios",
        "--allow-host",
        "127.0.0.1",
        "-q",
        *flags,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def marked_processes(token: bytes) -> list[int]:
    """Live processes carrying this mark (NAME=VALUE) in their environment (zombies have none): a process and
    everything it started, Chromium included, which Playwright starts in a session of its own."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if token in f.read():
                        found.append(int(entry))
            except OSError:
                continue
    return found


def kill_marked(token: bytes, timeout_s: float = 30) -> None:
    """SIGKILL every process carrying the mark, until none is left."""
    deadline = time.monotonic() + timeout_s
    while (left := marked_processes(token)) and time.monotonic() < deadline:
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)
    assert not marked_processes(token), f"processes survived the kill: {marked_processes(token)}"
