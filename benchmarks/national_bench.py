"""A simulated nation: 51 portals on 127.0.0.1, shaped like real ones, evaluated by one `portalscore run`.

    .venv/bin/python benchmarks/national_bench.py                       # the whole nation, full defaults
    .venv/bin/python benchmarks/national_bench.py --scale 0.1 --max-pages 6   # a quick version (5 portals)

The nation (issue 23): the national portal, 16 ministries and 34 provinces, each a sample portal (samples/) of
one of the six known shapes in turn: path-style, hash-routed SPA, ASP.NET `?id=`, /vi/, BCA-like, OpenCPS; each
with the designed faults of its shape, so the ranking has spread. On top, per portal (samples/shaping.py; fixed
seed, the same nation every time):
- server time before every HTML answer drawn from 0.2-2 s, and 3-5 s on 4 hosts;
- one more incompressible image on every page, so that pages weigh 1-3 MB with the portal's own images and scripts;
- a per-connection bandwidth cap of 0.5, 1, 2 or 4 MB/s;
- 2 hosts that never answer (timeouts), 2 that reset every third page request.

The run is a real `portalscore run` (crawl, lab timings on desktop and mobile, all journeys, scoring, report) in
its own process, on a fresh SQLite database. The bench prints wall time, pages/s, the phase timeline (from the
run's log), CPU utilisation of each core over time (system-wide: on a shared machine other work shows too), the
run's own CPU (its process tree: Python and Chromium) and peak PSS (benchmarks/pss.py), and per phase the time
it computed vs waited: CPU seconds of the run's processes against the phase's wall time on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.pss import descendants, pss_mb  # noqa: E402
from portalscore.samples import SAMPLE_PORTALS, PortalSpec, SampleFleet  # noqa: E402
from portalscore.samples.shaping import Shaping  # noqa: E402

NATION_SIZE = 51
SEED = 2026
PAGE_KB = (1000, 1200, 2000, 2500, 3000)  # few sizes: the sample server keeps the generated images cached
KBPS = (500, 1000, 2000, 4000)
SLOW = (3, 17, 29, 41)  # hosts with 3-5 s of server time
TIMEOUT = (7, 33)  # hosts that never answer
RESET = (4, 45)  # hosts that reset every third page request


def nation(size: int = NATION_SIZE) -> tuple[tuple[PortalSpec, ...], dict[str, Shaping]]:
    """The simulated nation's portals and their shaping: deterministic (fixed seed)."""
    rng = random.Random(SEED)
    specs: list[PortalSpec] = []
    shaping: dict[str, Shaping] = {}
    for i in range(size):
        base = SAMPLE_PORTALS[i % len(SAMPLE_PORTALS)]
        if i == 0:
            pid, kind, name = "quoc-gia-mo-phong", "national", "Cổng Dịch vụ công quốc gia (mô phỏng)"
        elif i <= 16:
            pid, kind, name = f"bo-{i:02d}-mo-phong", "ministry", f"Cổng Dịch vụ công Bộ số {i} (mô phỏng)"
        else:
            pid, kind, name = (
                f"tinh-{i - 16:02d}-mo-phong",
                "province",
                f"Cổng Dịch vụ công tỉnh số {i - 16} (mô phỏng)",
            )
        specs.append(replace(base, id=pid, kind=kind, name=name))
        ttfb = rng.uniform(3, 5) if i in SLOW else rng.uniform(0.2, 2.0)
        fault = "timeout" if i in TIMEOUT else "reset" if i in RESET else ""
        shaping[pid] = Shaping(ttfb_s=round(ttfb, 2), page_kb=rng.choice(PAGE_KB), kbps=rng.choice(KBPS), fault=fault)
    return tuple(specs), shaping


def scaled(specs: tuple[PortalSpec, ...], scale: float) -> tuple[PortalSpec, ...]:
    """The first round(51 x scale) portals (at least 1): the order above mixes shapes, kinds and faults early."""
    return specs[: max(1, round(len(specs) * scale))]


