"""Exercise 02's self-checks (``smarketing.exercises.ex02_kpis``): a good answer passes, each common mistake
gets its targeted message, and no message gives the expected value away. Good answers are computed here by
hand with pandas, not taken from the checks."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pandas as pd
import pytest

from smarketing.exercises import company, find_task

task = partial(find_task, "02_kpis")


def _outcomes(name: str) -> pd.Series:
    return company(name).opportunities["outcome"]


def _win_rate(name: str) -> float:
    outcome = _outcomes(name)
    return (outcome == "won").sum() / (outcome != "open").sum()


def test_q1_win_rate():
    right = _win_rate("lumen")
    assert "More checks run at grading" in task("q1").assert_check_passed(right)
    task("q1").assert_check_passed(np.float64(right))
    outcome = _outcomes("lumen")
    lost = company("lumen").opportunities[outcome == "lost"]
    no_decision = (lost["loss_reason"] == "no_decision").sum()
    task("q1").assert_check_failed((outcome == "won").sum() / len(outcome), "the open ones included")
    task("q1").assert_check_failed(_win_rate("ferro"), "ferro's win rate")
    task("q1").assert_check_failed(1 - right, "share of closed deals that were lost")
    task("q1").assert_check_failed((outcome == "won").sum() / ((outcome == "won").sum() + len(lost) - no_decision),
                                   "you left out the deals lost to 'no decision'")
    task("q1").assert_check_failed(100 * right, "looks like a percentage")
    task("q1").assert_check_failed(pd.Series([right]), "asks for one number")
    for wrong in (0.5, 100 * right):
        assert f"{right:.4g}" not in task("q1").assert_check_failed(wrong)


def _cost_by_channel(name: str = "ferro") -> pd.DataFrame:
    c = company(name)
    spend = c.campaigns.groupby(c.campaigns["channel"].astype(str))["spend"].sum()
    leads = c.leads.groupby(c.leads["channel"].astype(str)).size()
    table = pd.DataFrame({"spend": spend, "leads": leads}).rename_axis("channel").reset_index()
    return table.assign(cost_per_lead=table["spend"] / table["leads"])


def test_q2_cost_per_lead_by_channel():
    good = _cost_by_channel()
    for answer in (good, good.iloc[::-1], good.assign(channel=pd.Categorical(good["channel"]), extra=1)):
        task("q2a").assert_check_passed(answer)
        task("q2b").assert_check_passed(answer)
    # a groupby on the categorical channel keeps the categories' order, not the alphabetical one
    ferro = company("ferro")
    by_category = pd.DataFrame({"spend": ferro.campaigns.groupby("channel", observed=True)["spend"].sum(),
                                "leads": ferro.leads.groupby("channel", observed=True).size()})
    by_category = by_category.rename_axis("channel").reset_index()
    by_category["cost_per_lead"] = by_category["spend"] / by_category["leads"]
    task("q2b").assert_check_passed(by_category)
    task("q2a").assert_check_passed(good.assign(cost_per_lead=0.0))  # part a is only spend and leads


@pytest.mark.parametrize(("name", "lacking"), [("q2a", "spend"), ("q2b", "cost_per_lead")])
def test_q2_mistakes_of_both_parts(name, lacking):
    good, ferro = _cost_by_channel(), company("ferro")
    task(name).assert_check_failed(good.set_index("channel"), "add .reset_index() at the end")
    joined = ferro.leads[["campaign_id", "channel"]].merge(ferro.campaigns[["campaign_id", "spend"]])
    spend_per_lead_row = joined.groupby(joined["channel"].astype(str))["spend"].sum()
    wrong_spend = good.assign(spend=good["channel"].map(spend_per_lead_row))
    task(name).assert_check_failed(wrong_spend.assign(cost_per_lead=wrong_spend["spend"] / wrong_spend["leads"]),
                                   "once per lead")
    task(name).assert_check_failed(_cost_by_channel("lumen"), "these are lumen's channels")
    task(name).assert_check_failed(good.drop(columns=["spend", "cost_per_lead"]),
                                   f"your table lacks the column(s) {lacking}.")


def test_q2_mistakes_of_each_part():
    good, ferro = _cost_by_channel(), company("ferro")
    campaigns = ferro.campaigns.groupby(ferro.campaigns["channel"].astype(str)).size()
    task("q2a").assert_check_failed(good.assign(leads=good["channel"].map(campaigns)), "counts campaigns")
    mqls = ferro.leads[ferro.leads["mql_at"].notna()].groupby(ferro.leads["channel"].astype(str)).size()
    task("q2b").assert_check_failed(good.assign(cost_per_lead=good["spend"] / good["channel"].map(mqls)),
                                    "that is the cost per MQL")
    task("q2b").assert_check_failed(good.head(5), f"your table has 5 row(s); it should have {len(good)}.")


def _nps(scores) -> float:
    answers = pd.Series(scores, dtype=float).dropna()
    if not len(answers):
        return math.nan
    return 100 * ((answers >= 9).sum() - (answers <= 6).sum()) / len(answers)


def _on_answers(rule):
    """An NPS function that skips the missing answers, then applies ``rule`` (a right or a wrong formula)."""
    def nps(scores):
        return rule(pd.Series(scores, dtype=float).dropna())
    return nps


def test_q3_net_promoter_score_function():
    task("q3").assert_check_passed(_nps)
    task("q3").assert_check_passed(lambda scores: 0.0 if len(pd.Series(scores).dropna()) == 0 else _nps(scores))
    task("q3").assert_check_failed(_on_answers(lambda s: 100 * ((s >= 9).mean() - (s <= 8).mean())),
                                   "7s and 8s as detractors")
    task("q3").assert_check_failed(_on_answers(lambda s: (s >= 9).mean() - (s <= 6).mean()), "returns a share")
    task("q3").assert_check_failed(_on_answers(lambda s: 100 * ((s >= 9).mean() - (s <= 5).mean())),
                                   "left the 6s out")
    task("q3").assert_check_failed(_on_answers(lambda s: 100 * ((s == 10).mean() - (s <= 6).mean())),
                                   "only the 10s")
    task("q3").assert_check_failed(_on_answers(lambda s: float((s >= 9).sum() - (s <= 6).sum())),
                                   "subtracted the counts")
    task("q3").assert_check_failed(lambda scores: 100 * ((pd.Series(scores, dtype=float) >= 9).sum()
                                                         - (pd.Series(scores, dtype=float) <= 6).sum())
                                   / len(pd.Series(scores)), "missing answers (NaN, None) count in your total")
    task("q3").assert_check_failed(lambda scores: 1 / 0, "raised ZeroDivisionError")
    task("q3").assert_check_failed(19.5, "asks for a function")
    task("q3").assert_check_failed(_on_answers(lambda s: 100 * (s >= 9).mean()),
                                   "wrong result on test case 1 (answers [10, 10, 9, 8, 7, 6, 3, 10])")


def test_q3_a_function_that_changes_its_answers_in_place_spoils_no_later_check():
    nps = company("lumen").accounts["nps"].copy()

    def fills_in_place(scores):  # a learner's "clean-up" of the Series it was given
        answer = _nps(scores)
        if isinstance(scores, pd.Series):
            scores[:] = 0
        return answer

    for _round in range(2):  # the second round sees what the first one left behind
        task("q3").assert_check_passed(fills_in_place)
    pd.testing.assert_series_equal(company("lumen").accounts["nps"], nps)


def _lag(name: str, outcomes=("won",), start: str = "lead", whole_days: bool = False,
         how: str = "median") -> float:
    c = company(name)
    deals = c.opportunities[c.opportunities["outcome"].isin(outcomes)]
    begin = deals["created_at"] if start == "opportunity" else deals["lead_id"].map(
        c.leads.set_index("lead_id")["created_at" if start == "lead" else "mql_at"])
    span = deals["closed_at"] - begin
    days = span.dt.days if whole_days else span.dt.total_seconds() / 86_400
    return float(getattr(days.dropna(), how)())


def test_q4_marketing_lag():
    right = _lag("ferro")
    task("q4").assert_check_passed(right)
    won = company("ferro").opportunities[company("ferro").opportunities["outcome"] == "won"]
    created = won["lead_id"].map(company("ferro").leads.set_index("lead_id")["created_at"])
    task("q4").assert_check_failed((won["closed_at"] - created).median(), "time span (Timedelta)")
    task("q4").assert_check_failed(_lag("ferro", start="opportunity"), "that is the sales cycle")
    task("q4").assert_check_failed(_lag("ferro", start="mql"), "clock at the MQL")
    task("q4").assert_check_failed(_lag("ferro", outcomes=("won", "lost")), "included lost deals")
    task("q4").assert_check_failed(_lag("ferro", whole_days=True), "rounded each duration down")
    task("q4").assert_check_failed(_lag("ferro", how="mean"), "that is the mean")
    task("q4").assert_check_failed(_lag("lumen"), "lumen's lag")
    assert f"{right:.4g}" not in task("q4").assert_check_failed(right / 7, "is not the right value yet")


def _ferro_q4() -> tuple[pd.Series, float]:
    ferro = company("ferro")
    in_q4 = (ferro.leads["mql_at"] >= "2024-10-01") & (ferro.leads["mql_at"] < "2025-01-01")
    targets = ferro.targets
    target = float(targets.loc[(targets["quarter"] == "2024Q4") & (targets["metric"] == "mqls"), "target"].iloc[0])
    return in_q4, target


def test_q5_mql_target_and_the_shared_kpi():
    ferro = company("ferro")
    in_q4, target = _ferro_q4()
    attainment = in_q4.sum() / target
    assert 0.9 < attainment < 1  # the story of module 02: ferro's marketing almost meets its MQL target
    task("q5a").assert_check_passed(attainment)
    task("q5a").assert_check_failed(100 * attainment, "looks like a percentage")
    task("q5a").assert_check_failed(target / in_q4.sum(), "divided the target by the MQLs")
    created_q4 = (ferro.leads["created_at"] >= "2024-10-01") & (ferro.leads["created_at"] < "2025-01-01")
    task("q5a").assert_check_failed((created_q4 & ferro.leads["mql_at"].notna()).sum() / target,
                                    "leads created in the quarter")

    sqls = ferro.leads["sql_at"].notna()
    rate = (in_q4 & sqls).sum() / in_q4.sum()
    task("q5b").assert_check_passed(rate)
    sqls_in_q4 = ((ferro.leads["sql_at"] >= "2024-10-01") & (ferro.leads["sql_at"] < "2025-01-01")).sum()
    task("q5b").assert_check_failed(sqls_in_q4 / in_q4.sum(), "SQLs made in the quarter")
    task("q5b").assert_check_failed(sqls.sum() / ferro.leads["mql_at"].notna().sum(), "whole two years")
    task("q5b").assert_check_failed(100 * rate, "looks like a percentage")

    # the grader checks the choice again, tamper-proof, and the learner is told so
    assert "More checks run at grading" in task("q5c").assert_check_passed("sqls")
    task("q5c").assert_check_passed("SQLs")
    task("q5c").assert_check_failed("mqls", "lowering the bar")
    task("q5c").assert_check_failed("leads", "A shared target needs both teams")
    task("q5c").assert_check_failed("cost_per_lead", "marketing's alone")
    task("q5c").assert_check_failed("bookings", "months later")
    task("q5c").assert_check_failed("pipeline", "answer with one of: 'leads', 'mqls', 'sqls', 'bookings', "
                                                "'cost_per_lead'.")
