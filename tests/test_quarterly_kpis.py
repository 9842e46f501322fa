"""The KPI dashboard's table: each figure is the course formula applied to the quarter's rows."""

from __future__ import annotations

import pandas as pd
import pytest

from smarketing import dashboard, kpis


@pytest.fixture(scope="module")
def lumen_kpis(companies):
    return dashboard.quarterly_kpis(companies["lumen"]).set_index(["quarter", "kpi"])


def _in(series: pd.Series, quarter: str) -> pd.Series:
    start = pd.Period(quarter, freq="Q").start_time
    return (series >= start) & (series < start + pd.offsets.QuarterBegin(startingMonth=1))


def test_marketing_kpis_recount(companies, lumen_kpis):
    leads, campaigns = companies["lumen"].leads, companies["lumen"].campaigns
    created = _in(leads["created_at"], "2024Q3")
    spend = campaigns.loc[_in(campaigns["start_date"], "2024Q3"), "spend"].sum()
    assert lumen_kpis.loc[("2024Q3", "leads"), "value"] == created.sum()
    assert lumen_kpis.loc[("2024Q3", "cost_per_lead"), "value"] == pytest.approx(kpis.cost_per_lead(spend, created.sum()))
    assert lumen_kpis.loc[("2024Q3", "mqls"), "value"] == _in(leads["mql_at"], "2024Q3").sum()


def test_sales_kpis_recount(companies, lumen_kpis):
    opps = companies["lumen"].opportunities
    closed = opps[_in(opps["closed_at"], "2025Q2")]
    won, lost = (closed["outcome"] == "won").sum(), (closed["outcome"] == "lost").sum()
    assert lumen_kpis.loc[("2025Q2", "win_rate"), "value"] == pytest.approx(kpis.win_rate(won, lost))
    assert lumen_kpis.loc[("2025Q2", "bookings"), "value"] == pytest.approx(closed.loc[closed["outcome"] == "won",
                                                                                        "amount"].sum())
    assert lumen_kpis.loc[("2025Q2", "bookings"), "target"] > 0  # lumen sets a bookings target


def test_operations_and_shared_kpis_recount(companies, lumen_kpis):
    tickets = companies["lumen"].support_tickets
    opened = tickets[_in(tickets["opened_at"], "2025Q1")]
    assert lumen_kpis.loc[("2025Q1", "cost_per_ticket"), "value"] == pytest.approx(opened["cost"].mean())
    leads = companies["lumen"].leads
    mqls = leads[_in(leads["mql_at"], "2025Q1")]
    leaked = (~(mqls["first_response_minutes"] <= 1440)).sum()
    assert lumen_kpis.loc[("2025Q1", "lead_leakage_rate"), "value"] == pytest.approx(leaked / len(mqls))


def test_bloom_has_order_kpis_and_lumen_does_not(companies, lumen_kpis):
    bloom = dashboard.quarterly_kpis(companies["bloom"])
    assert {"on_time_delivery", "perfect_order_rate"} <= set(bloom["kpi"])
    assert "on_time_delivery" not in set(lumen_kpis.index.get_level_values("kpi"))
    assert bloom["value"].between(0, 1).where(bloom["unit"] == "share", True).all()


def test_quarter_index_outside_the_data():
    moments = pd.Series(pd.to_datetime(["2023-12-31", "2024-01-01", "2025-12-31", None]))
    assert dashboard.quarter_index(moments).tolist() == [-1, 0, 7, -1]
    assert dashboard.QUARTER_STARTS[4] == pd.Timestamp("2025-01-01") and dashboard.QUARTERS[4] == "2025Q1"
