"""The self-checks of the graded exercises: for each assignment, its tasks ``q1``, ``q2``…

An exercise notebook's setup cell binds them, e.g. ``q1, q2a, q2b, q3, q4, q5 = tasks("03_funnel_handoff")``;
each visible test cell runs ``q1.check()``. Expected answers are computed with the library's own
formulas (``kpis``, ``funnel``, …): the exercises check exactly what the course teaches.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd

from smarketing import funnel, kpis
from smarketing.datasets import Company, load_company
from smarketing.feedback import Mistake, Task, choice, frame, function, number
from smarketing.messages import _


@cache
def company(name: str) -> Company:
    """A course company, loaded once per kernel."""
    return load_company(name)


def _close(a: float, b: float) -> bool:
    return isinstance(a, int | float | np.integer | np.floating) and math.isclose(a, b, rel_tol=1e-3)


# ---- 03 · the funnel and the handoff ---------------------------------------------------------------

MONTHS_OF_DATA = 24
CAPACITY_PER_MONTH = 150


def ferro_counts() -> dict[str, int]:
    leads = company("ferro").leads
    return {"leads": len(leads), "mqls": int(leads["mql_at"].notna().sum()),
            "sals": int(leads["sal_at"].notna().sum()), "sqls": int(leads["sql_at"].notna().sum())}


def capacity_threshold(leads: pd.DataFrame, opportunities: pd.DataFrame, capacity_per_month: float) -> int:
    """The lowest MQL threshold whose MQLs a month stay within sales' capacity."""
    tradeoff = funnel.mql_threshold_tradeoff(leads, opportunities, range(101))
    within = tradeoff[tradeoff["mqls"] / MONTHS_OF_DATA <= capacity_per_month]
    return int(within["threshold"].min())


def _leakage_cases() -> list[tuple[tuple, float]]:
    ferro, lumen = company("ferro").leads, company("lumen").leads
    return [((ferro, 1440), funnel.leakage_rate(ferro, 1440)), ((ferro, 60), funnel.leakage_rate(ferro, 60)),
            ((lumen, 1440), funnel.leakage_rate(lumen, 1440))]


def _same_rate(got: float, want: float) -> bool:
    return _close(got, want)


def _funnel_handoff() -> tuple[Task, ...]:
    ferro = company("ferro")
    counts = ferro_counts

    def conversion() -> pd.DataFrame:
        return funnel.stage_conversion(ferro.leads, ferro.opportunities)

    def structure(answer: object) -> str | None:
        problem = frame(lambda: conversion()[["from_stage", "to_stage"]], key=None, check_order=True)(answer)
        return problem

    def threshold() -> int:
        return capacity_threshold(ferro.leads, ferro.opportunities, CAPACITY_PER_MONTH)

    def revenue_share() -> float:
        table = funnel.mql_threshold_tradeoff(ferro.leads, ferro.opportunities, [threshold()])
        return float(table["share_of_won_revenue"].iloc[0])

    def leakage_ignoring_never_contacted(answer: Callable) -> bool:
        leads = ferro.leads[ferro.leads["mql_at"].notna()]
        wrong = float((leads["first_response_minutes"] > 1440).sum()) / len(leads)
        return _close(answer(ferro.leads, 1440), wrong)

    assignment = "03_funnel_handoff"
    return (
        Task("q1", "mql_to_sql_rate", number(lambda: kpis.conversion_rate(counts()["sqls"], counts()["mqls"]),
                                             share=True),
             _("count the leads with an `mql_at` time, count those of them with an `sql_at` time, divide."),
             mistakes=(
                 Mistake(lambda a: _close(a, counts()["sqls"] / counts()["leads"]),
                         _("you divided by all leads. A stage's conversion divides by those who entered the stage "
                           "before it: the MQLs.")),
                 Mistake(lambda a: _close(a, counts()["sqls"] / counts()["sals"]),
                         _("you divided by the SALs (the leads sales accepted). This task asks for MQL → SQL: "
                           "divide by the MQLs.")),
             ), assignment=assignment),
        Task("q2a", "conversion", structure,
             _("one row per step: lead→mql, mql→sal, sal→sql, sql→opportunity, opportunity→won, in that order, "
               "with columns from_stage and to_stage named as in funnel.STAGES."), assignment=assignment,
             has_hidden_tests=False),
        Task("q2b", "conversion", frame(conversion, key="to_stage", tolerance=1e-9),
             _("for each step, `entered` counts the leads that reached from_stage, `converted` those of them that "
               "also reached to_stage, and `rate` = converted ÷ entered. A lead reached 'opportunity' if its "
               "lead_id is in the opportunities table, 'won' if one of its opportunities has outcome 'won'."),
             assignment=assignment),
        Task("q3", "leakage_rate", function(_leakage_cases, compare=_same_rate,
                                            describe=lambda args: _(" (SLA {minutes} minutes)", minutes=args[1])),
             _("take the MQLs only; a lead leaked if its first_response_minutes is empty (never contacted) or "
               "above the SLA. Return leaked ÷ MQLs."),
             mistakes=(Mistake(leakage_ignoring_never_contacted,
                               _("MQLs that sales never contacted (an empty first_response_minutes) leaked too: "
                                 "count them.")),),
             assignment=assignment),
        Task("q4", "threshold", number(lambda: float(threshold()), tolerance=0),
             _("funnel.mql_threshold_tradeoff gives the MQLs at every threshold for the whole two years: divide by "
               "24 for a month, then take the lowest threshold that stays within 150."),
             mistakes=(Mistake(lambda a: _close(a, counts()["mqls"] / MONTHS_OF_DATA),
                               _("that is a number of MQLs; the task asks for a score threshold (0–100).")),),
             assignment=assignment),
        Task("q5", "revenue_share_kept", number(revenue_share, share=True),
             _("at your threshold, the share of won revenue that came from leads scoring at or above it "
               "(column share_of_won_revenue)."), assignment=assignment),
    )


ASSIGNMENTS: dict[str, Callable[[], tuple[Task, ...]]] = {
    "03_funnel_handoff": _funnel_handoff,
}


def tasks(assignment: str) -> tuple[Task, ...]:
    """The tasks of an assignment, in order."""
    if assignment not in ASSIGNMENTS:
        raise ValueError(_("Unknown assignment '{name}'. Assignments: {known}.", name=assignment,
                           known=", ".join(ASSIGNMENTS)))
    return ASSIGNMENTS[assignment]()


__all__ = ["ASSIGNMENTS", "choice", "company", "tasks"]
