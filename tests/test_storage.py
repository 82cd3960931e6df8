"""The storage layer on SQLite and on a real PostgreSQL server: schema by migrations, adoption of
databases made before migrations existed, concurrent opening, evidence and scores round trips,
and the lookup incremental crawling uses."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from portalscore import migrations
from portalscore.contract.evidence import LinkCheck, PortalEvidence, PortalRef, ScenarioResult, StepResult
from portalscore.storage import Store, metadata
from tests import stored_runs
from tests.helpers import portalscore_cli
from tests.services import services

# What portalscore 0.1 (storage.py before migrations) built with metadata.create_all, verbatim.
LEGACY_SQLITE_DDL = """
CREATE TABLE runs (id INTEGER NOT NULL, registry_name VARCHAR(200) NOT NULL, registry_file TEXT NOT NULL,
  criteria_set VARCHAR(200) NOT NULL, status VARCHAR(20) NOT NULL, started_at VARCHAR(40) NOT NULL,
  finished_at VARCHAR(40), settings JSON NOT NULL, portals JSON NOT NULL, PRIMARY KEY (id));
CREATE TABLE pages (id INTEGER NOT NULL, run_id INTEGER NOT NULL, portal_id VARCHAR(64) NOT NULL, url TEXT NOT NULL,
  profile VARCHAR(20) NOT NULL, content_hash VARCHAR(64) NOT NULL, data JSON NOT NULL, PRIMARY KEY (id),
  CONSTRAINT uq_page UNIQUE (run_id, portal_id, url, profile),
  FOREIGN KEY(run_id) REFERENCES runs (id) ON DELETE CASCADE);
CREATE INDEX ix_pages_run_id ON pages (run_id);
CREATE TABLE run_portals (run_id INTEGER NOT NULL, portal_id VARCHAR(64) NOT NULL, stage VARCHAR(20) NOT NULL,
  evidence JSON NOT NULL, updated_at VARCHAR(40), PRIMARY KEY (run_id, portal_id),
  FOREIGN KEY(run_id) REFERENCES runs (id) ON DELETE CASCADE);
CREATE TABLE scores (run_id INTEGER NOT NULL, criteria_set VARCHAR(200) NOT NULL, portal_id VARCHAR(64) NOT NULL,
  score JSON NOT NULL, created_at VARCHAR(40), PRIMARY KEY (run_id, criteria_set, portal_id),
  FOREIGN KEY(run_id) REFERENCES runs (id) ON DELETE CASCADE);
"""
# The same on PostgreSQL, where create_all made the integer keys SERIAL.
LEGACY_POSTGRES_DDL = LEGACY_SQLITE_DDL.replace("(id INTEGER NOT NULL", "(id SERIAL NOT NULL")
LEGACY_ROW = (
    "INSERT INTO runs (registry_name, registry_file, criteria_set, status, started_at, finished_at, settings,"
    " portals) VALUES ('vn-2025', 'vn-2025.yaml', 'mic-2024', 'complete', '2026-01-01T02:00:00+00:00',"
    ' \'2026-01-01T03:00:00+00:00\', \'{}\', \'[{"id": "hanoi", "name": "Hà Nội", "kind": "province",'
    ' "url": "https://dichvucong.hanoi.gov.vn/"}]\')'
)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portalscore.db'}"
    return services().fresh_database()


@pytest.fixture
def store(db_url):
    s = Store(db_url)
    yield s
    s.close()


def schema_differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()


def revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return migrations.current(conn)
    finally:
        engine.dispose()


def test_migrations_build_exactly_the_tables_storage_uses(store):
    assert revision(store.url) == migrations.head()
    assert schema_differences(store.url) == []


def test_database_made_before_migrations_is_adopted_with_its_runs(db_url):
    engine = create_engine(db_url)
    ddl = LEGACY_SQLITE_DDL if db_url.startswith("sqlite") else LEGACY_POSTGRES_DDL
    with engine.begin() as conn:
        for statement in ddl.split(";"):
            if statement.strip():
                conn.execute(text(statement))
        conn.execute(text(LEGACY_ROW))
    engine.dispose()

    store = Store(db_url)
    try:
        assert revision(db_url) == migrations.head()
        assert schema_differences(db_url) == []
        [run] = store.list_runs()
        assert run["portals"][0]["name"] == "Hà Nội" and run["status"] == "complete"
        # The adopted database takes new runs after the old one.
        new = stored_runs.scored_run(store, "vn-2025", {"hanoi": 71.5}, criteria_set="mic-2024")
        assert new == run["id"] + 1
        assert store.previous_complete_run("vn-2025", new) == run["id"]
    finally:
        store.close()
    Store(db_url).close()  # opening again changes nothing
    assert revision(db_url) == migrations.head()


def test_a_database_of_another_schema_version_is_upgraded_not_recreated(db_url):
    """A database at revision 0001 (an older portalscore) keeps its data and gains 0002's changes."""
    engine = create_engine(db_url)
    with engine.begin() as conn:
        from alembic import command

        command.upgrade(migrations.config(conn), "0001")
        conn.execute(text(LEGACY_ROW))
    engine.dispose()
    store = Store(db_url)
    try:
        assert store.list_runs()[0]["registry_name"] == "vn-2025"
        assert "tasks" in inspect(store.engine).get_table_names()
        assert schema_differences(db_url) == []
    finally:
        store.close()


