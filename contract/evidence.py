"""What the crawler and the scenarios learn about a portal: plain data, JSON-friendly.

Data flows one way: registry -> crawl -> *evidence* -> criteria -> scores -> report.
Everything here is stored as JSON (see portalscore.storage), so a run can be re-scored
without re-crawling. Keep fields additive: old runs must still load.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any


def _build(tp: Any, value: Any) -> Any:
    """Rebuild a (possibly nested) dataclass value from its JSON form."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1 and value == {} and dataclasses.is_dataclass(inner[0]):
            return None  # older runs stored "nothing recorded" as an empty mapping
        return _build(inner[0], value) if len(inner) == 1 else value
    if origin is list and args:
        return [_build(args[0], v) for v in value]
    if origin is dict and len(args) == 2:
        return {k: _build(args[1], v) for k, v in value.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return from_dict(tp, value)
    return value


def from_dict(cls: type, data: dict[str, Any]) -> Any:
    """Inverse of dataclasses.asdict, ignoring unknown keys (forward compatibility)."""
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            kwargs[f.name] = _build(hints[f.name], data[f.name])
    return cls(**kwargs)


def to_dict(obj: Any) -> dict[str, Any]:
    return dataclasses.asdict(obj)


# The response headers the crawler records on every page (PageSecurity.headers); the criteria choose
# which of them a portal must send.
SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "strict-transport-security",
    "permissions-policy",
)


@dataclass
class Timings:
    """Navigation and paint timings of one page load, in milliseconds (cls is unitless)."""

    ttfb_ms: float | None = None
    dcl_ms: float | None = None
    load_ms: float | None = None
    fcp_ms: float | None = None
    lcp_ms: float | None = None
    cls: float | None = None
    tbt_ms: float | None = None


@dataclass
class ViolationNode:
    target: str
    html: str = ""
    summary: str = ""
    # Where the element is on the page's archived screenshot: "<portal>/shots/<sha1>.jpg#xywh=x,y,w,h" (a Media
    # Fragments URI relative to the run's archive folder; crawler/gatherers/crops.py). None: no crop (not archived,
    # or the element is outside the screenshot's viewport).
    crop: str | None = None


@dataclass
class Violation:
    rule: str
    impact: str | None
    wcag: list[str] = field(default_factory=list)  # success criteria, e.g. ["1.1.1"]
    help: str = ""
    help_url: str = ""
    node_count: int = 0
    nodes: list[ViolationNode] = field(default_factory=list)  # capped sample
    # Who found it: "axe" (axe-core's rule `rule`) or "portalscore" (our own check `rule`, ps-*,
    # portalscore.crawler.checks). Both count the same in the criteria that read violations.
    source: str = "axe"
    help_vi: str = ""  # the message in Vietnamese (`help` is English); axe's rules have none


@dataclass
class Accessibility:
    engine: str = ""  # "axe-core 4.14.1"
    violations: list[Violation] = field(default_factory=list)
    passes: int = 0
    incomplete: int = 0
    error: str | None = None
    # Incremental crawling: the run whose axe audit this is, when it was reused for unchanged content
    # (same portal, profile, content hash and engine) instead of auditing again. None: audited in this run.
    reused_from_run: int | None = None
    # Template sampling (crawler/template.py): the page whose audit this is, when this page was not audited
    # itself because earlier pages of its template were. None: this page's own audit.
    sampled_from: str | None = None
    # axe's best-practice rules that map to no WCAG success criterion (heading order, landmarks, ...): kept
    # apart so that criteria reading `violations` do not change; a criteria set reads them on purpose.
    best_practice: list[Violation] = field(default_factory=list)
    # Our own checks (portalscore.crawler.checks) that ran on the page: one that ran and found nothing is
    # evidence that the page passed it. Their findings are in `violations` with source "portalscore".
    checks: list[str] = field(default_factory=list)
    check_errors: dict[str, str] = field(default_factory=dict)  # check id -> why it could not run
    checks_version: str = ""  # portalscore.crawler.checks.CHECKS_VERSION of the checks that ran ("" : none ran)


@dataclass
class BlockedRequest:
    """A request a page made that portalscore did not send (or could not connect), and why."""

    method: str
    url: str
    kind: str  # state-changing | internal-address | scheme | host-not-allowed | pop-up | navigation-loop | dns ...
    reason: str

    def line(self) -> str:
        return f"{self.method} {self.url} ({self.reason})"


@dataclass
class Cookie:
    name: str = ""
    secure: bool = False
    httponly: bool = False
    samesite: str = ""  # Strict | Lax | None | "" (not set)


@dataclass
class PageSecurity:
    """What every visitor's browser can see of a page's security (crawler/gatherers/security.py)."""

    https: bool = False
    hsts: bool = False
    headers: dict[str, str] = field(default_factory=dict)  # the SECURITY_HEADERS sent, by lower-case name
    missing_headers: list[str] = field(default_factory=list)  # the SECURITY_HEADERS not sent, named
    server: str = ""  # the Server header as sent
    x_powered_by: str = ""
    cookies: list[Cookie] = field(default_factory=list)
    mixed_content: list[str] = field(default_factory=list)  # http:// resources of an https page


