"""Module 01's functions: the seed comparisons, the task sorter's feedback and who does whose work."""

from __future__ import annotations

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
