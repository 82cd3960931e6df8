"""Does `portalscore check` flip between pass and fail on a site that did not change? (issue 21)

    .venv/bin/python benchmarks/check_stability.py [--runs 10] [--portal bo-ket-noi-mau] [--max-pages 3]

One sample portal is served on 127.0.0.1 for the whole benchmark; `portalscore check` runs on it --runs times
(the real command line, each run its own process and SQLite file, journeys off: they have no timings) with a
budget whose timing maxima sit well above the portal's timings and, from the second run on, `--baseline` the
first run's JSON result, with the default noise thresholds (portalscore/gate/noise.py). Printed: each run's exit
code and worst-page lab medians, the number of flips (a run whose exit code differs from the one before; must be
0), and per timing metric the spread of the worst page's median over the runs (max - min) next to the tolerance
the gate allowed — the figure docs/ci.md's "Noise" section quotes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET = """\
metrics:
  lcp_ms: 2500
  fcp_ms: 1800
  load_ms: 3000
  ttfb_ms: 800
  cls: 0.1
  axe: {critical: 0, serious: 0}
baseline: {max_drop: 1}
"""
METRICS = ("lcp_ms", "fcp_ms", "load_ms", "ttfb_ms", "cls")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--portal", default="bo-ket-noi-mau", help="sample portal id")
    parser.add_argument("--max-pages", default="3")
    parser.add_argument("--lab-runs", default=None, help="loads per timed page (default: check's, 5)")
    parser.add_argument("--json", metavar="FILE", help="also write every run's figures here")
    args = parser.parse_args()

    from portalscore.gate.noise import timing_tolerance
    from portalscore.samples import SAMPLE_PORTALS, SampleFleet

    spec = next(s for s in SAMPLE_PORTALS if s.id == args.portal)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp, SampleFleet.start((spec,)) as fleet:
        url = fleet.portals[0].url
        budget = Path(tmp) / "budget.yml"
        budget.write_text(BUDGET, encoding="utf-8")
        baseline: Path | None = None
        for i in range(args.runs):
            out = Path(tmp) / f"run{i}"
            cmd = [sys.executable, "-m", "portalscore", "check", url, "--budget", str(budget), "--out", str(out)]
            cmd += ["--db", f"sqlite:///{out}.db", "--max-pages", args.max_pages, "--no-scenarios", "-q"]
            if args.lab_runs:
                cmd += ["--lab-runs", args.lab_runs]
            if baseline is not None:
                cmd += ["--baseline", str(baseline)]
            started = time.monotonic()
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
            result = json.loads((out / "check-result.json").read_text(encoding="utf-8"))
            row = {
                "run": i + 1,
                "exit": proc.returncode,
                "seconds": round(time.monotonic() - started, 1),
                "broken": result["broken"],
                "score": result["score"],
                "worst": result["timings"]["worst"],
                "spread": result["timings"]["spread"],
            }
            rows.append(row)
            worst = "  ".join(f"{m} {row['worst'].get(m, float('nan')):.4g}" for m in METRICS)
            print(f"run {i + 1:>2}: exit {proc.returncode}  {row['seconds']:>5.1f} s  score {row['score']:.2f}  "
                  f"{worst}  broken {row['broken'] or '-'}", flush=True)  # fmt: skip
            if baseline is None:
                baseline = out / "check-result.json"
    codes = [r["exit"] for r in rows]
    flips = sum(1 for a, b in zip(codes, codes[1:]) if a != b)
    print(f"\nflips: {flips} (exit codes {codes})")
    first = rows[0]
    print("timing spread over the runs (worst page's lab median) vs the tolerance the baseline line allowed:")
    for m in METRICS:
        values = [r["worst"][m] for r in rows if m in r["worst"]]
        if not values:
            continue
        within = [r["spread"].get(m, 0.0) for r in rows]
        tol = min(
            timing_tolerance(m, first["worst"][m], r["spread"].get(m, 0.0), first["spread"].get(m, 0.0))
            for r in rows[1:]
        ) if len(rows) > 1 else float("nan")  # fmt: skip
        print(
            f"  {m:8} median {statistics.median(values):8.4g}  range {min(values):.4g}-{max(values):.4g} "
            f"(spread {max(values) - min(values):.4g}; largest rise over run 1: {max(values) - values[0]:.4g})  "
            f"in-run spread of the loads: median {statistics.median(within):.4g}  smallest tolerance {tol:.4g}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0 if flips == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
