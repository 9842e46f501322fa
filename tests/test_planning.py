"""Sales planning (smarketing.planning): ramp, capacity, reps needed and territories, on hand-computed cases."""

import math

import numpy as np
import pandas as pd
import pytest

from smarketing import planning


def test_ramp_is_a_straight_line_from_the_first_day_to_a_full_quota():
    assert planning.ramp_factor([-5, 0, 45, 90, 180, 400], ramp_days=90).tolist() == [0, 0, 0.5, 1, 1, 1]
    assert planning.ramp_factor([-1, 0, 10], ramp_days=0).tolist() == [0, 1, 1]  # no ramp: full from day one
    with pytest.raises(ValueError, match="0 or more"):
        planning.ramp_factor(10, ramp_days=-1)


def _team() -> pd.DataFrame:
    return pd.DataFrame({
        "employee_id": ["E1", "E2", "E3", "E4", "M1"],
        "region": ["north", "north", "south", "south", "north"],
        "hire_date": pd.to_datetime(["2023-01-01", "2025-01-01", "2025-02-15", "2025-06-01", "2020-01-01"]),
        "quarterly_quota": [100.0, 100.0, 90.0, 100.0, np.nan],  # M1, the manager, carries no quota
    })


def test_capacity_ramps_new_reps_and_counts_only_days_on_board():
    # 2025Q1 has 90 days (Jan 31 + Feb 28 + Mar 31). E1 is ramped: 100. E2 starts on day 0 with a 90-day ramp:
    # factors 0/90 … 89/90, mean 89/180. E3 starts on Feb 15, day 45: factors 0/90 … 44/90 on 45 days, mean over
    # the 90 days (44 × 45 / 2) / 90 / 90. E4, hired after the quarter, is not in it; M1 has no quota.
    table = planning.capacity(_team(), "2025Q1", ramp_days=90).set_index("employee_id")
    assert list(table.index) == ["E1", "E2", "E3"]
    assert table.loc["E1", "capacity"] == pytest.approx(100)
    assert table.loc["E2", "ramp"] == pytest.approx(89 / 180)
    assert table.loc["E3", "capacity"] == pytest.approx(90 * (44 * 45 / 2) / 90 / 90)
    no_ramp = planning.capacity(_team(), "2025Q1", ramp_days=0).set_index("employee_id")
    assert no_ramp["capacity"].tolist() == pytest.approx([100, 100, 90 * 45 / 90])


def test_a_quarter_written_wrong_says_how_to_write_it():
    with pytest.raises(ValueError, match="like '2025Q3'"):
        planning.capacity(_team(), "third quarter")


def test_reps_needed_rounds_up_the_gap_over_what_one_rep_books():
    # target 1,000; today's team carries 400 of quota at 80 % attainment: 320 expected; gap 680 ÷ (100 × 0.8) = 8.5
    assert planning.reps_needed(1000, 100, 0.8, capacity_today=400) == 9
    assert planning.reps_needed(800, 100, 1.0) == 8  # exactly 8: no extra rep for a rounding error
    assert planning.reps_needed(300, 100, 0.5, capacity_today=1000) == 0
    with pytest.raises(ValueError, match="expected to book"):
        planning.reps_needed(100, 0)


def test_territories_compare_demand_capacity_and_bookings_by_region():
    leads = pd.DataFrame({"lead_id": ["L1", "L2", "L3", "L4"], "region": ["north", "north", "south", "south"],
                          "mql_at": pd.to_datetime(["2025-01-05", "2025-02-01", "2025-03-01", "2024-12-01"])})
    opportunities = pd.DataFrame({
        "lead_id": ["L1", "L3", "L4"], "created_at": pd.to_datetime(["2025-01-10", "2025-03-05", "2024-12-05"]),
        "closed_at": pd.to_datetime(["2025-03-01", "2025-03-20", "2025-01-15"]), "outcome": ["won", "lost", "won"],
        "amount": [50.0, 70.0, 30.0]})
    table = planning.territories(leads, opportunities, _team(), "2025Q1", ramp_days=0)
    assert table.loc["north", ["reps", "mqls", "deals_opened"]].tolist() == [2, 2, 1]
    assert table.loc["south", ["reps", "mqls", "deals_opened"]].tolist() == [1, 1, 1]  # L4 became an MQL in 2024
    assert table["bookings"].tolist() == [50.0, 30.0]  # L4's deal opened in 2024 and was won in the quarter
    assert table["share_of_capacity"].tolist() == pytest.approx([200 / 245, 45 / 245])
    assert table["share_of_mqls"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert math.isclose(table["share_of_bookings"].sum(), 1)
