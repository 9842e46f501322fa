"""Exercise 07 · the capstone: argo's funnel diagnosed end to end. The step that falls furthest short of its
typical rate, the leakage against a 24-hour SLA and who caused it, the speed-to-lead gap, what a faster
handoff is worth a year, and whether the speed gap survives within each segment (the confounder check).

argo is a graded company, drawn anew for each cohort: no text here may state one of its numbers. Every
expected value is computed by the library (:mod:`smarketing.funnel`, :mod:`smarketing.alignment`) on argo's
data as loaded, so another cohort's data changes the answers and not the texts."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from smarketing import alignment, funnel, kpis
from smarketing.exercises.shared import company, mistaken
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import is_number, number
from smarketing.messages import _

COMPANY = "argo"
SLA_MINUTES = 24 * 60  # the response SLA argo's sales director proposes (task 2)
WITHIN_MINUTES = 60  # a "fast" first answer: within the hour, as in module 03 (tasks 3 to 5)
STEP_STAGES = funnel.STAGES[1:]  # each step of the funnel named by the stage it leads to


def _leads() -> pd.DataFrame:
    return company(COMPANY).leads


def _opportunities() -> pd.DataFrame:
    return company(COMPANY).opportunities


# ---- task 1: the funnel against typical rates ----------------------------------------------------------

def vs_typical() -> pd.Series:
    """Task 1's ratios: each step's cohort conversion (:func:`funnel.observed_rates`) ÷ its typical rate
    (:data:`funnel.TYPICAL_RATES`), indexed by the stage the step leads to."""
    observed = funnel.observed_rates(_leads(), _opportunities())
    return pd.Series({stage: observed[stage] / funnel.TYPICAL_RATES[stage] for stage in STEP_STAGES}, dtype=float)


def leakiest_stage() -> str:
    """Task 1: the stage whose step falls furthest short of its typical rate (the lowest ratio)."""
    return str(vs_typical().idxmin())


def _stage_variant(kind: str) -> str:
    """The stage that a common mistake of task 1 names."""
    if kind == "from_stage":
        return funnel.STAGES[funnel.STAGES.index(leakiest_stage()) - 1]
    if kind == "highest":
        return str(vs_typical().idxmax())
    observed = pd.Series(funnel.observed_rates(_leads(), _opportunities()), dtype=float)
    return str(observed.idxmin())  # "lowest rate": the raw rates, without the typical ones


# ---- task 2: leakage against the SLA --------------------------------------------------------------------

def _mqls() -> pd.DataFrame:
    leads = _leads()
    return leads[leads["mql_at"].notna()]


def leakage() -> float:
    """Task 2a: the share of argo's MQLs not answered within the SLA (:func:`funnel.leakage_rate`)."""
    return funnel.leakage_rate(_leads(), SLA_MINUTES)


def _leak_counts() -> dict[str, int]:
    minutes = _mqls()["first_response_minutes"]
    return {"mqls": len(minutes), "never": int(minutes.isna().sum()), "late": int((minutes > SLA_MINUTES).sum()),
            "leads": len(_leads())}


def never_called_share() -> float:
    """Task 2b: of the MQLs that leaked, the share that sales never contacted at all."""
    counts = _leak_counts()
    return kpis.conversion_rate(counts["never"], counts["never"] + counts["late"])


# ---- task 3: speed to lead ------------------------------------------------------------------------------

def fast_marks(leads: pd.DataFrame, within_minutes: float = WITHIN_MINUTES, strict: bool = False) -> pd.Series:
    """For each lead: True if sales first answered within ``within_minutes``, False if later, nan if never
    (those are in neither group): the groups of :func:`alignment.stratified_gap` for the speed-to-lead gap."""
    minutes = leads["first_response_minutes"]
    fast = minutes < within_minutes if strict else minutes <= within_minutes
    return fast.where(minutes.notna())


def speed_gap(within_minutes: float = WITHIN_MINUTES) -> float:
    """Task 3: the MQL → SQL rate of the MQLs answered within the hour minus that of the MQLs answered later."""
    return float(alignment.stratified_gap(_leads(), fast_marks(_leads(), within_minutes), by=None)["gap"].iloc[0])


def _gap_variant(kind: str) -> float:
    """The speed-to-lead gap that a common mistake of task 3 gives."""
    leads = _leads()
    marks = fast_marks(leads)
    if kind == "never in slow":  # the MQLs never contacted counted with the slow ones
        marks = marks.where(marks.notna(), False)
    elif kind == "strict":
        marks = fast_marks(leads, strict=True)
    elif kind == "over accepted":  # each group's SQLs divided by its accepted leads (SALs), not its MQLs
        accepted = leads["sal_at"].notna()
        leads, marks = leads[accepted], marks[accepted]
    row = alignment.stratified_gap(leads, marks, by=None).iloc[0]
    return float({"reversed": -row["gap"], "ratio": row["group_rate"] / row["other_rate"],
                  "percent": 100 * row["gap"]}.get(kind, row["gap"]))


