#!/usr/bin/env python3
"""Fetch the pinned axe-core from npm, check its sha256, install it under vendor/axe-core/.

Idempotent: does nothing when the installed file already has the pinned digest.
"""

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from portalscore.crawler.axe import AXE_SHA256, AXE_VERSION, VENDOR_DIR


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    target = VENDOR_DIR / "axe.min.js"
    if target.exists() and sha256(target) == AXE_SHA256:
        print(f"axe-core {AXE_VERSION}: already installed ({target})")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["npm", "pack", f"axe-core@{AXE_VERSION}", "--silent"], cwd=tmp, capture_output=True, text=True
        )
        if out.returncode != 0:
            print(f"npm pack axe-core@{AXE_VERSION} failed: {out.stderr.strip()}", file=sys.stderr)
            return 1
        tgz = Path(tmp) / out.stdout.strip().splitlines()[-1]
        with tarfile.open(tgz) as tar:
            tar.extractall(tmp, filter="data")
        pkg = Path(tmp) / "package"
        digest = sha256(pkg / "axe.min.js")
        if digest != AXE_SHA256:
            print(f"axe.min.js sha256 {digest} does not match the pinned {AXE_SHA256}", file=sys.stderr)
            return 1
        VENDOR_DIR.mkdir(parents=True, exist_ok=True)
        shutil.copy(pkg / "axe.min.js", target)
        for name in ("LICENSE", "LICENSE-3RD-PARTY.txt", "package.json"):
            if (pkg / name).exists():
                shutil.copy(pkg / name, VENDOR_DIR / name)
    print(f"axe-core {AXE_VERSION}: installed {target} (sha256 verified, MPL-2.0 licence beside it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
