"""The self-checks of the graded exercises: for each assignment, its tasks ``q1``, ``q2``…

An exercise notebook's setup cell binds them, e.g. ``q1, q2a, q2b, q3, q4, q5 = tasks("03_funnel_handoff")``;
each visible test cell runs ``q1.check()``. Expected answers are computed with the library's own
formulas (``kpis``, ``funnel``, …): the exercises check exactly what the course teaches.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache, partial
from typing import Any

import numpy as np
import pandas as pd

from smarketing import (
    alignment,
    attribution,
    careers,
    dashboard,
    funnel,
    kpis,
    roles,
    schema,
)
from smarketing.datasets import COURSE_QUARTERS, Company, load_company
from smarketing.feedback import Mistake, Task, choice, frame, function, number
from smarketing.messages import _


@cache
def company(name: str) -> Company:
    """A course company, loaded once per kernel."""
    return load_company(name)


def _close(a: float, b: float) -> bool:
    return isinstance(a, int | float | np.integer | np.floating) and math.isclose(a, b, rel_tol=1e-3)


def _enough_right(count: Callable[[Any], tuple[int, str | None]], needed: int,
                  too_few: Callable[[int], str]) -> Callable[[Any], str | None]:
    """A verifier for an answer of several parts (a dictionary of owners, of grades) that passes when at
    least ``needed`` parts are right: ``count`` gives how many are (or what is wrong with the answer's
    form), ``too_few(right)`` says so in words, never which part is wrong."""

    def verify(answer: Any) -> str | None:
        right, problem = count(answer)
        if problem:
            return problem
        return too_few(right) if right < needed else None

    return verify


# ---- 00 · start here (warm-up) --------------------------------------------------------------------

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


def _start_here() -> tuple[Task, ...]:
    def leads_of(name: str) -> int:
        return len(company(name).leads)

    def mqls_of(name: str) -> int:
        return int(funnel.stage_counts(company(name).leads, company(name).opportunities).set_index("stage")
                   .loc["mql", "count"])

    def mql_share(name: str) -> float:
        return kpis.conversion_rate(mqls_of(name), leads_of(name))

    def response(name: str = "ferro", how: str = "median") -> float:
        minutes = company(name).leads["first_response_minutes"]
        return float(minutes.fillna(0).median() if how == "never as 0" else getattr(minutes, how)())

    def grades_right(answer: Any) -> tuple[int, str | None]:
        """(number right, what is wrong with the form of the answer or None)."""
        if not isinstance(answer, dict):
            return 0, _("your answer is a {kind}; this task asks for a dictionary {{key: grade}}.",
                        kind=type(answer).__name__)
        missing = [key for key in SOURCE_KEYS if key not in answer]
        if missing:
            return 0, _("your dictionary lacks the key(s) {keys}.", keys=", ".join(missing))
        chosen = {key: str(answer[key]).strip().upper() for key in SOURCE_KEYS}
        unknown = [key for key, grade in chosen.items() if grade not in SOURCE_GRADES]
        if unknown:
            return 0, _("the value(s) for {keys} are not grades: write one of {known}.", keys=", ".join(unknown),
                        known=", ".join(repr(g) for g in SOURCE_GRADES))
        return sum(chosen[key] == grade for key, grade in SOURCE_KEYS.items()), None

    total_grades = len(SOURCE_KEYS)
    grades_half = _enough_right(grades_right, math.ceil(total_grades / 2), lambda right: _(
        "{right} of the {total} grades are right; half of them earn this point.", right=right, total=total_grades))
    grades_all = _enough_right(grades_right, total_grades, lambda right: _(
        "{right} of the {total} grades are right.", right=right, total=total_grades))

    def vendor_graded_a(answer: Any) -> bool:
        return str(answer.get("vendor_survey", "")).strip().upper() == "A"

    def customer_cases() -> list[tuple[tuple, float]]:
        first_leads = company("ferro").leads.iloc[:4000]
        cases = [(company(n).leads, company(n).opportunities) for n in ("lumen", "ferro", "bloom")]
        cases.append((first_leads, company("ferro").opportunities))
        return [((leads.copy(), opportunities.copy()), leads_per_customer(leads, opportunities))
                for leads, opportunities in cases]

    def lumen_customers(answer: Callable) -> float:
        return answer(company("lumen").leads.copy(), company("lumen").opportunities.copy())

    def lumen_ratio(numerator: str, denominator: str) -> float:
        c = company("lumen")
        counts = funnel.stage_counts(c.leads, c.opportunities).set_index("stage")["count"]
        return float(counts[numerator] / counts[denominator])

    assignment = "00_start_here"
    return (
        Task("q1", "ferro_leads", number(lambda: leads_of("ferro"), tolerance=1e-12),
             _("one row of ferro.leads is one lead: len(...) counts the rows of a DataFrame."),
             mistakes=(
                 Mistake(lambda a: _close(a, leads_of("lumen")),
                         _("that is lumen's number of leads; this task is about ferro.")),
                 Mistake(lambda a: _close(a, mqls_of("ferro")),
                         _("that counts only the leads with an `mql_at` time, the MQLs. Count every lead.")),
                 Mistake(lambda a: _close(a, len(company("ferro").opportunities)),
                         _("that counts the rows of opportunities, the deals. Count the rows of leads.")),
             ), assignment=assignment),
        Task("q2", "lumen_mql_share", number(lambda: mql_share("lumen"), share=True),
             _("count the leads whose `mql_at` is not empty (.notna().sum()), then divide by the number of all of "
               "lumen's leads."),
             mistakes=(
                 Mistake(lambda a: _close(a, mqls_of("lumen")),
                         _("that is the number of MQLs; the task asks for their share of all leads: divide by the "
                           "number of leads.")),
                 Mistake(lambda a: _close(a, mql_share("ferro")), _("that is ferro's share; this task is about lumen.")),
                 Mistake(lambda a: _close(a, 1 - mql_share("lumen")),
                         _("that is the share of leads that did not become MQLs; the task asks for those that did.")),
                 Mistake(lambda a: _close(a, lumen_ratio("sql", "mql")),
                         _("that is the share of MQLs that reached SQL, the next step of the funnel. This task asks "
                           "for the share of all leads that reached MQL.")),
             ), assignment=assignment),
        Task("q3", "ferro_median_response", number(response),
             _("the column first_response_minutes of ferro.leads holds the minutes; .median() skips the empty "
               "cells (leads never contacted) by itself."),
             mistakes=(
                 Mistake(lambda a: _close(a, response(how="mean")),
                         _("that is the mean. A few very slow replies pull the mean up; the task asks for the median, "
                           "the time within which half of the contacted leads got an answer.")),
                 Mistake(lambda a: _close(a, response() / 60),
                         _("that looks like hours: give the answer in minutes, as the column holds it.")),
                 Mistake(lambda a: _close(a, response("lumen")), _("that is lumen's figure; this task is about ferro.")),
                 Mistake(lambda a: _close(a, response(how="never as 0")),
                         _("you counted the leads that were never contacted as answered in 0 minutes. Leave the "
                           "empty cells out: .median() does by itself.")),
             ), assignment=assignment),
        Task("q4a", "grades", grades_half,
             _("ask of each source: was it peer-reviewed, or are the data public (A)? Did a vendor or analyst "
               "survey people itself (B)? Does it only repeat figures from elsewhere (C)? Can you trace it at "
               "all (D)?"), assignment=assignment),
        Task("q4b", "grades", grades_all,
             _("a figure that only repeats other blogs is C even when the figure first came from a study: you "
               "grade the source you read, then look for the original."),
             mistakes=(Mistake(vendor_graded_a,
                               _("a vendor's survey of its own users is not a study: the vendor chose the questions "
                                 "and the people who answer, and sells the product.")),),
             assignment=assignment),
        Task("q5", "leads_per_customer", function(customer_cases, compare=_close,
                                                  describe=lambda args: _(" ({leads} leads)", leads=len(args[0]))),
             _("a lead became a customer if its lead_id is among the lead_ids of the opportunities whose outcome is "
               "'won' (.isin(...)). Divide the number of leads by the number of such customers."),
             mistakes=(
                 Mistake(lambda f: _close(lumen_customers(f), lumen_ratio("won", "lead")),
                         _("your function returns customers per lead, the rate itself: the task asks for the "
                           "inverse, leads per customer.")),
                 Mistake(lambda f: _close(lumen_customers(f), lumen_ratio("lead", "opportunity")),
                         _("your function counts all deals, also those lost or still open. Count only the leads "
                           "whose deal was won.")),
                 Mistake(lambda f: _close(lumen_customers(f), lumen_ratio("mql", "won")),
                         _("your function counts only the MQLs: the puzzle counts every lead.")),
             ), assignment=assignment),
    )


# ---- 01 · roles -------------------------------------------------------------------------------------

ROLE_TASK_KEYS = {  # the exercise's short keys -> the tasks of roles.TASKS they stand for
    "webinar": "Run a webinar for 300 prospects",
    "budget": "Set next year's brand and channel budget",
    "call_mql": "Call a new marketing-qualified lead within the hour",
    "forecast": "Forecast this quarter's bookings from the pipeline",
    "complaint": "Resolve a customer's delivery complaint",
    "delivery_time": "Cut the time from order to delivery",
    "crm_fields": "Keep lead routing and CRM fields clean",
    "dashboard": "Build the dashboard of the marketing-to-sales funnel",
}
OFF_FUNCTION_BLOCKS = ("marketing: prospect by phone", "marketing: build reports", "sales: create content",
                       "sales: maintain CRM", "revops: forecast pipeline")


def role_task_owners() -> dict[str, str]:
    """The function that owns each task of the exercise, as ``roles.TASKS`` says."""
    by_text = {task.text: task.owner for task in roles.TASKS}
    return {key: by_text[text] for key, text in ROLE_TASK_KEYS.items()}


def weekly_hours(activities: pd.DataFrame, employees: pd.DataFrame, function_name: str, activity: str) -> float:
    """Hours a week that one person of ``function_name`` spends on ``activity`` on average, as
    ``roles.hours_per_person`` computes it (0 when nobody of the function logged the activity)."""
    table = roles.hours_per_person(activities, employees)
    row = table[(table["function"] == function_name) & (table["activity"] == activity)]
    return float(row["hours_per_person_week"].sum())


def company_excess_hours(name: str = "ferro", benchmark: str = "lumen", column: str = "company_excess_hours"
                         ) -> pd.Series:
    """For each block of ``OFF_FUNCTION_BLOCKS``: the hours a week the whole company spends on it beyond the
    benchmark's rate (:func:`roles.company_excess_hours`), or another of its columns, e.g. the excess per
    person (``column="excess_hours"``); 0 for a block the company does not do."""
    return _excess_by_block(name, benchmark)[column].copy()


@cache
def _excess_by_block(name: str, benchmark: str) -> pd.DataFrame:
    here, there = company(name), company(benchmark)
    table = roles.company_excess_hours(here.activities, here.employees, there.activities, there.employees)
    table = table.set_index(table["function"] + ": " + table["activity"])
    return table[["excess_hours", "company_excess_hours"]].reindex(list(OFF_FUNCTION_BLOCKS), fill_value=0.0)


def _role_labels(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a learner's table with its row and column labels as plain strings."""
    out = table.copy()
    out.index = [str(label) for label in out.index]
    out.columns = [str(label) for label in out.columns]
    return out


