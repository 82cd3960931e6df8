"""The figures a budget's metric lines are judged on, read off one portal's evidence, each with the page (and
element) that decides it, so that a broken line says where to look."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from portalscore.contract.evidence import PageEvidence, PortalEvidence, Timings, Violation

from .budget import IMPACTS


@dataclass(frozen=True)
class Figure:
    """One figure of the site: its value, where it comes from and what to do about it."""

    value: float | None  # None: not measured (no page had it)
    page: str = ""
    element: str = ""
    fix: str = ""
    how: str = ""  # how it was obtained, e.g. "median of 5 lab loads, worst page"
    spread: float = 0.0  # the run-to-run spread seen on that page (timings: max - min of the lab loads)


def _desktop(ev: PortalEvidence) -> list[PageEvidence]:
    return [p for p in ev.pages if p.profile == "desktop" and p.error is None]


def timing(ev: PortalEvidence, name: str) -> Figure:
    """The worst page's figure: the median of its lab loads (each sampled page loaded alone, N times), or the
    crawl's own load when no lab timing was taken."""
    per_page: list[tuple[float, str, float, str]] = []
    for lab in ev.lab:
        if lab.profile != "desktop" or lab.error is not None:
            continue
        value = getattr(lab.median, name)
        if value is None:
            continue
        samples = [getattr(s, name) for s in lab.samples if getattr(s, name) is not None]
        spread = (max(samples) - min(samples)) if len(samples) > 1 else 0.0
        per_page.append((float(value), lab.url, spread, f"median of {lab.runs} lab loads, worst page"))
    if not per_page:
        for p in _desktop(ev):
            value = getattr(p.timings, name)
            if value is not None:
                per_page.append((float(value), p.url, 0.0, "one crawl load (no lab timing), worst page"))
    if not per_page:
        return Figure(None, how="no page was timed")
    value, url, spread, how = max(per_page, key=lambda x: (x[0], x[1]))
    return Figure(value, page=url, how=how, spread=spread, fix=_TIMING_FIX.get(name, ""))


_TIMING_FIX = {
    "lcp_ms": "make the largest element (banner, heading image) smaller and load it early; defer blocking scripts",
    "fcp_ms": "remove render-blocking scripts and styles from the page head; answer faster on the server",
    "ttfb_ms": "answer faster on the server (caching, slow queries)",
    "load_ms": "load fewer and smaller resources; defer what the first view does not need",
    "cls": "reserve space for images, banners and notices inserted after load",
}


def page_bytes(ev: PortalEvidence) -> Figure:
    pages = _desktop(ev)
    if not pages:
        return Figure(None, how="no page was loaded")
    worst = max(pages, key=lambda p: (p.transfer_bytes, p.url))
    biggest = max(worst.bytes_by_type.items(), key=lambda kv: kv[1], default=("", 0))[0]
    return Figure(
        float(worst.transfer_bytes),
        page=worst.url,
        element=f"{biggest} resources" if biggest else "",
        how="bytes transferred, worst page",
        fix="compress and resize images, drop unused scripts and fonts",
    )


def _audited(ev: PortalEvidence) -> list[PageEvidence]:
    """Desktop pages with their own audit: a page carrying its template's audit would count it twice."""
    return [p for p in _desktop(ev) if p.accessibility is not None and p.accessibility.sampled_from is None]


def _worst(found: list[tuple[PageEvidence, Violation]]) -> tuple[str, str, str]:
    if not found:
        return "", "", ""
    page, v = max(found, key=lambda pv: (pv[1].node_count, pv[1].rule))
    element = v.nodes[0].target if v.nodes else ""
    fix = f"{v.rule}: {v.help}" + (f" ({v.help_url})" if v.help_url else "")
    return page.url, element, fix


def axe_impact(ev: PortalEvidence, impact: str) -> Figure:
    """Failing elements of axe's rules of this impact, summed over the audited pages."""
    assert impact in IMPACTS
    pages = _audited(ev)
    if not pages:
        return Figure(None, how="no page was audited")
    found = [
        (p, v) for p in pages for v in (p.accessibility.violations if p.accessibility else []) if v.source == "axe"
    ]
    found = [(p, v) for p, v in found if v.impact == impact]
    page, element, fix = _worst(found)
    total = sum(max(1, v.node_count) for _, v in found)
    return Figure(float(total), page=page, element=element, fix=fix, how=f"failing elements over {len(pages)} pages")


def checks(ev: PortalEvidence) -> Figure:
    """Findings of our own accessibility checks (crawler/checks), failing elements summed over audited pages."""
    pages = _audited(ev)
    if not pages:
        return Figure(None, how="no page was audited")
    found = [
        (p, v) for p in pages for v in (p.accessibility.violations if p.accessibility else []) if v.source != "axe"
    ]
    page, element, fix = _worst(found)
    total = sum(max(1, v.node_count) for _, v in found)
    return Figure(float(total), page=page, element=element, fix=fix, how=f"findings over {len(pages)} pages")


def broken_links(ev: PortalEvidence) -> Figure:
    """Broken links to the site's own pages and documents. Links to other sites are left out: the team cannot fix
    them in a release, and another site being down for a minute must not fail a build (the national criterion
    func.links counts them, and a `criteria:` line on it gates them)."""
    own = [link for link in ev.links if link.kind in ("page", "document")]
    broken = [link for link in own if link.broken]
    first = broken[0] if broken else None
    return Figure(
        float(len(broken)),
        page=first.source if first else "",
        element=f'a[href="{first.url}"]' if first else "",
        fix="fix or remove links that answer an error" if first else "",
        how=f"{len(own)} links to the site's own pages and documents checked",
    )


def figure(ev: PortalEvidence, metric: str) -> Figure:
    if metric in Timings.__dataclass_fields__:
        return timing(ev, metric)
    if metric == "page_bytes":
        return page_bytes(ev)
    if metric == "checks":
        return checks(ev)
    if metric == "broken_links":
        return broken_links(ev)
    if metric.startswith("axe."):
        return axe_impact(ev, metric.removeprefix("axe."))
    raise KeyError(metric)


def timings_by_page(ev: PortalEvidence, name: str) -> dict[str, float]:
    """Every lab-timed desktop page's median: what a later check compares its own with (--baseline)."""
    return {
        lab.url: float(getattr(lab.median, name))
        for lab in ev.lab
        if lab.profile == "desktop" and lab.error is None and getattr(lab.median, name) is not None
    }


def median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else 0.0
