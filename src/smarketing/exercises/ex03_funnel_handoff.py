"""Exercise 03 · the funnel and the handoff: MQL → SQL conversion, the cohort conversion table, a leakage
function, an MQL threshold within sales' capacity, and the revenue that threshold keeps."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from smarketing import funnel, kpis
from smarketing.exercises.shared import close, company
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import frame, function, is_number, number
from smarketing.messages import _

CAPACITY_PER_MONTH = 150  # MQLs a month that ferro's reps can follow up properly (task 4)
TODAY_THRESHOLD = 40  # the MQL score threshold ferro's marketing hands leads over at today


def ferro_counts() -> dict[str, int]:
    """ferro's leads, and those of them that reached MQL, SAL and SQL."""
    leads = company("ferro").leads
    return {"leads": len(leads), "mqls": int(leads["mql_at"].notna().sum()),
            "sals": int(leads["sal_at"].notna().sum()), "sqls": int(leads["sql_at"].notna().sum())}


def _leakage_cases() -> list[tuple[tuple, float]]:
    """Task 3's cases. The learner's function gets copies: one that drops rows in place must not change
    the cached leads that every later check relies on."""
    ferro, lumen = company("ferro").leads, company("lumen").leads
    return [((ferro.copy(), 1440), funnel.leakage_rate(ferro, 1440)),
            ((ferro.copy(), 60), funnel.leakage_rate(ferro, 60)),
            ((lumen.copy(), 1440), funnel.leakage_rate(lumen, 1440))]


def ferro_threshold(capacity_per_month: float = CAPACITY_PER_MONTH) -> int:
    """Task 4: ferro's lowest MQL threshold within sales' capacity (:func:`funnel.capacity_threshold`)."""
    ferro = company("ferro")
    return funnel.capacity_threshold(ferro.leads, ferro.opportunities, capacity_per_month)


@cache
def _ferro_tradeoff() -> pd.DataFrame:
    ferro = company("ferro")
    return funnel.mql_threshold_tradeoff(ferro.leads, ferro.opportunities, range(101))


def _threshold_variant(kind: str, capacity: float) -> float:
    """The threshold that a common mistake of task 4 gives for ferro at ``capacity``: the two years' MQLs
    compared with one month's capacity ("total"), a strict comparison ("strict"), or the highest threshold
    within capacity ("highest"). nan when no threshold qualifies."""
    table = _ferro_tradeoff()
    per_month = table["mqls"] / funnel.months_of_data(company("ferro").leads)
    within = {"total": table["mqls"] <= capacity, "strict": per_month < capacity,
              "highest": per_month <= capacity}[kind]
    thresholds = table.loc[within, "threshold"]
    if thresholds.empty:
        return math.nan
    return float(thresholds.max() if kind == "highest" else thresholds.min())


@cache
def _equal_capacity() -> float | None:
    """A capacity that one threshold's MQLs a month meet exactly, so that "at most" and "fewer than" lead
    to different thresholds: the case that tells ≤ from <."""
    months = funnel.months_of_data(company("ferro").leads)
    for mqls in _ferro_tradeoff()["mqls"]:
        capacity = mqls / months
        if mqls > 0 and mqls % months == 0 and _threshold_variant("strict", capacity) != ferro_threshold(capacity):
            return float(capacity)
    return None


def _threshold_cases() -> list[tuple[tuple, int]]:
    ferro = company("ferro")
    capacities = [c for c in (CAPACITY_PER_MONTH, 100, _equal_capacity()) if c is not None]
    return [((ferro.leads.copy(), ferro.opportunities.copy(), capacity), ferro_threshold(capacity))
            for capacity in capacities]


def _probe_threshold(answer: Callable, capacity: float) -> Any:
    ferro = company("ferro")
    return answer(ferro.leads.copy(), ferro.opportunities.copy(), capacity)


def _valid_threshold(value: Any) -> bool:
    return is_number(value) and math.isfinite(value) and 0 <= value <= 100


def revenue_share_at(threshold: float, column: str = "share_of_won_revenue") -> float:
    """Task 5: the share of ferro's won revenue from leads scoring at or above ``threshold``
    (:func:`funnel.mql_threshold_tradeoff`), or another of its columns at that threshold."""
    ferro = company("ferro")
    return float(funnel.mql_threshold_tradeoff(ferro.leads, ferro.opportunities, [threshold])[column].iloc[0])