@cache
def _allocation_hours(name: str) -> pd.DataFrame:
    """Hours by the people's function (rows) and the function that owns the work (columns)."""
    c = company(name)
    worker = c.activities["employee_id"].map(c.employees.set_index("employee_id")["function"].astype(str))
    owner = c.activities["activity"].astype(str).map(schema.ACTIVITY_OWNERS)
    hours = c.activities["hours"].astype(float).groupby([worker.rename("function"), owner.rename("owner")]).sum()
    functions = list(schema.FUNCTIONS)
    return hours.unstack(fill_value=0.0).reindex(index=functions, columns=functions, fill_value=0.0)


@cache
def _role_allocation(name: str) -> pd.DataFrame:
    """The company's time-allocation table (``roles.time_allocation``), computed once per kernel."""
    c = company(name)
    return roles.time_allocation(c.activities, c.employees)


def _same_table(answer: Any, expected: pd.DataFrame, tolerance: float = 1e-6) -> bool:
    """Whether a learner's table holds ``expected``'s values (matched by labels, any order)."""
    if not isinstance(answer, pd.DataFrame):
        return False
    table = _role_labels(answer)
    if not (set(expected.index) <= set(table.index) and set(expected.columns) <= set(table.columns)):
        return False
    mine = table.loc[list(expected.index), list(expected.columns)]
    values = mine.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    return bool(np.allclose(values, expected.to_numpy(dtype=float), rtol=0, atol=tolerance))


def _allocation_structure(answer: Any) -> str | None:
    functions = list(schema.FUNCTIONS)
    if not isinstance(answer, pd.DataFrame):
        return _("your answer is a {kind}; this task asks for a pandas DataFrame.", kind=type(answer).__name__)
    table = _role_labels(answer)
    if list(table.index) != functions and "function" in table.columns:
        return _("the functions are a column of your table; make them its rows (for example with "
                 ".set_index(\"function\")).")
    if list(table.index) != functions:
        return _("your rows are {found}; they should be the people's functions, in this order: {want}.",
                 found=", ".join(table.index[:8]) or _("none"), want=", ".join(functions))
    if list(table.columns) != functions:
        return _("your columns are {found}; they should be the functions that own the work, in this order: "
                 "{want}. Select and order them with .reindex(columns=FUNCTIONS).",
                 found=", ".join(table.columns[:8]) or _("none"), want=", ".join(functions))
    return None


def _allocation_values(expected: Callable[[], pd.DataFrame]) -> Callable[[Any], str | None]:
    def verify(answer: Any) -> str | None:
        if not isinstance(answer, pd.DataFrame):
            return _("your answer is a {kind}; this task asks for a pandas DataFrame.", kind=type(answer).__name__)
        target, table = expected(), _role_labels(answer)
        lacking = [f for f in target.index if f not in table.index] + [f for f in target.columns
                                                                        if f not in table.columns]
        if lacking:
            return _("to check the shares, your table needs the four functions as rows and as columns; it lacks "
                     "{lacking}.", lacking=", ".join(dict.fromkeys(lacking)))
        mine = table.loc[list(target.index), list(target.columns)].apply(pd.to_numeric, errors="coerce")
        wrong = ~np.isclose(mine.to_numpy(dtype=float), target.to_numpy(dtype=float), rtol=0, atol=1e-6)
        if wrong.any():
            rows = [target.index[i] for i in sorted(set(np.nonzero(wrong)[0]))]
            return _("the shares are not right yet in the row(s) of {rows}.", rows=", ".join(rows))
        return None

    return verify


def _roles() -> tuple[Task, ...]:
    ferro = company("ferro")

    def allocation(name: str = "ferro") -> pd.DataFrame:
        return _role_allocation(name)

    def off_share(name: str, function_name: str) -> float:
        c = company(name)
        return float(roles.off_function_share(c.activities, c.employees)[function_name])

    def by_column() -> pd.DataFrame:
        hours = _allocation_hours("ferro")
        return hours / hours.sum(axis=0)

    def others_do_sales_work() -> float:
        hours = _allocation_hours("ferro")["sales"]
        return float((hours.sum() - hours["sales"]) / hours.sum())

    def calls(answer: Callable) -> float:
        """The learner's function on ferro's marketers and cold-calling, on copies of the tables."""
        return answer(ferro.activities.copy(), ferro.employees.copy(), "marketing", "prospect by phone")

    def calling_parts() -> dict[str, float]:
        people = float((ferro.employees["function"] == "marketing").sum())
        weeks = float(ferro.activities["week"].nunique())
        worker = ferro.activities["employee_id"].map(ferro.employees.set_index("employee_id")["function"])
        calling = ferro.activities["activity"] == "prospect by phone"
        return {"people": people, "weeks": weeks,
                "hours": float(ferro.activities.loc[calling & (worker == "marketing"), "hours"].sum()),
                "everyone": float(ferro.activities.loc[calling, "hours"].sum())}

    def averages_rows(answer: Callable) -> bool:
        """Whether the learner's function averages the logged rows (missing weeks and people then don't count)."""
        lumen = company("lumen")
        sales = lumen.employees.loc[lumen.employees["function"] == "sales", "employee_id"]
        rows = lumen.activities[(lumen.activities["activity"] == "maintain CRM")
                                & lumen.activities["employee_id"].isin(sales)]
        right = weekly_hours(lumen.activities, lumen.employees, "sales", "maintain CRM")
        got = answer(lumen.activities.copy(), lumen.employees.copy(), "sales", "maintain CRM")
        return not _close(float(rows["hours"].mean()), right) and _close(got, float(rows["hours"].mean()))

    def hours_cases() -> list[tuple[tuple, float]]:
        cases = [("ferro", "marketing", "prospect by phone"), ("ferro", "sales", "create content"),
                 ("lumen", "sales", "maintain CRM")]
        out = []
        for name, function_name, activity in cases:
            c = company(name)
            out.append(((c.activities.copy(), c.employees.copy(), function_name, activity),
                        weekly_hours(c.activities, c.employees, function_name, activity)))
        return out

    def owners_problem(answer: Any) -> tuple[int, str | None]:
        """(number right, what is wrong with the form of the answer or None)."""
        if not isinstance(answer, dict):
            return 0, _("your answer is a {kind}; this task asks for a dictionary {{key: function}}.",
                        kind=type(answer).__name__)
        missing = [key for key in ROLE_TASK_KEYS if key not in answer]
        if missing:
            return 0, _("your dictionary lacks the key(s) {keys}.", keys=", ".join(missing))
        names = {key: key for key in roles.FUNCTION_LABELS} | {
            label.lower(): key for key, label in roles.FUNCTION_LABELS.items()}
        chosen = {key: names.get(str(answer[key]).strip().lower()) for key in ROLE_TASK_KEYS}
        unknown = [key for key, value in chosen.items() if value is None]
        if unknown:
            return 0, _("the value(s) for {keys} are not functions: write one of {known}.",
                        keys=", ".join(unknown), known=", ".join(repr(k) for k in roles.FUNCTION_LABELS))
        return sum(chosen[key] == owner for key, owner in role_task_owners().items()), None

    total_owners = len(ROLE_TASK_KEYS)
    owners_half = _enough_right(owners_problem, math.ceil(total_owners / 2), lambda right: _(
        "{right} of the {total} owners are right; half of them earn this point.", right=right, total=total_owners))
    owners_all = _enough_right(owners_problem, total_owners, lambda right: _(
        "{right} of the {total} owners are right.", right=right, total=total_owners))

    def best_block() -> str:
        return str(company_excess_hours().idxmax())

    def top_per_person() -> str:
        return str(company_excess_hours(column="excess_hours").idxmax())

    def picked(block_of: Callable[[], str]) -> Callable[[Any], bool]:
        return lambda a: isinstance(a, str) and a.strip().lower() == block_of().lower() != best_block().lower()

    def picked_by_design(answer: Any) -> bool:
        excess = company_excess_hours()
        return isinstance(answer, str) and answer.strip().lower() in {b.lower() for b in excess[excess <= 0].index}

    assignment = "01_roles"
    return (
        Task("q1a", "allocation", _allocation_structure,
             _("one row per function the people belong to and one column per function that owns the work, both "
               "in the order of FUNCTIONS: pivot_table(index=..., columns=...), then .reindex(index=FUNCTIONS, "
               "columns=FUNCTIONS)."), assignment=assignment),
        Task("q1b", "allocation", _allocation_values(allocation),
             _("give each row of activities the function of the person (from employees) and the function that owns "
               "the activity (ACTIVITY_OWNERS), add up the hours by both, then divide each row by its own total."),
             mistakes=(
                 Mistake(lambda a: _same_table(a, allocation("lumen")),
                         _("that is lumen's table; this task is about ferro.")),
                 Mistake(lambda a: _same_table(a, by_column()),
                         _("each of your columns sums to 1: you divided by the column totals. Divide each row by its "
                           "own total, the hours of the people of that function.")),
                 Mistake(lambda a: _same_table(a.T, by_column()) or _same_table(a.T, allocation()),
                         _("your rows and columns are swapped: rows are the function the people belong to (from "
                           "employees), columns the function that owns the activity.")),
                 Mistake(lambda a: _same_table(a / 100, allocation()),
                         _("your shares look like percentages: give them as shares between 0 and 1 (each row sums "
                           "to 1).")),
                 Mistake(lambda a: _same_table(a, _allocation_hours("ferro"), tolerance=1e-3)
                         or bool(_role_labels(a).apply(pd.to_numeric, errors="coerce").max().max() > 1 + 1e-9),
                         _("your table holds hours, not shares: divide each row by its total so that every row "
                           "sums to 1.")),
                 Mistake(lambda a: _same_table(a, allocation(), tolerance=5e-3) and not _same_table(a, allocation()),
                         _("your shares are rounded: store them unrounded, and round only to display them.")),
             ), assignment=assignment),
        Task("q2", "sales_off_share", number(lambda: off_share("ferro", "sales"), share=True),
             _("of all the hours ferro's sales people logged, the share spent on activities that ACTIVITY_OWNERS gives to "
               "another function (marketing, operations or revops)."),
             mistakes=(
                 Mistake(lambda a: _close(a, off_share("lumen", "sales")),
                         _("that is lumen's figure; this task is about ferro.")),
                 Mistake(lambda a: _close(a, off_share("ferro", "marketing")),
                         _("that is the marketers' share; this task asks about the sales people.")),
                 Mistake(lambda a: _close(a, 1 - off_share("ferro", "sales")),
                         _("that is the share of sales people's hours on sales' own work; the task asks for the rest.")),
                 Mistake(lambda a: _close(a, float(allocation().loc["sales", "marketing"])),
                         _("you counted only marketing's work. Activities that revops owns (CRM upkeep, reports) "
                           "are another function's work too.")),
                 Mistake(lambda a: _close(a, others_do_sales_work()),
                         _("you measured how much of the sales-owned work other functions do. The task asks the "
                           "opposite: how much of the sales people's hours go to work other functions own.")),
             ), assignment=assignment),
        Task("q3", "hours_per_person_week",
             function(hours_cases, compare=_close,
                      describe=lambda args: _(" ({function}, {activity})", function=args[2], activity=args[3])),
             _("keep the rows of the activity whose employee_id belongs to a person of the function, add up their "
               "hours, then divide by the number of people of that function in employees and by the number of "
               "different weeks in activities (activities[\"week\"].nunique())."),
             mistakes=(
                 Mistake(lambda f: _close(calls(f), calling_parts()["hours"]),
                         _("your function returns the total hours of all the people over all the weeks: divide by "
                           "the number of people and by the number of weeks.")),
                 Mistake(lambda f: _close(calls(f), calling_parts()["hours"] / calling_parts()["people"]),
                         _("your function returns hours per person over all the weeks: divide by the number of "
                           "weeks too.")),
                 Mistake(lambda f: _close(calls(f), calling_parts()["hours"] / calling_parts()["weeks"]),
                         _("your function returns hours a week for the whole team: divide by the number of people "
                           "of the function too.")),
                 Mistake(lambda f: _close(calls(f), calling_parts()["everyone"]
                                          / (calling_parts()["people"] * calling_parts()["weeks"])),
                         _("your function counts the hours of everybody who did the activity; keep only the people "
                           "of the function (look their function up in employees).")),
                 Mistake(averages_rows,
                         _("your function averages the rows of the time sheets, so a week in which someone logged none "
                           "of the activity does not count. Divide the hours by the number of people of the function "
                           "and by the number of weeks instead.")),
             ), assignment=assignment),
        Task("q4a", "owners", owners_half,
             _("marketing reaches many people at once and plans for the long term; sales works one buyer at a time "
               "and owns its number; operations delivers, serves and improves after the sale; revops keeps the "
               "shared systems, data and reports."), assignment=assignment),
        Task("q4b", "owners", owners_all,
             _("two tasks are borderline on purpose. The forecast: who commits to the number? The funnel "
               "dashboard: does it belong to either side alone?"), assignment=assignment),
        Task("q5", "biggest_excess", choice([best_block()], OFF_FUNCTION_BLOCKS),
             _("for each block, take its excess hours per person-week over lumen (roles.compare_misplaced_work) "
               "and multiply by the number of ferro people in that function (employees[\"function\"]"
               ".value_counts()). Then pick the largest."),
             mistakes=(
                 Mistake(picked(top_per_person),
                         _("that block has the largest excess per person; the task asks for the whole company's hours. "
                           "Multiply each block's excess per person by the number of people in that function.")),
                 Mistake(picked_by_design,
                         _("lumen spends at least as much time per person on that work: it is shared by design, "
                           "there is no excess to cut.")),
             ), assignment=assignment),
    )


