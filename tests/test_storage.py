"""The store on SQLite and on a real PostgreSQL server: schema by migrations (the only definition of it),
adoption of databases made before migrations existed, concurrent opening, evidence and scores round trips,
the lookup incremental crawling uses, and the distributed work log with its leases."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time

import pytest
from sqlalchemy import JSON, Table, create_engine, inspect, text

from portalscore.contract.evidence import (
    LinkCheck,
    PortalEvidence,
    PortalRef,
    RobotsCheck,
    ScenarioResult,
    Site,
    StepResult,
)
from portalscore.crawler.settings import CrawlSettings
from portalscore.runsettings import RunSettings
from portalscore.store import Store, migrations, schema
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


def reflected(url: str) -> dict:
    """Tables, columns (type, nullable), keys and indexes, as the database itself reports them."""
    engine = create_engine(url)
    try:
        insp = inspect(engine)
        return {
            t: {
                "columns": {c["name"]: (str(c["type"]), c["nullable"]) for c in insp.get_columns(t)},
                "primary key": tuple(insp.get_pk_constraint(t)["constrained_columns"]),
                "foreign keys": sorted(
                    (tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys(t)
                ),
                "unique": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(t)),
                "indexes": sorted((i["name"], tuple(i["column_names"])) for i in insp.get_indexes(t)),
            }
            for t in insp.get_table_names()
        }
    finally:
        engine.dispose()


def fresh_schema(db_url: str, tmp_path) -> dict:
    """The schema the migrations give a new database of the same kind."""
    url = f"sqlite:///{tmp_path / 'reference.db'}" if db_url.startswith("sqlite") else services().fresh_database()
    Store(url).close()
    return reflected(url)


def store_columns_missing(url: str) -> list[str]:
    """Tables and columns the store's queries name (store/schema.py) that the database lacks, or JSON columns
    the database does not keep as JSON."""
    have = reflected(url)
    missing = []
    for t in schema.TABLES:
        for c in t.columns:
            if c.name not in have.get(t.name, {}).get("columns", {}):
                missing.append(f"{t.name}.{c.name}")
            elif isinstance(c.type, JSON) and "JSON" not in have[t.name]["columns"][c.name][0].upper():
                missing.append(f"{t.name}.{c.name} as JSON")
    return missing


def revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return migrations.current(conn)
    finally:
        engine.dispose()


def test_migrations_build_every_table_and_column_the_store_queries(store):
    assert revision(store.url) == migrations.head()
    assert store_columns_missing(store.url) == []
    assert {t.name for t in schema.TABLES} | {"alembic_version"} == set(reflected(store.url))


def test_the_migrations_are_the_only_definition_of_the_schema():
    """No second Table definition to keep in step: the store's constructs carry names and types only."""
    import portalscore.store as package

    modules = [
        getattr(package, name)
        for name in ("database", "evidence", "records", "runs", "schema", "scores", "store", "tasks")
    ]
    tables = [value for m in modules for value in vars(m).values() if isinstance(value, Table)]
    assert tables == []


def test_database_made_before_migrations_is_adopted_with_its_runs(db_url, tmp_path):
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
        assert reflected(db_url) == fresh_schema(db_url, tmp_path)
        [run] = store.list_runs()
        assert run.portals[0].name == "Hà Nội" and run.status == "complete"
        assert run.settings == RunSettings()  # stored as {}: the defaults
        # The adopted database takes new runs after the old one.
        new = stored_runs.scored_run(store, "vn-2025", {"hanoi": 71.5}, criteria_set="mic-2024")
        assert new == run.id + 1
        assert store.previous_complete_run("vn-2025", new) == run.id
    finally:
        store.close()
    Store(db_url).close()  # opening again changes nothing
    assert revision(db_url) == migrations.head()


