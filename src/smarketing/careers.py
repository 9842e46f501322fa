"""Career paths: the ladders of each function, time to promotion, moves between roles, and skills fit.

Seed 004 describes the sales ladder as linear (rep → supervisor → manager → director) and the
operations ladder as branching (junior → senior → manager → product manager *or* operations director).
The ladders themselves live in :data:`smarketing.datasets.LADDERS`, which the generator uses too.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from smarketing.datasets import LADDERS, OPERATIONS_BRANCH
from smarketing.messages import _

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


def role_function() -> dict[str, str]:
    """Every job title of the ladders mapped to its function (the operations branch to operations)."""
    mapping = {title: function for function, ladder in LADDERS.items() for title in ladder}
    mapping[OPERATIONS_BRANCH] = "operations"
    return mapping


def ladder_table() -> pd.DataFrame:
    """The ladders side by side: one column per function, one row per level (empty past the top)."""
    depth = max(len(ladder) for ladder in LADDERS.values())
    table = pd.DataFrame({f: list(LADDERS[f]) + [""] * (depth - len(LADDERS[f])) for f in PATHS},
                         index=pd.RangeIndex(1, depth + 1, name="level"))
    table.loc[len(LADDERS["operations"]), "operations"] += f" / {OPERATIONS_BRANCH}"
    return table


def time_to_promotion(career_moves: pd.DataFrame, employees: pd.DataFrame) -> pd.DataFrame:
    """Years spent at each level before a promotion, per function: columns function, from_level,
    promotions, median_years, mean_years.

    The clock starts at the previous move, or at the hire date for the first one (a change of
    function restarts it: a new ladder begins).
    """
    needed = {"employee_id", "moved_at", "from_role", "from_level", "move_type"}
    if needed - set(career_moves.columns) or {"employee_id", "hire_date"} - set(employees.columns):
        raise ValueError(_("time_to_promotion needs career_moves ({columns}) and employees (employee_id, "
                           "hire_date).", columns=", ".join(sorted(needed))))
    moves = career_moves.sort_values(["employee_id", "moved_at"], kind="stable")
    hired = moves["employee_id"].map(employees.set_index("employee_id")["hire_date"])
    previous = moves.groupby("employee_id")["moved_at"].shift().fillna(hired)
    years = (moves["moved_at"] - previous).dt.days / 365.25
    frame = pd.DataFrame({"function": moves["from_role"].map(role_function()), "from_level": moves["from_level"],
                          "years": years})[moves["move_type"] == "promotion"]
    out = frame.groupby(["function", "from_level"], observed=True)["years"].agg(["size", "median", "mean"])
    out.columns = ["promotions", "median_years", "mean_years"]
    return out.reset_index().round({"median_years": 2, "mean_years": 2})


def transition_matrix(career_moves: pd.DataFrame, by: str = "role", normalize: bool = True) -> pd.DataFrame:
    """Who moves where: rows the role (or function, ``by="function"``) people leave, columns the one
    they move to. With ``normalize``, each row holds shares that sum to 1 (the chance of each next
    step); otherwise counts."""
    if by not in ("role", "function"):
        raise ValueError(_("by must be 'role' or 'function' (got '{by}').", by=by))
    source, target = career_moves["from_role"].astype(str), career_moves["to_role"].astype(str)
    if by == "function":
        functions = role_function()
        source, target = source.map(functions), target.map(functions)
    counts = pd.crosstab(source.rename("from"), target.rename("to"))
    return counts.div(counts.sum(axis=1), axis=0) if normalize else counts


def lateral_moves(career_moves: pd.DataFrame) -> pd.DataFrame:
    """Moves that change function (e.g. a sales rep who becomes a marketing associate): counts by
    from-function and to-function."""
    functions = role_function()
    moves = career_moves.assign(from_function=career_moves["from_role"].astype(str).map(functions),
                                to_function=career_moves["to_role"].astype(str).map(functions))
    moves = moves[moves["from_function"] != moves["to_function"]]
    return moves.groupby(["from_function", "to_function"]).size().rename("moves").reset_index()


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


def skill_gaps(ratings: Mapping[str, float], path: str, top: int = 3) -> list[str]:
    """The skills that would raise the fit with ``path`` most: largest weight × room to grow first."""
    if path not in SKILL_WEIGHTS:
        raise ValueError(_("Unknown path '{path}'. Choose one of: {known}.", path=path, known=", ".join(PATHS)))
    room = {skill: weight * (5 - ratings.get(skill, 1)) for skill, weight in SKILL_WEIGHTS[path].items()}
    return [skill for skill, gain in sorted(room.items(), key=lambda kv: -kv[1]) if gain > 0][:top]
