"""The KPI dashboard's table: each figure is the course formula applied to the quarter's rows."""

from __future__ import annotations

import pandas as pd
import pytest

from smarketing import alignment, charts, dashboard, kpis, load_company
from smarketing.labels import spec_nodes
from tests.conftest import moved_in_time
from tests.datasets.crm.exports import partial_imports


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


def test_a_company_of_another_period_gets_its_own_quarters(companies, lumen_kpis):
    later = moved_in_time(companies["lumen"], 3)
    assert later.quarters.labels[0] == "2027Q1" and len(later.quarters) >= 8
    moved = dashboard.quarterly_kpis(later).set_index(["quarter", "kpi"])
    for kpi in ("leads", "mqls", "bookings", "tickets"):
        assert moved.loc[("2027Q3", kpi), "value"] == lumen_kpis.loc[("2024Q3", kpi), "value"] > 0


def test_the_dashboard_leaves_unmeasured_kpis_blank(companies, tmp_path_factory):
    """A company imported from a CRM export whose deals none is won yet: its spend of 0 and its missing
    tickets and churn show as blanks, never as measured zeros."""
    nothing_won = partial_imports(companies["lumen"], tmp_path_factory.mktemp("partial"))["nothing_won"]
    table = dashboard.quarterly_kpis(load_company(nothing_won)).set_index(["quarter", "kpi"])["value"]
    first = table.index[0][0]
    assert table.loc[(first, "leads")] > 0
    for kpi in ("marketing_spend", "cost_per_lead", "customer_acquisition_cost", "tickets", "churn_rate"):
        assert pd.isna(table.loc[(first, kpi)]), kpi


# ---- module 02's whole-period views ------------------------------------------------------------------

def _orders(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "day", "late", "returned"])
    ordered = pd.Timestamp("2025-01-01 10:00") + pd.to_timedelta(frame["day"], unit="D")
    promised = ordered.dt.normalize() + pd.Timedelta(days=4)
    delivered = promised + pd.to_timedelta(frame["late"].map({True: 30, False: -30}), unit="h")
    return pd.DataFrame({"customer_id": frame["customer_id"], "ordered_at": ordered, "promised_by": promised,
                         "delivered_at": delivered, "returned": frame["returned"]})


def test_delivery_effects_by_hand():
    orders = _orders([("U3", 50, False, True), ("U1", 1, False, False), ("U2", 2, True, False),
                      ("U1", 10, True, True), ("U3", 5, False, False), ("U1", 300, False, False)])
    effects = dashboard.delivery_effects(orders, follow_up_days=180)
    # Orders placed by day 120 have 180 days of follow-up. On time: U1 day 1 (ordered again), U3 day 5
    # (again), U3 day 50 (not again); U1 day 300 is too recent to count. Late: U1 day 10 (again), U2 day 2 (not).
    on_time, late = effects.loc["on_time"], effects.loc["late"]
    assert (on_time["orders"], on_time["followed_up"], late["orders"], late["followed_up"]) == (4, 3, 2, 2)
    assert on_time["share_of_orders"] == pytest.approx(4 / 6)
    assert on_time["repeat_rate"] == pytest.approx(2 / 3) and late["repeat_rate"] == pytest.approx(1 / 2)
    assert on_time["returned_rate"] == pytest.approx(1 / 4) and late["returned_rate"] == pytest.approx(1 / 2)


def test_delivery_effects_without_orders_and_with_a_missing_column(companies):
    effects = dashboard.delivery_effects(companies["lumen"].orders)
    assert effects["orders"].tolist() == [0, 0] and effects["repeat_rate"].isna().all()
    with pytest.raises(ValueError, match="orders table is missing column\\(s\\) promised_by"):
        dashboard.delivery_effects(_orders([("U1", 1, False, False)]).drop(columns="promised_by"))


def test_bloom_repeat_rates_recover_the_generator(companies):
    effects = dashboard.delivery_effects(companies["bloom"].orders)
    params = companies["bloom"].params
    assert effects.loc["on_time", "repeat_rate"] == pytest.approx(params["repeat_rate_on_time"], abs=0.03)
    assert effects.loc["late", "repeat_rate"] == pytest.approx(params["repeat_rate_late"], abs=0.03)


