"""Exercise 06's self-checks (``smarketing.exercises.ex06_career_paths``): a good answer passes, each common
mistake gets its targeted message, and no message gives the expected value away. Good answers are computed
here by hand with pandas, not taken from the checks."""

from __future__ import annotations

import math
from functools import partial

import pandas as pd

from smarketing import careers
from smarketing.exercises import SAM, company, find_task, pooled

task = partial(find_task, "06_career_paths")
NAMES = ("argo", "vela", "tide")


def _stack(table: str, names=NAMES, prefix=("move_id", "employee_id")) -> pd.DataFrame:
    frames = []
    for name in names:
        frame = getattr(company(name), table).copy()
        for column in prefix:
            if column in frame.columns:
                frame[column] = name + "/" + frame[column].astype(str)
        frames.append(frame.assign(company=name))
    return pd.concat(frames, ignore_index=True)


def _function_of(title: str) -> str:
    if title == "Product Manager" or "Operations Specialist" in title or title.startswith("Operations"):
        return "operations"
    if "Revenue Operations" in title:
        return "revops"
    return "sales" if title.startswith(("Sales", "VP Sales")) else "marketing"


def test_q1_pooled_moves():
    good = _stack("career_moves")
    assert "More checks run at grading" in task("q1").assert_check_passed(good)
    total = str(len(good))
    plain = pd.concat([company(n).career_moves.assign(company=n) for n in NAMES], ignore_index=True)
    for wrong, message in ((plain, "`move_id`s appear more than once"),
                           (_stack("career_moves", prefix=("employee_id",)), "`move_id`s appear more than once"),
                           (_stack("career_moves", prefix=("move_id",)), "different people share an `employee_id`"),
                           (_stack("career_moves", names=("argo",)), "one company's moves only"),
                           (_stack("career_moves", names=("argo", "vela")), "fewer than the three companies'"),
                           (pd.concat([good, good.head(2)]), "more than the three companies'")):
        assert total not in task("q1").assert_check_failed(wrong, message)
    task("q1").assert_check_failed(good.drop(columns="company"), "lacks the column(s) company")
    task("q1").assert_check_failed(good.assign(company="all"), "should name each row's company")
    task("q1").assert_check_failed(good.to_dict(), "your answer is a dict; this task asks for a pandas DataFrame.")


def _rep_waits(names=NAMES, unique_ids: bool = True) -> pd.Series:
    prefix = ("move_id", "employee_id") if unique_ids else ()
    moves, staff = _stack("career_moves", names, prefix), _stack("employees", names, prefix)
    firsts = moves[(moves["from_role"] == "Sales Rep") & (moves["move_type"] == "promotion")]
    joined = firsts.merge(staff[["employee_id", "hire_date"]], on="employee_id")
    return (joined["moved_at"] - joined["hire_date"]).dt.days / 365.25


def test_q2_sales_rep_wait():
    waits = _rep_waits()
    right = float(waits.median())
    assert 1 < right < 2  # module 06: a sales rep waits about a year and a half for the first promotion
    assert "More checks run at grading" in task("q2").assert_check_passed(right)
    task("q2").assert_check_passed(float(waits.mul(365.25).div(365).median()))  # 365 days a year is close enough
    task("q2").assert_check_passed(round(right, 2))  # as careers.time_to_promotion shows it
    secret = f"{right:.4g}"
    for wrong, message in ((365.25 * right, "number of days"), (12 * right, "number of months"),
                           (float(waits.mean()), "that is the mean"),
                           (float(_rep_waits(unique_ids=False).median()), "hire dates came from the wrong person"),
                           *((float(_rep_waits((name,)).median()), "that is the median of one company only")
                             for name in NAMES),
                           (right + 0.5, "not the right value yet"), (waits, "asks for one number")):
        assert secret not in task("q2").assert_check_failed(wrong, message)


def _function_counts() -> pd.DataFrame:
    moves = _stack("career_moves")
    order = ["sales", "marketing", "operations", "revops"]
    counts = pd.crosstab(moves["from_role"].astype(str).map(_function_of),
                         moves["to_role"].astype(str).map(_function_of))
    return counts.reindex(index=order, columns=order, fill_value=0)


