"""Exercise 04's self-checks (``smarketing.exercises.ex04_pipeline_forecasting``): a good answer passes, each
common mistake gets its targeted message, and no message gives the expected value away. Good answers are
computed here by hand with pandas, not taken from the checks."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from smarketing.exercises import company, find_task

task = partial(find_task, "04_pipeline_forecasting")
DAY = pd.Timestamp("2025-07-01")
END = pd.Timestamp("2025-10-01")


def _history() -> pd.DataFrame:
    return company("argo").opportunity_history


def _open_on(day: pd.Timestamp) -> pd.DataFrame:
    seen = _history()[_history()["changed_at"] < day].sort_values(["opportunity_id", "changed_at"])
    latest = seen.groupby("opportunity_id").tail(1)
    return latest[~latest["stage"].astype(str).isin(["closed_won", "closed_lost"])]


def _rates(before: pd.Timestamp) -> dict[str, float]:
    seen = _history()[_history()["changed_at"] < before]
    ended = seen[seen["stage"].astype(str).isin(["closed_won", "closed_lost"])]
    won = ended.set_index("opportunity_id")["stage"].astype(str) == "closed_won"
    rates = {}
    for stage in ("prospecting", "qualification", "proposal", "negotiation"):
        deals = seen.loc[(seen["stage"].astype(str) == stage) & seen["opportunity_id"].isin(won.index),
                         "opportunity_id"].unique()
        rates[stage] = float(won[deals].mean()) if len(deals) else 0.0
    return rates


def _due(pipeline: pd.DataFrame) -> pd.DataFrame:
    return pipeline[(pipeline["close_date"] >= DAY) & (pipeline["close_date"] < END)]


def test_q1_open_pipeline():
    right = float(_open_on(DAY)["amount"].sum())
    assert "More checks run at grading" in task("q1").assert_check_passed(right)
    task("q1").assert_check_passed(np.float64(right))
    every_row = _history()[(_history()["changed_at"] < DAY)
                           & ~_history()["stage"].astype(str).isin(["closed_won", "closed_lost"])]["amount"].sum()
    task("q1").assert_check_failed(float(every_row), "counts three times")
    opportunities = company("argo").opportunities
    task("q1").assert_check_failed(float(opportunities.loc[opportunities["outcome"] == "open", "amount"].sum()),
                                   "end of the data")
    text = task("q1").assert_check_failed(right * 1.1, "not the right value yet")
    assert f"{right:,.0f}" not in text and str(int(right)) not in text


def test_q2_weighted_forecast():
    due = _due(_open_on(DAY))
    right = float((due["amount"] * due["stage"].astype(str).map(_rates(DAY))).sum())
    task("q2").assert_check_passed(right)
    hindsight = _rates(pd.Timestamp("2100-01-01"))
    task("q2").assert_check_failed(float((due["amount"] * due["stage"].astype(str).map(hindsight)).sum()),
                                   "after 1 July 2025")
    everything = _open_on(DAY)
    task("q2").assert_check_failed(float((everything["amount"] * everything["stage"].astype(str).map(_rates(DAY)))
                                         .sum()), "only the deals expected")


def test_q3_best_case():
    due = _due(_open_on(DAY))
    stage = due["stage"].astype(str)
    commit, proposals = due.loc[stage == "negotiation", "amount"].sum(), due.loc[stage == "proposal", "amount"].sum()
    task("q3").assert_check_passed(float(commit + proposals))
    if proposals and commit:
        task("q3").assert_check_failed(float(proposals), "the proposals alone")
    task("q3").assert_check_failed(float(due["amount"].sum()), "whole pipeline due")


def test_q4_closest_method_is_the_smallest_mean_absolute_error():
    from smarketing import forecasting

    table = forecasting.backtest(_history())
    errors = {m: table[f"{m}_error"].dropna() for m in forecasting.METHODS}
    right = min(errors, key=lambda m: errors[m].abs().mean())
    task("q4").assert_check_passed(right)
    task("q4").assert_check_passed(right.upper())
    task("q4").assert_check_failed("the best one", "answer with one of")
    biased = min(errors, key=lambda m: errors[m].mean())
    if biased != right:
        task("q4").assert_check_failed(biased, "mean absolute error")
    wrong = next(m for m in forecasting.METHODS if m not in (right, biased))
    task("q4").assert_check_failed(wrong, "not the best choice")


def _capacity(ramp_days: float) -> float:
    employees = company("argo").employees
    reps = employees[employees["quarterly_quota"].notna() & (employees["hire_date"] < pd.Timestamp("2026-01-01"))]
    days = pd.date_range("2025-10-01", "2025-12-31", freq="D")
    total = 0.0
    for hired, quota in zip(reps["hire_date"], reps["quarterly_quota"], strict=True):
        on_board = np.array([(d - hired).days for d in days], dtype=float)
        share = np.where(on_board < 0, 0.0, np.minimum(on_board / ramp_days, 1.0) if ramp_days else 1.0)
        total += quota * share.mean()
    return total


def test_q5_capacity_with_the_ramp():
    task("q5").assert_check_passed(_capacity(120))
    task("q5").assert_check_failed(float(company("argo").employees["quarterly_quota"].sum()), "full quota")
    task("q5").assert_check_failed(_capacity(0), "no ramp")
    task("q5").assert_check_failed(_capacity(180), "180-day ramp")


def test_q6_a_sound_forecast_call_passes_and_a_broken_one_is_told_why():
    pipeline = _open_on(pd.Timestamp("2025-10-01"))
    due = pipeline[pipeline["close_date"] < pd.Timestamp("2026-01-01")]
    stage = due["stage"].astype(str)
    days = (pd.Timestamp("2025-10-01") - due["changed_at"]).dt.total_seconds() / 86_400
    usual = days.groupby(stage).median()
    fresh = days <= 2 * stage.map(usual)
    late = due.loc[stage.isin(["proposal", "negotiation"]) & fresh, "opportunity_id"].tolist()
    call = {"commit": late[:1], "best_case": late, "number": 100.0, "low": 50.0, "high": 200.0}
    task("q6").assert_check_passed(call)
    task("q6").assert_check_failed({**call, "best_case": late[1:]}, "The best case includes the commit")
    task("q6").assert_check_failed({**call, "low": 300.0}, "low ≤ number ≤ high")
    early = due.loc[stage.isin(["prospecting", "qualification"]), "opportunity_id"].tolist()
    if early:
        task("q6").assert_check_failed({**call, "commit": early[:1], "best_case": early[:1] + late},
                                       "too early to commit")
    task("q6").assert_check_failed({**call, "commit": ["O999999"], "best_case": ["O999999"]}, "was not open on")
    task("q6").assert_check_failed(150.0, "a number alone")


def _vela_closed() -> pd.DataFrame:
    deals = company("vela").opportunities
    return deals[deals["outcome"].astype(str).isin(["won", "lost"])]


def _win_rate(deals: pd.DataFrame) -> float:
    return float((deals["outcome"].astype(str) == "won").sum() / len(deals))


def test_q7a_the_box_that_tells_won_from_lost():
    closed = _vela_closed()
    gaps = {box: _win_rate(closed[closed[f"bant_{box}"] == True])  # noqa: E712 (a nullable boolean)
            - _win_rate(closed[closed[f"bant_{box}"] == False])  # noqa: E712
            for box in ("budget", "authority", "need", "timeline")}
    right = max(gaps, key=gaps.get)
    assert "More checks run at grading" in task("q7a").assert_check_passed(right)
    task("q7a").assert_check_passed(right.upper())
    task("q7a").assert_check_failed("champion", "answer with one of")
    most_ticked = max(gaps, key=lambda box: int((closed[f"bant_{box}"] == True).sum()))  # noqa: E712
    if most_ticked != right:
        task("q7a").assert_check_failed(most_ticked, "ticked most often")
    others = [box for box in gaps if box not in (right, most_ticked)]
    assert others
    for box in others:
        assert task("q7a").judge(box)[0] != "passed"


def test_q7b_the_win_rate_with_all_four_boxes():
    deals = company("vela").opportunities
    boxes = deals[[f"bant_{b}" for b in ("budget", "authority", "need", "timeline")]].astype(bool).sum(axis=1)
    closed_four = deals[(boxes == 4) & deals["outcome"].astype(str).isin(["won", "lost"])]
    right = _win_rate(closed_four)
    task("q7b").assert_check_passed(right)
    task("q7b").assert_check_failed(100 * right, "percent")
    every_four = deals[boxes == 4]
    task("q7b").assert_check_failed(float((every_four["outcome"].astype(str) == "won").mean()), "open ones too")
    three = deals[(boxes >= 3) & deals["outcome"].astype(str).isin(["won", "lost"])]
    task("q7b").assert_check_failed(_win_rate(three), "three boxes or more")
    text = task("q7b").assert_check_failed(right * 0.8, "not the right value yet")
    assert f"{right:.3f}" not in text


def test_q7c_the_share_of_list_value_given_away():
    deals = company("vela").opportunities
    won = deals[(deals["outcome"].astype(str) == "won") & deals["discount"].notna()]
    at_list = won["amount"] / (1 - won["discount"])
    right = float((at_list - won["amount"]).sum() / at_list.sum())
    task("q7c").assert_check_passed(right)
    task("q7c").assert_check_failed(float((won["amount"] * won["discount"]).sum() / won["amount"].sum()),
                                    "price after the discount")
    task("q7c").assert_check_failed(float(won["discount"].mean()), "weigh by the list value")
    text = task("q7c").assert_check_failed(right * 1.2, "not the right value yet")
    assert f"{right:.3f}" not in text and f"{100 * right:.1f}" not in text
