"""The command line's options: run, demo and schedule take the same run options and make the same settings;
`--allow-internal` is checked and reaches the crawler's settings; a run's settings are stored with it and are
what a resumed run goes on with."""

from __future__ import annotations

import argparse
import dataclasses
import logging

import pytest

from portalscore.cli import build_parser
from portalscore.cli.options import run_settings
from portalscore.crawler.settings import CrawlSettings
from portalscore.criteria import load_criteria_set
from portalscore.progress import Progress
from portalscore.registry import load_registry
from portalscore.run.plan import start_or_resume
from portalscore.runsettings import RunSettings
from portalscore.store import Store
from tests.helpers import portalscore_cli

RUN_FLAGS = [
    "--max-pages",
    "5",
    "--lab-runs",
    "2",
    "--lab-early-stop",
    "--lab-quiet-wait",
    "0.5",
    "--lab-priority",
    "0",
    "--lab-lanes",
    "2",
    "--workers",
    "3",
    "--contact",
    "https://portalscore.example.vn/lien-he",
    "--throttle",
    "slow-4g",
    "--full-audit",
    "--allow-host",
    "dichvucong.hanoi.gov.vn",
    "--allow-internal",
    "http://10.0.0.5:8080",
    "--allow-internal",
    "10.20.0.0/16",
    "--no-scenarios",
    "--lang",
    "en",
    "--criteria",
    "mic-2023",
]


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _options(p: argparse.ArgumentParser) -> set[str]:
    return {s for a in p._actions for s in a.option_strings}


def _settings(argv: list[str]) -> RunSettings:
    args = build_parser().parse_args(argv)
    return run_settings(args, load_criteria_set(args.criteria))


def test_schedule_and_demo_take_every_run_option():
    commands = _commands()
    run = _options(commands["run"])
    assert run - _options(commands["schedule"]) == {"--out", "--resume"}  # a folder per firing; each a new run
    assert run - _options(commands["demo"]) == {"--registry", "--secrets", "--allow-host"}  # the samples, on loopback
    assert {"--allow-host", "--allow-internal", "--contact", "--throttle"} <= _options(commands["audit"])


def test_run_and_schedule_make_the_same_settings_from_the_same_flags():
    by_run = _settings(["run", "--registry", "vn-2025", *RUN_FLAGS])
    by_schedule = _settings(["schedule", "--registry", "vn-2025", "--cron", "0 2 * * *", "--out-root", "x", *RUN_FLAGS])
    assert by_run == by_schedule
    assert by_run.crawl == dataclasses.replace(
        CrawlSettings(),
        max_pages=5,
        lab_runs=2,
        lab_early_stop=True,
        lab_quiet_wait_s=0.5,
        lab_nice=0,
        lab_lanes=2,
        workers=3,
        contact="https://portalscore.example.vn/lien-he",
        throttle="slow-4g",
        reuse_audits=False,
        audit_per_template=0,
        allowed_hosts=["dichvucong.hanoi.gov.vn"],
        allow_internal=("http://10.0.0.5:8080", "10.20.0.0/16"),
    )
    assert (by_run.scenarios, by_run.lang, by_run.executor) == (False, "en", "local")
    assert by_run.criteria_source == str(load_criteria_set("mic-2023").file)  # reloaded from there


def test_defaults_are_the_crawlers_and_celery_chooses_where_not_how_many():
    plain = _settings(["run", "--registry", "vn-2025"])
    assert plain == RunSettings(crawl=CrawlSettings(), criteria_source=str(load_criteria_set("mic-2024").file))
    celery = _settings(["run", "--registry", "vn-2025", "--workers", "celery"])
    assert celery.executor == "celery" and celery.crawl.workers == CrawlSettings().workers


@pytest.mark.parametrize(
    "flag,value",
    [
        ("--lab-quiet-wait", "-1"),
        ("--lab-quiet-wait", "soon"),
        ("--lab-priority", "21"),
        ("--lab-lanes", "0"),
        ("--lab-lanes", "9"),
        ("--lab-lanes", "two"),
    ],
)
def test_lab_options_refuse_values_out_of_range_in_one_line(flag, value):
    proc = portalscore_cli("run", "--registry", "vn-2025", flag, value, timeout=60)
    assert proc.returncode == 2 and flag in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("command", [["run", "--registry", "vn-2025"], ["audit", "http://127.0.0.1:9/"]])
@pytest.mark.parametrize("value", ["intranet", "ftp://10.0.0.5/", "10.20.0.0/33"])
def test_allow_internal_refuses_what_is_neither_an_origin_nor_a_range(tmp_path, command, value):
    proc = portalscore_cli(*command, "--allow-internal", value, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "--allow-internal" in proc.stderr and "10.20.0.0/16" in proc.stderr and "Traceback" not in proc.stderr


def test_settings_round_trip_and_runs_stored_before_them_read_back():
    settings = _settings(["run", "--registry", "vn-2025", *RUN_FLAGS])
    assert RunSettings.from_stored(settings.to_stored()) == settings
    own = {f.name for f in dataclasses.fields(RunSettings)} - {"crawl"}
    assert not own & {f.name for f in dataclasses.fields(CrawlSettings)}  # one flat namespace, no clashes
    # A distributed run stored by an earlier portalscore: crawl fields, where artefacts went, the criteria file.
    old = {
        "max_pages": 8,
        "profiles": ["desktop"],
        "distributed": True,
        "artefact_dir": "/srv/a",
        "criteria_source": "x.yaml",
    }
    back = RunSettings.from_stored(old)
    assert back.crawl.max_pages == 8 and back.crawl.profiles == ("desktop",) and back.executor == "celery"
    assert (back.artefact_dir, back.criteria_source, back.scenarios) == ("/srv/a", "x.yaml", True)
    assert RunSettings.from_stored({}).criteria_source == ""  # unknown: `report` uses the run's criteria id


def test_a_resumed_run_goes_on_with_the_settings_it_started_with(tmp_path, caplog):
    registry = load_registry("vn-2025")
    criteria = load_criteria_set("mic-2024")
    first = RunSettings(crawl=CrawlSettings(max_pages=4, allow_internal=("10.20.0.0/16",)), lang="en")
    with Store(f"sqlite:///{tmp_path / 'runs.db'}") as store:
        run, portals = start_or_resume(store, registry, criteria, first, False, Progress())
        assert run.settings == first and [p.id for p in portals] == [p.id for p in registry.portals]
        other = dataclasses.replace(first, crawl=CrawlSettings(max_pages=9), lang="vi")
        with caplog.at_level(logging.WARNING, logger="portalscore.run"):
            again, _ = start_or_resume(store, registry, criteria, other, True, Progress())
        assert again.id == run.id and again.settings == first
        assert "ignored now: allow_internal, lang, max_pages" in caplog.text