def test_q3_transition_matrix():
    counts = _function_counts()
    good = counts.div(counts.sum(axis=1), axis=0)
    assert good.loc["sales", "sales"] < 1 and good.loc["marketing", "marketing"] == 1  # people leave sales only
    for answer in (good, good.rename_axis(index=None, columns=None), good.astype("float32"), good.round(4)):
        task("q3a").assert_check_passed(answer)
        task("q3b").assert_check_passed(answer)
    task("q3b").assert_check_failed(counts, "these are counts of moves")
    task("q3a").assert_check_passed(counts)  # part a is the shape only
    task("q3b").assert_check_failed(counts.div(counts.sum(axis=0), axis=1), "divided by the column totals")
    task("q3b").assert_check_failed(good.T, "rows and columns are swapped")
    for name in ("q3a", "q3b"):
        task(name).assert_check_failed(good.iloc[::-1], "in the order of careers.PATHS")
        task(name).assert_check_failed(good.drop(index="revops"), "should be the four functions")
        task(name).assert_check_failed(good.to_numpy(), "asks for a pandas DataFrame")
    moves = _stack("career_moves")
    by_role = pd.crosstab(moves["from_role"], moves["to_role"], normalize="index")
    task("q3a").assert_check_failed(by_role, "should be the four functions")
    shifted = good.copy()
    shifted.loc["sales"] = [0.8, 0.1, 0.1, 0.0]
    task("q3b").assert_check_failed(shifted, "the row(s) sales are not right yet.")
    task("q3b").assert_check_failed(good.assign(revops=good["revops"].where(good["revops"] > 0)), "empty cells")
    task("q3b").assert_check_failed(good.assign(revops=good["revops"] + 0.1), "each row should sum to 1")


def _exit_share(career_moves: pd.DataFrame, role: str) -> float:
    out = career_moves[career_moves["from_role"] == role]
    if not len(out):
        return math.nan
    return float((out["to_role"].astype(str).map(_function_of) != _function_of(role)).mean())


def test_q4_exit_share_function():
    assert "More checks run at grading" in task("q4").assert_check_passed(_exit_share)
    assert _exit_share(_stack("career_moves"), "Sales Rep") > 0.1  # the exit door of module 06

    def with_result(rule):
        def exit_share(career_moves, role):
            out = career_moves[career_moves["from_role"] == role]
            leaving = out["to_role"].astype(str).map(_function_of) != _function_of(role)
            return rule(out, leaving, career_moves)
        return exit_share

    for rule, message in ((lambda out, leaving, _: 100 * leaving.mean(), "looks like a percentage"),
                          (lambda out, leaving, _: int(leaving.sum()), "returns a count of moves"),
                          (lambda out, leaving, _: 1 - leaving.mean(), "share that stays"),
                          (lambda out, leaving, moves: leaving.sum() / len(moves), "divided by all moves"),
                          (lambda out, leaving, _: leaving.sum() / (out["move_type"] == "promotion").sum(),
                           "wrong result on test case 1 (role 'Sales Rep', moves of argo, vela, tide)")):
        task("q4").assert_check_failed(with_result(rule), message)
    task("q4").assert_check_failed(lambda career_moves: 0.2, "raised TypeError")
    task("q4").assert_check_failed(0.2, "asks for a function")
    # the product branch and the role nobody left are edge cases for the hidden tests, not the visible check
    product_leaves = with_result(lambda out, leaving, _: float(
        (out["to_role"].astype(str).map(lambda t: "product" if t == "Product Manager" else _function_of(t))
         != _function_of(out["from_role"].iloc[0])).mean()) if len(out) else math.nan)
    task("q4").assert_check_passed(product_leaves)


_WEIGHTS = {"sales": {"communication": 3, "negotiation": 3, "resilience": 3, "market insight": 2,
                      "relationship building": 3, "data analysis": 1}}


def _fit(ratings, weights):
    total = sum(weights.values())
    return 100 * (sum(w * ratings.get(skill, 1) for skill, w in weights.items()) / total - 1) / 4


