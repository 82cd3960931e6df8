"""Throttled lab loads: the same slow network and slow CPU for every run, wherever it runs from.

Unthrottled lab timings depend on the network between the crawler and the portal, so two runs
from different places rank pages on different footing. A preset applied over CDP (DevTools
network emulation and CPU throttling) makes the figures comparable across runs.

The presets are Lighthouse's (core/config/constants.js, `throttling`): `mobileSlow4G` (its
default mobile profile: 150 ms RTT, 1.6 Mbps down, 750 Kbps up, CPU 4x) and `mobileRegular3G`
(300 ms, 700 Kbps, CPU 4x). DevTools emulation delays each *request*, not each round trip, so
Lighthouse's devtools throttling applies the RTT times 3.75 as request latency and 90 % of the
throughput (DEVTOOLS_RTT_ADJUSTMENT_FACTOR, DEVTOOLS_THROUGHPUT_ADJUSTMENT_FACTOR); so do we.
These are also Chrome DevTools' "Slow 4G" (formerly "Fast 3G") values.

Chromium records a navigation's responseStart before the emulated latency is added, so TTFB
stays the server's own; load, FCP, LCP and TBT carry the throttling.
"""

from __future__ import annotations

from dataclasses import dataclass

from playwright.async_api import CDPSession
from playwright.async_api import Error as PlaywrightError

RTT_FACTOR = 3.75  # Lighthouse DEVTOOLS_RTT_ADJUSTMENT_FACTOR
THROUGHPUT_FACTOR = 0.9  # Lighthouse DEVTOOLS_THROUGHPUT_ADJUSTMENT_FACTOR


@dataclass(frozen=True)
class Throttle:
    name: str
    rtt_ms: float  # the nominal round trip the preset stands for
    down_kbps: float  # nominal throughputs, kilobits (1024 bits) per second
    up_kbps: float
    cpu: float  # CPU slowdown multiplier

    @property
    def latency_ms(self) -> float:
        """Latency DevTools adds to each request."""
        return self.rtt_ms * RTT_FACTOR

    def conditions(self) -> dict:
        """CDP NetworkConditions (throughputs in bytes per second)."""
        return {
            "latency": self.latency_ms,
            "downloadThroughput": self.down_kbps * THROUGHPUT_FACTOR * 1024 / 8,
            "uploadThroughput": self.up_kbps * THROUGHPUT_FACTOR * 1024 / 8,
        }

    def describe(self) -> str:
        return (
            f"{self.name}: {self.rtt_ms:g} ms RTT ({self.latency_ms:g} ms per request), "
            f"{self.down_kbps / 1024:.3g} Mbps down, {self.up_kbps:g} Kbps up, CPU {self.cpu:g}x"
        )


PRESETS: dict[str, Throttle] = {
    t.name: t
    for t in (
        Throttle("slow-4g", rtt_ms=150, down_kbps=1.6 * 1024, up_kbps=750, cpu=4),  # Lighthouse mobileSlow4G
        Throttle("regular-3g", rtt_ms=300, down_kbps=700, up_kbps=700, cpu=4),  # Lighthouse mobileRegular3G
    )
}


def preset(name: str) -> Throttle:
    """The named preset; ValueError naming the known ones otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown throttle preset {name!r} (known: {', '.join(PRESETS)})") from None


async def apply(cdp: CDPSession, throttle: Throttle) -> None:
    """Throttle the page of `cdp` (Network domain enabled) for everything it loads from now on."""
    conditions = throttle.conditions()
    try:  # current Chromium (156): rules for requests, plus the state navigator.connection reports
        await cdp.send(
            "Network.emulateNetworkConditionsByRule", {"matchedNetworkConditions": [{"urlPattern": "", **conditions}]}
        )
        await cdp.send("Network.overrideNetworkState", {"offline": False, **conditions})
    except PlaywrightError:  # an older Chromium: the (since deprecated) method that does both
        await cdp.send("Network.emulateNetworkConditions", {"offline": False, **conditions})
    await apply_cpu(cdp, throttle)


async def apply_cpu(cdp: CDPSession, throttle: Throttle) -> None:
    """Only the CPU slowdown (the network's is simulated afterwards: crawler/netsim.py)."""
    await cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle.cpu})


async def release_cpu(cdp: CDPSession) -> None:
    """Full CPU again (after the timings are read: the DOM and axe need not be slowed)."""
    await cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
