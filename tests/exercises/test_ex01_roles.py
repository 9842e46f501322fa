"""Exercise 01's self-checks (``smarketing.exercises.ex01_roles``): a good answer passes, each common mistake
gets its targeted message, and no message gives the expected value away. Good answers are computed here by
hand with pandas, not taken from the checks."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from smarketing import schema
from smarketing.exercises import company, find_task

task = partial(find_task, "01_roles")
FUNCTIONS = ["marketing", "sales", "operations", "revops"]
OWNERS = {  # by hand, as module 01 teaches (roles.TASKS)
    "webinar": "marketing", "budget": "marketing", "call_mql": "sales", "forecast": "sales",
    "complaint": "operations", "delivery_time": "operations", "crm_fields": "revops", "dashboard": "revops",
}


def _hours(name: str = "ferro") -> pd.DataFrame:
    """Hours by the people's function (rows) and the function that owns the work (columns), by hand."""
    c = company(name)
    work = c.activities.merge(c.employees[["employee_id", "function"]], on="employee_id")
    work["function"] = work["function"].astype(str)
    work["owner"] = work["activity"].astype(str).map(schema.ACTIVITY_OWNERS)
    hours = work.pivot_table(index="function", columns="owner", values="hours", aggfunc="sum", fill_value=0.0)
    return hours.reindex(index=FUNCTIONS, columns=FUNCTIONS, fill_value=0.0)


def _allocation(name: str = "ferro") -> pd.DataFrame:
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
    task("q1b").assert_check_failed(_allocation("lumen"), "that is lumen's table")
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
    right = _off_share("ferro", "sales")
    assert 0.25 < right < 0.35  # module 01 quotes 29.5 %
    assert "More checks run at grading" in task("q2").assert_check_passed(right)
    task("q2").assert_check_passed(np.float64(right))
    task("q2").assert_check_failed(100 * right, "looks like a percentage")
    task("q2").assert_check_failed(_off_share("lumen", "sales"), "that is lumen's figure")
    task("q2").assert_check_failed(_off_share("ferro", "marketing"), "that is the marketers' share")
    task("q2").assert_check_failed(1 - right, "the task asks for the rest")
    task("q2").assert_check_failed(float(_allocation().loc["sales", "marketing"]), "you counted only marketing's work")
    column = _hours()["sales"]
    task("q2").assert_check_failed(float(1 - column["sales"] / column.sum()),
                                   "how much of the sales-owned work other functions do")
    task("q2").assert_check_passed(round(right, 4))  # three significant digits; the hidden test wants all
    assert f"{right:.3f}" not in task("q2").assert_check_failed(0.2, "is not the right value yet")
    task("q2").assert_check_failed(pd.Series([right]), "asks for one number")


def test_q3_hours_per_person_week_function():
    ferro = company("ferro")
    calling = _hours_per_person_week(ferro.activities, ferro.employees, "marketing", "prospect by phone")
    assert 7.5 < calling < 8.0  # module 01's puzzle: 7.8 h a week per marketer
    assert "More checks run at grading" in task("q3").assert_check_passed(_hours_per_person_week)
    people = {f: int((ferro.employees["function"] == f).sum()) for f in FUNCTIONS}
    weeks = ferro.activities["week"].nunique()

    def scaled(factor):  # a wrong answer: the right one times the factor it forgot to divide by
        return lambda a, e, f, act: _hours_per_person_week(a, e, f, act) * factor(e, f, a)

    task("q3").assert_check_failed(scaled(lambda e, f, a: (e["function"] == f).sum() * a["week"].nunique()),
                                   "the total hours of all the people over all the weeks")
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
    assert people["marketing"] == 9 and weeks == 8  # the counts module 01 quotes
    text = task("q3").assert_check_failed(lambda a, e, f, act: 5.0,
                                          "wrong result on test case 1 (marketing, prospect by phone)")
    assert f"{calling:.2f}" not in text


def test_q4_owners_partial_credit():
    task("q4a").assert_check_passed(OWNERS)
    task("q4b").assert_check_passed(OWNERS)
    labels = {"revops": "Revenue operations"}
    written_out = {k: labels.get(v, v.capitalize()) for k, v in OWNERS.items()}
    task("q4b").assert_check_passed(written_out)  # labels and capitals are accepted
    half = dict(OWNERS, forecast="revops", dashboard="sales", crm_fields="sales", webinar="sales")
    task("q4a").assert_check_passed(half)
    task("q4b").assert_check_failed(half, "4 of the 8 owners are right.")
    one_wrong = dict(OWNERS, forecast="revops")
    task("q4a").assert_check_passed(one_wrong)
    assert "forecast" not in task("q4b").assert_check_failed(one_wrong, "7 of the 8 owners are right.")  # not which
    few = {k: "operations" for k in OWNERS}
    task("q4a").assert_check_failed(few, "2 of the 8 owners are right; half of them earn this point")
    task("q4a").assert_check_failed({"webinar": "marketing"}, "your dictionary lacks the key(s) budget, call_mql, ")
    task("q4a").assert_check_failed(dict(OWNERS, webinar="growth"), "the value(s) for webinar are not functions: "
                                                                    "write one of 'marketing', 'sales', ")
    task("q4b").assert_check_failed(list(OWNERS.items()),
                                    "your answer is a list; this task asks for a dictionary {key: function}.")


def test_q5_biggest_company_excess():
    ferro, lumen = company("ferro"), company("lumen")
    heads = ferro.employees["function"].astype(str).value_counts()
    blocks = ["marketing: prospect by phone", "marketing: build reports", "sales: create content",
              "sales: maintain CRM", "revops: forecast pipeline"]

    def excess(block):
        function, activity = block.split(": ")
        return (_hours_per_person_week(ferro.activities, ferro.employees, function, activity)
                - _hours_per_person_week(lumen.activities, lumen.employees, function, activity))

    company_excess = {b: excess(b) * heads[b.split(": ")[0]] for b in blocks}
    best = max(company_excess, key=company_excess.get)
    per_person_best = max(blocks, key=excess)
    assert best == "sales: create content" and per_person_best == "marketing: prospect by phone"
    task("q5").assert_check_passed(best)
    task("q5").assert_check_passed(best.upper())
    task("q5").assert_check_failed(per_person_best, "the largest excess per person")
    task("q5").assert_check_failed("revops: forecast pipeline", "shared by design")
    task("q5").assert_check_failed("sales: maintain CRM", "that is not the best choice")
    task("q5").assert_check_failed("content", "answer with one of: 'marketing: prospect by phone', ")