def test_a_database_of_another_schema_version_is_upgraded_not_recreated(db_url, tmp_path):
    """A database at revision 0001 (an older portalscore) keeps its data and gains the later changes."""
    engine = create_engine(db_url)
    with engine.begin() as conn:
        from alembic import command

        command.upgrade(migrations.config(conn), "0001")
        conn.execute(text(LEGACY_ROW))
    engine.dispose()
    store = Store(db_url)
    try:
        assert store.list_runs()[0].registry_name == "vn-2025"
        assert "tasks" in inspect(store.engine).get_table_names()
        assert reflected(db_url) == fresh_schema(db_url, tmp_path)
    finally:
        store.close()


def _open_store(url: str) -> None:
    Store(url).close()


def test_processes_opening_a_new_database_at_once_migrate_it_once(db_url, tmp_path):
    # spawn, not fork: the test process has server threads, and a forked child can inherit a held lock.
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_open_store, args=(db_url,)) for _ in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * len(procs)
    assert revision(db_url) == migrations.head()
    assert reflected(db_url) == fresh_schema(db_url, tmp_path)


def test_evidence_and_scores_round_trip(store):
    portals = [stored_runs.portal("hanoi"), stored_runs.portal("bo-tu-phap", kind="ministry")]
    settings = RunSettings(
        crawl=CrawlSettings(max_pages=30, allowed_hosts=["127.0.0.1"], allow_internal=("10.20.0.0/16",)),
        scenarios=False,
        criteria_source="/srv/tiêu chí/thử nghiệm.yaml",
        executor="celery",
    )
    run_id = store.create_run("vn-2025", "vn-2025.yaml", "mic-2024", settings, portals)
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
        site=Site(robots=RobotsCheck(status=200)),
    )
    store.save_portal(run_id, ev, "crawled")
    assert store.stage(run_id, "hanoi") == "crawled"
    assert store.stage(run_id, "bo-tu-phap") == "pending"

    back = store.evidence(run_id, "hanoi")
    assert [p.url for p in back.pages] == ["http://127.0.0.1:9/hanoi/", "http://127.0.0.1:9/hanoi/tra-cuu"]
    assert back.pages[0].title == "Thủ tục hành chính — <script>alert(1)</script>"
    assert back.pages[0].accessibility.violations[1].node_count == 2
    assert back.links[0].status == 404 and back.scenarios[0].steps[0].ms == 12.5
    assert back.errors == ["lab timing failed: timeout"] and back.site == Site(robots=RobotsCheck(status=200))
    # A portal with nothing stored yet still yields evidence naming it.
    assert store.evidence(run_id, "bo-tu-phap").portal.kind == "ministry"

    ranked = [stored_runs.portal_score(portals[0], 81.25, 1), stored_runs.portal_score(portals[1], 40.0, 2)]
    store.save_scores(run_id, "mic-2024", ranked)
    store.save_scores(run_id, "mic-2024", ranked)  # re-scoring replaces
    assert [s.portal_id for s in store.scores(run_id, "mic-2024")] == ["hanoi", "bo-tu-phap"]
    assert store.scores(run_id, "mic-2024")[0].groups["performance"].points == pytest.approx(30 * 0.8125)
    assert store.scores(run_id, "mic-2023") == []

    store.finish_run(run_id)
    run = store.run(run_id)
    assert run is not None and run.status == "complete" and run.finished_at
    assert run.settings == settings and run.portals == tuple(portals)  # typed, as they went in
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
    assert [r.id for r in store.list_runs()][:2] == [unfinished, b]