# ---- 02 · KPIs ----------------------------------------------------------------------------------------

KPI_QUARTER = "2024Q4"
SHARED_TARGET_OPTIONS = ("leads", "mqls", "sqls", "bookings", "cost_per_lead")


def outcome_counts(name: str) -> dict[str, int]:
    """Deals won, lost and still open of a course company."""
    outcome = company(name).opportunities["outcome"]
    return {k: int((outcome == k).sum()) for k in ("won", "lost", "open")}


def channel_costs(name: str) -> pd.DataFrame:
    """Spend (its campaigns), leads (by the channel of the campaign that created them) and cost per lead,
    one row per channel, by :func:`alignment.closed_loop_report` and :func:`kpis.cost_per_lead`."""
    c = company(name)
    report = alignment.closed_loop_report(c.leads, c.opportunities, c.campaigns)
    return report[["channel", "spend", "leads", "cost_per_lead"]].reset_index(drop=True)


def lead_to_close_days(name: str, outcomes: tuple[str, ...] = ("won",), start: str = "lead",
                       whole_days: bool = False) -> float:
    """Marketing's lag: median days from a lead's creation to the close of its won deal
    (:func:`kpis.sales_cycle_days` with the lead's ``created_at`` as the start). The other arguments
    compute the common mistakes: lost deals too, the clock started at the MQL or the opportunity, or
    each duration rounded down to whole days."""
    c = company(name)
    deals = c.opportunities[c.opportunities["outcome"].isin(outcomes)]
    begin = {"lead": deals["lead_id"].map(c.leads.set_index("lead_id")["created_at"]),
             "mql": deals["lead_id"].map(c.leads.set_index("lead_id")["mql_at"]),
             "opportunity": deals["created_at"]}[start]
    if whole_days:
        days = (deals["closed_at"] - pd.to_datetime(begin)).dt.days.dropna()
        return float(days.median())
    return kpis.sales_cycle_days(begin, deals["closed_at"])


def _lag_durations(name: str) -> pd.Series:
    c = company(name)
    won = c.opportunities[c.opportunities["outcome"] == "won"]
    created = won["lead_id"].map(c.leads.set_index("lead_id")["created_at"])
    return (won["closed_at"] - created).dt.total_seconds() / 86_400


@cache
def _quarterly(name: str) -> pd.DataFrame:
    return dashboard.quarterly_kpis(company(name))


def quarter_kpi(name: str, kpi: str, quarter: str = KPI_QUARTER, column: str = "value") -> float:
    """One KPI (or its target) of a company's quarter, from :func:`dashboard.quarterly_kpis`."""
    table = _quarterly(name)
    return float(table.loc[(table["quarter"] == quarter) & (table["kpi"] == kpi), column].iloc[0])


def mql_target_attainment(name: str, quarter: str = KPI_QUARTER) -> float:
    """The quarter's MQLs ÷ marketing's MQL target."""
    return kpis.quota_attainment(quarter_kpi(name, "mqls", quarter), quarter_kpi(name, "mqls", quarter, "target"))


def _nps_cases() -> list[tuple[tuple, float]]:
    """The cases of task 3; the learner's function gets copies, so that one that drops or fills the
    answers in place cannot change the course's cached data for the checks that follow."""
    answers = company("lumen").accounts["nps"]
    lists = ([10, 10, 9, 8, 7, 6, 3, 10], [9, 10, 9, 9], [0, 6, 5, 8])
    return [((list(scores),), kpis.net_promoter_score(scores)) for scores in lists] + \
           [((answers.copy(),), kpis.net_promoter_score(answers))]


def _describe_scores(args: tuple) -> str:
    scores = args[0]
    if isinstance(scores, pd.Series):
        return _(" (lumen's accounts['nps'], {count} answers and some missing)", count=int(scores.notna().sum()))
    return _(" (answers {scores})", scores=list(scores))


def _same_score(got: object, want: float) -> bool:
    if math.isnan(want):
        return isinstance(got, int | float | np.integer | np.floating) and math.isnan(got)
    return isinstance(got, int | float | np.integer | np.floating) and not isinstance(got, bool) and \
        math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9)


NPS_PROBE = [10, 10, 10, 9, 8, 7, 8, 6, 2, 5]  # 4 promoters, 3 passives, 3 detractors: NPS 10


def _nps_like(variant: Callable[[np.ndarray], float]) -> Callable[[Any], bool]:
    """A mistake detector: the learner's NPS function gives the ``variant`` formula's result on the probe."""
    def looks_like(answer: Any) -> bool:
        got = answer(list(NPS_PROBE))
        want = variant(np.array(NPS_PROBE, dtype=float))
        return not _same_score(got, kpis.net_promoter_score(NPS_PROBE)) and _same_score(got, want)
    return looks_like


def _nps_counts_missing(answer: Any) -> bool:
    scores = [10, 9, math.nan, None, 3]
    return _same_score(answer(list(NPS_PROBE)), kpis.net_promoter_score(NPS_PROBE)) and \
        _same_score(answer(scores), 100 * (2 - 1) / len(scores))


def _by_channel(answer: Any, column: str) -> pd.Series | None:
    """The answer's ``column`` by channel (channel a column or the index), or None if it has neither."""
    if not isinstance(answer, pd.DataFrame) or column not in answer.columns:
        return None
    table = answer if "channel" in answer.columns else answer.reset_index()
    if "channel" not in table.columns:
        return None
    values = pd.to_numeric(table[column], errors="coerce").astype(float)
    return pd.Series(values.to_numpy(), index=table["channel"].astype(str).to_numpy())


def _column_is(answer: Any, column: str, expected: pd.Series) -> bool:
    got = _by_channel(answer, column)
    if got is None or sorted(got.index) != sorted(expected.index.astype(str)):
        return False
    expected = pd.Series(expected.to_numpy(float), index=expected.index.astype(str))
    return bool(np.allclose(got.reindex(expected.index).to_numpy(), expected.to_numpy(), rtol=1e-6))


