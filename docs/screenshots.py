"""Screenshots of the published report as readers see it: the ranking, the worst portal's page and the method
page, on a phone (390 CSS px) and a desktop (1280 CSS px), in Debian's Chromium. They go to
docs/screenshots/*.png and the README shows them.

    .venv/bin/python docs/screenshots.py --report out/demo          # a report folder (`make demo` writes one)
    .venv/bin/python docs/screenshots.py --db sqlite:///out/demo.db  # render the latest stored run first

With --db the report is rendered again from the stored evidence, scored with the current criteria code (so a
change to the report or the criteria shows without a new crawl), into out/screenshots-report.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHOTS = ROOT / "docs" / "screenshots"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
MAX_HEIGHT = 2600  # a longer page is cut: its top is what a reader judges it by (and git keeps the PNGs small)


def render_stored(db: str, run: str, out: Path) -> Path:
    """Re-score a stored run with the current code and render it (what `portalscore report` does after a change)."""
    from portalscore.criteria import load_criteria_set
    from portalscore.run import score_run, write_report
    from portalscore.store import Store

    store = Store(db)
    try:
        record = store.list_runs(1)[0] if run == "latest" else store.run(int(run))
        if record is None:
            raise SystemExit(f"no run {run} in {db}")
        criteria = load_criteria_set(record.criteria_set)
        score_run(store, record.id, criteria)
        stored = record.settings.artefact_dir
        write_report(
            store, record.id, criteria, out, artefact_dir=Path(stored) if stored and Path(stored).is_dir() else None
        )
    finally:
        store.close()
    return out


def shoot(report: Path, out: Path = SHOTS) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from portalscore.crawler.browser import launch_options
    from portalscore.crawler.egress import Egress
    from portalscore.crawler.netpolicy import NetPolicy

    ranking = json.loads((report / "ranking.json").read_text(encoding="utf-8"))
    worst = max(ranking["portals"], key=lambda p: (p["rank"], p["id"]))
    pages = {"index": "index.html", "worst-portal": f"portals/{worst['id']}.html", "method": "method.html"}
    out.mkdir(parents=True, exist_ok=True)
    written = []
    # The report is read from files: its browser may contact nothing (the egress refuses every host).
    with sync_playwright() as pw, Egress(NetPolicy.build(only_hosts=[])) as egress:
        browser = pw.chromium.launch(**launch_options(egress))
        try:
            for width, height in WIDTHS.values():
                context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
                page = context.new_page()
                for name, rel in pages.items():
                    page.goto((report / rel).resolve().as_uri())
                    full = page.evaluate("document.documentElement.scrollHeight")
                    path = out / f"{name}-{width}.png"
                    page.screenshot(
                        path=str(path),
                        full_page=True,
                        clip={"x": 0, "y": 0, "width": width, "height": min(full, MAX_HEIGHT)},
                    )
                    written.append(path)
                context.close()
        finally:
            browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--report", type=Path, help="a rendered report folder")
    source.add_argument("--db", help="database URL: render a stored run first")
    parser.add_argument("--run", default="latest", help="with --db: run id or 'latest'")
    parser.add_argument("--out", type=Path, default=SHOTS)
    args = parser.parse_args()
    report = args.report or render_stored(args.db, args.run, ROOT / "out" / "screenshots-report")
    for path in shoot(report, args.out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
