"""Write environment.yml from requirements/lock.txt, so that conda users get exactly the locked versions.

Run by `make lock` after uv has refreshed the lock; tests/test_pins.py checks that the two agree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
ENVIRONMENT = ROOT / "environment.yml"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)==(?P<version>[^\s;\\]+)(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$")

HEADER = """\
# Conda environment for Smarketing Lab, generated from requirements/lock.txt by `make lock`: do not edit.
# Conda provides Python and pip; pip installs exactly the locked versions (tests/test_pins.py checks them).
#   conda env create -f environment.yml && conda activate smarketing-lab
name: smarketing-lab
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def locked_pins(lock: Path = LOCK) -> list[tuple[str, str, str]]:
    """(name, version, environment marker or "") of every package in the lock, in its order."""
    pins = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins.append((match["name"], match["version"], (match["marker"] or "").strip()))
    return pins


def render(pins: list[tuple[str, str, str]]) -> str:
    lines = [f"{name}=={version}" + (f" ; {marker}" if marker else "") for name, version, marker in pins]
    return HEADER + "".join(f"      - \"{line}\"\n" for line in lines) + "      - \"-e .\"\n"


if __name__ == "__main__":
    pins = locked_pins()
    if not pins:
        sys.exit(f"{LOCK} holds no pins: run `make lock` first")
    ENVIRONMENT.write_text(render(pins), encoding="utf-8")
    print(f"{ENVIRONMENT.name}: {len(pins)} packages from {LOCK.relative_to(ROOT)}")