# ---- task 4: what a faster handoff is worth ---------------------------------------------------------------

def leads_a_year(leads: pd.DataFrame | None = None) -> float:
    """argo's leads a year: its leads ÷ the months of its data (:func:`funnel.months_of_data`) × 12."""
    leads = _leads() if leads is None else leads
    return len(leads) / funnel.months_of_data(leads) * 12


def _average_won_deal(how: str = "mean") -> float:
    won = _opportunities().loc[_opportunities()["outcome"] == "won", "amount"]
    return float(won.median() if how == "median" else kpis.average_deal_size(float(won.sum()), len(won)))


def expected_revenue(rates: dict[str, float], leads: float | None = None, deal: float | None = None) -> float:
    """A year's expected won revenue at ``rates``: leads a year × the five stage rates × the average won deal
    (:func:`funnel.simulate_funnel` with a first answer within the hour, so that it scales no rate)."""
    table = funnel.simulate_funnel(leads_a_year() if leads is None else leads, rates,
                                   _average_won_deal() if deal is None else deal, response_minutes=WITHIN_MINUTES)
    return float(table["revenue"].iloc[-1])


def revenue_today() -> float:
    """Task 4a: a year's expected won revenue at argo's observed rates (:func:`funnel.observed_rates`)."""
    return expected_revenue(funnel.observed_rates(_leads(), _opportunities()))


def revenue_fast() -> float:
    return expected_revenue(funnel.within_hour_rates(_leads(), _opportunities()))


def revenue_at_stake() -> float:
    """Task 4b: a year's expected won revenue if sales answered every MQL it contacts within the hour
    (:func:`funnel.within_hour_rates`), minus today's (:func:`funnel.observed_rates`)."""
    return revenue_fast() - revenue_today()


def uplift() -> float:
    """The revenue at stake as a share of today's expected revenue (a mistake of task 4b; the memo quotes it)."""
    return revenue_at_stake() / revenue_today()


def _stake_with(**inputs: Any) -> float:
    """Task 4b with other leads or another deal: the numbers that common mistakes give."""
    return (expected_revenue(funnel.within_hour_rates(_leads(), _opportunities()), **inputs)
            - expected_revenue(funnel.observed_rates(_leads(), _opportunities()), **inputs))


# ---- task 5: the confounder check ---------------------------------------------------------------------

def segment_gaps() -> pd.DataFrame:
    """Task 5a's table: the speed-to-lead gap within each segment (:func:`alignment.stratified_gap`)."""
    return alignment.stratified_gap(_leads(), fast_marks(_leads()), by="segment")


def gap_by_segment() -> pd.Series:
    """The gap of task 3 within each segment, indexed by segment (the step before task 5a's adjustment)."""
    table = segment_gaps()
    return pd.Series(table["gap"].to_numpy(dtype=float), index=table["segment"].astype(str).to_numpy())


def adjusted_gap() -> float:
    """Task 5a: the segment gaps weighted by each segment's share of the MQLs compared
    (:func:`alignment.adjusted_gap`)."""
    return alignment.adjusted_gap(segment_gaps())


def _weighted(weights: pd.Series) -> float:
    """The segment gaps averaged with other ``weights`` (by segment): the numbers that common mistakes give."""
    gaps = gap_by_segment().dropna()
    w = weights.reindex(gaps.index).astype(float)
    return float((gaps * w).sum() / w.sum())


def segment_effect() -> float:
    """Task 5b's right answer when tasks 3 and 5a are right: the part of the raw gap that the segment mix
    explains, the raw gap minus the adjusted one."""
    return speed_gap() - adjusted_gap()


def _never_in_slow_adjusted() -> float:
    """Task 5a's adjusted gap with the never-contacted MQLs in the slow groups: a common mistake."""
    marks = fast_marks(_leads())
    return alignment.adjusted_gap(alignment.stratified_gap(_leads(), marks.where(marks.notna(), False)))


# ---- mistake detectors ---------------------------------------------------------------------------------

def _stage_is(kind: str) -> Callable[[Any], bool]:
    def looks_like(answer: Any) -> bool:
        return isinstance(answer, str) and answer.strip().lower() == _stage_variant(kind) != leakiest_stage()
    return looks_like