def _spend_joined_to_leads(name: str) -> pd.Series:
    """Spend summed after merging campaigns onto leads: each campaign's spend counted once per lead."""
    c = company(name)
    joined = c.leads[["campaign_id", "channel"]].merge(c.campaigns[["campaign_id", "spend"]], on="campaign_id")
    return joined.groupby(joined["channel"].astype(str))["spend"].sum()


def _campaigns_per_channel(name: str) -> pd.Series:
    campaigns = company(name).campaigns
    return campaigns.groupby(campaigns["channel"].astype(str)).size().astype(float)


def _cost_per_mql(name: str) -> pd.Series:
    report = alignment.closed_loop_report(company(name).leads, company(name).opportunities, company(name).campaigns)
    return (report["spend"] / report["mqls"]).set_axis(report["channel"])


def _channel_as_text(verify: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    """``verify`` on the answer with its channel column as text: a categorical column (from a groupby on
    the categorical channel) sorts by category order, not by name, so the rows would not line up."""
    def normalised(answer: Any) -> str | None:
        if isinstance(answer, pd.DataFrame) and "channel" in answer.columns:
            answer = answer.assign(channel=answer["channel"].astype(str))
        return verify(answer)
    return normalised


def _one_of(*values: str) -> Callable[[Any], bool]:
    return lambda answer: isinstance(answer, str) and answer.strip().lower() in values


def _kpis() -> tuple[Task, ...]:
    counts = outcome_counts
    assignment = "02_kpis"
    expected_costs = partial(channel_costs, "ferro")

    def spend_and_leads() -> pd.DataFrame:
        return expected_costs()[["channel", "spend", "leads"]]

    def cost_column() -> pd.DataFrame:
        return expected_costs()[["channel", "cost_per_lead"]]

    channel_as_index = Mistake(
        lambda a: isinstance(a, pd.DataFrame) and "channel" not in a.columns and a.index.name == "channel",
        _("`channel` is the index of your table, not a column: add .reset_index() at the end."))
    joined_spend = Mistake(
        lambda a: _column_is(a, "spend", _spend_joined_to_leads("ferro")),
        _("your spend counts each campaign once per lead it brought (a merge of campaigns onto leads, then a "
          "sum). Sum the spend in the campaigns table by channel, and count the leads separately."))
    lumen_costs = Mistake(
        lambda a: _column_is(a, "spend", channel_costs("lumen").set_index("channel")["spend"]),
        _("these are lumen's channels; the task asks for ferro's."))

    def lag(**kwargs: Any) -> Callable[[Any], bool]:
        return lambda a: _close(a, lead_to_close_days("ferro", **kwargs))

    def attainment_close(value: Callable[[], float]) -> Callable[[Any], bool]:
        return lambda a: _close(a, value())

    mqls_q = partial(quarter_kpi, "ferro", "mqls")
    target_q = partial(quarter_kpi, "ferro", "mqls", column="target")

    def mqls_made_from_leads_created() -> float:
        leads = company("ferro").leads
        created = COURSE_QUARTERS.index(leads["created_at"]) == COURSE_QUARTERS.labels.index(KPI_QUARTER)
        return float((created & leads["mql_at"].notna()).sum())

    return (
        Task("q1", "lumen_win_rate", number(lambda: kpis.win_rate(counts("lumen")["won"], counts("lumen")["lost"]),
                                            share=True),
             _("count lumen's deals with outcome 'won' and those with outcome 'lost'; the open ones are neither. "
               "Then won ÷ (won + lost), or kpis.win_rate(won, lost)."),
             mistakes=(
                 Mistake(lambda a: _close(a, counts("lumen")["won"] / sum(counts("lumen").values())),
                         _("you divided by all deals, the open ones included. A deal still open is neither won nor "
                           "lost: divide by the closed deals only.")),
                 Mistake(lambda a: _close(a, kpis.win_rate(counts("ferro")["won"], counts("ferro")["lost"])),
                         _("that is ferro's win rate; this task asks for lumen's.")),
                 Mistake(lambda a: _close(a, 1 - kpis.win_rate(counts("lumen")["won"], counts("lumen")["lost"])),
                         _("that is the share of closed deals that were lost; the win rate counts the won ones.")),
                 Mistake(lambda a: _close(a, kpis.win_rate(counts("lumen")["won"], counts("lumen")["lost"] - int(
                     (company("lumen").opportunities["loss_reason"] == "no_decision").sum()))),
                         _("you left out the deals lost to 'no decision'. They are lost deals: count them.")),
             ), assignment=assignment),
        Task("q2a", "cost_by_channel", _channel_as_text(frame(spend_and_leads, key="channel")),
             _("spend: group ferro's campaigns by channel and sum `spend`. leads: group ferro's leads by channel "
               "and count them. Put both side by side, one row per channel, with `channel` as a column."),
             mistakes=(
                 channel_as_index, joined_spend, lumen_costs,
                 Mistake(lambda a: _column_is(a, "leads", _campaigns_per_channel("ferro")),
                         _("your `leads` column counts campaigns. Count the rows of the leads table by channel.")),
             ), assignment=assignment),
        Task("q2b", "cost_by_channel", _channel_as_text(frame(cost_column, key="channel")),
             _("cost_per_lead = spend ÷ leads, row by row (kpis.cost_per_lead gives the same)."),
             mistakes=(
                 channel_as_index, joined_spend, lumen_costs,
                 Mistake(lambda a: _column_is(a, "cost_per_lead", _cost_per_mql("ferro")),
                         _("you divided the spend by the MQLs: that is the cost per MQL. Cost per lead divides by "
                           "every lead the channel brought in.")),
             ), assignment=assignment),
        Task("q3", "net_promoter_score",
             function(_nps_cases, compare=_same_score, describe=_describe_scores),
             _("skip the missing answers first (for example pd.Series(scores, dtype=float).dropna()). Then the share "
               "of answers from 9 to 10 minus the share from 0 to 6, times 100. Answers of 7 and 8 count in the "
               "total but are neither."),
             mistakes=(
                 Mistake(_nps_like(lambda s: 100 * ((s >= 9).mean() - (s <= 8).mean())),
                         _("you counted the 7s and 8s as detractors. They are passives: they count in the total but "
                           "on neither side. Detractors answer 0 to 6.")),
                 Mistake(_nps_like(lambda s: (s >= 9).mean() - (s <= 6).mean()),
                         _("your function returns a share (for example 0.1). NPS is given in points from −100 to "
                           "100: multiply by 100.")),
                 Mistake(_nps_like(lambda s: 100 * ((s >= 9).mean() - (s <= 5).mean())),
                         _("you left the 6s out of the detractors. Detractors answer 0 to 6.")),
                 Mistake(_nps_like(lambda s: 100 * ((s >= 10).mean() - (s <= 6).mean())),
                         _("you counted only the 10s as promoters. Promoters answer 9 or 10.")),
                 Mistake(_nps_like(lambda s: float((s >= 9).sum() - (s <= 6).sum())),
                         _("you subtracted the counts. NPS subtracts the shares: divide each count by the number "
                           "of answers, then multiply by 100.")),
                 Mistake(_nps_counts_missing,
                         _("missing answers (NaN, None) count in your total. Skip them first: a customer who did "
                           "not answer is neither a promoter nor a detractor.")),
             ), assignment=assignment),
        Task("q4", "lag_days", number(lambda: lead_to_close_days("ferro")),
             _("keep ferro's won deals; find each one's lead in `leads` (by lead_id) and its created_at; take "
               "closed_at − created_at in days (.dt.total_seconds() / 86_400) and the median."),
             mistakes=(
                 Mistake(lambda a: isinstance(a, pd.Timedelta | np.timedelta64),
                         _("your answer is a time span (Timedelta). Give it in days as a number: "
                           ".dt.total_seconds() / 86_400 before the median.")),
                 Mistake(lag(start="opportunity"),
                         _("you measured from the opportunity's creation: that is the sales cycle. Marketing's lag "
                           "starts earlier, when the lead came in (the lead's created_at).")),
                 Mistake(lag(start="mql"),
                         _("you started the clock at the MQL. Marketing's money was spent before that: start at the "
                           "lead's created_at.")),
                 Mistake(lag(outcomes=("won", "lost")),
                         _("you included lost deals. Marketing's lag is about revenue: count the won deals only.")),
                 Mistake(lag(whole_days=True),
                         _("you rounded each duration down to whole days (.dt.days). Keep the fractions: "
                           ".dt.total_seconds() / 86_400.")),
                 Mistake(lambda a: _close(a, float(_lag_durations("ferro").mean())),
                         _("that is the mean. Take the median: a few very long deals pull the mean up.")),
                 Mistake(lambda a: _close(a, lead_to_close_days("lumen")),
                         _("that is lumen's lag; this task asks for ferro's.")),
             ), assignment=assignment),
        Task("q5a", "mql_attainment", number(lambda: mql_target_attainment("ferro")),
             _("MQLs of the quarter (mql_at from 1 October to 31 December 2024) ÷ the target in `targets` where "
               "quarter is '2024Q4' and metric is 'mqls'."),
             mistakes=(
                 Mistake(attainment_close(lambda: 100 * mql_target_attainment("ferro")),
                         _("this looks like a percentage. Give attainment as a share (0.9 for 90 %).")),
                 Mistake(attainment_close(lambda: target_q() / mqls_q()),
                         _("you divided the target by the MQLs; attainment is MQLs ÷ target.")),
                 Mistake(attainment_close(lambda: mqls_made_from_leads_created() / target_q()),
                         _("you counted the leads created in the quarter that became MQLs at some point. An MQL of "
                           "the quarter is a lead whose mql_at falls in it.")),
             ), assignment=assignment),
        Task("q5b", "mql_to_sql_q4", number(lambda: quarter_kpi("ferro", "mql_to_sql_rate"), share=True),
             _("take the leads whose mql_at is in 2024Q4; of those, the share that have an sql_at (at any date)."),
             mistakes=(
                 Mistake(lambda a: _close(a, quarter_kpi("ferro", "sqls") / mqls_q()),
                         _("you divided the SQLs made in the quarter by the MQLs made in it. Some of those SQLs "
                           "were MQLs of an earlier quarter: follow the quarter's MQLs and count those that have "
                           "an sql_at.")),
                 Mistake(lambda a: _close(a, float(company("ferro").leads["sql_at"].notna().sum())
                                          / float(company("ferro").leads["mql_at"].notna().sum())),
                         _("that is the rate over the whole two years; the task asks for the MQLs of 2024Q4.")),
             ), assignment=assignment),
        Task("q5c", "shared_target", choice(["sqls"], SHARED_TARGET_OPTIONS),
             _("the KPI must need both teams (neither can reach it alone) and must show within the quarter "
               "(remember task 4's lag)."),
             mistakes=(
                 Mistake(_one_of("mqls", "leads"),
                         _("marketing can raise that alone, by lowering the bar, without sales: that is ferro's "
                           "problem today. A shared target needs both teams.")),
                 Mistake(_one_of("cost_per_lead"),
                         _("cost per lead is marketing's alone, and cheaper leads are not better ones.")),
                 Mistake(_one_of("bookings"),
                         _("bookings need both teams, but a quarter's leads turn into revenue months later (task 4): "
                           "a quarterly bookings target judges marketing on the leads of earlier quarters. Choose a KPI "
                           "that shows within the quarter.")),
             ), assignment=assignment),
    )


# ---- 03 · the funnel and the handoff ---------------------------------------------------------------

CAPACITY_PER_MONTH = 150  # MQLs a month that ferro's reps can follow up properly (task 4)
TODAY_THRESHOLD = 40  # the MQL score threshold ferro's marketing hands leads over at today


def ferro_counts() -> dict[str, int]:
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


def _a_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _valid_threshold(value: Any) -> bool:
    return _a_number(value) and math.isfinite(value) and 0 <= value <= 100


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
        return _close(answer, value) and not _close(answer, right) and not math.isclose(value, right, rel_tol=1e-3)
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


def _funnel_handoff() -> tuple[Task, ...]:
    ferro = company("ferro")
    counts = ferro_counts

    def structure(answer: object) -> str | None:
        return frame(lambda: _conversion()[["from_stage", "to_stage"]], key=None, check_order=True)(answer)

    def leakage_ignoring_never_contacted(answer: Callable) -> bool:
        leads = ferro.leads[ferro.leads["mql_at"].notna()]
        wrong = float((leads["first_response_minutes"] > 1440).sum()) / len(leads)
        return _close(answer(ferro.leads.copy(), 1440), wrong)

    def leakage_over_all_leads(answer: Callable) -> bool:
        wrong = funnel.leakage_rate(ferro.leads, 1440) * counts()["mqls"] / counts()["leads"]
        return _close(answer(ferro.leads.copy(), 1440), wrong)

    def threshold_problem(answer: Any, threshold: Any = None) -> str | None:
        problem = function(_threshold_cases, describe=lambda args: _(" (ferro, at most {capacity:g} MQLs a month)",
                                                                     capacity=args[2]))(answer)
        if problem:
            return problem
        if threshold is None:
            return _("your function works; now store its result for ferro at 150 MQLs a month in `threshold` "
                     "(task 5 builds on it).")
        if not _a_number(threshold) or float(threshold) != ferro_threshold():
            return _("`threshold` should be what your function gives for ferro's leads at 150 MQLs a month.")
        return None

    def returns_mqls(answer: Callable, threshold: Any = None) -> bool:
        got = _probe_threshold(answer, CAPACITY_PER_MONTH)
        mqls = float(_ferro_tradeoff().set_index("threshold").loc[ferro_threshold(), "mqls"])
        return any(_close(got, value) for value in (mqls, mqls / funnel.months_of_data(ferro.leads)))

    def variant(kind: str, *capacities: float) -> Callable[..., bool]:
        def looks_like(answer: Callable, threshold: Any = None) -> bool:
            return all(_close(_probe_threshold(answer, c), _threshold_variant(kind, c))
                       and _threshold_variant(kind, c) != ferro_threshold(c) for c in capacities)
        return looks_like

    def strict(answer: Callable, threshold: Any = None) -> bool:
        capacity = _equal_capacity()
        return capacity is not None and variant("strict", capacity)(answer) and \
            _close(_probe_threshold(answer, CAPACITY_PER_MONTH), ferro_threshold())

    def share_problem(answer: Any, threshold: Any = None) -> str | None:
        if not _valid_threshold(threshold):
            return _("task 5 builds on task 4: store your threshold (a number from 0 to 100) in `threshold` "
                     "first, then run this check again.")
        return number(lambda: revenue_share_at(float(threshold)), share=True)(answer)

    def won_deals_share(t: float) -> float:
        return revenue_share_at(t, "won_deals") / revenue_share_at(0, "won_deals")

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
               "with columns from_stage and to_stage named as in funnel.STAGES."),
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
             ), assignment=assignment),
        Task("q2b", "conversion", frame(_conversion, key="to_stage", tolerance=1e-3),
             _("for each step, `entered` counts the leads that reached from_stage, `converted` those of them that "
               "also reached to_stage, and `rate` = converted ÷ entered. A lead reached 'opportunity' if its "
               "lead_id is in the opportunities table, 'won' if one of its opportunities has outcome 'won'."),
             mistakes=(
                 Mistake(_step_column_is("rate", lambda right: 100 * right["rate"]),
                         _("your rates look like percentages: give each as a share between 0 and 1.")),
                 Mistake(_step_column_is("entered", lambda right: pd.Series(counts()["leads"], index=right.index)),
                         _("`entered` counts every lead at each step. Count only the leads that reached the step's "
                           "from_stage: the cohort that could convert.")),
                 Mistake(_step_column_is("rate", lambda right: right["converted"] / counts()["leads"]),
                         _("each of your rates divides by all leads. A step's rate divides by the leads that entered "
                           "it, those that reached from_stage: converted ÷ entered.")),
             ), assignment=assignment),
        Task("q3", "leakage_rate", function(_leakage_cases, compare=_close,
                                            describe=lambda args: _(" (SLA {minutes} minutes)", minutes=args[1])),
             _("take the MQLs only; a lead leaked if its first_response_minutes is empty (never contacted) or "
               "above the SLA. Return leaked ÷ MQLs."),
             mistakes=(
                 Mistake(leakage_ignoring_never_contacted,
                         _("MQLs that sales never contacted (an empty first_response_minutes) leaked too: "
                           "count them.")),
                 Mistake(leakage_over_all_leads,
                         _("you divided by all leads. Leakage is a share of the MQLs, the leads sales should have "
                           "answered.")),
             ), assignment=assignment),
        Task("q4", "lowest_threshold", threshold_problem,
             _("in your function: tradeoff = funnel.mql_threshold_tradeoff(leads, opportunities, range(101)) gives "
               "the MQLs at every threshold over the whole data. Count the months the leads cover, from the month "
               "of the first created_at to the month of the last (created_at.dt.to_period('M')), divide the MQLs by "
               "them, keep the thresholds at or under capacity_per_month and return the lowest."),
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
             ), assignment=assignment, given=("threshold",)),
        Task("q5", "revenue_share_kept", share_problem,
             _("at your threshold, the share of won revenue that came from leads scoring at or above it "
               "(column share_of_won_revenue of funnel.mql_threshold_tradeoff(leads, opportunities, [threshold]))."),
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
             ), assignment=assignment, given=("threshold",)),
    )


