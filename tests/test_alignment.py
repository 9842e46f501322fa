"""Module 04's functions: the SLA plan, closed-loop reporting and the fair comparison of companies."""

from __future__ import annotations

import math

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
    assert report.loc["email", "channel_roi"] == pytest.approx(kpis.channel_roi(30_000, 1_000))
    assert report.index[0] == "email"  # best revenue per lead first


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
