"""Exercise 00 · start here (the warm-up): counting leads, a share, a median, grading sources, and module
00's puzzle as a function, asked of the graded companies (argo, vela, tide), which no course notebook
analyses: module 00 shows lumen, ferro and bloom with their numbers printed."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from smarketing import funnel, kpis
from smarketing.exercises.shared import (
    close,
    company,
    dictionary_parts,
    half_then_all,
    mistaken,
)
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import function, number
from smarketing.messages import _

FOCUS, BENCHMARK, THIRD = "argo", "vela", "tide"  # ferro's, lumen's and bloom's counterparts in the graded work
SOURCE_GRADES = ("A", "B", "C", "D")  # module 00's credibility grades, best first
SOURCE_KEYS = {  # the warm-up's sources -> their grade, by the definitions of module 00
    "study": "A",  # peer-reviewed, on data from many firms
    "vendor_survey": "B",  # a vendor's own survey of its users
    "stats_roundup": "C",  # a blog that repeats other blogs' figures
    "slide": "D",  # no source at all
}


def leads_per_customer(leads: pd.DataFrame, opportunities: pd.DataFrame) -> float:
    """How many leads it takes to win one customer: the inverse of ``funnel.lead_to_customer_rate``
    (the "1 in 42" of module 00's puzzle). nan when no lead was won."""
    rate = funnel.lead_to_customer_rate(leads, opportunities)
    return 1 / rate if rate > 0 else math.nan


def _grade_of(text: str) -> str | None:
    """A learner's grade as one of ``SOURCE_GRADES`` (any case), or None."""
    return text.upper() if text.upper() in SOURCE_GRADES else None


def tasks() -> tuple[Task, ...]:
    """The tasks of exercise 00, in order."""

    def leads_of(name: str) -> int:
        return len(company(name).leads)

    def mqls_of(name: str) -> int:
        return int(funnel.stage_counts(company(name).leads, company(name).opportunities).set_index("stage")
                   .loc["mql", "count"])

    def mql_share(name: str) -> float:
        return kpis.conversion_rate(mqls_of(name), leads_of(name))

    def response(name: str = FOCUS, how: str = "median") -> float:
        minutes = company(name).leads["first_response_minutes"]
        return float(minutes.fillna(0).median() if how == "never as 0" else getattr(minutes, how)())

    grades_right = dictionary_parts(lambda: SOURCE_KEYS, _grade_of, _("grade"), _("grades"), SOURCE_GRADES)
    grades_half, grades_all = half_then_all(grades_right, len(SOURCE_KEYS), _("grades"))

    def vendor_graded_a(answer: Any) -> bool:
        return str(answer.get("vendor_survey", "")).strip().upper() == "A"

    def customer_cases() -> list[tuple[tuple, float]]:
        focus = company(FOCUS)
        first_half = focus.leads.iloc[: len(focus.leads) // 2]
        cases = [(company(n).leads, company(n).opportunities) for n in (BENCHMARK, FOCUS, THIRD)]
        cases.append((first_half, focus.opportunities))
        return [((leads.copy(), opportunities.copy()), leads_per_customer(leads, opportunities))
                for leads, opportunities in cases]

    def benchmark_customers(answer: Callable) -> float:
        return answer(company(BENCHMARK).leads.copy(), company(BENCHMARK).opportunities.copy())

    def benchmark_ratio(numerator: str, denominator: str) -> float:
        c = company(BENCHMARK)
        counts = funnel.stage_counts(c.leads, c.opportunities).set_index("stage")["count"]
        return float(counts[numerator] / counts[denominator])

    def function_gives(numerator: str, denominator: str) -> Callable[[Callable], bool]:
        """Whether the learner's function, on vela's tables, gives the ratio that a mistake gives (and not the
        right number: in a cohort where the two are close, only the mistake's exact number is taken for it)."""
        looks_like = mistaken(lambda: benchmark_ratio("lead", "won"), lambda: benchmark_ratio(numerator, denominator))
        return lambda answer: looks_like(benchmark_customers(answer))

    def leads_right() -> float:
        return leads_of(FOCUS)

    def share_right() -> float:
        return mql_share(BENCHMARK)

    return (
        Task("q1", "ferro_leads", number(lambda: leads_of(FOCUS), tolerance=1e-12),
             (_("one row of argo.leads is one lead: len(...) counts the rows of a DataFrame."),
              _("count every row of argo.leads, with no filter: a lead counts whether or not it became an MQL. "
                "Check that it is argo's table of leads, not vela's and not argo.opportunities (.shape shows rows "
                "and columns).")),
             mistakes=(
                 Mistake(mistaken(leads_right, lambda: leads_of(BENCHMARK)),
                         _("that is vela's number of leads; this task is about argo.")),
                 Mistake(mistaken(leads_right, lambda: mqls_of(FOCUS)),
                         _("that counts only the leads with an `mql_at` time, the MQLs. Count every lead.")),
                 Mistake(mistaken(leads_right, lambda: len(company(FOCUS).opportunities)),
                         _("that counts the rows of opportunities, the deals. Count the rows of leads.")),
             )),
        Task("q2", "lumen_mql_share", number(lambda: mql_share(BENCHMARK), share=True),
             (_("count the leads whose `mql_at` is not empty (.notna().sum()), then divide by the number of all of "
                "vela's leads."),
              _("take the column mql_at of vela.leads: .notna() turns it into True for each MQL and False for the "
                "others. The share of True among all the rows is their sum ÷ the number of rows, or simply their "
                ".mean(). Do not round.")),
             mistakes=(
                 Mistake(mistaken(share_right, lambda: mqls_of(BENCHMARK)),
                         _("that is the number of MQLs; the task asks for their share of all leads: divide by the "
                           "number of leads.")),
                 Mistake(mistaken(share_right, lambda: mql_share(FOCUS)),
                         _("that is argo's share; this task is about vela.")),
                 Mistake(mistaken(share_right, lambda: 1 - mql_share(BENCHMARK)),
                         _("that is the share of leads that did not become MQLs; the task asks for those that did.")),
                 Mistake(mistaken(share_right, lambda: benchmark_ratio("sql", "mql")),
                         _("that is the share of MQLs that reached SQL, the next step of the funnel. This task asks "
                           "for the share of all leads that reached MQL.")),
             )),
        Task("q3", "ferro_median_response", number(response),
             (_("the column first_response_minutes of argo.leads holds the minutes; .median() skips the empty "
                "cells (leads never contacted) by itself."),
              _("one column of argo.leads and one method are enough: no filter, no .fillna(), no division by 60. "
                "The empty cells are the leads nobody contacted; the median should leave them out, and .median() "
                "does.")),
             mistakes=(
                 Mistake(mistaken(response, lambda: response(how="mean")),
                         _("that is the mean. A few very slow replies pull the mean up; the task asks for the median, "
                           "the time within which half of the contacted leads got an answer.")),
                 Mistake(mistaken(response, lambda: response() / 60),
                         _("that looks like hours: give the answer in minutes, as the column holds it.")),
                 Mistake(mistaken(response, lambda: response(BENCHMARK)),
                         _("that is vela's figure; this task is about argo.")),
                 Mistake(mistaken(response, lambda: response(how="never as 0")),
                         _("you counted the leads that were never contacted as answered in 0 minutes. Leave the "
                           "empty cells out: .median() does by itself.")),
             )),
        Task("q4a", "grades", grades_half,
             (_("ask of each source: was it peer-reviewed, or are the data public (A)? Did a vendor or analyst "
                "survey people itself (B)? Does it only repeat figures from elsewhere (C)? Can you trace it at "
                "all (D)?"),
              _("module 00's section *How much to trust a number* has the four grades in a table. For each source, "
                "ask who collected the figure: researchers whose work others reviewed, a company asking its own "
                "users, a writer who copies others, or nobody you can name. Give each of the four keys a letter as "
                "text, such as \"A\"."))),
        Task("q4b", "grades", grades_all,
             (_("a figure that only repeats other blogs is C even when the figure first came from a study: you "
                "grade the source you read, then look for the original."),
              _("the two middle grades are the ones most often mixed up: B is a survey that its publisher ran "
                "itself, even when the publisher sells something; C only passes on figures that somebody else "
                "produced. Ask of each source whether its author collected the data.")),
             mistakes=(Mistake(vendor_graded_a,
                               _("a vendor's survey of its own users is not a study: the vendor chose the questions "
                                 "and the people who answer, and sells the product.")),),),
        Task("q5", "leads_per_customer", function(customer_cases, compare=close,
                                                  describe=lambda args: _(" ({leads} leads)", leads=len(args[0]))),
             (_("a lead became a customer if its lead_id is among the lead_ids of the opportunities whose outcome is "
                "'won' (.isin(...)). Divide the number of leads by the number of such customers."),
              _("inside the function, use only its two arguments, never argo's or vela's tables: the check calls "
                "it on each company and on a part of argo's leads. Keep the rows of opportunities whose outcome is "
                "\"won\" first; a lead with two won deals is one customer, so count leads (.isin on lead_id), not "
                "deals.")),
             mistakes=(
                 Mistake(function_gives("won", "lead"),
                         _("your function returns customers per lead, the rate itself: the task asks for the "
                           "inverse, leads per customer.")),
                 Mistake(function_gives("lead", "opportunity"),
                         _("your function counts all deals, also those lost or still open. Count only the leads "
                           "whose deal was won.")),
                 Mistake(function_gives("mql", "won"),
                         _("your function counts only the MQLs: the puzzle counts every lead.")),
             )),
    )