def _open_store(url: str) -> None:
    Store(url).close()


def test_processes_opening_a_new_database_at_once_migrate_it_once(db_url):
    # spawn, not fork: the test process has server threads, and a forked child can inherit a held lock.
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_open_store, args=(db_url,)) for _ in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * len(procs)
    assert revision(db_url) == migrations.head()
    assert schema_differences(db_url) == []


def test_evidence_and_scores_round_trip(store):
    portals = [stored_runs.portal("hanoi"), stored_runs.portal("bo-tu-phap", kind="ministry")]
    run_id = store.create_run("vn-2025", "vn-2025.yaml", "mic-2024", {"max_pages": 30, "note": "thử nghiệm"}, portals)
    assert store.last_unfinished_run("vn-2025") == run_id
    assert store.portal_stages(run_id) == {"hanoi": "pending", "bo-tu-phap": "pending"}

    first = stored_runs.page("http://127.0.0.1:9/hanoi/", "h1", violations=2)
    store.save_page(run_id, "hanoi", first)
    first.title = "Thủ tục hành chính — <script>alert(1)</script>"
    store.save_page(run_id, "hanoi", first)  # same url and profile: replaced, not duplicated
    store.save_page(run_id, "hanoi", stored_runs.page("http://127.0.0.1:9/hanoi/tra-cuu", "h2"))
    ev = PortalEvidence(
        portal=PortalRef("hanoi", "Cổng DVC Hà Nội", "province", "http://127.0.0.1:9/hanoi/"),
        started_at="2026-11-23T02:00:00+00:00",
        errors=["lab timing failed: timeout"],
        links=[LinkCheck(url="http://127.0.0.1:9/hanoi/a.pdf", kind="document", status=404)],
        scenarios=[
            ScenarioResult(
                id="dossier-lookup",
                outcome="failed",
                failed_step="submit",
                steps=[StepResult(name="open", ok=True, ms=12.5)],
            )
        ],
        site={"robots": {"status": 200}},
    )
    store.save_portal(run_id, ev, "crawled")
    assert store.stage(run_id, "hanoi") == "crawled"
    assert store.stage(run_id, "bo-tu-phap") == "pending"

    back = store.evidence(run_id, "hanoi")
    assert [p.url for p in back.pages] == ["http://127.0.0.1:9/hanoi/", "http://127.0.0.1:9/hanoi/tra-cuu"]
    assert back.pages[0].title == "Thủ tục hành chính — <script>alert(1)</script>"
    assert back.pages[0].accessibility.violations[1].node_count == 2
    assert back.links[0].status == 404 and back.scenarios[0].steps[0].ms == 12.5
    assert back.errors == ["lab timing failed: timeout"] and back.site == {"robots": {"status": 200}}
    # A portal with nothing stored yet still yields evidence naming it.
    assert store.evidence(run_id, "bo-tu-phap").portal.kind == "ministry"

    ranked = [stored_runs.portal_score(portals[0], 81.25, 1), stored_runs.portal_score(portals[1], 40.0, 2)]
    store.save_scores(run_id, "mic-2024", ranked)
    store.save_scores(run_id, "mic-2024", ranked)  # re-scoring replaces
    assert [s.portal_id for s in store.scores(run_id, "mic-2024")] == ["hanoi", "bo-tu-phap"]
    assert store.scores(run_id, "mic-2024")[0].groups["performance"].points == pytest.approx(30 * 0.8125)
    assert store.scores(run_id, "mic-2023") == []

    store.finish_run(run_id)
    assert store.run(run_id)["status"] == "complete" and store.run(run_id)["settings"]["note"] == "thử nghiệm"
    assert store.last_unfinished_run("vn-2025") is None


def test_history_and_previous_runs_follow_the_registry(store):
    a = stored_runs.scored_run(store, "vn-2025", {"hanoi": 60.0, "hue": 70.0})
    stored_runs.scored_run(store, "other", {"hanoi": 10.0})
    b = stored_runs.scored_run(store, "vn-2025", {"hanoi": 80.0, "hue": 65.0})
    unfinished = stored_runs.scored_run(store, "vn-2025", {"hanoi": 90.0}, complete=False)
    assert store.previous_complete_run("vn-2025", unfinished) == b
    assert store.previous_complete_run("vn-2025", b) == a
    assert store.previous_complete_run("vn-2025", a) is None
    history = store.history("vn-2025", "test-set", b)
    assert [(h["run_id"], h["score"], h["rank"]) for h in history["hanoi"]] == [(a, 60.0, 2), (b, 80.0, 1)]
    assert [r["id"] for r in store.list_runs()][:2] == [unfinished, b]


