"""The crawler: one Chromium, polite breadth-first crawls of portals, page evidence, lab timings."""
from .crawl import audit_url, crawl_portal
from .lab import measure_lab
from .pool import BrowserPool
from .settings import CrawlSettings

__all__ = ["BrowserPool", "CrawlSettings", "crawl_portal", "measure_lab", "audit_url"]
