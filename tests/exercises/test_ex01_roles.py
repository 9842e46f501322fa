"""Exercise 01's self-checks (``smarketing.exercises.ex01_roles``): a good answer passes, each common mistake
gets its targeted message, and no message gives the expected value away. Good answers are computed here by
hand with pandas, not taken from the checks. The exercise analyses argo against vela (graded companies), and
its task 4 asks about pieces of work that module 01's RoleSorter does not show."""

from __future__ import annotations

import re
from functools import partial

import nbformat
import numpy as np
import pandas as pd

from smarketing import roles, schema
from smarketing.exercises import company, find_task
from tests.conftest import ROOT
from tests.test_roles import (
    RACI,  # a right design, written by hand: the one tests/test_roles.py checks rule by rule
)

task = partial(find_task, "01_roles")
FUNCTIONS = ["marketing", "sales", "operations", "revops"]
OWNERS = {  # by hand, as module 01 defines the functions (none of these is among roles.TASKS)
    "awareness": "marketing", "search_ranking": "marketing", "demo": "sales", "account_visits": "sales",
    "returns": "operations", "peak_staffing": "operations", "territories": "revops", "crm_sync": "revops",
}


def _hours(name: str = "argo") -> pd.DataFrame:
    """Hours by the people's function (rows) and the function that owns the work (columns), by hand."""
    c = company(name)
    work = c.activities.merge(c.employees[["employee_id", "function"]], on="employee_id")
    work["function"] = work["function"].astype(str)
    work["owner"] = work["activity"].astype(str).map(schema.ACTIVITY_OWNERS)
    hours = work.pivot_table(index="function", columns="owner", values="hours", aggfunc="sum", fill_value=0.0)
    return hours.reindex(index=FUNCTIONS, columns=FUNCTIONS, fill_value=0.0)


def _allocation(name: str = "argo") -> pd.DataFrame:
    hours = _hours(name)
    return hours.div(hours.sum(axis=1), axis=0)


def _hours_per_person_week(activities, employees, function, activity):
    people = employees.loc[employees["function"] == function, "employee_id"]
    logged = activities[(activities["activity"] == activity) & activities["employee_id"].isin(people)]
    return float(logged["hours"].sum() / (len(people) * activities["week"].nunique()))


def test_q1_time_allocation_structure_and_values():
    right = _allocation()
    assert right.sum(axis=1).round(9).eq(1).all()
    assert task("q1a").assert_check_passed(right) == \
        "q1a: correct, the visible checks passed. More checks run at grading."
    assert "More checks run at grading" in task("q1b").assert_check_passed(right)
    categorical = right.copy()
    categorical.index = pd.CategoricalIndex(categorical.index, categories=FUNCTIONS)
    task("q1a").assert_check_passed(categorical)
    task("q1b").assert_check_passed(categorical)
    # the shape: alphabetical columns lose the shape point only, not the values
    alphabetical = right[sorted(FUNCTIONS)]
    task("q1b").assert_check_passed(alphabetical)
    task("q1a").assert_check_failed(alphabetical, "your columns are marketing, operations, revops, sales")
    task("q1a").assert_check_failed(right.loc[sorted(FUNCTIONS)], "your rows are marketing, operations, revops, sales")
    task("q1a").assert_check_failed(right.reset_index(), "the functions are a column of your table")
    task("q1a").assert_check_failed(right.to_numpy(),
                                    "your answer is a ndarray; this task asks for a pandas DataFrame.")
    # the values: each targeted mistake
    hours = _hours()
    task("q1b").assert_check_failed(hours, "your table holds hours, not shares")
    task("q1b").assert_check_failed(hours.div(hours.sum(axis=0), axis=1), "each of your columns sums to 1")
    task("q1b").assert_check_failed(right.T, "your rows and columns are swapped")
    task("q1b").assert_check_failed(right.round(3), "your shares are rounded")
    task("q1b").assert_check_failed(right * 100, "look like percentages")
    task("q1b").assert_check_failed(_allocation("vela"), "that is vela's table; this task is about argo")
    task("q1b").assert_check_failed(_allocation("ferro"), "not right yet in the row(s) of")  # module 01's company
    task("q1b").assert_check_failed(right.drop(columns="revops"), "it lacks revops")
    nudged = right.copy()
    nudged.loc["sales", "marketing"] += 0.01
    nudged.loc["sales", "sales"] -= 0.01
    text = task("q1b").assert_check_failed(nudged, "not right yet in the row(s) of sales.")
    assert f"{right.loc['sales', 'marketing']:.3f}" not in text


