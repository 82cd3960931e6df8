"""Progress display and structured logs, as a user sees them.

A real `portalscore run` of two sample portals (on 127.0.0.1) under a pseudo-terminal shows a
live block redrawn in place; the same run into pipes shows plain lines and no escape codes;
every run leaves OUT.operator/run.log.jsonl (beside the published OUT) with one JSON object per event.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from portalscore.progress import (
    Activity,
    LiveProgress,
    Phase,
    Progress,
    eta_s,
    format_duration,
    make_progress,
    overall_eta,
    remaining_pages,
)
from portalscore.reports import operator_dir
from tests.helpers import ROOT, portalscore_cli

ESC = "\x1b"
CURSOR_UP = re.compile(r"\x1b\[(\d+)A")
ERASE_BELOW = "\x1b[J"
PLAIN_EVENT = re.compile(r"^\[\s*\d+\.\d+s\] \S")


def _registry(fleet, path: Path, n: int = 2) -> tuple[Path, list[str]]:
    doc = fleet.registry_dict()
    doc["portals"] = doc["portals"][:n]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, [p["id"] for p in doc["portals"]]


def _run_args(registry: Path, out: Path) -> list[str]:
    return [
        "run",
        "--registry",
        str(registry),
        "--out",
        str(out / "report"),
        "--db",
        f"sqlite:///{out / 'runs.db'}",
        "--max-pages",
        "3",
        "--lab-runs",
        "1",
        "--no-scenarios",
        "--allow-host",
        "127.0.0.1",
    ]


def _run_on_pty(args: list[str], env: dict, timeout: float = 600) -> tuple[int, str, float]:
    """Run the CLI with stdin, stdout and stderr on a pseudo-terminal (160x40); all it wrote, as text."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "portalscore", *args],
        cwd=ROOT,
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    out = bytearray()
    try:
        while time.monotonic() - t0 < timeout:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return code, out.decode("utf-8", errors="replace"), time.monotonic() - t0


@pytest.fixture(scope="module")
def runs(fleet, tmp_path_factory):
    """One run on a terminal, one into pipes (with JSON logs on stderr), of the same two portals."""
    base = tmp_path_factory.mktemp("progress")
    registry, ids = _registry(fleet, base / "registry.yaml")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    with ThreadPoolExecutor(1) as pool:  # both at once: half the wall time
        pipe_run = pool.submit(
            portalscore_cli, "--log-format", "json", "-v", *_run_args(registry, base / "pipe"), timeout=600
        )
        code, screen, seconds = _run_on_pty(_run_args(registry, base / "tty"), env)
        piped = pipe_run.result()
    assert code == 0, screen[-4000:]
    assert piped.returncode == 0, piped.stderr[-4000:]
    return {"ids": ids, "screen": screen, "seconds": seconds, "pipe": piped, "pipe_out": base / "pipe" / "report"}


# -- (a) on a terminal --------------------------------------------------------------------------------------------


def test_terminal_shows_a_live_line_per_portal_with_pages_queued_and_eta(runs):
    screen = runs["screen"]
    for pid in runs["ids"]:
        live = re.findall(
            rf"crawl +{re.escape(pid)} +pages +(\d+) done / +(\d+|\?) queued +\d+ errors .*ETA (\S+)", screen
        )
        assert live, f"no live crawl line for {pid}"
        done = [int(d) for d, _, _ in live]
        assert done == sorted(done) and max(done) >= 1, done  # pages done only go up, and the crawl got going
        assert all(q == "?" or int(q) <= 3 for _, q, _ in live)  # queued never exceeds what --max-pages leaves
        assert any(re.fullmatch(r"\d+s|\d+m\d\ds", eta) for _, _, eta in live), "never a numeric ETA"
        assert re.search(rf"crawled {re.escape(pid)}: \d+ pages", screen)  # the finished line it collapsed into
    assert re.search(r"crawl: \d/2 portals done, \d+ pages, .* ETA ", screen)  # the overall line
    assert re.search(r"lab +\S+ +working", screen)


