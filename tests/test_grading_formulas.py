"""The formulas the exercises grade against, now in the domain modules: funnel.months_of_data and
capacity_threshold, careers.role_exit_share, roles.company_excess_hours. Each is checked against a
computation by hand and against the course's other code that uses the same idea (the threshold widget,
roles.compare_misplaced_work); the exercises must call them rather than keep copies."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pandas as pd
import pytest

from smarketing import careers, exercises, funnel, roles

# ---- funnel -------------------------------------------------------------------------------------------

def test_months_of_data_counts_calendar_months_from_the_first_lead_to_the_last():
    leads = pd.DataFrame({"created_at": pd.to_datetime(["2024-01-31 23:00", "2024-03-01 08:00", "2024-03-20 12:00"])})
    assert funnel.months_of_data(leads) == 3  # February had no lead, but the reps worked through it
    assert funnel.months_of_data(leads.iloc[[0]]) == 1
    assert funnel.months_of_data(leads.iloc[:0]) == 0
    assert funnel.months_of_data(pd.DataFrame({"created_at": pd.to_datetime(["2024-12-01", "2025-01-01"])})) == 2
    with pytest.raises(ValueError, match="created_at"):
        funnel.months_of_data(pd.DataFrame({"score": [1]}))


@pytest.mark.parametrize("name", ["lumen", "ferro", "bloom"])
def test_months_of_data_agree_with_the_threshold_widget(companies, name):
    from smarketing.widgets import ThresholdExplorer

    company = companies[name]
    assert funnel.months_of_data(company.leads) == ThresholdExplorer(company).months == 24


def _lowest_by_hand(leads: pd.DataFrame, capacity: float, months: int) -> int:
    score = leads["score"].astype(float)
    return min(t for t in range(101) if (score >= t).sum() / months <= capacity)


def test_capacity_threshold(companies):
    ferro = companies["ferro"]
    assert funnel.capacity_threshold(ferro.leads, ferro.opportunities, 150) == 52 == _lowest_by_hand(ferro.leads,
                                                                                                     150, 24)
    # the months come from the data: ferro's first year alone is 12 months, not 24
    first_year = ferro.leads[ferro.leads["created_at"] < "2025-01-01"]
    assert funnel.capacity_threshold(first_year, ferro.opportunities, 150) == _lowest_by_hand(first_year, 150, 12)
    assert funnel.capacity_threshold(first_year, ferro.opportunities, 150) != _lowest_by_hand(first_year, 150, 24)
    assert funnel.capacity_threshold(first_year, ferro.opportunities, 150, months=24) == _lowest_by_hand(
        first_year, 150, 24)
    # "within capacity" includes a month of exactly the capacity
    per_month = (ferro.leads["score"].astype(float) >= 44).sum() / 24
    assert per_month == 194 and (ferro.leads["score"].astype(float) >= 43).sum() / 24 > 194
    assert funnel.capacity_threshold(ferro.leads, ferro.opportunities, 194) == 44
    assert funnel.capacity_threshold(ferro.leads, ferro.opportunities, 10_000) == 0
    with pytest.raises(ValueError, match="even at a threshold of 100"):
        funnel.capacity_threshold(ferro.leads, ferro.opportunities, 1)
    with pytest.raises(ValueError, match="no months"):
        funnel.capacity_threshold(ferro.leads.iloc[:0], ferro.opportunities, 150)


# ---- careers ------------------------------------------------------------------------------------------

def _function_of(title: str) -> str:
    return careers.role_function()[title]


def test_role_exit_share(companies):
    moves = careers.stack_companies(companies, "career_moves")
    out = moves[moves["from_role"] == "Sales Rep"]
    by_hand = float((out["to_role"].astype(str).map(_function_of) != "sales").mean())
    assert careers.role_exit_share(moves, "Sales Rep") == pytest.approx(by_hand) and 0.1 < by_hand < 0.5
    assert careers.role_exit_share(moves, "Operations Manager") == 0  # to Product Manager: still operations
    assert math.isnan(careers.role_exit_share(moves, "VP Sales"))  # nobody left it
    assert math.isnan(careers.role_exit_share(moves.iloc[:0], "Sales Rep"))
    tiny = pd.DataFrame({"from_role": ["Sales Rep"] * 4, "to_role": ["Sales Supervisor", "Marketing Associate",
                                                                       "Sales Supervisor", "Product Manager"]})
    assert careers.role_exit_share(tiny, "Sales Rep") == 0.5


# ---- roles --------------------------------------------------------------------------------------------

def test_company_excess_hours_is_compare_misplaced_work_times_the_headcount(companies):
    ferro, lumen = companies["ferro"], companies["lumen"]
    table = roles.company_excess_hours(ferro.activities, ferro.employees, lumen.activities, lumen.employees)
    assert list(table.columns) == ["function", "activity", "owner", "excess_hours", "people", "company_excess_hours"]
    assert table["company_excess_hours"].is_monotonic_decreasing
    assert (table["function"] != table["owner"]).all()
    compared = roles.compare_misplaced_work(ferro.activities, ferro.employees, lumen.activities, lumen.employees,
                                            top=100)
    both = table.merge(compared, on=["function", "activity", "owner"], suffixes=("", "_shown"))
    assert len(both) == len(table) == len(compared)
    assert np.allclose(both["excess_hours"].round(1), both["excess_hours_shown"], atol=1e-9)  # the same, unrounded
    heads = ferro.employees["function"].astype(str).value_counts()
    assert (table["people"] == table["function"].map(heads)).all()
    assert np.allclose(table["company_excess_hours"], table["excess_hours"] * table["people"])
    # by hand, for the block module 01 ends on: the reps writing their own content
    week = ferro.activities["week"].nunique()
    sales = ferro.employees.loc[ferro.employees["function"] == "sales", "employee_id"]
    mine = ferro.activities[(ferro.activities["activity"] == "create content")
                            & ferro.activities["employee_id"].isin(sales)]["hours"].sum() / (len(sales) * week)
    lumen_sales = lumen.employees.loc[lumen.employees["function"] == "sales", "employee_id"]
    theirs = lumen.activities[(lumen.activities["activity"] == "create content")
                              & lumen.activities["employee_id"].isin(lumen_sales)]["hours"].sum() / (
        len(lumen_sales) * lumen.activities["week"].nunique())
    top = table.iloc[0]
    assert (top["function"], top["activity"]) == ("sales", "create content")
    assert top["company_excess_hours"] == pytest.approx((mine - theirs) * len(sales))
    # the exercise's answer is the same whether one multiplies the rounded or the unrounded excess
    compared["company"] = compared["excess_hours"] * compared["function"].map(heads)
    assert compared.loc[compared["company"].idxmax(), "activity"] == top["activity"]


def test_the_exercises_use_the_domain_formulas_and_keep_no_copies():
    source = inspect.getsource(exercises)
    for copy in ("MONTHS_OF_DATA", "def role_exit_share", "def capacity_threshold", "/ 24"):
        assert copy not in source, copy
    for call in ("funnel.capacity_threshold(", "funnel.months_of_data(", "careers.role_exit_share(",
                 "roles.company_excess_hours("):
        assert call in source, call
    assert exercises.ferro_threshold() == 52
    assert exercises.company_excess_hours().idxmax() == "sales: create content"