def test_prior_audits_give_the_latest_complete_result_of_each_content(store):
    url = "http://127.0.0.1:9/hanoi/"
    old = stored_runs.scored_run(store, "vn-2025", {"hanoi": 50.0})
    store.save_page(old, "hanoi", stored_runs.page(url, "same-content", violations=1))
    store.save_page(old, "hanoi", stored_runs.page(url + "old-only", "old-content", violations=4))
    newer = stored_runs.scored_run(store, "vn-2025", {"hanoi": 55.0})
    store.save_page(newer, "hanoi", stored_runs.page(url + "?lang=vi", "same-content", violations=3))
    mobile = stored_runs.page(url, "same-content", violations=5)
    mobile.profile = "mobile"
    store.save_page(newer, "hanoi", mobile)
    sampled = stored_runs.page(url + "thu-tuc/2", "sampled-content", violations=2)
    sampled.accessibility.sampled_from = url + "thu-tuc/1"  # another page's audit: not this content's
    store.save_page(newer, "hanoi", sampled)
    upgraded = stored_runs.page(url + "new-axe", "new-axe-content", violations=1, engine="axe-core 4.15.0")
    store.save_page(newer, "hanoi", upgraded)
    failed = stored_runs.scored_run(store, "vn-2025", {"hanoi": 55.0})
    store.save_page(failed, "hanoi", stored_runs.page(url, "same-content", error="axe timed out"))
    unfinished = stored_runs.scored_run(store, "vn-2025", {"hanoi": 1.0}, complete=False)
    store.save_page(unfinished, "hanoi", stored_runs.page(url, "same-content", violations=7))
    store.save_page(unfinished, "hanoi", stored_runs.page(url + "x", "unfinished-content", violations=7))
    elsewhere = stored_runs.scored_run(store, "other-registry", {"hanoi": 1.0})
    store.save_page(elsewhere, "hanoi", stored_runs.page(url, "same-content", violations=9))
    store.save_page(elsewhere, "hanoi", stored_runs.page(url + "y", "elsewhere-content", violations=9))
    current = store.create_run(
        "vn-2025", "vn-2025.yaml", "test-set", stored_runs.settings(), [stored_runs.portal("hanoi")]
    )

    audits = store.prior_audits(current, "hanoi", "axe-core 4.14.1")
    # Per content: the newest complete run of the registry with a usable result (not the failed one, not the
    # unfinished one, not another registry's); profiles apart; sampled and other-engine results never.
    assert {key: (len(a.violations), a.reused_from_run) for key, a in audits.items()} == {
        ("desktop", "same-content"): (3, newer),  # same content under another URL: the same audit
        ("mobile", "same-content"): (5, newer),
        ("desktop", "old-content"): (4, old),
        ("desktop", "hash-hanoi"): (1, newer),  # the home page of scored_run, where no later page replaced it
    }
    assert audits[("desktop", "same-content")].engine == "axe-core 4.14.1"
    assert set(store.prior_audits(current, "hanoi", "axe-core 4.15.0")) == {("desktop", "new-axe-content")}
    assert store.prior_audits(current, "hue", "axe-core 4.14.1") == {}
    assert store.prior_audits(old, "hanoi", "axe-core 4.14.1") == {}  # nothing before the first run


def test_prior_audits_keep_the_run_that_audited_along_a_chain_of_reuses(store):
    url = "http://127.0.0.1:9/hanoi/"
    first = stored_runs.scored_run(store, "vn-2025", {"hanoi": 50.0})
    store.save_page(first, "hanoi", stored_runs.page(url, "same-content", violations=2))
    second = stored_runs.scored_run(store, "vn-2025", {"hanoi": 50.0})
    reused = stored_runs.page(url, "same-content", violations=2)
    reused.accessibility.reused_from_run = first
    store.save_page(second, "hanoi", reused)
    current = store.create_run(
        "vn-2025", "vn-2025.yaml", "test-set", stored_runs.settings(), [stored_runs.portal("hanoi")]
    )
    assert store.prior_audits(current, "hanoi", "axe-core 4.14.1")[("desktop", "same-content")].reused_from_run == first


def test_a_page_is_stored_once_whoever_stores_it(store):
    run_id = store.create_run("vn-2025", "f", "test-set", stored_runs.settings(), [stored_runs.portal("hanoi")])
    other = Store(store.url)  # another process's connections
    try:
        for s in (store, other, store):
            s.save_page(run_id, "hanoi", stored_runs.page("http://127.0.0.1:9/hanoi/", "h1"))
        assert len(store.pages(run_id, "hanoi")) == 1
    finally:
        other.close()


