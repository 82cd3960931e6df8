"""Memory over hostile pages: peak PSS of a whole run whose portals serve a 30 MB page, pages that allocate until
their renderer dies (JS heap, ArrayBuffers, workers), 50,000 elements and a 5,000-deep DOM, beside well-behaved
sample portals; and whether those sample portals score as when they are run alone.

    .venv/bin/python benchmarks/hostile_bench.py [--samples 2] [--max-pages 8]

Two `portalscore run`s (journeys off, one lab run each, fresh databases): the sample portals with the hostile one,
and the sample portals alone. Prints the peak PSS of each run (the CLI process and every process below it,
sampled once a second), the hostile portal's pages with what became of them, and each sample portal's score in
both runs. Targets (issue 16): peak PSS under 2 GB; sample portals within 2 points of their score alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.pss import descendants, pss_mb  # noqa: E402
from portalscore.samples import SampleFleet  # noqa: E402


def _page(title: str, body: str = "", head: str = "") -> bytes:
    return (
        f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body><main><h1>{title}</h1>{body}</main></body></html>"
    ).encode()


PAGES: dict[str, bytes] = {
    "/": _page(
        "Cổng thử sức",
        "".join(
            f"<p><a href='{p}'>{p}</a></p>"
            for p in ("/big30", "/heap", "/buffers", "/workers", "/wide", "/deep", "/ok")
        ),
    ),
    "/big30": _page("Trang 30 MB", "<p>Thủ tục hành chính cấp tỉnh, lĩnh vực đất đai.</p>" * 560_000),
    "/heap": _page(
        "Ăn bộ nhớ (heap)",
        head="<script>const a = []; setInterval(() => { for (let i = 0; i < 20; i++) "
        "a.push(new Array(1e6).fill(i)); }, 20);</script>",
    ),
    "/buffers": _page(
        "Ăn bộ nhớ (ArrayBuffer)",
        head="<script>const b = []; setInterval(() => b.push(new Uint8Array(64e6).fill(7)), 20);</script>",
    ),
    "/workers": _page(
        "Ăn bộ nhớ (worker)",
        head="<script>for (let i = 0; i < 8; i++) new Worker(URL.createObjectURL(new Blob(["
        "'const k = []; setInterval(() => k.push(new Uint8Array(32e6).fill(1)), 20);'])));</script>",
    ),
    "/wide": _page("50.000 phần tử", "".join(f"<div class='o'>Ô {i}</div>" for i in range(50_000))),
    "/deep": _page("DOM sâu 5.000 tầng", "<div>" * 5000 + "đáy" + "</div>" * 5000),
    "/ok": _page("Trang bình thường", "<p>Giờ làm việc: 7h30 - 17h00.</p>"),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGES.get(self.path.split("?")[0])
        if self.path == "/robots.txt":
            body = b"User-agent: *\nAllow: /\n"
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # stopped after its cap, as it should be

    def log_message(self, *args: object) -> None:
        pass


def run(registry: Path, work: Path, max_pages: int) -> tuple[float, dict, dict]:
    """One `portalscore run`; returns its peak PSS (MB), ranking.json and the evidence of each portal."""
    out = work / "out"
    command = [
        sys.executable, "-m", "portalscore", "run", "--registry", str(registry), "--out", str(out),
        "--db", f"sqlite:///{work / 'db.sqlite'}", "--max-pages", str(max_pages), "--lab-runs", "1",
        "--no-scenarios", "--allow-host", "127.0.0.1", "-q",
    ]  # fmt: skip
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, pss_mb([proc.pid, *descendants(proc.pid)]))
        time.sleep(1.0)
    stderr = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"portalscore run failed ({proc.returncode}): {stderr[-2000:]}")
    ranking = json.loads((out / "ranking.json").read_text(encoding="utf-8"))
    evidence = {
        p["id"]: json.loads((out / "evidence" / f"{p['id']}.json").read_text("utf-8")) for p in ranking["portals"]
    }
    return peak, ranking, evidence


def registry_yaml(entries: list[tuple[str, str, str]]) -> str:
    return "portals:\n" + "".join(f"  - {{id: {i}, name: '{n}', kind: province, url: '{u}'}}\n" for i, n, u in entries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2, help="sample portals beside the hostile one")
    parser.add_argument("--max-pages", type=int, default=8)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hostile = ("thu-suc", "Cổng thử sức", f"http://127.0.0.1:{server.server_port}/")
    with SampleFleet.start() as fleet, tempfile.TemporaryDirectory() as tmp:
        samples = [(p.id, p.name, p.url) for p in fleet.portals[: args.samples]]
        results = {}
        for name, entries in (("with the hostile portal", [hostile, *samples]), ("samples alone", samples)):
            work = Path(tmp) / name.replace(" ", "-")
            work.mkdir()
            (work / "registry.yaml").write_text(registry_yaml(entries), encoding="utf-8")
            start = time.monotonic()
            results[name] = (*run(work / "registry.yaml", work, args.max_pages), time.monotonic() - start)
    server.shutdown()
    for name, (peak, _, _, took) in results.items():
        print(f"run {name}: peak PSS {peak:.0f} MB (target < 2048), {took:.0f} s")
    _, ranking, evidence, _ = results["with the hostile portal"]
    print("hostile portal's pages:")
    for page in evidence["thu-suc"]["pages"]:
        if page["profile"] == "desktop":
            audit = (page.get("accessibility") or {}).get("error") or ""
            print(f"  {page['url'].rsplit('/', 1)[-1] or '/':9} {page['error'] or 'evaluated'}"
                  + (f"; axe: {audit}" if audit else ""))  # fmt: skip
    alone = {p["id"]: p["score"] for p in results["samples alone"][1]["portals"]}
    print("sample portals, score with the hostile portal vs alone (target: within 2 points):")
    worst = 0.0
    for p in ranking["portals"]:
        if p["id"] in alone:
            worst = max(worst, abs(p["score"] - alone[p["id"]]))
            print(f"  {p['id']:24} {p['score']:6.2f} vs {alone[p['id']]:6.2f} ({p['score'] - alone[p['id']]:+.2f})")
    print(f"largest difference: {worst:.2f} points")


if __name__ == "__main__":
    main()
