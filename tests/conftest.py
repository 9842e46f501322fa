"""Shared fixtures: the committed companies, loaded once per test session; and the maintainers' tests,
which need the seed articles that live beside the repository, not in it."""

from __future__ import annotations

import os
import socket
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from smarketing import load_company
from smarketing.datasets import Company

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"
# The two seed articles the course is built from: beside the repository in a maintainer's checkout and in
# CI (.ci/run points here from its fresh clone), absent from a learner's plain clone.
SEEDS = Path(os.environ.get("SMARKETING_SEEDS") or ROOT.parent / "shared" / "seeds")


def pytest_configure(config):
    config.addinivalue_line("markers", "maintainers: needs the seed articles beside the repository "
                                       "(../shared/seeds or SMARKETING_SEEDS); skipped, with the reason, elsewhere")
    config.addinivalue_line("markers", "sandbox: grades in the bubblewrap sandbox; skipped, with the reason, on a "
                                       "machine without one")


def pytest_collection_modifyitems(config, items):
    skips = {}
    if not SEEDS.is_dir() and os.environ.get("SMARKETING_REQUIRE_SEEDS") != "1":  # CI: fail, never skip
        skips["maintainers"] = pytest.mark.skip(reason=f"maintainers' test: the seed articles are not at {SEEDS} (they "
                                                       "live beside the repository, not in it; set SMARKETING_SEEDS)")
    if any("sandbox" in item.keywords for item in items) and os.environ.get("SMARKETING_REQUIRE_SANDBOX") != "1":
        from smarketing.grading import sandbox

        if not sandbox.available():
            skips["sandbox"] = pytest.mark.skip(reason="no bubblewrap sandbox on this machine (Debian/Ubuntu: "
                                                       "apt-get install bubblewrap), so grading cannot run here")
    for item in items:
        for marker, skip in skips.items():
            if marker in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def companies() -> dict[str, Company]:
    return {name: load_company(DATASETS / name) for name in ("lumen", "ferro", "bloom")}


def moved_in_time(company, years: int):
    """The company with every moment moved ``years`` later, as an export of another period would be."""
    tables = {}
    for name, frame in company.tables.items():
        frame = frame.copy()
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column] + pd.DateOffset(years=years)
        tables[name] = frame
    params = {k: v for k, v in company.params.items() if k != "period"}  # as an import: no generator period
    return replace(company, name=f"{company.name}+{years}", tables=tables, params=params)