# ---- 04 · alignment ---------------------------------------------------------------------------------

ALIGNMENT_PAIR = ("lumen", "ferro")
SLA_TARGET = 1_800_000  # ferro's new bookings target for one quarter
SLA_AVERAGE_DEAL = 87_000
SLA_RATES = {"mql": 0.30, "sal": 0.85, "sql": 0.30, "opportunity": 0.50, "won": 0.28}
SLA_WEEKS, SLA_REPS, SLA_ATTEMPTS = 13, 21, 6
REFERENCE_MIX = {"smb": 0.50, "mid_market": 0.35, "enterprise": 0.15}
SEGMENT_KEY = "company · segment"
VERDICT_OPTIONS = ("A", "B", "C", "D")


@cache
def linear_credit(name: str = "lumen") -> pd.Series:
    """Won revenue credited to each channel under the linear model (:func:`attribution.credit_by_channel`)."""
    c = company(name)
    return attribution.credit_by_channel(c.touchpoints, c.opportunities, models=["linear"])["linear"]


@cache
def _credit_variant(kind: str, name: str = "lumen") -> pd.Series:
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


def _labelled_like(variant: Callable[[], pd.Series], key: str) -> Callable[[Any], bool]:
    """A mistake detector: the answer matches ``variant`` (within 0.1 %) on every label."""
    return lambda answer: _labelled(variant, key, 1e-3)(answer) is None


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


def sla_exercise_plan() -> alignment.SLAPlan:
    """The SLA of task 3, by :func:`alignment.sla_plan`."""
    return alignment.sla_plan(SLA_TARGET, SLA_AVERAGE_DEAL, SLA_RATES, weeks=SLA_WEEKS, reps=SLA_REPS,
                              attempts_per_mql=SLA_ATTEMPTS)


def _sla_needed(rounding: Callable[[float], float] = lambda x: math.ceil(x - 1e-9), skip: str = "") -> dict[str, float]:
    """Each stage's volume for task 3 computed with another rounding, or skipping one stage's rate: the
    numbers that common mistakes give."""
    needed = {"won": rounding(SLA_TARGET / SLA_AVERAGE_DEAL)}
    for later, earlier in zip(funnel.STAGES[:0:-1], funnel.STAGES[-2::-1], strict=True):
        needed[earlier] = needed[later] if later == skip else rounding(needed[later] / SLA_RATES[later])
    return needed


def _unrounded(x: float) -> float:
    return x


def _sla_mistake(value: Callable[[], float]) -> Callable[[Any], bool]:
    return lambda answer: _close(answer, value())


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
    if not isinstance(answer, pd.DataFrame):
        return _("your answer is a {kind}; this task asks for a pandas DataFrame.", kind=type(answer).__name__)
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
        return sorted(got.index) == sorted(want.index) and bool(np.allclose(got.reindex(want.index), want, rtol=1e-6))

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


def _choice_is(letter: str) -> Callable[[Any], bool]:
    return lambda answer: isinstance(answer, str) and answer.strip().upper() == letter


