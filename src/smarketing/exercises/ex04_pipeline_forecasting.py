"""Exercise 04 · pipeline and forecasting: argo's open pipeline on a day, its weighted forecast and best case for
a quarter, the forecasting method its own backtest favours, and its team's capacity with the ramp of new reps;
then the design deliverable, the fourth quarter's forecast call (committed deals, best case, a number and its
range), whose rules :func:`forecasting.forecast_call_problems` checks (any sound call passes; the memo is graded
by hand).

argo's data is drawn anew for each cohort, so no message names a number of it: every expected value is computed
on the data with the functions module 04 teaches (``forecasting``, ``planning``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from smarketing import forecasting, planning
from smarketing.exercises.shared import company, design_verdict, mistaken
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import choice, number
from smarketing.messages import _

COMPANY = "argo"
DAY = "2025-07-01"  # tasks 1-3: the first day of the quarter forecast
QUARTER = pd.Period("2025Q3", freq="Q")
PLAN_QUARTER = pd.Period("2025Q4", freq="Q")  # task 5 and the design deliverable: the quarter planned and called
RAMP_DAYS = 120  # task 5's assumption, stated in its brief (module 04 shows 180: the answer is not printed there)


def _history() -> pd.DataFrame:
    return company(COMPANY).opportunity_history


def open_pipeline(day: str = DAY) -> float:
    """Task 1: the amount of argo's open pipeline on ``day`` (:func:`forecasting.pipeline_at`)."""
    return float(forecasting.pipeline_at(_history(), day)["amount"].sum())


def _due(day: str = DAY) -> pd.DataFrame:
    return forecasting.due_between(forecasting.pipeline_at(_history(), day), QUARTER.start_time,
                                   (QUARTER + 1).start_time)


def weighted_forecast(hindsight: bool = False, everything_open: bool = False) -> float:
    """Task 2: the open deals due in the quarter × their stage's win rate learned before its first day (with
    ``hindsight``, from every deal ever closed; with ``everything_open``, over every open deal, due or not)."""
    before = "2100-01-01" if hindsight else DAY
    rates = forecasting.stage_win_rates(_history(), before).fillna(0.0).to_dict()
    deals = forecasting.pipeline_at(_history(), DAY) if everything_open else _due()
    return forecasting.weighted_pipeline(deals, rates)


def best_case(part: str = "best_case") -> float:
    """Task 3: the best case for the quarter on its first day (:func:`forecasting.by_category`)."""
    calls = forecasting.by_category(forecasting.pipeline_at(_history(), DAY), QUARTER.start_time,
                                    (QUARTER + 1).start_time)
    return float(calls["best_case"] - calls["commit"]) if part == "proposals_only" else float(calls[part])


def closest_method(by: str = "mean_abs_error") -> str:
    """Task 4: the method of argo's backtest with the smallest mean absolute error (``by="mean_error"``: the one a
    learner who forgets the absolute value picks)."""
    accuracy = forecasting.accuracy(forecasting.backtest(_history()))
    return str(accuracy[by].idxmin())


def capacity(ramp_days: float = RAMP_DAYS, everyone: bool = False) -> float:
    """Task 5: argo's team capacity in :data:`PLAN_QUARTER` with a ``ramp_days`` ramp (:func:`planning.capacity`);
    with ``everyone``, the full quarterly quota of every rep on the staff list, as if all were there and ramped."""
    employees = company(COMPANY).employees
    if everyone:
        return float(employees["quarterly_quota"].sum())
    return float(planning.capacity(employees, PLAN_QUARTER, ramp_days)["capacity"].sum())


