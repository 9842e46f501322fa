"""Exercise 01 · roles: ferro's time-allocation table, the share of sales' time on other functions' work,
hours per person and week, who owns which task, and where to start cutting misplaced work."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from smarketing import roles, schema
from smarketing.exercises.shared import close, company, dictionary_parts, half_then_all
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import choice, function, not_a_data_frame, number
from smarketing.messages import _

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


def _function_named(text: str) -> str | None:
    """The function a learner's text names (its key, such as "revops", or its label, in any case), or None."""
    names = {key: key for key in roles.FUNCTION_LABELS} | {
        label.lower(): key for key, label in roles.FUNCTION_LABELS.items()}
    return names.get(text.lower())


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
    if problem := not_a_data_frame(answer):
        return problem
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
        if problem := not_a_data_frame(answer):
            return problem
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


def tasks() -> tuple[Task, ...]:
    """The tasks of exercise 01, in order."""

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
        return not close(float(rows["hours"].mean()), right) and close(got, float(rows["hours"].mean()))

    def hours_cases() -> list[tuple[tuple, float]]:
        cases = [("ferro", "marketing", "prospect by phone"), ("ferro", "sales", "create content"),
                 ("lumen", "sales", "maintain CRM")]
        out = []
        for name, function_name, activity in cases:
            c = company(name)
            out.append(((c.activities.copy(), c.employees.copy(), function_name, activity),
                        weekly_hours(c.activities, c.employees, function_name, activity)))
        return out

    owners_right = dictionary_parts(role_task_owners, _function_named, _("function"), _("functions"),
                                    roles.FUNCTION_LABELS)
    owners_half, owners_all = half_then_all(owners_right, len(ROLE_TASK_KEYS), _("owners"))

    def best_block() -> str:
        return str(company_excess_hours().idxmax())

    def top_per_person() -> str:
        return str(company_excess_hours(column="excess_hours").idxmax())

    def picked(block_of: Callable[[], str]) -> Callable[[Any], bool]:
        return lambda a: isinstance(a, str) and a.strip().lower() == block_of().lower() != best_block().lower()

    def picked_by_design(answer: Any) -> bool:
        excess = company_excess_hours()
        return isinstance(answer, str) and answer.strip().lower() in {b.lower() for b in excess[excess <= 0].index}

    return (
        Task("q1a", "allocation", _allocation_structure,
             (_("one row per function the people belong to and one column per function that owns the work, both "
                "in the order of FUNCTIONS: pivot_table(index=..., columns=...), then .reindex(index=FUNCTIONS, "
                "columns=FUNCTIONS)."),
              _("look at your table's .index and .columns: both must be marketing, sales, operations, revops, in "
                "that order. pivot_table sorts its labels alphabetically; .reindex(index=FUNCTIONS, "
                "columns=FUNCTIONS, fill_value=0) puts them in order. A `function` column must become the index, not "
                "stay a column."))),
        Task("q1b", "allocation", _allocation_values(allocation),
             (_("give each row of activities the function of the person (from employees) and the function that owns "
                "the activity (ACTIVITY_OWNERS), add up the hours by both, then divide each row by its own total."),
              _("first the hours: each person's function comes from employees (a merge on employee_id), the owner "
                "from ACTIVITY_OWNERS mapped onto `activity`, and pivot_table sums `hours` by both. Then the shares: "
                ".sum(axis=1) gives each row's total, and .div(..., axis=0) divides row by row; a plain / would line "
                "the totals up with the columns.")),
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
             )),
        Task("q2", "sales_off_share", number(lambda: off_share("ferro", "sales"), share=True),
             (_("of all the hours ferro's sales people logged, the share spent on activities that ACTIVITY_OWNERS "
                "gives to another function (marketing, operations or revops)."),
              _("two filters: the people (the employee_ids of employees whose function is \"sales\", with .isin on "
                "activities) and the work (the owner that ACTIVITY_OWNERS gives the activity is not \"sales\"). "
                "Divide the hours that pass both by all the hours of the sales people. If you built task 1, its "
                "sales row tells the same story.")),
             mistakes=(
                 Mistake(lambda a: close(a, off_share("lumen", "sales")),
                         _("that is lumen's figure; this task is about ferro.")),
                 Mistake(lambda a: close(a, off_share("ferro", "marketing")),
                         _("that is the marketers' share; this task asks about the sales people.")),
                 Mistake(lambda a: close(a, 1 - off_share("ferro", "sales")),
                         _("that is the share of sales people's hours on sales' own work; the task asks for the "
                           "rest.")),
                 Mistake(lambda a: close(a, float(allocation().loc["sales", "marketing"])),
                         _("you counted only marketing's work. Activities that revops owns (CRM upkeep, reports) "
                           "are another function's work too.")),
                 Mistake(lambda a: close(a, others_do_sales_work()),
                         _("you measured how much of the sales-owned work other functions do. The task asks the "
                           "opposite: how much of the sales people's hours go to work other functions own.")),
             )),
        Task("q3", "hours_per_person_week",
             function(hours_cases, compare=close,
                      describe=lambda args: _(" ({function}, {activity})", function=args[2], activity=args[3])),
             (_("keep the rows of the activity whose employee_id belongs to a person of the function, add up their "
                "hours, then divide by the number of people of that function in employees and by the number of "
                "different weeks in activities (activities[\"week\"].nunique())."),
              _("count the people of `function` in `employees` (all of them), and the weeks with .nunique() on the "
                "`week` column of `activities`. Filter activities twice (the activity, and an employee_id .isin the "
                "function's people), add up `hours`, then divide by people × weeks. Use the function's arguments "
                "only: the check calls it on lumen's tables too.")),
             mistakes=(
                 Mistake(lambda f: close(calls(f), calling_parts()["hours"]),
                         _("your function returns the total hours of all the people over all the weeks: divide by "
                           "the number of people and by the number of weeks.")),
                 Mistake(lambda f: close(calls(f), calling_parts()["hours"] / calling_parts()["people"]),
                         _("your function returns hours per person over all the weeks: divide by the number of "
                           "weeks too.")),
                 Mistake(lambda f: close(calls(f), calling_parts()["hours"] / calling_parts()["weeks"]),
                         _("your function returns hours a week for the whole team: divide by the number of people "
                           "of the function too.")),
                 Mistake(lambda f: close(calls(f), calling_parts()["everyone"]
                                          / (calling_parts()["people"] * calling_parts()["weeks"])),
                         _("your function counts the hours of everybody who did the activity; keep only the people "
                           "of the function (look their function up in employees).")),
                 Mistake(averages_rows,
                         _("your function averages the rows of the time sheets, so a week in which someone logged none "
                           "of the activity does not count. Divide the hours by the number of people of the function "
                           "and by the number of weeks instead.")),
             )),
        Task("q4a", "owners", owners_half,
             (_("marketing reaches many people at once and plans for the long term; sales works one buyer at a time "
                "and owns its number; operations delivers, serves and improves after the sale; revops keeps the "
                "shared systems, data and reports."),
              _("write each value as one of \"marketing\", \"sales\", \"operations\", \"revops\", in lower case. For "
                "each task, ask whether it reaches many people at once, wins or commits to deals, delivers and "
                "serves after the sale, or keeps the shared CRM, routing and reports in order. Module 01's *Three "
                "functions, one machine* describes each function."))),
        Task("q4b", "owners", owners_all,
             (_("two tasks are borderline on purpose. The forecast: who commits to the number? The funnel "
                "dashboard: does it belong to either side alone?"),
              _("for the forecast, ask who is judged on whether the bookings arrive and answers for the number, not "
                "who fills in the spreadsheet. For the dashboard, ask which function exists to keep the data and "
                "reports that marketing and sales both use (module 01, *Revenue operations: the fourth function*)."))),
        Task("q5", "biggest_excess", choice([best_block()], OFF_FUNCTION_BLOCKS),
             (_("for each block, take its excess hours per person-week over lumen (roles.compare_misplaced_work) "
                "and multiply by the number of ferro people in that function (employees[\"function\"]"
                ".value_counts()). Then pick the largest."),
              _("run roles.compare_misplaced_work with ferro's activities and employees first and lumen's as the "
                "benchmark, with a `top` large enough to show all five blocks. The head count of each function comes "
                "from employees[\"function\"].value_counts(); map it onto the `function` column and multiply by "
                "`excess_hours`. Write the winning block as \"function: activity\".")),
             mistakes=(
                 Mistake(picked(top_per_person),
                         _("that block has the largest excess per person; the task asks for the whole company's hours. "
                           "Multiply each block's excess per person by the number of people in that function.")),
                 Mistake(picked_by_design,
                         _("lumen spends at least as much time per person on that work: it is shared by design, "
                           "there is no excess to cut.")),
             )),
    )
