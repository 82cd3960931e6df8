"""The evidence archive from the command line (docs/archive.md): `replay` a page of a run offline, `prune` the
archive to the retention policy, `evidence export` one portal's evidence of a run for a dispute, `evidence browse`
its pages in a browser (pywb)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
from pathlib import Path
from typing import Any

from portalscore.contract.errors import InputError

from .common import open_store, stored_run
from .options import add_db_option, non_negative
from .stored import criteria_of


def _root(run: Any) -> Path:
    from portalscore.run.archive import archive_root

    root = archive_root(run)
    if root is None or not root.is_dir():
        raise InputError(f"run {run.id} kept no evidence archive (it ran with --no-archive, or the folder is gone)")
    return root


def _portal_of(root: Path, run: Any, url: str, profile: str) -> str:
    """The portal of the run whose archive holds `url` (read from the manifests, not the WARC files)."""
    from portalscore.crawler.archive.store import Manifest

    for portal in run.portals:
        manifest = Manifest.read(root / portal.id / f"run-{run.id}.json")
        if manifest and any(p.profile == profile and url in (p.url, p.final_url) for p in manifest.pages):
            return str(portal.id)
    raise InputError(f"{url} is not archived in run {run.id} ({profile}); `portalscore explain` lists its pages")


def _archive_folder(folder: str, run: str) -> Path:
    if not run.isdigit():
        raise InputError(f"with --archive-dir, --run is a run number, not {run!r}")
    root = Path(folder)
    if not (root / "index.sqlite").is_file():
        raise InputError(f"{folder} is not an evidence archive (no index.sqlite in it)")
    return root


def _portal_in(root: Path, run: int, url: str, profile: str) -> str:
    """The portal whose archive of the run in this folder holds `url`."""
    from portalscore.crawler.archive.store import SLUG, Manifest

    for folder in sorted(p for p in root.iterdir() if p.is_dir() and SLUG.match(p.name)):
        manifest = Manifest.read(folder / f"run-{run}.json")
        if manifest and any(p.profile == profile and url in (p.url, p.final_url) for p in manifest.pages):
            return folder.name
    raise InputError(f"{url} is not archived in run {run} ({profile}) under {root}")


def cmd_replay(args: argparse.Namespace) -> int:
    from portalscore.crawler.archive import ArchiveMissing, ReplayIndex
    from portalscore.crawler.egress import Egress
    from portalscore.crawler.netpolicy import NetPolicy
    from portalscore.crawler.pool import BrowserPool
    from portalscore.crawler.replay import replay_page
    from portalscore.crawler.settings import CrawlSettings

    if args.archive_dir:  # an archive folder on its own (a published report's evidence/): no database needed
        root, run_id, crawl = _archive_folder(args.archive_dir, args.run), int(args.run), CrawlSettings()
        portal = _portal_in(root, run_id, args.url, args.profile)
    else:
        with open_store(args.db) as store:
            run = stored_run(store, args.run)
        root, run_id, crawl = _root(run), run.id, run.settings.crawl
        portal = _portal_of(root, run, args.url, args.profile)
    try:
        index = ReplayIndex(root, portal, run_id, args.profile)
    except ArchiveMissing as e:
        raise InputError(str(e)) from None
    # Every request is answered from the archive; the proxy lets nothing out, should one slip past it.
    nowhere = ["archive.invalid"]
    settings = dataclasses.replace(crawl, allowed_hosts=nowhere)

    async def go() -> Any:
        with Egress(NetPolicy.build(only_hosts=nowhere)) as egress:
            async with BrowserPool(settings, egress) as pool:
                return await replay_page(pool, index, args.url, settings, heavy=args.heavy)

    replay = asyncio.run(go())
    if args.screenshot:
        Path(args.screenshot).write_bytes(replay.screenshot)
    page, acc = replay.page, replay.page.accessibility
    found = [] if acc is None else acc.violations + acc.best_practice
    print(
        json.dumps(
            {
                "url": page.url,
                "portal": portal,
                "run": run_id,
                "profile": args.profile,
                "served_from_archive": replay.served,
                "missing_from_archive": replay.missed,
                "error": page.error,
                "findings": [
                    {"rule": v.rule, "source": v.source, "impact": v.impact, "targets": [n.target for n in v.nodes]}
                    for v in found
                ],
                "screenshot": str(Path(args.screenshot).resolve()) if args.screenshot else None,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    from portalscore.run.archive import apply_retention

    with open_store(args.db) as store:
        run = stored_run(store, args.run)
        root = Path(args.archive_dir) if args.archive_dir else _root(run)
        pruned = apply_retention(store, root, args.keep)
    freed = sum(p.freed for p in pruned)
    for p in pruned:
        if p.kept_for:
            print(f"  kept {p.portal} run {p.run}: runs {', '.join(map(str, p.kept_for))} lean on its payloads")
        else:
            print(f"  removed {p.portal} run {p.run} ({p.freed / 1_000_000:.2f} MB)")
    print(f"prune: {freed / 1_000_000:.2f} MB freed in {root}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from portalscore.crawler.archive import ArchiveMissing, export_zip
    from portalscore.criteria import load_criteria_set
    from portalscore.reports.exports import explain_dict
    from portalscore.run import scores_of

    with open_store(args.db) as store:
        run = stored_run(store, args.run)
        root = _root(run)
        criteria = load_criteria_set(criteria_of(run))
        ranked = [s for s in scores_of(store, run.id, criteria) if s.portal_id == args.portal]
    if not ranked:
        raise InputError(f"portal {args.portal!r} is not scored in run {run.id}")
    explain = json.dumps(explain_dict(ranked[0], None), ensure_ascii=False, indent=2).encode("utf-8")
    dest = Path(args.out or f"evidence-{args.portal}-run-{run.id}.zip")
    try:
        export_zip(root, args.portal, run.id, dest, {"explain.json": explain})
    except ArchiveMissing as e:
        raise InputError(str(e)) from None
    print(f"evidence: {dest.resolve()} ({dest.stat().st_size / 1_000_000:.2f} MB)")
    return 0


def cmd_browse(args: argparse.Namespace) -> int:
    """Serve one portal's archived pages of a run on 127.0.0.1 with pywb, until interrupted."""
    import socket
    import subprocess
    import tempfile

    from portalscore.crawler.archive import ArchiveMissing
    from portalscore.crawler.archive.browse import prepare, pywb_bin

    if args.archive_dir:
        root, run_id = _archive_folder(args.archive_dir, args.run), int(args.run)
    else:
        with open_store(args.db) as store:
            run = stored_run(store, args.run)
        root, run_id = _root(run), run.id
    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="portalscore-browse-"))
    try:
        site = prepare(root, args.portal, run_id, folder)
        wayback = pywb_bin("wayback")
    except ArchiveMissing as e:
        raise InputError(str(e)) from None
    port = args.port
    if port == 0:  # a free port, chosen now
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    log = (folder / "wayback.log").open("ab")
    # pywb's index of the linked WARC files (its CDXJ), built once before it serves them.
    subprocess.run(
        [str(pywb_bin("wb-manager")), "reindex", site.collection], cwd=folder, stdout=log, stderr=log, check=True
    )
    # Bound to loopback: the archive is the evaluation office's, not a public site.
    server = subprocess.Popen([str(wayback), "-b", "127.0.0.1", "-p", str(port)], cwd=folder, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}/{site.collection}/"
    print(f"browse: {args.portal}, run {run_id}, replayed by pywb at {base} (Ctrl-C stops; log {folder}/wayback.log)")
    for url in site.pages:
        print(f"  {base}{url}", flush=True)
    try:
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(10)
        log.close()


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("replay", help="load an archived page of a run offline and evaluate it again")
    p.add_argument("url", help="the page, as the run evaluated it")
    p.add_argument("--run", default="latest", help="run id or 'latest'")
    p.add_argument("--profile", choices=("desktop", "mobile"), default="desktop")
    p.add_argument("--screenshot", metavar="FILE", help="write the replay's viewport screenshot (JPEG) here")
    p.add_argument("--heavy", action="store_true", help="run the heavy accessibility checks too (keyboard, reflow)")
    p.add_argument(
        "--archive-dir",
        metavar="DIR",
        help="replay from this archive folder alone, no database (a published report's evidence/ folder)",
    )
    add_db_option(p)
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("prune", help="remove archived runs beyond the retention policy")
    p.add_argument(
        "--keep",
        type=non_negative,
        required=True,
        metavar="N",
        help="keep the last N runs and the first run of each month (0: keep all)",
    )
    p.add_argument("--run", default="latest", help="the run whose archive folder to prune (default latest)")
    p.add_argument("--archive-dir", metavar="DIR", help="the archive folder (default: the run's)")
    add_db_option(p)
    p.set_defaults(func=cmd_prune)

    p = sub.add_parser("evidence", help="a portal's evidence of a run")
    evidence = p.add_subparsers(dest="evidence_command", required=True)
    e = evidence.add_parser("export", help="one zip: WARC, screenshots and explain output, for a dispute")
    e.add_argument("portal", help="portal id")
    e.add_argument("--run", default="latest", help="run id or 'latest'")
    e.add_argument("--out", metavar="FILE", help="the zip (default evidence-PORTAL-run-N.zip)")
    add_db_option(e)
    e.set_defaults(func=cmd_export)
    b = evidence.add_parser("browse", help="serve the portal's archived pages of a run to a browser (pywb, 127.0.0.1)")
    b.add_argument("portal", help="portal id")
    b.add_argument("--run", default="latest", help="run id or 'latest'")
    b.add_argument("--port", type=non_negative, default=8090, help="port on 127.0.0.1 (default 8090; 0: any free)")
    b.add_argument("--dir", metavar="DIR", help="pywb's working folder (default: a new temporary one)")
    b.add_argument("--archive-dir", metavar="DIR", help="the archive folder alone, no database (with --run N)")
    add_db_option(b)
    b.set_defaults(func=cmd_browse)
