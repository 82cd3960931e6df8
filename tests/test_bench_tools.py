"""The benchmark's parts: the PSS sampler, the page sample, and Lighthouse / pa11y-ci run offline
against a sample portal (skipped where `make bench-tools` has not installed them)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from npm_tools import run_lighthouse, run_pa11y_ci, tool_path
from pss import PeakMemory

HOLD_300_MB = (
    "import sys, time; b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096]); "
    "print('ready', flush=True); time.sleep(3)"
)


async def _peak_while_child_holds_memory(include_self: bool) -> float:
    async with PeakMemory(include_self=include_self) as mem:
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", HOLD_300_MB, stdout=subprocess.PIPE)
        await proc.stdout.readline()
        await proc.wait()  # the child holds its pages for 3 s: at least two samples
    return mem.peak


def test_peak_memory_counts_child_processes():
    peak = asyncio.run(_peak_while_child_holds_memory(include_self=False))
    assert 280 <= peak < 1000


def test_spread_samples_every_portal():
    from crawl_bench import spread

    urls = [f"http://127.0.0.1:{port}/p{i}" for port in range(6) for i in range(8)]
    sample = spread(urls, 12)
    assert len(sample) == 12 == len(set(sample))
    assert {u.split("/")[2] for u in sample} == {u.split("/")[2] for u in urls}
    assert spread(urls[:5], 12) == urls[:5]


@pytest.mark.browser
@pytest.mark.skipif(tool_path("pa11y-ci") is None, reason="pa11y-ci not installed (make bench-tools)")
def test_pa11y_ci_evaluates_a_sample_page_offline(fleet, tmp_path):
    run = asyncio.run(run_pa11y_ci(tool_path("pa11y-ci"), [fleet.portals[0].url], tmp_path))
    assert run.errors == [] and run.pages == 1
    assert 0 < run.seconds <= run.wall and run.peak_mb > 50


@pytest.mark.browser
@pytest.mark.skipif(tool_path("lighthouse") is None, reason="lighthouse not installed (make bench-tools)")
def test_lighthouse_evaluates_a_sample_page_offline(fleet, tmp_path):
    run = asyncio.run(run_lighthouse(tool_path("lighthouse"), [fleet.portals[0].url], tmp_path))
    assert run.errors == [] and run.pages == 1
    assert 0 < run.seconds <= run.wall and run.peak_mb > 50