def _names_a_step(answer: Any) -> bool:
    return isinstance(answer, str) and any(arrow in answer for arrow in ("→", "->", " to "))


def _stage_problem(answer: Any) -> str | None:
    if not isinstance(answer, str) or answer.strip().lower() not in STEP_STAGES:
        return _("answer with the name of one stage, as text: one of {stages}.",
                 stages=", ".join(repr(s) for s in STEP_STAGES))
    if answer.strip().lower() != leakiest_stage():
        return _("that is not the step that falls furthest short of its typical rate: look at your ratios "
                 "again.")
    return None


def _gap_problem(expected: Callable[[], float]) -> Callable[[Any], str | None]:
    """A verifier for a difference of two rates: a number between −1 and 1, within 0.1 %."""
    check = number(expected)

    def verify(answer: Any) -> str | None:
        if is_number(answer) and not math.isnan(answer) and not -1 <= answer <= 1:
            return _("a difference of two rates lies between −1 and 1; yours is {answer:g}. Give it as a difference "
                     "of shares (0.05 for 5 percentage points).", answer=answer)
        return check(answer)

    return verify


def _valid_gap(value: Any) -> bool:
    return is_number(value) and math.isfinite(value) and -1 <= value <= 1


def _effect_problem(answer: Any, speed_gap: Any = None, adjusted_gap: Any = None) -> str | None:
    """Task 5b, on the learner's own gaps of tasks 3 and 5a: a slip there does not cost this point too."""
    if not (_valid_gap(speed_gap) and _valid_gap(adjusted_gap)):
        return _("task 5b builds on tasks 3 and 5a: store your `speed_gap` and your `adjusted_gap` (each a "
                 "difference of shares) first, then run this check again.")
    return _gap_problem(lambda: float(speed_gap) - float(adjusted_gap))(answer)


def _effect_mistake(wrong: Callable[[float, float], float]) -> Callable[..., bool]:
    """A mistake detector for task 5b, on the learner's own gaps (and never on a right answer)."""
    def looks_like(answer: Any, speed_gap: Any = None, adjusted_gap: Any = None) -> bool:
        if not (_valid_gap(speed_gap) and _valid_gap(adjusted_gap)):
            return False
        raw, adjusted = float(speed_gap), float(adjusted_gap)
        return mistaken(lambda: raw - adjusted, lambda: wrong(raw, adjusted))(answer)
    return looks_like


