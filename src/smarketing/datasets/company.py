"""What a company is once loaded: its tables, its true parameters when known, and the quarters its data covers.

Every other room of :mod:`smarketing.datasets` builds on this one and this one on none of them, so the
course period (``START``, ``END``) and the names of the course companies live here too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from smarketing import schema
from smarketing.messages import _

START = np.datetime64("2024-01-01T00:00", "s")
END = np.datetime64("2026-01-01T00:00", "s")  # exclusive: the data runs through 2025
# The course companies, in the order the generator seeds them (their profiles: generator.profiles.COMPANIES).
COURSE_COMPANIES = ("lumen", "ferro", "bloom")
# The companies of the graded work, drawn anew for each cohort of learners (generator.cohorts); no course
# notebook analyses them.
GRADED_COMPANIES = ("argo", "vela", "tide")


class DataValidationError(ValueError):
    """Data that does not fit the schema. ``problems`` lists each one with its file, column and lines."""

    def __init__(self, source: str, problems: list[schema.Problem]):
        self.source = source
        self.problems = problems
        lines = [_("The data in {source} has {count} problem(s):", source=source, count=len(problems))]
        lines += [f"  - {p}" for p in problems]
        lines.append(_("Nothing was loaded or changed. Fix the file(s) above and try again; "
                       "datasets/README.md describes every column."))
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Quarters:
    """The calendar quarters that a company's data covers: their labels ("2024Q1"), their first days,
    and the position of any moment among them. The course companies cover 2024–2025; an imported
    company covers whatever its export spans."""

    first: np.datetime64  # the first month of the first quarter, datetime64[M]
    count: int

    @classmethod
    def spanning(cls, start: Any, last: Any) -> Quarters:
        """The quarters from the one holding ``start`` to the one holding ``last`` (both included)."""
        months = np.array([start, last], dtype="datetime64[M]").astype(np.int64)
        first, final = months // 3 * 3
        return cls(first=np.datetime64(int(first), "M"), count=int((final - first) // 3 + 1))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(f"{p.year}Q{p.quarter}" for p in self.starts)

    @property
    def starts(self) -> pd.DatetimeIndex:
        months = self.first + 3 * np.arange(self.count)
        return pd.DatetimeIndex(months.astype("datetime64[ns]"))

    @property
    def months(self) -> int:
        return 3 * self.count

    def __len__(self) -> int:
        return self.count

    def index(self, moments: pd.Series) -> np.ndarray:
        """Position of each moment among the quarters (−1 when missing or outside them).

        In numpy on month numbers: converting a million timestamps to periods would take seconds."""
        months = moments.to_numpy(dtype="datetime64[s]").astype("datetime64[M]")
        index = (months.astype(np.int64) - self.first.astype(np.int64)) // 3
        return np.where(np.isnat(months) | (index < 0) | (index >= self.count), -1, index)

    def totals(self, moments: pd.Series, values: np.ndarray | pd.Series | None = None) -> np.ndarray:
        """Sum of ``values`` (or a count of the moments) in each quarter."""
        index = self.index(moments)
        keep = index >= 0
        weights = None if values is None else np.asarray(values, dtype=float)[keep]
        return np.bincount(index[keep], weights=weights, minlength=self.count)


COURSE_QUARTERS = Quarters.spanning(START, END - np.timedelta64(1, "s"))
QUARTERS = COURSE_QUARTERS.labels  # the quarters of the course companies' data


@dataclass
class Company:
    """A loaded company: one typed DataFrame per table, plus the true parameters when known."""

    name: str
    folder: Path
    tables: dict[str, pd.DataFrame]
    params: dict[str, Any]
    missing: tuple[str, ...] = ()  # optional tables this company does not have

    def __getattr__(self, table: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if table in tables:
            return tables[table]
        raise AttributeError(_("This company has no table '{table}'. Tables: {tables}.", table=table,
                               tables=", ".join(tables)))

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    @property
    def quarters(self) -> Quarters:
        """The quarters the data covers: the generator's period for a course company, else from the
        first lead created to the last lead or deal recorded."""
        period = self.params.get("period")
        if period:
            return Quarters.spanning(period["start"], np.datetime64(period["end_exclusive"]) - np.timedelta64(1, "D"))
        leads = self.tables.get("leads")
        if leads is None or leads["created_at"].isna().all():
            return COURSE_QUARTERS
        moments = [leads["created_at"]]
        if "opportunities" in self.tables:
            moments.append(self.tables["opportunities"]["closed_at"])
        both = pd.concat(moments).dropna()
        return Quarters.spanning(leads["created_at"].min(), both.max())


def overview(companies: list[Company] | dict[str, Company]) -> pd.DataFrame:
    """One row per company: what it is, how big, how its staff splits over the functions, and what
    its funnel produced. A first look before any analysis."""
    rows = []
    for company in companies.values() if isinstance(companies, dict) else companies:
        won = company.opportunities[company.opportunities["outcome"] == "won"]
        staff = company.employees["function"].astype(str).value_counts()
        row = {
            "company": company.name, "kind": company.params.get("kind", ""), "leads": len(company.leads),
            "customers_won": len(won), "bookings": float(won["amount"].sum()), "orders": len(company.orders),
            **{f"staff_{f}": int(staff.get(f, 0)) for f in schema.FUNCTIONS},
        }
        imported = company.params.get("import")
        if imported:  # an export lists sales owners only, and may lack whole tables: no count of 0 for those
            absent = {"leads": "leads", "orders": "orders", "customers_won": "opportunities",
                      "bookings": "opportunities"}
            row |= {key: _("not in your data") for key, table in absent.items() if table in imported.get("missing", [])}
            row |= {f"staff_{f}": _("not in your data") for f in schema.FUNCTIONS if f != "sales"}
        rows.append(row)
    return pd.DataFrame(rows).set_index("company")
