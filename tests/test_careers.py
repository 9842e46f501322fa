"""Module 06's functions: ladders, time to promotion, transitions and the skills fit."""

from __future__ import annotations

import math

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


def test_stack_companies_keeps_ids_unique():
    from types import SimpleNamespace

    def company(name):
        staff = pd.DataFrame({"employee_id": ["E1", "E2"], "manager_id": pd.array([pd.NA, "E1"], dtype="string"),
                              "level": [2, 1]})
        return SimpleNamespace(tables={"employees": staff})

    stacked = careers.stack_companies({"a": company("a"), "b": company("b")}, "employees")
    assert stacked.columns[0] == "company" and stacked["company"].tolist() == ["a", "a", "b", "b"]
    assert stacked["employee_id"].tolist() == ["a:E1", "a:E2", "b:E1", "b:E2"]
    assert stacked["employee_id"].is_unique
    assert pd.isna(stacked.loc[0, "manager_id"]) and stacked.loc[3, "manager_id"] == "b:E1"
    assert stacked["level"].tolist() == [2, 1, 2, 1]  # other columns untouched


def test_promotion_durations_and_years_to_reach_level(history):
    moves, employees = history
    durations = careers.promotion_durations(moves, employees)
    assert len(durations) == 3  # the function change is not a promotion
    e1 = durations[durations["employee_id"] == "E1"].set_index("to_level")
    # E1: hired 2020-01-01 (2020 is a leap year), promoted 2021-01-01 and 2023-01-01
    assert e1.loc[2, "years_in_function"] == pytest.approx(366 / 365.25)
    assert e1.loc[3, "years"] == pytest.approx(730 / 365.25)
    assert e1.loc[3, "years_in_function"] == pytest.approx((366 + 365 + 365) / 365.25)
    # E2 started the marketing ladder at the change of function (2021-07-02), not at hire
    e2 = durations[durations["employee_id"] == "E2"].iloc[0]
    assert e2["function"] == "marketing" and e2["years_in_function"] == pytest.approx(365 / 365.25)
    reached = careers.years_to_reach_level(durations).set_index(["function", "level"])
    assert reached.loc[("sales", 3), "median_years"] == pytest.approx(1096 / 365.25, abs=0.01)
    assert reached["promotions"].sum() == 3


def test_median_interval_uses_order_statistics():
    # n = 5: even (min, max) leaves out the median with chance 2 / 2**5 = 6.25 % > 5 %: no interval
    assert all(pd.isna(v) for v in careers.median_interval([1, 2, 3, 4, 5]))
    # n = 6: (min, max) misses with chance 2 / 64 = 3.1 %
    assert careers.median_interval([6, 1, 5, 2, 4, 3]) == (1.0, 6.0)
    # n = 10: k = 2 misses with 2 * (1 + 10) / 1024 = 2.1 %, k = 3 with 2 * 56 / 1024 = 10.9 %
    assert careers.median_interval(range(1, 11)) == (2.0, 9.0)


def test_promotion_pace_splits_early_and_later():
    durations = pd.DataFrame({"function": ["sales"] * 8, "from_level": [1, 1, 1, 2, 2, 2, 3, 4],
                              "years": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.5, 1.5]})
    pace = careers.promotion_pace(durations).set_index("stage")
    assert pace.loc["early", "promotions"] == 6 and pace.loc["early", "median_years"] == pytest.approx(3.5)
    assert (pace.loc["early", "low"], pace.loc["early", "high"]) == (1.0, 6.0)
    assert pace.loc["later", "promotions"] == 2 and pace.loc["later", "median_years"] == pytest.approx(1.0)
    assert pd.isna(pace.loc["later", "low"])  # two promotions: no interval
    assert careers.promotion_pace(durations, early_levels=1).set_index("stage").loc["early", "promotions"] == 3


