"""Career paths: the ladders of each function, time to promotion, moves between roles, and skills fit.

Seed 004 describes the sales ladder as linear (rep → supervisor → manager → director) and the
operations ladder as branching (junior → senior → manager → product manager *or* operations director).
The ladders themselves live in :data:`smarketing.schema.LADDERS`, which the generator uses too.
:func:`plan_problems` checks a two-year development plan against the median pace of promotion and the skill
gaps (exercise 06's design deliverable).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from smarketing.messages import _
from smarketing.schema import LADDERS, OPERATIONS_BRANCH

PATHS = ("sales", "marketing", "operations", "revops")

# What each path asks for, weight 1–3 (3 = essential). Sales and operations follow seed 004, the
# marketing/sales split seed 000; revenue operations sits between them (course-spec).
SKILL_WEIGHTS: dict[str, dict[str, int]] = {
    "sales": {"communication": 3, "negotiation": 3, "resilience": 3, "market insight": 2,
              "relationship building": 3, "data analysis": 1},
    "marketing": {"creativity": 3, "data analysis": 2, "strategy": 3, "market insight": 3,
                  "communication": 2, "project management": 1},
    "operations": {"data analysis": 3, "creative planning": 2, "project management": 3,
                   "user-experience sense": 3, "process design": 3, "communication": 1},
    "revops": {"data analysis": 3, "process design": 3, "systems and tools": 3, "strategy": 2,
               "communication": 2, "project management": 2},
}
SKILLS: tuple[str, ...] = tuple(sorted({skill for weights in SKILL_WEIGHTS.values() for skill in weights}))

# Where each skill comes from: the seed that names it, or the course where no seed does.
SKILL_SOURCES: dict[str, str] = {
    "communication": "seed 000 (sales), seed 004 (sales)",
    "negotiation": "seed 000 (sales), seed 004 (sales)",
    "resilience": "seed 004 (sales: working under pressure)",
    "market insight": "seed 004 (sales), seed 000 (marketing)",
    "relationship building": "seed 000 (sales: relationship management)",
    "creativity": "seed 000 (marketing)",
    "strategy": "seed 000 (marketing)",
    "data analysis": "seed 004 (operations), seed 000 (marketing)",
    "creative planning": "seed 004 (operations)",
    "project management": "seed 004 (operations)",
    "user-experience sense": "seed 004 (operations)",
    "process design": "course (seed 004: process optimisation)",
    "systems and tools": "course (revops runs the CRM and automation)",
}

# Public benchmark: years of experience at which marketers typically hold each level (domain notes,
# grade C: career blogs and salary aggregators). None = no upper bound.
MARKETING_YEARS: dict[int, tuple[float, float | None]] = {1: (0, 2), 2: (2, 4), 3: (4, 6), 4: (6, 9), 5: (8, 12),
                                                          6: (12, None)}


def role_function() -> dict[str, str]:
    """Every job title of the ladders mapped to its function (the operations branch to operations)."""
    mapping = {title: function for function, ladder in LADDERS.items() for title in ladder}
    mapping[OPERATIONS_BRANCH] = "operations"
    return mapping


def role_order() -> list[str]:
    """Every job title in ladder order: sales, marketing, operations (the product branch after the
    operations director), revenue operations; within a ladder from entry level up."""
    order = [title for function in PATHS for title in LADDERS[function]]
    order.insert(order.index(LADDERS["operations"][-1]) + 1, OPERATIONS_BRANCH)
    return order


def _in_order(labels: pd.Index, order: list[str]) -> list[str]:
    known = [label for label in order if label in labels]
    return known + sorted(label for label in labels if label not in order)


def ladder_table() -> pd.DataFrame:
    """The ladders side by side: one column per function, one row per level (empty past the top)."""
    depth = max(len(ladder) for ladder in LADDERS.values())
    table = pd.DataFrame({f: list(LADDERS[f]) + [""] * (depth - len(LADDERS[f])) for f in PATHS},
                         index=pd.RangeIndex(1, depth + 1, name="level"))
    table.loc[len(LADDERS["operations"]), "operations"] += f" / {OPERATIONS_BRANCH}"
    return table


def stack_companies(companies: Mapping[str, object], table: str) -> pd.DataFrame:
    """One table stacked over several companies, for larger samples.

    ``companies`` maps a name to a loaded company (anything with a ``tables`` dict, such as
    :class:`~smarketing.datasets.Company`). The result starts with a ``company`` column, and every id
    column (a name ending in ``_id``) is prefixed with the company name (``lumen:E0001``), because
    each company numbers its rows from 1: without the prefix, two people would share one id.
    Empty ids stay empty.
    """
    frames = []
    for name, company in companies.items():
        frame = company.tables[table].copy()
        for column in [c for c in frame.columns if c.endswith("_id")]:
            ids = frame[column].astype("string")
            frame[column] = (name + ":" + ids).where(ids.notna(), pd.NA)
        frame.insert(0, "company", name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def promotion_durations(career_moves: pd.DataFrame, employees: pd.DataFrame) -> pd.DataFrame:
    """One row per promotion: employee_id, function, from_level, to_level, years (spent at
    from_level before the promotion) and years_in_function (since the person started on this ladder).

    The clock starts at the previous move, or at the hire date for the first one (a change of
    function restarts it: a new ladder begins).
    """
    needed = {"employee_id", "moved_at", "from_role", "from_level", "to_level", "move_type"}
    if needed - set(career_moves.columns) or {"employee_id", "hire_date"} - set(employees.columns):
        raise ValueError(_("time_to_promotion needs career_moves ({columns}) and employees (employee_id, "
                           "hire_date).", columns=", ".join(sorted(needed))))
    moves = career_moves.sort_values(["employee_id", "moved_at"], kind="stable")
    hired = moves["employee_id"].map(employees.set_index("employee_id")["hire_date"])
    previous = moves.groupby("employee_id")["moved_at"].shift().fillna(hired)
    changed = moves["moved_at"].where(moves["move_type"] == "function_change")
    ladder_start = changed.groupby(moves["employee_id"]).ffill().fillna(hired)
    frame = pd.DataFrame({"employee_id": moves["employee_id"], "function": moves["from_role"].map(role_function()),
                          "from_level": moves["from_level"], "to_level": moves["to_level"],
                          "years": (moves["moved_at"] - previous).dt.days / 365.25,
                          "years_in_function": (moves["moved_at"] - ladder_start).dt.days / 365.25})
    return frame[moves["move_type"] == "promotion"].reset_index(drop=True)


def time_to_promotion(career_moves: pd.DataFrame, employees: pd.DataFrame) -> pd.DataFrame:
    """Years spent at each level before a promotion, per function: columns function, from_level,
    promotions, median_years, mean_years.

    The clock starts at the previous move, or at the hire date for the first one (a change of
    function restarts it: a new ladder begins). Only promotions that happened are counted: people
    still waiting at a level, and people who left, are not in the table.
    """
    frame = promotion_durations(career_moves, employees)
    out = frame.groupby(["function", "from_level"], observed=True)["years"].agg(["size", "median", "mean"])
    out.columns = ["promotions", "median_years", "mean_years"]
    return out.reset_index().round({"median_years": 2, "mean_years": 2})


def median_interval(values: pd.Series | np.ndarray | list[float], level: float = 0.95) -> tuple[float, float]:
    """A distribution-free confidence interval for the median: two order statistics of the sample.

    With n values sorted, the interval runs from the k-th smallest to the k-th largest, with the
    largest k for which the chance that the true median falls outside is at most ``1 - level``
    (a binomial count with p = 1/2). Below six values no 95 % interval exists: (nan, nan).
    """
    data = np.sort(np.asarray(values, dtype=float))
    n = len(data)
    alpha = 1 - level
    best = None
    for k in range(1, n // 2 + 1):  # P(fewer than k of n values below the median) on each side
        tail = sum(math.comb(n, i) for i in range(k)) / 2 ** n
        if 2 * tail <= alpha:
            best = k
    if best is None:
        return math.nan, math.nan
    return float(data[best - 1]), float(data[n - best])


def promotion_pace(durations: pd.DataFrame, early_levels: int = 2) -> pd.DataFrame:
    """Early and later promotions per function, with how many there are and how uncertain the median is.

    ``durations`` is :func:`promotion_durations`. Promotions from levels 1..``early_levels`` are
    "early", the rest "later". Columns function, stage, promotions, median_years, low, high (a 95 %
    interval for the median, :func:`median_interval`; empty when there are too few promotions).
    """
    stage = np.where(durations["from_level"].astype(int) <= early_levels, "early", "later")
    rows = []
    for (function, step), years in durations.groupby([durations["function"], stage], observed=True)["years"]:
        low, high = median_interval(years)
        rows.append((function, step, len(years), float(years.median()), low, high))
    return pd.DataFrame(rows, columns=["function", "stage", "promotions", "median_years", "low", "high"]).round(2)


def years_to_reach_level(durations: pd.DataFrame) -> pd.DataFrame:
    """Years on a function's ladder before reaching each level: columns function, level, promotions,
    median_years, min_years, max_years. ``durations`` is :func:`promotion_durations`."""
    out = durations.groupby(["function", "to_level"], observed=True)["years_in_function"].agg(
        ["size", "median", "min", "max"])
    out.columns = ["promotions", "median_years", "min_years", "max_years"]
    return out.reset_index().rename(columns={"to_level": "level"}).round(2)


def marketing_benchmark(durations: pd.DataFrame) -> pd.DataFrame:
    """The marketing ladder: years to reach each level in the data next to the public benchmark
    (:data:`MARKETING_YEARS`). Columns level, title, promotions, median_years, benchmark (text),
    within (whether the median falls inside the benchmark range)."""
    reached = years_to_reach_level(durations)
    reached = reached[reached["function"] == "marketing"].set_index("level")
    rows = []
    for level, (low, high) in MARKETING_YEARS.items():
        if level == 1:
            continue  # the entry level is not reached by a promotion
        median = reached["median_years"].get(level, math.nan)
        inside = bool(median >= low and (high is None or median <= high)) if not math.isnan(median) else None
        rows.append((level, LADDERS["marketing"][level - 1], int(reached["promotions"].get(level, 0)), median,
                     f"{low:g}–{high:g}" if high is not None else f"{low:g}+", inside))
    return pd.DataFrame(rows, columns=["level", "title", "promotions", "median_years", "benchmark", "within"])


def transition_matrix(career_moves: pd.DataFrame, by: str = "role", normalize: bool = True) -> pd.DataFrame:
    """Who moves where: rows the role (or function, ``by="function"``) people leave, columns the one
    they move to, both in ladder order (:func:`role_order`). With ``normalize``, each row holds shares
    that sum to 1 (the chance of each next step, among the people who moved); otherwise counts."""
    if by not in ("role", "function"):
        raise ValueError(_("by must be 'role' or 'function' (got '{by}').", by=by))
    source, target = career_moves["from_role"].astype(str), career_moves["to_role"].astype(str)
    if by == "function":
        functions = role_function()
        source, target = source.map(functions), target.map(functions)
    counts = pd.crosstab(source.rename("from"), target.rename("to"))
    order = role_order() if by == "role" else list(PATHS)
    counts = counts.reindex(index=_in_order(counts.index, order), columns=_in_order(counts.columns, order))
    counts.index.name, counts.columns.name = "from", "to"
    return counts.div(counts.sum(axis=1), axis=0) if normalize else counts


def lateral_moves(career_moves: pd.DataFrame) -> pd.DataFrame:
    """Moves that change function (e.g. a sales rep who becomes a marketing associate): counts by
    from-function and to-function."""
    functions = role_function()
    moves = career_moves.assign(from_function=career_moves["from_role"].astype(str).map(functions),
                                to_function=career_moves["to_role"].astype(str).map(functions))
    moves = moves[moves["from_function"] != moves["to_function"]]
    return moves.groupby(["from_function", "to_function"]).size().rename("moves").reset_index()


def skills_table() -> pd.DataFrame:
    """The skill weights side by side: one row per skill, one column per path (0 = not asked for),
    and ``named_by``, the seed that names the skill (:data:`SKILL_SOURCES`)."""
    table = pd.DataFrame({path: [SKILL_WEIGHTS[path].get(skill, 0) for skill in SKILLS] for path in PATHS},
                         index=pd.Index(SKILLS, name="skill"))
    table["named_by"] = [SKILL_SOURCES[skill] for skill in SKILLS]
    return table


def path_overlap() -> pd.DataFrame:
    """How much two paths ask for the same skills: the cosine similarity of their weight vectors,
    from 0 (no skill in common) to 1 (the same skills with the same weights). Paths × paths."""
    weights = skills_table()[list(PATHS)].to_numpy(dtype=float)
    unit = weights / np.linalg.norm(weights, axis=0)
    return pd.DataFrame(unit.T @ unit, index=list(PATHS), columns=list(PATHS)).round(2)


def skills_fit(ratings: Mapping[str, float]) -> pd.DataFrame:
    """How well a self-assessment fits each path, 0–100.

    ``ratings`` maps skills (see :data:`SKILLS`) to a self-rating from 1 (beginner) to 5 (strong);
    skills left out count as 1. Fit = weighted mean of the path's skills, scaled so that all 1s give 0
    and all 5s give 100. Columns path, fit; sorted best first.
    """
    unknown = sorted(set(ratings) - set(SKILLS))
    if unknown:
        raise ValueError(_("Unknown skill(s) {skills}. Rate these: {known}.", skills=", ".join(unknown),
                           known=", ".join(SKILLS)))
    for skill, value in ratings.items():
        if not 1 <= value <= 5:
            raise ValueError(_("Rate {skill} from 1 to 5 (got {value}).", skill=skill, value=value))
    rows = []
    for path in PATHS:
        weights = SKILL_WEIGHTS[path]
        values = np.array([ratings.get(skill, 1) for skill in weights], dtype=float)
        w = np.array(list(weights.values()), dtype=float)
        rows.append((path, round(float(100 * (np.average(values, weights=w) - 1) / 4), 1)))
    fit = pd.DataFrame(rows, columns=["path", "fit"])
    return fit.sort_values("fit", ascending=False, kind="stable").reset_index(drop=True)


def fit_table(profiles: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """Several self-assessments side by side: one row per path (in :data:`PATHS` order), one column
    per profile name, the :func:`skills_fit` of that profile."""
    return pd.DataFrame({name: skills_fit(ratings).set_index("path")["fit"].reindex(list(PATHS))
                         for name, ratings in profiles.items()}).rename_axis("path")


def skill_gaps(ratings: Mapping[str, float], path: str, top: int = 3) -> list[str]:
    """The skills that would raise the fit with ``path`` most: largest weight × room to grow first."""
    if path not in SKILL_WEIGHTS:
        raise ValueError(_("Unknown path '{path}'. Choose one of: {known}.", path=path, known=", ".join(PATHS)))
    room = {skill: weight * (5 - ratings.get(skill, 1)) for skill, weight in SKILL_WEIGHTS[path].items()}
    return [skill for skill, gain in sorted(room.items(), key=lambda kv: -kv[1]) if gain > 0][:top]


def role_exit_share(career_moves: pd.DataFrame, role: str) -> float:
    """Of the moves out of ``role`` (rows whose ``from_role`` is it), the share that go to a role of another
    function, by :func:`role_function` (the product branch of operations counts as operations): seed 004's
    "exit door" of a ladder. nan when nobody moved out of ``role``: a share of nothing is not defined."""
    counts = transition_matrix(career_moves, normalize=False)
    if role not in counts.index or counts.loc[role].sum() == 0:
        return math.nan
    functions = role_function()
    row = counts.loc[role]
    leaving = row[[functions.get(str(to)) != functions[role] for to in row.index]].sum()
    return float(leaving / row.sum())


# ---- exercise 06's design deliverable: a two-year development plan, checked against the data ---------------

PLAN_COLUMNS = ("quarter", "skill", "action", "evidence")
PLAN_QUARTERS = 8  # two years


def role_level(role: str) -> int:
    """A job title's level on its ladder, from 1 (the entry level); the product branch of operations is at the
    operations director's level."""
    if role == OPERATIONS_BRANCH:
        return len(LADDERS["operations"])
    function = role_function().get(role)
    if function is None:
        raise ValueError(_("Unknown role '{role}'. Roles: {known}.", role=role, known=", ".join(role_order())))
    return LADDERS[function].index(role) + 1


