"""The egress proxy of the benchmarks and scripts: their pages are served on 127.0.0.1, so that address may be
contacted (as an operator's `--allow-internal 127.0.0.1/32` would); every other internal address stays refused."""

from __future__ import annotations

import functools

from portalscore.crawler.egress import Egress
from portalscore.crawler.netpolicy import NetPolicy


@functools.cache
def loopback_egress() -> Egress:
    """One started proxy per process (its thread is a daemon: it ends with the process)."""
    return Egress(NetPolicy.build(allow_internal=["127.0.0.1/32"])).start()
