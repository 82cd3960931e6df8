"""Real PostgreSQL and Redis servers for tests, started once per test process by scripts/services.sh.

Tests that need them call `services()`: it starts both on free 127.0.0.1 ports the first time and
stops them when the process exits; it skips the test (with the reason) only when the Debian
binaries are not installed (scripts/setup.sh installs them).
"""

from __future__ import annotations

import atexit
import glob
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "services.sh"


@dataclass
class Services:
    db_url: str  # postgresql://portalscore@127.0.0.1:PORT/portalscore
    broker_url: str  # redis://127.0.0.1:PORT/0
    state_dir: str

    def fresh_database(self) -> str:
        """A new, empty database on the server: tests do not see each other's runs."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.db_url.rsplit("/", 1)[0] + "/" + name


_running: Services | None = None


def missing_binaries() -> str | None:
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb") and not shutil.which("initdb"):
        return "PostgreSQL server binaries not installed (apt-get install postgresql; scripts/setup.sh does it)"
    if not shutil.which("redis-server"):
        return "redis-server not installed (apt-get install redis-server; scripts/setup.sh does it)"
    return None


def start() -> Services:
    state = tempfile.mkdtemp(prefix="portalscore-services-")
    proc = subprocess.run(
        ["bash", str(SCRIPT), "start", state, "--no-install"], capture_output=True, text=True, timeout=120
    )
    if proc.returncode != 0:
        raise RuntimeError(f"scripts/services.sh start failed:\n{proc.stdout}\n{proc.stderr}")
    env = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    return Services(env["PORTALSCORE_DB"], env["PORTALSCORE_BROKER"], env["PORTALSCORE_SERVICES"])


def stop(svc: Services) -> None:
    subprocess.run(["bash", str(SCRIPT), "stop", svc.state_dir], capture_output=True, timeout=60)
    shutil.rmtree(svc.state_dir, ignore_errors=True)


def services() -> Services:
    global _running
    reason = missing_binaries()
    if reason:
        pytest.skip(reason)
    if _running is None:
        _running = start()
        atexit.register(stop, _running)
    return _running