def years_to_reach(start: str, target: str, pace: pd.DataFrame, early_levels: int = 2) -> float:
    """Years from ``start`` to ``target`` at the median pace of promotion: the sum, over each promotion between
    them on the target's ladder, of that function's median years per promotion in ``pace``
    (:func:`promotion_pace`, built with the same ``early_levels``: early for promotions from levels
    1..``early_levels``, later above). A change of function enters the target's ladder at its first level, as
    every change of function in the course's data does, and takes no promotion. 0 when no promotion is needed;
    nan when a promotion on the way has no median in ``pace`` (nobody in the data made it)."""
    functions = role_function()
    for role in (start, target):
        role_level(role)  # raises for an unknown role
    function = functions[target]
    first = role_level(start) if functions[start] == function else 1
    medians = pace.set_index(["function", "stage"])["median_years"]
    years = 0.0
    for level in range(first, role_level(target)):
        stage = "early" if level <= early_levels else "later"
        median = medians.get((function, stage), math.nan)
        if median is None or math.isnan(float(median)):
            return math.nan
        years += float(median)
    return years


def _role_named(value: Any) -> str | None:
    """The job title a text names, whatever its case and spacing; None if it names none."""
    if not isinstance(value, str):
        return None
    titles = {" ".join(title.lower().split()): title for title in role_order()}
    return titles.get(" ".join(value.lower().split()))


