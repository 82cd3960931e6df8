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
    return subprocess.run([sys.executable, "-m", "portalscore", *args], cwd=ROOT, capture_output=True, text=True,
                          env=full_env, timeout=timeout)
