"""axe's best-practice findings cost points only where a criteria set reads a11y.weighted_best_practice; our
own checks' findings are violations like axe's and count in the existing WCAG criteria."""

from __future__ import annotations

from portalscore.contract.evidence import (
    Accessibility,
    PageEvidence,
    PortalEvidence,
    PortalRef,
    Violation,
    ViolationNode,
)
from portalscore.criteria.metrics import Query, measure


def _v(rule: str, impact: str, nodes: int, source: str = "axe") -> Violation:
    return Violation(
        rule=rule,
        impact=impact,
        node_count=nodes,
        nodes=[ViolationNode(target=f"#n{i}") for i in range(nodes)],
        source=source,
    )


def _evidence() -> PortalEvidence:
    pages = [
        PageEvidence(
            url="https://x/a",
            accessibility=Accessibility(
                engine="axe-core 4.14.1",
                violations=[_v("image-alt", "critical", 1), _v("ps-focus-visible", "serious", 2, "portalscore")],
                best_practice=[_v("heading-order", "moderate", 1), _v("region", "moderate", 3)],
            ),
        ),
        PageEvidence(url="https://x/b", accessibility=Accessibility(engine="axe-core 4.14.1")),
    ]
    return PortalEvidence(portal=PortalRef(id="p", name="P", kind="province", url="https://x/"), pages=pages)


def test_best_practice_is_weighted_like_violations_and_apart_from_them():
    ev = _evidence()
    bp = measure("a11y.weighted_best_practice", ev, Query(statistic="mean"))
    # page a: moderate 3 x (1 + 3 nodes) = 12; page b: 0; mean 6
    assert bp.value == 6
    assert {r.value["rule"] for r in bp.evidence if r.kind == "violation"} == {"heading-order", "region"}
    wcag = measure("a11y.weighted_violations", ev, Query(statistic="mean"))
    # page a: critical 10 x 1 + serious 7 x 2 (our check counts like axe's rules) = 24; mean 12
    assert wcag.value == 12
    acc = ev.pages[0].accessibility
    assert acc is not None and acc.violations[0].rule == "image-alt"  # the evidence itself is not changed


def test_clean_pages_count_our_serious_findings():
    ev = _evidence()
    acc = ev.pages[0].accessibility
    assert acc is not None
    acc.violations = [_v("ps-keyboard-trap", "critical", 1, "portalscore")]
    clean = measure("a11y.clean_page", ev, Query(statistic="share"))
    assert clean.value == 0.5


def test_a_metric_whose_evidence_was_not_gathered_is_missing_not_zero():
    """A run that did not run axe (PortalEvidence.gathered names what it read off pages) has no accessibility
    figure: missing, and said why, rather than a portal with no violations."""
    ev = _evidence()
    ev.gathered = ["dom", "security"]
    m = measure("a11y.weighted_violations", ev, Query(statistic="mean"))
    assert m.value is None and m.status == "missing" and "axe" in str(m.missing)
    ev.gathered = ["axe", "checks", "dom", "security"]
    assert measure("a11y.weighted_violations", ev, Query(statistic="mean")).value == 12


def test_every_metric_requires_gatherers_that_exist():
    from portalscore.crawler.gatherers import gathered
    from portalscore.crawler.settings import CrawlSettings
    from portalscore.criteria.metrics import METRICS

    names = set(gathered(CrawlSettings()))  # a default run gathers everything
    assert {g for m in METRICS.values() for g in m.gatherers} <= names
    assert all(m.journey for m in METRICS.values() if m.name.startswith(("scenario.", "scenario_steps.")))
