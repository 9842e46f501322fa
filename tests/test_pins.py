"""Versions live in one place: pyproject.toml says which ranges the library works with, requirements/lock.txt
pins every installed package (direct or not) with hashes, `make` installs the lock, and environment.yml is
generated from it."""

from __future__ import annotations

import importlib.util
import re
import tomllib

from packaging.requirements import Requirement

from tests.conftest import ROOT

LOCK = ROOT / "requirements" / "lock.txt"


def _environment_module():
    spec = importlib.util.spec_from_file_location("environment", ROOT / "requirements" / "environment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pyproject_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["dependencies"]
            + [r for extra in project["optional-dependencies"].values() for r in extra]]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_direct_dependency_has_a_range_that_admits_its_locked_version():
    locked = {_normal(name): version for name, version, _marker in _environment_module().locked_pins()}
    problems = []
    for requirement in _pyproject_requirements():
        name = _normal(requirement.name)
        if not requirement.specifier:
            problems.append(f"{requirement}: give a range (e.g. ~=1.2.3), not a bare name")
        elif name not in locked:
            problems.append(f"{requirement}: not in requirements/lock.txt; run `make lock`")
        elif not requirement.specifier.contains(locked[name], prereleases=True):
            problems.append(f"{requirement}: the lock has {locked[name]}, outside the range; run `make lock`")
    assert not problems, "\n".join(problems)


def test_the_lock_pins_every_package_with_hashes():
    text = LOCK.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
    pins = _environment_module().locked_pins()
    assert len(pins) > 100, "the lock should pin the whole environment, not only the direct dependencies"
    unhashed = [entry.split()[0] for entry in entries if "==" in entry and "--hash=sha256:" not in entry]
    assert not unhashed, f"locked without a hash: {unhashed}"
    assert not re.search(r"https?://|--index-url|--extra-index-url", text), "the lock must name no package host"


def test_environment_yml_is_generated_from_the_lock():
    module = _environment_module()
    expected = module.render(module.locked_pins())
    assert (ROOT / "environment.yml").read_text(encoding="utf-8") == expected, \
        "environment.yml differs from the lock: run `python requirements/environment.py` (or `make lock`)"


def test_make_installs_the_lock_with_its_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"pip install .*--require-hashes -r \$\(LOCK\)", makefile)
    assert re.search(r"^LOCK := requirements/lock\.txt$", makefile, re.M)
    assert re.search(r"pip install .*--no-deps -e \.", makefile), "the package itself must not re-resolve"