@dataclass
class FailedRequest:
    url: str
    status: int | None = None  # an HTTP error answer
    error: str | None = None  # or why no answer came


@dataclass
class Fact:
    """One page fact (contract/facts.py says what each means): a yes/no or a number, and what the page showed."""

    value: bool | float | None = None  # None: could not be read on this page
    detail: str = ""  # the words or markup behind the value, quoted by the evidence line


@dataclass
class PageEvidence:
    url: str
    profile: str = "desktop"  # desktop | mobile
    final_url: str = ""
    status: int | None = None
    depth: int = 0
    title: str = ""
    lang: str = ""
    content_type: str = ""
    redirects: list[str] = field(default_factory=list)
    timings: Timings = field(default_factory=Timings)  # from the crawl load (may be contended)
    # A lab load whose slow network was simulated (crawler/netsim.py): the load's own figures on the real network,
    # from which `timings` were computed. None: not simulated.
    unthrottled: Timings | None = None
    transfer_bytes: int = 0
    bytes_by_type: dict[str, int] = field(default_factory=dict)
    request_count: int = 0
    third_party_hosts: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[FailedRequest] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # absolute, normalised, as found in the DOM
    security: PageSecurity | None = None  # None: not gathered (the page failed, or a run without it)
    accessibility: Accessibility | None = None
    content_hash: str = ""
    template: str = ""  # crawler.template.template_key: pages that share it share a layout
    dom_nodes: int = 0
    error: str | None = None  # why the page could not be evaluated, if it could not
    notes: list[str] = field(default_factory=list)  # what the crawler did about the page (dialog dismissed, ...)
    emc: bool = False  # the page loads the national EMC tracking script (gov-tracking) or sets window._govaq
    # Requests the page made that were not let through (crawler/guard.py, crawler/egress.py): a state-changing
    # request, an internal address, a navigation loop ... Named findings: a portal that points us inward is told so.
    blocked: list[BlockedRequest] = field(default_factory=list)
    facts: dict[str, Fact] = field(default_factory=dict)  # by name, from the gatherers that declare them


@dataclass
class MachineLoad:
    """How busy other programs kept the machine around one timed lab load (crawler/quiet.py): a timing taken on a
    busy machine is slower than the portal is, and a reader of the evidence can tell which ones were."""

    waited_s: float = 0.0  # waited this long for a quiet machine before the load
    busy_before: float = 0.0  # other programs' share of all cores (0-1) in the last half second before the load
    quiet: bool = True  # the wait ended on a quiet machine; False: timed anyway after the bounded wait
    busy_during: float = 0.0  # other programs' share of all cores during the timed load
    kept: bool = True  # False: contended during the load and timed again (crawler/lab.py); not in `samples`
    nice: int | None = None  # the CPU priority our browser was raised to for the load; None: not raised
    beside: int = 0  # other timed loads (the lab's lanes) that shared the quiet gate with this one at some moment


@dataclass
class LabTiming:
    """Stable timings: the same page loaded `runs` times alone on the machine; median kept."""

    url: str
    profile: str = "desktop"
    runs: int = 0
    median: Timings = field(default_factory=Timings)
    samples: list[Timings] = field(default_factory=list)
    error: str | None = None
    throttle: str | None = None  # the crawler.throttle preset the loads ran under; None: unthrottled
    # How the preset's network was applied: "devtools" (emulated during the load) or "simulate" (computed from a
    # load on the real network: crawler/netsim.py; `unthrottled` then holds each kept load's own figures).
    method: str = "devtools"
    unthrottled: list[Timings] = field(default_factory=list)
    # Every timed load in order, kept or timed again: how busy the machine was (empty: runs before the quiet wait).
    machine: list[MachineLoad] = field(default_factory=list)


@dataclass
class LinkCheck:
    url: str
    source: str = ""  # page the link was found on
    kind: str = "page"  # page | document | outbound
    status: int | None = None
    error: str | None = None
    content_type: str = ""
    size: int | None = None
    # Documents (PDF/DOCX forms): our accessibility checks of the file itself (crawler/documents.py).
    checked: bool = False
    violations: list[Violation] = field(default_factory=list)
    check_error: str | None = None  # why it was not checked (a legacy .doc, too big, unreadable ...)

    @property
    def broken(self) -> bool:
        return self.error is not None or self.status is None or self.status >= 400


@dataclass
class Box:
    """A rectangle on a screenshot, in its CSS pixels from the top left corner."""

    x: int
    y: int
    w: int
    h: int


@dataclass
class StepResult:
    name: str
    ok: bool
    ms: float = 0.0
    detail: str = ""
    url: str = ""
    # A failed step that points at an element (the wrong element focused, a control without a name): where that
    # element is on the journey's failure screenshot (ScenarioResult.screenshot; a viewport shot). None: no
    # element, or it was not within the viewport.
    crop: Box | None = None


