"""What every visitor's browser can see of a page's security: HTTPS and HSTS, the security headers sent and the ones
missing (named: a dispute needs names, not a count), server version disclosure, cookie flags, mixed content."""

from __future__ import annotations

from playwright.async_api import Error as PlaywrightError

from portalscore.contract.evidence import SECURITY_HEADERS, Cookie, PageSecurity

from ..network import MAX_LISTED
from .base import Gatherer, GathererMeta, PageRun, register


@register
class SecurityGatherer(Gatherer):
    meta = GathererMeta(name="security", produces=("security",), stage="facts", order=20)

    async def gather(self, run: PageRun) -> None:
        ev, headers = run.ev, run.headers
        page_url = ev.final_url or ev.url
        https = page_url.startswith("https:")
        cookies: list[Cookie] = []
        try:
            for c in await run.tab.context.cookies():
                cookies.append(
                    Cookie(
                        name=c["name"],
                        secure=bool(c.get("secure", False)),
                        httponly=bool(c.get("httpOnly", False)),
                        samesite=str(c.get("sameSite", "")),
                    )
                )
        except PlaywrightError:
            pass
        # http:// requests of an https page, except the page's own http -> https redirect chain
        redirects = {*ev.redirects, ev.url}
        requested = set(run.tab.net.http_urls) - redirects if https else set()
        mixed = sorted(set(run.mixed_in_dom) | requested)[:MAX_LISTED]
        ev.security = PageSecurity(
            https=https,
            hsts=https and "strict-transport-security" in headers,
            headers={name: headers[name] for name in SECURITY_HEADERS if name in headers},
            missing_headers=[name for name in SECURITY_HEADERS if name not in headers],
            server=headers.get("server", ""),
            x_powered_by=headers.get("x-powered-by", ""),
            cookies=cookies[:MAX_LISTED],
            mixed_content=mixed,
        )
