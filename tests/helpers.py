"""Helpers for tests: run the real command line, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
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


def run_portal(farm_url: str, portal_id: str, db: str, out: Path, *flags: str, max_pages: int = 3) -> None:
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
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
