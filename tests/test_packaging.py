"""`pip install .` into a fresh virtualenv: one top-level name (`portalscore`), everything the rooms need at run
time inside it (criteria sets, report templates, migrations, sample portals, axe-core), and `portalscore demo`
working from that install, outside the checkout.

Built offline: the wheel with this venv's setuptools (pinned in requirements.lock), no build isolation; the
fresh venv sees this venv's installed dependencies through a .pth file (added before the snapshot of its
site-packages, so it is not counted as something the install added)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

NOT_SHIPPED = (".git", ".venv", "out", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis")


def _run(*cmd: str | Path, cwd: Path, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("packaging")
    # The working tree as it is (symlinks kept: portalscore/<room> -> ../<room>), without what git ignores.
    source = tmp / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(*NOT_SHIPPED))
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        tmp / "dist",
        source,
        cwd=tmp,
    )
    [wheel] = (tmp / "dist").glob("portalscore-*.whl")

    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp)
    python = venv / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp).stdout.strip())
    (site / "_portalscore_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    before = set(os.listdir(site))
    _run(python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--disable-pip-version-check", wheel, cwd=tmp)
    return {"tmp": tmp, "venv": venv, "python": python, "site": site, "added": set(os.listdir(site)) - before}


def test_the_install_adds_only_portalscore_names(installed):
    assert installed["added"], "nothing was installed"
    assert {name for name in installed["added"] if not name.startswith("portalscore")} == set()
    assert "portalscore" in installed["added"]


def test_the_rooms_import_from_the_install_not_the_checkout(installed):
    code = (
        "import json, portalscore, portalscore.crawler.crawl, portalscore.crawler.axe as axe;"
        "print(json.dumps([portalscore.__file__, portalscore.crawler.crawl.__file__, str(axe.axe_path())]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PORTALSCORE_AXE")}
    files = json.loads(_run(installed["python"], "-c", code, cwd=installed["tmp"], env=env).stdout)
    site = str(installed["site"])
    assert all(f.startswith(site) for f in files), files  # axe-core too: shipped in the wheel, with its licence
    assert (installed["site"] / "portalscore" / "vendor" / "axe-core" / "LICENSE").is_file()


def test_portalscore_demo_runs_from_the_install(installed):
    tmp = installed["tmp"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PORTALSCORE_AXE", "PORTALSCORE_DB")}
    out = tmp / "demo"
    _run(
        installed["venv"] / "bin" / "portalscore",
        "demo",
        "--out",
        out,
        "--db",
        f"sqlite:///{tmp / 'demo.db'}",
        "--max-pages",
        "2",
        "--lab-runs",
        "1",
        "--no-scenarios",
        "-q",
        cwd=tmp,
        env=env,
        timeout=900,
    )
    ranking = json.loads((out / "ranking.json").read_text(encoding="utf-8"))
    assert len(ranking["portals"]) == 6 and (out / "index.html").is_file() and (out / "method.html").is_file()
    for p in ranking["portals"]:  # axe ran, from the install's copy
        evidence = json.loads((out / "evidence" / f"{p['id']}.json").read_text(encoding="utf-8"))
        audits = [page["accessibility"] for page in evidence["pages"] if page["accessibility"]]
        assert audits and all(a["engine"] == "axe-core 4.14.1" and not a["error"] for a in audits), p["id"]


def test_the_contract_and_the_criteria_import_no_browser():
    """Scoring stored evidence (report, explain, diff) needs no browser: importing the contract and the whole of
    criteria loads neither Playwright nor Selenium."""
    code = (
        "import sys, pkgutil, importlib, portalscore.criteria as c, portalscore.contract as k\n"
        "for pkg in (c, k):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('playwright', 'selenium')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