def test_terminal_block_is_redrawn_in_place_a_few_times_a_second_and_erased_at_the_end(runs):
    screen = runs["screen"]
    redraws = CURSOR_UP.findall(screen)
    assert len(redraws) >= 5 and ERASE_BELOW in screen
    # Bounded by the redraw rate (4/s) plus one per event line, with room to spare: no busy redrawing.
    assert len(redraws) <= runs["seconds"] * 5 + 40, (len(redraws), runs["seconds"])
    # The block is gone before the result is printed: the last thing written before it is an erase.
    _, _, after = screen.rpartition(ERASE_BELOW)
    assert after.startswith("run ") and "portals ranked" in after and ESC not in after
    # Finished portals stay on screen as one summary line each, above the block.
    for pid in runs["ids"]:
        assert len(re.findall(rf"crawled {re.escape(pid)}:", screen)) == 1


# -- (b) into a pipe ----------------------------------------------------------------------------------------------


def test_pipe_gets_plain_event_lines_without_escape_codes_or_redraws(runs):
    proc = runs["pipe"]
    assert ESC not in proc.stdout and ESC not in proc.stderr
    assert "\r" not in proc.stderr
    progress = [line for line in proc.stderr.splitlines() if not line.startswith("{")]
    assert progress and all(PLAIN_EVENT.match(line) for line in progress), progress
    for pid in runs["ids"]:
        assert sum(line.split("] ", 1)[1].startswith(f"crawled {pid}:") for line in progress) == 1
    assert not any(" queued " in line for line in progress)  # the live lines are for terminals only


def test_log_format_json_writes_json_objects_to_stderr(runs):
    records = [json.loads(line) for line in runs["pipe"].stderr.splitlines() if line.startswith("{")]
    assert any(r["event"] == "page" and r.get("url") for r in records)
    assert all({"ts", "level", "logger", "message"} <= r.keys() for r in records)


# -- (c) the run's JSON-lines log ---------------------------------------------------------------------------------


def test_every_run_writes_a_json_lines_log_with_page_events(runs):
    path = operator_dir(runs["pipe_out"]) / "run.log.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    run_id = int(re.search(r"^run (\d+):", runs["pipe"].stdout, re.M).group(1))
    assert {r["event"] for r in records} >= {"run_started", "page", "portal_crawled", "portal_timed", "run_finished"}
    assert all(r["run_id"] == run_id for r in records)
    for r in records:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", r["ts"])
        assert r["level"] in ("debug", "info", "warning", "error", "critical") and r["logger"].startswith("portalscore")
    pages = [r for r in records if r["event"] == "page"]
    for pid in runs["ids"]:
        mine = [r for r in pages if r.get("portal") == pid]
        assert mine, f"no page events for {pid}"
        assert all(r["url"].startswith("http://127.0.0.1:") and "status" in r and "error" in r for r in mine)
    assert (operator_dir(runs["pipe_out"].parent.parent / "tty" / "report") / "run.log.jsonl").is_file()


# -- the display without the crawl: choosing it, and its arithmetic ------------------------------------------------


def _pty_file():
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    return master, os.fdopen(slave, "w", encoding="utf-8")


def _drain(master: int) -> str:
    out = b""
    while select.select([master], [], [], 0.2)[0]:
        out += os.read(master, 65536)
    return out.decode()


def test_live_display_only_on_a_terminal_that_is_not_dumb_and_colour_follows_no_color():
    master, tty = _pty_file()
    try:
        assert isinstance(make_progress(tty, env={"TERM": "xterm"}), LiveProgress)
        assert type(make_progress(tty, env={"TERM": "dumb"})) is Progress
        assert type(make_progress(io.StringIO(), env={"TERM": "xterm"})) is Progress
        assert make_progress(tty, env={"TERM": "xterm"}).color
        assert not make_progress(tty, env={"TERM": "xterm", "NO_COLOR": "1"}).color
        quiet = make_progress(tty, quiet=True, env={"TERM": "xterm"})
        quiet.say("nothing")
        assert type(quiet) is Progress and not _drain(master)
    finally:
        tty.close()
        os.close(master)


