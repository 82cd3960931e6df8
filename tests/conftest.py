"""Shared fixtures: real sample portals on 127.0.0.1, and one full evaluation run reused by many tests."""

from __future__ import annotations

import json

import pytest

from tests.helpers import portalscore_cli


@pytest.fixture(scope="session")
def fleet():
    from portalscore.samples import SampleFleet

    with SampleFleet.start() as f:
        yield f


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """One `portalscore demo` run on the sample portals; many tests read its outputs."""
    out = tmp_path_factory.mktemp("demo")
    db = f"sqlite:///{out / 'runs.db'}"
    proc = portalscore_cli("demo", "--out", str(out / "report"), "--db", db, "--max-pages", "14", "--lab-runs", "3")
    assert proc.returncode == 0, proc.stderr[-4000:]
    ranking = json.loads((out / "report" / "ranking.json").read_text(encoding="utf-8"))
    return {"out": out / "report", "db": db, "ranking": ranking, "stdout": proc.stdout, "stderr": proc.stderr}