def test_q5_fit_function():
    assert careers.SKILL_WEIGHTS["sales"] == _WEIGHTS["sales"]  # the weights the formulas below assume
    assert "More checks run at grading" in task("q5").assert_check_passed(_fit)
    task("q5").assert_check_passed(lambda r, w: round(_fit(r, w), 1))  # the library's own rounding

    def mean_of(ratings, weights, missing=1, skip=False, weighted=True):
        skills = [s for s in weights if s in ratings] if skip else list(weights)
        values = [ratings.get(s, missing) for s in skills]
        w = [weights[s] if weighted else 1 for s in skills]
        return sum(a * b for a, b in zip(values, w, strict=True)) / sum(w)

    task("q5").assert_check_failed(lambda r, w: mean_of(r, w), "returns the weighted mean, from 1 to 5")
    task("q5").assert_check_failed(lambda r, w: 100 * mean_of(r, w) / 5, "gives 20, not 0")
    task("q5").assert_check_failed(lambda r, w: 100 * (mean_of(r, w, skip=True) - 1) / 4,
                                   "averaged over the rated skills only")
    task("q5").assert_check_failed(lambda r, w: 100 * (mean_of(r, w, missing=0) - 1) / 4,
                                   "counts as 1 (beginner), not 0")
    task("q5").assert_check_failed(lambda r, w: 100 * (mean_of(r, w, weighted=False) - 1) / 4, "took a plain mean")
    for off in (lambda r, w: round(_fit(r, w)), lambda r, w: _fit(r, w) + 1):  # whole points, or a point off
        task("q5").assert_check_failed(off, "wrong result on test case 1 (the people person, weights of the sales "
                                            "path)")
    task("q5").assert_check_failed(lambda r, w: r["nonexistent"], "raised KeyError")
    task("q5").assert_check_failed(lambda r: 50.0, "raised TypeError")


_DOORS = ("marketing", "operations", "revops")  # module 06's career map: the doors out of sales


def _sales_destinations() -> pd.Series:
    """Where the three companies' sales people went when they changed function, with the number of moves."""
    moves = _stack("career_moves")
    went = moves.loc[moves["from_role"].astype(str).map(_function_of) == "sales", "to_role"].astype(str)
    went = went.map(_function_of)
    return went[went != "sales"].value_counts()


def test_q6_sams_move():
    fits = {path: _fit(SAM, weights) for path, weights in careers.SKILL_WEIGHTS.items()}
    best = max(_DOORS, key=fits.get)
    assert best == "revops" and max(fits, key=fits.get) == "sales"  # sales fits Sam best, but Sam wants out
    went = _sales_destinations()
    observed_best, most_common = max(went.index, key=fits.get), went.index[0]
    # the committed cohort's story: nobody has moved from sales to revops (its teams are small), and the best
    # fit among the doors that were used is marketing, the answer of the old rule
    assert "revops" not in went.index and observed_best == "marketing" and most_common == "operations"
    assert "More checks run at grading" in task("q6").assert_check_passed(best)
    task("q6").assert_check_passed("RevOps")
    task("q6").assert_check_failed("sales", "Sam wants to leave sales")
    task("q6").assert_check_failed(observed_best, "happened to move to")
    task("q6").assert_check_failed(most_common, "the door the three companies' sales people used most")
    task("q6").assert_check_failed("product", "answer with one of: 'sales', 'marketing', 'operations', 'revops'.")


def test_q6_the_rule_does_not_hang_on_which_doors_a_few_movers_used(monkeypatch):
    """Another cohort may send a sales rep to revops, or nobody out of sales: the answer stays Sam's best fit
    among the doors of the career map, and a mistake is never reported for it."""
    from smarketing.exercises import ex06_career_paths

    for destinations in ({"revops": 3, "marketing": 1}, {"operations": 2}, {"marketing": 4, "operations": 4},
                         {"revops": 1, "marketing": 4, "operations": 4}, {}):
        monkeypatch.setattr(ex06_career_paths, "_sales_destinations",
                            lambda d=destinations: pd.Series(d, dtype=int).sort_values(ascending=False))
        task("q6").assert_check_passed("revops")
        task("q6").assert_check_failed("sales", "Sam wants to leave sales")
        for other in ("marketing", "operations"):
            message = task("q6").assert_check_failed(other)
            if other not in destinations:
                assert "happened to move to" not in message and "used most" not in message
            elif destinations[other] == max(destinations.values()):
                assert "happened to move to" in message or "used most" in message, (destinations, other, message)