def _alignment() -> tuple[Task, ...]:
    plan = sla_exercise_plan
    weeks = float(SLA_WEEKS)
    assignment = "04_alignment"

    def needed_mqls(**variant: Any) -> Callable[[], float]:
        return lambda: float(_sla_needed(**variant)["mql"])

    skipped_stage = [Mistake(_sla_mistake(lambda s=stage: needed_mqls(skip=s)() / weeks),
                             _("you skipped a stage. Work back from customers to opportunities, SQLs, SALs and MQLs, "
                               "dividing by each of the four rates (won, opportunity, sql, sal) in turn."))
                     for stage in ("won", "opportunity", "sql", "sal")]
    other_models = [Mistake(_labelled_like(lambda m=model: _credit_variant(m), "channel"),
                            _("that is the split of the {model} model. The linear model gives every touch of a "
                              "customer's journey an equal share of that customer's revenue.",
                              model=attribution.MODEL_LABELS[model]))
                    for model in attribution.MODELS if model != "linear"]
    return (
        Task("q1", "linear_credit", _labelled(linear_credit, "channel", 1e-3),
             _("for each customer (a lead with won deals), sum its won amounts; divide that revenue by the number of "
               "touchpoints of its journey and give that much to each touch; then sum the touches' credit by channel."),
             mistakes=(
                 Mistake(_labelled_like(lambda: _credit_variant("creating channel"), "channel"),
                         _("you credited each customer's revenue to the channel that created the lead (the closed-loop "
                           "report's rule). The linear model splits it over every touch of the lead's journey, in the "
                           "touchpoints table.")),
                 Mistake(_labelled_like(lambda: _credit_variant("full revenue per touch"), "channel"),
                         _("each touch received the customer's whole revenue, so your credits add up to more than the "
                           "won revenue. Split each customer's revenue over its touches: divide by its number of "
                           "touches.")),
                 Mistake(_labelled_like(lambda: _credit_variant("all journeys"), "channel"),
                         _("you counted the journeys of every lead. Leads that never became customers have no revenue "
                           "to split: keep only the touches of leads with a won deal.")),
                 Mistake(_labelled_like(lambda: _credit_variant("touch share of all leads"), "channel"),
                         _("you gave every touch of every lead the same credit. Credit is split per customer: each "
                           "customer's own revenue over its own touches, and leads that never bought have none.")),
                 Mistake(_labelled_like(lambda: _credit_variant("touch share of customers"), "channel"),
                         _("you gave every customer's touch the same share of the total. The linear model splits "
                           "each customer's own revenue over its own touches: a big deal with few touches gives each "
                           "touch more.")),
                 Mistake(_labelled_like(lambda: _credit_variant("customers, not revenue"), "channel"),
                         _("you split customers, not revenue: multiply each touch's share by its customer's won "
                           "revenue.")),
                 Mistake(_labelled_like(lambda: _credit_variant("shares"), "channel"),
                         _("these are shares of the revenue; the task asks for amounts of revenue (currency).")),
                 *other_models,
                 Mistake(_credit_total_above_revenue,
                         _("your credits add up to more than lumen's won revenue: each customer's revenue must be "
                           "split, so that its touches' shares add up to 1 (count each won deal once).")),
             ), assignment=assignment),
        Task("q2a", "position_based", function(_position_cases((3, 4, 6)), compare=_same_shares,
                                               describe=lambda args: _(" (n = {n})", n=args[0])),
             _("the first and the last touch get 0.4 each; the 0.2 left is split equally among the n − 2 touches "
               "in between. Return a list of n numbers."),
             mistakes=(
                 Mistake(_wrong_length(5), _("return one share per touch: a list of n numbers.")),
                 Mistake(_shares_like(5, [0.4, 0.2, 0.2, 0.2, 0.4]),
                         _("each middle touch got 0.2. The 20 % is shared by all the touches in between, so that the "
                           "shares add up to 1.")),
                 Mistake(_shares_like(5, [0.4, 0.04, 0.04, 0.04, 0.4]),
                         _("divide the 20 % among the touches in between only (n − 2 of them), not among all n.")),
                 Mistake(_shares_like(5, [100 * s for s in position_based_shares(5)]),
                         _("these look like percentages. Return shares that add up to 1 (0.4, not 40).")),
             ), assignment=assignment),
        Task("q2b", "position_based", function(_position_cases((1, 2)), compare=_same_shares,
                                               describe=lambda args: _(" (n = {n})", n=args[0])),
             _("with one touch there is no first-and-last split; with two there is no middle."),
             mistakes=(
                 Mistake(lambda answer: not _same_shares(answer(1), [1.0]),
                         _("with a single touch, that touch gets all the credit: return [1.0].")),
                 Mistake(_shares_like(2, [0.4, 0.4]),
                         _("with two touches there is nothing in between to take the 20 %: the two touches share the "
                           "credit 50/50.")),
             ), assignment=assignment),
        Task("q3a", "mqls_per_week", number(lambda: plan().mqls_per_week),
             _("customers = target ÷ average deal, rounded up; then opportunities = customers ÷ the won rate, SQLs = "
               "opportunities ÷ the opportunity rate, SALs = SQLs ÷ the sql rate, MQLs = SALs ÷ the sal rate, "
               "rounding up each time. Divide the quarter's MQLs by 13 weeks."),
             mistakes=(
                 Mistake(lambda answer: any(_close(answer, value / weeks) for value in (
                     needed_mqls(rounding=_unrounded)(), math.ceil(needed_mqls(rounding=_unrounded)()))),
                         _("round up to whole customers, opportunities, SQLs, SALs and MQLs at each stage, not only "
                           "at the end, as the reverse funnel does: a fraction of a deal cannot be won.")),
                 Mistake(_sla_mistake(lambda: needed_mqls(rounding=math.floor)() / weeks),
                         _("round up, not down: rounding down leaves the plan short of its target.")),
                 Mistake(_sla_mistake(lambda: float(plan().needed("mql"))),
                         _("that is the MQLs for the whole quarter; the task asks for a week (13 weeks in the "
                           "quarter).")),
                 Mistake(_sla_mistake(lambda: plan().needed("mql") / weeks ** 2),
                         _("you divided by the weeks twice.")),
                 Mistake(_sla_mistake(lambda: plan().needed("lead") / weeks),
                         _("that is leads a week. Marketing owes MQLs: stop at the MQL stage, without dividing by the "
                           "lead → MQL rate.")),
                 Mistake(_sla_mistake(lambda: float(math.ceil(plan().mqls_per_week))),
                         _("do not round the weekly figure: it is an average of the quarter's whole MQLs.")),
                 *skipped_stage,
             ), assignment=assignment),
        Task("q3b", "follow_ups_per_rep", number(lambda: plan().follow_ups_per_rep_week),
             _("the quarter's MQLs (rounded up at each stage) × 6 attempts each, shared by the 21 reps over 13 "
               "weeks."),
             mistakes=(
                 Mistake(_sla_mistake(lambda: plan().needed("mql") / (weeks * SLA_REPS)),
                         _("each MQL gets 6 follow-up attempts, not one.")),
                 Mistake(_sla_mistake(lambda: plan().needed("mql") * SLA_ATTEMPTS / weeks),
                         _("that is the whole sales team's attempts a week; share them among the 21 reps.")),
                 Mistake(_sla_mistake(lambda: plan().needed("mql") * SLA_ATTEMPTS / SLA_REPS),
                         _("that is each rep's attempts for the whole quarter; the task asks for a week.")),
                 Mistake(_sla_mistake(lambda: needed_mqls(rounding=_unrounded)() * SLA_ATTEMPTS / (weeks * SLA_REPS)),
                         _("start from whole MQLs, rounded up at each stage as in task 3a.")),
             ), assignment=assignment),
        Task("q4a", "by_segment", _segment_table_problem,
             _("take each company's MQLs (leads with an `mql_at`), group them by segment, count the MQLs and those "
               "with an `sql_at`; the rate is SQLs ÷ MQLs, and mql_share is a segment's MQLs ÷ all the company's "
               "MQLs."),
             mistakes=(
                 Mistake(_one_company_only, _("your table holds one company; it needs both lumen and ferro.")),
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
             ), assignment=assignment),
        Task("q4b", "adjusted_rate", _labelled(adjusted_rates, "company", 1e-3),
             _("for each company, multiply its MQL → SQL rate in each segment by that segment's weight in REFERENCE, "
               "and add up the three products (the weights add up to 1)."),
             mistakes=(
                 Mistake(_labelled_like(lambda: _standardized(None)["naive_rate"], "company"),
                         _("these are the naive rates (all SQLs ÷ all MQLs), each weighted by the company's own mix. "
                           "Weight the segment rates by REFERENCE instead.")),
                 Mistake(_labelled_like(lambda: adjusted_rates(None), "company"),
                         _("you weighted by the two companies' MQLs pooled (the course's default). This task gives "
                           "its own reference mix: REFERENCE.")),
                 Mistake(_labelled_like(lambda: _segment_rate_average(None), "company"),
                         _("you averaged the three segment rates with equal weights. Weight them by REFERENCE.")),
                 Mistake(_labelled_like(lambda: _segment_rate_average("share_of_leads"), "company"),
                         _("you weighted each company by its own lead mix, so the mixes still differ. Use the same "
                           "weights, REFERENCE, for both.")),
                 Mistake(_labelled_like(lambda: 100 * adjusted_rates(), "company"),
                         _("these look like percentages; give shares between 0 and 1.")),
             ), assignment=assignment),
        Task("q5a", "naive_verdict", choice(["C"], VERDICT_OPTIONS),
             _("lumen and ferro differ in alignment, and in what else? Look at your tables of task 4 and at the "
               "growth row."),
             mistakes=(
                 Mistake(_choice_is("A"), _("the two firms differ in much more than alignment (whom they sell to, "
                                            "their cycles, their history), so their difference is not the effect of "
                                            "alignment: it can neither confirm nor measure the claim.")),
                 Mistake(_choice_is("B"), _("part of lumen's lead comes from whom it sells to (task 4): the naive gap "
                                            "is not the effect of alignment, so it cannot show that the claim is too "
                                            "modest either.")),
                 Mistake(_choice_is("D"), _("one growth figure over a two-year window, for two firms, cannot "
                                            "disprove a claim about firms in general. Look at task 5b's question "
                                            "first.")),
             ), assignment=assignment),
        Task("q5b", "growth_reason", choice(["B"], VERDICT_OPTIONS),
             _("look at the bookings quarter by quarter: alignment.bookings_by_quarter([lumen, ferro]) – how do both "
               "companies' first quarters look?"),
             mistakes=(
                 Mistake(_choice_is("A"), _("ferro's extra MQLs mostly do not become SQLs (task 4). Look at its "
                                            "bookings quarter by quarter in 2024 and 2025.")),
                 Mistake(_choice_is("C"), _("nothing in the data records a price change: ferro's average won deal is "
                                            "about the same in both years. Look at its bookings quarter by quarter.")),
                 Mistake(_choice_is("D"), _("lumen's bookings rose from 2024 to 2025; churn after the sale does not "
                                            "lower bookings. Look at both firms' first quarters.")),
             ), assignment=assignment),
    )


