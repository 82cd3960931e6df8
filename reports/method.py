"""How the evidence was collected, as the method page says it in words: figures a reader can weigh (page cap,
lab loads, network profile, audit sampling), never the run's raw settings, paths or command-line flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portalscore.contract.evidence import PortalEvidence


@dataclass(frozen=True)
class NetworkProfile:
    name: str
    rtt_ms: float
    down_mbps: float
    up_kbps: float
    cpu: float


@dataclass
class Collection:
    max_pages: int | None = None
    lab_runs: int | None = None
    lab_pages: int | None = None
    throttle: NetworkProfile | None = None
    throttle_name: str | None = None  # a preset this version no longer knows
    mobile_throttle: NetworkProfile | None = None  # the phone loads' own preset, when --throttle did not set all
    simulated: bool = False  # the slow network was computed from loads on the real one (crawler/netsim.py)
    audit_per_template: int | None = None  # 0: every page audited
    reuse_audits: bool = False
    mobile_pages: int | None = None
    link_checks: int | None = None
    journeys: bool = False  # citizen journeys were run
    browsers: list[str] = field(default_factory=list)
    engines: list[str] = field(default_factory=list)
    started: str = ""
    finished: str = ""


def _int(settings: dict[str, Any], key: str) -> int | None:
    value = settings.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _profile(name: object) -> tuple[NetworkProfile | None, str | None]:
    if not isinstance(name, str) or not name:
        return None, None
    try:
        from portalscore.crawler.throttle import PRESETS
    except ImportError:  # pragma: no cover - the crawler needs Playwright, which the report does not
        return None, name
    p = PRESETS.get(name)
    if p is None:
        return None, name
    return NetworkProfile(p.name, p.rtt_ms, round(p.down_kbps / 1024, 2), p.up_kbps, p.cpu), None


def collection_facts(settings: dict[str, Any], evidence: dict[str, PortalEvidence], generated_at: str) -> Collection:
    throttle, unknown = _profile(settings.get("throttle"))
    mobile = "mobile" in (settings.get("profiles") or ()) and not settings.get("throttle")
    starts = sorted(ev.started_at for ev in evidence.values() if ev.started_at)
    ends = sorted(ev.finished_at for ev in evidence.values() if ev.finished_at)
    return Collection(
        max_pages=_int(settings, "max_pages"),
        lab_runs=_int(settings, "lab_runs"),
        lab_pages=_int(settings, "lab_pages"),
        throttle=throttle,
        throttle_name=unknown,
        mobile_throttle=_profile(settings.get("mobile_throttle"))[0] if mobile else None,
        simulated=settings.get("throttling_method") == "simulate",
        audit_per_template=_int(settings, "audit_per_template"),
        reuse_audits=bool(settings.get("reuse_audits")),
        mobile_pages=_int(settings, "mobile_pages"),
        link_checks=_int(settings, "link_checks"),
        journeys=any(ev.scenarios for ev in evidence.values()),
        browsers=sorted({ev.browser for ev in evidence.values() if ev.browser}),
        engines=sorted(
            {
                p.accessibility.engine
                for ev in evidence.values()
                for p in ev.pages
                if p.accessibility and p.accessibility.engine
            }
        ),
        started=starts[0] if starts else "",
        finished=ends[-1] if ends else generated_at,
    )
