"""Exercise 03's self-checks (``smarketing.exercises.ex03_funnel_handoff``): a good answer passes, each common
mistake gets its targeted message, and no message gives the expected value away. Good answers are computed
here by hand with pandas, not taken from the checks."""

from __future__ import annotations

import itertools
import math
from functools import partial

import numpy as np
import pandas as pd

from smarketing.exercises import company, find_task

task = partial(find_task, "03_funnel_handoff")
STAGES = ["lead", "mql", "sal", "sql", "opportunity", "won"]


def _conversion(name: str = "ferro") -> pd.DataFrame:
    """The cohort conversion table, by hand: each step's leads that reached from_stage, and of those the
    ones that also reached to_stage."""
    c = company(name)
    leads, deals = c.leads, c.opportunities
    reached = {"lead": pd.Series(True, index=leads.index), "mql": leads["mql_at"].notna(),
               "sal": leads["sal_at"].notna(), "sql": leads["sql_at"].notna(),
               "opportunity": leads["lead_id"].isin(deals["lead_id"]),
               "won": leads["lead_id"].isin(deals.loc[deals["outcome"] == "won", "lead_id"])}
    rows = [{"from_stage": a, "to_stage": b, "entered": int(reached[a].sum()),
             "converted": int((reached[a] & reached[b]).sum())} for a, b in itertools.pairwise(STAGES)]
    table = pd.DataFrame(rows)
    return table.assign(rate=table["converted"] / table["entered"])


def _leakage(leads: pd.DataFrame, sla_minutes: float) -> float:
    mqls = leads[leads["mql_at"].notna()]
    if not len(mqls):
        return math.nan
    minutes = mqls["first_response_minutes"]
    return float(((minutes > sla_minutes) | minutes.isna()).mean())


def _lowest(leads, opportunities, capacity_per_month, months=None, strict=False, highest=False, total=False):
    """Task 4 by hand: count the leads scoring at least each threshold; the variants are the common mistakes."""
    created = leads["created_at"].dt.to_period("M")
    months = months or (created.max() - created.min()).n + 1
    score = leads["score"].astype(float)
    per_month = {t: float((score >= t).sum()) / (1 if total else months) for t in range(101)}
    within = [t for t, value in per_month.items() if (value < capacity_per_month if strict else
                                                       value <= capacity_per_month)]
    return max(within) if highest else min(within)


def _shares(threshold: float) -> dict[str, float]:
    """At a threshold, by hand: the shares of won revenue, of won deals and of leads at or above it."""
    ferro = company("ferro")
    won = ferro.opportunities[ferro.opportunities["outcome"] == "won"]
    score = won["lead_id"].map(ferro.leads.set_index("lead_id")["score"]).astype(float)
    kept = won[score >= threshold]
    return {"revenue": float(kept["amount"].sum() / won["amount"].sum()), "deals": len(kept) / len(won),
            "leads": float((ferro.leads["score"].astype(float) >= threshold).mean()),
            "amount": float(kept["amount"].sum())}


def test_q1_mql_to_sql_rate():
    leads = company("ferro").leads
    mqls, sqls, sals = leads["mql_at"].notna().sum(), leads["sql_at"].notna().sum(), leads["sal_at"].notna().sum()
    right = sqls / mqls
    assert 0.1 < right < 0.15  # module 03: ferro turns 12 % of its MQLs into SQLs
    assert "More checks run at grading" in task("q1").assert_check_passed(right)
    secret = f"{right:.4g}"
    assert secret not in task("q1").assert_check_failed(sqls / len(leads), "you divided by all leads")
    assert secret not in task("q1").assert_check_failed(sqls / sals, "you divided by the SALs")
    assert secret not in task("q1").assert_check_failed(100 * right, "looks like a percentage")
    assert secret not in task("q1").assert_check_failed(0.5, "not the right value yet")
    task("q1").assert_check_failed(pd.Series([right]), "asks for one number")


