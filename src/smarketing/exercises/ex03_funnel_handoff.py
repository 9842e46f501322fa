"""Exercise 03 · the funnel and the handoff: MQL → SQL conversion, the cohort conversion table, a leakage
function, an MQL threshold within sales' capacity, and the revenue that threshold keeps; then the design
deliverable, a lead-scoring rule and threshold for argo that fits sales' capacity and pays for the work, whose
rules :func:`funnel.scoring_rule_problems` checks (any rule that meets them passes; the memo is graded by hand).

The tasks run on the graded companies, which no course notebook analyses and which are drawn anew for each
cohort: ``argo`` (the company of the exercise, misaligned like ferro), with ``vela`` as the other company on
which the learner's functions must work too. No message names a number of theirs: today's threshold and sales'
capacity are read from the data (:func:`today_threshold`, :func:`sales_capacity`), and every expected value is
computed on it."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from smarketing import funnel, kpis
from smarketing.exercises.shared import close, company, design_verdict, mistaken
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import frame, function, is_number, number
from smarketing.messages import _

COMPANY = "argo"  # the company of the exercise
OTHER = "vela"  # another graded company, on which the functions of tasks 3 and 4 must work too
CAPACITY_SHARE = 2 / 3  # task 4's assumption: argo's reps can follow up two thirds of the MQLs they get today
FERRO_CAPACITY = 150  # module 03's memo: the MQLs a month that the course company ferro's reps can follow up
# The design deliverable's assumptions, stated in its brief (true for any cohort): working one MQL properly takes a
# rep about four hours at a loaded cost of about 62.50 an hour (kpis.LOADED_COST_PER_HEAD over 1,600 working hours
# a year), and argo keeps 35 % of a deal's value as gross margin.
COST_PER_MQL = 250.0
GROSS_MARGIN = 0.35


def today_threshold(name: str = COMPANY) -> int:
    """The MQL score threshold at which a company's marketing hands leads over today, read from its data: the
    lowest score of any of its MQLs (every lead scoring at least that much becomes an MQL)."""
    leads = company(name).leads
    return int(leads.loc[leads["mql_at"].notna(), "score"].min())


def sales_capacity(name: str = COMPANY, share: float = CAPACITY_SHARE) -> float:
    """Task 4's capacity: ``share`` of the MQLs a month that a company's sales team gets today (its leads with
    an ``mql_at`` ÷ :func:`funnel.months_of_data`)."""
    leads = company(name).leads
    return share * float(leads["mql_at"].notna().sum()) / funnel.months_of_data(leads)


def company_counts(name: str = COMPANY) -> dict[str, int]:
    """A company's leads, and those of them that reached MQL, SAL and SQL."""
    leads = company(name).leads
    return {"leads": len(leads), "mqls": int(leads["mql_at"].notna().sum()),
            "sals": int(leads["sal_at"].notna().sum()), "sqls": int(leads["sql_at"].notna().sum())}


def _leakage_cases() -> list[tuple[tuple, float]]:
    """Task 3's cases. The learner's function gets copies: one that drops rows in place must not change
    the cached leads that every later check relies on."""
    mine, other = company(COMPANY).leads, company(OTHER).leads
    return [((mine.copy(), 1440), funnel.leakage_rate(mine, 1440)),
            ((mine.copy(), 60), funnel.leakage_rate(mine, 60)),
            ((other.copy(), 1440), funnel.leakage_rate(other, 1440))]


def _describe_leakage(args: tuple) -> str:
    leads, mine = args[0], company(COMPANY).leads
    same = len(leads) == len(mine) and leads["created_at"].iloc[[0, -1]].tolist() == \
        mine["created_at"].iloc[[0, -1]].tolist()
    return _(" ({name}'s leads, SLA {minutes} minutes)", name=COMPANY if same else OTHER, minutes=args[1])


def threshold_within(capacity_per_month: float, name: str = COMPANY) -> int:
    """Task 4: a company's lowest MQL threshold within sales' capacity (:func:`funnel.capacity_threshold`)."""
    c = company(name)
    return funnel.capacity_threshold(c.leads, c.opportunities, capacity_per_month)


def ferro_threshold(capacity_per_month: float = FERRO_CAPACITY) -> int:
    """The course company ferro's lowest MQL threshold within sales' capacity (module 03's memo). The exercise
    asks for argo's (:func:`threshold_within`); this one stays for the formula tests that pin it."""
    ferro = company("ferro")
    return funnel.capacity_threshold(ferro.leads, ferro.opportunities, capacity_per_month)


