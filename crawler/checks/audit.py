"""One call for a page's whole accessibility audit: axe-core (WCAG rules, best practice apart) and our checks.

    acc = await audit_page(page, heavy=first_of_its_template)   # portalscore.contract.evidence.Accessibility

What crawler/measure.py and `portalscore audit` call where they called crawler.axe.run_axe alone.
"""

from __future__ import annotations

from portalscore.contract.evidence import Accessibility

from ..axe import run_axe
from ..world import OurWorld
from .registry import run_checks


async def audit_page(page, *, heavy: bool, checks: bool = True) -> Accessibility:
    """axe on the loaded Playwright async `page`, then (checks=True) our checks, light always, heavy if `heavy`.
    axe's own failure propagates as from run_axe; our checks' failures are recorded in check_errors."""
    async with OurWorld.opened(page) as world:
        acc = await run_axe(page, world=world)
        if checks:
            (await run_checks(page, heavy=heavy, world=world)).apply(acc)
        return acc