# ---- 05 · career paths ------------------------------------------------------------------------------

CAREER_COMPANIES = ("lumen", "ferro", "bloom")

# Sam: a ferro sales rep who builds the team's pipeline reports and wonders what comes next. The persona
# of the choice task and the reflection of exercise 05, rated by Sam from 1 (beginner) to 5 (strong).
SAM: dict[str, int] = {"communication": 4, "negotiation": 3, "resilience": 3, "relationship building": 4,
                       "market insight": 4, "data analysis": 4, "systems and tools": 4, "strategy": 3,
                       "process design": 3, "creativity": 2, "creative planning": 2, "project management": 2,
                       "user-experience sense": 2}

# The two self-assessments of the course notebook (module 05), used as test cases of the fit function.
_BASE = dict.fromkeys(careers.SKILLS, 2)
PEOPLE_PERSON = _BASE | {"communication": 5, "negotiation": 4, "resilience": 4, "relationship building": 5,
                         "market insight": 3}
DATA_PERSON = _BASE | {"data analysis": 5, "project management": 4, "process design": 4, "user-experience sense": 3}


@cache
def pooled(table: str, names: tuple[str, ...] = CAREER_COMPANIES) -> pd.DataFrame:
    """A table of several companies stacked with unique ids (:func:`careers.stack_companies`)."""
    return careers.stack_companies({name: company(name) for name in names}, table)


def first_promotion_waits(role: str = "Sales Rep", names: tuple[str, ...] = CAREER_COMPANIES) -> pd.Series:
    """Years from hire to each promotion out of an entry-level ``role`` (:func:`careers.promotion_durations`)."""
    durations = careers.promotion_durations(pooled("career_moves", names), pooled("employees", names))
    function = careers.role_function()[role]
    level = careers.LADDERS[function].index(role) + 1
    return durations.loc[(durations["function"] == function) & (durations["from_level"] == level), "years"]


def best_reachable_path(ratings: dict[str, float], current: str = "sales") -> str:
    """The path with the best :func:`careers.skills_fit` among those that somebody in the three companies
    has moved to from ``current``."""
    lateral = careers.lateral_moves(pooled("career_moves"))
    reachable = set(lateral.loc[(lateral["from_function"] == current) & (lateral["moves"] > 0), "to_function"])
    fits = careers.skills_fit(ratings)
    return str(fits.loc[fits["path"].isin(reachable), "path"].iloc[0])


def _same_or_nan(got: object, want: float) -> bool:
    if not isinstance(got, int | float | np.integer | np.floating) or isinstance(got, bool):
        return False
    if math.isnan(want):
        return math.isnan(got)
    return math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9)


def _unless_right(wrong: Callable[[], float], right: Callable[[], float]) -> Callable[[object], bool]:
    """A mistake detector for a number: the answer matches the wrong value, and the wrong value is not also
    the right one (data can change; a right answer must never be called a mistake)."""
    return lambda answer: (_close(answer, wrong()) and not _close(answer, right())
                           and not math.isclose(wrong(), right(), rel_tol=0.004))


def _pooled_moves_problem(answer: object) -> str | None:
    if not isinstance(answer, pd.DataFrame):
        return _("your answer is a {kind}; this task asks for a pandas DataFrame.", kind=type(answer).__name__)
    missing = [c for c in ("company", "move_id", "employee_id") if c not in answer.columns]
    if missing:
        return _("your table lacks the column(s) {columns}.", columns=", ".join(missing))
    parts = [company(name).career_moves for name in CAREER_COMPANIES]
    if len(answer) != sum(len(part) for part in parts):
        more = len(answer) > sum(len(part) for part in parts)
        return (_("your table has {rows} rows, more than the three companies' moves together: are some "
                  "rows repeated?", rows=len(answer)) if more else
                _("your table has {rows} rows, fewer than the three companies' moves together: stack all of "
                  "lumen's, ferro's and bloom's moves.", rows=len(answer)))
    if not answer["move_id"].is_unique:
        return _("some `move_id`s appear more than once: each company numbers its moves from M00001. Make the "
                 "ids unique, for example by prefixing them with the company name.")
    if answer["employee_id"].nunique() != sum(part["employee_id"].nunique() for part in parts):
        return _("different people share an `employee_id`: each company numbers its staff from E0001. Make the "
                 "ids unique, for example by prefixing them with the company name.")
    if set(answer["company"].astype(str)) != set(CAREER_COMPANIES):
        return _("the `company` column should name each row's company: lumen, ferro or bloom.")
    return None


def _fit_cases() -> list[tuple[tuple, float]]:
    cases = []
    for ratings in (PEOPLE_PERSON, DATA_PERSON):
        fits = careers.skills_fit(ratings).set_index("path")["fit"]
        cases += [((dict(ratings), dict(careers.SKILL_WEIGHTS[path])), float(fits[path])) for path in careers.PATHS]
    return cases


def _describe_fit_case(args: tuple) -> str:
    ratings, weights = args
    who = _("the people person") if ratings == PEOPLE_PERSON else _("the data person") if ratings == DATA_PERSON else ""
    path = next((p for p, w in careers.SKILL_WEIGHTS.items() if w == weights), "")
    return _(" ({who}, weights of the {path} path)", who=who, path=path) if who and path else ""


def _same_fit(got: object, want: float) -> bool:
    """The library rounds the fit to one decimal: an unrounded answer is right within 0.05."""
    return (isinstance(got, int | float | np.integer | np.floating) and not isinstance(got, bool)
            and abs(float(got) - want) <= 0.05 + 1e-9)


# A probe for the fit formula's mistakes: three sales skills rated, the other three left out (they count as 1).
_FIT_PROBE = {"communication": 5, "negotiation": 4, "data analysis": 3}


def _fit_variant(kind: str) -> float:
    """The fit of :data:`_FIT_PROBE` with the sales weights, computed with a common mistake."""
    weights = careers.SKILL_WEIGHTS["sales"]
    w = np.array(list(weights.values()), dtype=float)
    rated = np.array([skill in _FIT_PROBE for skill in weights])
    values = np.array([_FIT_PROBE.get(skill, 1) for skill in weights], dtype=float)
    mean = float(np.average(values, weights=w))
    return {"no rescale": mean,
            "divided by 5": 100 * mean / 5,
            "skipped missing": 100 * (float(np.average(values[rated], weights=w[rated])) - 1) / 4,
            "missing as 0": 100 * (float(np.average(np.where(rated, values, 0), weights=w)) - 1) / 4,
            "unweighted": 100 * (float(values.mean()) - 1) / 4}[kind]


def _fit_mistake(kind: str) -> Callable[[Callable], bool]:
    def looks_like(answer: Callable) -> bool:
        right = float(careers.skills_fit(_FIT_PROBE).set_index("path")["fit"]["sales"])
        got = answer(dict(_FIT_PROBE), dict(careers.SKILL_WEIGHTS["sales"]))
        return _close(got, _fit_variant(kind)) and not _same_fit(_fit_variant(kind), right)

    return looks_like


def _transitions_structure(answer: object) -> str | None:
    if not isinstance(answer, pd.DataFrame):
        return _("your answer is a {kind}; this task asks for a pandas DataFrame.", kind=type(answer).__name__)
    labels = list(careers.PATHS)
    rows, columns = [str(r) for r in answer.index], [str(c) for c in answer.columns]
    if sorted(rows) != sorted(labels) or sorted(columns) != sorted(labels):
        return _("the rows and the columns should be the four functions, {labels} (map each role to its function "
                 "with careers.role_function()). Your table has {rows} row(s) and {columns} column(s).",
                 labels=", ".join(labels), rows=len(rows), columns=len(columns))
    if rows != labels or columns != labels:
        return _("put the rows and the columns in the order of careers.PATHS: {labels}.", labels=", ".join(labels))
    return None


def _as_matrix(answer: pd.DataFrame) -> np.ndarray:
    labels = list(careers.PATHS)
    table = answer.copy()
    table.index, table.columns = [str(r) for r in table.index], [str(c) for c in table.columns]
    return table.reindex(index=labels, columns=labels).astype(float).to_numpy()


def _transitions(normalize: bool = True) -> pd.DataFrame:
    return careers.transition_matrix(pooled("career_moves"), by="function", normalize=normalize)


def _transitions_values(answer: object) -> str | None:
    problem = _transitions_structure(answer)
    if problem:
        return problem
    mine, target = _as_matrix(answer), _transitions().to_numpy(dtype=float)
    if np.isnan(mine).any():
        return _("your table has empty cells: a function nobody moved to from a row is a share of 0.")
    if not np.allclose(mine.sum(axis=1), 1, atol=1e-3):
        return _("each row should sum to 1: the shares of the moves out of that function.")
    wrong = ~np.isclose(mine, target, rtol=1e-3, atol=1e-9).all(axis=1)
    if wrong.any():
        return _("the row(s) {rows} are not right yet.", rows=", ".join(np.array(careers.PATHS)[wrong]))
    return None


def _matrix_is(variant: Callable[[], pd.DataFrame]) -> Callable[[object], bool]:
    def looks_like(answer: object) -> bool:
        wrong, right = variant().to_numpy(dtype=float), _transitions().to_numpy(dtype=float)
        mine = _as_matrix(answer)  # type: ignore[arg-type]
        return bool(np.allclose(mine, wrong, equal_nan=True) and not np.allclose(wrong, right, equal_nan=True))

    return looks_like


