"""The page's facts, in one read of its DOM: title, language, links (capped, and the cap noted), size, the content
fingerprint (incremental crawling) and the template skeleton (audit sampling), EMC tracking."""

from __future__ import annotations

import asyncio

from ..fingerprint import MAX_CHARS as FINGERPRINT_MAX_CHARS
from ..fingerprint import digest
from ..pagejs import PAGE_JS
from ..template import MAX_SKELETON_PATHS, template_key
from ..urls import normalise
from .base import Gatherer, GathererMeta, PageRun, register


@register
class DomGatherer(Gatherer):
    meta = GathererMeta(
        name="dom",
        produces=("title", "lang", "links", "dom_nodes", "content_hash", "template", "emc"),
        stage="facts",
        order=10,
    )

    async def gather(self, run: PageRun) -> None:
        s, ev, tab = run.settings, run.ev, run.tab
        args = {"maxLinks": s.max_links_per_page, "maxChars": FINGERPRINT_MAX_CHARS, "maxPaths": MAX_SKELETON_PATHS}
        data = await asyncio.wait_for(tab.page.evaluate(PAGE_JS, args), tab.left())
        ev.title = data["title"][:500]
        ev.lang = data["lang"][:50]
        ev.links = list(dict.fromkeys(u for u in map(normalise, data["links"]) if u))
        if data["linkCount"] > s.max_links_per_page:
            run.note(f"links capped: the first {s.max_links_per_page} of {data['linkCount']} were followed")
        ev.dom_nodes = data["nodes"]
        ev.content_hash = digest(data["fingerprint"])
        ev.template = template_key(ev.final_url or ev.url, data["skeleton"])
        ev.emc = bool(data["emc"]) or tab.net.emc
        run.mixed_in_dom = list(data["mixed"])
