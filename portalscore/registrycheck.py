"""`portalscore registry check`: does each registry address still lead to the portal it names?

For every entry: DNS, TLS, redirects and final host, HTTP status and whether the page looks like a DVCTT portal
(crawler/probe.py), summed up as one named outcome; a report in text and JSON; and, with --update, the entries'
`url_confirmed` flag and `url_checked` date written back into the registry file, line by line so that its comments
and layout stay as they are.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import json
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from portalscore.contract.errors import InputError
from portalscore.contract.yamlfile import load
from portalscore.crawler.browser import user_agent
from portalscore.crawler.egress import Egress
from portalscore.crawler.hostgate import HostGate
from portalscore.crawler.lighthttp import LightClient
from portalscore.crawler.netpolicy import NetPolicy
from portalscore.crawler.probe import Probe, probe_url
from portalscore.crawler.urls import site_host

from .registry import Registry, parse

# Outcomes, worst news first in the text report. What --update makes of each: the address is confirmed (True),
# shown not to lead to the portal (False), or nothing can be concluded from one attempt (None: flag unchanged).
OUTCOMES: dict[str, bool | None] = {
    "dns-error": False,  # the name does not resolve
    "unreachable": None,  # resolves, but no answer (refused, timeout, reset): may be passing
    "refused": None,  # our network policy would not contact it (an internal address): the operator decides
    "http-error": None,  # answers 4xx/5xx (404 and 410 count as not leading there: see _flag)
    "moved": False,  # redirects to another host: the registry should name that one
    "not-a-portal": False,  # answers, but nothing on the page says online public services
    "confirmed": True,
}


@dataclass
class EntryCheck:
    id: str
    name: str
    url: str
    confirmed_before: bool
    outcome: str
    detail: str  # the outcome in one line, naming what was seen
    probe: Probe
    warnings: list[str] = field(default_factory=list)  # an untrusted or expiring certificate, plain http


@dataclass
class RegistryCheck:
    registry: str
    file: str
    checked_at: str  # ISO 8601, UTC
    entries: list[EntryCheck]

    @property
    def resolver_works(self) -> bool:
        """Some name (not a literal address) resolved in this check: only then is a DNS failure news about the
        entry rather than about our own resolver (a machine without DNS would otherwise unconfirm everything)."""
        return any(e.probe.addresses and not _literal(e.url) for e in self.entries)

    def counts(self) -> dict[str, int]:
        c = Counter(e.outcome for e in self.entries)
        return {o: c[o] for o in OUTCOMES if c[o]}


def _literal(url: str) -> bool:
    try:
        ipaddress.ip_address((urlsplit(url).hostname or "").strip("[]"))
    except ValueError:
        return False
    return True


def judge(url: str, probe: Probe) -> tuple[str, str]:
    """(outcome, one line naming it) of one probed address."""
    if probe.dns_error:
        return "dns-error", probe.dns_error
    if probe.refused:
        return "refused", probe.refused
    if probe.error or probe.status is None:
        return "unreachable", probe.error or "no answer"
    start_host = site_host((urlsplit(probe.url).hostname or "").lower())
    final_host = site_host(probe.final_host.lower())
    via = f" via {' → '.join(probe.redirects)}" if probe.redirects else ""
    if probe.status >= 400:
        return "http-error", f"HTTP {probe.status} at {probe.final_url}{via}"
    if final_host != start_host:
        return "moved", f"redirects to another host: {probe.final_url}{via} (HTTP {probe.status})"
    title = f' "{probe.title}"' if probe.title else ""
    if not probe.looks_like_portal:
        seen = ", ".join(probe.signals) or "no trace of one"
        return "not-a-portal", f"HTTP {probe.status}{title}: not a public-service portal ({seen})"
    return "confirmed", f"HTTP {probe.status} at {probe.final_url}{via}: {', '.join(probe.signals)}"


def _warnings(probe: Probe) -> list[str]:
    out = []
    tls = probe.tls
    if tls is not None and tls.valid is False:
        out.append(f"certificate not trusted: {tls.error}")
    if tls is not None and tls.days_left is not None and tls.days_left < 30:
        out.append(f"certificate expires in {tls.days_left} days ({(tls.expires or '')[:10]})")
    if probe.final_url.startswith("http:"):
        out.append("served over plain http")
    return out


async def check_registry(
    registry: Registry, *, allow_internal: list[str] | None = None, timeout_s: float = 20, parallel: int = 8
) -> RegistryCheck:
    """Probe every entry, at most `parallel` at once and two per host, through one egress proxy."""
    # As in a run, the registry's own origins may be internal addresses; nothing else may be.
    policy = NetPolicy.build([p.url for p in registry.portals], allow_internal or ())
    checked_at = datetime.now(UTC).isoformat(timespec="seconds")
    gate = HostGate(per_host=2, min_delay_s=0.2)
    slots = asyncio.Semaphore(parallel)
    with Egress(policy) as egress:
        client = LightClient(egress, user_agent("desktop", None))
        try:

            async def one(portal: Any) -> EntryCheck:
                async with slots:
                    probe = await probe_url(client, gate, portal.url, timeout_s)
                outcome, detail = judge(portal.url, probe)
                return EntryCheck(
                    portal.id, portal.name, portal.url, portal.url_confirmed, outcome, detail, probe, _warnings(probe)
                )

            entries = await asyncio.gather(*(one(p) for p in registry.portals))
        finally:
            await client.aclose()
    return RegistryCheck(registry.name, registry.file, checked_at, list(entries))


def to_json(check: RegistryCheck) -> dict[str, Any]:
    out = dataclasses.asdict(check)
    out["counts"] = check.counts()
    out["resolver_works"] = check.resolver_works
    for entry, data in zip(check.entries, out["entries"], strict=True):
        data["probe"]["looks_like_portal"] = entry.probe.looks_like_portal
        data["update"] = _flag(entry, check.resolver_works)
    return out


def to_text(check: RegistryCheck) -> str:
    lines = [f"registry {check.registry} ({check.file}), checked {check.checked_at}"]
    order = list(OUTCOMES)
    for e in sorted(check.entries, key=lambda e: (order.index(e.outcome), e.id)):
        was = "" if e.confirmed_before else " [was unconfirmed]"
        lines.append(f"{e.outcome:<13} {e.id}  {e.url}{was}")
        lines.append(f"{'':<13} {e.detail}")
        for w in e.warnings:
            lines.append(f"{'':<13} warning: {w}")
    if not check.resolver_works and any(e.outcome == "dns-error" for e in check.entries):
        lines.append("no host name resolved in this check: DNS failures may be ours, --update leaves them as they are")
    lines.append("; ".join(f"{n} {o}" for o, n in check.counts().items()) + f" (of {len(check.entries)})")
    return "\n".join(lines) + "\n"


def write_report(check: RegistryCheck, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    text, data = out / "registry-check.txt", out / "registry-check.json"
    text.write_text(to_text(check), encoding="utf-8")
    data.write_text(json.dumps(to_json(check), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return text, data


def _flag(entry: EntryCheck, resolver_works: bool) -> bool | None:
    if entry.outcome == "dns-error" and not resolver_works:
        return None
    if entry.outcome == "http-error" and entry.probe.status in (404, 410):
        return False  # the address is gone, not failing for a while
    return OUTCOMES[entry.outcome]


_KEY_LINE = re.compile(r"^(?P<lead>\s*(?:-\s+)?)(?P<key>[A-Za-z_]+)\s*:(?P<rest>.*)$")


def update_file(check: RegistryCheck) -> tuple[list[str], dict[str, str]]:
    """Write `url_confirmed` and `url_checked` of the entries the check concluded on into the registry file, in
    place: only those lines change (or are added under the entry's `url:` line), so comments, order and quoting
    stay. The result is parsed again and compared with the original before it replaces it. Returns the ids
    updated, and those left as they were because their layout cannot be edited line by line (a flow mapping
    `{id: …, url: …}`, a value over several lines), with why."""
    path = Path(check.file)
    doc = load(path)
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)
    date = check.checked_at[:10]
    index = {p["id"]: i for i, p in enumerate(doc.data.get("portals", [])) if isinstance(p, dict) and "id" in p}
    edits: dict[int, str] = {}  # 0-based line -> replacement text (may hold several lines)
    changed: dict[str, tuple[bool, str]] = {}
    skipped: dict[str, str] = {}
    for entry in check.entries:
        flag = _flag(entry, check.resolver_works)
        if flag is None or entry.id not in index:
            continue
        planned = _plan(doc.lines, lines, index[entry.id], {"url_confirmed": "true" if flag else "false",
                                                           "url_checked": f'"{date}"'})  # fmt: skip
        if isinstance(planned, str):
            skipped[entry.id] = planned
            continue
        for n, replacement in planned.items():
            edits[n] = replacement
        changed[entry.id] = (flag, date)
    if changed:
        new_text = "".join(edits.get(n, line) for n, line in enumerate(lines))
        _write_checked(path, text, new_text, changed)
    return sorted(changed), skipped


def _plan(located: dict, lines: list[str], i: int, values: dict[str, str]) -> dict[int, str] | str:
    """The line edits that set `values` in portal i: {line: new text}, or why it cannot be done in place."""
    url_line = located[("portals", i, "url")] - 1
    m = _KEY_LINE.match(lines[url_line].rstrip("\n"))
    if m is None or m.group("key") != "url" or not m.group("rest").strip():
        return "its url is not a `url: …` line of its own (a flow mapping or a value over several lines)"
    indent = " " * len(m.group("lead"))
    edits: dict[int, str] = {}
    added = []
    for key, value in values.items():
        if ("portals", i, key) not in located:
            added.append(f"{indent}{key}: {value}\n")
            continue
        n = located[("portals", i, key)] - 1
        km = _KEY_LINE.match(lines[n].rstrip("\n"))
        if km is None or km.group("key") != key:
            return f"its {key} is not a line of its own"
        comment = km.group("rest").partition(" #")[2]
        edits[n] = f"{km.group('lead')}{key}: {value}" + (f"  #{comment}" if comment else "") + "\n"
    if added:
        edits[url_line] = lines[url_line] + "".join(added)
    return edits


def _write_checked(path: Path, old_text: str, new_text: str, changed: dict[str, tuple[bool, str]]) -> None:
    """Replace the file only if the new text parses to the old data plus exactly the intended changes."""
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(new_text)
        new_doc, old_doc = load(tmp), load(path)
        expected = old_doc.data
        for p in expected["portals"]:
            if p.get("id") in changed:
                p["url_confirmed"], p["url_checked"] = changed[p["id"]]
        if new_doc.data != expected:
            raise InputError(
                "cannot update in place: the file's layout is not one this command can edit", file=str(path)
            )
        parse(new_doc)  # still a valid registry
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