@dataclass
class Sample:
    t: float  # seconds since the run started
    cores: list[float]  # % busy per core, system-wide
    run_cpu_s: float  # CPU seconds of the run's process tree so far
    pss_mb: float


class Sampler(threading.Thread):
    """Every second: per-core CPU, the run's process tree CPU and PSS."""

    def __init__(self, root: int, started: float):
        super().__init__(daemon=True)
        self.root, self.started = root, started
        self.samples: list[Sample] = []
        self.stop = threading.Event()
        self._cpu: dict[int, float] = {}  # pid -> last seen CPU seconds (a process that ended keeps its count)
        psutil.cpu_percent(percpu=True)

    def _tree_cpu(self, pids: list[int]) -> float:
        for pid in pids:
            try:
                t = psutil.Process(pid).cpu_times()
                self._cpu[pid] = t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                continue
        return sum(self._cpu.values())

    def run(self) -> None:
        while not self.stop.wait(1.0):
            pids = [self.root, *descendants(self.root)]
            self.samples.append(
                Sample(
                    time.monotonic() - self.started,
                    psutil.cpu_percent(percpu=True),
                    self._tree_cpu(pids),
                    pss_mb(pids),
                )
            )


def phases(log: Path, started_wall: float) -> list[tuple[str, float, float]]:
    """(phase, start, end) in seconds since the run started, from the run log's events.

    Portals are timed as soon as their crawl ends (run/collect.py), so crawl and lab overlap: the crawl runs from
    the start to the last portal crawled, the lab from the first portal crawled to the last one timed; the
    journeys start once every portal is timed. A run that timed all portals after the crawl shows no overlap."""
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        event = entry.get("event")
        if event and "ts" in entry:
            t = datetime.fromisoformat(entry["ts"]).timestamp() - started_wall
            last[event] = max(last.get(event, t), t)
            first[event] = min(first.get(event, t), t)
    out = []
    if "portal_crawled" in last:
        out.append(("crawl", 0.0, last["portal_crawled"]))
    if "portal_timed" in last:
        out.append(("lab", first.get("portal_crawled", 0.0), last["portal_timed"]))
    start = max((b for _, _, b in out), default=0.0)
    if "portal_journeys" in last:
        out.append(("journeys", start, last["portal_journeys"]))
        start = last["portal_journeys"]
    if "run_finished" in last:
        out.append(("score+report", start, last["run_finished"]))
    return out