def test_previous_accessibility_reuses_the_latest_complete_result_of_the_same_content(store):
    url = "http://127.0.0.1:9/hanoi/"
    old = stored_runs.scored_run(store, "vn-2025", {"hanoi": 50.0})
    store.save_page(old, "hanoi", stored_runs.page(url, "same-content", violations=1))
    newer = stored_runs.scored_run(store, "vn-2025", {"hanoi": 55.0})
    store.save_page(newer, "hanoi", stored_runs.page(url + "?lang=vi", "same-content", violations=3))
    failed = stored_runs.scored_run(store, "vn-2025", {"hanoi": 55.0})
    store.save_page(failed, "hanoi", stored_runs.page(url, "same-content", error="axe timed out"))
    unfinished = stored_runs.scored_run(store, "vn-2025", {"hanoi": 1.0}, complete=False)
    store.save_page(unfinished, "hanoi", stored_runs.page(url, "same-content", violations=7))
    elsewhere = stored_runs.scored_run(store, "other-registry", {"hanoi": 1.0})
    store.save_page(elsewhere, "hanoi", stored_runs.page(url, "same-content", violations=9))
    current = store.create_run("vn-2025", "vn-2025.yaml", "test-set", {}, [stored_runs.portal("hanoi")])

    reused = store.previous_accessibility(current, "hanoi", "same-content")
    # The newest complete run with a usable result (not the failed one, not the unfinished one, not another registry).
    assert reused is not None and len(reused.violations) == 3 and reused.engine == "axe-core 4.14.1"
    assert store.previous_accessibility(current, "hanoi", "same-content", engine="axe-core 4.14.1") == reused
    assert store.previous_accessibility(current, "hanoi", "same-content", engine="axe-core 4.15.0") is None
    assert store.previous_accessibility(current, "hanoi", "changed-content") is None
    assert store.previous_accessibility(current, "hanoi", "same-content", profile="mobile") is None
    assert store.previous_accessibility(current, "hue", "same-content") is None
    assert store.previous_accessibility(current, "hanoi", "") is None
    assert store.previous_accessibility(old, "hanoi", "same-content") is None  # nothing before the first run


def test_task_log_records_who_did_what(store):
    run_id = store.create_run("vn-2025", "f", "test-set", {}, [stored_runs.portal("hanoi"), stored_runs.portal("hue")])
    t1 = store.task_started(run_id, "127.0.0.1:8001", ["hanoi"], "w1@host", 101)
    t2 = store.task_started(run_id, "127.0.0.1:8002", ["hue"], "w2@host", 102)
    store.task_finished(t1, "done")
    log = store.tasks(run_id)
    assert [(t["host_group"], t["portal_ids"], t["worker"], t["status"]) for t in log] == [
        ("127.0.0.1:8001", ["hanoi"], "w1@host", "done"),
        ("127.0.0.1:8002", ["hue"], "w2@host", "running"),
    ]
    assert log[0]["started_at"] <= log[0]["finished_at"] and log[1]["finished_at"] is None and t2 == log[1]["id"]


def test_sqlite_default_file_is_created_with_its_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTALSCORE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    store = Store()
    try:
        stored_runs.scored_run(store, "vn-2025", {"hanoi": 50.0})
    finally:
        store.close()
    db = tmp_path / "data" / "portalscore" / "portalscore.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (1,)


def test_registry_lock_admits_one_holder_per_registry(db_url):
    first, second = Store(db_url), Store(db_url)  # two processes' worth of connections
    try:
        with first.registry_lock("vn-2025") as got:
            assert got
            with second.registry_lock("vn-2025") as again:
                assert not again
            with second.registry_lock("vn-2023") as other:
                assert other
        with second.registry_lock("vn-2025") as after_release:
            assert after_release
    finally:
        first.close()
        second.close()


def test_in_memory_database_works_for_one_process():
    store = Store("sqlite://")
    try:
        run_id = stored_runs.scored_run(store, "vn-2025", {"hanoi": 50.0, "hue": 60.0})
        assert [s.portal_id for s in store.scores(run_id, "test-set")] == ["hue", "hanoi"]
        assert revision_of(store) == migrations.head()
    finally:
        store.close()


def revision_of(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return migrations.current(conn)


@pytest.mark.parametrize(
    "url, message",
    [
        ("postgresql://portalscore:s3cret@127.0.0.1:1/none", "postgresql://portalscore:***@127.0.0.1:1/none"),
        ("mysqlx://somewhere/db", "mysqlx"),
        ("not a url", "not a url"),
        ("sqlite:////proc/no-such-folder/runs.db", "no-such-folder"),
        ("NOT_A_DATABASE", "file is not a database"),
    ],
)
def test_an_unusable_database_url_is_one_clear_line(tmp_path, url, message):
    if url == "NOT_A_DATABASE":
        junk = tmp_path / "notes.db"
        junk.write_text("these are notes, not a database\n" * 100)
        url = f"sqlite:///{junk}"
    proc = portalscore_cli("runs", "--db", url, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "--db: cannot open the database" in proc.stderr and message in proc.stderr
    assert "Traceback" not in proc.stderr and "s3cret" not in proc.stderr