def _off_share(name: str, function: str) -> float:
    hours = _hours(name)
    return float(1 - hours.loc[function, function] / hours.loc[function].sum())


def test_q2_sales_off_function_share():
    right = _off_share("argo", "sales")
    assert 0.15 < right < 0.45  # misaligned like ferro: module 01 quotes 29.5 % for ferro's sales people
    assert "More checks run at grading" in task("q2").assert_check_passed(right)
    task("q2").assert_check_passed(np.float64(right))
    task("q2").assert_check_failed(100 * right, "looks like a percentage")
    task("q2").assert_check_failed(_off_share("vela", "sales"), "that is vela's figure; this task is about argo")
    task("q2").assert_check_failed(_off_share("ferro", "sales"), "not the right value yet")  # module 01's figure
    task("q2").assert_check_failed(_off_share("argo", "marketing"), "that is the marketers' share")
    task("q2").assert_check_failed(1 - right, "the task asks for the rest")
    task("q2").assert_check_failed(float(_allocation().loc["sales", "marketing"]), "you counted only marketing's work")
    column = _hours()["sales"]
    task("q2").assert_check_failed(float(1 - column["sales"] / column.sum()),
                                   "how much of the sales-owned work other functions do")
    task("q2").assert_check_passed(round(right, 4))  # three significant digits; the hidden test wants all
    assert f"{right:.3f}" not in task("q2").assert_check_failed(0.2, "is not the right value yet")
    task("q2").assert_check_failed(pd.Series([right]), "asks for one number")


def test_q3_hours_per_person_week_function():
    argo = company("argo")
    calling = _hours_per_person_week(argo.activities, argo.employees, "marketing", "prospect by phone")
    assert calling > 2  # argo's marketers cold-call, as ferro's do (module 01's puzzle)
    assert "More checks run at grading" in task("q3").assert_check_passed(_hours_per_person_week)
    people = {f: int((argo.employees["function"] == f).sum()) for f in FUNCTIONS}
    weeks = argo.activities["week"].nunique()

    def scaled(factor):  # a wrong answer: the right one times the factor it forgot to divide by
        return lambda a, e, f, act: _hours_per_person_week(a, e, f, act) * factor(e, f, a)

    task("q3").assert_check_failed(scaled(lambda e, f, a: (e["function"] == f).sum() * a["week"].nunique()),
                                   "the total hours of all the people over all the weeks")
    # Forgetting the weeks and forgetting the people give the same number on test case 1 when a company has as
    # many marketers as weeks (argo has, in the committed cohort): the check then tells the two apart on a later case.
    task("q3").assert_check_failed(scaled(lambda e, f, a: a["week"].nunique()), "divide by the number of weeks too")
    task("q3").assert_check_failed(scaled(lambda e, f, a: (e["function"] == f).sum()),
                                   "hours a week for the whole team")

    def everybody(activities, employees, function, activity):
        return float(activities.loc[activities["activity"] == activity, "hours"].sum()
                     / ((employees["function"] == function).sum() * activities["week"].nunique()))

    task("q3").assert_check_failed(everybody, "counts the hours of everybody who did the activity")

    def row_mean(activities, employees, function, activity):
        people = employees.loc[employees["function"] == function, "employee_id"]
        return float(activities.loc[(activities["activity"] == activity)
                                    & activities["employee_id"].isin(people), "hours"].mean())

    task("q3").assert_check_failed(row_mean, "averages the rows of the time sheets")
    task("q3").assert_check_failed(lambda a, e, f, act: 1 / 0, "raised ZeroDivisionError")
    task("q3").assert_check_failed(calling, "asks for a function")
    assert people["marketing"] > 1 and weeks == 8  # the counting matters: several marketers, eight weeks
    text = task("q3").assert_check_failed(lambda a, e, f, act: 5.0,
                                          "wrong result on test case 1 (marketing, prospect by phone)")
    assert f"{calling:.2f}" not in text