def _accounts():
    return pd.DataFrame({
        "start_date": pd.to_datetime(["2024-01-01", "2024-06-01", "2024-03-01", "2025-02-01"]),
        "starting_mrr": [100.0, 200.0, 50.0, 80.0],
        "current_mrr": [120.0, 150.0, 0.0, 80.0],
        # a year before the end: the third was still a customer, the fourth not yet (won during the year)
        "mrr_12_months_ago": [110.0, 210.0, 50.0, float("nan")],
        "churned_at": pd.to_datetime([None, None, "2024-09-01", None]),
    })


def test_revenue_retention_is_over_the_trailing_twelve_months():
    cohort = dashboard.revenue_retention(_accounts())
    # the three customers of a year ago paid 370; expansion 10 (110 -> 120), contraction 60 (210 -> 150),
    # churned 50; the customer won during the year (80) is new revenue, not retained revenue
    assert cohort[["accounts", "start_mrr", "expansion", "contraction", "churned"]].tolist() == [3, 370, 10, 60, 50]
    assert cohort["net_revenue_retention"] == pytest.approx((370 + 10 - 60 - 50) / 370)
    assert cohort["gross_revenue_retention"] == pytest.approx((370 - 60 - 50) / 370)


def test_monthly_churn_rate_by_hand():
    accounts = _accounts().iloc[:3]
    # 365 + 213 days stayed to the end of 2024-12-31, 184 days before churning: 1 lost in 762 / 30.44 months
    assert dashboard.monthly_churn_rate(accounts, "2024-12-31") == pytest.approx(1 / (762 / 30.44))


def test_unit_economics_rederived(companies):
    lumen = companies["lumen"]
    table = dashboard.unit_economics(lumen, gross_margin=0.8)["value"]
    revenue = lumen.accounts["starting_mrr"].mean()
    churn = dashboard.monthly_churn_rate(lumen.accounts, "2025-12-31")
    assert table["customer_acquisition_cost"] == pytest.approx(alignment.company_metrics(lumen)["cac"])
    assert table["lifetime_value"] == pytest.approx(revenue * 0.8 / churn, rel=0.01)
    assert table["cac_payback_months"] == pytest.approx(table["customer_acquisition_cost"] / (revenue * 0.8))
    assert table["ltv_to_cac"] == pytest.approx(table["lifetime_value"] / table["customer_acquisition_cost"])
    spend_only = dashboard.unit_economics(lumen, 0.8, loaded_cost_per_head=0)["value"]
    won = (lumen.opportunities["outcome"] == "won").sum()
    assert spend_only["customer_acquisition_cost"] == pytest.approx(lumen.campaigns["spend"].sum() / won)


def test_scorecard_rederived(companies):
    table = dashboard.scorecard(companies).droplevel("unit")
    assert list(table.columns) == ["lumen", "ferro", "bloom"] and len(table) <= 16
    opps = companies["lumen"].opportunities
    won, lost = (opps["outcome"] == "won").sum(), (opps["outcome"] == "lost").sum()
    assert table.loc[("sales", "win_rate"), "lumen"] == pytest.approx(won / (won + lost))
    ferro = companies["ferro"]
    bookings = ferro.opportunities.loc[ferro.opportunities["outcome"] == "won", "amount"].sum()
    quota = ferro.employees["quarterly_quota"].sum()
    assert table.loc[("sales", "quota_attainment"), "ferro"] == pytest.approx(bookings / (8 * quota))
    bloom = companies["bloom"].opportunities
    assert table.loc[("sales", "pipeline_coverage"), "bloom"] == pytest.approx(
        bloom.loc[bloom["outcome"] == "open", "amount"].sum() / companies["bloom"].employees["quarterly_quota"].sum())


def test_delivery_effect_chart(companies):
    spec = charts.delivery_effect_chart(dashboard.delivery_effects(companies["bloom"].orders)).to_dict()
    assert spec["title"] == "What a late delivery costs"
    bars = next(n["encoding"] for n in spec_nodes(spec) if "tooltip" in n.get("encoding", {}))  # under the names
    assert bars["y"]["axis"]["format"] == "%" and "tooltip" in bars
    assert len(next(iter(spec["datasets"].values()))) == 4


@pytest.mark.parametrize(("value", "shown"), [
    (13_009_100.0, "13,009,100"), (905.0, "905"), (0.28721, "0.287"), (74.6222, "74.622"), (-54.5454, "-54.545"),
    (1_234.56, "1,235"), (0.0, "0"), (float("nan"), "nan"),
])
def test_number_format(value, shown):
    assert dashboard.number_format(value) == shown