def test_q4_a_function_that_changes_its_moves_in_place_spoils_no_later_check():
    moves = pooled("career_moves").copy(deep=True)

    def relabels_in_place(career_moves, role):  # a learner's "clean-up" of the table it was given
        answer = _exit_share(career_moves, role)
        career_moves["to_role"] = role
        return answer

    for _round in range(2):  # the second round sees what the first one left behind
        task("q4").assert_check_passed(relabels_in_place)
    pd.testing.assert_frame_equal(pooled("career_moves"), moves)


# ---- the design deliverable: a two-year development plan ------------------------------------------------------

_MINE = {"communication": 4, "negotiation": 2, "resilience": 3, "relationship building": 3, "market insight": 3,
         "data analysis": 4}  # sales gaps, weight × (5 − rating): negotiation 9, resilience and relationship 6, …


def _my_plan(rows=((1, "negotiation"), (2, "negotiation"), (3, "resilience"), (4, "relationship building"),
                   (5, "market insight"), (6, "communication"))) -> pd.DataFrame:
    return pd.DataFrame([(q, s, f"practise {s} on live deals with my supervisor", f"a record of {s} in the CRM")
                         for q, s in rows], columns=["quarter", "skill", "action", "evidence"])


def _sales_pace_by_hand() -> float:
    """The pooled median years of an early sales promotion (from levels 1 and 2), by hand: each promotion timed from
    the previous move of the same person, or from the hire date."""
    moves, staff = _stack("career_moves"), _stack("employees")
    moves = moves.sort_values(["employee_id", "moved_at"], kind="stable")
    hired = moves["employee_id"].map(staff.set_index("employee_id")["hire_date"])
    previous = moves.groupby("employee_id")["moved_at"].shift().fillna(hired)
    years = (moves["moved_at"] - previous).dt.days / 365.25
    early = (moves["move_type"] == "promotion") & moves["from_role"].isin(["Sales Rep", "Sales Supervisor"])
    return float(years[early].median())


def test_q7_a_plan_within_the_pooled_pace_passes():
    given = {"my_ratings": _MINE, "my_target": "Sales Supervisor", "my_start": "Sales Rep"}
    assert _sales_pace_by_hand() <= 2  # the committed cohort: one sales step fits in two years
    assert "More checks run at grading" in task("q7").assert_check_passed(_my_plan(), **given)
    task("q7").assert_check_passed(_my_plan(((1, "negotiation"), (7, "resilience"))), **given)
    revops = {"data analysis": 2, "process design": 3, "systems and tools": 4, "strategy": 3, "communication": 4,
              "project management": 3}
    task("q7").assert_check_passed(_my_plan(((1, "data analysis"), (2, "process design"), (5, "strategy"))),
                                   my_ratings=revops, my_target="Revenue Operations Analyst", my_start="Sales Rep")


def test_q7_each_broken_rule_is_named():
    given = {"my_ratings": _MINE, "my_target": "Sales Supervisor", "my_start": "Sales Rep"}
    if 2 * _sales_pace_by_hand() > 2:  # two sales steps need more than two years at the median pace
        task("q7").assert_check_failed(_my_plan(), "more than 2 years away", **given | {"my_target": "Sales Manager"})
    task("q7").assert_check_failed(_my_plan(), "names a path", **given | {"my_target": "sales"})
    task("q7").assert_check_failed(pd.DataFrame({"negotiation": [1, 2], "resilience": [3, 4]}), "a column per skill",
                                   **given)
    task("q7").assert_check_failed(_my_plan(((1, "resilience"), (5, "negotiation"))), "Your plan starts with resilience",
                                   **given)
    task("q7").assert_check_failed(_my_plan(((1, "negotiation"), (5, "creativity"))), "does not weigh creativity",
                                   **given)
    task("q7").assert_check_failed(_my_plan(((1, "negotiation"), (3, "resilience"))), "ends in the first year", **given)
    task("q7").assert_check_failed(_my_plan(), "which you have not defined yet: store them", my_ratings=_MINE)
    several = task("q7").assert_check_failed(_my_plan(((2, "creativity"), (2, "charm"), (9, "strategy"))),
                                             "your plan has", **given)
    assert "more: fix these first" in several
