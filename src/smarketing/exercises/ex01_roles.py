"""Exercise 01 · roles: argo's time-allocation table, the share of sales' time on other functions' work,
hours per person and week, who owns which piece of work, and where to start cutting misplaced work, with vela
as the benchmark; then the design deliverable, a RACI of argo's lead handoff, whose rules
:func:`roles.raci_problems` checks (any design that meets them passes; the design's quality is graded by hand).
argo and vela are graded companies (like ferro and lumen), which no course notebook analyses; the pieces of work
of task 4 are not the RoleSorter's of module 01, whose answers it shows."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from smarketing import roles, schema
from smarketing.exercises.shared import (
    close,
    company,
    design_verdict,
    dictionary_parts,
    half_then_all,
    mistaken,
)
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import choice, function, not_a_data_frame, number
from smarketing.messages import _

FOCUS, BENCHMARK = "argo", "vela"  # the company analysed (ferro's counterpart) and its benchmark (lumen's)
# Task 4: the exercise's short keys -> pieces of work that module 01's RoleSorter (roles.TASKS) does not show,
# each owned by one function as module 01 defines them (seed 000's five dimensions, seed 004's four angles,
# revenue operations' list); two per function, the last of marketing's and of revops' borderline on purpose.
ROLE_TASKS: dict[str, roles.Task] = {
    "awareness": roles.Task(
        "Measure brand awareness with a yearly survey of the market", "marketing",
        "Seed 000's success metrics and time focus: awareness of the whole market, learnt from research, planned "
        "by the year."),
    "search_ranking": roles.Task(
        "Raise the website's search ranking (SEO) for the products' key words", "marketing",
        "Reach: one message to everyone who searches, through a broad channel. Seed 004's FAQ calls such user "
        "growth operations (运营) work; module 01 says a Western firm, and this course, call it marketing."),
    "demo": roles.Task(
        "Tailor a product demonstration to one buyer's engineers", "sales",
        "Reach and customer interaction: one buyer, face to face, with a tailored solution."),
    "account_visits": roles.Task(
        "Plan this quarter's visits to the five largest accounts of the region", "sales",
        "Time focus and resources: this quarter's target, effort concentrated on high-value customers, a "
        "territory's own accounts."),
    "returns": roles.Task(
        "Redesign the returns process so that refunds go out within three days", "operations",
        "Seed 004: process optimisation and customer service after the sale, judged on efficiency and "
        "satisfaction."),
    "peak_staffing": roles.Task(
        "Plan warehouse and support staff for the peak season", "operations",
        "Seed 004's resource management: people coordinated so that the work gets done, judged on efficiency "
        "and cost."),
    "territories": roles.Task(
        "Redraw the sales territories so that each rep has a fair share of the accounts", "revops",
        "Module 01 lists the planning of territories and quotas with revenue operations: the map every rep works "
        "in, which a rep plans visits within but does not draw."),
    "crm_sync": roles.Task(
        "Connect the marketing automation tool to the CRM so that both teams see one customer record", "revops",
        "The shared systems and data that marketing and sales both depend on: revenue operations' job."),
}
ROLE_TASK_KEYS = {key: task.text for key, task in ROLE_TASKS.items()}  # key -> the text the notebook's table shows
OFF_FUNCTION_BLOCKS = ("marketing: prospect by phone", "marketing: build reports", "sales: create content",
                       "sales: maintain CRM", "revops: forecast pipeline")
# Task 3's test cases (company, function, activity), in the order the check calls the learner's function on them.
HOURS_CASES = ((FOCUS, "marketing", "prospect by phone"), (FOCUS, "sales", "create content"),
               (BENCHMARK, "sales", "maintain CRM"))


def role_task_owners() -> dict[str, str]:
    """The function that owns each piece of work of task 4 (``ROLE_TASKS``)."""
    return {key: task.owner for key, task in ROLE_TASKS.items()}


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


def company_excess_hours(name: str = FOCUS, benchmark: str = BENCHMARK, column: str = "company_excess_hours"
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


@cache
def _hours_case(name: str, function_name: str, activity: str) -> dict[str, float]:
    """What task 3's right answer and its common mistakes give on one test case: ``right`` (hours per person
    and week), ``total`` (all the hours), ``per_person`` (not divided by the weeks), ``team_week`` (not divided
    by the people), ``everyone`` (the hours of everybody who did the activity) and ``rows`` (the mean of the
    logged rows, which leaves out the weeks and people with none of it)."""
    c = company(name)
    people = float((c.employees["function"] == function_name).sum())
    weeks = float(c.activities["week"].nunique())
    worker = c.activities["employee_id"].map(c.employees.set_index("employee_id")["function"].astype(str))
    doing = c.activities["activity"].astype(str) == activity
    logged = c.activities.loc[doing & (worker == function_name), "hours"].astype(float)
    everyone = float(c.activities.loc[doing, "hours"].sum())
    hours = float(logged.sum())
    return {"right": hours / (people * weeks), "total": hours, "per_person": hours / people,
            "team_week": hours / weeks, "everyone": everyone / (people * weeks),
            "rows": float(logged.mean()) if len(logged) else math.nan}


def _function_makes(kind: str) -> Callable[[Any], bool]:
    """A mistake detector for task 3: the learner's function gives the number of mistake ``kind`` (a key of
    :func:`_hours_case`) on the first test case where that number differs from the right one and from every
    other mistake's. The graded companies are drawn anew for each cohort: in one where, say, the marketers
    are as many as the weeks, forgetting either division gives the same number, so that case cannot tell the
    two mistakes apart and the next case is asked; when no case can, the mistake is never reported."""

    def looks_like(answer: Any) -> bool:
        for name, function_name, activity in HOURS_CASES:
            values = _hours_case(name, function_name, activity)
            wrong = values[kind]
            if not math.isfinite(wrong) or any(
                    math.isclose(wrong, other, rel_tol=1e-3, abs_tol=1e-9)
                    for key, other in values.items() if key != kind and math.isfinite(other)):
                continue
            c = company(name)
            return close(answer(c.activities.copy(), c.employees.copy(), function_name, activity), wrong)
        return False

    return looks_like


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




def _raci_verdict(answer: Any) -> str | None:
    """The design deliverable's check: what is wrong with a RACI of argo's lead handoff by
    :func:`roles.raci_problems` (with argo's staff), the first few problems in words, or None when it meets every
    rule."""
    problems = roles.raci_problems(answer, employees=company(FOCUS).employees)
    return design_verdict(problems, _("RACI"))


def _owners_only(answer: Any) -> bool:
    """A list of owners ({step: "sales"}) where a RACI ({step: {function: roles}}) is asked for."""
    return (isinstance(answer, Mapping) and bool(answer) and bool(set(map(str, answer)) & set(roles.HANDOFF_STEPS))
            and all(isinstance(value, str) for value in answer.values()))


def _accountable_everywhere(answer: Any) -> bool:
    """Every step of the design has two or more Accountables: the RACI shares accountability throughout."""
    if not isinstance(answer, Mapping) or len(answer) < 3:
        return False
    counts = []
    for cells in answer.values():
        if not isinstance(cells, Mapping):
            return False
        counts.append(sum("A" in (roles.raci_letters(v) or set()) for v in cells.values()))
    return all(count > 1 for count in counts)


def tasks() -> tuple[Task, ...]:
    """The tasks of exercise 01, in order."""

    def allocation(name: str = FOCUS) -> pd.DataFrame:
        return _role_allocation(name)

    def off_share(name: str, function_name: str) -> float:
        c = company(name)
        return float(roles.off_function_share(c.activities, c.employees)[function_name])

    def sales_off() -> float:
        return off_share(FOCUS, "sales")

    def by_column() -> pd.DataFrame:
        hours = _allocation_hours(FOCUS)
        return hours / hours.sum(axis=0)

    def others_do_sales_work() -> float:
        hours = _allocation_hours(FOCUS)["sales"]
        return float((hours.sum() - hours["sales"]) / hours.sum())

    def hours_cases() -> list[tuple[tuple, float]]:
        out = []
        for name, function_name, activity in HOURS_CASES:
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
        shared = {b.lower() for b in excess[excess <= 0].index} - {best_block().lower()}
        return isinstance(answer, str) and answer.strip().lower() in shared

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
                 Mistake(lambda a: _same_table(a, allocation(BENCHMARK)),
                         _("that is vela's table; this task is about argo.")),
                 Mistake(lambda a: _same_table(a, by_column()),
                         _("each of your columns sums to 1: you divided by the column totals. Divide each row by its "
                           "own total, the hours of the people of that function.")),
                 Mistake(lambda a: _same_table(a.T, by_column()) or _same_table(a.T, allocation()),
                         _("your rows and columns are swapped: rows are the function the people belong to (from "
                           "employees), columns the function that owns the activity.")),
                 Mistake(lambda a: _same_table(a / 100, allocation()),
                         _("your shares look like percentages: give them as shares between 0 and 1 (each row sums "
                           "to 1).")),
                 Mistake(lambda a: _same_table(a, _allocation_hours(FOCUS), tolerance=1e-3)
                         or bool(_role_labels(a).apply(pd.to_numeric, errors="coerce").max().max() > 1 + 1e-9),
                         _("your table holds hours, not shares: divide each row by its total so that every row "
                           "sums to 1.")),
                 Mistake(lambda a: _same_table(a, allocation(), tolerance=5e-3) and not _same_table(a, allocation()),
                         _("your shares are rounded: store them unrounded, and round only to display them.")),
             )),
        Task("q2", "sales_off_share", number(sales_off, share=True),
             (_("of all the hours argo's sales people logged, the share spent on activities that ACTIVITY_OWNERS "
                "gives to another function (marketing, operations or revops)."),
              _("two filters: the people (the employee_ids of employees whose function is \"sales\", with .isin on "
                "activities) and the work (the owner that ACTIVITY_OWNERS gives the activity is not \"sales\"). "
                "Divide the hours that pass both by all the hours of the sales people. If you built task 1, its "
                "sales row tells the same story.")),
             mistakes=(
                 Mistake(mistaken(sales_off, lambda: off_share(BENCHMARK, "sales")),
                         _("that is vela's figure; this task is about argo.")),
                 Mistake(mistaken(sales_off, lambda: off_share(FOCUS, "marketing")),
                         _("that is the marketers' share; this task asks about the sales people.")),
                 Mistake(mistaken(sales_off, lambda: 1 - sales_off()),
                         _("that is the share of sales people's hours on sales' own work; the task asks for the "
                           "rest.")),
                 Mistake(mistaken(sales_off, lambda: float(allocation().loc["sales", "marketing"])),
                         _("you counted only marketing's work. Activities that revops owns (CRM upkeep, reports) "
                           "are another function's work too.")),
                 Mistake(mistaken(sales_off, others_do_sales_work),
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
                "only: the check calls it on vela's tables too.")),
             mistakes=(
                 Mistake(_function_makes("total"),
                         _("your function returns the total hours of all the people over all the weeks: divide by "
                           "the number of people and by the number of weeks.")),
                 Mistake(_function_makes("per_person"),
                         _("your function returns hours per person over all the weeks: divide by the number of "
                           "weeks too.")),
                 Mistake(_function_makes("team_week"),
                         _("your function returns hours a week for the whole team: divide by the number of people "
                           "of the function too.")),
                 Mistake(_function_makes("everyone"),
                         _("your function counts the hours of everybody who did the activity; keep only the people "
                           "of the function (look their function up in employees).")),
                 Mistake(_function_makes("rows"),
                         _("your function averages the rows of the time sheets, so a week in which someone logged none "
                           "of the activity does not count. Divide the hours by the number of people of the function "
                           "and by the number of weeks instead.")),
             )),
        Task("q4a", "owners", owners_half,
             (_("marketing reaches many people at once, plans by the year and is measured on awareness and leads; "
                "sales works one buyer at a time, for this quarter, and owns its number; operations delivers, serves "
                "and improves after the sale, judged on efficiency, cost and satisfaction; revops keeps the shared "
                "systems, data and plans that the others work with."),
              _("write each value as one of \"marketing\", \"sales\", \"operations\", \"revops\", in lower case. For "
                "each piece of work, ask whom it reaches (many people at once, or one buyer), for when (the year, or "
                "this quarter), and how its success would be measured (awareness, revenue, efficiency and cost, or "
                "shared data that holds). Module 01's *Three functions, one machine* and the tables of seed 000 and "
                "seed 004 describe each function."))),
        Task("q4b", "owners", owners_all,
             (_("two pieces of work are borderline on purpose. The search ranking: seed 004 would call it operations "
                "(运营) work, but what does module 01 call it? The territories: who draws the map that every rep "
                "works in?"),
              _("for the search ranking, reread module 01's word on \"运营\": check the work, not the title, and ask "
                "which function reaches many people at once through channels such as SEO. For the territories, "
                "module 01's *Revenue operations: the fourth function* lists what revops owns: a rep plans visits "
                "inside a territory, but does not draw it."))),
        Task("q5", "biggest_excess", choice([best_block()], OFF_FUNCTION_BLOCKS),
             (_("for each block, take its excess hours per person-week over vela (roles.compare_misplaced_work) "
                "and multiply by the number of argo people in that function (employees[\"function\"]"
                ".value_counts()). Then pick the largest."),
              _("run roles.compare_misplaced_work with argo's activities and employees first and vela's as the "
                "benchmark, with a `top` large enough to show all five blocks. The head count of each function comes "
                "from employees[\"function\"].value_counts(); map it onto the `function` column and multiply by "
                "`excess_hours`. Write the winning block as \"function: activity\".")),
             mistakes=(
                 Mistake(picked(top_per_person),
                         _("that block has the largest excess per person; the task asks for the whole company's hours. "
                           "Multiply each block's excess per person by the number of people in that function.")),
                 Mistake(picked_by_design,
                         _("vela spends at least as much time per person on that work: it is shared by design, "
                           "there is no excess to cut.")),
             )),
        Task("q6", "raci", _raci_verdict,
             (_("for each step of the table, ask four questions: who does the work (R), who answers for it when it "
                "fails (A, exactly one function), who must be asked before (C), and who must be told after (I). A "
                "function can do the work and answer for it at once (\"A/R\"); a function with no part in a step is "
                "left out of it."),
              _("write `raci` as {\"score_and_route\": {\"marketing\": \"...\", \"sales\": \"...\"}, ...} with the "
                "seven keys of the table, and look at it with roles.raci_table(raci). The rules the check holds it to: "
                "one A and at least one R in every step; no function both R or A and C or I in the same step; and in "
                "every step but first_contact, both marketing and sales take part, at least as I, because a "
                "rejection, a reason or a leak that the other side never hears of closes no loop. "
                "roles.raci_problems(raci) lists what is still wrong.")),
             mistakes=(
                 Mistake(_owners_only,
                         _("each step of your design holds one name: that is a list of owners, not a RACI. Give each "
                           "step a dictionary of functions and their roles, such as {\"revops\": \"A\", \"sales\": "
                           "\"R\", \"marketing\": \"I\"}: who does the work, who answers for it, who is asked "
                           "before, who is told after.")),
                 Mistake(_accountable_everywhere,
                         _("every step of your RACI has several Accountables. The A names the one function that "
                           "answers when the step fails; shared by two, it is nobody's. Keep one A per step: the "
                           "others do the work (R) or are asked (C).")),
             )),
    )