def test_marketing_benchmark_compares_with_the_public_ranges():
    durations = pd.DataFrame({"function": ["marketing"] * 4 + ["sales"], "to_level": [2, 2, 2, 6, 2],
                              "years_in_function": [1.0, 3.0, 3.0, 11.0, 9.0]})
    table = careers.marketing_benchmark(durations).set_index("level")
    assert table.loc[2, "promotions"] == 3 and table.loc[2, "median_years"] == 3.0
    assert table.loc[2, "benchmark"] == "2–4" and table.loc[2, "within"]
    assert table.loc[6, "benchmark"] == "12+" and not table.loc[6, "within"]  # 11 years: below 12
    assert table.loc[4, "promotions"] == 0 and table.loc[4, "within"] is None  # nobody reached it
    assert table.loc[3, "title"] == "Senior Marketing Specialist"


def test_transition_matrix_follows_the_ladders(history):
    moves, _ = history
    order = careers.role_order()
    assert order.index("Sales Rep") < order.index("Marketing Associate")
    assert order.index("Product Manager") == order.index("Operations Director") + 1
    matrix = careers.transition_matrix(moves, normalize=False)
    assert matrix.index.tolist() == ["Sales Rep", "Sales Supervisor", "Marketing Associate"]
    assert matrix.columns.tolist() == ["Sales Supervisor", "Sales Manager", "Marketing Associate",
                                       "Marketing Specialist"]
    assert careers.transition_matrix(moves, by="function").index.tolist() == ["sales", "marketing"]


def test_skills_table_and_overlap_rederive_the_weights():
    table = careers.skills_table()
    assert table.index.tolist() == list(careers.SKILLS) and table["named_by"].str.len().min() > 0
    for path, weights in careers.SKILL_WEIGHTS.items():
        assert table[path].sum() == sum(weights.values())
        assert table.loc["negotiation", path] == weights.get("negotiation", 0)
    overlap = careers.path_overlap()
    assert overlap.loc["sales", "sales"] == pytest.approx(1.0)
    assert (overlap == overlap.T).all().all()
    sales, revops = careers.SKILL_WEIGHTS["sales"], careers.SKILL_WEIGHTS["revops"]
    dot = sum(w * revops.get(skill, 0) for skill, w in sales.items())
    norms = sum(w * w for w in sales.values()) ** 0.5 * sum(w * w for w in revops.values()) ** 0.5
    assert overlap.loc["sales", "revops"] == pytest.approx(round(dot / norms, 2))


def test_module_05_charts_keep_ladder_order_and_tooltips(history):
    from smarketing import charts

    moves, _employees = history
    heatmap = charts.transition_heatmap(careers.transition_matrix(moves),
                                        careers.transition_matrix(moves, normalize=False)).to_dict()
    assert heatmap["layer"][0]["encoding"]["y"]["sort"] == ["Sales Rep", "Sales Supervisor", "Marketing Associate"]
    assert any(t["field"] == "moves" for t in heatmap["layer"][0]["encoding"]["tooltip"])
    durations = pd.DataFrame({"function": ["sales"] * 6 + ["marketing"], "from_level": [1] * 6 + [1],
                              "years": [1, 2, 3, 4, 5, 6, 2]})
    pace = charts.promotion_pace_chart(careers.promotion_pace(durations)).to_dict()
    assert pace["title"] and all("tooltip" in layer["encoding"] for layer in pace["layer"])
    assert pace["layer"][0]["encoding"]["x"]["title"]


def test_fit_table_puts_profiles_side_by_side():
    seller = {"negotiation": 5}
    table = careers.fit_table({"seller": seller, "blank": {}})
    assert table.index.tolist() == list(careers.PATHS) and table.columns.tolist() == ["seller", "blank"]
    # sales: negotiation (weight 3 of 15) at 5, the rest at 1 -> 100 * (3 * 4 / 15) / 4 = 20
    assert table.loc["sales", "seller"] == pytest.approx(20.0)
    assert table.loc["marketing", "seller"] == 0.0 and (table["blank"] == 0).all()


def _function_of(title: str) -> str:
    return careers.role_function()[title]