def tasks() -> tuple[Task, ...]:
    """The tasks of exercise 04, in order."""

    def every_row() -> float:
        seen = _history()[_history()["changed_at"] < pd.Timestamp(DAY)]
        return float(seen.loc[seen["stage"].astype(str).isin(forecasting.OPEN_STAGES), "amount"].sum())

    def today_open() -> float:
        opportunities = company(COMPANY).opportunities
        return float(opportunities.loc[opportunities["outcome"].astype(str) == "open", "amount"].sum())

    def is_method(answer: Any, wrong: str) -> bool:
        return isinstance(answer, str) and answer.lower() == wrong != closest_method()

    return (
        Task("q1", "open_pipeline", number(open_pipeline),
             (_("rebuild the pipeline as the CRM showed it on that day: each deal's latest change before the day, "
                "kept if its stage is still open; add up the amounts."),
              _("forecasting.pipeline_at(history, \"2025-07-01\") does exactly that; sum its `amount` column.")),
             mistakes=(
                 Mistake(mistaken(open_pipeline, every_row),
                         _("you added up every row of the history before the day: a deal that changed stage three "
                           "times counts three times. Keep each deal's latest change only.")),
                 Mistake(mistaken(open_pipeline, today_open),
                         _("that is the pipeline open at the end of the data (outcome 'open' in opportunities), not "
                           "on 1 July 2025. The stage history tells what was open on that day.")),
             )),
        Task("q2", "weighted_forecast", number(weighted_forecast),
             (_("take the open deals on the quarter's first day whose close date falls in the quarter; weight each "
                "amount by its stage's win rate learned from the deals closed before that day."),
              _("forecasting.stage_win_rates(history, \"2025-07-01\") gives the rates (fill a stage without closed "
                "deals with 0); forecasting.weighted_pipeline(due_deals, rates) adds up amount × rate.")),
             mistakes=(
                 Mistake(mistaken(weighted_forecast, lambda: weighted_forecast(hindsight=True)),
                         _("your win rates were learned from every deal closed, also after 1 July 2025: a forecast "
                           "can only use what was known on its day. Learn them from the deals closed before it.")),
                 Mistake(mistaken(weighted_forecast, lambda: weighted_forecast(everything_open=True)),
                         _("you weighted every open deal; the quarter's forecast counts only the deals expected to "
                           "close in it (close_date from 1 July to 30 September 2025).")),
             )),
        Task("q3", "best_case_call", number(best_case),
             (_("the best case is the commit (deals in negotiation) plus the proposals out, both only for deals "
                "expected to close in the quarter."),
              _("forecasting.by_category(pipeline, start, end) gives the running totals; take its best_case.")),
             mistakes=(
                 Mistake(mistaken(best_case, lambda: best_case("proposals_only")),
                         _("that is the proposals alone. The best case includes the commit: it is a running total, "
                           "never lower than the commit.")),
                 Mistake(mistaken(best_case, lambda: best_case("pipeline")),
                         _("that is the whole pipeline due in the quarter, prospecting and qualification included. "
                           "The best case stops at the proposals.")),
             )),
        Task("q4", "closest_method", _method_verifier(),
             (_("run forecasting.backtest on argo's history and compare the methods by how far they were off, "
                "whichever way."),
              _("forecasting.accuracy(backtest) has a column mean_abs_error: the method with the smallest is the "
                "closest. Answer with its name as in forecasting.METHODS, such as \"run_rate\".")),
             mistakes=(
                 Mistake(lambda answer: is_method(answer, closest_method("mean_error")),
                         _("you chose the smallest mean error: a method that is far too high in one quarter and far "
                           "too low in another has a small mean error. Compare the mean absolute error.")),
             )),
        Task("q5", "capacity_q4", number(capacity),
             (_("for each rep with a quota, average over the quarter's days the share of quota expected: 0 before "
                "the first day, then days on board ÷ 120, at most 1; multiply by the quota and add up."),
              _("planning.capacity(employees, \"2025Q4\", ramp_days=120) gives each rep's capacity; sum its "
                "`capacity` column.")),
             mistakes=(
                 Mistake(mistaken(capacity, lambda: capacity(everyone=True)),
                         _("that is every rep's full quota, as if all had been there, ramped, from the quarter's "
                           "first day. New reps sell less while they ramp up, and none before their first day.")),
                 Mistake(mistaken(capacity, lambda: capacity(ramp_days=0)),
                         _("you counted each rep's days on board but no ramp: a rep hired in the quarter does not "
                           "sell a full quota from the first day. Use the 120-day ramp.")),
                 Mistake(mistaken(capacity, lambda: capacity(ramp_days=planning.DEFAULT_RAMP_DAYS)),
                         _("that uses the course's 180-day ramp; argo's sales leader plans with 120 days.")),
             )),
        Task("q6", "forecast_call", _call_verdict,
             (_("start from forecasting.pipeline_at(history, \"2025-10-01\"): keep the deals due by 31 December; "
                "commit the ones with a proposal out or in negotiation that have not sat in their stage too long, "
                "put them with the other proposals in the best case, and choose the number from task 4's method."),
              _("the check runs forecasting.forecast_call_problems(forecast_call, history, \"2025Q4\"): run it "
                "yourself. Compare each deal's days_in_stage with the median of its stage that day; a deal past "
                "twice the median is reviewed, not committed. The call is a dictionary with the keys commit and "
                "best_case (lists of opportunity ids) and number, low and high (amounts).")),
             mistakes=(
                 Mistake(_number_alone,
                         _("that is a number alone. The call names its deals too: a dictionary with commit and "
                           "best_case (lists of opportunity ids) beside number, low and high.")),
             )),
    )


def _call_verdict(answer: Any) -> str | None:
    """The design deliverable's check: what is wrong with a forecast call for argo's fourth quarter by
    :func:`forecasting.forecast_call_problems`, the first few problems in words, or None when it meets every rule."""
    return design_verdict(forecasting.forecast_call_problems(answer, _history(), PLAN_QUARTER), _("call"))


def _number_alone(answer: Any) -> bool:
    return isinstance(answer, (int, float)) and not isinstance(answer, bool)


def _method_verifier() -> Callable[[Any], str | None]:
    """Task 4's check: one of forecasting.METHODS, the one with the smallest mean absolute error on argo (computed
    when checked, not when the tasks are built)."""

    def verify(answer: Any) -> str | None:
        return choice([closest_method()], forecasting.METHODS)(answer)

    return verify
