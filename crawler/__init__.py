"""The crawler: one Chromium, polite breadth-first crawls of portals, page evidence, lab timings.

Import from the modules (`portalscore.crawler.crawl.crawl_portal`, `.pool.BrowserPool`, `.lab.measure_lab`,
`.settings.CrawlSettings`): this package's own import stays free of Playwright.
"""
