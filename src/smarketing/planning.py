"""Sales planning: what a team can sell in a quarter (quota capacity, with the ramp of new reps), how many reps a
target needs, and how the work and the results split across territories (regions).

A new rep does not sell a full quota from the first day: companies plan a **ramp**, a time over which a new
hire's expected share of quota climbs to one. The course takes the simplest shape, a straight line from 0 on
the first day to 1 after ``ramp_days`` (:func:`ramp_factor`); the length is each company's own assumption, to be
measured on its own hires' bookings, not a law. A quarter's **capacity** is then the quota each rep on board can
be expected to carry, day by day (:func:`capacity`), and the gap to a target says how many reps to hire
(:func:`reps_needed`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from smarketing.messages import _

DEFAULT_RAMP_DAYS = 180  # an assumption to vary, not a measured figure (see the module docstring)


def ramp_factor(days_on_board: np.ndarray | pd.Series | float, ramp_days: float = DEFAULT_RAMP_DAYS) -> np.ndarray:
    """The share of a full quota expected of a rep ``days_on_board`` days after their first day: 0 before it, then
    a straight line to 1 at ``ramp_days`` (0 ramp days: a full quota from the first day)."""
    if ramp_days < 0:
        raise ValueError(_("ramp_days is {days}; give the days a new rep takes to reach a full quota (0 or more).",
                           days=ramp_days))
    days = np.asarray(days_on_board, dtype=float)
    if ramp_days == 0:
        return np.where(days >= 0, 1.0, 0.0)
    return np.clip(days / ramp_days, 0.0, 1.0)


def _quarter(quarter: str | pd.Period) -> pd.Period:
    try:
        return pd.Period(quarter, freq="Q")
    except ValueError as error:
        raise ValueError(_("'{quarter}' is not a quarter; write it like '2025Q3'.", quarter=quarter)) from error


def capacity(employees: pd.DataFrame, quarter: str | pd.Period, ramp_days: float = DEFAULT_RAMP_DAYS) -> pd.DataFrame:
    """The quota capacity of each rep with a quota (``employees.quarterly_quota``) for ``quarter``: their quota ×
    the average, over the quarter's days, of :func:`ramp_factor` (0 on the days before they were hired). Columns
    employee_id, region, hire_date, quota, ramp (that average) and capacity, one row per rep hired by the quarter's
    end; ``capacity.sum()`` is the team's."""
    period = _quarter(quarter)
    reps = employees[employees["quarterly_quota"].notna() & (employees["hire_date"] <= period.end_time)]
    days = pd.date_range(period.start_time, period.end_time.normalize(), freq="D").to_numpy()
    on_board = (days[None, :] - reps["hire_date"].to_numpy()[:, None]) / np.timedelta64(1, "D")
    ramp = ramp_factor(on_board, ramp_days).mean(axis=1)  # 0 on the days before a rep's first
    quota = reps["quarterly_quota"].to_numpy(dtype=float)
    return pd.DataFrame({"employee_id": reps["employee_id"].to_numpy(), "region": reps["region"].astype(str).to_numpy(),
                         "hire_date": reps["hire_date"].to_numpy(), "quota": quota, "ramp": ramp,
                         "capacity": quota * ramp})


def reps_needed(target: float, quota_per_rep: float, expected_attainment: float = 1.0,
                capacity_today: float = 0.0) -> int:
    """How many fully ramped reps to add so that the team's expected bookings reach ``target``: the gap between the
    target and what today's team is expected to book (its quota ``capacity_today`` × ``expected_attainment``, the
    share of quota reps really reach) ÷ what one more rep is expected to book (``quota_per_rep`` ×
    ``expected_attainment``), rounded up. 0 when today's team already covers the target."""
    if quota_per_rep <= 0 or not 0 < expected_attainment <= 10:
        raise ValueError(_("a rep must be expected to book something: quota_per_rep is {quota} and "
                           "expected_attainment {attainment} (a share, such as 0.8 for 80 %).",
                           quota=quota_per_rep, attainment=expected_attainment))
    gap = max(float(target) - float(capacity_today) * float(expected_attainment), 0.0)
    return math.ceil(round(gap / (quota_per_rep * expected_attainment), 9))


def territories(leads: pd.DataFrame, opportunities: pd.DataFrame, employees: pd.DataFrame,
                quarter: str | pd.Period, ramp_days: float = DEFAULT_RAMP_DAYS) -> pd.DataFrame:
    """Each region in ``quarter``: the reps with a quota on board by its end, their capacity (:func:`capacity`), the
    MQLs the region's leads produced, the deals its leads opened and the bookings they won, and each region's share
    of the MQLs, of the capacity and of the bookings. A territory plan is balanced when the shares of capacity
    follow the shares of demand (MQLs); a region whose bookings share is far above its capacity share is
    under-staffed, one far below is over-staffed or short of demand."""
    period = _quarter(quarter)
    start, end = period.start_time, (period + 1).start_time
    region = leads.set_index("lead_id")["region"].astype(str)
    mqls = leads.loc[leads["mql_at"].between(start, end, inclusive="left"), "region"].astype(str).value_counts()
    deal_region = opportunities["lead_id"].map(region)
    opened = opportunities["created_at"].between(start, end, inclusive="left")
    won = (opportunities["outcome"].astype(str) == "won") & opportunities["closed_at"].between(start, end,
                                                                                                inclusive="left")
    team = capacity(employees, period, ramp_days)
    regions = sorted(set(region) | set(team["region"]))
    table = pd.DataFrame({
        "reps": team.groupby("region")["employee_id"].count(),
        "capacity": team.groupby("region")["capacity"].sum(),
        "mqls": mqls,
        "deals_opened": deal_region[opened].value_counts(),
        "bookings": opportunities.loc[won, "amount"].groupby(deal_region[won]).sum(),
    }).reindex(regions).fillna(0.0).rename_axis("region")
    for column in ("mqls", "capacity", "bookings"):
        total = table[column].sum()
        table[f"share_of_{column}"] = table[column] / total if total else np.nan
    return table.astype({"reps": int, "mqls": int, "deals_opened": int})
