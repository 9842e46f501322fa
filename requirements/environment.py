"""Write environment.yml and binder/environment.yml from requirements/lock.txt, so that conda users and Binder
get exactly the locked versions.

environment.yml holds the whole lock (the course, its tests and every extra); binder/environment.yml only what
the course needs to run (pyproject's dependencies and what they need, by the lock's "# via" graph), so that a
Binder launch does not install the test tools. Run by `make lock` after uv has refreshed the lock;
tests/test_pins.py checks that all three agree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
ENVIRONMENT = ROOT / "environment.yml"
BINDER = ROOT / "binder" / "environment.yml"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)==(?P<version>[^\s;\\]+)(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$")

# Both files: conda provides Python and pip, then pip installs the pins listed after this.
CONDA = """\
name: smarketing-lab
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""
HEADER = """\
# Conda environment for Smarketing Lab, generated from requirements/lock.txt by `make lock`: do not edit.
# Conda provides Python and pip; pip installs exactly the locked versions (tests/test_pins.py checks them).
#   conda env create -f environment.yml && conda activate smarketing-lab
""" + CONDA


def locked_pins(lock: Path = LOCK) -> list[tuple[str, str, str]]:
    """(name, version, environment marker or "") of every package in the lock, in its order."""
    pins = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins.append((match["name"], match["version"], (match["marker"] or "").strip()))
    return pins


BINDER_HEADER = """\
# Binder's environment for Smarketing Lab (repo2docker reads binder/ before the repository's root), generated
# from requirements/lock.txt by `make lock`: do not edit. Only what the course needs to run, at the locked
# versions; binder/postBuild then installs the package itself, without its dependencies.
""" + CONDA


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def render(pins: list[tuple[str, str, str]], header: str = HEADER, package: bool = True) -> str:
    lines = [f"{name}=={version}" + (f" ; {marker}" if marker else "") for name, version, marker in pins]
    return header + "".join(f"      - \"{line}\"\n" for line in lines) + ("      - \"-e .\"\n" if package else "")


def required_by(lock: Path = LOCK) -> dict[str, set[str]]:
    """Each locked package (normalised name) and the packages the lock says need it (its "# via" lines); the
    project itself is "smarketing"."""
    graph: dict[str, set[str]] = {}
    current = None
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = _normal(match["name"])
            graph[current] = set()
            continue
        via = re.match(r"^\s+#\s+(?:via\s+)?(?P<names>\S.*)$", line)
        if current and via and line.strip() != "# via":
            parent = via["names"].split(" (")[0].strip()
            graph[current].add(_normal(parent))
    return graph


def runtime_pins(lock: Path = LOCK, pyproject: Path = ROOT / "pyproject.toml") -> list[tuple[str, str, str]]:
    """The locked pins the course needs to run: pyproject's dependencies (not its extras) and, through the lock's
    graph, everything they need."""
    import tomllib

    from packaging.requirements import Requirement

    direct = {_normal(Requirement(r).name) for r in tomllib.loads(pyproject.read_text())["project"]["dependencies"]}
    graph = required_by(lock)
    needed = set(direct)
    while True:
        more = {name for name, parents in graph.items() if name not in needed and parents & needed}
        if not more:
            break
        needed |= more
    return [pin for pin in locked_pins(lock) if _normal(pin[0]) in needed]


if __name__ == "__main__":
    pins = locked_pins()
    if not pins:
        sys.exit(f"{LOCK} holds no pins: run `make lock` first")
    ENVIRONMENT.write_text(render(pins), encoding="utf-8")
    print(f"{ENVIRONMENT.name}: {len(pins)} packages from {LOCK.relative_to(ROOT)}")
    runtime = runtime_pins()
    BINDER.write_text(render(runtime, BINDER_HEADER, package=False), encoding="utf-8")
    print(f"{BINDER.relative_to(ROOT)}: {len(runtime)} packages the course needs to run")
