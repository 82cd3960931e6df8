"""How portalscore starts Chromium: Debian's binary, flags that keep it quiet offline, and always behind the run's
egress proxy (crawler/egress.py), the one way out that the network policy holds.

Shared by the crawler, the scenarios (and pytest-playwright via conftest.py) and tests,
so that every part measures with the same browser.
"""

from __future__ import annotations

import os
import shutil
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .egress import Egress

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Chromium's headless-only build (Debian package chromium-headless-shell; what Playwright itself runs for
# headless by default): the same Blink and V8 without the desktop browser around them. On the sample
# portals it crawled 2.2x faster and in 35% less memory than `chromium --headless` (README, Speed).
HEADLESS_SHELL_CANDIDATES = ("/usr/bin/chromium-headless-shell",)

# Background networking and component updates would try to reach Google's hosts,
# which a closed network refuses many times a second; QUIC is off so every request
# is plain HTTP(S) that our per-host limiter and request log see.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    # WebRTC would open UDP straight to any address a page names: only through the proxy, i.e. never.
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    # A page that allocates without end meets V8's limit (the renderer dies, named) long before the machine's.
    f"--js-flags=--max-old-space-size={512}",
]
INSTANCE_FLAG = "--portalscore-instance="  # Chromium ignores it; it lets us find our browser's processes

USER_AGENT_TOKEN = "portalscore"
DEFAULT_CONTACT = "https://github.com/portalscore/portalscore"

DESKTOP = {
    "viewport": {"width": 1350, "height": 940},
    "device_scale_factor": 1,
    "is_mobile": False,
    "has_touch": False,
}
# Lighthouse's mobile reference device (Moto G Power): 412x823 at DPR 1.75.
MOBILE = {
    "viewport": {"width": 412, "height": 823},
    "device_scale_factor": 1.75,
    "is_mobile": True,
    "has_touch": True,
}
PROFILES = {"desktop": DESKTOP, "mobile": MOBILE}

_BASE_UA = {
    "desktop": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36",
    "mobile": "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36",
}


class BrowserNotFound(RuntimeError):
    pass


def chromium_path(headless: bool = True) -> str:
    """The Chromium binary to drive: $PORTALSCORE_CHROMIUM, else Debian's: its headless shell when
    headless and installed, else the full browser (which a headed run always needs)."""
    env = os.environ.get("PORTALSCORE_CHROMIUM")
    if env:
        return env
    for candidate in (HEADLESS_SHELL_CANDIDATES if headless else ()) + CHROMIUM_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    found = shutil.which("chromium")
    if found:
        return found
    raise BrowserNotFound(
        "Chromium not found: install Debian's package (apt-get install -y chromium) "
        "or set PORTALSCORE_CHROMIUM to the browser binary"
    )


def launch_options(egress: Egress, headless: bool = True) -> dict:
    """Keyword arguments for playwright's chromium.launch(): every connection through `egress` (loopback included:
    Playwright adds `<-loopback>` to the bypass list, so that nothing bypasses the proxy)."""
    args = [*CHROMIUM_ARGS, f"{INSTANCE_FLAG}{uuid.uuid4().hex}"]
    return {
        "executable_path": chromium_path(headless),
        "args": args,
        "headless": headless,
        "proxy": {"server": egress.proxy_url},
    }


def instance_of(options: dict) -> str:
    """The marker launch_options() put on a browser's command line (crawler/procs.py finds the process by it)."""
    return next(a for a in options["args"] if a.startswith(INSTANCE_FLAG))


def user_agent(profile: str = "desktop", contact: str | None = None) -> str:
    """A browser-like UA that still names the crawler and where to reach its operators."""
    contact = contact or os.environ.get("PORTALSCORE_CONTACT", DEFAULT_CONTACT)
    return f"{_BASE_UA[profile]} {USER_AGENT_TOKEN}/0.1 (+{contact})"


def context_options(
    profile: str = "desktop", contact: str | None = None, http_credentials: list[dict] | None = None
) -> dict:
    """Keyword arguments for browser.new_context() for a measurement profile. http_credentials: Playwright's,
    each with an `origin` (portalscore.contract.secrets.http_credentials), so no other host is ever offered them."""
    opts = dict(PROFILES[profile])
    if http_credentials:
        if not all(c.get("origin") for c in http_credentials):
            raise ValueError("http_credentials must each be tied to an origin")
        opts["http_credentials"] = http_credentials
    opts["user_agent"] = user_agent(profile, contact)
    opts["locale"] = "vi-VN"
    opts["timezone_id"] = "Asia/Ho_Chi_Minh"
    opts["ignore_https_errors"] = True  # an invalid certificate is a finding, not a stop
    opts["accept_downloads"] = False
    opts["service_workers"] = "block"  # a service worker would hide requests from the measurement
    return opts
