"""`portalscore schedule`: the real APScheduler firing every second, publishing real reports from a
stored run, with two schedulers competing for the same registry."""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portalscore.contract.errors import InputError
from portalscore.criteria import load_criteria_set
from portalscore.run import write_report
from portalscore.schedule import LATEST, LOG_FILE, Publisher, background, parse_cron
from portalscore.store import Store
from tests import stored_runs
from tests.helpers import portalscore_cli


@pytest.fixture
def stored(tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    store = Store(url)
    run_id = stored_runs.scored_run(
        store, "vn-2025", {"hanoi": 72.0, "hue": 58.5, "bo-tu-phap": 91.0}, kinds={"bo-tu-phap": "ministry"}
    )
    yield {"url": url, "store": store, "run_id": run_id, "criteria": load_criteria_set("mic-2024")}
    store.close()


def read_log(out_root: Path) -> list[dict]:
    return [json.loads(line) for line in (out_root / LOG_FILE).read_text(encoding="utf-8").splitlines()]


def test_two_schedulers_on_one_registry_never_overlap_and_latest_is_always_whole(stored, tmp_path):
    out_root = tmp_path / "reports"
    criteria = stored["criteria"]

    def produce(folder: Path) -> None:
        write_report(stored["store"], stored["run_id"], criteria, folder)

    # Two schedulers with their own database connections, as two processes or machines would have.
    stores = [Store(stored["url"]), Store(stored["url"])]
    publishers = [Publisher(out_root, s, "vn-2025", keep=2) for s in stores]
    broken: list[str] = []
    stop = threading.Event()

    def reader() -> None:  # a web server publishing OUT_ROOT/latest
        while not stop.is_set():
            latest = out_root / LATEST
            if latest.is_symlink():
                try:
                    json.loads((latest / "ranking.json").read_text(encoding="utf-8"))
                    assert (latest / "index.html").is_file()
                except Exception as e:
                    broken.append(f"{type(e).__name__}: {e}")
            time.sleep(0.002)

    watcher = threading.Thread(target=reader)
    watcher.start()
    every_second = parse_cron("* * * * * *", "UTC")
    schedulers = [background(every_second, p, produce) for p in publishers]
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            log = read_log(out_root) if (out_root / LOG_FILE).exists() else []
            if sum(e["outcome"] == "published" for e in log) >= 3 and any(e["outcome"] == "skipped" for e in log):
                break
            time.sleep(0.2)
    finally:
        for s in schedulers:
            s.shutdown(wait=True)
        stop.set()
        watcher.join()
        for s in stores:
            s.close()

    log = read_log(out_root)
    published = [e for e in log if e["outcome"] == "published"]
    assert len(published) >= 3, log
    # Both fired at the same instants: the one that found the registry busy skipped its firing.
    assert any(e["outcome"] == "skipped" and "still going on" in e["detail"] for e in log), log
    spans = sorted((e["started"], e["finished"]) for e in published)
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert end <= start, f"two runs of one registry overlapped: {spans}"
    assert broken == []
    # latest is the newest report, whole; only the newest two are kept; no temporary links left.
    target = os.readlink(out_root / LATEST)
    assert target == max(e["folder"] for e in published)
    assert (
        json.loads((out_root / LATEST / "ranking.json").read_text(encoding="utf-8"))["portals"][0]["id"] == "bo-tu-phap"
    )
    kept = sorted(p.name for p in out_root.iterdir() if p.is_dir() and not p.is_symlink())
    assert len(kept) == 2 and target in kept
    assert [p.name for p in out_root.iterdir() if p.name.startswith(".")] == []


def test_a_failed_run_keeps_latest_on_the_last_good_report(stored, tmp_path):
    out_root = tmp_path / "reports"
    publisher = Publisher(out_root, stored["store"], "vn-2025")
    good = publisher.publish(lambda folder: write_report(stored["store"], stored["run_id"], stored["criteria"], folder))
    assert good.status == "published"

    def crash(folder: Path) -> None:
        folder.mkdir(parents=True)
        (folder / "ranking.json").write_text("{")  # half written when the run died
        raise RuntimeError("the crawl lost its browser")

    bad = publisher.publish(crash)
    assert bad.status == "failed" and "lost its browser" in bad.detail
    assert os.readlink(out_root / LATEST) == good.folder.name
    assert bad.folder.name.endswith(".failed") and bad.folder.is_dir()
    assert [e["outcome"] for e in read_log(out_root)] == ["published", "failed"]


def test_cron_weekdays_mean_what_they_mean_in_crontab():
    monday = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)

    def next_fire(expr: str) -> datetime:
        return parse_cron(expr, "UTC").get_next_fire_time(None, monday)

    assert next_fire("0 2 * * 0").strftime("%a %H:%M") == "Sun 02:00"
    assert next_fire("0 2 * * 7").strftime("%a") == "Sun"
    assert next_fire("30 1 * * 1-5").strftime("%a %H:%M") == "Tue 01:30"
    assert next_fire("0 2 * * *") == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert parse_cron("0 2 * * *", "Asia/Ho_Chi_Minh").get_next_fire_time(None, monday) == datetime(
        2026, 11, 23, 19, 0, tzinfo=UTC
    )
    for bad in ("0 2 * *", "0 25 * * *", "0 2 * * 8", "every night"):
        with pytest.raises(InputError, match="--cron"):
            parse_cron(bad)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--cron", "0 25 * * *"], "--cron"),
        (["--cron", "0 2 * * *", "--timezone", "Mars/Olympus"], "--timezone"),
        (["--cron", "0 2 * * *", "--registry", "missing.yaml"], "missing.yaml"),
    ],
)
def test_schedule_refuses_bad_input_at_start(tmp_path, args, message):
    base = {"--registry": "vn-2025", "--out-root": str(tmp_path / "reports")}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    proc = portalscore_cli(
        "schedule",
        *[x for pair in base.items() for x in pair],
        timeout=60,
        env={"PORTALSCORE_DB": f"sqlite:///{tmp_path / 'runs.db'}"},
    )
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
