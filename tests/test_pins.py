"""Versions are pinned once, in pyproject.toml; environment.yml must carry exactly the same pins."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    pins = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", requirement)
        assert match, f"pyproject.toml: '{requirement}' is not pinned exactly (name==version)"
        pins[match[1].lower()] = match[2]
    return pins


def _conda_pins() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, str) and "=" in entry and not entry.startswith("python="):
            name, version = entry.split("=", 1)
            pins[name.lower()] = version
    return pins


def test_environment_yml_has_the_same_pins_as_pyproject():
    pyproject, conda = _pyproject_pins(), _conda_pins()
    only_pyproject = {k: v for k, v in pyproject.items() if k not in conda}
    only_conda = {k: v for k, v in conda.items() if k not in pyproject}
    different = {k: (pyproject[k], conda[k]) for k in pyproject.keys() & conda.keys() if pyproject[k] != conda[k]}
    assert not (only_pyproject or only_conda or different), (
        f"pins disagree: only in pyproject.toml {only_pyproject}, only in environment.yml {only_conda}, "
        f"different versions (pyproject, conda) {different}")


def test_the_course_dependencies_are_pinned():
    pins = _pyproject_pins()
    for package in ("jupyterlab", "nbgrader", "pandas", "ipywidgets", "altair", "nbval", "pytest"):
        assert package in pins, f"{package} must be pinned in pyproject.toml"
