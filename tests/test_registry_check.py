"""`portalscore registry check` (issue 19, item 6) on a registry of the sample portals plus an unreachable, an
unresolvable, a redirecting, a missing, an untrusted-certificate and a not-a-portal entry, all served on
127.0.0.1 (the unresolvable one under .invalid, which never resolves): each outcome named, the report written
in text and JSON, and --update writing the flags into the file with its comments kept."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import yaml

from portalscore.registry import load_registry
from tests.faultfarm import Farm, page
from tests.helpers import portalscore_cli
from tests.test_security_evidence import certs  # noqa: F401  (the fixture: an openssl-made certificate)

PORTAL_PAGE = page(
    "Cổng Dịch vụ công tỉnh Thử",
    "<a href='/thu-tuc'>Thủ tục hành chính</a> <a href='/tra-cuu'>Tra cứu hồ sơ</a>",
)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the test connects: connection refused


@pytest.fixture(scope="module")
def checked(fleet, certs, tmp_path_factory):  # noqa: F811
    folder = tmp_path_factory.mktemp("registry")
    with (
        Farm({"/": PORTAL_PAGE, "/cu": lambda h: h.redirect("/", 302)}) as new_home,
        Farm({"/": lambda h: h.redirect(new_home.url("/", host="localhost"), 301)}) as old_home,
        Farm({"/": page("Tin thể thao", "<p>Kết quả bóng đá</p>")}) as news,
        Farm({"/": lambda h: h.send(404, page("Không tìm thấy"))}) as gone,
        Farm({"/": PORTAL_PAGE}, tls=(str(certs["self_cert"]), str(certs["self_key"]))) as untrusted,
    ):
        first, *others = fleet.portals
        samples = [f"  - {{id: {first.id}, name: '{first.name}', kind: {first.kind}, url: '{first.url}'}}\n"] + [
            f"  - id: {p.id}\n    name: '{p.name}'\n    kind: {p.kind}\n    url: {p.url}\n" for p in others
        ]
        text = (
            "# A registry under test: comments and layout must survive --update.\n"
            "name: kiem-tra\n"
            "portals:\n" + "".join(samples) + "  # entries that do not lead where they say\n"
            f"  - id: chuyen-nha\n    name: Cổng đã chuyển\n    kind: province\n    url: {old_home.url('/')}\n"
            f"  - id: cung-host\n    name: Cổng chuyển trang\n    kind: province\n    url: {new_home.url('/cu', host='localhost')}\n"
            f"    url_confirmed: false  # keep this comment\n"
            f"  - id: tat-may\n    name: Cổng tắt\n    kind: province\n    url: http://127.0.0.1:{_closed_port()}/\n"
            "    url_confirmed: true\n"
            "  - id: ten-sai\n    name: Tên sai\n    kind: ministry\n    url: http://khong-ton-tai.invalid/\n"
            f"  - id: bao\n    name: Báo\n    kind: other\n    url: {news.url('/')}\n"
            f"  - id: mat-trang\n    name: Trang mất\n    kind: other\n    url: {gone.url('/')}\n"
            f"  - id: tu-ky\n    name: Chứng chỉ tự ký\n    kind: other\n    url: {untrusted.url('/')}\n"
        )
        registry = folder / "kiem-tra.yaml"
        registry.write_text(text, encoding="utf-8")
        out = folder / "report"
        proc = portalscore_cli(
            "registry", "check", str(registry), "--update", "--out", str(out), "--timeout", "10",
            "--allow-internal", "127.0.0.0/8", "--allow-internal", "::1/128",
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads((out / "registry-check.json").read_text(encoding="utf-8"))
    return {
        "stdout": proc.stdout,
        "text": (out / "registry-check.txt").read_text(encoding="utf-8"),
        "entries": {e["id"]: e for e in data["entries"]},
        "counts": data["counts"],
        "before": text,
        "after": registry.read_text(encoding="utf-8"),
        "file": registry,
        "fleet": fleet,
        "new_home": new_home.url("/", host="localhost"),
    }


def test_each_outcome_is_named(checked):
    e = checked["entries"]
    for p in checked["fleet"].portals:
        assert e[p.id]["outcome"] == "confirmed", e[p.id]["detail"]
        assert e[p.id]["probe"]["looks_like_portal"] and e[p.id]["probe"]["status"] == 200
    assert e["chuyen-nha"]["outcome"] == "moved" and checked["new_home"] in e["chuyen-nha"]["detail"]
    assert e["chuyen-nha"]["probe"]["final_host"] == "localhost"
    assert e["cung-host"]["outcome"] == "confirmed" and len(e["cung-host"]["probe"]["redirects"]) == 1
    assert e["tat-may"]["outcome"] == "unreachable" and "connection refused" in e["tat-may"]["detail"]
    assert e["ten-sai"]["outcome"] == "dns-error" and e["ten-sai"]["detail"].startswith("DNS: ")
    assert e["bao"]["outcome"] == "not-a-portal" and '"Tin thể thao"' in e["bao"]["detail"]
    assert e["mat-trang"]["outcome"] == "http-error" and e["mat-trang"]["detail"].startswith("HTTP 404")
    tls = e["tu-ky"]["probe"]["tls"]
    assert e["tu-ky"]["outcome"] == "confirmed" and tls["valid"] is False and tls["version"].startswith("TLSv1")
    assert any(w.startswith("certificate not trusted: tls: ") for w in e["tu-ky"]["warnings"])
    assert e["tat-may"]["probe"]["addresses"] == ["127.0.0.1"]  # DNS (here a literal) recorded before connecting


def test_the_text_report_names_each_entry_and_counts(checked):
    text = checked["text"]
    assert text == checked["stdout"].split("report: ")[0]
    for outcome, pid in [("moved", "chuyen-nha"), ("unreachable", "tat-may"), ("dns-error", "ten-sai")]:
        assert any(line.startswith(outcome) and f" {pid} " in line for line in text.splitlines())
    assert "tat-may" in text and "[was unconfirmed]" in text
    assert text.rstrip().endswith(f"(of {len(checked['entries'])})")
    assert checked["counts"]["confirmed"] == len(checked["fleet"].portals) + 2


def test_update_writes_flags_and_dates_and_keeps_comments(checked):
    after, before = checked["after"], checked["before"]
    for line in before.splitlines():
        if line.lstrip().startswith("#"):
            assert line in after
    assert "url_confirmed: true  # keep this comment" in after  # was false: now confirmed, comment kept
    data = yaml.safe_load(after)
    entries = {p["id"]: p for p in data["portals"]}
    flags = {pid: (p.get("url_confirmed"), p.get("url_checked")) for pid, p in entries.items()}
    checked_on = {v[1] for v in flags.values() if v[1]}
    assert len(checked_on) == 1 and len(next(iter(checked_on))) == 10
    assert flags["cung-host"][0] is True and flags["tu-ky"][0] is True
    for pid in ("chuyen-nha", "ten-sai", "bao", "mat-trang"):
        assert flags[pid][0] is False, pid
    assert flags["tat-may"] == (True, None)  # one failed connection concludes nothing: left as it was
    first, *others = checked["fleet"].portals
    for p in others:
        assert flags[p.id][0] is True and flags[p.id][1]
    assert flags[first.id] == (None, None)  # a flow mapping is not edited line by line: left, and said so
    assert f"not updated: {first.id}: its url is not a `url: …` line of its own" in checked["stdout"]
    assert len(load_registry(checked["file"]).portals) == len(entries)  # still a valid registry


def test_dns_failures_conclude_nothing_when_no_name_resolved(tmp_path: Path):
    registry = tmp_path / "r.yaml"
    text = "name: r\nportals:\n  - id: a\n    name: A\n    kind: other\n    url: http://khong-ton-tai.invalid/\n"
    registry.write_text(text, encoding="utf-8")
    proc = portalscore_cli("registry", "check", str(registry), "--update", "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stderr
    assert "no host name resolved in this check" in proc.stdout
    assert registry.read_text(encoding="utf-8") == text  # nothing concluded, nothing written


def test_a_missing_registry_is_a_one_line_error(tmp_path: Path):
    proc = portalscore_cli("registry", "check", str(tmp_path / "khong-co.yaml"), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "file not found" in proc.stderr
    assert not (tmp_path / "o").exists()
