"""Module 05's functions: ladders, time to promotion, transitions and the skills fit."""

from __future__ import annotations

import pandas as pd
import pytest

from smarketing import careers


@pytest.fixture()
def history():
    employees = pd.DataFrame({"employee_id": ["E1", "E2"], "hire_date": pd.to_datetime(["2020-01-01", "2021-01-01"])})
    moves = pd.DataFrame({
        "employee_id": ["E1", "E1", "E2", "E2"],
        "moved_at": pd.to_datetime(["2021-01-01", "2023-01-01", "2021-07-02", "2022-07-02"]),
        "from_role": ["Sales Rep", "Sales Supervisor", "Sales Rep", "Marketing Associate"],
        "from_level": [1, 2, 1, 1],
        "to_role": ["Sales Supervisor", "Sales Manager", "Marketing Associate", "Marketing Specialist"],
        "to_level": [2, 3, 1, 2],
        "move_type": ["promotion", "promotion", "function_change", "promotion"],
    })
    return moves, employees


def test_time_to_promotion_counts_from_hire_or_last_move(history):
    moves, employees = history
    table = careers.time_to_promotion(moves, employees).set_index(["function", "from_level"])
    assert table.loc[("sales", 1), "median_years"] == pytest.approx(366 / 365.25, abs=0.01)
    assert table.loc[("sales", 2), "median_years"] == pytest.approx(730 / 365.25, abs=0.01)
    # E2's clock restarts at the change of function (2021-07-02), not at the hire date
    assert table.loc[("marketing", 1), "median_years"] == pytest.approx(365 / 365.25, abs=0.01)
    assert ("sales", 1) in table.index and table["promotions"].sum() == 3


def test_transition_matrix_rows_sum_to_one(history):
    moves, _ = history
    matrix = careers.transition_matrix(moves)
    assert matrix.loc["Sales Rep", "Sales Supervisor"] == pytest.approx(0.5)
    assert matrix.sum(axis=1).tolist() == pytest.approx([1.0] * len(matrix))
    by_function = careers.transition_matrix(moves, by="function", normalize=False)
    assert by_function.loc["sales", "marketing"] == 1 and by_function.loc["sales", "sales"] == 2
    assert careers.lateral_moves(moves).values.tolist() == [["sales", "marketing", 1]]


def test_ladders_follow_seed_004():
    table = careers.ladder_table()
    assert table["sales"].tolist()[:4] == ["Sales Rep", "Sales Supervisor", "Sales Manager", "Sales Director"]
    assert "Product Manager" in table.loc[4, "operations"] and "Operations Director" in table.loc[4, "operations"]


def test_skills_fit_scales_from_0_to_100():
    assert set(careers.skills_fit({s: 5 for s in careers.SKILLS})["fit"]) == {100.0}
    assert set(careers.skills_fit({})["fit"]) == {0.0}
    # a pure sales profile: sales' essential skills at 5, the rest at 1
    seller = {"communication": 5, "negotiation": 5, "resilience": 5, "relationship building": 5}
    fit = careers.skills_fit(seller)
    assert fit["path"].iloc[0] == "sales"
    # sales weights 3+3+3+2+3+1 = 15; the four skills carry 12 at 5, market insight and data at 1
    assert fit.set_index("path").loc["sales", "fit"] == pytest.approx(round(100 * (12 * 4 / 15) / 4, 1))
    with pytest.raises(ValueError, match="Rate negotiation from 1 to 5"):
        careers.skills_fit({"negotiation": 7})
    with pytest.raises(ValueError, match="Unknown skill"):
        careers.skills_fit({"juggling": 3})


def test_skill_gaps_put_essential_skills_first():
    assert careers.skill_gaps({"communication": 5, "negotiation": 5}, "sales", top=2) == ["resilience",
                                                                                         "relationship building"]
    assert careers.skill_gaps({s: 5 for s in careers.SKILLS}, "sales") == []