def _plan_rows(plan: Any) -> tuple[pd.DataFrame | None, str | None]:
    if isinstance(plan, list) and plan and all(isinstance(row, Mapping) for row in plan):
        plan = pd.DataFrame(plan)
    if not isinstance(plan, pd.DataFrame):
        return None, _("Your plan is a {kind}. Store it as a DataFrame with one row per quarter and the columns "
                       "{columns}.", kind=type(plan).__name__, columns=", ".join(PLAN_COLUMNS))
    missing = [c for c in PLAN_COLUMNS if c not in plan.columns]
    if missing:
        return None, _("Your plan lacks the column(s) {missing}. Each row says in which quarter (1 to 8) you work on "
                       "which skill, by doing what, and what a manager will see when it is done.",
                       missing=", ".join(missing))
    if plan.empty:
        return None, _("Your plan has no rows: write one row for each quarter you plan.")
    return plan.reset_index(drop=True), None


def _quarter_number(value: Any) -> int | None:
    """A quarter as a whole number: 3, 3.0 and "Q3" are 3; None for anything else."""
    if isinstance(value, str):
        text = value.strip().upper().removeprefix("Q")
        return int(text) if text.isdigit() else None
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_):
        return int(value) if float(value).is_integer() else None
    return None


def plan_problems(plan: Any, ratings: Any, target: Any, start: Any, pace: pd.DataFrame, years: float = 2.0,
                  early_levels: int = 2) -> list[str]:
    """What is wrong with a two-year development plan, each problem a sentence that says why it matters; an empty
    list when the plan meets every rule. Many plans are right: the rules say what any plan a manager can follow
    must do, not which target or actions to choose.

    ``plan`` is a DataFrame (or a list of dictionaries) with the columns :data:`PLAN_COLUMNS`, one row per quarter:
    ``quarter`` (1 to 8, or "Q1" to "Q8"), ``skill`` (one of :data:`SKILLS`), ``action`` (what you do at work to
    practise it) and ``evidence`` (what a manager will see when it is done). ``ratings`` are the self-ratings of
    :func:`skills_fit` (1 to 5), ``target`` and ``start`` job titles of the ladders (:func:`role_order`), and
    ``pace`` the median years per promotion of :func:`promotion_pace` (built with ``early_levels``). The rules:

    * the start and the target are roles of the ladders, and the target is a step up from the start, or a role of
      another function;
    * the target can be reached within ``years`` at the median pace (:func:`years_to_reach`);
    * ``ratings`` rate every skill the target's path weighs, from 1 to 5 (an unrated skill would count as 1, the
      largest gap, and the plan would chase a gap you may not have);
    * the plan covers two years in at most eight quarters: whole quarters from 1 to 8, each at most once, starting
      in quarter 1 and reaching into the second year (quarter 5 or later);
    * every skill is one the target's path weighs (:data:`SKILL_WEIGHTS`), with room to grow (rated below 5);
    * the largest gaps come first: the gap of a skill is its weight × (5 − rating), as :func:`skill_gaps` ranks
      them; the first quarter works on a skill with the largest gap of the path, and no skill comes after one
      with a smaller gap;
    * every row has an action and evidence, in words, and the evidence is not the action repeated.
    """
    problems: list[str] = []
    start_role, target_role = _role_named(start), _role_named(target)
    for name, given, role in (("start", start, start_role), ("target", target, target_role)):
        if role is None:
            problems.append(_("Your {name} {given!r} is not a role of the ladders: write one of {known} (a new hire "
                              "starts at the first level of a ladder).", name=name, given=given,
                              known=", ".join(role_order())))
    path = role_function()[target_role] if target_role else None
    if start_role and target_role:
        same = role_function()[start_role] == path
        if same and role_level(target_role) <= role_level(start_role):
            problems.append(_("Your target, {target}, is not a step up from {start} on the {path} ladder: a development "
                              "plan aims at a higher role, or at a role in another function.", target=target_role,
                              start=start_role, path=path))
        else:
            needed = years_to_reach(start_role, target_role, pace, early_levels)
            if math.isnan(needed):
                problems.append(_("Nobody in the pooled data has made every promotion between {start} and {target}: "
                                  "there is no median pace to show that it can be done in {years:g} years. Aim for a "
                                  "step that people have made.", start=start_role, target=target_role, years=years))
            elif needed > years + 1e-9:
                problems.append(_("At the median pace of the pooled data, {target} is more than {years:g} years away "
                                  "from {start} (careers.years_to_reach(start, target, pace) says how far): a plan "
                                  "that needs faster promotions than half of the people made is a wish. Aim for a "
                                  "nearer step.", target=target_role, start=start_role, years=years))
    weights = SKILL_WEIGHTS[path] if path else {}
    rated: dict[str, float] = {}
    if not isinstance(ratings, Mapping):
        problems.append(_("Your self-ratings are a {kind}: store them as a dictionary {{skill: rating from 1 to 5}}.",
                          kind=type(ratings).__name__))
    else:
        unknown = [str(s) for s in ratings if s not in SKILLS]
        if unknown:
            problems.append(_("{skills} is not a skill of the course's list (careers.SKILLS): rate these only.",
                              skills=", ".join(repr(s) for s in unknown)))
        bad = [str(s) for s, v in ratings.items() if s in SKILLS and not (
            isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool) and 1 <= v <= 5)]
        if bad:
            problems.append(_("Rate {skills} from 1 (beginner) to 5 (strong).", skills=", ".join(bad)))
        rated = {s: float(v) for s, v in ratings.items() if s in SKILLS and s not in bad}
        unrated = [s for s in weights if s not in ratings]
        if unrated:
            problems.append(_("Rate yourself on every skill the {path} path weighs; these have no rating: {skills}. An "
                              "unrated skill counts as 1, the largest gap, and your plan would chase a gap you may not "
                              "have.",
                              path=path, skills=", ".join(unrated)))
    table, problem = _plan_rows(plan)
    if problem:
        return problems + [problem]
    quarters = [_quarter_number(q) for q in table["quarter"]]
    if any(q is None for q in quarters):
        problems.append(_("Write each quarter as a whole number from 1 to 8 (or \"Q1\" to \"Q8\"): quarter 1 is the "
                          "first three months of the plan."))
        return problems
    if any(not 1 <= q <= PLAN_QUARTERS for q in quarters):
        problems.append(_("Your plan has quarters outside 1 to 8: two years are eight quarters, and a plan that runs "
                          "longer promises what nobody reviews."))
    repeated = sorted({q for q in quarters if quarters.count(q) > 1})
    if repeated:
        problems.append(_("Quarter(s) {quarters} appear more than once: give each quarter one skill to work on. A "
                          "quarter that works on everything at once works on nothing.",
                          quarters=", ".join(map(str, repeated))))
    if 1 not in quarters:
        problems.append(_("Your plan does not start in quarter 1: the first step is the one a manager reviews first."))
    if max(quarters) < 5:
        problems.append(_("Your plan ends in the first year: cover two years, with at least one quarter from 5 to 8."))
    skills = [str(s) for s in table["skill"]]
    outside = [s for s in dict.fromkeys(skills) if s not in SKILLS]
    if outside:
        problems.append(_("{skills} is not a skill of the course's list (careers.SKILLS): name the skill as the list "
                          "spells it.", skills=", ".join(repr(s) for s in outside)))
    if path:
        unweighed = [s for s in dict.fromkeys(skills) if s in SKILLS and s not in weights]
        if unweighed:
            problems.append(_("The {path} path does not weigh {skills}: practising it does not bring you closer to "
                              "{target}. Pick the skills the target's path asks for (careers.SKILL_WEIGHTS[\"{path}\"]).",
                              path=path, skills=", ".join(unweighed), target=target_role))
        full = [s for s in dict.fromkeys(skills) if s in weights and rated.get(s, 1) >= 5]
        if full:
            problems.append(_("You rated {skills} 5 already: there is no room to grow there, and a quarter spent on it "
                              "raises nothing. Work on a gap.", skills=", ".join(full)))
        gap = {s: w * (5 - rated.get(s, 1)) for s, w in weights.items()}
        order = [s for _quarter, s in sorted(zip(quarters, skills, strict=True), key=lambda pair: pair[0])]
        firsts = [s for s in dict.fromkeys(order) if s in gap]
        if firsts and gap[firsts[0]] < max(gap.values()):
            problems.append(_("Your plan starts with {skill}, but the {path} path has larger gaps (weight × (5 − "
                              "rating), as careers.skill_gaps ranks them): start with the largest, where a quarter "
                              "raises your fit most.", skill=firsts[0], path=path))
        later = [(a, b) for a, b in itertools.pairwise(firsts) if gap[b] > gap[a]]
        if later:
            a, b = later[0]
            problems.append(_("{b} comes after {a}, but its gap is larger (weight × (5 − rating)): put the larger gaps "
                              "first.", a=a, b=b))
    empty = [q for q, action, evidence in zip(quarters, table["action"], table["evidence"], strict=True)
             if not (isinstance(action, str) and len(action.split()) >= 3
                     and isinstance(evidence, str) and len(evidence.split()) >= 3)]
    if empty:
        problems.append(_("Quarter(s) {quarters} lack an action or evidence in words (a few words each): what you will "
                          "do at work, and what a manager will see when it is done.",
                          quarters=", ".join(map(str, empty))))
    echoed = [q for q, action, evidence in zip(quarters, table["action"], table["evidence"], strict=True)
              if q not in empty and isinstance(action, str) and isinstance(evidence, str)
              and " ".join(action.lower().split()) == " ".join(evidence.lower().split())]
    if echoed:
        problems.append(_("In quarter(s) {quarters}, the evidence repeats the action. Evidence is what a manager can "
                          "check afterwards: a report shipped, a deal closed, a certificate, a colleague's rating.",
                          quarters=", ".join(map(str, echoed))))
    return problems
