"""smarketing.forecasting on a four-deal history computed by hand, and on the course companies' opportunity
history, which must agree with their opportunities table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from smarketing import forecasting

# Four deals. A: won in Q1 after negotiation. B: its close date slips from Q1 to Q2, then it is lost. C: opened in
# Q1, still open. D: opened in Q4 2024, won in January.
ROWS = [
    ("A", "2025-01-05", "prospecting", 100, "2025-03-01"), ("A", "2025-02-01", "negotiation", 120, "2025-03-15"),
    ("A", "2025-03-10", "closed_won", 120, "2025-03-10"),
    ("B", "2025-01-10", "prospecting", 200, "2025-03-20"), ("B", "2025-02-15", "proposal", 200, "2025-04-10"),
    ("B", "2025-04-20", "closed_lost", 200, "2025-04-20"),
    ("C", "2025-02-01", "prospecting", 50, "2025-05-01"),
    ("D", "2024-12-01", "prospecting", 80, "2025-01-15"), ("D", "2025-01-20", "closed_won", 80, "2025-01-20"),
]
HISTORY = pd.DataFrame(ROWS, columns=["opportunity_id", "changed_at", "stage", "amount", "close_date"]).assign(
    changed_at=lambda f: pd.to_datetime(f["changed_at"]), close_date=lambda f: pd.to_datetime(f["close_date"]))


def test_the_pipeline_at_a_moment_is_each_open_deal_as_its_latest_change_left_it():
    pipeline = forecasting.pipeline_at(HISTORY, "2025-02-20")
    assert pipeline["opportunity_id"].tolist() == ["A", "B", "C"]  # D was won in January
    assert pipeline["stage"].tolist() == ["negotiation", "proposal", "prospecting"]
    assert pipeline["amount"].tolist() == [120, 200, 50]
    assert pipeline["forecast_category"].tolist() == ["commit", "best_case", "pipeline"]
    assert pipeline["days_in_stage"].tolist() == [19, 5, 19]


def test_bookings_count_the_deals_won_in_the_period():
    assert forecasting.booked(HISTORY, "2025-01-01", "2025-04-01") == 200  # A 120 + D 80
    assert forecasting.booked(HISTORY, "2025-04-01", "2025-07-01") == 0  # B was lost


def test_stage_win_rates_are_learned_from_the_deals_closed_before_the_moment():
    rates = forecasting.stage_win_rates(HISTORY, "2025-05-01")
    assert rates["prospecting"] == pytest.approx(2 / 3)  # A and D won, B lost; C is still open
    assert math.isnan(rates["qualification"])  # no closed deal went through it
    assert rates["proposal"] == 0 and rates["negotiation"] == 1
    assert forecasting.stage_win_rates(HISTORY, "2025-04-01")["prospecting"] == 1  # B not closed yet


def test_a_weighted_pipeline_sums_each_amount_times_its_stages_chance():
    pipeline = forecasting.pipeline_at(HISTORY, "2025-02-20")
    chances = {"prospecting": 0.5, "qualification": 0.5, "proposal": 0.25, "negotiation": 1.0}
    assert forecasting.weighted_pipeline(pipeline, chances) == 120 * 1.0 + 200 * 0.25 + 50 * 0.5
    with pytest.raises(ValueError, match="No probability for stage"):
        forecasting.weighted_pipeline(pipeline, {"prospecting": 0.5})


def test_the_forecast_categories_are_running_totals_of_the_deals_due_in_the_period():
    pipeline = forecasting.pipeline_at(HISTORY, "2025-02-20")
    first = forecasting.by_category(pipeline, "2025-01-01", "2025-04-01")
    assert first.to_dict() == {"commit": 120, "best_case": 120, "pipeline": 120}  # only A is due in Q1
    second = forecasting.by_category(pipeline, "2025-04-01", "2025-07-01")
    assert second.to_dict() == {"commit": 0, "best_case": 200, "pipeline": 250}


def test_a_deal_whose_close_date_moves_to_a_later_quarter_has_slipped():
    assert forecasting.slipped_share(HISTORY) == 0.25  # B, of four deals
    assert math.isnan(forecasting.slipped_share(HISTORY.iloc[:0]))


def test_the_backtest_says_what_each_method_would_have_forecast_on_the_quarters_first_day():
    table = forecasting.backtest(HISTORY, ["2025Q1", "2025Q2"]).set_index("quarter")
    q1, q2 = table.loc["2025Q1"], table.loc["2025Q2"]
    assert q1["booked"] == 200 and q1["run_rate"] == 0  # nothing was won in Q4 2024
    assert q1["commit"] == q1["best_case"] == q1["weighted"] == 0  # no closed deal yet to learn from
    assert q1["run_rate_error"] == -1
    assert q2["run_rate"] == 200 and q2["commit"] == 0 and q2["best_case"] == 200
    assert q2["weighted"] == 50  # C in prospecting at the rate of A and D (1); B in proposal at 0 (none closed)
    assert q2["booked"] == 0 and math.isnan(q2["weighted_error"])  # no error relative to nothing booked
    assert list(table.columns[:5]) == ["booked", *forecasting.METHODS]


@pytest.mark.parametrize("name", ["lumen", "ferro", "bloom"])
def test_a_course_companys_history_agrees_with_its_opportunities(name, companies):
    company = companies[name]
    history, deals = company.opportunity_history, company.opportunities
    moment = pd.Timestamp("2025-01-01")
    open_then = deals[(deals["created_at"] < moment) & ~(deals["closed_at"] < moment)]
    assert sorted(forecasting.pipeline_at(history, moment)["opportunity_id"]) == sorted(open_then["opportunity_id"])
    won = deals[(deals["outcome"] == "won") & (deals["closed_at"] >= moment)
                & (deals["closed_at"] < pd.Timestamp("2025-04-01"))]
    assert forecasting.booked(history, moment, "2025-04-01") == pytest.approx(won["amount"].sum())
    rates = forecasting.stage_win_rates(history, "2025-07-01")
    assert rates.is_monotonic_increasing  # a deal further along is likelier to be won
    table = forecasting.backtest(history)
    assert len(table) >= 4 and (table["commit"] <= table["best_case"]).all()


DEALS = pd.DataFrame({
    "outcome": ["won", "lost", "lost", "lost", "open", "won", "lost"],
    "loss_reason": [None, "price", "price", "timing", None, None, None],
    "amount": [100.0, 50.0, 30.0, 200.0, 70.0, 80.0, 10.0],
    "created_at": pd.to_datetime(["2025-01-01"] * 7),
    "closed_at": pd.to_datetime(["2025-02-01", "2025-01-11", "2025-01-21", "2025-03-02", None, "2025-01-15",
                                 "2025-01-05"]),
    "owner_id": ["E1", "E1", "E2", "E2", "E2", "E2", "E1"],
})


def test_loss_reasons_weigh_the_deals_lost_by_count_and_by_amount():
    table = forecasting.loss_reasons(DEALS)
    assert table.index.tolist() == ["timing", "price", "not given"]  # by amount lost: 200, 80, 10
    assert table.loc["price", "deals"] == 2 and table.loc["price", "share_of_deals"] == 0.5
    assert table.loc["timing", "share_of_amount"] == pytest.approx(200 / 290)
    assert table.loc["price", "median_days"] == 15  # 10 and 20 days
    assert forecasting.loss_reasons(DEALS[DEALS["outcome"] == "won"]).empty


def test_win_rates_by_group_count_only_closed_deals():
    table = forecasting.win_rates_by(DEALS, "owner_id")
    assert table.loc["E1"].tolist() == [1, 2, pytest.approx(1 / 3)]
    assert table.loc["E2"].tolist() == [1, 2, pytest.approx(1 / 3)]  # E2's open deal does not count
    by_segment = forecasting.win_rates_by(DEALS, ["smb", "smb", "ent", "ent", "ent", "ent", "smb"])
    assert by_segment.loc["ent", "win_rate"] == pytest.approx(1 / 3) and by_segment.loc["smb", "won"] == 1


def test_coverage_is_the_qualified_pipeline_due_this_quarter_over_the_quota_left():
    # 2025-02-20: A (negotiation, 120, due 15 March) is qualified and due; B (proposal) is due in April; C is in
    # prospecting. D's 80 is booked, so 300 − 80 = 220 of the quota is left.
    assert forecasting.coverage_at(HISTORY, "2025-02-20", 300) == pytest.approx(120 / 220)
    assert math.isnan(forecasting.coverage_at(HISTORY, "2025-02-20", 80))  # the quota is already met


def test_the_deals_due_in_a_quarter_end_won_lost_or_slipped():
    # On 1 January 2025 only D (80, due 15 January) is open, and it is won in January: all won.
    assert forecasting.due_outcomes(HISTORY, "2025Q1").to_dict() == {"due": 80, "won": 80, "lost": 0,
                                                                     "still_open": 0, "deals": 1}
    # On 1 April, B (200, due 10 April) is open and lost on 20 April; C (50, due 1 May) is open and never closes.
    assert forecasting.due_outcomes(HISTORY, "2025Q2").to_dict() == {"due": 250, "won": 0, "lost": 200,
                                                                     "still_open": 50, "deals": 2}


def _table(errors: dict[str, list[float]]) -> pd.DataFrame:
    rows = len(next(iter(errors.values())))
    return pd.DataFrame({"quarter": [f"2025Q{i + 1}" for i in range(rows)], "booked": [100.0] * rows,
                         **{f"{m}_error": errors[m] for m in forecasting.METHODS}})


def test_accuracy_weighs_each_methods_errors_both_ways():
    table = _table({"run_rate": [0.1, -0.3], "commit": [-0.5, -0.5], "best_case": [0.2, 0.0],
                    "weighted": [1.0, float("nan")]})
    accuracy = forecasting.accuracy(table)
    assert accuracy.loc["run_rate", "mean_abs_error"] == pytest.approx(0.2)
    assert accuracy.loc["run_rate", "mean_error"] == pytest.approx(-0.1)
    assert accuracy.loc["best_case", ["over_forecast", "quarters"]].tolist() == [1, 2]
    assert accuracy.loc["weighted", ["quarters", "worst_abs_error"]].tolist() == [1, 1.0]  # nan: nothing booked


def test_the_backtest_finding_names_the_closest_and_the_furthest_method_from_the_numbers():
    table = _table({"run_rate": [0.1, -0.3], "commit": [-0.5, -0.5], "best_case": [0.2, 0.0],
                    "weighted": [1.0, 0.6]})
    assert forecasting.backtest_finding(table) == (
        "Over 2 quarters, the best case came closest to what was booked (off by 10% on average); the weighted "
        "pipeline was furthest (off by 80% on average, too high in 2 of 2 quarters).")
    low = _table({"run_rate": [0.1, 0.1], "commit": [-0.9, -0.7], "best_case": [0.0, 0.1], "weighted": [0.5, 0.5]})
    assert "the commit was furthest (off by 80% on average, too low in 2 of 2 quarters)" in \
        forecasting.backtest_finding(low)
    assert forecasting.backtest_finding(_table({m: [float("nan")] for m in forecasting.METHODS})).startswith("No ")


def test_a_sound_forecast_call_passes_and_each_broken_rule_is_named():
    # On 1 January 2025 only D is open (prospecting since 1 December, due 15 January). Add E, in negotiation since
    # 20 December and due in February, and F, in negotiation since 1 October, due in March: the median days in
    # negotiation that day is that of E and F (12 and 92 days: 52), so F's 92 days are not past twice it.
    extra = pd.DataFrame([("E", "2024-12-20", "negotiation", 300, "2025-02-10"),
                          ("F", "2024-10-01", "negotiation", 100, "2025-03-01"),
                          ("G", "2024-12-01", "proposal", 70, "2025-05-01")],
                         columns=["opportunity_id", "changed_at", "stage", "amount", "close_date"])
    history = pd.concat([HISTORY, extra.assign(changed_at=pd.to_datetime(extra["changed_at"]),
                                               close_date=pd.to_datetime(extra["close_date"]))])
    sound = {"commit": ["E", "F"], "best_case": ["E", "F"], "number": 350.0, "low": 100.0, "high": 480.0}
    assert forecasting.forecast_call_problems(sound, history, "2025Q1") == []
    problems = forecasting.forecast_call_problems(
        {"commit": ["D", "E", "A"], "best_case": ["E", "G"], "number": 500.0, "low": 100.0, "high": 480.0},
        history, "2025Q1")
    assert len(problems) == 5, problems
    assert problems[0].startswith("A was not open on 1 January 2025")
    assert problems[1].startswith("G is due on 1 May 2025, outside 2025Q1")
    assert problems[2] == "The best case includes the commit: add D, A to it, or take them out of the commit."
    assert problems[3].startswith("D is only in prospecting: too early to commit")
    assert "low ≤ number ≤ high (yours: 100 ≤ 500 ≤ 480)" in problems[4]
    assert forecasting.forecast_call_problems(350.0, history, "2025Q1")[0].startswith("Write the call as a dict")
    assert forecasting.forecast_call_problems({"commit": []}, history, "2025Q1")[0].startswith("Your call has no")
    assert len(forecasting.forecast_call_problems({**sound, "commit": "E", "number": "lots"}, history, "2025Q1")) == 2


def test_a_deal_stale_in_its_stage_is_reviewed_before_it_is_committed():
    rows = [(d, "2025-03-25", "negotiation", 10, "2025-05-01") for d in "PQR"] + \
        [("S", "2025-01-05", "negotiation", 10, "2025-05-01")]  # S: 86 days in negotiation on 1 April, the others 7
    history = pd.DataFrame(rows, columns=["opportunity_id", "changed_at", "stage", "amount", "close_date"]).assign(
        changed_at=lambda f: pd.to_datetime(f["changed_at"]), close_date=lambda f: pd.to_datetime(f["close_date"]))
    call = {"commit": ["P", "S"], "best_case": ["P", "S"], "number": 20.0, "low": 0.0, "high": 20.0}
    (problem,) = forecasting.forecast_call_problems(call, history, "2025Q2")
    assert problem.startswith("S has sat 86 days in negotiation, more than twice the usual 7")