def right_thresholds(capacity_per_month: float | None = None) -> set[int]:
    """The thresholds accepted in ``threshold`` for argo at ``capacity_per_month`` (task 4's capacity by
    default): the one at that capacity, and the one a hair's breadth on either side of it, since a learner's
    capacity, computed in another order, can differ from ours in the last bit, and when a threshold's MQLs a
    month fall exactly on the capacity that bit decides."""
    capacity = sales_capacity() if capacity_per_month is None else capacity_per_month
    return {threshold_within(capacity * factor) for factor in (1 - 1e-9, 1, 1 + 1e-9)}


@cache
def _tradeoff(name: str = COMPANY) -> pd.DataFrame:
    c = company(name)
    return funnel.mql_threshold_tradeoff(c.leads, c.opportunities, range(101))


def _threshold_variant(kind: str, capacity: float) -> float:
    """The threshold that a common mistake of task 4 gives for argo at ``capacity``: the MQLs of all the months
    compared with one month's capacity ("total"), a strict comparison ("strict"), or the highest threshold
    within capacity ("highest"). nan when no threshold qualifies."""
    table = _tradeoff()
    per_month = table["mqls"] / funnel.months_of_data(company(COMPANY).leads)
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
    months = funnel.months_of_data(company(COMPANY).leads)
    for mqls in _tradeoff()["mqls"]:
        capacity = mqls / months
        if mqls > 0 and mqls % months == 0 and _threshold_variant("strict", capacity) != threshold_within(capacity):
            return float(capacity)
    return None


def _test_capacities() -> list[float]:
    """Task 4's cases, for argo: its capacity, a third of today's MQLs a month, and the case that tells ≤ from <."""
    return [c for c in (sales_capacity(), sales_capacity(share=1 / 3), _equal_capacity()) if c is not None]


def _threshold_cases() -> list[tuple[tuple, int]]:
    c = company(COMPANY)
    return [((c.leads.copy(), c.opportunities.copy(), capacity), threshold_within(capacity))
            for capacity in _test_capacities()]


def _describe_capacity(args: tuple) -> str:
    """Task 4's case in words, without argo's numbers: which capacity the function was given."""
    capacity = args[2]
    if math.isclose(capacity, sales_capacity(), rel_tol=1e-12):
        return _(" ({name}, at its sales' capacity: two thirds of its MQLs a month today)", name=COMPANY)
    if math.isclose(capacity, sales_capacity(share=1 / 3), rel_tol=1e-12):
        return _(" ({name}, at a third of its MQLs a month today)", name=COMPANY)
    return _(" ({name}, at a capacity that the MQLs a month of one threshold meet exactly)", name=COMPANY)


def _probe_threshold(answer: Callable, capacity: float) -> Any:
    c = company(COMPANY)
    return answer(c.leads.copy(), c.opportunities.copy(), capacity)


def _valid_threshold(value: Any) -> bool:
    return is_number(value) and math.isfinite(value) and 0 <= value <= 100


def revenue_share_at(threshold: float, column: str = "share_of_won_revenue") -> float:
    """Task 5: the share of argo's won revenue from leads scoring at or above ``threshold``
    (:func:`funnel.mql_threshold_tradeoff`), or another of its columns at that threshold."""
    c = company(COMPANY)
    return float(funnel.mql_threshold_tradeoff(c.leads, c.opportunities, [threshold])[column].iloc[0])


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
    c = company(COMPANY)
    return funnel.stage_conversion(c.leads, c.opportunities)


def _rule_verdict(answer: Any) -> str | None:
    """The design deliverable's check: what is wrong with a scoring rule for argo by
    :func:`funnel.scoring_rule_problems`, at task 4's capacity and the brief's cost and margin, the first few
    problems in words, or None when it meets every rule."""
    c = company(COMPANY)
    problems = funnel.scoring_rule_problems(answer, c.leads, c.opportunities, sales_capacity(), COST_PER_MQL,
                                            GROSS_MARGIN)
    return design_verdict(problems, _("rule"))


def _threshold_alone(answer: Any) -> bool:
    """A bare number where the rule (a dictionary) is asked for: a threshold with no rule around it."""
    return is_number(answer)


