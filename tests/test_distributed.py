"""`portalscore run --workers celery`: a real run through two real `portalscore worker` processes, with a
real Redis broker and a real PostgreSQL database, over tiny portals served on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from portalscore.contract.portal import Portal
from portalscore.crawler.settings import CrawlSettings
from portalscore.criteria import load_criteria_set
from portalscore.registry import Registry
from portalscore.run import evaluate
from portalscore.run.distributed import MAX_LOSSES, MAX_RESENDS, CeleryExecutor, host_group, host_groups, make_app
from portalscore.runsettings import RunSettings
from portalscore.store import Store, TaskRecord, now_precise
from tests.helpers import ROOT, portalscore_cli
from tests.services import services

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = {
    "": ("Trang chủ", ["thu-tuc", "tra-cuu"]),
    "thu-tuc": ("Thủ tục hành chính", ["", "tra-cuu"]),
    "tra-cuu": ("Tra cứu hồ sơ", [""]),
}


class TinyPortals(ThreadingHTTPServer):
    """One host:port serving small DVC-like sites under path prefixes; counts requests in flight."""

    daemon_threads = True

    def __init__(self, prefixes: list[str]):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.prefixes = prefixes
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def url(self, prefix: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{prefix}/"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args) -> None:
        pass

    def do_GET(self) -> None:
        server: TinyPortals = self.server
        with server.lock:
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
        try:
            self._answer(server)
        finally:
            with server.lock:
                server.in_flight -= 1

    def _answer(self, server: TinyPortals) -> None:
        parts = self.path.split("?")[0].strip("/").split("/")
        prefix, page = parts[0], "/".join(parts[1:])
        if prefix not in server.prefixes or page not in PAGES:
            body, status = (
                b"<!doctype html><html lang=vi><title>Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y</title></html>",
                404,
            )
        else:
            title, links = PAGES[page]
            time.sleep(0.05)  # a little server time, so that loads overlap when they can
            nav = "".join(f'<li><a href="/{prefix}/{link}">{PAGES[link][0]}</a></li>' for link in links)
            body = (
                f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title} — {prefix}</title>'
                f'<link rel="icon" href="data:,"></head><body><header><nav aria-label="Chính"><ul>{nav}</ul></nav>'
                f"</header><main><h1>{title}</h1><p>Cổng dịch vụ công {prefix}.</p></main></body></html>"
            ).encode()
            status = 200
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def tiny_registry():
    shared = TinyPortals(["so-tu-phap", "so-xay-dung"])  # two portals on one host:port: one host group
    alone = [TinyPortals(["bo-noi-vu"]), TinyPortals(["tinh-hue"])]
    portals = [
        Portal(id="so-tu-phap", name="Sở Tư pháp", kind="province", url=shared.url("so-tu-phap"), max_pages=2),
        Portal(id="so-xay-dung", name="Sở Xây dựng", kind="province", url=shared.url("so-xay-dung"), max_pages=2),
        Portal(id="bo-noi-vu", name="Bộ Nội vụ", kind="ministry", url=alone[0].url("bo-noi-vu"), max_pages=2),
        Portal(id="tinh-hue", name="Thành phố Huế", kind="province", url=alone[1].url("tinh-hue"), max_pages=2),
    ]
    yield Registry(name="tiny", file="tiny.yaml", portals=portals), [shared, *alone]
    for server in [shared, *alone]:
        server.shutdown()
        server.server_close()


def options() -> RunSettings:
    return RunSettings(
        crawl=CrawlSettings(
            max_pages=2,
            lab_runs=1,
            lab_pages=1,
            mobile_pages=0,
            link_checks=5,
            outbound_sample=0,
            settle_s=0.3,
            min_delay_s=0.05,
            allowed_hosts=["127.0.0.1"],
        ),
        scenarios=False,
        executor="celery",
    )


@pytest.fixture(scope="module")
def cluster():
    """A fresh database and two `portalscore worker` processes on the test Redis, shared by this module's runs."""
    svc = services()
    db = svc.fresh_database()
    broker = svc.broker_url
    make_app(broker).control.purge()  # nothing left over from another test
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "portalscore", "worker", "--broker", broker, "--db", db, "--name", f"w{i}@test"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        for i in (1, 2)
    ]
    app = make_app(broker)
    deadline = time.monotonic() + 60
    while len(app.control.ping(timeout=0.5)) < 2:
        dead = [w for w in workers if w.poll() is not None]
        assert not dead and time.monotonic() < deadline, (
            f"workers did not start: {[w.stderr.read()[-2000:] for w in dead]}"
        )
    yield {"db": db, "broker": broker, "workers": workers}
    for w in workers:
        if w.poll() is None:
            os.killpg(w.pid, signal.SIGTERM)
    for w in workers:
        try:
            w.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(w.pid, signal.SIGKILL)
            w.wait(10)