def test_q2_conversion_table():
    good = _conversion()
    categorical = good.assign(from_stage=pd.Categorical(good["from_stage"]), to_stage=pd.Categorical(good["to_stage"]))
    for answer in (good, categorical, good.assign(extra=1)):
        task("q2a").assert_check_passed(answer)
        task("q2b").assert_check_passed(answer)
    task("q2b").assert_check_passed(good.iloc[::-1])  # part b checks the numbers, part a the order
    task("q2b").assert_check_passed(good.assign(rate=good["rate"].round(4)))  # the hidden test wants them exact
    task("q2a").assert_check_passed(good.assign(rate=0.0))  # part a is the shape only
    # part a: the steps, in order, named as in funnel.STAGES
    task("q2a").assert_check_failed(good.assign(from_stage=good["from_stage"].str.upper(),
                                                to_stage=good["to_stage"].str.upper()), "in lower case")
    task("q2a").assert_check_failed(good.assign(from_stage=good["to_stage"], to_stage=good["from_stage"]),
                                    "are swapped")
    task("q2a").assert_check_failed(good.iloc[::-1].reset_index(drop=True), "in reverse order")
    task("q2a").assert_check_failed(good.set_index(["from_stage", "to_stage"]), "is in the index of your table")
    task("q2a").assert_check_failed(good.head(4), "has 4 row(s); it should have 5")
    task("q2a").assert_check_failed(good.to_dict(), "your answer is a dict; this task asks for a pandas DataFrame.")
    # part b: the numbers, with the common mistakes
    secrets = [f"{rate:.4g}" for rate in good["rate"]]
    leads = len(company("ferro").leads)
    for wrong, message in ((good.assign(rate=100 * good["rate"]), "look like percentages"),
                           (good.assign(rate=good["converted"] / leads), "divides by all leads"),
                           (good.assign(entered=leads, rate=good["converted"] / leads), "`entered` counts every lead"),
                           (good.assign(converted=good["converted"] + 25), "column `converted` is not right")):
        text = task("q2b").assert_check_failed(wrong, message)
        assert not [secret for secret in secrets if secret in text], text
    task("q2b").assert_check_failed(good.drop(columns="rate"), "lacks the column(s) rate")


def test_q3_leakage_function():
    ferro = company("ferro").leads
    assert 0.15 < _leakage(ferro, 1440) < 0.3  # module 03: one ferro MQL in five leaks
    assert "More checks run at grading" in task("q3").assert_check_passed(_leakage)

    def ignoring_never_contacted(leads, sla):
        mqls = leads[leads["mql_at"].notna()]
        return float((mqls["first_response_minutes"] > sla).sum() / len(mqls))

    def over_all_leads(leads, sla):
        return _leakage(leads, sla) * leads["mql_at"].notna().sum() / len(leads)

    task("q3").assert_check_failed(ignoring_never_contacted, "never contacted")
    task("q3").assert_check_failed(over_all_leads, "you divided by all leads")
    task("q3").assert_check_failed(lambda leads, sla: 1 / 0, "raised ZeroDivisionError")
    task("q3").assert_check_failed(lambda leads, sla: _leakage(leads, sla + 60),
                                   "wrong result on test case 1 (SLA 1440 minutes)")
    task("q3").assert_check_failed(0.2, "asks for a function")
    # with no MQLs the rate is undefined: the hidden tests check that edge, the visible check does not
    task("q3").assert_check_passed(lambda leads, sla: _leakage(leads, sla) if leads["mql_at"].notna().any() else 0.0)


