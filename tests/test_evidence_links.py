"""The evidence lines' pieces. The replay command the report prints for a finding's page: the URL is the portal's,
untrusted, and a reader pastes the line in a shell, so the URL reaches `portalscore replay` as one argument, whatever
it holds. A failed step's element box: stored with the run, and runs stored before it still load."""

from __future__ import annotations

import shlex

import pytest

from portalscore.reports.evidence import replay_command

HOSTILE = [
    "http://127.0.0.1:8080/",
    "http://x.example/a$(reboot)",
    "http://x.example/a;touch${IFS}pwned",
    "http://x.example/it's`id`&x=1|y",
    "http://x.example/a%20b?q='\"",
]


@pytest.mark.parametrize("url", HOSTILE)
@pytest.mark.parametrize("published", [False, True])
def test_the_replay_command_passes_the_url_as_one_argument(url, published):
    args = shlex.split(replay_command(12, url, "mobile", published))
    assert args[-1] == url
    assert args[:2] == ["portalscore", "replay"] and args[args.index("--run") + 1] == "12"
    assert ("--archive-dir" in args) == published and args[args.index("--profile") + 1] == "mobile"


def test_a_plain_url_is_shown_as_it_is():
    assert replay_command(3, "http://127.0.0.1:8080/vi/a", "desktop", False) == (
        "portalscore replay --run 3 http://127.0.0.1:8080/vi/a"
    )


def test_a_failed_steps_box_is_stored_and_old_steps_still_load():
    from portalscore.contract.evidence import Box, ScenarioResult, StepResult, from_dict, to_dict

    step = StepResult("skip_link", False, crop=Box(10, 20, 300, 40))
    back = from_dict(ScenarioResult, to_dict(ScenarioResult("keyboard", steps=[step])))
    assert back.steps[0].crop == Box(10, 20, 300, 40)
    old = from_dict(ScenarioResult, {"id": "keyboard", "steps": [{"name": "skip_link", "ok": False}]})
    assert old.steps[0].crop is None