def test_q4_owners_partial_credit():
    task("q4a").assert_check_passed(OWNERS)
    task("q4b").assert_check_passed(OWNERS)
    labels = {"revops": "Revenue operations"}
    written_out = {k: labels.get(v, v.capitalize()) for k, v in OWNERS.items()}
    task("q4b").assert_check_passed(written_out)  # labels and capitals are accepted
    # the two borderline pieces, answered by the job title (运营) and by who works the territory
    borderline = dict(OWNERS, search_ranking="operations", territories="sales")
    task("q4a").assert_check_passed(borderline)
    text = task("q4b").assert_check_failed(borderline, "6 of the 8 owners are right.")
    assert "search_ranking" not in text and "territories" not in text  # not which
    half = dict(OWNERS, territories="sales", crm_sync="sales", demo="revops", awareness="sales")
    task("q4a").assert_check_passed(half)
    task("q4b").assert_check_failed(half, "4 of the 8 owners are right.")
    one_wrong = dict(OWNERS, territories="sales")
    task("q4a").assert_check_passed(one_wrong)
    assert "territories" not in task("q4b").assert_check_failed(one_wrong, "7 of the 8 owners are right.")
    few = {k: "operations" for k in OWNERS}
    task("q4a").assert_check_failed(few, "2 of the 8 owners are right; half of them earn this point")
    task("q4a").assert_check_failed({"awareness": "marketing"},
                                    "your dictionary lacks the key(s) search_ranking, demo, account_visits, ")
    task("q4a").assert_check_failed(dict(OWNERS, awareness="growth"), "the value(s) for awareness are not functions: "
                                                                      "write one of 'marketing', 'sales', ")
    task("q4b").assert_check_failed(list(OWNERS.items()),
                                    "your answer is a list; this task asks for a dictionary {key: function}.")


def test_q4_is_not_module_01s_sorter_and_matches_the_notebook():
    """Task 4 asks about other work than the RoleSorter of module 01, whose answers the module shows; the
    solution notebook's table lists exactly the checks' keys and texts, and its answer is the checks' owners."""
    from smarketing.exercises.ex01_roles import ROLE_TASKS

    sorter = {task.text.lower() for task in roles.TASKS}
    assert {key: task.owner for key, task in ROLE_TASKS.items()} == OWNERS
    assert not [task.text for task in ROLE_TASKS.values() if task.text.lower() in sorter]
    assert sorted(OWNERS.values()) == sorted(2 * FUNCTIONS)  # two pieces of work per function
    notebook = nbformat.read(ROOT / "solutions" / "01_roles" / "01_roles.ipynb", as_version=4)
    text = next(c.source for c in notebook.cells if c.metadata["nbgrader"]["grade_id"] == "task-4")
    rows = dict(re.findall(r"^\| `(\w+)` \| (.+?) \|$", text, re.MULTILINE))
    assert rows == {key: task.text for key, task in ROLE_TASKS.items()}
    answer = next(c.source for c in notebook.cells if c.metadata["nbgrader"]["grade_id"] == "q4-answer")
    assert dict(re.findall(r'"(\w+)": "(\w+)"', answer)) == OWNERS


