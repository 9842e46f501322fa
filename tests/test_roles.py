"""Module 01's functions: the seed comparisons, the task sorter's feedback and who does whose work."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smarketing import roles, schema


def test_comparisons_cover_the_seed_dimensions():
    five = roles.comparison("sales_vs_marketing")
    assert five["dimension"].tolist() == ["core goal", "time focus", "reach", "customer interaction",
                                          "success metrics"]
    four = roles.comparison("sales_vs_operations")
    assert four["angle"].tolist() == ["goals", "work content", "way of working", "evaluation"]
    assert set(roles.comparison("work_profiles")["aspect"]) == {"typical activities", "skills", "tools",
                                                                "team structure"}
    with pytest.raises(ValueError, match="Unknown comparison"):
        roles.comparison("sales_vs_hr")


def test_every_function_owns_at_least_one_task():
    assert {t.owner for t in roles.TASKS} == set(schema.FUNCTIONS)


def test_check_owner_explains_right_wrong_and_blank():
    task = roles.Task("Negotiate price", "sales", "Negotiation converts demand.")
    right = roles.check_owner(task, "sales")
    assert right.correct and "Negotiation converts demand." in right.message
    wrong = roles.check_owner(task, "marketing")
    assert not wrong.correct and "Sales work" in wrong.message
    assert not roles.check_owner(task, "").correct and "Not answered" in roles.check_owner(task, "").message
    assert "not a function" in roles.check_owner(task, "finance").message


@pytest.fixture()
def staff():
    employees = pd.DataFrame({"employee_id": ["E1", "E2", "E3"], "function": ["marketing", "sales", "sales"]})
    activities = pd.DataFrame({
        "employee_id": ["E1", "E1", "E2", "E2", "E3"],
        "week": pd.to_datetime(["2025-11-03"] * 5),
        "activity": ["create content", "prospect by phone", "run demos", "create content", "run demos"],
        "hours": [30.0, 10.0, 20.0, 20.0, 40.0],
    })
    return activities, employees


def test_time_allocation_by_hand(staff):
    activities, employees = staff
    table = roles.time_allocation(activities, employees)
    # marketing: 30 own + 10 sales work; sales: 60 own + 20 marketing work
    assert table.loc["marketing", "marketing"] == pytest.approx(0.75)
    assert table.loc["marketing", "sales"] == pytest.approx(0.25)
    assert table.loc["sales", "marketing"] == pytest.approx(0.25)
    assert table.sum(axis=1).tolist() == pytest.approx([1.0, 1.0])
    assert roles.off_function_share(activities, employees).to_dict() == pytest.approx({"marketing": 0.25,
                                                                                       "sales": 0.25})


def test_misplaced_work_per_person_and_week(staff):
    activities, employees = staff
    top = roles.misplaced_work(activities, employees)
    # sales (2 people, 1 week) spend 20 h on content: 10 h per person-week; marketing 10 h on calls
    assert sorted(top[["function", "activity", "hours_per_person_week"]].values.tolist()) == [
        ["marketing", "prospect by phone", 10.0], ["sales", "create content", 10.0]]
    more = pd.concat([activities, activities.iloc[[3]]])  # sales write twice as much content
    assert roles.misplaced_work(more, employees).iloc[0]["hours_per_person_week"] == 20.0


def test_misaligned_company_does_more_of_others_work(companies):
    off = {name: roles.off_function_share(c.activities, c.employees) for name, c in companies.items()}
    assert off["ferro"]["sales"] > off["lumen"]["sales"] and off["ferro"]["marketing"] > off["lumen"]["marketing"]


def test_hours_per_person_counts_all_work(staff):
    activities, employees = staff
    table = roles.hours_per_person(activities, employees).set_index(["function", "activity"])
    # one week; marketing has 1 person, sales 2
    assert table.loc[("marketing", "create content"), "hours_per_person_week"] == pytest.approx(30.0)
    assert table.loc[("sales", "run demos"), "hours_per_person_week"] == pytest.approx(30.0)  # (20 + 40) / 2
    assert table.loc[("sales", "create content"), "owner"] == "marketing"


def test_compare_misplaced_work_against_a_benchmark(staff):
    activities, employees = staff
    benchmark = activities.drop(index=1).copy()  # the benchmark's marketer never cold-calls
    benchmark.loc[3, "hours"] = 4.0  # and its sales write 4 h of content, 2 h per person
    table = roles.compare_misplaced_work(activities, employees, benchmark, employees).set_index("activity")
    assert set(table.index) == {"create content", "prospect by phone"}  # own work is left out
    assert table.loc["create content", ["hours_per_person_week", "benchmark_hours", "excess_hours"]].tolist() == [
        10.0, 2.0, 8.0]
    assert table.loc["prospect by phone", ["benchmark_hours", "excess_hours"]].tolist() == [0.0, 10.0]
    same = roles.compare_misplaced_work(activities, employees, activities, employees)
    assert (same["excess_hours"] == 0).all() and not (same["excess_hours"].map(str) == "-0.0").any()


def test_activity_split_by_hand(staff):
    activities, employees = staff
    split = roles.activity_split(activities, employees)
    assert split.loc["create content", ["marketing", "sales"]].tolist() == [30.0, 20.0]
    assert split.loc["create content", "owner_share"] == pytest.approx(30 / 50)
    assert split.loc["prospect by phone", "owner_share"] == 0.0  # sales owns it, only marketing did it
    assert split.loc["run demos", "owner_share"] == 1.0
    two_weeks = pd.concat([activities, activities.assign(week=pd.Timestamp("2025-11-10"))])
    assert roles.activity_split(two_weeks, employees).loc["create content", "sales"] == 20.0  # a week, on average


def test_reach_per_head_by_hand():
    employees = pd.DataFrame({"employee_id": ["M", "S1", "S2"], "function": ["marketing", "sales", "sales"]})
    leads = pd.DataFrame({"created_at": pd.to_datetime(["2023-01-01", "2023-06-01", "2024-01-01"])})
    touchpoints = pd.DataFrame({"lead_id": range(6)})
    opportunities = pd.DataFrame({"outcome": ["won", "lost", "open", "won"]})
    reach = roles.reach_per_head(leads, touchpoints, opportunities, employees)
    years = 365 / 365.25
    assert reach["leads_per_marketer"] == pytest.approx(3 / 1 / years)
    assert reach["touchpoints_per_marketer"] == pytest.approx(6 / 1 / years)
    assert reach["opportunities_per_seller"] == pytest.approx(4 / 2 / years)
    assert reach["deals_won_per_seller"] == pytest.approx(2 / 2 / years)


def test_activity_split_chart_is_titled_with_tooltips(companies):
    from smarketing import charts

    ferro = companies["ferro"]
    spec = charts.activity_split_chart(roles.activity_split(ferro.activities, ferro.employees), "ferro").to_dict()
    assert spec["title"] == "Who does each activity? ferro"
    bars = spec["spec"]["encoding"]  # a panel per function that does the work
    assert "tooltip" in bars and bars["x"]["title"].endswith("(h)") and spec["facet"]["column"]["field"] == "done_by"
    assert 0 < sum(len(v) for v in spec["datasets"].values()) <= 60


def test_target_metrics_lists_each_functions_targets_once():
    targets = pd.DataFrame({"quarter": ["Q1", "Q1", "Q2", "Q1", "Q1"],
                            "function": ["sales", "sales", "sales", "marketing", "sales"],
                            "metric": ["sqls", "bookings", "bookings", "mqls", "new_customers"]})
    assert roles.target_metrics(targets).to_dict() == {"marketing": "mqls", "sales": "sqls, bookings, new_customers"}
    assert roles.target_metrics(targets).index.tolist() == ["marketing", "sales"]


def test_company_excess_hours_is_compare_misplaced_work_times_the_headcount(companies):
    ferro, lumen = companies["ferro"], companies["lumen"]
    table = roles.company_excess_hours(ferro.activities, ferro.employees, lumen.activities, lumen.employees)
    assert list(table.columns) == ["function", "activity", "owner", "excess_hours", "people", "company_excess_hours"]
    assert table["company_excess_hours"].is_monotonic_decreasing
    assert (table["function"] != table["owner"]).all()
    compared = roles.compare_misplaced_work(ferro.activities, ferro.employees, lumen.activities, lumen.employees,
                                            top=100)
    both = table.merge(compared, on=["function", "activity", "owner"], suffixes=("", "_shown"))
    assert len(both) == len(table) == len(compared)
    assert np.allclose(both["excess_hours"].round(1), both["excess_hours_shown"], atol=1e-9)  # the same, unrounded
    heads = ferro.employees["function"].astype(str).value_counts()
    assert (table["people"] == table["function"].map(heads)).all()
    assert np.allclose(table["company_excess_hours"], table["excess_hours"] * table["people"])
    # by hand, for the block module 01 ends on: the reps writing their own content
    week = ferro.activities["week"].nunique()
    sales = ferro.employees.loc[ferro.employees["function"] == "sales", "employee_id"]
    mine = ferro.activities[(ferro.activities["activity"] == "create content")
                            & ferro.activities["employee_id"].isin(sales)]["hours"].sum() / (len(sales) * week)
    lumen_sales = lumen.employees.loc[lumen.employees["function"] == "sales", "employee_id"]
    theirs = lumen.activities[(lumen.activities["activity"] == "create content")
                              & lumen.activities["employee_id"].isin(lumen_sales)]["hours"].sum() / (
        len(lumen_sales) * lumen.activities["week"].nunique())
    top = table.iloc[0]
    assert (top["function"], top["activity"]) == ("sales", "create content")
    assert top["company_excess_hours"] == pytest.approx((mine - theirs) * len(sales))
    # the exercise's answer is the same whether one multiplies the rounded or the unrounded excess
    compared["company"] = compared["excess_hours"] * compared["function"].map(heads)
    assert compared.loc[compared["company"].idxmax(), "activity"] == top["activity"]


# ---- a RACI of the lead handoff (exercise 01's design deliverable) ----------------------------------------------

RACI = {  # one right design among many
    "score_and_route": {"marketing": "A/R", "revops": "R", "sales": "I"},
    "accept_or_reject": {"sales": "A/R", "marketing": "I"},
    "first_contact": {"sales": "A/R", "revops": "I"},
    "record_reason": {"sales": "A/R", "marketing": "I"},
    "recycle_to_nurture": {"marketing": "A/R", "sales": "R"},
    "report_leakage": {"revops": "A/R", "marketing": "I", "sales": "I"},
    "review_scoring": {"marketing": "A/R", "sales": "C", "revops": "C"},
}


def _with(step: str, cells: dict) -> dict:
    return {**RACI, step: cells}


def test_raci_letters_reads_the_usual_ways_of_writing_roles():
    for written in ("A/R", "AR", "r, a", "R+A", "Accountable / Responsible", "a-r"):
        assert roles.raci_letters(written) == {"A", "R"}, written
    for none in ("", "-", " ", None, float("nan"), np.nan, pd.NA):
        assert roles.raci_letters(none) == set(), none
    for wrong in ("owner", "X", "A/owner", 3, ["A"], True):
        assert roles.raci_letters(wrong) is None, wrong


def test_a_right_raci_has_no_problem_and_many_designs_are_right(companies):
    assert list(roles.HANDOFF_STEPS) == list(RACI)
    assert roles.raci_problems(RACI) == []
    others = [  # each a different, defensible design
        _with("report_leakage", {"sales": "A", "revops": "R", "marketing": "I"}),  # the leak's owner reports it
        _with("score_and_route", {"revops": "A/R", "marketing": "C", "sales": "I"}),  # routing is a system
        _with("first_contact", {"sales": "A", "marketing": "R", "operations": "I"}),  # marketers call, as at argo
        {step: {"Marketing": cells.get("marketing", ""), "Sales": cells.get("sales", ""),
                "Revenue operations": cells.get("revops", "")} for step, cells in RACI.items()},  # labels, blanks
        {step: {f: {"A/R": "Accountable, Responsible", "I": "informed", "C": "consulted", "R": "responsible"}[v]
                for f, v in cells.items()} for step, cells in RACI.items()},  # words
    ]
    for design in others:
        assert roles.raci_problems(design) == [], design
    table = roles.raci_table(RACI)  # a DataFrame with a row per step works as well
    assert list(table.index) == list(RACI) and list(table.columns) == list(schema.FUNCTIONS)
    assert table.loc["first_contact"].tolist() == ["", "A/R", "", "I"]
    assert roles.raci_problems(table) == []
    assert roles.raci_problems(table.reset_index()) == []  # the steps as a column named step
    assert roles.raci_problems(RACI, employees=companies["ferro"].employees) == []


def test_raci_problems_name_each_broken_rule_in_teaching_words():
    def only(design, *parts, **kwargs):
        problems = roles.raci_problems(design, **kwargs)
        assert len(problems) == 1, problems
        assert all(part in problems[0] for part in parts), problems[0]

    only(_with("first_contact", {"sales": "R", "revops": "I"}),
         "Step first_contact has no Accountable (A)", "nobody answers for it")
    only(_with("accept_or_reject", {"sales": "A/R", "marketing": "A"}),
         "Step accept_or_reject has 2 Accountables (marketing, sales)", "Keep one A")
    only(_with("recycle_to_nurture", {"marketing": "A", "sales": "C"}),
         "Step recycle_to_nurture has nobody Responsible (R)", "(\"A/R\")")
    only(_with("report_leakage", {"revops": "A/R", "marketing": "I", "sales": "R/I"}),
         "In step report_leakage, sales is R/I", "neither consulted nor informed")
    only(_with("record_reason", {"sales": "A/R"}),
         "In step record_reason, marketing has no role", "the reasons are what marketing learns from",
         "at least an I")
    only(_with("review_scoring", {"marketing": "A/R"}), "sales has no role", "which of its leads were worth a call")
    only(_with("first_contact", {"sales": "A/Owner"}), "'A/Owner' (for sales) is not a RACI role",
         "R (does the work), A (answers for the result)")  # and not "sales has no role" besides
    only(_with("first_contact", {"sales": "A/R", "finance": "I"}), "'finance' is not a function",
         "marketing, sales, operations, revops")
    only(_with("first_contact", "sales"), "The roles of step first_contact are a str",
         "a dictionary of functions and their roles")
    only({k: v for k, v in RACI.items() if k != "review_scoring"}, "leaves out the step(s) review_scoring",
         "nobody does")
    only({**RACI, "celebrate": {"sales": "A/R"}}, "'celebrate' is not a step of the handoff",
         "Its steps are: score_and_route, accept_or_reject")
    only([RACI], "Your design is a list", "{step: {function: roles}}")
    only({"marketing": {"score_and_route": "A/R"}, "sales": {"first_contact": "A/R"}},
         "The outer keys of your dictionary are functions (marketing, sales)")
    only(roles.raci_table(RACI).T, "Your table has the steps as its columns", "raci.T")
    nobody_in_revops = pd.DataFrame({"employee_id": ["M", "S"], "function": ["marketing", "sales"]})
    unstaffed = roles.raci_problems(RACI, employees=nobody_in_revops)
    assert [p.split(",")[0] for p in unstaffed] == ["In step score_and_route", "In step report_leakage"]
    assert all("revops is R or A, but the company has nobody in revops" in p for p in unstaffed)
    assert len(roles.raci_problems({}, )) == 1  # every step missing: one problem, not seven
    everyone = {step: {f: "A/R" for f in schema.FUNCTIONS} for step in RACI}
    assert len(roles.raci_problems(everyone)) == len(RACI)  # four Accountables in each step


def test_raci_table_shows_the_roles_in_one_way_and_refuses_what_it_cannot_read():
    written = _with("first_contact", {"Sales": "r/a", "revops": "informed", "marketing": "boss"})
    table = roles.raci_table(written)
    assert table.loc["first_contact"].to_dict() == {"marketing": "boss", "sales": "A/R", "operations": "",
                                                    "revops": "I"}
    with pytest.raises(ValueError, match="Your design is a str"):
        roles.raci_table("A/R")
