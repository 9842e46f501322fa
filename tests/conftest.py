"""Shared fixtures: the committed companies, loaded once per test session."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from smarketing import load_company
from smarketing.datasets import Company

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"


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