def test_live_display_colours_errors_unless_no_color_and_collapses_finished_portals():
    for color in (True, False):
        master, tty = _pty_file()
        try:
            p = LiveProgress(tty, color=color)
            p.phase("crawl", 2)
            p.begin("a", "crawl", max_pages=10)
            p.begin("b", "crawl", max_pages=10)
            p.update("a", 2, 5, 1)
            lines = p.render()
            assert any(line.lstrip().startswith("crawl    a ") for line in lines)
            assert (ESC in "".join(lines)) is color
            p.end("a", "crawl", "crawled a: 2 pages, 0 errors")
            assert not any(" a " in line and "queued" in line for line in p.render())
            p.close()
            screen = _drain(master)
            assert "crawled a: 2 pages" in screen and screen.endswith(ERASE_BELOW)
        finally:
            tty.close()
            os.close(master)


def test_remaining_pages_is_the_queue_capped_by_the_page_budget():
    assert remaining_pages(done=2, queued=50, max_pages=10) == 8
    assert remaining_pages(done=2, queued=3, max_pages=10) == 3
    assert remaining_pages(done=10, queued=4, max_pages=10) == 0
    assert remaining_pages(done=0, queued=None, max_pages=30) == 30
    assert remaining_pages(done=5, queued=7, max_pages=None) == 7


def test_eta_is_remaining_work_at_the_rate_so_far():
    assert eta_s(done=4, remaining=6, elapsed_s=20) == pytest.approx(30)
    assert eta_s(done=0, remaining=6, elapsed_s=20) is None  # no rate yet
    assert eta_s(done=3, remaining=0, elapsed_s=20) == 0
    assert eta_s(done=3, remaining=None, elapsed_s=20) is None
    assert [format_duration(s) for s in (None, 4.4, 75, 3725)] == ["?", "4s", "1m15s", "1h02m"]


def test_overall_eta_counts_portals_not_started_with_their_whole_page_cap():
    phase = Phase("crawl", portals=3, started=0.0)
    a = Activity("a", "crawl", started=0.0, max_pages=10, done=5, queued=20)  # 5 left under the cap
    b = Activity("b", "crawl", started=0.0, max_pages=10, done=5, queued=0, finished=8.0)
    # 10 pages in 10 s; left: 5 (a) + 0 (b, finished) + 10 (one portal not started) -> 15 s
    assert overall_eta(phase, [a, b], now=10.0) == pytest.approx(15)
    lab = Phase("lab", portals=4, started=0.0)
    done = [Activity(x, "lab", started=0.0, finished=5.0) for x in "ab"]
    assert overall_eta(lab, done, now=10.0) == pytest.approx(10)  # 2 portals in 10 s, 2 to go


def test_log_lines_written_to_the_same_terminal_go_above_the_block_not_into_it():
    import logging

    master, tty = _pty_file()
    handler = logging.StreamHandler(tty)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        p = LiveProgress(tty, color=False)
        p.phase("crawl", 1)
        p.begin("a", "crawl", max_pages=5)
        p.update("a", 1, 2, 0)
        shown, deadline = "", time.monotonic() + 30
        while "queued" not in shown and time.monotonic() < deadline:  # the display thread draws the block
            shown += _drain(master)
        assert "queued" in shown
        logging.getLogger("portalscore.test").warning("a warning while the block is shown")
        screen = _drain(master)
        # Erase the block, print the record, draw the block again under it.
        assert re.search(r"\r\x1b\[\d+A\x1b\[Ja warning while the block is shown\r\n  crawl +a +pages", screen), screen
        p.close()
        assert handler.stream is tty  # given back when the display ends
    finally:
        root.removeHandler(handler)
        tty.close()
        os.close(master)