def assert_every_portal_collected_and_scored(store: Store, run_id: int, registry: Registry) -> None:
    run = store.run(run_id)
    assert run.status == "complete"
    assert store.portal_stages(run_id) == {p.id: "done" for p in registry.portals}
    for p in registry.portals:
        ev = store.evidence(run_id, p.id)
        desktop = [pg for pg in ev.pages if pg.profile == "desktop"]
        assert len(desktop) == 2, (p.id, [pg.url for pg in ev.pages], ev.errors)
        assert all(pg.status == 200 and pg.accessibility is not None for pg in ev.pages)
    assert sorted(s.portal_id for s in store.scores(run_id, "mic-2024")) == sorted(p.id for p in registry.portals)


def assert_one_worker_per_host_group_at_a_time(log: list[TaskRecord], killed: dict[int, str] | None = None) -> None:
    """Work on a host group never overlaps; a task whose process was killed ended when it was killed."""
    killed = killed or {}
    by_group: dict[str, list[tuple[str, str]]] = {}
    for t in log:
        if t.started_at is None:  # never taken by a worker
            continue
        end = killed.get(t.id) or t.finished_at
        assert end is not None, f"task {t} never ended"
        by_group.setdefault(t.host_group, []).append((t.started_at, end))
    for group, spans in by_group.items():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end <= start, f"{group} was collected by two workers at once: {spans}"


def write_registry(registry: Registry, path: Path) -> Path:
    entries = [
        {"id": p.id, "name": p.name, "kind": p.kind, "url": p.url, "max_pages": p.max_pages} for p in registry.portals
    ]
    path.write_text(yaml.safe_dump({"name": registry.name, "portals": entries}, allow_unicode=True), encoding="utf-8")
    return path


def test_two_workers_collect_a_run_with_one_task_per_host_group(cluster, tiny_registry, tmp_path):
    registry, servers = tiny_registry
    proc = portalscore_cli(
        "run",
        "--workers",
        "celery",
        "--registry",
        str(write_registry(registry, tmp_path / "r.yaml")),
        "--broker",
        cluster["broker"],
        "--db",
        cluster["db"],
        "--out",
        str(tmp_path / "report"),
        "--max-pages",
        "2",
        "--lab-runs",
        "1",
        "--no-scenarios",
        "--allow-host",
        "127.0.0.1",
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "report" / "index.html").is_file() and "4 portals ranked" in proc.stdout
    store = Store(cluster["db"])
    try:
        run_id = store.list_runs(1)[0].id
        assert store.run(run_id).registry_name == "tiny"
        assert_every_portal_collected_and_scored(store, run_id, registry)
        log = store.tasks(run_id)
    finally:
        store.close()
    # One task per host group, the two portals of the shared host together; both workers took work.
    assert sorted(sorted(t.portal_ids) for t in log) == [["bo-noi-vu"], ["so-tu-phap", "so-xay-dung"], ["tinh-hue"]]
    assert all(t.status == "done" for t in log)
    assert {t.worker for t in log} == {"w1@test", "w2@test"}
    assert_one_worker_per_host_group_at_a_time(log)
    # The shared host never saw more page loads at once than one crawler's per-host limit.
    assert servers[0].max_in_flight <= CrawlSettings().per_host


def test_a_task_lost_with_its_worker_process_is_done_again(cluster, tiny_registry, tmp_path):
    """The pool process running a task killed (its worker goes on): the lease runs out, the group is sent again."""
    registry, _ = tiny_registry
    store = Store(cluster["db"])
    outcome: dict = {}

    def coordinate() -> None:
        coordinator_store = Store(cluster["db"])
        try:
            outcome["result"] = evaluate(
                registry,
                load_criteria_set("mic-2024"),
                tmp_path / "report",
                coordinator_store,
                options(),
                CeleryExecutor(cluster["broker"], poll_s=0.2),
            )
        except BaseException as e:
            outcome["error"] = e
        finally:
            coordinator_store.close()

    coordinator = threading.Thread(target=coordinate)
    coordinator.start()
    try:
        killed = None
        deadline = time.monotonic() + 60
        while killed is None and time.monotonic() < deadline:
            run_id = store.last_unfinished_run("tiny")
            running = [t for t in store.tasks(run_id) if t.status == "running"] if run_id else []
            if running:
                killed = running[0]
                os.kill(killed.pid, signal.SIGKILL)  # the worker's pool process dies mid-task
                killed_at = now_precise()
            time.sleep(0.05)
        assert killed is not None, "no task started"
        coordinator.join(300)  # the lease (60 s) runs out, then the group is collected again
        assert not coordinator.is_alive(), "the run did not complete after the worker loss"
        assert "error" not in outcome, outcome.get("error")
        run_id = outcome["result"].run_id
        assert_every_portal_collected_and_scored(store, run_id, registry)
        log = store.tasks(run_id)
    finally:
        coordinator.join(5)
        store.close()
    again = [t for t in log if t.host_group == killed.host_group]
    assert [t.status for t in again] == ["lost", "done"], again  # lost, then done again
    assert_one_worker_per_host_group_at_a_time(log, killed={killed.id: killed_at})


