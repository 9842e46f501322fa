"""Module 05's functions: the SLA plan, closed-loop reporting and the fair comparison of companies."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from smarketing import alignment, funnel, kpis
from smarketing.datasets import COMPANIES, simulate_company

RATES = {"mql": 0.25, "sal": 0.8, "sql": 0.5, "opportunity": 0.5, "won": 0.25}


def test_sla_plan_by_hand():
    # 1 000 000 / 50 000 = 20 won -> 80 opps -> 160 SQL -> 320 SAL -> 400 MQL over 10 weeks, 5 reps
    plan = alignment.sla_plan(1_000_000, 50_000, RATES, weeks=10, reps=5, attempts_per_mql=4)
    assert plan.needed("mql") == 400 and plan.mqls_per_week == 40
    assert plan.follow_ups_per_rep_week == pytest.approx(400 * 4 / (10 * 5))
    table = plan.commitments().set_index("commitment")
    assert table.loc["marketing-qualified leads delivered", "per_week"] == 40
    assert table["owner"].tolist().count("marketing") == 1
    with pytest.raises(ValueError, match="reps must be a whole number of at least 1"):
        alignment.sla_plan(1_000, 100, RATES, reps=0)


def test_closed_loop_report_by_hand():
    t = pd.Timestamp("2025-01-01")
    leads = pd.DataFrame({"lead_id": ["L1", "L2", "L3", "L4"], "channel": ["email", "email", "events", "events"],
                          "mql_at": [t, t, t, pd.NaT], "sql_at": [t, pd.NaT, pd.NaT, pd.NaT]})
    opportunities = pd.DataFrame({"lead_id": ["L1"], "outcome": ["won"], "amount": [30_000.0]})
    campaigns = pd.DataFrame({"channel": ["email", "events"], "spend": [1_000.0, 8_000.0]})
    report = alignment.closed_loop_report(leads, opportunities, campaigns).set_index("channel")
    assert report.loc["email", "mql_to_sql_rate"] == 0.5 and report.loc["events", "mql_rate"] == 0.5
    assert report.loc["email", "revenue_per_lead"] == 15_000 and report.loc["events", "cost_per_lead"] == 4_000
    assert report.loc["email", "roas"] == pytest.approx(kpis.roas(30_000, 1_000))
    assert "romi" not in report  # no margin, no return: ROAS is revenue, not profit
    assert report.index[0] == "email"  # best revenue per lead first
    with_margin = alignment.closed_loop_report(leads, opportunities, campaigns, gross_margin=0.5).set_index("channel")
    assert with_margin.loc["email", "romi"] == pytest.approx((30_000 * 0.5 - 1_000) / 1_000)
    assert with_margin.loc["events", "romi"] == -1.0  # no revenue: the whole spend is lost


def test_company_metrics_use_the_course_formulas(companies):
    lumen = companies["lumen"]
    metrics = alignment.company_metrics(lumen, loaded_cost_per_head=0)
    won = int((lumen.opportunities["outcome"] == "won").sum())
    assert metrics["cac"] == pytest.approx(lumen.campaigns["spend"].sum() / won)
    assert metrics["lead_to_customer_rate"] == funnel.lead_to_customer_rate(lumen.leads, lumen.opportunities)
    table = alignment.claim_table(lumen, companies["ferro"]).set_index("metric")
    assert table.loc["cac", "claimed_difference"] == -0.32
    assert table.loc["cac", "observed_difference"] == pytest.approx(table.loc["cac", "lumen"] / table.loc["cac", "ferro"] - 1)


def test_standardization_removes_the_segment_mix():
    # Two companies with the same segment rates but opposite mixes: naive rates differ, adjusted agree.
    ferro = simulate_company("ferro", "ferro", size=6000)
    same_but_lumen_mix = simulate_company("ferro", "ferro, lumen's mix", size=6000,
                                          segment_mix=COMPANIES["lumen"].segment_mix)
    table = alignment.standardized_conversion([ferro, same_but_lumen_mix]).set_index("company")
    naive_gap = table.loc["ferro, lumen's mix", "naive_rate"] / table.loc["ferro", "naive_rate"]
    adjusted_gap = table.loc["ferro, lumen's mix", "adjusted_rate"] / table.loc["ferro", "adjusted_rate"]
    assert naive_gap > 1.3  # the mix alone makes the copy look 30 %+ better
    assert abs(adjusted_gap - 1) < 0.15  # once the mix is equal, the gap is sampling noise


def test_aligned_copy_converts_better_within_segments():
    # Same market, only the alignment parameters changed: the adjusted rate rises (the causal effect).
    aligned = {k: getattr(COMPANIES["lumen"], k) for k in ("alignment", "never_contacted_share",
                                                           "response_median_minutes", "sal_acceptance",
                                                           "handoff_multiplier")}
    table = alignment.standardized_conversion([simulate_company("ferro", "ferro", size=6000),
                                               simulate_company("ferro", "aligned", size=6000, **aligned)])
    assert table["adjusted_rate"].iloc[1] > 1.5 * table["adjusted_rate"].iloc[0]


def test_reference_mix_is_checked(companies):
    with pytest.raises(ValueError, match="non-negative segment weights"):
        alignment.standardized_conversion(list(companies.values()), reference={"smb": -1, "enterprise": 1})
    by_segment = alignment.conversion_by_segment([companies["bloom"]])
    assert by_segment["share_of_leads"].sum() == pytest.approx(1.0)
    assert not any(math.isnan(r) for r in by_segment["mql_to_sql_rate"])


# ---- module 05: the practices made concrete, on hand-made companies ------------------------------

T = pd.Timestamp("2025-01-06 09:00")
NaT = pd.NaT


def _company(name, **tables):
    from pathlib import Path

    from smarketing.datasets import Company

    return Company(name=name, folder=Path(), tables=tables, params={})


def _leads(mql, sql, minutes, channel=None):
    n = len(mql)
    return pd.DataFrame({"lead_id": [f"L{i}" for i in range(n)], "mql_at": pd.to_datetime(mql),
                         "sql_at": pd.to_datetime(sql), "sal_at": pd.to_datetime(mql),
                         "first_response_minutes": pd.Series(minutes, dtype=float),
                         "channel": channel or ["email"] * n})


def test_incentive_map_finds_shared_targets():
    shared = pd.DataFrame({"quarter": "2025Q1", "function": ["marketing", "marketing", "sales", "sales"],
                           "metric": ["sqls", "mqls", "sqls", "bookings"], "target": 1.0})
    separate = pd.DataFrame({"quarter": "2025Q1", "function": ["sales", "marketing"],
                             "metric": ["bookings", "mqls"], "target": 1.0})
    table = alignment.incentive_map([_company("a", targets=shared), _company("b", targets=separate)])
    assert table.values.tolist() == [
        ["a", "marketing", "mqls, sqls", "sqls"],  # in the schema's order of metrics
        ["a", "sales", "sqls, bookings", "sqls"],
        ["b", "marketing", "mqls", "—"],  # marketing before sales, the schema's order of functions
        ["b", "sales", "bookings", "—"],
    ]


def test_handoff_scorecard_by_hand():
    # 4 leads, 3 MQLs: contacted after 10 min, after 2 days, never; one SQL; one won deal.
    leads = _leads([T, T, T, NaT], [T, NaT, NaT, NaT], [10, 2880, None, None])
    opportunities = pd.DataFrame({"lead_id": ["L0"], "outcome": ["won"], "amount": [1.0]})
    row = alignment.handoff_scorecard([_company("x", leads=leads, opportunities=opportunities)]).loc["x"]
    assert (row["leads"], row["mqls"]) == (4, 3)
    assert row["lead_to_mql_rate"] == 0.75 and row["median_response_minutes"] == (10 + 2880) / 2
    assert row["never_contacted_share"] == pytest.approx(1 / 3)
    assert row["leakage_rate"] == pytest.approx(2 / 3)  # too late + never
    assert row["mql_to_sql_rate"] == pytest.approx(1 / 3) and row["lead_to_customer_rate"] == 0.25


def test_meeting_scorecard_keeps_the_last_months():
    jan, feb, mar = T, T + pd.Timedelta(days=31), T + pd.Timedelta(days=60)
    leads = _leads([jan, feb, feb, mar, NaT], [NaT, feb, NaT, NaT, NaT], [5, 30, 3000, None, None])
    table = alignment.meeting_scorecard(leads, months=2)
    assert table["month"].tolist() == ["2025-02", "2025-03"]
    february = table.iloc[0]
    assert (february["mqls"], february["sqls"]) == (2, 1)
    assert february["contacted_in_sla"] == 0.5 and february["median_response_minutes"] == (30 + 3000) / 2
    assert table.iloc[1]["contacted_in_sla"] == 0 and table.iloc[1]["mql_to_sql_rate"] == 0
    with pytest.raises(ValueError, match="months must be a whole number"):
        alignment.meeting_scorecard(leads, months=0)


def test_lead_journey_joins_automation_and_crm():
    day = pd.Timedelta(days=1)
    leads = pd.DataFrame({"lead_id": ["L1", "L2"], "created_at": [T, T], "segment": ["smb", "smb"], "score": [70, 20],
                          "mql_at": [T + day, NaT], "sal_at": [T + 2 * day, NaT], "sql_at": [T + 3 * day, NaT],
                          "first_response_minutes": [15.0, None]})
    touchpoints = pd.DataFrame({"lead_id": ["L1", "L1", "L2"], "touched_at": [T, T - 5 * day, T],
                                "channel": ["email", "events", "email"], "campaign_id": ["C2", "C1", "C2"],
                                "touch_type": ["email_click", "event_visit", "email_click"]})
    opportunities = pd.DataFrame({"lead_id": ["L1"], "created_at": [T + 4 * day], "amount": [5000.0],
                                  "closed_at": [T + 9 * day], "outcome": ["won"]})
    campaigns = pd.DataFrame({"campaign_id": ["C1", "C2"], "name": ["Expo", "Newsletter"]})
    company = _company("x", leads=leads, touchpoints=touchpoints, opportunities=opportunities, campaigns=campaigns)
    journey = alignment.lead_journey(company, min_touches=2)  # L1: the only won lead with 2 touches
    assert journey["event"].tolist() == ["touch: event_visit", "touch: email_click", "lead created",
                                         "marketing-qualified (MQL)", "accepted by sales (SAL)",
                                         "sales-qualified (SQL)", "opportunity opened", "deal won"]
    assert journey["system"].tolist() == ["marketing automation"] * 4 + ["CRM"] * 4
    assert journey["detail"].iloc[0] == "events, campaign Expo" and journey["when"].is_monotonic_increasing
    assert alignment.lead_journey(company, "L2")["event"].tolist() == ["touch: email_click", "lead created"]
    with pytest.raises(ValueError, match="No won lead has 3 or more touchpoints"):
        alignment.lead_journey(company, min_touches=3)


def test_sla_inputs_rederived(companies):
    lumen = companies["lumen"]
    inputs = alignment.sla_inputs(lumen)
    won = lumen.opportunities[lumen.opportunities["outcome"] == "won"]
    assert inputs["average_deal"] == pytest.approx(won["amount"].mean())
    assert inputs["revenue_target"] == round(1.2 * won["amount"].sum() / 8, -5)
    assert inputs["reps"] == int((lumen.employees["quarterly_quota"] > 0).sum())
    assert inputs["rates"] == funnel.observed_rates(lumen.leads, lumen.opportunities)
    assert alignment.sla_plan(**inputs).needed("won") == math.ceil(inputs["revenue_target"] / inputs["average_deal"])


def test_bookings_by_quarter_by_hand():
    opportunities = pd.DataFrame({"outcome": ["won", "won", "lost", "won"], "amount": [10.0, 5.0, 99.0, 7.0],
                                  "closed_at": pd.to_datetime(["2024-02-01", "2024-03-31", "2024-02-01",
                                                               "2025-12-31"])})
    table = alignment.bookings_by_quarter([_company("x", opportunities=opportunities)])
    assert len(table) == 8 and set(table["company"]) == {"x"}
    values = table.set_index("quarter")["value"]
    assert values["2024Q1"] == 15 and values["2025Q4"] == 7 and values.sum() == 22


def test_gap_decomposition_adds_up():
    def company(sqls):  # ten MQLs, ``sqls`` of them qualified
        return _company(f"c{sqls}", leads=_leads([T] * 10, [T] * sqls + [NaT] * (10 - sqls), [5] * 10))

    table = alignment.gap_decomposition(company(1), company(8), company(2), company(4), company(6)).set_index("part")
    points = table["percentage_points"]
    assert points.tolist() == pytest.approx([10, 30, 10, 20, 70])  # 6 − 2 − 4 + 1 = 1 → 10 points interaction
    assert points.iloc[:4].sum() == pytest.approx(points.iloc[4]) and table["share_of_gap"].iloc[4] == 1


def test_after_the_sale_by_hand():
    accounts = pd.DataFrame({"starting_mrr": [100.0, 100.0, 50.0, 40.0], "current_mrr": [130.0, 80.0, 0.0, 45.0],
                             "mrr_12_months_ago": [120.0, 90.0, 50.0, float("nan")], "churned_at": [NaT, NaT, T, NaT]})
    row = alignment.after_the_sale([_company("x", accounts=accounts)]).loc["x"]
    assert row["customers_won"] == 4 and row["still_customers"] == pytest.approx(3 / 4)
    assert row["starting_mrr"] == 290 and row["current_mrr"] == 255
    # trailing twelve months, customers of a year ago only: (260 + 10 − 10 − 50) ÷ 260
    assert row["net_revenue_retention"] == pytest.approx(210 / 260)
    assert row["gross_revenue_retention"] == pytest.approx(200 / 260)  # (260 − 10 − 50) ÷ 260


def test_gap_chart_is_titled_with_tooltips():
    from smarketing import charts

    table = pd.DataFrame({"part": ["mix", "whole gap"], "percentage_points": [5.0, 10.0], "share_of_gap": [0.5, 1]})
    spec = charts.gap_chart(table).to_dict()
    assert spec["title"] == "Where the conversion gap comes from"
    assert "tooltip" in spec["encoding"] and "points" in spec["encoding"]["x"]["title"]


def test_plannable_rates_fill_only_what_cannot_be_planned():
    rates, filled = funnel.plannable_rates({"mql": 0.3, "sal": math.nan, "sql": 0.4, "opportunity": 0.0, "won": 0.2})
    assert filled == ["sal", "opportunity"]
    assert rates == {"mql": 0.3, "sal": funnel.TYPICAL_RATES["sal"], "sql": 0.4,
                     "opportunity": funnel.TYPICAL_RATES["opportunity"], "won": 0.2}
    assert funnel.plannable_rates(RATES) == (RATES, [])


def _without_wins(company):
    opportunities = company.opportunities.assign(outcome=company.opportunities["outcome"].replace("won", "lost"))
    return replace(company, tables={**company.tables, "opportunities": opportunities})


def test_sla_inputs_when_nothing_is_won_yet(companies):
    lumen = _without_wins(companies["lumen"])
    inputs = alignment.sla_inputs(lumen)
    assert inputs["rates"]["won"] == funnel.TYPICAL_RATES["won"]  # observed 0: nothing to plan back through
    assert inputs["average_deal"] == pytest.approx(lumen.opportunities["amount"].mean())  # of all deals asked
    assert alignment.sla_plan(**inputs).needed("won") >= 1


def test_sla_inputs_refuse_a_company_without_deals(companies):
    lumen = companies["lumen"]
    no_deals = replace(lumen, name="acme", tables={**lumen.tables, "opportunities": lumen.opportunities.iloc[:0]})
    with pytest.raises(ValueError, match="acme has no deals.*Import the deals"):
        alignment.sla_inputs(no_deals)


def test_reps_from_sales_staff_when_no_quotas(companies):
    lumen = companies["lumen"]
    employees = lumen.employees.assign(quarterly_quota=math.nan)
    inputs = alignment.sla_inputs(replace(lumen, tables={**lumen.tables, "employees": employees}))
    assert inputs["reps"] == int((employees["function"] == "sales").sum()) > 1


# ---- module 07: a gap within the levels of a confounder ---------------------------------------------------

def _leads_for_gap() -> tuple[pd.DataFrame, pd.Series]:
    """Eight MQLs and one lead that never became one: in smb the group qualifies 1 of 2 and the others 0 of 2;
    in enterprise the group 2 of 2 and the others 1 of 1; one enterprise MQL is in neither group."""
    t = pd.Timestamp("2025-01-01")
    rows = [("smb", True, True), ("smb", True, False), ("smb", False, False), ("smb", False, False),
            ("enterprise", True, True), ("enterprise", True, True), ("enterprise", False, True),
            ("enterprise", None, True)]
    leads = pd.DataFrame({"segment": pd.Categorical([r[0] for r in rows] + ["smb"], categories=["smb", "enterprise"]),
                          "mql_at": [t] * len(rows) + [pd.NaT],
                          "sql_at": [t if r[2] else pd.NaT for r in rows] + [pd.NaT]})
    marks = pd.Series([r[1] for r in rows] + [True], dtype=object)
    return leads, marks


def test_stratified_gap_by_hand():
    leads, marks = _leads_for_gap()
    raw = alignment.stratified_gap(leads, marks, by=None)
    assert raw.to_dict("records") == [{"stratum": "all", "group_mqls": 4, "group_rate": 0.75, "other_mqls": 3,
                                       "other_rate": pytest.approx(1 / 3), "gap": pytest.approx(0.75 - 1 / 3),
                                       "weight": 1.0}]
    table = alignment.stratified_gap(leads, marks)  # the MQL in neither group and the non-MQL are left out
    assert list(table["segment"]) == ["smb", "enterprise"]
    assert list(table["gap"]) == [0.5, 0.0] and list(table["weight"]) == [4 / 7, 3 / 7]
    assert alignment.adjusted_gap(table) == pytest.approx(4 / 7 * 0.5)


def test_adjusted_gap_leaves_out_a_stratum_without_a_gap():
    leads, marks = _leads_for_gap()
    marks[leads["segment"] == "enterprise"] = True  # enterprise has no comparison group left: no gap there
    table = alignment.stratified_gap(leads, marks)
    assert math.isnan(table.set_index("segment").loc["enterprise", "gap"])
    assert alignment.adjusted_gap(table) == pytest.approx(0.5)  # smb alone, its weight scaled up to 1
    assert math.isnan(alignment.adjusted_gap(table.iloc[1:]))


def test_a_gap_that_the_segment_mix_makes_disappears_once_adjusted():
    """Touches have no effect on qualification in the generator, but enterprise journeys are longer: the raw
    gap is mostly the segment's doing, and adjusting removes most of it."""
    ferro = simulate_company("ferro", size=20_000)
    touches = ferro.leads["lead_id"].map(ferro.touchpoints.groupby("lead_id").size()).fillna(0)
    raw = alignment.stratified_gap(ferro.leads, touches >= 3, by=None)["gap"].iloc[0]
    adjusted = alignment.adjusted_gap(alignment.stratified_gap(ferro.leads, touches >= 3))
    assert raw > 0.03 and abs(adjusted) < raw / 2
