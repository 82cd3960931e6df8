"""How a crawl behaves: caps, politeness, time limits. One object, passed everywhere."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CrawlSettings:
    max_pages: int = 30  # per portal; Portal.max_pages overrides
    max_depth: int = 6
    workers: int = 2  # shared browser slots (page work and axe) over all portals
    per_host: int = 2  # page loads / light requests in flight per host:port
    min_delay_s: float = 0.2  # between request starts on one host (robots Crawl-delay may raise it)
    page_timeout_s: float = 30  # everything done for one page: load, settle, extract, axe (held from outside)
    axe_timeout_s: float = 12  # axe on one page, within page_timeout_s: a page too big for it is still evaluated
    request_timeout_s: float = 15  # one navigation or one light request
    lab_runs: int = 3  # timed loads per sampled page (median kept)
    # Stop at a majority of lab_runs when those loads agree (crawler/lab.py): 21 % fewer timed loads, but the
    # in-run spread the performance ties rest on is then read from loads kept because they agreed, so it reads low.
    # Off for a published ranking (ties keep their width); on with --lab-early-stop where speed matters more.
    lab_early_stop: bool = False
    # Pages of one portal and profile timed at once (crawler/lab.py, lanes), all inside the quiet gate: no crawl load
    # or axe run beside them. 1: one timed load at a time.
    lab_lanes: int = 1
    lab_pages: int = 4  # per-portal budget of pages timed in the lab pass, per profile (one per template first)
    # A quiet machine for each timed load (crawler/quiet.py): wait until other programs use under lab_quiet_busy of
    # all cores for half a second (at most lab_quiet_wait_s, then time anyway); a load they contended anyway at normal
    # priority (lab_nice could not be applied) is timed again, at most lab_redo times per page and profile.
    # lab_quiet_wait_s 0: no wait, no re-timing (the machine's load is still recorded with every load).
    lab_quiet_busy: float = 0.25
    lab_quiet_wait_s: float = 3.0
    lab_redo: int = 1
    # ... and each timed load runs with our processes at this CPU priority (crawler/quiet.py: needs CAP_SYS_NICE or
    # root; recorded per load). 0: normal priority.
    lab_nice: int = -10
    profiles: tuple[str, ...] = ("desktop", "mobile")  # profiles timed in the lab pass: both are scored
    throttle: str | None = None  # all lab loads (and audit_url) under a crawler.throttle preset, e.g. "slow-4g"
    # Mobile lab loads without --throttle: a fixed preset, Lighthouse's mobile default, so that mobile figures
    # compare across runs and machines (crawler/lab.py).
    mobile_throttle: str = "slow-4g"
    # How a throttled lab load's network is slowed (crawler/netsim.py): "simulate", loaded on the real network and its
    # figures computed for the slow one (the CPU slowdown stays real), as Lighthouse does by default; "devtools",
    # emulated while the page loads (a 3 MB page takes 18 s, and one past request_timeout_s loses its late paints).
    # Measured against each other in docs/performance.md ("Simulated throttling").
    throttling_method: str = "simulate"
    mobile_pages: int = 3  # crawled pages also loaded and audited on the mobile profile
    outbound_sample: int = 10  # outbound links checked per portal
    allowed_hosts: list[str] | None = None  # None: any host; else every other host is refused
    # Internal origins ("http://10.0.0.5:8080") or address ranges ("10.20.0.0/16") the crawler may contact besides
    # the evaluated portals' own origins (crawler/netpolicy.py); every other private or loopback address is refused.
    allow_internal: tuple[str, ...] = ()
    contact: str | None = None  # contact URL in the User-Agent
    portal_timeout_s: float = 600  # wall clock for one portal's crawl; no new pages after it
    run_axe: bool = True
    # Incremental crawling: a page whose content hash matches a page of an earlier complete run of the same
    # registry (same portal, profile and axe version) reuses that axe result instead of auditing again.
    reuse_audits: bool = True
    # Template sampling (crawler/template.py): axe audits the first N pages of each page template per portal
    # and profile; the template's other pages get its first audit, marked as sampled. 0: audit every page.
    audit_per_template: int = 2
    # Our accessibility checks beyond axe (crawler/checks) on every page axe audits: the light ones (reading the DOM)
    # on each, the heavy ones (keyboard walk, reflow at 320 px, text zoom and spacing: seconds of browser work) on the
    # first desktop page of each template (the others share its layout, menus and widgets). 0: light checks only.
    run_checks: bool = True
    heavy_checks_per_template: int = 1
    # The evidence archive (crawler/archive): each audited page's responses as WARC, its DOM and a screenshot, when
    # the run names where (the application's --archive). Off: nothing is recorded on the hot path.
    archive: bool = True
    retries: int = 2  # extra attempts for transient failures only
    retry_after_cap_s: float = 30  # a server's Retry-After is honoured up to this
    settle_s: float = 2.0  # after the load event, wait at most this long for the network to go quiet
    quiet_ms: int = 500  # ... where quiet means no request in flight for this long
    # A timed (lab) load is read no sooner than this after its load event, as Lighthouse's pauseAfterLoadMs: a banner
    # inserted 250 ms after load must count in CLS on every run, not only when the network happened to stay busy.
    lab_pause_after_load_ms: int = 1000
    max_page_bytes: int = 15_000_000  # a bigger page is stopped (and evaluated as loaded so far)
    max_dom_nodes: int = 60_000  # a bigger DOM is measured but not audited by axe
    # A page's renderer above this (RSS, shared pages counted) is stopped and the page named for it. 1000: a
    # 20,000-link page audited by axe, our checks and the archive reached 744 MB and is a page to evaluate.
    renderer_mb: int = 1000
    renderers_total_mb: int = 1800  # all renderers together above this: the largest is stopped
    max_links_per_page: int = 2000
    max_query_variants: int = 10  # distinct query strings crawled per path (calendars, filters)
    link_checks: int = 300  # light checks of unvisited same-site links and documents, per portal
    document_checks: int = 20  # of those documents, PDF/DOCX forms downloaded and checked for accessibility
    max_redirects: int = 20  # light requests; Chromium stops page loads at 20 hops itself
