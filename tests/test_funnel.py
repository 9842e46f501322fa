"""The funnel functions on a tiny hand-made company whose stages can be counted by eye."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from smarketing import funnel
from smarketing.labels import spec_nodes

T = pd.Timestamp("2025-01-01 09:00")
NAT = pd.NaT


@pytest.fixture()
def leads():
    # lead  score  MQL  response(min)  SAL  SQL
    # L1     90    yes      3          yes  yes   -> opportunity, won 50 000
    # L2     80    yes     30          yes  yes   -> opportunity, lost
    # L3     70    yes    200          yes  no
    # L4     60    yes   3000          no   no    (answered after 2 days: leaked with a 24 h SLA)
    # L5     55    yes    never        no   no    (leaked)
    # L6     40    no       -          no   no
    # L7     30    no       -          no   no
    # L8     20    no       -          no   no
    hours = pd.Timedelta(hours=1)
    return pd.DataFrame({
        "lead_id": [f"L{i}" for i in range(1, 9)],
        "score": [90, 80, 70, 60, 55, 40, 30, 20],
        "mql_at": [T, T, T, T, T, NAT, NAT, NAT],
        "sal_at": [T + hours, T + hours, T + hours, NAT, NAT, NAT, NAT, NAT],
        "sql_at": [T + 5 * hours, T + 5 * hours, NAT, NAT, NAT, NAT, NAT, NAT],
        "first_response_minutes": [3.0, 30.0, 200.0, 3000.0, np.nan, np.nan, np.nan, np.nan],
    })


@pytest.fixture()
def opportunities():
    return pd.DataFrame({
        "lead_id": ["L1", "L2"],
        "outcome": ["won", "lost"],
        "amount": [50_000.0, 20_000.0],
        "created_at": pd.to_datetime(["2025-01-02", "2025-01-02"]),
        "closed_at": pd.to_datetime(["2025-03-03", "2025-02-01"]),
    })


def test_stage_counts(leads, opportunities):
    counts = funnel.stage_counts(leads, opportunities)
    assert counts["count"].tolist() == [8, 5, 3, 2, 2, 1]


def test_stage_conversion_by_hand(leads, opportunities):
    table = funnel.stage_conversion(leads, opportunities).set_index("to_stage")
    # 5/8 leads became MQL, 3/5 accepted, 2/3 qualified, 2/2 opened, 1/2 won
    assert table["rate"].tolist() == pytest.approx([5 / 8, 3 / 5, 2 / 3, 1.0, 0.5])
    assert table.loc["sal", "entered"] == 5 and table.loc["sal", "converted"] == 3


def test_lead_to_customer_rate(leads, opportunities):
    assert funnel.lead_to_customer_rate(leads, opportunities) == pytest.approx(1 / 8)


def test_leakage_and_speed_to_lead(leads):
    # 24 h SLA: L4 (3000 min) and L5 (never) leak -> 2 / 5
    assert funnel.leakage_rate(leads, sla_minutes=1440) == pytest.approx(0.4)
    # 1 h SLA: L3, L4, L5 -> 3 / 5
    assert funnel.leakage_rate(leads, sla_minutes=60) == pytest.approx(0.6)
    # median of 3, 30, 200, 3000 = (30 + 200) / 2
    assert funnel.speed_to_lead_minutes(leads) == pytest.approx(115.0)
    with pytest.raises(ValueError, match="sla_minutes must be a positive"):
        funnel.leakage_rate(leads, sla_minutes=0)


def test_no_mqls_gives_nan(leads):
    cold = leads.assign(mql_at=pd.NaT)
    assert math.isnan(funnel.leakage_rate(cold)) and math.isnan(funnel.speed_to_lead_minutes(cold))


def test_conversion_by_response_time(leads):
    table = funnel.conversion_by_response_time(leads).set_index("response_time")
    assert table["mqls"].tolist() == [1, 1, 1, 1, 1]
    assert table["sqls"].tolist() == [1, 1, 0, 0, 0]
    assert table.loc["under 5 min", "sql_rate"] == 1.0
    assert table.loc["never contacted", "sql_rate"] == 0.0


def test_mql_threshold_tradeoff(leads, opportunities):
    table = funnel.mql_threshold_tradeoff(leads, opportunities, thresholds=[0, 60, 85, 95]).set_index("threshold")
    assert table["mqls"].tolist() == [8, 4, 1, 0]
    # the only won deal (50 000) comes from L1 (score 90): kept by thresholds up to 90
    assert table["won_revenue"].tolist() == [50_000.0, 50_000.0, 50_000.0, 0.0]
    assert table.loc[60, "share_of_leads"] == pytest.approx(0.5)
    assert table.loc[95, "share_of_won_revenue"] == 0.0


def test_reverse_funnel_by_hand():
    rates = {"mql": 0.25, "sal": 0.8, "sql": 0.5, "opportunity": 0.5, "won": 0.25}
    plan = funnel.reverse_funnel(1_000_000, 50_000, rates).set_index("stage")["needed"]
    # 1 000 000 / 50 000 = 20 won; / 0.25 = 80 opps; / 0.5 = 160 SQL; / 0.5 = 320 SAL; / 0.8 = 400 MQL; / 0.25 = 1600
    assert plan.tolist() == [1600, 400, 320, 160, 80, 20]
    assert funnel.reverse_funnel(0, 50_000, rates)["needed"].sum() == 0
    with pytest.raises(ValueError, match="The sql rate must be a share above 0"):
        funnel.reverse_funnel(1_000, 100, {**rates, "sql": 1.5})
    with pytest.raises(ValueError, match="rates is missing stage\\(s\\) won"):
        funnel.reverse_funnel(1_000, 100, {k: v for k, v in rates.items() if k != "won"})


def test_pipeline_velocity_from_table(opportunities):
    table = pd.concat([opportunities, opportunities.iloc[[1]].assign(outcome="open", closed_at=pd.NaT)])
    # 1 open deal x average won 50 000 x win rate 1/2 / median cycle 60 days
    assert funnel.pipeline_velocity_from(table) == pytest.approx(1 * 50_000 * 0.5 / 60)


def test_missing_column_is_named(leads, opportunities):
    with pytest.raises(ValueError, match="leads table is missing column\\(s\\) mql_at"):
        funnel.stage_counts(leads.drop(columns=["mql_at"]), opportunities)


RATES = {"mql": 0.5, "sal": 0.8, "sql": 0.5, "opportunity": 0.5, "won": 0.25}


def test_simulate_funnel_by_hand():
    # 1000 leads x .5 = 500 MQL x .8 = 400 SAL x .5 = 200 SQL x .5 = 100 opps x .25 = 25 won x 40 000
    table = funnel.simulate_funnel(1000, RATES, 40_000, response_minutes=30).set_index("stage")
    assert table["count"].tolist() == pytest.approx([1000, 500, 400, 200, 100, 25])
    assert table.loc["won", "revenue"] == pytest.approx(1_000_000)
    assert table["revenue"].isna().sum() == 5


def test_slow_response_scales_only_qualification():
    # 240 minutes: (60 / 240) ** 0.5 = 0.5, so SAL -> SQL halves and everything after it too
    fast = funnel.simulate_funnel(1000, RATES, 40_000, response_minutes=60).set_index("stage")["count"]
    slow = funnel.simulate_funnel(1000, RATES, 40_000, response_minutes=240).set_index("stage")["count"]
    assert slow["sal"] == fast["sal"]
    assert slow["sql"] == pytest.approx(fast["sql"] / 2) and slow["won"] == pytest.approx(fast["won"] / 2)
    assert funnel.response_effect(5) == funnel.response_effect(60) == 1.0
    with pytest.raises(ValueError, match="The won rate must be a share from 0 to 1"):
        funnel.simulate_funnel(10, {**RATES, "won": 2}, 100)


def test_observed_and_within_hour_rates(leads, opportunities):
    observed = funnel.observed_rates(leads, opportunities)
    assert observed == pytest.approx({"mql": 5 / 8, "sal": 3 / 5, "sql": 2 / 3, "opportunity": 1.0, "won": 0.5})
    # accepted leads answered after 3, 30 and 200 min: effects 1, 1, (60/200) ** .5
    mean_effect = (2 + (60 / 200) ** 0.5) / 3
    assert funnel.within_hour_rates(leads, opportunities)["sql"] == pytest.approx((2 / 3) / mean_effect)


def test_revenue_lag_is_cumulative(leads, opportunities):
    created = pd.Series(T - pd.Timedelta(days=40), index=leads.index)
    lag = funnel.revenue_lag(leads.assign(created_at=created), opportunities, max_months=4)
    # one won deal, closed 2025-03-03, 40 days + 61 days = 101 days after the lead: month 3.3
    assert lag["share_of_revenue"].tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]


# ---- cohorts, MQL outcomes and score bands (module 03) ---------------------------------------------

@pytest.fixture()
def dated(leads, opportunities):
    """The tiny company with creation dates: L1–L4 came in in January, L5–L8 in April."""
    created = pd.to_datetime(["2025-01-05"] * 4 + ["2025-04-05"] * 4)
    moved = leads.assign(created_at=created)
    # Every MQL happens on its lead's creation day: L1–L4 in Q1, L5 in Q2.
    moved["mql_at"] = moved["mql_at"].where(moved["mql_at"].isna(), created)
    # L1's SQL falls in April (a January MQL qualified in the next quarter); L2's stays in January.
    moved["sal_at"] = moved["sal_at"].where(moved["sal_at"].isna(), created + pd.Timedelta(hours=1))
    moved["sql_at"] = pd.to_datetime(["2025-04-10", "2025-01-20", None, None, None, None, None, None])
    return moved


def test_stage_dates_take_first_opportunity_and_won_close(dated, opportunities):
    extra = pd.DataFrame({"lead_id": ["L1"], "outcome": ["lost"], "amount": [1.0],
                          "created_at": pd.to_datetime(["2025-01-01"]), "closed_at": pd.to_datetime(["2025-01-15"])})
    dates = funnel.stage_dates(dated, pd.concat([opportunities, extra], ignore_index=True))
    assert list(dates.columns) == list(funnel.STAGES)
    assert dates.loc[0, "opportunity"] == pd.Timestamp("2025-01-01")  # the earlier of L1's two deals
    assert dates.loc[0, "won"] == pd.Timestamp("2025-03-03")  # the won one's close, not the lost one's
    assert dates["won"].notna().sum() == 1 and pd.isna(dates.loc[1, "won"])


def test_cohort_vs_naive_by_hand(dated, opportunities):
    table = funnel.cohort_vs_naive(dated, opportunities, "mql", "sql", freq="Q").set_index("period")
    # Q1: MQLs L1–L4; of them L1 and L2 ever qualified -> cohort 2/4. SQLs dated in Q1: only L2 -> naive 1/4.
    # Q2: MQL L5 only, never qualified -> cohort 0/1; but L1's SQL is dated in Q2 -> naive 1/1.
    assert table["entered"].tolist() == [4, 1]
    assert table["cohort_rate"].tolist() == pytest.approx([0.5, 0.0])
    assert table["naive_rate"].tolist() == pytest.approx([0.25, 1.0])
    won = funnel.cohort_vs_naive(dated, opportunities, "lead", "won", freq="Q").set_index("period")
    # L1 came in in Q1 and was won on 2025-03-03 (Q1): both measures 1/4 in Q1; Q2 leads won nothing.
    assert won.loc["2025Q1", "cohort_rate"] == won.loc["2025Q1", "naive_rate"] == pytest.approx(0.25)
    with pytest.raises(ValueError, match="to_stage must come after from_stage"):
        funnel.cohort_vs_naive(dated, opportunities, "sql", "mql")
    with pytest.raises(ValueError, match="Unknown stage 'deal'"):
        funnel.cohort_vs_naive(dated, opportunities, "lead", "deal")


def test_naive_rate_may_exceed_one(dated, opportunities):
    # Move L5's MQL out of Q2: Q2 then has no MQL at all but still L1's SQL -> naive rate is a plain ratio.
    moved = dated.assign(mql_at=dated["mql_at"].where(dated["lead_id"] != "L5", pd.Timestamp("2025-03-30")))
    table = funnel.cohort_vs_naive(moved, opportunities, "mql", "sql").set_index("period")
    assert table.loc["2025Q2", "entered"] == 0 and math.isnan(table.loc["2025Q2", "naive_rate"])
    assert table.loc["2025Q1", "naive_rate"] == pytest.approx(1 / 5)


def test_mql_outcomes_by_hand(leads):
    reasons = [None, None, "no_budget", None, None, None, None, None]
    table = funnel.mql_outcomes(leads.assign(disqualification_reason=pd.Categorical(reasons)))
    # 5 MQLs: L5 never contacted; L4 contacted but not accepted (no reason given); L3 accepted, no_budget;
    # L1 and L2 qualified.
    rows = {(o, r): n for o, r, n in zip(table["outcome"], table["reason"], table["mqls"], strict=True)}
    assert rows == {("never contacted", ""): 1, ("turned down at the handoff", ""): 1,
                    ("accepted, not qualified", "no_budget"): 1, ("qualified (SQL)", ""): 2}
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["outcome"].tolist()[0] == "never contacted" and table["outcome"].tolist()[-1] == "qualified (SQL)"


def test_outcomes_by_score_band_by_hand(leads, opportunities):
    table = funnel.outcomes_by_score_band(leads, opportunities, edges=(0, 50, 75, 101)).set_index("band")
    assert table.index.tolist() == ["0–49", "50–74", "75–100"]
    # 0–49: L6–L8, never contacted -> rates nan (history is silent, not zero)
    assert table.loc["0–49", "leads"] == 3 and table.loc["0–49", "contacted"] == 0
    assert math.isnan(table.loc["0–49", "sql_rate"]) and math.isnan(table.loc["0–49", "won_rate"])
    # 50–74: L3 (200 min), L4 (3000 min), L5 (never) -> 2 contacted, no SQL
    assert table.loc["50–74", ["leads", "contacted", "sqls"]].tolist() == [3, 2, 0]
    # 75–100: L1 (won) and L2 (lost), both contacted and qualified
    assert table.loc["75–100", "sql_rate"] == 1.0 and table.loc["75–100", "won_rate"] == 0.5
    with pytest.raises(ValueError, match="edges must be at least two increasing"):
        funnel.outcomes_by_score_band(leads, opportunities, edges=(50, 10))


def _encoding(spec: dict) -> dict:
    return next(n["encoding"] for n in spec_nodes(spec) if "tooltip" in n.get("encoding", {}))


def test_module_03_charts_are_valid(leads, opportunities, dated):
    from smarketing import charts

    bands = funnel.outcomes_by_score_band(leads, opportunities, edges=(0, 50, 101))
    both = pd.concat([bands.assign(company="a"), bands.assign(company="b")])
    for chart in (charts.score_band_chart(bands), charts.score_band_chart(both, "won_rate"),
                  charts.cohort_naive_chart(funnel.cohort_vs_naive(dated, opportunities))):
        spec = chart.to_dict()  # validates against the Vega-Lite schema
        bars = _encoding(spec)  # with companies side by side, a layer: the bars, and their names on them
        assert spec["title"] and "tooltip" in bars
        assert bars["y"]["axis"]["title"].endswith("(%)")


def test_stage_dates_and_cohorts_without_any_deal(companies):
    leads, opportunities = companies["lumen"].leads, companies["lumen"].opportunities.iloc[:0]
    dates = funnel.stage_dates(leads, opportunities)  # a CRM export of contacts only
    assert dates["opportunity"].isna().all() and dates["won"].isna().all()
    assert dates["mql"].equals(leads["mql_at"])
    cohorts = funnel.cohort_vs_naive(leads, opportunities, "lead", "won")
    assert cohorts["converted"].sum() == 0 and cohorts["entered"].sum() == len(leads)


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


# ---- a lead-scoring rule (exercise 03's design deliverable) -----------------------------------------------------

@pytest.fixture()
def rule_leads():
    # lead  score  segment     channel      region  created  MQL  contacted  won
    # R1     90    enterprise  partner      north   Jan      yes  yes        100 000
    # R2     80    mid_market  events       south   Jan      yes  yes         20 000
    # R3     70    smb         email        east    Jan      yes  yes          —
    # R4     60    smb         email        west    Feb      yes  never        —
    # R5     50    enterprise  events       north   Feb      yes  yes          — (lost)
    # R6     45    mid_market  partner      south   Feb      yes  yes         10 000
    # R7     35    enterprise  email        east    Feb      no   -            —
    # R8     20    smb         paid_social  west    Feb      no   -            —
    # Two months of data; today's threshold is 45, the lowest score of an MQL.
    jan, feb = pd.Timestamp("2025-01-10"), pd.Timestamp("2025-02-10")
    return pd.DataFrame({
        "lead_id": [f"R{i}" for i in range(1, 9)],
        "created_at": [jan, jan, jan, feb, feb, feb, feb, feb],
        "score": [90, 80, 70, 60, 50, 45, 35, 20],
        "segment": ["enterprise", "mid_market", "smb", "smb", "enterprise", "mid_market", "enterprise", "smb"],
        "channel": ["partner", "events", "email", "email", "events", "partner", "email", "paid_social"],
        "region": ["north", "south", "east", "west", "north", "south", "east", "west"],
        "mql_at": [jan, jan, jan, feb, feb, feb, NAT, NAT],
        "first_response_minutes": [5.0, 30.0, 90.0, np.nan, 10.0, 60.0, np.nan, np.nan],
    })


@pytest.fixture()
def rule_deals():
    return pd.DataFrame({"lead_id": ["R1", "R2", "R5", "R6"], "outcome": ["won", "won", "lost", "won"],
                         "amount": [100_000.0, 20_000.0, 50_000.0, 10_000.0]})


def test_rule_points_by_hand(rule_leads):
    rule = {"score_weight": 0.5, "segment": {"enterprise": 10}, "channel": {"email": -5}, "region": {"north": 1},
            "threshold": 30}
    assert funnel.rule_points(rule_leads, rule).tolist() == [56.0, 40.0, 30.0, 25.0, 36.0, 22.5, 22.5, 10.0]
    assert funnel.rule_points(rule_leads, {"threshold": 50}).tolist() == rule_leads["score"].astype(float).tolist()
    with pytest.raises(ValueError, match="Your rule has no \"threshold\""):
        funnel.rule_points(rule_leads, {"segment": {"smb": 5}})


def test_scoring_rule_outcome_by_hand(rule_leads, rule_deals):
    plain = funnel.scoring_rule_outcome(rule_leads, rule_deals, {"threshold": 60})
    # R1–R4 pass: 4 MQLs over 2 months; R4 was never contacted, so 3 were worked, who won 120 000 in 2 deals
    assert plain == {"mqls": 4.0, "mqls_per_month": 2.0, "unseen": 0.0, "unseen_share": 0.0, "worked": 3.0,
                     "won_deals": 2.0, "won_revenue": 120_000.0, "revenue_per_mql": 40_000.0}
    pointed = funnel.scoring_rule_outcome(rule_leads, rule_deals, {"segment": {"enterprise": 30}, "threshold": 60})
    # enterprise R5 (80 points) and R7 (65, never an MQL: unseen) join; R5 was worked and lost
    assert pointed["mqls"] == 6 and pointed["unseen"] == 1 and pointed["unseen_share"] == pytest.approx(1 / 6)
    assert pointed["worked"] == 4 and pointed["revenue_per_mql"] == 30_000.0
    nobody = funnel.scoring_rule_outcome(rule_leads, rule_deals, {"threshold": 1000})
    assert nobody["mqls"] == 0 and math.isnan(nobody["unseen_share"]) and math.isnan(nobody["revenue_per_mql"])


def test_a_workable_rule_has_no_problem_and_many_rules_are(rule_leads, rule_deals):
    def problems(rule, **kwargs):
        return funnel.scoring_rule_problems(rule, rule_leads, rule_deals, capacity_per_month=3, cost_per_mql=1_000,
                                            gross_margin=0.35, **kwargs)

    assert problems({"threshold": 60}) == []  # 2 a month of 3; 40 000 × 35 % a worked MQL against 1 000
    assert problems({"segment": {"enterprise": 30}, "threshold": 60}) == []  # an unseen sixth: within a fifth
    assert problems({"score_weight": 0, "segment": {"enterprise": 1, "mid_market": 1}, "threshold": 1}) == []
    assert problems({"segment": {"enterprise": 30}, "threshold": 60}, max_unseen=0.1)[0].startswith(
        "17% of the MQLs your rule passes were never handed to sales")


@pytest.mark.parametrize(("rule", "capacity", "parts"), [
    ({"threshold": 60}, 1.5, ["Your rule passes 2.0 MQLs a month, more than the 1.5 that sales can work"]),
    ({"threshold": 60}, 5, ["Your rule passes 2.0 MQLs a month, less than 50% of the 5.0 that sales can work"]),
    ({"threshold": 1000}, 3, ["Your rule passes no lead at all"]),
    ({"score_weight": 0, "channel": {"email": 10}, "threshold": 10}, 3,  # R3 (worked, never won), R4, R7 (unseen)
     ["33% of the MQLs your rule passes were never handed to sales",
      ("An MQL your rule passes is expected to bring 0 of gross margin (0 of won revenue per worked lead × a 35% "
       "margin), less than the 1,000 it costs to work it")]),
    ({"score_weight": 0, "channel": {"paid_social": 5}, "threshold": 5}, 1,  # R8 alone, never an MQL
     ["100% of the MQLs your rule passes were never handed to sales",
      "None of the leads your rule passes was ever worked by sales"]),
])
def test_an_unworkable_rule_is_told_why_in_teaching_words(rule_leads, rule_deals, rule, capacity, parts):
    problems = funnel.scoring_rule_problems(rule, rule_leads, rule_deals, capacity, 1_000, 0.35)
    assert len(problems) == len(parts), problems
    assert all(problem.startswith(part) for problem, part in zip(problems, parts, strict=True)), problems


@pytest.mark.parametrize(("rule", "part"), [
    (60, "Your rule is a int. Store it as a dictionary"),
    ({"threshold": 60, "bands": {}}, "'bands' is not a part of a scoring rule: its parts are score_weight, segment"),
    ({"segment": {"smb": 5}}, "Your rule has no \"threshold\""),
    ({"threshold": "60"}, "The threshold should be a number of points, not '60'"),
    ({"threshold": 60, "score_weight": -1}, "score_weight is negative"),
    ({"threshold": 60, "score_weight": "1"}, "score_weight should be a number"),
    ({"threshold": 60, "segment": ["enterprise"]}, "segment should be a dictionary {value: points}"),
    ({"threshold": 60, "segment": {"Enterprise": 5}},
     "'Enterprise' is not a segment of the leads table: its values are smb, mid_market, enterprise"),
    ({"threshold": 60, "channel": {"email": "ten"}}, "the points of channel should be numbers"),
])
def test_a_rule_that_cannot_be_read_says_why(rule_leads, rule_deals, rule, part):
    problems = funnel.scoring_rule_problems(rule, rule_leads, rule_deals, 3, 1_000)
    assert len(problems) == 1 and problems[0].startswith(part), problems
