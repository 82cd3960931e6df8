"""axe-core: where our pinned copy lives, how it runs, and what we keep of its results.

The file is not in git (we commit only our own code); `make setup` fetches the pinned
version from npm and checks its sha256 (scripts/fetch_axe.py). Its MPL-2.0 licence is
copied beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path

from portalscore.contract.evidence import Accessibility, Violation, ViolationNode

from .world import OurWorld

AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "vendor" / "axe-core"

# WCAG 2.1 A and AA: every level must be listed, AA does not imply A.
WCAG21_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BEST_PRACTICE_TAG = "best-practice"
# Passes and inapplicable results are counted, not kept: resultTypes trims their nodes,
# which is most of axe's serialisation cost on big pages.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG21_AA_TAGS},
    "resultTypes": ["violations", "incomplete"],
    "iframes": False,
    "elementRef": False,
}
# What a page audit runs (run_axe's default): the WCAG rules and axe's best-practice rules (heading order,
# landmarks, empty headings, positive tabindex, ...) in the same axe.run, which costs less than two runs (rule
# set-up and the DOM walk are shared; benchmarks/a11y_bench.py measures both). summarize() splits the
# best-practice-only rules out into Accessibility.best_practice, so criteria reading `violations` see exactly
# the WCAG rules they saw before.
AUDIT_OPTIONS = {**AXE_OPTIONS, "runOnly": {"type": "tag", "values": [*WCAG21_AA_TAGS, BEST_PRACTICE_TAG]}}
MAX_NODES_KEPT = 20
MAX_HTML_CHARS = 300


class AxeMissing(RuntimeError):
    pass


def axe_path() -> Path:
    path = Path(os.environ.get("PORTALSCORE_AXE", VENDOR_DIR / "axe.min.js"))
    if not path.exists():
        raise AxeMissing(f"{path} is missing: run `make setup` (fetches axe-core {AXE_VERSION} from npm)")
    return path


@lru_cache(maxsize=1)
def axe_source() -> str:
    """The pinned axe.min.js, verified once per process."""
    data = axe_path().read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if "PORTALSCORE_AXE" not in os.environ and digest != AXE_SHA256:
        raise AxeMissing(f"{axe_path()} has sha256 {digest}, expected {AXE_SHA256}: run `make setup` again")
    return data.decode("utf-8")


@lru_cache(maxsize=1)
def axe_engine() -> str:
    """The engine string an audit with our axe records ("axe-core 4.14.1"), read from the file's banner
    so that a PORTALSCORE_AXE override of another version is told apart: stored results are reused
    only for the same engine."""
    m = re.match(r"/\*!\s*axe\s+v(\S+)", axe_source()[:200])
    return f"axe-core {m.group(1) if m else AXE_VERSION}"


# Runs in the page: returns a compact summary so that little crosses the CDP pipe.
RUN_AXE_JS = """
async (options) => {
  const r = await axe.run(document, options);
  const keep = (v) => ({id: v.id, impact: v.impact, tags: v.tags, help: v.help, helpUrl: v.helpUrl,
    nodeCount: v.nodes.length,
    nodes: v.nodes.slice(0, MAX_NODES).map(n => ({target: n.target.join(' '), html: (n.html || '').slice(0, MAX_HTML),
      summary: (n.failureSummary || '').slice(0, 400)}))});
  return {engine: r.testEngine.name + ' ' + r.testEngine.version,
          violations: r.violations.map(keep), passes: r.passes.length, incomplete: r.incomplete.length};
}
""".replace("MAX_NODES", str(MAX_NODES_KEPT)).replace("MAX_HTML", str(MAX_HTML_CHARS))

_WCAG_TAG = re.compile(r"^wcag(\d)(\d)(\d+)$")


def wcag_criteria(tags: list[str]) -> list[str]:
    """['wcag111', 'wcag2a'] -> ['1.1.1']"""
    out = []
    for tag in tags:
        m = _WCAG_TAG.match(tag)
        if m:
            out.append(".".join(m.groups()))
    return out


def is_best_practice_only(tags: list[str]) -> bool:
    """An axe rule tagged best-practice that maps to no WCAG success criterion or level."""
    return BEST_PRACTICE_TAG in tags and not wcag_criteria(tags) and not any(t in WCAG21_AA_TAGS for t in tags)


def summarize(raw: dict) -> Accessibility:
    """Turn RUN_AXE_JS's output (or a full axe result) into our evidence record: WCAG rules' violations in
    `violations`, best-practice-only rules' in `best_practice`. passes/incomplete count every rule run."""
    engine = raw.get("engine") or "axe-core " + raw.get("testEngine", {}).get("version", "?")
    violations: list[Violation] = []
    best_practice: list[Violation] = []
    for v in raw.get("violations", []):
        nodes = v.get("nodes", [])
        if nodes and isinstance(nodes[0].get("target"), list):  # full axe result form
            nodes = [
                {
                    "target": " ".join(map(str, n["target"])),
                    "html": n.get("html", "")[:MAX_HTML_CHARS],
                    "summary": n.get("failureSummary", ""),
                }
                for n in nodes
            ]
        (best_practice if is_best_practice_only(v.get("tags", [])) else violations).append(
            Violation(
                rule=v["id"],
                impact=v.get("impact"),
                wcag=wcag_criteria(v.get("tags", [])),
                help=v.get("help", ""),
                help_url=v.get("helpUrl", ""),
                node_count=v.get("nodeCount", len(v.get("nodes", []))),
                nodes=[ViolationNode(**n) for n in nodes[:MAX_NODES_KEPT]],
            )
        )
    passes = raw.get("passes", 0)
    incomplete = raw.get("incomplete", 0)
    return Accessibility(
        engine=engine,
        violations=violations,
        best_practice=best_practice,
        passes=passes if isinstance(passes, int) else len(passes),
        incomplete=incomplete if isinstance(incomplete, int) else len(incomplete),
    )


async def run_axe(page, options: dict | None = None, *, world: OurWorld | None = None) -> Accessibility:
    """Inject our axe into a Playwright (async) page if needed and run WCAG 2.1 AA rules and best practice, in the
    page's isolated `world` (a new one if not given), where the page's own `window.axe` cannot stand in for ours."""
    async with OurWorld.opened(page, world) as ours:
        if not await ours.evaluate("() => typeof window.axe !== 'undefined'"):
            await ours.run(axe_source())
        return summarize(await ours.evaluate(RUN_AXE_JS, options or AUDIT_OPTIONS))


def options_json(options: dict | None = None) -> str:
    """axe-selenium-python 2.x takes options as a JSON string."""
    return json.dumps(options or AXE_OPTIONS)