def test_q5_biggest_company_excess():
    argo, vela = company("argo"), company("vela")
    heads = argo.employees["function"].astype(str).value_counts()
    blocks = ["marketing: prospect by phone", "marketing: build reports", "sales: create content",
              "sales: maintain CRM", "revops: forecast pipeline"]

    def excess(block):
        function, activity = block.split(": ")
        return (_hours_per_person_week(argo.activities, argo.employees, function, activity)
                - _hours_per_person_week(vela.activities, vela.employees, function, activity))

    company_excess = {b: excess(b) * heads[b.split(": ")[0]] for b in blocks}
    best = max(company_excess, key=company_excess.get)
    per_person_best = max(blocks, key=excess)
    by_design = [b for b in blocks if excess(b) <= 0]
    other = [b for b in blocks if b not in {best, per_person_best, *by_design}]
    assert per_person_best != best and by_design and other  # each kind of wrong answer exists in argo's data
    task("q5").assert_check_passed(best)
    task("q5").assert_check_passed(best.upper())
    task("q5").assert_check_failed(per_person_best, "the largest excess per person")
    for block in by_design:
        task("q5").assert_check_failed(block, "shared by design")
    for block in other:
        task("q5").assert_check_failed(block, "that is not the best choice")
    task("q5").assert_check_failed("content", "answer with one of: 'marketing: prospect by phone', ")


def test_q6_the_raci_passes_any_design_that_meets_the_rules():
    assert "More checks run at grading" in task("q6").assert_check_passed(RACI)
    task("q6").assert_check_passed(dict(RACI, report_leakage={"sales": "A", "operations": "R", "marketing": "I"}))
    task("q6").assert_check_passed(dict(RACI, first_contact={"sales": "a", "marketing": "r"}))
    task("q6").assert_check_passed(pd.DataFrame(RACI).T)  # a table with a row per step
    assert task("q6").judge(None)[0] == "not attempted"


def test_q6_the_raci_says_what_is_wrong_in_teaching_words():
    task("q6").assert_check_failed({step: "sales" for step in RACI}, "that is a list of owners, not a RACI")
    task("q6").assert_check_failed({step: {"marketing": "A", "sales": "A/R"} for step in RACI},
                                   "every step of your RACI has several Accountables")
    task("q6").assert_check_failed(dict(RACI, first_contact={"sales": "R"}),
                                   "Step first_contact has no Accountable (A)")
    text = task("q6").assert_check_failed(
        dict(RACI, first_contact={"sales": "R"}, record_reason={"sales": "A/R"}), "your RACI has 2 problems.")
    assert "marketing has no role" in text and "more" not in text
    many = {step: {"operations": "I"} for step in RACI}
    text = task("q6").assert_check_failed(many, "problems. Step score_and_route has no Accountable")
    assert text.count("Step ") + text.count("In step ") == 3 and "more: fix these first, then check again." in text
    task("q6").assert_check_failed(pd.DataFrame(RACI), "Your table has the steps as its columns")
    task("q6").assert_check_failed(list(RACI), "Your design is a list")
    assert len(task("q6").hints) == 2


def test_q6_the_notebook_lists_the_handoffs_steps_and_no_figure_of_argo():
    """The design's table is the library's list of steps, the solution's design passes, and the released text
    (the brief and the levelled rubric) holds no figure of a company drawn anew per cohort."""
    notebook = nbformat.read(ROOT / "solutions" / "01_roles" / "01_roles.ipynb", as_version=4)
    cells = {c.metadata["nbgrader"]["grade_id"]: c.source for c in notebook.cells}
    rows = dict(re.findall(r"^\| `(\w+)` \| (.+?) \|$", cells["design-task"], re.MULTILINE))
    assert rows == {key: step.text for key, step in roles.HANDOFF_STEPS.items()}
    answer = cells["q6-answer"].split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
    space: dict = {}
    exec(answer, space)  # noqa: S102 - the course's own solution
    task("q6").assert_check_passed(space["raci"])
    for grade_id in ("design-task", "design-rubric"):
        numbers = {int(n) for n in re.findall(r"\d+", cells[grade_id])}
        assert numbers <= {0, 1, 2, 3, 5, 6, 8, 150, 300}, (grade_id, numbers)  # points, parts, words, criteria
    assert "2026-autumn cohort" in cells["design"]
    assert all(level in cells["design-rubric"] for level in ("*Strong:*", "*Adequate:*", "*Weak:*"))
    assert cells["design-rubric"].count("*Strong:*") == 3 and "strong** (2 points)" in cells["design-rubric"]