def _career_paths() -> tuple[Task, ...]:
    assignment = "05_career_paths"

    def rep_wait() -> float:
        return float(first_promotion_waits().median())

    def rep_wait_one(name: str) -> float:
        return float(first_promotion_waits(names=(name,)).median())

    def rep_wait_collided() -> float:
        """Stacked without unique ids: each move joined with the hire dates of up to three namesakes."""
        moves = pd.concat([company(n).career_moves for n in CAREER_COMPANIES], ignore_index=True)
        staff = pd.concat([company(n).employees for n in CAREER_COMPANIES], ignore_index=True)
        firsts = moves[(moves["from_role"] == "Sales Rep") & (moves["move_type"] == "promotion")]
        joined = firsts.merge(staff[["employee_id", "hire_date"]], on="employee_id")
        return float(((joined["moved_at"] - joined["hire_date"]).dt.days / 365.25).median())

    def rep_wait_too_broad() -> list[float]:
        moves, staff = pooled("career_moves"), pooled("employees")
        hired = moves["employee_id"].map(staff.set_index("employee_id")["hire_date"])
        out_of_rep = moves["from_role"] == "Sales Rep"
        durations = careers.promotion_durations(moves, staff)
        return [float(((moves["moved_at"] - hired).dt.days / 365.25)[out_of_rep].median()),
                float(durations.loc[durations["function"] == "sales", "years"].median())]

    def sales_rep_exits() -> float:
        return careers.role_exit_share(pooled("career_moves"), "Sales Rep")

    def exits_count() -> float:
        moves = pooled("career_moves")
        return sales_rep_exits() * int((moves["from_role"] == "Sales Rep").sum())

    def probe_exit(answer: Callable) -> float:
        return answer(pooled("career_moves").copy(), "Sales Rep")

    def exit_cases() -> list[tuple[tuple, float]]:
        """Copies for the learner's function: one that filters in place must not change the cached moves."""
        moves, lumen = pooled("career_moves"), pooled("career_moves", ("lumen",))
        return [((moves.copy(), "Sales Rep"), careers.role_exit_share(moves, "Sales Rep")),
                ((moves.copy(), "Marketing Associate"), careers.role_exit_share(moves, "Marketing Associate")),
                ((lumen.copy(), "Sales Rep"), careers.role_exit_share(lumen, "Sales Rep"))]

    def describe_exit(args: tuple) -> str:
        moves, role = args
        names = ", ".join(pd.unique(moves["company"].astype(str))) if "company" in moves.columns else ""
        return _(" (role '{role}', moves of {names})", role=role, names=names)

    def move_choice(answer: object) -> str | None:
        return choice([best_reachable_path(SAM)], careers.PATHS)(answer)

    def best_fit_outside(current: str = "sales") -> str:
        fits = careers.skills_fit(SAM)
        return str(fits.loc[fits["path"] != current, "path"].iloc[0])

    def column_shares() -> pd.DataFrame:
        counts = _transitions(normalize=False)
        return counts.div(counts.sum(axis=0), axis=1)

    return (
        Task("q1", "pooled_moves", _pooled_moves_problem,
             _("stack the three `career_moves` tables with pd.concat, after adding a `company` column to each and "
               "prefixing every id (move_id, employee_id) with the company name, e.g. 'lumen:E0001'."),
             mistakes=(
                 Mistake(lambda a: len(a) in {len(company(n).career_moves) for n in CAREER_COMPANIES},
                         _("your table holds one company's moves only; stack all three.")),
             ), assignment=assignment),
        Task("q2", "rep_wait_years", number(rep_wait, tolerance=0.004),  # careers.time_to_promotion rounds to 0.01
             _("pool career_moves and employees with careers.stack_companies; keep the promotions whose from_role is "
               "'Sales Rep'; for each, (moved_at − hire_date) in days ÷ 365.25; take the median."),
             mistakes=(
                 Mistake(_unless_right(lambda: 365.25 * rep_wait(), rep_wait),
                         _("this looks like a number of days; the task asks for years (days ÷ 365.25).")),
                 Mistake(_unless_right(lambda: 12 * rep_wait(), rep_wait),
                         _("this looks like a number of months; the task asks for years.")),
                 Mistake(_unless_right(lambda: float(first_promotion_waits().mean()), rep_wait),
                         _("that is the mean; the task asks for the median, which a few very long waits do not pull "
                           "up.")),
                 Mistake(_unless_right(rep_wait_collided, rep_wait),
                         _("some hire dates came from the wrong person: without unique ids, lumen's E0001 is matched "
                           "with ferro's and bloom's E0001 too. Pool with unique ids (careers.stack_companies).")),
                 Mistake(lambda a: any(_unless_right(lambda v=v: v, rep_wait)(a) for v in rep_wait_too_broad()),
                         _("check two things: that you kept only the promotions out of 'Sales Rep' (not function "
                           "changes, not promotions from higher levels), and that you pooled all three companies.")),
                 Mistake(lambda a: any(_unless_right(lambda n=n: rep_wait_one(n), rep_wait)(a)
                                       for n in CAREER_COMPANIES),
                         _("that is the median of one company only; pool the three companies.")),
             ), assignment=assignment),
        Task("q3a", "function_transitions", _transitions_structure,
             _("map from_role and to_role to functions with careers.role_function(), then pd.crosstab(from, to); "
               "reindex rows and columns with careers.PATHS."), assignment=assignment),
        Task("q3b", "function_transitions", _transitions_values,
             _("divide each row of the counts by the row's total (counts.div(counts.sum(axis=1), axis=0)): a row "
               "holds the shares of the moves out of one function. Use the moves of all three companies."),
             mistakes=(
                 Mistake(_matrix_is(lambda: _transitions(normalize=False)),
                         _("these are counts of moves; the task asks for shares. Divide each row by its total.")),
                 Mistake(_matrix_is(column_shares),
                         _("you divided by the column totals. Divide by the row totals: each row, the function people "
                           "leave, sums to 1.")),
                 Mistake(_matrix_is(lambda: _transitions().T),
                         _("rows and columns are swapped: rows are the functions people leave, columns the ones they "
                           "move to.")),
             ), assignment=assignment),
        Task("q4", "exit_share", function(exit_cases, compare=_same_or_nan, describe=describe_exit),
             _("keep the moves whose from_role is `role`; map to_role to its function with careers.role_function(); "
               "return the share of those moves whose function differs from the function of `role`."),
             mistakes=(
                 Mistake(lambda a: _unless_right(lambda: 100 * sales_rep_exits(), sales_rep_exits)(probe_exit(a)),
                         _("this looks like a percentage. Return a share between 0 and 1.")),
                 Mistake(lambda a: _unless_right(exits_count, sales_rep_exits)(probe_exit(a)),
                         _("your function returns a count of moves; the task asks for a share of the moves out of "
                           "the role.")),
                 Mistake(lambda a: _unless_right(lambda: 1 - sales_rep_exits(), sales_rep_exits)(probe_exit(a)),
                         _("your function returns the share that stays in the function; the task asks for the share "
                           "that leaves it.")),
                 Mistake(lambda a: _unless_right(lambda: exits_count() / len(pooled("career_moves")),
                                                 sales_rep_exits)(probe_exit(a)),
                         _("you divided by all moves in the table; divide by the moves out of the role.")),
             ), assignment=assignment),
        Task("q5", "path_fit", function(_fit_cases, compare=_same_fit, describe=_describe_fit_case),
             _("for each skill of `weights`, take the rating (1 if the skill is not rated); the weighted mean is "
               "Σ weight × rating ÷ Σ weight; return 100 × (mean − 1) ÷ 4."),
             mistakes=(
                 Mistake(_fit_mistake("no rescale"),
                         _("your function returns the weighted mean, from 1 to 5. Rescale it: 100 × (mean − 1) ÷ 4, "
                           "so that all 1s give 0 and all 5s give 100.")),
                 Mistake(_fit_mistake("divided by 5"),
                         _("100 × mean ÷ 5 gives 20, not 0, to someone rated 1 everywhere. Rescale with "
                           "100 × (mean − 1) ÷ 4.")),
                 Mistake(_fit_mistake("skipped missing"),
                         _("you averaged over the rated skills only. A skill of the path that is not rated counts "
                           "as 1 (beginner).")),
                 Mistake(_fit_mistake("missing as 0"),
                         _("a skill that is not rated counts as 1 (beginner), not 0: the scale starts at 1.")),
                 Mistake(_fit_mistake("unweighted"),
                         _("you took a plain mean; weight each rating by the skill's weight.")),
             ), assignment=assignment),
        Task("q6", "sams_move", move_choice,
             _("compute careers.skills_fit(sam), then look at careers.lateral_moves of the pooled moves: which "
               "functions have sales reps actually moved to? Among them, take Sam's best fit."),
             mistakes=(
                 Mistake(lambda a: str(a).strip().lower() == "sales",
                         _("Sam wants to leave sales within two years: choose another function.")),
                 Mistake(lambda a: (str(a).strip().lower() == best_fit_outside()
                                    and best_fit_outside() != best_reachable_path(SAM)),
                         _("that function fits Sam best after sales, but nobody in the three companies has moved "
                           "there from sales: the task asks for a move somebody has made.")),
             ), assignment=assignment),
    )


ASSIGNMENTS: dict[str, Callable[[], tuple[Task, ...]]] = {
    "00_start_here": _start_here,
    "01_roles": _roles,
    "02_kpis": _kpis,
    "03_funnel_handoff": _funnel_handoff,
    "04_alignment": _alignment,
    "05_career_paths": _career_paths,
}


def tasks(assignment: str) -> tuple[Task, ...]:
    """The tasks of an assignment, in order."""
    if assignment not in ASSIGNMENTS:
        raise ValueError(_("Unknown assignment '{name}'. Assignments: {known}.", name=assignment,
                           known=", ".join(ASSIGNMENTS)))
    return ASSIGNMENTS[assignment]()


def recheck(assignment: str, task: str, answer: Any, **given: Any) -> str | None:
    """For hidden tests: what is wrong with ``answer`` by the task's own verifier, or None when it passes.

    A hidden test calls this under a private import (``from smarketing import exercises as _ex``) rather
    than trusting ``q1.check()``: the tasks are built afresh here, so rebinding ``q1``, ``expect`` or
    ``Task.check`` in the notebook changes nothing. ``given`` holds the earlier answers a task builds on."""
    chosen = next((t for t in tasks(assignment) if t.name == task), None)
    if chosen is None:
        raise ValueError(_("Unknown task '{task}' of {assignment}.", task=task, assignment=assignment))
    status, message = chosen.judge(answer, given, mistakes=False)
    return None if status == "correct" else message


__all__ = ["ASSIGNMENTS", "choice", "company", "recheck", "tasks"]