@dataclass
class RouteAttempt:
    """One way a journey tried to reach the page its criterion is about (contract.journeys.ROUTES): the procedure
    page by the portal's search, its procedure catalogue, or a procedure page the crawl found."""

    route: str  # override | search | catalogue | crawled
    ok: bool
    url: str = ""  # the page reached, when it was
    step: str = ""  # the step it failed at, when it did
    reason: str = ""


@dataclass
class ScenarioResult:
    id: str
    title: str = ""
    outcome: str = "error"  # passed | failed | not_applicable | error
    steps: list[StepResult] = field(default_factory=list)
    failed_step: str | None = None
    reason: str = ""
    screenshot: str | None = None  # path relative to the run's artefact folder
    trace: str | None = None
    blocked_requests: list[str] = field(default_factory=list)
    overrides_used: dict[str, str] = field(default_factory=dict)
    ms: float = 0.0
    # The route that reached the procedure page this journey judged ("": the journey needs none, or none reached
    # it), and every route tried, in order: a failed search costs the search criterion, not this one.
    route: str = ""
    route_attempts: list[RouteAttempt] = field(default_factory=list)


@dataclass
class TlsCheck:
    """The portal's certificate and connection as a browser that verifies certificates sees them: named facts a
    portal team can check against its own configuration, not just "valid"."""

    valid: bool | None = None  # None: could not be told (the connection failed for another reason)
    error: str | None = None  # why it is invalid or could not be checked ("tls: certificate has expired")
    issuer: str = ""  # organisation (or common name) of the issuing CA; "" when the certificate was not verified
    expires: str | None = None  # notAfter, ISO 8601
    days_left: int | None = None  # whole days from the check to expiry (negative: expired)
    version: str = ""  # protocol the connection negotiated: "TLSv1.3", "TLSv1.2" ...


@dataclass
class HttpsRedirect:
    """What http:// of the portal answers: whether the user is sent on to https://, and through which hops."""

    redirects: bool | None = None  # None: could not be told (no plain-HTTP port to ask, or no answer)
    url: str = ""  # the http:// address asked
    final_url: str = ""
    status: int | None = None  # the final answer's status
    hops: list[str] = field(default_factory=list)  # the addresses that redirected, in order
    error: str | None = None


@dataclass
class RobotsCheck:
    status: int | None = None  # None: no answer
    found: bool = False
    error: str | None = None
    crawl_delay: float | None = None  # seconds, when robots.txt asks for one


@dataclass
class SitemapCheck:
    found: bool = False
    urls: int = 0  # page addresses listed
    fetched: int = 0  # sitemap files read (indexes included)


@dataclass
class Site:
    """Site-wide facts of the crawl (the TLS and http->https checks are PortalEvidence.tls / .https_redirect)."""

    robots: RobotsCheck | None = None  # the start host's robots.txt
    robots_hosts: dict[str, RobotsCheck] = field(default_factory=dict)  # other hosts of the portal, by origin
    sitemap: SitemapCheck | None = None
    emc: bool | None = None  # some page loads the EMC tracking script; None: no page loaded
    skipped_links: dict[str, int] = field(default_factory=dict)  # links not followed, by reason
    link_checks_skipped: int = 0  # links over the link-check budget


@dataclass
class PortalRef:
    id: str
    name: str
    kind: str
    url: str


@dataclass
class PortalEvidence:
    portal: PortalRef
    started_at: str = ""
    finished_at: str = ""
    pages: list[PageEvidence] = field(default_factory=list)
    lab: list[LabTiming] = field(default_factory=list)
    links: list[LinkCheck] = field(default_factory=list)
    scenarios: list[ScenarioResult] = field(default_factory=list)
    site: Site = field(default_factory=Site)
    errors: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    browser: str = ""  # binary and version the pages were measured with: timings compare within one browser
    # Why no journey can get past the portal's start page, when the crawl found such a reason (a redirect or
    # navigation loop, a refused internal address): the journeys are then recorded as not run, at no request.
    start_blocked: str = ""
    # What the crawl read off its pages (crawler/gatherers: "dom", "security", "axe" ...): a metric that requires
    # evidence this run did not gather says so, rather than scoring its absence.
    gathered: list[str] = field(default_factory=list)
    # The site-wide security checks (None when not checked, e.g. a plain-HTTP portal has no certificate).
    tls: TlsCheck | None = None
    https_redirect: HttpsRedirect | None = None

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PortalEvidence:
        evidence: PortalEvidence = from_dict(cls, _upgrade(data))
        return evidence


def _upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """Runs stored before the site checks were typed kept a TLS flag and the redirect as a bool in `site`."""
    site = data.get("site")
    if not isinstance(site, dict):
        return data
    data = dict(data)
    if data.get("tls") is None and isinstance(site.get("tls"), dict):
        data["tls"] = site["tls"]
    if data.get("https_redirect") is None and isinstance(site.get("https_redirect"), bool):
        data["https_redirect"] = {"redirects": site["https_redirect"]}
    return data