def test_role_exit_share(companies):
    moves = careers.stack_companies(companies, "career_moves")
    out = moves[moves["from_role"] == "Sales Rep"]
    by_hand = float((out["to_role"].astype(str).map(_function_of) != "sales").mean())
    assert careers.role_exit_share(moves, "Sales Rep") == pytest.approx(by_hand) and 0.1 < by_hand < 0.5
    assert careers.role_exit_share(moves, "Operations Manager") == 0  # to Product Manager: still operations
    assert math.isnan(careers.role_exit_share(moves, "VP Sales"))  # nobody left it
    assert math.isnan(careers.role_exit_share(moves.iloc[:0], "Sales Rep"))
    tiny = pd.DataFrame({"from_role": ["Sales Rep"] * 4, "to_role": ["Sales Supervisor", "Marketing Associate",
                                                                       "Sales Supervisor", "Product Manager"]})
    assert careers.role_exit_share(tiny, "Sales Rep") == 0.5


# ---- exercise 06's design deliverable: a two-year development plan ---------------------------------------------

# A pace by hand: sales 0.8 years a step early and 1.5 later, revops 1.5 early, marketing 2.5 early; operations has
# no later promotion in this data.
_PACE = pd.DataFrame({"function": ["sales", "sales", "revops", "marketing", "operations"],
                      "stage": ["early", "later", "early", "early", "early"],
                      "promotions": [20, 8, 6, 15, 12], "median_years": [0.8, 1.5, 1.5, 2.5, 1.0]})
_RATINGS = {"communication": 4, "negotiation": 2, "resilience": 3, "relationship building": 3, "market insight": 3,
            "data analysis": 4}  # sales gaps: negotiation 9, resilience 6, relationship building 6, market insight 4,
#                                  communication 3, data analysis 1


def _plan(rows=None):
    rows = rows or [(1, "negotiation"), (2, "negotiation"), (3, "resilience"), (4, "relationship building"),
                    (5, "market insight"), (6, "communication")]
    return pd.DataFrame([(q, skill, f"practise {skill} on live deals", f"a record of {skill} a manager can open")
                         for q, skill in rows], columns=["quarter", "skill", "action", "evidence"])


def _plan_problems(plan=None, ratings=None, target="Sales Supervisor", start="Sales Rep"):
    return careers.plan_problems(_plan() if plan is None else plan, _RATINGS if ratings is None else ratings, target,
                                 start, _PACE)


def test_years_to_reach_adds_the_median_steps():
    assert careers.role_level("Sales Rep") == 1 and careers.role_level("Product Manager") == 4
    assert careers.years_to_reach("Sales Rep", "Sales Supervisor", _PACE) == pytest.approx(0.8)
    assert careers.years_to_reach("Sales Rep", "Sales Manager", _PACE) == pytest.approx(1.6)
    assert careers.years_to_reach("Sales Rep", "Sales Director", _PACE) == pytest.approx(3.1)  # level 3 is "later"
    assert careers.years_to_reach("Sales Rep", "Sales Director", _PACE, early_levels=1) == pytest.approx(0.8 + 3.0)
    # a change of function enters the new ladder at its first level, whatever the level left
    assert careers.years_to_reach("Sales Manager", "Revenue Operations Analyst", _PACE) == 0
    assert careers.years_to_reach("Sales Manager", "Revenue Operations Manager", _PACE) == pytest.approx(1.5)
    assert math.isnan(careers.years_to_reach("Operations Manager", "Product Manager", _PACE))  # nobody made it
    with pytest.raises(ValueError, match="Unknown role 'Ninja'"):
        careers.years_to_reach("Ninja", "Sales Manager", _PACE)