def _share_mistake(wrong: Callable[[float], float]) -> Callable[..., bool]:
    """A mistake detector for task 5, at the learner's own threshold (and never on a right answer)."""
    def looks_like(answer: Any, threshold: Any = None) -> bool:
        if not _valid_threshold(threshold):
            return False
        right, value = revenue_share_at(float(threshold)), wrong(float(threshold))
        return close(answer, value) and not close(answer, right) and not math.isclose(value, right, rel_tol=1e-3)
    return looks_like


def _stage_lists(answer: Any) -> tuple[list[str], list[str]] | None:
    if not isinstance(answer, pd.DataFrame) or not {"from_stage", "to_stage"} <= set(answer.columns):
        return None
    return answer["from_stage"].astype(str).tolist(), answer["to_stage"].astype(str).tolist()


STEPS = (list(funnel.STAGES[:-1]), list(funnel.STAGES[1:]))  # from_stage and to_stage of task 2, in order


def _by_step(answer: Any, column: str) -> pd.Series | None:
    """A learner's conversion ``column`` by ``to_stage`` (as text), or None without those columns."""
    if not isinstance(answer, pd.DataFrame) or not {column, "to_stage"} <= set(answer.columns):
        return None
    values = pd.to_numeric(answer[column], errors="coerce").astype(float)
    return pd.Series(values.to_numpy(), index=answer["to_stage"].astype(str).to_numpy())


def _step_column_is(column: str, wrong: Callable[[pd.DataFrame], pd.Series]) -> Callable[[Any], bool]:
    """A mistake detector for task 2: the answer's ``column``, step by step, is what ``wrong`` makes of
    the right table (and the right values are something else)."""
    def looks_like(answer: Any) -> bool:
        right = _conversion().set_index("to_stage")
        got, want = _by_step(answer, column), pd.Series(np.asarray(wrong(right), dtype=float), index=right.index)
        if got is None or sorted(got.index) != sorted(want.index) or got.index.duplicated().any():
            return False
        return bool(np.allclose(got.reindex(want.index), want, rtol=1e-6)
                    and not np.allclose(want, right[column].astype(float), rtol=1e-6))
    return looks_like


def _conversion() -> pd.DataFrame:
    ferro = company("ferro")
    return funnel.stage_conversion(ferro.leads, ferro.opportunities)