def cpu_between(samples: list[Sample], a: float, b: float) -> float:
    inside = [s for s in samples if a <= s.t <= b + 1]
    before = [s for s in samples if s.t < a]
    if not inside:
        return 0.0
    return inside[-1].run_cpu_s - (before[-1].run_cpu_s if before else 0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the 51 portals (0.1: 5 portals)")
    parser.add_argument("--max-pages", type=int, help="pages per portal (default: portalscore's, 30)")
    parser.add_argument("--no-scenarios", action="store_true", help="skip the journeys")
    parser.add_argument("--lab-runs", type=int, help="passed to portalscore run --lab-runs (default: its own, 3)")
    parser.add_argument("--workers", help="passed to portalscore run --workers (a number, or celery)")
    parser.add_argument("--lab-early-stop", action="store_true", help="passed to portalscore run")
    parser.add_argument("--throttling-method", choices=("simulate", "devtools"), help="passed to portalscore run")
    parser.add_argument("--keep", type=Path, help="keep the report and database in this folder")
    args = parser.parse_args()
    if not 0 < args.scale <= 1:
        parser.error("--scale must be in (0, 1]")
    specs, shaping = nation()
    specs = scaled(specs, args.scale)
    tmp = tempfile.TemporaryDirectory()
    base = args.keep or Path(tmp.name)
    base.mkdir(parents=True, exist_ok=True)
    with SampleFleet.start(specs, shaping) as fleet:
        registry = fleet.registry_dict()
        registry["name"] = "simulated-nation"
        (base / "nation.yaml").write_text(json.dumps(registry, ensure_ascii=False), encoding="utf-8")
        cmd = [
            str(ROOT / ".venv" / "bin" / "portalscore"),
            "run",
            "--registry",
            str(base / "nation.yaml"),
            "--out",
            str(base / "out"),
            "--db",
            f"sqlite:///{base / 'nation.db'}",
            "-q",
        ]
        if args.max_pages:
            cmd += ["--max-pages", str(args.max_pages)]
        if args.no_scenarios:
            cmd.append("--no-scenarios")
        if args.lab_runs:
            cmd += ["--lab-runs", str(args.lab_runs)]
        if args.lab_early_stop:
            cmd.append("--lab-early-stop")
        if args.throttling_method:
            cmd += ["--throttling-method", args.throttling_method]
        if args.workers:
            cmd += ["--workers", args.workers]
        started_wall, started = time.time(), time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT)
        sampler = Sampler(proc.pid, started)
        sampler.start()
        code = proc.wait()
        wall = time.monotonic() - started
        sampler.stop.set()
        sampler.join()
    samples = sampler.samples
    if code != 0:
        print(f"portalscore run exited {code}", file=sys.stderr)
        return code
    ranking = json.loads((base / "out" / "ranking.json").read_text(encoding="utf-8"))
    pages = sum(p["pages_evaluated"] for p in ranking["portals"])
    timeline = phases(base / "out.operator" / "run.log.jsonl", started_wall)
    cores = len(samples[0].cores) if samples else psutil.cpu_count()
    shapes = sorted({s.style for s in specs})
    faults = sum(1 for s in specs if shaping[s.id].fault)
    print(f"simulated nation: {len(specs)} portals ({', '.join(shapes)}; {faults} faulty hosts), scale {args.scale:g}")
    print(f"wall time: {wall:.0f} s ({wall / 60:.1f} min); pages: {pages}; {pages / wall:.2f} pages/s")
    print(f"peak PSS of the run: {max((s.pss_mb for s in samples), default=0):.0f} MB")
    total_cpu = samples[-1].run_cpu_s if samples else 0.0
    print(f"run's CPU: {total_cpu:.0f} s = {100 * total_cpu / (wall * cores):.0f} % of {cores} cores over the run")
    print(f"\n{'phase':<13} {'start':>7} {'end':>7} {'wall s':>7} {'CPU s':>7} {'computed':>9} {'waited':>7}")
    for name, a, b in timeline:
        cpu = cpu_between(samples, a, b)
        span = max(b - a, 1e-6)
        computed = min(1.0, cpu / (span * cores))
        print(
            f"{name:<13} {a:7.0f} {b:7.0f} {span:7.0f} {cpu:7.0f} {100 * computed:8.0f}% {100 * (1 - computed):6.0f}%"
        )
    print("(computed: the run's CPU seconds over the phase's core-seconds; waited: the rest, cores left idle)")
    print(f"\nCPU over time (every {max(1, len(samples) // 20)} s; cores system-wide, run = the run's processes):")
    step = max(1, len(samples) // 20)
    prev = None
    for s in samples[::step]:
        run_pct = 100 * (s.run_cpu_s - prev.run_cpu_s) / (s.t - prev.t) if prev else 0.0
        phase = next((n for n, a, b in timeline if a <= s.t <= b), "")
        cores_txt = " ".join(f"{c:5.0f}%" for c in s.cores)
        print(f"  {s.t:6.0f} s  cores {cores_txt}  run {run_pct:5.0f}%  PSS {s.pss_mb:6.0f} MB  {phase}")
        prev = s
    scores = [p["score"] for p in ranking["portals"]]
    print(f"\nscores: median {statistics.median(scores):.1f}, min {min(scores):.1f}, max {max(scores):.1f}")
    print("ranking: " + ", ".join(f"{p['id']} {p['score']:.1f}" for p in ranking["portals"]))
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