def test_q4_lowest_threshold_function():
    ferro = company("ferro")
    right = _lowest(ferro.leads, ferro.opportunities, 150)
    assert right == 52  # module 03's memo: raise ferro's threshold from 40 to 52
    assert "More checks run at grading" in task("q4").assert_check_passed(_lowest, threshold=right)
    task("q4").assert_check_passed(_lowest, threshold=float(right))
    task("q4").assert_check_failed(_lowest, "store its result for ferro at 150 MQLs a month in `threshold`")
    assert "52" not in task("q4").assert_check_failed(_lowest, "should be what your function gives", threshold=51)

    def variant(**kind):
        return lambda leads, opportunities, capacity: _lowest(leads, opportunities, capacity, **kind)

    def mqls_not_threshold(leads, opportunities, capacity):
        return float((leads["score"].astype(float) >= _lowest(leads, opportunities, capacity)).sum())

    for wrong, message in ((variant(total=True), "divide the MQLs by the number of months"),
                           (variant(highest=True), "you took the highest threshold"),
                           (variant(strict=True), "at most (≤) the capacity"),
                           (mqls_not_threshold, "returns a number of MQLs")):
        assert "52" not in task("q4").assert_check_failed(wrong, message, threshold=right)
    task("q4").assert_check_failed(lambda leads, opportunities: 52, "raised TypeError", threshold=right)
    task("q4").assert_check_failed(right, "asks for a function", threshold=right)
    # 24 months written into the function passes for ferro; the hidden test gives it one year of data
    task("q4").assert_check_passed(variant(months=24), threshold=right)
    first_year = ferro.leads[ferro.leads["created_at"] < "2025-01-01"]
    assert _lowest(first_year, ferro.opportunities, 150) != variant(months=24)(first_year, ferro.opportunities, 150)


def test_q5_share_at_the_learners_own_threshold():
    right = _shares(52)["revenue"]
    assert 0.7 < right < 0.75  # the memo: the leads at 52 or above hold 72 % of the won revenue
    assert "More checks run at grading" in task("q5").assert_check_passed(right, threshold=52)
    # carry forward: a learner who defends another threshold is judged at that threshold
    other = _shares(50)["revenue"]
    assert not math.isclose(other, right, rel_tol=1e-3)
    task("q5").assert_check_passed(other, threshold=50)
    task("q5").assert_check_passed(other, threshold=np.int64(50))
    task("q5").assert_check_failed(right, "not the right value yet", threshold=50)
    for threshold in (..., None, "52", 140, -1, math.nan, True):
        task("q5").assert_check_failed(right, "task 5 builds on task 4", threshold=threshold)
    secret = f"{right:.4g}"
    shares = _shares(52)
    for wrong, message in ((shares["leads"], "the share of leads"), (shares["deals"], "you counted won deals"),
                           (1 - right, "the share it keeps"), (_shares(40)["revenue"], "today's threshold of 40"),
                           (shares["amount"], "an amount of revenue"), (100 * right, "looks like a percentage")):
        assert secret not in task("q5").assert_check_failed(wrong, message, threshold=52)


def test_functions_that_change_their_arguments_in_place_spoil_no_later_check():
    ferro, lumen = company("ferro"), company("lumen")
    before = {"ferro leads": ferro.leads.copy(deep=True), "ferro deals": ferro.opportunities.copy(deep=True),
              "lumen leads": lumen.leads.copy(deep=True)}

    def leakage_that_fills_in_place(leads, sla):  # a learner's "clean-up" of the table it was given
        answer = _leakage(leads, sla)
        leads["first_response_minutes"] = leads["first_response_minutes"].fillna(0)
        return answer

    def threshold_that_overwrites(leads, opportunities, capacity):
        answer = _lowest(leads, opportunities, capacity)
        leads["score"] = 100
        opportunities["outcome"] = "lost"
        return answer

    for _round in range(2):  # the second round sees what the first one left behind
        task("q3").assert_check_passed(leakage_that_fills_in_place)
        task("q4").assert_check_passed(threshold_that_overwrites, threshold=52)
    pd.testing.assert_frame_equal(company("ferro").leads, before["ferro leads"])
    pd.testing.assert_frame_equal(company("ferro").opportunities, before["ferro deals"])
    pd.testing.assert_frame_equal(company("lumen").leads, before["lumen leads"])
    leads = before["ferro leads"]
    task("q1").assert_check_passed(leads["sql_at"].notna().sum() / leads["mql_at"].notna().sum())
    task("q5").assert_check_passed(_shares(52)["revenue"], threshold=52)