def tasks() -> tuple[Task, ...]:
    """The tasks of exercise 03, in order."""

    ferro = company("ferro")
    counts = ferro_counts

    def structure(answer: object) -> str | None:
        return frame(lambda: _conversion()[["from_stage", "to_stage"]], key=None, check_order=True)(answer)

    def leakage_ignoring_never_contacted(answer: Callable) -> bool:
        leads = ferro.leads[ferro.leads["mql_at"].notna()]
        wrong = float((leads["first_response_minutes"] > 1440).sum()) / len(leads)
        return close(answer(ferro.leads.copy(), 1440), wrong)

    def leakage_over_all_leads(answer: Callable) -> bool:
        wrong = funnel.leakage_rate(ferro.leads, 1440) * counts()["mqls"] / counts()["leads"]
        return close(answer(ferro.leads.copy(), 1440), wrong)

    def threshold_problem(answer: Any, threshold: Any = None) -> str | None:
        problem = function(_threshold_cases, describe=lambda args: _(" (ferro, at most {capacity:g} MQLs a month)",
                                                                     capacity=args[2]))(answer)
        if problem:
            return problem
        if threshold is None:
            return _("your function works; now store its result for ferro at 150 MQLs a month in `threshold` "
                     "(task 5 builds on it).")
        if not is_number(threshold) or float(threshold) != ferro_threshold():
            return _("`threshold` should be what your function gives for ferro's leads at 150 MQLs a month.")
        return None

    def returns_mqls(answer: Callable, threshold: Any = None) -> bool:
        got = _probe_threshold(answer, CAPACITY_PER_MONTH)
        mqls = float(_ferro_tradeoff().set_index("threshold").loc[ferro_threshold(), "mqls"])
        return any(close(got, value) for value in (mqls, mqls / funnel.months_of_data(ferro.leads)))

    def variant(kind: str, *capacities: float) -> Callable[..., bool]:
        def looks_like(answer: Callable, threshold: Any = None) -> bool:
            return all(close(_probe_threshold(answer, c), _threshold_variant(kind, c))
                       and _threshold_variant(kind, c) != ferro_threshold(c) for c in capacities)
        return looks_like

    def strict(answer: Callable, threshold: Any = None) -> bool:
        capacity = _equal_capacity()
        return capacity is not None and variant("strict", capacity)(answer) and \
            close(_probe_threshold(answer, CAPACITY_PER_MONTH), ferro_threshold())

    def share_problem(answer: Any, threshold: Any = None) -> str | None:
        if not _valid_threshold(threshold):
            return _("task 5 builds on task 4: store your threshold (a number from 0 to 100) in `threshold` "
                     "first, then run this check again.")
        return number(lambda: revenue_share_at(float(threshold)), share=True)(answer)

    def won_deals_share(t: float) -> float:
        return revenue_share_at(t, "won_deals") / revenue_share_at(0, "won_deals")

    return (
        Task("q1", "mql_to_sql_rate", number(lambda: kpis.conversion_rate(counts()["sqls"], counts()["mqls"]),
                                             share=True),
             (_("count the leads with an `mql_at` time, count those of them with an `sql_at` time, divide."),
              _("leads[\"mql_at\"].notna() marks the MQLs; combine it with the same test on `sql_at` using & to mark "
                "the MQLs that also became SQLs. Divide the number of the second by the number of the first: neither "
                "by all the leads nor by the SALs.")),
             mistakes=(
                 Mistake(lambda a: close(a, counts()["sqls"] / counts()["leads"]),
                         _("you divided by all leads. A stage's conversion divides by those who entered the stage "
                           "before it: the MQLs.")),
                 Mistake(lambda a: close(a, counts()["sqls"] / counts()["sals"]),
                         _("you divided by the SALs (the leads sales accepted). This task asks for MQL → SQL: "
                           "divide by the MQLs.")),
             )),
        Task("q2a", "conversion", structure,
             (_("one row per step: lead→mql, mql→sal, sal→sql, sql→opportunity, opportunity→won, in that order, "
                "with columns from_stage and to_stage named as in funnel.STAGES."),
              _("the steps are the consecutive pairs of funnel.STAGES, each stage with the one after it "
                "(zip(funnel.STAGES, funnel.STAGES[1:]) pairs them): five steps in all. Build the DataFrame from two "
                "lists, one for from_stage and one for to_stage, as columns and not as the index.")),
             mistakes=(
                 Mistake(lambda a: isinstance(a, pd.DataFrame) and "from_stage" not in a.columns
                         and "from_stage" in [n for n in a.index.names if n],
                         _("`from_stage` is in the index of your table, not a column: add .reset_index() at the "
                           "end.")),
                 Mistake(lambda a: _stage_lists(a) != STEPS and _stage_lists(a) is not None
                         and tuple([s.strip().lower() for s in part] for part in _stage_lists(a)) == STEPS,
                         _("write the stage names exactly as in funnel.STAGES: in lower case, like 'mql'.")),
                 Mistake(lambda a: _stage_lists(a) is not None and _stage_lists(a)[::-1] == STEPS,
                         _("`from_stage` and `to_stage` are swapped: each step goes from the earlier stage to the "
                           "later one.")),
                 Mistake(lambda a: _stage_lists(a) is not None
                         and tuple(part[::-1] for part in _stage_lists(a)) == STEPS,
                         _("your steps are in reverse order: start with lead → mql and end with opportunity → won.")),
             )),
        Task("q2b", "conversion", frame(_conversion, key="to_stage", tolerance=1e-3),
             (_("for each step, `entered` counts the leads that reached from_stage, `converted` those of them that "
                "also reached to_stage, and `rate` = converted ÷ entered. A lead reached 'opportunity' if its "
                "lead_id is in the opportunities table, 'won' if one of its opportunities has outcome 'won'."),
              _("make a True/False Series per stage that says whether each lead reached it: mql_at, sal_at and "
                "sql_at with .notna(); opportunity and won with .isin on the lead_ids of opportunities (for won, "
                "only its rows with outcome \"won\"). For a step, entered is the sum of the from_stage Series, and "
                "converted counts the leads for which both Series are True (&).")),
             mistakes=(
                 Mistake(_step_column_is("rate", lambda right: 100 * right["rate"]),
                         _("your rates look like percentages: give each as a share between 0 and 1.")),
                 Mistake(_step_column_is("entered", lambda right: pd.Series(counts()["leads"], index=right.index)),
                         _("`entered` counts every lead at each step. Count only the leads that reached the step's "
                           "from_stage: the cohort that could convert.")),
                 Mistake(_step_column_is("rate", lambda right: right["converted"] / counts()["leads"]),
                         _("each of your rates divides by all leads. A step's rate divides by the leads that entered "
                           "it, those that reached from_stage: converted ÷ entered.")),
             )),
        Task("q3", "leakage_rate", function(_leakage_cases, compare=close,
                                            describe=lambda args: _(" (SLA {minutes} minutes)", minutes=args[1])),
             (_("take the MQLs only; a lead leaked if its first_response_minutes is empty (never contacted) or "
                "above the SLA. Return leaked ÷ MQLs."),
              _("filter the MQLs first (mql_at .notna()) and return math.nan when there are none. Then "
                "first_response_minutes <= sla_minutes marks the MQLs answered in time: an empty cell gives False, "
                "so the never-contacted ones count as leaked with no extra work. The leaked share is 1 minus the "
                "share in time.")),
             mistakes=(
                 Mistake(leakage_ignoring_never_contacted,
                         _("MQLs that sales never contacted (an empty first_response_minutes) leaked too: "
                           "count them.")),
                 Mistake(leakage_over_all_leads,
                         _("you divided by all leads. Leakage is a share of the MQLs, the leads sales should have "
                           "answered.")),
             )),
        Task("q4", "lowest_threshold", threshold_problem,
             (_("in your function: tradeoff = funnel.mql_threshold_tradeoff(leads, opportunities, range(101)) gives "
                "the MQLs at every threshold over the whole data. Count the months the leads cover, from the month "
                "of the first created_at to the month of the last (created_at.dt.to_period('M')), divide the MQLs by "
                "them, keep the thresholds at or under capacity_per_month and return the lowest."),
              _("two monthly periods subtract to a number of months (the attribute .n of the difference); add 1 so "
                "that both the first and the last month count. Compare the tradeoff's mqls ÷ months with the "
                "capacity using <= (a month exactly at capacity is within it), return the smallest `threshold` left "
                "as an int, and store your function's result for ferro at 150 in `threshold`.")),
             mistakes=(
                 Mistake(returns_mqls, _("your function returns a number of MQLs; it should return a score threshold "
                                         "(a whole number from 0 to 100).")),
                 Mistake(variant("total", 3000),
                         _("you compared the MQLs of all the months together with one month's capacity: divide the "
                           "MQLs by the number of months in the data first.")),
                 Mistake(variant("highest", CAPACITY_PER_MONTH, 3000),
                         _("you took the highest threshold within capacity; the task asks for the lowest, which keeps "
                           "the most leads that sales can still follow up.")),
                 Mistake(strict,
                         _("a month of exactly the capacity is still within it: keep the thresholds whose MQLs a month "
                           "are at most (≤) the capacity, not only those below (<) it.")),
             ), given=("threshold",)),
        Task("q5", "revenue_share_kept", share_problem,
             (_("at your threshold, the share of won revenue that came from leads scoring at or above it "
                "(column share_of_won_revenue of funnel.mql_threshold_tradeoff(leads, opportunities, [threshold]))."),
              _("the table that funnel.mql_threshold_tradeoff returns for a list of one threshold has one row: take "
                "the value out of its column (.iloc[0]) and make it a float. Use the variable `threshold` of task 4 "
                "(run that cell first), not today's threshold of 40, and do not multiply by 100.")),
             mistakes=(
                 Mistake(_share_mistake(lambda t: revenue_share_at(t, "share_of_leads")),
                         _("that is the share of leads at or above your threshold; the task asks for the share of "
                           "won revenue they brought.")),
                 Mistake(_share_mistake(won_deals_share),
                         _("you counted won deals; the task asks for the share of won revenue, in which a big deal "
                           "counts for more.")),
                 Mistake(_share_mistake(lambda t: 1 - revenue_share_at(t)),
                         _("that is the share of won revenue below your threshold, what the threshold gives up; the "
                           "task asks for the share it keeps.")),
                 Mistake(_share_mistake(lambda t: revenue_share_at(TODAY_THRESHOLD)),
                         _("that is the share at today's threshold of 40; take it at your threshold from task 4.")),
                 Mistake(_share_mistake(lambda t: revenue_share_at(t, "won_revenue")),
                         _("that is an amount of revenue; give it as a share of all won revenue, between 0 and 1.")),
             ), given=("threshold",)),
    )
