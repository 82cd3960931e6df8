"""What every check of ours is: its metadata, the shared page helpers, and how a finding becomes a Violation.

A check is one job: `meta` says what it checks (id "ps-...", WCAG 2.2 success criteria, impact, title and
message in Vietnamese and English, cost class) and `run(page, ctx)` inspects an already loaded Playwright async
Page and returns the failing nodes; the page it gets evaluates the check's scripts in our isolated world
(crawler/world.py `PageInWorld`), out of reach of the page's own scripts. The registry (checks/registry.py) turns
those into `Violation`s with source "portalscore", reported like axe's rules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from portalscore.contract.evidence import Violation, ViolationNode

MAX_NODES_KEPT = 20  # as crawler.axe keeps
MAX_HTML_CHARS = 300
IMPACTS = ("critical", "serious", "moderate", "minor")
COSTS = ("light", "heavy")

# The W3C "Understanding" page of each success criterion our checks map to (help_url).
_UNDERSTANDING = "https://www.w3.org/WAI/WCAG22/Understanding/"
SC_SLUGS = {
    "1.1.1": "non-text-content",
    "1.3.1": "info-and-relationships",
    "1.4.1": "use-of-color",
    "1.4.4": "resize-text",
    "1.4.10": "reflow",
    "1.4.12": "text-spacing",
    "2.1.1": "keyboard",
    "2.1.2": "no-keyboard-trap",
    "2.4.3": "focus-order",
    "2.4.4": "link-purpose-in-context",
    "2.4.6": "headings-and-labels",
    "2.4.7": "focus-visible",
    "2.4.11": "focus-not-obscured-minimum",
    "2.5.8": "target-size-minimum",
    "3.1.1": "language-of-page",
    "2.4.2": "page-titled",
    "3.3.1": "error-identification",
    "3.3.2": "labels-or-instructions",
    "4.1.2": "name-role-value",
}


@dataclass(frozen=True)
class CheckMeta:
    id: str  # "ps-focus-visible"
    wcag: tuple[str, ...]  # WCAG 2.2 success criteria, e.g. ("2.4.7",)
    impact: str  # critical | serious | moderate | minor, as axe rates
    title_en: str
    title_vi: str
    cost: str = "light"  # light: DOM reads; heavy: key presses, viewport or style changes (measured apart)
    family: str = ""  # keyboard | reflow | target-size | tables | forms | links | headings | images | documents
    # "wcag": a failure of the success criteria above, reported in Accessibility.violations (costs points);
    # "best-practice": a practice experts disagree is a failure, reported beside axe's best-practice rules.
    level: str = "wcag"

    def __post_init__(self) -> None:
        if not self.id.startswith("ps-"):
            raise ValueError(f"check id {self.id!r} must start with ps-")
        if self.impact not in IMPACTS or self.cost not in COSTS or self.level not in ("wcag", "best-practice"):
            raise ValueError(f"check {self.id}: impact {self.impact!r} / cost {self.cost!r} / level {self.level!r}")
        unknown = [sc for sc in self.wcag if sc not in SC_SLUGS]
        if unknown:
            raise ValueError(f"check {self.id}: no Understanding page known for {unknown}")

    @property
    def help_url(self) -> str:
        return _UNDERSTANDING + SC_SLUGS[self.wcag[0]] if self.wcag else ""


@dataclass
class Node:
    """One failing element: a CSS selector that finds it, its opening HTML, and why (English, short)."""

    target: str
    html: str = ""
    summary: str = ""


@dataclass
class CheckContext:
    """What the checks of one page share: results computed once and read by several checks (the keyboard walk),
    and the original state a check must put back."""

    cache: dict[str, Any] = field(default_factory=dict)


CheckFn = Callable[[Any, CheckContext], Awaitable[list[Node]]]


@dataclass(frozen=True)
class Check:
    meta: CheckMeta
    run: CheckFn  # async (page: crawler.world.PageInWorld, ctx) -> failing nodes


def violation(meta: CheckMeta, nodes: list[Node]) -> Violation:
    return Violation(
        rule=meta.id,
        impact=meta.impact,
        wcag=list(meta.wcag),
        help=meta.title_en,
        help_vi=meta.title_vi,
        help_url=meta.help_url,
        node_count=len(nodes),
        nodes=[
            ViolationNode(target=n.target, html=n.html[:MAX_HTML_CHARS], summary=n.summary[:400])
            for n in nodes[:MAX_NODES_KEPT]
        ],
        source="portalscore",
    )


def nodes_of(raw: list[dict]) -> list[Node]:
    """The JS helpers' {target, html, summary} records as Nodes."""
    return [Node(target=r["target"], html=r.get("html", ""), summary=r.get("summary", "")) for r in raw]


# Helpers every in-page script starts with: a CSS selector that finds the element again (id when unique,
# else a path of :nth-of-type steps), its opening tag, its visibility, its accessible-ish name.
PRELUDE_JS = r"""
const psSel = (el) => {
  if (!(el instanceof Element)) return '';
  const parts = [];
  for (let e = el; e && e.nodeType === 1 && e !== document.documentElement; e = e.parentElement) {
    if (e.id && /^[A-Za-z][\w-]*$/.test(e.id) && document.querySelectorAll('#' + e.id).length === 1) {
      parts.unshift('#' + e.id); return parts.join(' > ');
    }
    let step = e.tagName.toLowerCase();
    const p = e.parentElement;
    if (p) {
      const same = Array.from(p.children).filter(c => c.tagName === e.tagName);
      if (same.length > 1) step += ':nth-of-type(' + (same.indexOf(e) + 1) + ')';
    }
    parts.unshift(step);
  }
  return parts.length ? 'html > ' + parts.join(' > ') : 'html';
};
const psHtml = (el) => { const h = el.outerHTML || ''; const end = h.indexOf('>'); return (end > 0 ? h.slice(0, end + 1) : h).slice(0, 300); };
const psNode = (el, summary) => ({target: psSel(el), html: psHtml(el), summary: summary || ''});
const psVisible = (el) => {
  if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
const psText = (s) => (s || '').replace(/\s+/g, ' ').trim();
const psName = (el) => {
  const by = el.getAttribute('aria-labelledby');
  if (by) { const t = psText(by.split(/\s+/).map(id => { const r = document.getElementById(id); return r ? r.textContent : ''; }).join(' ')); if (t) return t; }
  const label = psText(el.getAttribute('aria-label')); if (label) return label;
  if (el.labels && el.labels.length) { const t = psText(Array.from(el.labels).map(l => l.textContent).join(' ')); if (t) return t; }
  let t = '';
  const walk = (n) => { for (const c of n.childNodes) {
    if (c.nodeType === 3) t += c.textContent;
    else if (c.nodeType === 1) {
      if (c.getAttribute('aria-hidden') === 'true') continue;
      if (c.tagName === 'IMG' || c.getAttribute('role') === 'img') t += ' ' + (c.getAttribute('alt') || c.getAttribute('aria-label') || '') + ' ';
      else if (getComputedStyle(c).display !== 'none') walk(c);
    } } };
  walk(el);
  t = psText(t);
  return t || psText(el.getAttribute('title'));
};
"""


def js(body: str) -> str:
    """An in-page function `(args) => {...}` with the prelude's helpers in scope (async if the body awaits)."""
    head = "async (args) => {\n" if "await " in body else "(args) => {\n"
    return head + PRELUDE_JS + "\n" + body + "\n}"
