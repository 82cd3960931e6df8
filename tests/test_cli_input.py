"""Unusable input stops the run at once with one clear line naming file, line and field, and writes nothing."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import portalscore_cli

GOOD_PORTAL = """\
  - id: tinh-a
    name: Cổng Dịch vụ công tỉnh A
    kind: province
    url: http://127.0.0.1:9/
"""


def run_with(tmp_path, registry_text: str | None, *extra: str, encoding: str = "utf-8"):
    registry = tmp_path / "registry.yaml"
    if registry_text is not None:
        registry.write_bytes(textwrap.dedent(registry_text).encode(encoding))
    out = tmp_path / "out"
    proc = portalscore_cli(
        "run",
        "--registry",
        str(registry),
        "--out",
        str(out),
        "--db",
        f"sqlite:///{tmp_path / 'db.sqlite'}",
        *extra,
        timeout=120,
    )
    return proc, out


def assert_refused(proc, out, tmp_path, *needles: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr  # one line, no traceback
    assert lines[0].startswith("portalscore: error: ")
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert not out.exists(), "nothing may be written for unusable input"
    assert not (tmp_path / "db.sqlite").exists()


def test_missing_registry_file(tmp_path):
    proc, out = run_with(tmp_path, None)
    assert_refused(proc, out, tmp_path, "registry.yaml", "file not found")


@pytest.mark.parametrize(
    "text, needles",
    [
        ("portals: [\n  - id: x\n", ("registry.yaml:", "invalid YAML")),
        (
            "portals:\n"
            + GOOD_PORTAL
            + "  - id: tinh-b\n    name: B\n    kind: provnce\n    url: http://127.0.0.1:9/\n",
            ("registry.yaml:8:", "portals[1].kind", "provnce"),
        ),
        ("portals:\n" + GOOD_PORTAL + GOOD_PORTAL, ("registry.yaml:6:", "portals[1].id", "duplicate id 'tinh-a'")),
        (
            "portals:\n  - id: tinh-a\n    name: A\n    kind: province\n    url: ftp://example/\n",
            ("registry.yaml:5:", "portals[0].url", "not an http(s) URL"),
        ),
        (
            "portals:\n  - id: tinh-a\n    name: A\n    kind: province\n    url: http://127.0.0.1:9/\n    max_page: 3\n",
            ("registry.yaml:6:", "portals[0].max_page", "unknown key"),
        ),
        (
            "portals:\n  - id: tinh-a\n    name: A\n    kind: province\n    url: http://127.0.0.1:9/\n    max_pages: many\n",
            ("registry.yaml:6:", "portals[0].max_pages", "positive integer"),
        ),
        (
            "portals:\n  - id: tinh-a\n    kind: province\n    url: http://127.0.0.1:9/\n",
            ("registry.yaml:2:", "missing required key 'name'"),
        ),
        (
            "portals:\n" + GOOD_PORTAL + "    overrides:\n      dossier_lokup: /tra-cuu\n",
            ("registry.yaml:7:", "portals[0].overrides.dossier_lokup", "no scenario step"),
        ),
        ("portal:\n" + GOOD_PORTAL, ("registry.yaml:1:", "portal", "unknown key")),
        ("", ("registry.yaml", "mapping")),
    ],
)
def test_malformed_registry(tmp_path, text, needles):
    proc, out = run_with(tmp_path, text)
    assert_refused(proc, out, tmp_path, *needles)


def test_registry_in_wrong_encoding(tmp_path):
    text = "portals:\n  - id: tinh-a\n    name: Cổng Dịch vụ công tỉnh Cà Mau\n    kind: province\n    url: http://127.0.0.1:9/\n"
    proc, out = run_with(tmp_path, text, encoding="utf-16")
    assert_refused(proc, out, tmp_path, "registry.yaml", "UTF-8")


def test_unknown_criteria_set(tmp_path):
    proc, out = run_with(tmp_path, "portals:\n" + GOOD_PORTAL, "--criteria", "mic-2099")
    assert_refused(proc, out, tmp_path, "mic-2099", "mic-2024")


def test_criteria_file_with_a_typo(tmp_path):
    criteria = tmp_path / "my-set.yaml"
    criteria.write_text(
        "extends: mic-2024\nid: my-set\nversion: '1'\ntitle_vi: Bộ của tôi\ntitle_en: Mine\n"
        "criteria:\n  - id: perf.lcp\n    pionts: 3\n",
        encoding="utf-8",
    )
    proc, out = run_with(tmp_path, "portals:\n" + GOOD_PORTAL, "--criteria", str(criteria))
    assert_refused(proc, out, tmp_path, "my-set.yaml:8", "pionts")
