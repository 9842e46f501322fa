"""Exercise 05 · alignment: linear attribution at vela, the position-based rule, argo's SLA in numbers, the
segment mix behind the conversion gap between vela and argo and its direct standardisation, a verdict on
"aligned firms grow faster" (its options lettered per cohort), a geo holdout of argo's largest marketing budget
against what last touch credits it with (:mod:`.holdout`), tide's shoppers after the sale (a cohort's retention, a
health score's AUC: :mod:`.after_the_sale`), argo's pay plans simulated on its own leads (:mod:`.pay_plans`),
W-shaped credit over vela's whole journeys (:mod:`.journey`), and the design deliverable: a one-page SLA for argo,
checked by :func:`sla_rules.sla_problems` (any SLA that meets its rules passes; the page is graded by hand).

vela (aligned, like lumen) and argo (misaligned, like ferro) are graded companies, drawn anew for each cohort:
no text here may state one of their numbers. The SLA's target, average deal and reps come from argo's own
records (:func:`sla_givens`), as the notebook's setup cell computes them."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from smarketing import alignment, attribution, funnel, sla_rules
from smarketing.exercises import shared
from smarketing.exercises.ex05_alignment import after_the_sale, holdout, journey, pay_plans
from smarketing.exercises.shared import close, company, design_verdict
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import (
    Choices,
    chose,
    frame,
    function,
    not_a_data_frame,
    number,
    shuffled_choice,
)
from smarketing.messages import _

ALIGNMENT_PAIR = ("vela", "argo")  # the aligned company first, as alignment.claim_table takes them
SLA_COMPANY = "argo"
SLA_TARGET_GROWTH = 1.5  # the board wants next quarter half as much again as the average quarter of 2025
SLA_RATES = {"mql": 0.30, "sal": 0.85, "sql": 0.30, "opportunity": 0.50, "won": 0.28}  # agreed by both teams
SLA_WEEKS, SLA_ATTEMPTS = 13, 6
REFERENCE_MIX = {"smb": 0.50, "mid_market": 0.35, "enterprise": 0.15}
SEGMENT_KEY = "company · segment"

# Task 5's options, by stable id. The learner sees them lettered in an order drawn from the cohort
# (``q5a.options()``), so last term's letter is not this term's answer; the checks name the ids. The right option
# is neither the longest nor the most hedged (tests/exercises/test_ex05_alignment.py holds that).
VERDICT_OPTIONS = {
    "measures": "It measures the claim: vela's difference against argo is what alignment does, to set beside the "
                "claimed figure.",
    "supports_direction": "It supports the claim in direction if not in size: where vela does better than argo, "
                          "alignment is the likeliest cause, although a larger sample of firms would probably give "
                          "somewhat different figures, so the percentages themselves should be read with some care.",
    "cannot_test": "It cannot test the claim: the two firms differ in more than alignment, and two firms are not a "
                   "sample.",
    "disproves": "It disproves the claim on each metric where vela does worse than argo, or better by less than the "
                 "claimed difference.",
}
GROWTH_OPTIONS = {
    "usable_reading": "Broadly yes, with some care: a company whose marketing delivers more MQLs and whose sales "
                      "follows them up fast should, other things being roughly equal, see its bookings rise faster, "
                      "so the difference in growth is a rough but usable reading of what alignment adds.",
    "pipelines_filled": "No: both data sets start in January 2024 with an empty pipeline, so 2024 holds the months "
                        "in which each pipeline filled, and a handful of large deals can swing either year.",
    "price_rises": "No: the growth row reflects the price rises of 2025.",
    "churn": "No: churn after the sale lowers the bookings of 2025.",
}
RIGHT_OPTIONS = {"q5a": "cannot_test", "q5b": "pipelines_filled"}
VERDICT_CHOICES = Choices(VERDICT_OPTIONS, lambda: f"{shared.cohort()}:q5a")
GROWTH_CHOICES = Choices(GROWTH_OPTIONS, lambda: f"{shared.cohort()}:q5b")


@cache
def linear_credit(name: str = "vela") -> pd.Series:
    """Won revenue credited to each channel under the linear model (:func:`attribution.credit_by_channel`)."""
    c = company(name)
    return attribution.credit_by_channel(c.touchpoints, c.opportunities, models=["linear"])["linear"]


@cache
def _credit_variant(kind: str, name: str = "vela") -> pd.Series:
    """The channel credits that common mistakes give, to recognise them."""
    c = company(name)
    touches, revenue = c.touchpoints, attribution.won_revenue_by_lead(c.opportunities)
    channel, total = touches["channel"].astype(str), float(revenue.sum())
    customers = touches["lead_id"].isin(revenue.index)
    if kind == "creating channel":
        leads = c.leads
        return leads["lead_id"].map(revenue).fillna(0.0).groupby(leads["channel"].astype(str)).sum()
    if kind == "full revenue per touch":
        return touches.loc[customers, "lead_id"].map(revenue).groupby(channel[customers]).sum()
    if kind == "all journeys":
        credit = attribution.touch_credit(touches, "linear").groupby(channel).sum()
        return credit / credit.sum() * total
    if kind == "touch share of all leads":
        counts = channel.value_counts()
        return counts / counts.sum() * total
    if kind == "touch share of customers":
        counts = channel[customers].value_counts()
        return counts / counts.sum() * total
    if kind == "customers, not revenue":
        return attribution.touch_credit(touches[customers], "linear").groupby(channel[customers]).sum()
    if kind == "shares":
        return linear_credit(name) / total
    return attribution.credit_by_channel(touches, c.opportunities, models=[kind])[kind]  # another model


def as_labelled(answer: Any, key: str) -> pd.Series | None:
    """An answer by ``key`` (channel, company) as floats indexed by text: a Series, a dict, or a DataFrame
    with ``key`` as a column or as its index and one column of numbers. None if it is none of these."""
    if isinstance(answer, dict):
        answer = pd.Series(answer, dtype=object)
    if isinstance(answer, pd.DataFrame):
        table = answer.set_index(key) if key in answer.columns else answer
        numbers = table.select_dtypes("number")
        if numbers.shape[1] != 1:
            return None
        answer = numbers.iloc[:, 0]
    if not isinstance(answer, pd.Series):
        return None
    values = pd.to_numeric(answer, errors="coerce").astype(float)
    return pd.Series(values.to_numpy(), index=answer.index.astype(str))


def _labelled(expected: Callable[[], pd.Series], key: str, tolerance: float) -> Callable[[Any], str | None]:
    """A verifier for numbers by label (a Series indexed by ``key``): the same labels (extra labels with 0
    are allowed, e.g. unused categories) and values within ``tolerance``. Names wrong labels, never values."""

    def verify(answer: Any) -> str | None:
        got = as_labelled(answer, key)
        if got is None:
            return _("your answer is a {kind}; this task asks for a pandas Series of numbers indexed by {key} (a "
                     "DataFrame with a `{key}` column and one column of numbers works too).",
                     kind=type(answer).__name__, key=key)
        if got.index.duplicated().any():
            return _("each {key} must appear once in your answer; some appear more than once.", key=key)
        target = expected()
        target = pd.Series(target.to_numpy(dtype=float), index=target.index.astype(str))
        missing = [k for k in target.index if k not in got.index]
        extra = [k for k in got.index if k not in target.index and got[k] != 0]
        if missing or extra:
            return _("the index of your answer should hold the {key} names. Missing: {missing}. Not expected: "
                     "{extra}.", key=key, missing=", ".join(missing) or _("none"),
                     extra=", ".join(extra) or _("none"))
        got = got.reindex(target.index)
        if got.isna().any():
            return _("your answer is nan (not a number) for {labels}: a division by zero, or an empty selection?",
                     labels=", ".join(got.index[got.isna()]))
        wrong = [k for k in target.index if not math.isclose(got[k], target[k], rel_tol=tolerance, abs_tol=1e-9)]
        if wrong:
            return _("the value for {labels} is not right yet ({count} of {total} wrong).",
                     labels=", ".join(wrong[:3]) + (", …" if len(wrong) > 3 else ""), count=len(wrong),
                     total=len(target))
        return None

    return verify


def _labelled_like(variant: Callable[[], pd.Series], key: str, right: Callable[[], pd.Series]) -> Callable[[Any], bool]:
    """A mistake detector: the answer matches ``variant`` (within 0.1 %) on every label, and ``variant`` is not
    also the right answer (the data is drawn anew per cohort; a right answer must never be called a mistake)."""
    return lambda answer: (_labelled(variant, key, 1e-3)(answer) is None
                           and _labelled(right, key, 1e-3)(variant()) is not None)


def _credit_mistake(kind: str, message: str) -> Mistake:
    """Task 1's mistake that credits vela's channels as ``kind`` of :func:`_credit_variant` does."""
    return Mistake(_labelled_like(lambda: _credit_variant(kind), "channel", linear_credit), message)


def _credit_total_above_revenue(answer: Any) -> bool:
    got = as_labelled(answer, "channel")
    return got is not None and not got.index.duplicated().any() and float(got.sum()) > 1.001 * float(
        linear_credit().sum())


def position_based_shares(n: int) -> list[float]:
    """The position-based (40/20/40) shares of one journey of ``n`` touches, by the course's formula
    (:func:`attribution.touch_credit` on a single lead's journey)."""
    journey = pd.DataFrame({"lead_id": ["journey"] * n, "touched_at": pd.date_range("2025-01-01", periods=n)})
    return attribution.touch_credit(journey, "position_based").tolist()


def _same_shares(got: Any, want: list[float]) -> bool:
    try:
        values = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    return values.shape == (len(want),) and bool(np.allclose(values, want, rtol=1e-6, atol=1e-9))


def _position_cases(sizes: tuple[int, ...]) -> Callable[[], list[tuple[tuple, list[float]]]]:
    return lambda: [((n,), position_based_shares(n)) for n in sizes]


def _shares_like(n: int, shares: list[float]) -> Callable[[Callable], bool]:
    return lambda answer: _same_shares(answer(n), shares)


def _wrong_length(n: int) -> Callable[[Callable], bool]:
    return lambda answer: len(answer(n)) != n


@cache
def sla_givens(name: str = SLA_COMPANY) -> tuple[float, float, int]:
    """Task 3's target, average deal and reps, from the company's own records as the setup cell computes them:
    the board's target for next quarter (:data:`SLA_TARGET_GROWTH` times the average quarter of the 2025 won
    bookings, to 10,000), the average won deal (to 1,000) and the number of sales reps (title Sales Rep)."""
    c = company(name)
    won = c.opportunities[c.opportunities["outcome"] == "won"]
    target = round(SLA_TARGET_GROWTH * won.loc[won["closed_at"].dt.year == 2025, "amount"].sum() / 4, -4)
    average_deal = round(won["amount"].mean(), -3)
    reps = int((c.employees["title"] == "Sales Rep").sum())
    return float(target), float(average_deal), reps


def sla_exercise_plan() -> alignment.SLAPlan:
    """The SLA of task 3, by :func:`alignment.sla_plan`."""
    target, average_deal, reps = sla_givens()
    return alignment.sla_plan(target, average_deal, SLA_RATES, weeks=SLA_WEEKS, reps=reps,
                              attempts_per_mql=SLA_ATTEMPTS)


def _sla_needed(rounding: Callable[[float], float] = lambda x: math.ceil(x - 1e-9), skip: str = "") -> dict[str, float]:
    """Each stage's volume for task 3 computed with another rounding, or skipping one stage's rate: the
    numbers that common mistakes give."""
    target, average_deal, _reps = sla_givens()
    needed = {"won": rounding(target / average_deal)}
    for later, earlier in zip(funnel.STAGES[:0:-1], funnel.STAGES[-2::-1], strict=True):
        needed[earlier] = needed[later] if later == skip else rounding(needed[later] / SLA_RATES[later])
    return needed


def _unrounded(x: float) -> float:
    return x


def _sla_mistake(value: Callable[[], float], right: Callable[[], float]) -> Callable[[Any], bool]:
    """A mistake detector for task 3: the answer is the mistake's value, and that value is not also the right one
    (argo's target and deal are drawn anew per cohort: a division may come out whole)."""
    return lambda answer: close(answer, value()) and not close(value(), right())


@cache
def _segments(names: tuple[str, ...] = ALIGNMENT_PAIR) -> pd.DataFrame:
    return alignment.conversion_by_segment([company(n) for n in names])


@cache
def segment_table(names: tuple[str, ...] = ALIGNMENT_PAIR) -> pd.DataFrame:
    """Task 4a: MQLs, SQLs, MQL → SQL rate and MQL mix per company and segment
    (:func:`alignment.conversion_by_segment` plus each segment's share of the company's MQLs)."""
    table = _segments(names).copy()
    table["mql_share"] = table["mqls"] / table.groupby("company")["mqls"].transform("sum")
    return table[["company", "segment", "mqls", "sqls", "mql_to_sql_rate", "mql_share"]]


def _keyed_segments(answer: Any) -> pd.DataFrame | None:
    """The answer with a ``company · segment`` key column (company and segment may be columns or index
    levels), or None without them."""
    if not isinstance(answer, pd.DataFrame):
        return None
    table = answer
    if not {"company", "segment"} <= set(table.columns):
        try:
            table = table.reset_index()
        except ValueError:
            return None
    if not {"company", "segment"} <= set(table.columns):
        return None
    key = table["company"].astype(str) + " · " + table["segment"].astype(str)
    return table.assign(**{SEGMENT_KEY: key.to_numpy()})


def _segment_table_problem(answer: Any) -> str | None:
    if problem := not_a_data_frame(answer):
        return problem
    keyed = _keyed_segments(answer)
    if keyed is None:
        return _("your table needs the columns company and segment: one row per company and segment.")
    return frame(lambda: _keyed_segments(segment_table()), key=SEGMENT_KEY, tolerance=1e-3)(keyed)


def _segment_column_is(column: str, values: Callable[[], pd.Series]) -> Callable[[Any], bool]:
    """A mistake detector: the answer's ``column``, row by row, equals ``values`` (aligned with
    :func:`segment_table`'s rows)."""

    def looks_like(answer: Any) -> bool:
        keyed, target = _keyed_segments(answer), _keyed_segments(segment_table())
        if keyed is None or column not in keyed.columns or len(keyed) != len(target):
            return False
        got = pd.to_numeric(keyed.set_index(SEGMENT_KEY)[column], errors="coerce").astype(float)
        want = pd.Series(np.asarray(values(), dtype=float), index=target[SEGMENT_KEY])
        right = pd.Series(target[column].to_numpy(dtype=float), index=target[SEGMENT_KEY])
        return (sorted(got.index) == sorted(want.index) and bool(np.allclose(got.reindex(want.index), want, rtol=1e-6))
                and not bool(np.allclose(want, right, rtol=1e-6)))

    return looks_like


def _one_company_only(answer: Any) -> bool:
    keyed = _keyed_segments(answer)
    return keyed is not None and keyed["company"].astype(str).nunique() == 1


def adjusted_rates(reference: dict[str, float] | None = REFERENCE_MIX) -> pd.Series:
    """Task 4b: the mix-adjusted MQL → SQL rate of each company (:func:`alignment.standardized_conversion`);
    ``reference`` None: the two companies' MQLs pooled (the course's default)."""
    return _standardized(None if reference is None else tuple(sorted(reference.items())))["adjusted_rate"]


@cache
def _standardized(reference: tuple[tuple[str, float], ...] | None) -> pd.DataFrame:
    table = alignment.standardized_conversion([company(n) for n in ALIGNMENT_PAIR],
                                              None if reference is None else dict(reference))
    return table.set_index("company")


def _segment_rate_average(weights: str | None) -> pd.Series:
    """Each company's segment rates averaged without weights (None) or by its own ``weights`` column."""
    table = _segments()
    if weights is None:
        return table.groupby("company", sort=False)["mql_to_sql_rate"].mean()
    weighted = table["mql_to_sql_rate"] * table[weights]
    return weighted.groupby(table["company"], sort=False).sum() / table[weights].groupby(table["company"],
                                                                                           sort=False).sum()




def sla_design_problems(sla: Any) -> list[str]:
    """The design deliverable's rules, by :func:`sla_rules.sla_problems`, on task 3's target, average deal,
    agreed rates and weeks (argo's own records, as the setup cell computes them)."""
    target, average_deal, _reps = sla_givens()
    return sla_rules.sla_problems(sla, target, average_deal, SLA_RATES, weeks=SLA_WEEKS)


def _sla_verdict(answer: Any) -> str | None:
    """What is wrong with a one-page SLA for argo: the first few problems in words, or None when it meets every
    rule (many designs do; the hand-graded note judges which is best)."""
    problems = sla_design_problems(answer)
    return design_verdict(problems, _("SLA"))


def _volume_only(answer: Any) -> bool:
    """An SLA that commits marketing to a number of MQLs and to nothing about their value."""
    return isinstance(answer, dict) and "mqls_per_week" in answer and not answer.get("lead_value")


def _one_clock(answer: Any) -> bool:
    """An SLA with one clock for sales (``sla_hours``, ``hours``…) instead of an acceptance and a response clock."""
    return (isinstance(answer, dict) and not {"acceptance_hours", "response_hours"} <= set(answer)
            and any("hour" in str(key) for key in answer))


def tasks() -> tuple[Task, ...]:
    """The tasks of exercise 05, in order."""

    plan = sla_exercise_plan
    weeks = float(SLA_WEEKS)

    def reps() -> float:
        return float(sla_givens()[2])

    def needed_mqls(**variant: Any) -> Callable[[], float]:
        return lambda: float(_sla_needed(**variant)["mql"])

    def per_week() -> float:
        return plan().mqls_per_week

    def per_rep() -> float:
        return plan().follow_ups_per_rep_week

    skipped_stage = [Mistake(_sla_mistake(lambda s=stage: needed_mqls(skip=s)() / weeks, per_week),
                             _("you skipped a stage. Work back from customers to opportunities, SQLs, SALs and MQLs, "
                               "dividing by each of the four rates (won, opportunity, sql, sal) in turn."))
                     for stage in ("won", "opportunity", "sql", "sal")]
    other_models = [_credit_mistake(model,
                                    _("that is the split of the {model} model. The linear model gives every touch of a "
                                      "customer's journey an equal share of that customer's revenue.",
                                      model=attribution.MODEL_LABELS[model]))
                    for model in attribution.MODELS if model != "linear"]
    return (
        Task("q1", "linear_credit", _labelled(linear_credit, "channel", 1e-3),
             (_("for each customer (a lead with won deals), sum its won amounts; divide that revenue by the number "
                "of touchpoints of its journey and give that much to each touch; then sum the touches' credit by "
                "channel."),
              _("three steps. Revenue: keep vela's won opportunities and sum `amount` by lead_id. Journeys: keep "
                "the touchpoints whose lead_id is in that revenue's index, and give each touch the number of touches "
                "of its journey (groupby(\"lead_id\") with .transform(\"size\")). Credit: the revenue (.map on "
                "lead_id) ÷ that number, summed by channel. The credits should add up to the won revenue.")),
             mistakes=(
                 _credit_mistake("creating channel", _(
                     "you credited each customer's revenue to the channel that created the lead (the closed-loop "
                     "report's rule). The linear model splits it over every touch of the lead's journey, in the "
                     "touchpoints table.")),
                 _credit_mistake("full revenue per touch", _(
                     "each touch received the customer's whole revenue, so your credits add up to more than the "
                     "won revenue. Split each customer's revenue over its touches: divide by its number of "
                     "touches.")),
                 _credit_mistake("all journeys", _(
                     "you counted the journeys of every lead. Leads that never became customers have no revenue "
                     "to split: keep only the touches of leads with a won deal.")),
                 _credit_mistake("touch share of all leads", _(
                     "you gave every touch of every lead the same credit. Credit is split per customer: each "
                     "customer's own revenue over its own touches, and leads that never bought have none.")),
                 _credit_mistake("touch share of customers", _(
                     "you gave every customer's touch the same share of the total. The linear model splits "
                     "each customer's own revenue over its own touches: a big deal with few touches gives each "
                     "touch more.")),
                 _credit_mistake("customers, not revenue", _(
                     "you split customers, not revenue: multiply each touch's share by its customer's won "
                     "revenue.")),
                 _credit_mistake("shares", _(
                     "these are shares of the revenue; the task asks for amounts of revenue (currency).")),
                 *other_models,
                 Mistake(_credit_total_above_revenue,
                         _("your credits add up to more than vela's won revenue: each customer's revenue must be "
                           "split, so that its touches' shares add up to 1 (count each won deal once).")),
             )),
        *journey.tasks(),
        Task("q2a", "position_based", function(_position_cases((3, 4, 6)), compare=_same_shares,
                                               describe=lambda args: _(" (n = {n})", n=args[0])),
             (_("the first and the last touch get 0.4 each; the 0.2 left is split equally among the n − 2 touches "
                "in between. Return a list of n numbers."),
              _("build the list from three parts: 0.4, then n − 2 equal middle shares, then 0.4. A one-element list "
                "times n − 2 repeats the middle share; the middle shares together make 0.2, so each is "
                "0.2 ÷ (n − 2). Check that the list has n numbers and sums to 1 for n = 3, 4 and 6.")),
             mistakes=(
                 Mistake(_wrong_length(5), _("return one share per touch: a list of n numbers.")),
                 Mistake(_shares_like(5, [0.4, 0.2, 0.2, 0.2, 0.4]),
                         _("each middle touch got 0.2. The 20 % is shared by all the touches in between, so that the "
                           "shares add up to 1.")),
                 Mistake(_shares_like(5, [0.4, 0.04, 0.04, 0.04, 0.4]),
                         _("divide the 20 % among the touches in between only (n − 2 of them), not among all n.")),
                 Mistake(_shares_like(5, [100 * s for s in position_based_shares(5)]),
                         _("these look like percentages. Return shares that add up to 1 (0.4, not 40).")),
             )),
        Task("q2b", "position_based", function(_position_cases((1, 2)), compare=_same_shares,
                                               describe=lambda args: _(" (n = {n})", n=args[0])),
             (_("with one touch there is no first-and-last split; with two there is no middle."),
              _("handle n == 1 and n == 2 with an if before the general rule, each returning its own list of n "
                "shares that add up to 1: the general rule would give a single touch a list of two shares, and two "
                "touches 0.4 each (0.8 in all).")),
             mistakes=(
                 Mistake(lambda answer: not _same_shares(answer(1), [1.0]),
                         _("with a single touch, that touch gets all the credit: return [1.0].")),
                 Mistake(_shares_like(2, [0.4, 0.4]),
                         _("with two touches there is nothing in between to take the 20 %: the two touches share the "
                           "credit 50/50.")),
             )),
        Task("q3a", "mqls_per_week", number(lambda: plan().mqls_per_week),
             (_("customers = TARGET ÷ AVERAGE_DEAL, rounded up; then opportunities = customers ÷ the won rate, SQLs = "
                "opportunities ÷ the opportunity rate, SALs = SQLs ÷ the sql rate, MQLs = SALs ÷ the sal rate, "
                "rounding up each time. Divide the quarter's MQLs by 13 weeks."),
              _("math.ceil rounds up. Start with the customers (TARGET ÷ AVERAGE_DEAL, rounded up), then divide by "
                "RATES[\"won\"], RATES[\"opportunity\"], RATES[\"sql\"] and RATES[\"sal\"] in turn, rounding up "
                "after each division; a loop over those four stage names saves four lines. Stop at the MQLs (no "
                "division by the mql rate), and divide by WEEKS without rounding.")),
             mistakes=(
                 Mistake(lambda answer: any(_sla_mistake(lambda v=value: v / weeks, per_week)(answer) for value in (
                     needed_mqls(rounding=_unrounded)(), math.ceil(needed_mqls(rounding=_unrounded)()))),
                         _("round up to whole customers, opportunities, SQLs, SALs and MQLs at each stage, not only "
                           "at the end, as the reverse funnel does: a fraction of a deal cannot be won.")),
                 Mistake(_sla_mistake(lambda: needed_mqls(rounding=math.floor)() / weeks, per_week),
                         _("round up, not down: rounding down leaves the plan short of its target.")),
                 Mistake(_sla_mistake(lambda: float(plan().needed("mql")), per_week),
                         _("that is the MQLs for the whole quarter; the task asks for a week (13 weeks in the "
                           "quarter).")),
                 Mistake(_sla_mistake(lambda: plan().needed("mql") / weeks ** 2, per_week),
                         _("you divided by the weeks twice.")),
                 Mistake(_sla_mistake(lambda: plan().needed("lead") / weeks, per_week),
                         _("that is leads a week. Marketing owes MQLs: stop at the MQL stage, without dividing by the "
                           "lead → MQL rate.")),
                 Mistake(_sla_mistake(lambda: float(math.ceil(plan().mqls_per_week)), per_week),
                         _("do not round the weekly figure: it is an average of the quarter's whole MQLs.")),
                 *skipped_stage,
             )),
        Task("q3b", "follow_ups_per_rep", number(lambda: plan().follow_ups_per_rep_week),
             (_("the quarter's MQLs (rounded up at each stage) × 6 attempts each, shared by argo's sales reps "
                "(REPS) over 13 weeks."),
              _("start from the quarter's whole number of MQLs of 3a, not from the weekly figure. Multiply it by "
                "ATTEMPTS for the quarter's attempts, then divide by WEEKS and by REPS.")),
             mistakes=(
                 Mistake(_sla_mistake(lambda: plan().needed("mql") / (weeks * reps()), per_rep),
                         _("each MQL gets 6 follow-up attempts, not one.")),
                 Mistake(_sla_mistake(lambda: plan().needed("mql") * SLA_ATTEMPTS / weeks, per_rep),
                         _("that is the whole sales team's attempts a week; share them among argo's sales reps "
                           "(REPS).")),
                 Mistake(_sla_mistake(lambda: plan().needed("mql") * SLA_ATTEMPTS / reps(), per_rep),
                         _("that is each rep's attempts for the whole quarter; the task asks for a week.")),
                 Mistake(_sla_mistake(lambda: needed_mqls(rounding=_unrounded)() * SLA_ATTEMPTS / (weeks * reps()),
                                      per_rep),
                         _("start from whole MQLs, rounded up at each stage as in task 3a.")),
             )),
        Task("q4a", "by_segment", _segment_table_problem,
             (_("take each company's MQLs (leads with an `mql_at`), group them by segment, count the MQLs and those "
                "with an `sql_at`; the rate is SQLs ÷ MQLs, and mql_share is a segment's MQLs ÷ all the company's "
                "MQLs."),
              _("do it for each company, then stack: keep the company's leads with an mql_at, group them by segment "
                "(as text), and count the rows for mqls and the non-empty sql_at for sqls (the aggregation \"count\" "
                "skips NaT). Add mql_to_sql_rate, mql_share and a column company with the company's name "
                "(firm.name), then pd.concat the two tables.")),
             mistakes=(
                 Mistake(_one_company_only, _("your table holds one company; it needs both vela and argo.")),
                 Mistake(_segment_column_is("mql_share", lambda: _segments()["mqls"] / _segments()["mqls"].sum()),
                         _("`mql_share` divides by the MQLs of both companies together; divide by the company's own "
                           "MQLs, so that each company's shares add up to 1.")),
                 Mistake(_segment_column_is("mql_share", lambda: _segments()["share_of_leads"]),
                         _("`mql_share` is each segment's share of the leads. The mix that drives MQL → SQL is the "
                           "mix of MQLs: divide the segment's MQLs by the company's MQLs.")),
                 Mistake(_segment_column_is("mql_to_sql_rate", lambda: _segments().eval("sqls / leads")),
                         _("`mql_to_sql_rate` divides by all the segment's leads; divide by its MQLs.")),
                 Mistake(_segment_column_is("mql_to_sql_rate", lambda: 100 * segment_table()["mql_to_sql_rate"]),
                         _("`mql_to_sql_rate` looks like a percentage; give shares between 0 and 1.")),
             )),
        Task("q4b", "adjusted_rate", _labelled(adjusted_rates, "company", 1e-3),
             (_("for each company, multiply its MQL → SQL rate in each segment by that segment's weight in REFERENCE, "
                "and add up the three products (the weights add up to 1)."),
              _("turn the segment rates into a table with the segments as rows and the companies as columns (.pivot "
                "of your 4a table with index segment, columns company, values mql_to_sql_rate). Multiply it by "
                "pd.Series(REFERENCE) row by row (.mul(..., axis=0)) and add up each column: the result is indexed "
                "by company.")),
             mistakes=(
                 Mistake(_labelled_like(lambda: _standardized(None)["naive_rate"], "company", adjusted_rates),
                         _("these are the naive rates (all SQLs ÷ all MQLs), each weighted by the company's own mix. "
                           "Weight the segment rates by REFERENCE instead.")),
                 Mistake(_labelled_like(lambda: adjusted_rates(None), "company", adjusted_rates),
                         _("you weighted by the two companies' MQLs pooled (the course's default). This task gives "
                           "its own reference mix: REFERENCE.")),
                 Mistake(_labelled_like(lambda: _segment_rate_average(None), "company", adjusted_rates),
                         _("you averaged the three segment rates with equal weights. Weight them by REFERENCE.")),
                 Mistake(_labelled_like(lambda: _segment_rate_average("share_of_leads"), "company", adjusted_rates),
                         _("you weighted each company by its own lead mix, so the mixes still differ. Use the same "
                           "weights, REFERENCE, for both.")),
                 Mistake(_labelled_like(lambda: 100 * adjusted_rates(), "company", adjusted_rates),
                         _("these look like percentages; give shares between 0 and 1.")),
             )),
        Task("q5a", "naive_verdict", shuffled_choice([RIGHT_OPTIONS["q5a"]], VERDICT_CHOICES),
             (_("vela and argo differ in alignment, and in what else? Look at your tables of task 4 and at the "
                "growth row."),
              _("read each answer as a claim about what two firms can show. vela and argo differ in alignment and, "
                "as your table of task 4 shows, in whom they sell to; a claim about \"firms\" in general also needs "
                "more than two of them. Module 05's critical-thinking lab, steps 1 to 3, makes this test and then "
                "adjusts it.")),
             mistakes=(
                 Mistake(chose(VERDICT_CHOICES, "measures"),
                         _("the two firms differ in much more than alignment (whom they sell to, their cycles, their "
                           "history), so their difference is not the effect of alignment: it can neither confirm nor "
                           "measure the claim.")),
                 Mistake(chose(VERDICT_CHOICES, "supports_direction"),
                         _("the naive difference mixes alignment with everything else in which vela and argo differ, "
                           "whom they sell to first of all (task 4): it cannot say whether alignment helps, in "
                           "direction any more than in size.")),
                 Mistake(chose(VERDICT_CHOICES, "disproves"),
                         _("one comparison of two firms, over two years that start with empty pipelines, cannot "
                           "disprove a claim about firms in general, whichever way its figures point. Look at task "
                           "5b's question first.")),
             ), choices=VERDICT_CHOICES),
        Task("q5b", "growth_reason", shuffled_choice([RIGHT_OPTIONS["q5b"]], GROWTH_CHOICES),
             (_("look at the bookings quarter by quarter: alignment.bookings_by_quarter([vela, argo]) – how do both "
                "companies' first quarters look, and how much can one quarter move?"),
              _("compare each company's first quarters of 2024 with its later quarters: how high do they start, and "
                "when does each reach its usual level? Growth from 2024 to 2025 divides by 2024, so a slow start "
                "makes it large; and count the won deals in a quarter (the opportunities with outcome \"won\") to "
                "see how much one large deal weighs. Then check each answer against what the quarters show.")),
             mistakes=(
                 Mistake(chose(GROWTH_CHOICES, "usable_reading"),
                         _("growth over these two years says when each pipeline filled and which large deals closed, "
                           "before it says anything about the handoff: look at each company's first quarters of 2024. "
                           "And two firms that differ in more than alignment cannot isolate what alignment adds.")),
                 Mistake(chose(GROWTH_CHOICES, "price_rises"),
                         _("nothing in the data records a price change: bookings move with the number and the size of "
                           "the deals won. Look at each company's first quarters of 2024.")),
                 Mistake(chose(GROWTH_CHOICES, "churn"),
                         _("bookings count new deals won; churn after the sale does not lower them. Look at both "
                           "companies' first quarters of 2024.")),
             ), choices=GROWTH_CHOICES),
        *holdout.tasks(),
        *after_the_sale.tasks(),
        *pay_plans.tasks(),
        Task("q6", "sla", _sla_verdict,
             (_("fill in every key of the shape in the task, then run sla_rules.sla_problems(sla, TARGET, AVERAGE_DEAL, "
                "RATES, weeks=WEEKS): it lists what is still wrong, each with why it matters. Start from your plan of "
                "task 3: marketing's MQLs a week and the rates both teams agreed."),
              _("the MQLs a week must add up to the target at the lead value you commit to: with a minimum MQL → SQL "
                "rate, the MQLs needed are the SQLs of the reverse funnel ÷ that minimum (rounded up), ÷ WEEKS; "
                "sla_rules.mqls_needed(TARGET, AVERAGE_DEAL, RATES, sla[\"lead_value\"]) does the arithmetic. The "
                "lead-value minimum is no lower than the agreed rates assume (RATES[\"sal\"] × RATES[\"sql\"] for "
                "MQL → SQL); the acceptance clock is no longer than the response clock; each escalation has a trigger "
                "from sla_rules.SLA_TRIGGERS, a threshold that fits it, one named role as owner and a path of roles "
                "above it.")),
             mistakes=(
                 Mistake(_volume_only, _("your SLA commits marketing to a number of MQLs and nothing about what they "
                                         "are worth. argo's marketing already counts MQLs; the page must also say what "
                                         "a lead is worth: add lead_value, {\"metric\": …, \"minimum\": …}, with a "
                                         "metric of sla_rules.LEAD_VALUE_METRICS.")),
                 Mistake(_one_clock, _("your SLA has one clock for sales. Module 05 keeps two apart: the hours within "
                                       "which sales accepts or rejects each MQL (acceptance_hours), and the hours "
                                       "within which it first contacts it (response_hours). A lead can be accepted at "
                                       "once and then left unanswered.")),
             )),
    )