def test_many_plans_meet_the_rules():
    assert _plan_problems() == []
    assert _plan_problems(_plan([(1, "negotiation"), (5, "resilience")])) == []  # fewer quarters are fine
    assert _plan_problems(_plan([(1, "negotiation"), (2, "relationship building"), (8, "resilience")])) == []  # ties
    assert _plan_problems(_plan([(f"Q{q}", s) for q, s in [(1, "negotiation"), (6, "resilience")]])) == []
    assert _plan_problems(_plan().to_dict("records")) == []  # a list of rows works too
    assert _plan_problems(target="sales manager") == []  # titles in any case; 1.6 years
    assert _plan_problems(start="Sales Supervisor", target="Sales Manager") == []
    revops = {"data analysis": 2, "process design": 3, "systems and tools": 4, "strategy": 3, "communication": 4,
              "project management": 3}  # gaps: data analysis 9, process design 6, …
    assert _plan_problems(_plan([(1, "data analysis"), (2, "process design"), (5, "project management")]), revops,
                          "Revenue Operations Manager") == []


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"target": "Sales Director"}, "Sales Director is more than 2 years away from Sales Rep"),
    ({"target": "Marketing Specialist"}, "more than 2 years away"),
    ({"target": "Sales Rep"}, "is not a step up from Sales Rep"),
    ({"start": "Operations Manager", "target": "Product Manager"}, "Nobody in the pooled data has made every promotion"),
    ({"target": "sales"}, "Your target 'sales' is not a role of the ladders"),
    ({"start": "intern"}, "Your start 'intern' is not a role of the ladders"),
    ({"ratings": {k: v for k, v in _RATINGS.items() if k != "resilience"}}, "these have no rating: resilience"),
    ({"ratings": _RATINGS | {"charm": 5}}, "'charm' is not a skill of the course's list"),
    ({"ratings": _RATINGS | {"negotiation": 6}}, "Rate negotiation from 1 (beginner) to 5 (strong)"),
    ({"ratings": [("negotiation", 2)]}, "store them as a dictionary"),
    ({"plan": _plan([(1, "negotiation"), (9, "resilience")])}, "quarters outside 1 to 8"),
    ({"plan": _plan([(1, "negotiation"), (1, "resilience"), (5, "market insight")])}, "Quarter(s) 1 appear more than once"),
    ({"plan": _plan([(2, "negotiation"), (5, "resilience")])}, "does not start in quarter 1"),
    ({"plan": _plan([(1, "negotiation"), (4, "resilience")])}, "ends in the first year"),
    ({"plan": _plan([(1, "negotiation"), ("spring", "resilience")])}, "Write each quarter as a whole number"),
    ({"plan": _plan([(1, "negotiation"), (5, "charm")])}, "'charm' is not a skill of the course's list"),
    ({"plan": _plan([(1, "negotiation"), (5, "creativity")])}, "The sales path does not weigh creativity"),
    ({"plan": _plan([(1, "resilience"), (5, "negotiation")])}, "Your plan starts with resilience"),
    ({"plan": _plan([(1, "negotiation"), (2, "market insight"), (5, "resilience")])},
     "resilience comes after market insight, but its gap is larger"),
    ({"plan": _plan()[["quarter", "skill", "action"]]}, "lacks the column(s) evidence"),
    ({"plan": _plan().iloc[:0]}, "has no rows"),
    ({"plan": "learn to negotiate"}, "Store it as a DataFrame"),
])
def test_each_broken_rule_of_a_plan_is_named(kwargs, expected):
    problems = _plan_problems(**kwargs)
    assert any(expected in p for p in problems), problems


def test_a_plan_on_a_skill_already_at_5_or_without_evidence_is_named():
    top = _RATINGS | {"communication": 5}
    problems = _plan_problems(_plan([(1, "negotiation"), (5, "communication")]), top)
    assert problems == [("You rated communication 5 already: there is no room to grow there, and a quarter spent on "
                         "it raises nothing. Work on a gap.")]
    vague = _plan().assign(evidence=["better"] + [f"a record a manager can open {q}" for q in range(2, 7)])
    assert _plan_problems(vague) == [("Quarter(s) 1 lack an action or evidence in words (a few words each): what "
                                      "you will do at work, and what a manager will see when it is done.")]
    echoed = _plan().assign(evidence=_plan()["action"])
    assert len(_plan_problems(echoed)) == 1 and "the evidence repeats the action" in _plan_problems(echoed)[0]