def tasks() -> tuple[Task, ...]:
    """The tasks of exercise 07, in order."""

    counts = _leak_counts

    def gap_mistake(kind: str) -> Callable[..., bool]:
        return mistaken(speed_gap, lambda: _gap_variant(kind))

    table = segment_gaps

    return (
        Task("q1", "leakiest_stage", _stage_problem,
             (_("for each step, divide argo's cohort conversion (the share of the leads that reached the stage "
                "before it that also reached this one) by the typical rate of the same stage in "
                "funnel.TYPICAL_RATES; the step with the lowest ratio falls furthest short. Name it by the stage it "
                "leads to."),
              _("funnel.observed_rates(leads, opportunities) gives argo's rates as a dictionary keyed like "
                "funnel.TYPICAL_RATES: turn both into pandas Series and divide, argo's on top. A Series' .idxmin() "
                "returns the label of its smallest value: store that label, a text, not the ratio.")),
             mistakes=(
                 Mistake(_names_a_step, _("name one stage, the one the step leads to, not the step (\"a → b\").")),
                 Mistake(_stage_is("from_stage"),
                         _("that is the stage the step starts from; name the stage its leads fail to reach (the "
                           "step's to_stage).")),
                 Mistake(_stage_is("highest"),
                         _("that step does best against its typical rate; the funnel leaks most where the ratio is "
                           "lowest.")),
                 Mistake(_stage_is("lowest rate"),
                         _("that step has the lowest rate, but some steps are narrow everywhere (few opportunities "
                           "are won in any company): compare each step with its own typical rate.")),
             )),
        Task("q2a", "leakage", number(leakage, share=True),
             (_("take argo's MQLs; one leaked if sales did not answer it within SLA_MINUTES: its "
                "first_response_minutes is above the SLA, or empty because nobody ever called. Divide by the MQLs."),
              _("module 03's funnel.leakage_rate(leads, sla_minutes) does this, or write it: among the MQLs, "
                "first_response_minutes <= SLA_MINUTES marks those answered in time (an empty cell gives False), "
                "and the leaked share is the rest.")),
             mistakes=(
                 Mistake(mistaken(leakage, lambda: funnel.leakage_rate(_leads(), 24)),
                         _("SLA_MINUTES is in minutes: a day is 24 × 60 of them, not 24.")),
                 Mistake(mistaken(leakage, lambda: counts()["late"] / counts()["mqls"]),
                         _("MQLs that sales never contacted (an empty first_response_minutes) leaked too: count "
                           "them.")),
                 Mistake(mistaken(leakage, lambda: counts()["never"] / counts()["mqls"]),
                         _("you counted only the MQLs never contacted; those answered after the SLA leaked too.")),
                 Mistake(mistaken(leakage, lambda: leakage() * counts()["mqls"] / counts()["leads"]),
                         _("you divided by all leads. Leakage is a share of the MQLs, the leads sales owed an "
                           "answer.")),
                 Mistake(mistaken(leakage, lambda: 1 - leakage()),
                         _("that is the share answered in time; the task asks for the share that leaked.")),
             )),
        Task("q2b", "never_called_share", number(never_called_share, share=True),
             (_("among the MQLs that leaked in task 2a, count those that sales never contacted at all (an empty "
                "first_response_minutes), and divide by the number that leaked."),
              _("keep the leaked MQLs in a table of their own first (the MQLs whose first answer is not within "
                "SLA_MINUTES); then .isna() on their first_response_minutes marks the never-contacted, and the "
                "mean of that mark is the share.")),
             mistakes=(
                 Mistake(mistaken(never_called_share, lambda: counts()["never"] / counts()["mqls"]),
                         _("you divided by all MQLs; the task asks for a share of the MQLs that leaked.")),
                 Mistake(mistaken(never_called_share, lambda: 1 - never_called_share()),
                         _("that is the share of the leaked MQLs that sales answered late; the task asks for those "
                           "it never called.")),
                 Mistake(mistaken(never_called_share, lambda: counts()["never"] / counts()["leads"]),
                         _("you divided by all leads; the task asks for a share of the MQLs that leaked.")),
             )),
        Task("q3", "speed_gap", _gap_problem(speed_gap),
             (_("two groups of MQLs: those sales first answered within WITHIN_MINUTES, and those it answered later; "
                "MQLs never contacted are in neither. For each group, SQLs ÷ MQLs; the gap is the fast group's rate "
                "minus the slow group's."),
              _("first_response_minutes <= WITHIN_MINUTES marks the fast MQLs, but an empty cell also gives False: "
                "keep only the MQLs with a first_response_minutes before you split them. In each group, the mean of "
                "sql_at.notna() is its MQL → SQL rate.")),
             mistakes=(
                 Mistake(gap_mistake("never in slow"),
                         _("the MQLs that sales never contacted are in your slow group. They were never answered "
                           "at all, so they say nothing about answering fast or slowly: leave them out of both "
                           "groups.")),
                 Mistake(gap_mistake("reversed"),
                         _("that is the slow group's rate minus the fast group's; the gap is fast minus slow.")),
                 Mistake(gap_mistake("ratio"),
                         _("that is a ratio of the two rates; the task asks for their difference (fast − slow), in "
                           "shares.")),
                 Mistake(gap_mistake("percent"),
                         _("that looks like percentage points; give the gap as a difference of shares (0.05 for 5 "
                           "points).")),
                 Mistake(gap_mistake("over accepted"),
                         _("you divided each group's SQLs by its accepted leads (SALs); divide by its MQLs.")),
                 Mistake(gap_mistake("strict"),
                         _("an answer exactly at WITHIN_MINUTES is within the hour: use <=, not <.")),
             )),
        Task("q4a", "revenue_today", number(revenue_today),
             (_("expected won revenue a year = leads a year × the product of the five stage rates × the average won "
                "deal, with argo's observed rates (funnel.observed_rates)."),
              _("leads a year: the leads ÷ funnel.months_of_data(leads) × 12. The average won deal is the mean "
                "amount of the opportunities with outcome \"won\". math.prod multiplies a dictionary's values.")),
             mistakes=(
                 Mistake(mistaken(revenue_today, lambda: expected_revenue(
                     funnel.observed_rates(_leads(), _opportunities()), leads=float(len(_leads())))),
                         _("that is for all the months of the data; the task asks for a year: spread the leads over "
                           "the months of the data, then multiply by 12.")),
                 Mistake(mistaken(revenue_today, lambda: revenue_today() / 12),
                         _("that is a month; the task asks for a year.")),
                 Mistake(mistaken(revenue_today, revenue_fast),
                         _("that is the revenue with the faster handoff (funnel.within_hour_rates); today's uses "
                           "the observed rates.")),
                 Mistake(mistaken(revenue_today, lambda: expected_revenue(
                     funnel.observed_rates(_leads(), _opportunities()), deal=_average_won_deal("median"))),
                         _("you used the median won deal; use the mean (the average won deal), so that revenue adds "
                           "up to what the deals bring.")),
             )),
        Task("q4b", "revenue_at_stake", number(revenue_at_stake),
             (_("the same expected won revenue a year with the rates of funnel.within_hour_rates (every contacted "
                "MQL answered within the hour), minus today's of task 4a."),
              _("only the SAL → SQL rate differs between the two sets of rates; use the same leads a year and the "
                "same average won deal for both, and subtract today's revenue from the faster one. "
                "funnel.simulate_funnel(..., response_minutes=WITHIN_MINUTES) gives the same revenue on its last "
                "row.")),
             mistakes=(
                 Mistake(mistaken(revenue_at_stake, lambda: _stake_with(leads=float(len(_leads())))),
                         _("that is for all the months of the data; the task asks for a year: spread the leads over "
                           "the months of the data, then multiply by 12.")),
                 Mistake(mistaken(revenue_at_stake, lambda: revenue_at_stake() / 12),
                         _("that is a month; the task asks for a year.")),
                 Mistake(mistaken(revenue_at_stake, revenue_fast),
                         _("that is the whole revenue with the faster handoff; the task asks what it adds to today's "
                           "(the difference).")),
                 Mistake(mistaken(revenue_at_stake, lambda: _stake_with(deal=_average_won_deal("median"))),
                         _("you used the median won deal; use the mean (the average won deal), so that revenue adds "
                           "up to what the deals bring.")),
                 Mistake(mistaken(revenue_at_stake, uplift),
                         _("that is a share of today's revenue; the task asks for an amount of money a year.")),
             )),
        Task("q5a", "adjusted_gap", _gap_problem(adjusted_gap),
             (_("compute the gap of task 3 within each segment on its own, then weight each segment's gap by the "
                "segment's share of all the MQLs compared (the contacted MQLs, fast and slow together) and add up: "
                "the gap with the same segment mix in both groups."),
              _("group the contacted MQLs by segment and by your fast/slow mark and take the mean of sql_at.notna() "
                "in each cell; the weights are each segment's contacted MQLs ÷ all contacted MQLs. module 07's "
                "alignment.stratified_gap(leads, marks, by=\"segment\") and alignment.adjusted_gap(table) do both "
                "from a mark that is True, False or empty for each lead.")),
             mistakes=(
                 Mistake(mistaken(adjusted_gap, lambda: float(gap_by_segment().mean())),
                         _("you gave each segment the same weight; weight each by its share of the MQLs compared.")),
                 Mistake(mistaken(adjusted_gap, lambda: _weighted(_leads()["segment"].astype(str).value_counts())),
                         _("you weighted by each segment's share of all leads; weight by its share of the MQLs "
                           "compared (those sales contacted).")),
                 Mistake(mistaken(adjusted_gap, lambda: _weighted(pd.Series(
                     table()["group_mqls"].to_numpy(), index=table()["segment"].astype(str).to_numpy()))),
                         _("you weighted by the fast group's mix only; weight by the mix of both groups together.")),
                 Mistake(mistaken(adjusted_gap, _never_in_slow_adjusted),
                         _("the MQLs never contacted are in your slow groups; leave them out of both groups, as in "
                           "task 3.")),
                 Mistake(mistaken(adjusted_gap, lambda: -adjusted_gap()),
                         _("your segment gaps are slow minus fast; the gap is the fast group's rate minus the slow "
                           "group's.")),
                 Mistake(mistaken(adjusted_gap, speed_gap),
                         _("that is the raw gap of task 3; the adjusted gap weights the gaps within the segments.")),
             )),
        Task("q5b", "segment_effect", _effect_problem,
             (_("the part of the raw gap of task 3 that the segment mix explains: the raw gap minus the adjusted gap "
                "of task 5a. Near 0, the segment explains nothing; as large as the raw gap, it explains all of it."),
              _("subtract in this order, your raw gap minus your adjusted gap, both unrounded. A negative result "
                "means the gap grew once both groups had the same segment mix.")),
             mistakes=(
                 Mistake(_effect_mistake(lambda raw, adjusted: adjusted - raw),
                         _("that is the adjusted gap minus the raw one; subtract the other way round: raw − "
                           "adjusted.")),
                 Mistake(_effect_mistake(lambda raw, adjusted: (raw - adjusted) / raw),
                         _("that is a share of the raw gap; the task asks for the difference itself, in shares of "
                           "MQLs.")),
             ), given=("speed_gap", "adjusted_gap")),
    )