def test_a_host_group_that_keeps_killing_its_worker_is_given_up_with_the_reason(cluster, tiny_registry, tmp_path):
    """Three earlier attempts lost with their workers: the next one closes the group instead of trying again."""
    registry, _ = tiny_registry
    poison = Registry(name="poison", file="poison.yaml", portals=[p for p in registry.portals if p.id == "tinh-hue"])
    group = host_group(poison.portals[0].url)
    store = Store(cluster["db"])
    try:
        run_id = store.create_run("poison", "poison.yaml", "mic-2024", options(), poison.portals)
        for attempt in range(MAX_LOSSES):
            task_id = store.queue_task(run_id, group, ["tinh-hue"])
            assert store.claim_task(task_id, f"lost{attempt}@test", 1, lease_s=-1)
            assert store.expire_lease(task_id)
        result = evaluate(
            poison,
            load_criteria_set("mic-2024"),
            tmp_path / "report",
            store,
            options(),
            CeleryExecutor(cluster["broker"], poll_s=0.2),
            resume=True,
        )
        assert result.run_id == run_id and store.run(run_id).status == "complete"
        assert [t.status for t in store.tasks(run_id)] == ["lost"] * MAX_LOSSES  # not sent again
        ev = store.evidence(run_id, "tinh-hue")
        assert ev.pages == [] and any(f"lost {MAX_LOSSES} times" in e for e in ev.errors), ev.errors
        assert [s.portal_id for s in result.scores] == ["tinh-hue"]  # scored as it is, errors and all
    finally:
        store.close()


def test_a_host_group_whose_task_keeps_failing_is_given_up_with_the_error(cluster, tiny_registry, tmp_path):
    """The workers lack a credential set the portal names (set on the coordinator's side only): each sending
    fails, is sent again MAX_RESENDS times, then the group is closed with the error."""
    registry, _ = tiny_registry
    portal = dataclasses.replace(registry.portals[2], credentials="staging-account")
    locked = Registry(name="locked", file="locked.yaml", portals=[portal])
    store = Store(cluster["db"])
    try:
        result = evaluate(
            locked,
            load_criteria_set("mic-2024"),
            tmp_path / "report",
            store,
            options(),
            CeleryExecutor(cluster["broker"], poll_s=0.2),
        )
        sendings = store.tasks(result.run_id)
        assert [t.status for t in sendings] == ["failed"] * (MAX_RESENDS + 1)
        assert all("staging-account" in t.error and t.worker in ("w1@test", "w2@test") for t in sendings)
        ev = store.evidence(result.run_id, portal.id)
        assert any(f"failed {MAX_RESENDS + 1} times" in e and "staging-account" in e for e in ev.errors), ev.errors
        assert store.run(result.run_id).status == "complete" and [s.portal_id for s in result.scores] == [portal.id]
    finally:
        store.close()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--db", "sqlite:///runs.db", "--broker", "redis://127.0.0.1:1/0"], "postgresql"),
        (["--db", "postgresql://nobody@127.0.0.1:1/none", "--broker", "amqp://127.0.0.1"], "Redis URL"),
    ],
)
def test_celery_mode_refuses_unusable_settings_in_one_line(tmp_path, tiny_registry, args, message):
    registry, _ = tiny_registry
    proc = portalscore_cli(
        "run",
        "--workers",
        "celery",
        "--registry",
        str(write_registry(registry, tmp_path / "r.yaml")),
        "--out",
        str(tmp_path / "out"),
        *args,
        timeout=60,
        env={"PORTALSCORE_BROKER": ""},
    )
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_host_groups_follow_host_and_port():
    def p(pid: str, url: str) -> Portal:
        return Portal(id=pid, name=pid, kind="province", url=url)

    groups = host_groups(
        [
            p("a", "https://dichvucong.hanoi.gov.vn/"),
            p("b", "https://DichVuCong.HaNoi.gov.vn:443/x"),
            p("c", "http://dichvucong.hanoi.gov.vn/"),
            p("d", "https://dvc.hue.gov.vn:8443/"),
        ]
    )
    assert {k: [x.id for x in v] for k, v in groups.items()} == {
        "dichvucong.hanoi.gov.vn:443": ["a", "b"],
        "dichvucong.hanoi.gov.vn:80": ["c"],
        "dvc.hue.gov.vn:8443": ["d"],
    }