def test_task_log_records_each_sending_and_who_took_it(store):
    run_id = store.create_run(
        "vn-2025", "f", "test-set", stored_runs.settings(), [stored_runs.portal("hanoi"), stored_runs.portal("hue")]
    )
    t1 = store.queue_task(run_id, "127.0.0.1:8001", ["hanoi"])
    t2 = store.queue_task(run_id, "127.0.0.1:8002", ["hue"])
    assert store.claim_task(t1, "w1@host", 101, lease_s=60)
    assert not store.claim_task(t1, "w2@host", 102, lease_s=60)  # taken: a second delivery does nothing
    assert store.finish_task(t1, "done")
    assert store.finish_task(t2, "superseded")  # a queued sending no longer wanted
    assert not store.claim_task(t2, "w2@host", 102, lease_s=60)  # ... is never taken after
    log = store.tasks(run_id)
    assert [(t.host_group, t.portal_ids, t.worker, t.pid, t.status) for t in log] == [
        ("127.0.0.1:8001", ("hanoi",), "w1@host", 101, "done"),
        ("127.0.0.1:8002", ("hue",), None, None, "superseded"),
    ]
    assert log[0].queued_at <= log[0].started_at <= log[0].finished_at and log[1].finished_at
    assert store.task(t2) == log[1] and store.task(t2 + 100) is None


def test_a_lease_that_runs_out_makes_the_task_lost_and_its_worker_find_out(store):
    run_id = store.create_run("vn-2025", "f", "test-set", stored_runs.settings(), [stored_runs.portal("hanoi")])
    alive, gone = store.queue_task(run_id, "h:1", ["hanoi"]), store.queue_task(run_id, "h:1", ["hanoi"])
    assert store.claim_task(alive, "w1@host", 1, lease_s=60) and store.claim_task(gone, "w2@host", 2, lease_s=0.3)
    assert not store.expire_lease(alive) and not store.expire_lease(gone)  # both leases still run
    time.sleep(0.6)
    assert store.renew_lease(alive, lease_s=60)  # a working worker keeps its task
    assert not store.expire_lease(alive)
    assert store.expire_lease(gone)  # a silent one loses it, once
    assert not store.expire_lease(gone)
    assert store.task(gone).status == "lost" and store.task(gone).finished_at
    assert not store.renew_lease(gone, lease_s=60)  # its worker, if it ever comes back, learns it must stop
    assert not store.finish_task(gone, "done")  # ... and cannot mark it done
    assert not store.claim_task(gone, "w3@host", 3, lease_s=60)  # nor can a stale delivery take it again
    assert store.task(alive).lease_until > store.task(gone).lease_until


def test_the_worker_heartbeat_renews_its_lease_and_stops_when_it_is_taken(store):
    from portalscore.run.lease import Heartbeat

    run_id = store.create_run("vn-2025", "f", "test-set", stored_runs.settings(), [stored_runs.portal("hanoi")])
    task_id = store.queue_task(run_id, "h:1", ["hanoi"])
    assert store.claim_task(task_id, "w1@host", 1, lease_s=0.5)
    lost = []
    with Heartbeat(store, task_id, lease_s=0.5, every_s=0.1, on_lost=lambda: lost.append(True)) as beat:
        time.sleep(1.5)  # three leases long: alive only because the heartbeat renews it
        assert not store.expire_lease(task_id) and beat.renewals >= 5
    time.sleep(0.7)  # no heartbeat now: the lease runs out
    assert store.expire_lease(task_id)
    with Heartbeat(store, task_id, lease_s=0.5, every_s=0.1, on_lost=lambda: lost.append(True)):
        time.sleep(0.5)
    assert lost == [True]


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
