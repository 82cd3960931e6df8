"""Where the scripts a grade rests on run: a DevTools isolated world of the page.

An isolated world shares the page's DOM and its performance timeline but none of its JavaScript: the page cannot
see, replace or wrap what runs there. In the page's own world a portal could grade itself: define `window.axe`
with no violations, overwrite the object our timing observers fill, or patch the built-ins our scripts call
(Lighthouse runs its audits isolated for the same reason). The timing observers, axe and our checks' scripts run
here (our checks' key presses and viewport changes still go through Playwright: input has no world); what reads
the page's own globals (the EMC tracker) and the journeys, which act as a citizen would, do not.

A world belongs to the DevTools session that made it: scripts installed through one session are seen only by
evaluations through that session, so a tab keeps one `OurWorld` for its life.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from playwright.async_api import CDPSession, Page
from playwright.async_api import Error as PlaywrightError

WORLD_NAME = "portalscore"


class ScriptError(PlaywrightError):
    """A script of ours threw inside the page (caught where Playwright's own errors are)."""


class OurWorld:
    """The page's isolated world, reached through one DevTools session."""

    def __init__(self, cdp: CDPSession, page: Page):
        self.cdp = cdp
        self._context: int | None = None  # the world's execution context in the current document, once made
        # A crashed renderer leaves a session's calls unanswered (Playwright fails its own page calls at once, not
        # ours): a crash fails them, as it fails page.evaluate.
        self._crashed = asyncio.Event()
        self._page = page
        page.on("crash", self._on_crash)

    @classmethod
    @asynccontextmanager
    async def opened(cls, page: Page, world: OurWorld | None = None) -> AsyncIterator[OurWorld]:
        """`world` if given; else a world for a page that has no tab (an audit of a page already loaded), through a
        session of its own, ended on leaving."""
        if world is not None:
            yield world
            return
        own = cls(await page.context.new_cdp_session(page), page)
        try:
            yield own
        finally:
            await own.close()

    async def send(self, method: str, params: dict | None = None) -> dict:
        """A DevTools call on this world's session, failed at once if the page's renderer crashes meanwhile."""
        if self._crashed.is_set():
            raise ScriptError("Target crashed")
        call = asyncio.ensure_future(self.cdp.send(method, params))
        crash = asyncio.ensure_future(self._crashed.wait())
        try:
            await asyncio.wait((call, crash), return_when=asyncio.FIRST_COMPLETED)
        finally:
            crash.cancel()
            if not call.done():
                call.cancel()
        if call.done() and not call.cancelled():
            return call.result()
        raise ScriptError("Target crashed")

    def _on_crash(self, _page: Page) -> None:
        self._crashed.set()

    async def close(self) -> None:
        """End a session made by `opened` (quietly: the page may be gone already)."""
        self._page.remove_listener("crash", self._on_crash)  # a page audited again and again keeps no listeners
        try:
            await self.cdp.detach()
        except PlaywrightError:
            pass

    async def install(self, *sources: str) -> None:
        """Run `sources` in this world at the start of every document the page loads, before any of its scripts.
        Call before navigating."""
        await self.send("Page.enable")  # the session's page agent runs its world's scripts only when enabled
        for source in sources:
            await self.send("Page.addScriptToEvaluateOnNewDocument", {"source": source, "worldName": WORLD_NAME})

    async def evaluate(self, function: str, arg: Any = None) -> Any:
        """Call the JavaScript `function` (source text) with `arg` (JSON) in the main frame's world; its result,
        awaited if a promise, by value."""
        return await self.run(f"({function})({json.dumps(arg)})")

    async def run(self, script: str) -> Any:
        """Run a whole script (a library's source, say) in the main frame's world; its completion value."""
        return (await self._evaluate(script, returnByValue=True, awaitPromise=True)).get("value")

    async def node_in_page_world(self, expression: str, group: str) -> str | None:
        """A DevTools handle (objectId, released with `group`) in the page's own world on the DOM node `expression`
        yields in ours: event listeners are reported only to the world that added them."""
        ours = (await self._evaluate(expression, objectGroup=group)).get("objectId")
        if not ours:
            return None
        node = await self.send("DOM.describeNode", {"objectId": ours})
        theirs = await self.send(
            "DOM.resolveNode", {"backendNodeId": node["node"]["backendNodeId"], "objectGroup": group}
        )
        return theirs["object"].get("objectId")

    async def _evaluate(self, expression: str, **options: Any) -> dict:
        try:
            reply = await self._evaluate_in(await self._context_id(), expression, options)
        except PlaywrightError as e:
            if "Cannot find context" not in str(e):
                raise
            # The document the context belonged to is gone (the page navigated): the world of the new one.
            self._context = None
            reply = await self._evaluate_in(await self._context_id(), expression, options)
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "script failed")
            raise ScriptError(str(text).splitlines()[0][:300])
        return reply["result"]

    async def _evaluate_in(self, context: int, expression: str, options: dict) -> dict:
        return await self.send("Runtime.evaluate", {"expression": expression, "contextId": context, **options})

    async def _context_id(self) -> int:
        if self._context is None:
            tree = await self.send("Page.getFrameTree")
            world = await self.send(
                "Page.createIsolatedWorld", {"frameId": tree["frameTree"]["frame"]["id"], "worldName": WORLD_NAME}
            )
            self._context = world["executionContextId"]
        return self._context


class PageInWorld:
    """A Playwright page as our checks use it: `evaluate` runs in our world, everything else (keyboard, viewport,
    close state) is the page's own."""

    def __init__(self, page: Any, world: OurWorld):
        self.page, self.world = page, world

    async def evaluate(self, function: str, arg: Any = None) -> Any:
        return await self.world.evaluate(function, arg)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.page, name)
