"""Shared fixtures: the committed companies, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from smarketing import load_company
from smarketing.datasets import Company

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"


@pytest.fixture(scope="session")
def companies() -> dict[str, Company]:
    return {name: load_company(DATASETS / name) for name in ("lumen", "ferro", "bloom")}
