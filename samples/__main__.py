"""`python -m portalscore.samples [--write-registry FILE]`: serve the sample portals until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from . import SampleFleet


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m portalscore.samples", description="Serve the sample DVC portals on 127.0.0.1 until Ctrl-C."
    )
    parser.add_argument("--write-registry", metavar="FILE", help="also write a registry YAML listing them")
    args = parser.parse_args()
    with SampleFleet.start() as fleet:
        for p in fleet.portals:
            print(f"{p.url:<28} {p.kind:<9} {p.id:<20} {p.name}", flush=True)
        if args.write_registry:
            print(f"registry: {fleet.write_registry(args.write_registry)}", flush=True)
        print("Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
