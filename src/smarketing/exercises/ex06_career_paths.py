"""Exercise 06 · career paths: pooling three companies' moves, the wait for a first promotion, the
transition matrix by function, the exit door out of a role, the fit formula, Sam's way out of sales, and the design
deliverable: the learner's own two-year plan, checked by :func:`careers.plan_problems` at the pooled median pace
(any plan that meets its rules passes; the note to the manager is graded by hand).

The three companies are the graded ones (argo, vela, tide), drawn anew for each cohort: no text here may state
one of their numbers. Sam's move follows from Sam's fit and the course's career map, never from which moves a
handful of synthetic people happened to make."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from smarketing import careers
from smarketing.exercises.shared import close, company, design_verdict, same_or_nan
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import (
    choice,
    function,
    is_number,
    not_a_data_frame,
    number,
)
from smarketing.messages import _

CAREER_COMPANIES = ("argo", "vela", "tide")

# The doors out of sales on the course's career map (module 06), whatever a few companies' records show: seed 000's
# skill crossing into marketing; seed 004's moves between functions, which the data shows as sales reps becoming
# junior operations specialists; the public handbooks' sales reps who move into marketing or sales operations, the
# systems-and-data work of revenue operations, a path "many analytical salespeople" move into.
CAREER_MAP_FROM_SALES = ("marketing", "operations", "revops")

# Sam: an argo sales rep who builds the team's pipeline reports and wonders what comes next. The persona
# of the choice task and the reflection of exercise 06, rated by Sam from 1 (beginner) to 5 (strong).
SAM: dict[str, int] = {"communication": 4, "negotiation": 3, "resilience": 3, "relationship building": 4,
                       "market insight": 4, "data analysis": 4, "systems and tools": 4, "strategy": 3,
                       "process design": 3, "creativity": 2, "creative planning": 2, "project management": 2,
                       "user-experience sense": 2}

# The two self-assessments of the course notebook (module 06), used as test cases of the fit function.
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


def best_move_out_of_sales(ratings: dict[str, float]) -> str:
    """Task 6's rule: the door out of sales on the course's career map (:data:`CAREER_MAP_FROM_SALES`) with the
    best :func:`careers.skills_fit`."""
    fits = careers.skills_fit(ratings)
    return str(fits.loc[fits["path"].isin(CAREER_MAP_FROM_SALES), "path"].iloc[0])


def _sales_destinations() -> pd.Series:
    """The functions that sales people of the three companies moved to, with the number of moves, most first."""
    lateral = careers.lateral_moves(pooled("career_moves"))
    out = lateral[(lateral["from_function"] == "sales") & (lateral["moves"] > 0)]
    return out.set_index("to_function")["moves"].sort_values(ascending=False, kind="stable")


def best_observed_path(ratings: dict[str, float]) -> str | None:
    """A mistake of task 6: the best fit among the functions that somebody in the three companies happened to
    move to from sales (a small sample's artefact, not a rule); None if nobody moved out of sales."""
    fits = careers.skills_fit(ratings)
    observed = fits.loc[fits["path"].isin(_sales_destinations().index), "path"]
    return str(observed.iloc[0]) if len(observed) else None


def most_common_destinations() -> tuple[str, ...]:
    """A mistake of task 6: the door that most of the three companies' sales people went through (several if
    they tie; none if nobody left sales)."""
    destinations = _sales_destinations()
    return tuple(str(d) for d in destinations.index[destinations == destinations.max()]) if len(destinations) else ()


def _unless_right(wrong: Callable[[], float], right: Callable[[], float]) -> Callable[[object], bool]:
    """A mistake detector for a number: the answer matches the wrong value, and the wrong value is not also
    the right one (data can change; a right answer must never be called a mistake)."""
    return lambda answer: (close(answer, wrong()) and not close(answer, right())
                           and not math.isclose(wrong(), right(), rel_tol=0.004))


def _pooled_moves_problem(answer: object) -> str | None:
    if problem := not_a_data_frame(answer):
        return problem
    missing = [c for c in ("company", "move_id", "employee_id") if c not in answer.columns]
    if missing:
        return _("your table lacks the column(s) {columns}.", columns=", ".join(missing))
    parts = [company(name).career_moves for name in CAREER_COMPANIES]
    if len(answer) != sum(len(part) for part in parts):
        more = len(answer) > sum(len(part) for part in parts)
        return (_("your table has {rows} rows, more than the three companies' moves together: are some "
                  "rows repeated?", rows=len(answer)) if more else
                _("your table has {rows} rows, fewer than the three companies' moves together: stack all of "
                  "argo's, vela's and tide's moves.", rows=len(answer)))
    if not answer["move_id"].is_unique:
        return _("some `move_id`s appear more than once: each company numbers its moves from M00001. Make the "
                 "ids unique, for example by prefixing them with the company name.")
    if answer["employee_id"].nunique() != sum(part["employee_id"].nunique() for part in parts):
        return _("different people share an `employee_id`: each company numbers its staff from E0001. Make the "
                 "ids unique, for example by prefixing them with the company name.")
    if set(answer["company"].astype(str)) != set(CAREER_COMPANIES):
        return _("the `company` column should name each row's company: argo, vela or tide.")
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
    return is_number(got) and abs(float(got) - want) <= 0.05 + 1e-9


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
        return close(got, _fit_variant(kind)) and not _same_fit(_fit_variant(kind), right)

    return looks_like


def _transitions_structure(answer: object) -> str | None:
    if problem := not_a_data_frame(answer):
        return problem
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


PLAN_GIVEN = ("my_ratings", "my_target", "my_start")


@cache
def pooled_pace(names: tuple[str, ...] = CAREER_COMPANIES) -> pd.DataFrame:
    """The median pace of promotion that the design deliverable's plan is held to: :func:`careers.promotion_pace`
    (early: from levels 1 and 2; later: from level 3 up) on the graded companies' staff records pooled."""
    return careers.promotion_pace(careers.promotion_durations(pooled("career_moves", names), pooled("employees", names)))


def plan_design_problems(plan: Any, my_ratings: Any = None, my_target: Any = None, my_start: Any = None) -> list[str]:
    """The design deliverable's rules (:func:`careers.plan_problems`) at the pooled median pace (:func:`pooled_pace`),
    within two years."""
    return careers.plan_problems(plan, my_ratings, my_target, my_start, pooled_pace(), years=2.0)


def _plan_verdict(answer: Any, my_ratings: Any = None, my_target: Any = None, my_start: Any = None) -> str | None:
    """What is wrong with a learner's two-year plan: the first few problems in words, or None when it meets every
    rule (many plans do; the note to the manager, graded by hand, judges which is best)."""
    undefined = [name for name, value in zip(PLAN_GIVEN, (my_ratings, my_target, my_start), strict=True)
                 if value is None]
    if undefined:
        return _("the check reads your plan with {names}, which you have not defined yet: store them in the same cell "
                 "as `my_plan`, and run it.", names=", ".join(f"`{name}`" for name in undefined))
    problems = plan_design_problems(answer, my_ratings, my_target, my_start)
    return design_verdict(problems, _("plan"))


def _target_is_a_path(answer: Any, my_target: Any = None, **given: Any) -> bool:
    return isinstance(my_target, str) and my_target.strip().lower() in careers.PATHS


def _skills_as_columns(answer: Any, **given: Any) -> bool:
    """A plan with one column per skill (a grid) instead of one row per quarter."""
    return isinstance(answer, pd.DataFrame) and "skill" not in answer.columns and bool(
        set(map(str, answer.columns)) & set(careers.SKILLS))


def tasks() -> tuple[Task, ...]:
    """The tasks of exercise 06, in order."""


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
        moves, argo = pooled("career_moves"), pooled("career_moves", ("argo",))
        return [((moves.copy(), "Sales Rep"), careers.role_exit_share(moves, "Sales Rep")),
                ((moves.copy(), "Marketing Associate"), careers.role_exit_share(moves, "Marketing Associate")),
                ((argo.copy(), "Sales Rep"), careers.role_exit_share(argo, "Sales Rep"))]

    def describe_exit(args: tuple) -> str:
        moves, role = args
        names = ", ".join(pd.unique(moves["company"].astype(str))) if "company" in moves.columns else ""
        return _(" (role '{role}', moves of {names})", role=role, names=names)

    def move_choice(answer: object) -> str | None:
        return choice([best_move_out_of_sales(SAM)], careers.PATHS)(answer)

    def is_other_than_right(answer: object, wrong: str | tuple[str, ...] | None) -> bool:
        chosen = str(answer).strip().lower()
        wrongs = (wrong,) if isinstance(wrong, str) else wrong or ()
        return chosen in wrongs and chosen != best_move_out_of_sales(SAM)

    def column_shares() -> pd.DataFrame:
        counts = _transitions(normalize=False)
        return counts.div(counts.sum(axis=0), axis=1)

    return (
        Task("q1", "pooled_moves", _pooled_moves_problem,
             (_("stack the three `career_moves` tables with pd.concat, after adding a `company` column to each and "
                "prefixing every id (move_id, employee_id) with the company name, e.g. 'argo:E0001'."),
              _("for each name and company in companies.items(), work on a .copy() of career_moves: put the name in "
                "front of every move_id and every employee_id (strings add with +, with a ':' between), and add a "
                "column `company` holding the name. Collect the three tables in a list and stack them with "
                "pd.concat(..., ignore_index=True); the rows should add up to the three tables' rows.")),
             mistakes=(
                 Mistake(lambda a: len(a) in {len(company(n).career_moves) for n in CAREER_COMPANIES},
                         _("your table holds one company's moves only; stack all three.")),
             )),
        Task("q2", "rep_wait_years", number(rep_wait, tolerance=0.004),  # careers.time_to_promotion rounds to 0.01
             (_("pool career_moves and employees with careers.stack_companies; keep the promotions whose from_role is "
                "'Sales Rep'; for each, (moved_at − hire_date) in days ÷ 365.25; take the median."),
              _("filter the pooled moves on both conditions at once, joined with &. Each promotion's hire date comes "
                "from the pooled employees: .map the move's employee_id through employees indexed by employee_id "
                "(.set_index(\"employee_id\")[\"hire_date\"]). Then moved_at minus the hire date, in days with "
                ".dt.days, ÷ 365.25, and the median.")),
             mistakes=(
                 Mistake(_unless_right(lambda: 365.25 * rep_wait(), rep_wait),
                         _("this looks like a number of days; the task asks for years (days ÷ 365.25).")),
                 Mistake(_unless_right(lambda: 12 * rep_wait(), rep_wait),
                         _("this looks like a number of months; the task asks for years.")),
                 Mistake(_unless_right(lambda: float(first_promotion_waits().mean()), rep_wait),
                         _("that is the mean; the task asks for the median, which a few very long waits do not pull "
                           "up.")),
                 Mistake(_unless_right(rep_wait_collided, rep_wait),
                         _("some hire dates came from the wrong person: without unique ids, argo's E0001 is matched "
                           "with vela's and tide's E0001 too. Pool with unique ids (careers.stack_companies).")),
                 Mistake(lambda a: any(_unless_right(lambda v=v: v, rep_wait)(a) for v in rep_wait_too_broad()),
                         _("check two things: that you kept only the promotions out of 'Sales Rep' (not function "
                           "changes, not promotions from higher levels), and that you pooled all three companies.")),
                 Mistake(lambda a: any(_unless_right(lambda n=n: rep_wait_one(n), rep_wait)(a)
                                       for n in CAREER_COMPANIES),
                         _("that is the median of one company only; pool the three companies.")),
             )),
        Task("q3a", "function_transitions", _transitions_structure,
             (_("map from_role and to_role to functions with careers.role_function(), then pd.crosstab(from, to); "
                "reindex rows and columns with careers.PATHS."),
              _("careers.role_function() returns a dictionary {job title: function}: .map it onto from_role and onto "
                "to_role (as text) to get the two functions of each move. pd.crosstab of the two counts the moves; "
                ".reindex(index=..., columns=..., fill_value=0) with list(careers.PATHS) for both puts the four "
                "functions in order, with 0 where nobody moved."))),
        Task("q3b", "function_transitions", _transitions_values,
             (_("divide each row of the counts by the row's total (counts.div(counts.sum(axis=1), axis=0)): a row "
                "holds the shares of the moves out of one function. Use the moves of all three companies."),
              _("count the moves of all three companies pooled (careers.stack_companies(companies, "
                "\"career_moves\")), with every function as a row and as a column in the order of careers.PATHS; "
                "then make each cell a share of its row's total. Check with .sum(axis=1): every row should give 1.")),
             mistakes=(
                 Mistake(_matrix_is(lambda: _transitions(normalize=False)),
                         _("these are counts of moves; the task asks for shares. Divide each row by its total.")),
                 Mistake(_matrix_is(column_shares),
                         _("you divided by the column totals. Divide by the row totals: each row, the function people "
                           "leave, sums to 1.")),
                 Mistake(_matrix_is(lambda: _transitions().T),
                         _("rows and columns are swapped: rows are the functions people leave, columns the ones they "
                           "move to.")),
             )),
        Task("q4", "exit_share", function(exit_cases, compare=same_or_nan, describe=describe_exit),
             (_("keep the moves whose from_role is `role`; map to_role to its function with careers.role_function(); "
                "return the share of those moves whose function differs from the function of `role`."),
              _("the function of `role` is careers.role_function()[role]; compare it with the function of each "
                "move's to_role, mapped through the same dictionary (to_role as text). Return math.nan when no row "
                "has from_role == role, before you divide. Work on the career_moves argument, not on a table of your "
                "own.")),
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
             )),
        Task("q5", "path_fit", function(_fit_cases, compare=_same_fit, describe=_describe_fit_case),
             (_("for each skill of `weights`, take the rating (1 if the skill is not rated); the weighted mean is "
                "Σ weight × rating ÷ Σ weight; return 100 × (mean − 1) ÷ 4."),
              _("loop over weights.items(): ratings.get(skill, 1) gives the rating, or 1 for a skill that is not "
                "rated. Add up weight × rating, divide by the sum of the weights (sum(weights.values())), then "
                "rescale with 100 × (mean − 1) ÷ 4. Skills that are rated but not in `weights` play no part.")),
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
             )),
        Task("q6", "sams_move", move_choice,
             (_("compute careers.skills_fit(sam): it lists the four paths from Sam's best fit to the worst. Sam is "
                "leaving sales, and the career map of the task opens every other function to a sales rep."),
              _("careers.skills_fit(sam) is sorted best first: leave out the row of the function Sam is leaving and "
                "take the path of the first row that is left, as one of the four function names in lower case. The "
                "moves you counted in task 3 show which doors were used, not which exist: they play no part in "
                "the rule.")),
             mistakes=(
                 Mistake(lambda a: str(a).strip().lower() == "sales",
                         _("Sam wants to leave sales within two years: sales may fit Sam best today, but the task "
                           "asks for the best fit among the doors out of sales.")),
                 Mistake(lambda a: is_other_than_right(a, best_observed_path(SAM)),
                         _("that is Sam's best fit among the functions that sales reps of argo, vela and tide happened "
                           "to move to. A handful of moves shows which doors a few people used, not which exist: the "
                           "career map opens three doors out of sales. Choose by Sam's fit among all three.")),
                 Mistake(lambda a: is_other_than_right(a, most_common_destinations()),
                         _("that is the door the three companies' sales people used most, but a common move is not "
                           "Sam's best fit: compare Sam's fit with each door of the career map.")),
             )),
        Task("q7", "my_plan", _plan_verdict,
             (_("run careers.plan_problems(my_plan, my_ratings, my_target, my_start, pace): it lists what is still "
                "wrong, each with why it matters. First check that the target is within two years: "
                "careers.years_to_reach(my_start, my_target, pace)."),
              _("the skill gaps of the target's path are weight × (5 − rating), as careers.skill_gaps(my_ratings, "
                "path, top=6) ranks them, with path = careers.role_function()[my_target]: give the first quarters to "
                "the first skills of that list, one skill a quarter, and number the quarters from 1; a skill may come "
                "back later. Each row's evidence is what your manager will see, not what you will do.")),
             mistakes=(
                 Mistake(_target_is_a_path,
                         _("`my_target` names a path; the plan aims at a role on it, a job title such as the ones of "
                           "careers.ladder_table().")),
                 Mistake(_skills_as_columns,
                         _("your plan has a column per skill. Give it one row per quarter, with the columns quarter, "
                           "skill, action and evidence.")),
             ), given=PLAN_GIVEN),
    )
