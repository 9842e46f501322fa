"""Exercise 04 · pipeline and forecasting: argo's open pipeline on a day, its weighted forecast and best case for
a quarter, the forecasting method its own backtest favours, and its team's capacity with the ramp of new reps;
task 6 on vela's sales craft (which qualification box tells won from lost deals, the win rate with all four ticked,
what discounts gave away; vela, since argo closes too few quoted deals); then the design deliverable, the fourth
quarter's forecast call (committed deals, best case, a number and its range), whose rules
:func:`forecasting.forecast_call_problems` checks (any sound call passes; the memo is graded by hand).

argo's and vela's data are drawn anew for each cohort, so no message names a number of them: every expected value
is computed on the data with the functions module 04 teaches (``forecasting``, ``planning``, ``selling``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from smarketing import forecasting, kpis, planning, selling
from smarketing.exercises.shared import company, design_verdict, mistaken
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import choice, number
from smarketing.messages import _

COMPANY = "argo"
DAY = "2025-07-01"  # tasks 1-3: the first day of the quarter forecast
QUARTER = pd.Period("2025Q3", freq="Q")
PLAN_QUARTER = pd.Period("2025Q4", freq="Q")  # task 5 and the design deliverable: the quarter planned and called
RAMP_DAYS = 120  # task 5's assumption, stated in its brief (module 04 shows 180: the answer is not printed there)
CRAFT_COMPANY = "vela"  # task 6: enough quoted deals to compare (argo closes a few dozen)


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


def _deals() -> pd.DataFrame:
    return company(CRAFT_COMPANY).opportunities


def best_box(by: str = "difference") -> str:
    """Task 6a: the BANT box whose win rate ticked is furthest above its win rate not ticked
    (:func:`selling.checklist_win_rates`); ``by="ticked"``: the box ticked on most closed deals,
    ``by="win_rate_ticked"``: the box with the highest win rate when ticked (the two mistakes)."""
    return str(selling.checklist_win_rates(_deals())[by].idxmax())


def four_boxes_win_rate(at_least: int = 4, open_as_lost: bool = False) -> float:
    """Task 6b: the win rate of vela's closed deals with all four boxes ticked (``at_least`` 3: the mistake of three
    or more; ``open_as_lost``: the mistake of dividing by every such deal, open ones included)."""
    deals = _deals()
    chosen = deals[selling.boxes_ticked(deals) >= at_least]
    if open_as_lost:
        return float((chosen["outcome"].astype(str) == "won").mean())
    outcome = chosen["outcome"].astype(str)
    return kpis.win_rate(int((outcome == "won").sum()), int((outcome == "lost").sum()))


def share_given_away(of: str = "list") -> float:
    """Task 6c: the share of the list value of vela's won, quoted deals that discounts gave away
    (:func:`selling.given_away`); ``of="booked"``: discount × amount ÷ amount, ``of="mean"``: the plain mean of the
    discounts (the two mistakes)."""
    deals = _deals()
    won = deals[(deals["outcome"].astype(str) == "won") & deals["discount"].notna()]
    if of == "booked":
        return float((won["amount"] * won["discount"]).sum() / won["amount"].sum())
    if of == "mean":
        return float(won["discount"].mean())
    return float(selling.given_away(deals).loc["all", "share_given_away"])


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
        Task("q7a", "best_box", _box_verifier(),
             (_("for each of the four boxes, compare the win rate of vela's closed deals with the box ticked and "
                "with it not ticked; the best box is the one with the largest gap."),
              _("selling.checklist_win_rates(opportunities) gives both win rates and their difference; answer with "
                "the criterion's name, such as \"budget\".")),
             mistakes=(
                 Mistake(lambda answer: _is_box(answer, best_box("ticked")),
                         _("that is the box ticked most often. A box every rep ticks tells winners from losers no "
                           "better than one few tick: compare the win rates with and without it.")),
                 Mistake(lambda answer: _is_box(answer, best_box("win_rate_ticked")),
                         _("that box has the highest win rate when ticked, but its deals without it win often too. "
                           "What tells won from lost is the gap between the two win rates.")),
             )),
        Task("q7b", "four_boxes_win_rate", number(four_boxes_win_rate, share=True),
             (_("keep vela's deals with all four boxes ticked; their win rate is won ÷ (won + lost), the open deals "
                "left out."),
              _("selling.boxes_ticked(opportunities) counts each deal's boxes; keep the deals with 4 whose outcome "
                "is not \"open\", and take the share of them that were won.")),
             mistakes=(
                 Mistake(mistaken(four_boxes_win_rate, lambda: four_boxes_win_rate(open_as_lost=True)),
                         _("you divided by every deal with four boxes, the open ones too: a deal still open is "
                           "neither won nor lost. The win rate counts closed deals only.")),
                 Mistake(mistaken(four_boxes_win_rate, lambda: four_boxes_win_rate(at_least=3)),
                         _("you kept the deals with three boxes or more; the task asks for all four.")),
             )),
        Task("q7c", "share_given_away", number(share_given_away, share=True),
             (_("for each won deal with a quote, its list price is amount ÷ (1 − discount); what discounts gave "
                "away is the list value minus the amount booked. Divide the total given away by the total list "
                "value."),
              _("selling.given_away(opportunities) adds it up: take .loc[\"all\", \"share_given_away\"].")),
             mistakes=(
                 Mistake(mistaken(share_given_away, lambda: share_given_away("booked")),
                         _("you took the discount of the amount booked. The amount is the price after the discount: "
                           "the list price is amount ÷ (1 − discount), and the share is of that.")),
                 Mistake(mistaken(share_given_away, lambda: share_given_away("mean")),
                         _("that is the average discount, each deal counted alike. A 30 % discount on a large deal "
                           "gives away far more than on a small one: weigh by the list value.")),
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


def _is_box(answer: Any, wrong: str) -> bool:
    return isinstance(answer, str) and answer.lower() == wrong != best_box()


def _box_verifier() -> Callable[[Any], str | None]:
    """Task 6a's check: one of the BANT criteria, the best on vela (computed when checked)."""

    def verify(answer: Any) -> str | None:
        return choice([best_box()], selling.BANT)(answer)

    return verify


def _number_alone(answer: Any) -> bool:
    return isinstance(answer, (int, float)) and not isinstance(answer, bool)


def _method_verifier() -> Callable[[Any], str | None]:
    """Task 4's check: one of forecasting.METHODS, the one with the smallest mean absolute error on argo (computed
    when checked, not when the tasks are built)."""

    def verify(answer: Any) -> str | None:
        return choice([closest_method()], forecasting.METHODS)(answer)

    return verify
