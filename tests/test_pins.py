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


def test_binder_environment_is_the_locked_runtime_and_nothing_else():
    module = _environment_module()
    runtime = module.runtime_pins()
    assert (ROOT / "binder" / "environment.yml").read_text(encoding="utf-8") == \
        module.render(runtime, module.BINDER_HEADER, package=False), \
        "binder/environment.yml differs from the lock's runtime: run `python requirements/environment.py`"
    names = {_normal(name) for name, _version, _marker in runtime}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = {_normal(Requirement(r).name) for r in project["dependencies"]}
    assert direct <= names, f"runtime dependencies missing from Binder: {sorted(direct - names)}"
    # The tools of the extras (tests, site, hub, cluster, dev) that the course does not need stay out of a launch.
    extras_only = {_normal(Requirement(r).name) for extra in project["optional-dependencies"].values()
                   for r in extra} - direct
    assert not names & extras_only, f"Binder would install extras' tools: {sorted(names & extras_only)}"
    assert len(names) < len(module.locked_pins()) * 0.7


def test_binder_environment_holds_everything_its_packages_require():
    """The lock's "# via" graph, checked against the installed packages' own metadata: every requirement of a
    runtime package (for this platform, without extras) is in Binder's environment too."""
    from importlib.metadata import PackageNotFoundError, requires

    module = _environment_module()
    names = {_normal(name) for name, _version, _marker in module.runtime_pins()}
    missing = []
    for name in sorted(names):
        try:
            declared = requires(name) or []
        except PackageNotFoundError:  # a package for another platform (pywin32, appnope)
            continue
        for line in declared:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                if _normal(requirement.name) not in names:
                    missing.append(f"{name} needs {requirement.name}")
    assert not missing, "\n".join(missing)


def test_binder_post_build_installs_only_the_package():
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert post_build.startswith("#!/bin/bash") and "set -euo pipefail" in post_build
    assert re.search(r"pip install .*--no-deps -e \.$", post_build, re.M)
    assert not re.search(r"pip install .*-r |\[test\]|pytest|playwright", post_build)