def _rule_in_percent(answer: Any) -> bool:
    """A rule whose threshold is a share (0 < t < 1) while the points are in the score's units (0 to 100)."""
    return isinstance(answer, dict) and is_number(answer.get("threshold")) and 0 < float(answer["threshold"]) < 1 \
        and is_number(answer.get("score_weight", 1)) and float(answer.get("score_weight", 1)) >= 1


def tasks() -> tuple[Task, ...]:
    """The tasks of exercise 03, in order."""

    counts = company_counts

    def mql_to_sql() -> float:
        return kpis.conversion_rate(counts()["sqls"], counts()["mqls"])

    def structure(answer: object) -> str | None:
        return frame(lambda: _conversion()[["from_stage", "to_stage"]], key=None, check_order=True)(answer)

    def leakage_like(wrong: Callable[[pd.DataFrame], float]) -> Callable[[Callable], bool]:
        """A mistake detector for task 3: the learner's function gives ``wrong``'s result on argo's leads at a
        day's SLA (and the right result is something else)."""
        def looks_like(answer: Callable) -> bool:
            leads = company(COMPANY).leads
            value, right = wrong(leads), funnel.leakage_rate(leads, 1440)
            return not math.isclose(value, right, rel_tol=1e-3) and close(answer(leads.copy(), 1440), value)
        return looks_like

    def ignoring_never_contacted(leads: pd.DataFrame) -> float:
        mqls = leads[leads["mql_at"].notna()]
        return float((mqls["first_response_minutes"] > 1440).sum()) / len(mqls)

    def over_all_leads(leads: pd.DataFrame) -> float:
        return funnel.leakage_rate(leads, 1440) * float(leads["mql_at"].notna().sum()) / len(leads)

    def threshold_problem(answer: Any, threshold: Any = None) -> str | None:
        problem = function(_threshold_cases, describe=_describe_capacity)(answer)
        if problem:
            return problem
        if threshold is None:
            return _("your function works; now store in `threshold` its result for argo at sales' capacity, two "
                     "thirds of the MQLs a month it gets today (task 5 builds on it).")
        if is_number(threshold) and float(threshold) in right_thresholds():
            return None
        if is_number(threshold) and float(threshold) in right_thresholds(sales_capacity(share=1)) - right_thresholds():
            return _("`threshold` is your function's result at all the MQLs a month that argo's sales team gets "
                     "today; its capacity is two thirds of them.")
        return _("`threshold` should be what your function gives for argo's leads at sales' capacity: two thirds of "
                 "argo's MQLs (its leads with an `mql_at`) ÷ the months of the data.")

    def returns_mqls(answer: Callable, threshold: Any = None) -> bool:
        right = threshold_within(sales_capacity())
        got = _probe_threshold(answer, sales_capacity())
        mqls = float(_tradeoff().set_index("threshold").loc[right, "mqls"])
        return not close(got, right) and \
            any(close(got, value) for value in (mqls, mqls / funnel.months_of_data(company(COMPANY).leads)))

    def beyond_all_leads(share: float) -> Callable[[], float]:
        """A capacity of ``share`` of all of argo's leads in one month: far beyond its leads a month, so that
        every threshold from 0 is within it, while the MQLs of all the months together exceed it."""
        return lambda: share * len(company(COMPANY).leads)

    def variant(kind: str, *capacities: Callable[[], float]) -> Callable[..., bool]:
        def looks_like(answer: Callable, threshold: Any = None) -> bool:
            return all(close(_probe_threshold(answer, c), _threshold_variant(kind, c))
                       and _threshold_variant(kind, c) != threshold_within(c) for c in (c() for c in capacities))
        return looks_like

    def strict(answer: Callable, threshold: Any = None) -> bool:
        capacity = _equal_capacity()
        return capacity is not None and variant("strict", lambda: capacity)(answer) and \
            close(_probe_threshold(answer, sales_capacity()), threshold_within(sales_capacity()))

    def share_problem(answer: Any, threshold: Any = None) -> str | None:
        if not _valid_threshold(threshold):
            return _("task 5 builds on task 4: store your threshold (a number from 0 to 100) in `threshold` "
                     "first, then run this check again.")
        return number(lambda: revenue_share_at(float(threshold)), share=True)(answer)

    def won_deals_share(t: float) -> float:
        return revenue_share_at(t, "won_deals") / revenue_share_at(0, "won_deals")

    return (
        Task("q1", "mql_to_sql_rate", number(mql_to_sql, share=True),
             (_("count the leads with an `mql_at` time, count those of them with an `sql_at` time, divide."),
              _("leads[\"mql_at\"].notna() marks the MQLs; combine it with the same test on `sql_at` using & to mark "
                "the MQLs that also became SQLs. Divide the number of the second by the number of the first: neither "
                "by all the leads nor by the SALs.")),
             mistakes=(
                 Mistake(mistaken(mql_to_sql, lambda: counts()["sqls"] / counts()["leads"]),
                         _("you divided by all leads. A stage's conversion divides by those who entered the stage "
                           "before it: the MQLs.")),
                 Mistake(mistaken(mql_to_sql, lambda: counts()["sqls"] / counts()["sals"]),
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
        Task("q3", "leakage_rate", function(_leakage_cases, compare=close, describe=_describe_leakage),
             (_("take the MQLs only; a lead leaked if its first_response_minutes is empty (never contacted) or "
                "above the SLA. Return leaked ÷ MQLs."),
              _("filter the MQLs first (mql_at .notna()) and return math.nan when there are none. Then "
                "first_response_minutes <= sla_minutes marks the MQLs answered in time: an empty cell gives False, "
                "so the never-contacted ones count as leaked with no extra work. The leaked share is 1 minus the "
                "share in time.")),
             mistakes=(
                 Mistake(leakage_like(ignoring_never_contacted),
                         _("MQLs that sales never contacted (an empty first_response_minutes) leaked too: "
                           "count them.")),
                 Mistake(leakage_like(over_all_leads),
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
                "as an int. Then store in `threshold` your function's result for argo's leads at 2 / 3 × (argo's "
                "MQLs ÷ the months of the data), its sales' capacity.")),
             mistakes=(
                 Mistake(returns_mqls, _("your function returns a number of MQLs; it should return a score threshold "
                                         "(a whole number from 0 to 100).")),
                 Mistake(variant("total", beyond_all_leads(1 / 2), beyond_all_leads(1 / 4)),
                         _("you compared the MQLs of all the months together with one month's capacity: divide the "
                           "MQLs by the number of months in the data first.")),
                 Mistake(variant("highest", sales_capacity, beyond_all_leads(1 / 2)),
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
                "(run that cell first), not today's threshold (the lowest score of argo's MQLs), and do not "
                "multiply by 100.")),
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
                 Mistake(_share_mistake(lambda t: revenue_share_at(today_threshold())),
                         _("that is the share at today's threshold, the lowest score of argo's MQLs; take it at your "
                           "threshold from task 4.")),
                 Mistake(_share_mistake(lambda t: revenue_share_at(t, "won_revenue")),
                         _("that is an amount of revenue; give it as a share of all won revenue, between 0 and 1.")),
             ), given=("threshold",)),
        Task("q6", "scoring_rule", _rule_verdict,
             (_("start from a threshold on the score alone, {\"threshold\": ...}, and look at what it gives with "
                "funnel.scoring_rule_outcome(leads, opportunities, scoring_rule). Then ask which kinds of lead "
                "(segment, channel, region) won more per worked MQL in argo's history, give them points, and move "
                "the threshold until the MQLs a month fit sales' capacity."),
              _("the check runs funnel.scoring_rule_problems(scoring_rule, leads, opportunities, capacity, 250, 0.35) "
                "with task 4's capacity (two thirds of argo's MQLs a month today): run it yourself. Points are "
                "score_weight × score plus the points of the lead's segment, channel and region; a lead is an MQL "
                "when they reach the threshold. Adding points to some leads lets more of them through, so raise the "
                "threshold as you add them. Keep the leads that history never saw (below today's threshold) to a "
                "fifth of the flow at most.")),
             mistakes=(
                 Mistake(_threshold_alone,
                         _("that is a threshold alone. Store the rule as a dictionary: a threshold on the score is "
                           "{\"threshold\": ...}, and points by segment, channel or region go beside it, such as "
                           "{\"segment\": {\"enterprise\": 10}, \"threshold\": ...}.")),
                 Mistake(_rule_in_percent,
                         _("your threshold is a share, but points are counted like the lead score, from 0 to 100 "
                           "for the score alone: write the threshold in points.")),
             )),
    )
