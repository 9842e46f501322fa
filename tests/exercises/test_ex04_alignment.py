"""Exercise 04's self-checks (``smarketing.exercises.ex04_alignment``): a good answer passes, each common
mistake gets its targeted message, and no message gives the expected value away. Good answers are computed
here by hand with pandas, not taken from the checks."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pandas as pd

from smarketing.exercises import company, find_task

task = partial(find_task, "04_alignment")
_TARGET, _DEAL, _WEEKS, _REPS, _ATTEMPTS = 1_800_000, 87_000, 13, 21, 6
_RATES = {"mql": 0.30, "sal": 0.85, "sql": 0.30, "opportunity": 0.50, "won": 0.28}
_REFERENCE = {"smb": 0.50, "mid_market": 0.35, "enterprise": 0.15}


def _hides(text: str, *values: float) -> None:
    """The expected values appear nowhere in a message, however they are written."""
    shown = [form for value in values for form in (f"{value:.4g}", f"{value:.3g}", f"{value:.2f}") if form in text]
    assert not shown, (shown, text)


def _journeys(only_customers: bool = True) -> tuple[pd.DataFrame, pd.Series]:
    """lumen's touchpoints (of customers only, or of every lead) and each customer's won revenue."""
    lumen = company("lumen")
    won = lumen.opportunities[lumen.opportunities["outcome"] == "won"]
    revenue = won.groupby("lead_id")["amount"].sum()
    touches = lumen.touchpoints
    if only_customers:
        touches = touches[touches["lead_id"].isin(revenue.index)]
    return touches, revenue


def _by_channel(values: pd.Series, touches: pd.DataFrame) -> pd.Series:
    return values.groupby(touches["channel"].astype(str)).sum()


def _linear() -> pd.Series:
    touches, revenue = _journeys()
    share = 1 / touches.groupby("lead_id")["lead_id"].transform("size")
    return _by_channel(touches["lead_id"].map(revenue) * share, touches)


def test_q1_linear_credit():
    right = _linear()
    touches, revenue = _journeys()
    assert math.isclose(right.sum(), revenue.sum())  # every customer has a journey at lumen
    assert "More checks run at grading" in task("q1").assert_check_passed(right)
    task("q1").assert_check_passed(right.sort_values())  # order does not matter
    task("q1").assert_check_passed(right.rename_axis("channel").reset_index(name="credit"))  # a table works too
    task("q1").assert_check_passed(right.to_dict())
    task("q1").assert_check_passed(pd.concat([right, pd.Series({"unused": 0.0})]))  # an empty category is fine
    secrets = tuple(right.round(0))
    lumen = company("lumen")
    created = lumen.leads["lead_id"].map(revenue).fillna(0.0).groupby(lumen.leads["channel"].astype(str)).sum()
    every, _ = _journeys(only_customers=False)
    shares = _by_channel(1 / every.groupby("lead_id")["lead_id"].transform("size"), every)
    every_touch, customer_touch = (table["channel"].astype(str).value_counts() for table in (every, touches))
    first = touches.sort_values(["lead_id", "touched_at"], kind="stable").drop_duplicates("lead_id")
    for wrong, message in (
            (created, "the channel that created the lead"),
            (_by_channel(touches["lead_id"].map(revenue), touches), "whole revenue"),
            (shares / shares.sum() * revenue.sum(), "journeys of every lead"),
            (every_touch / every_touch.sum() * revenue.sum(), "every touch of every lead the same credit"),
            (customer_touch / customer_touch.sum() * revenue.sum(), "every customer's touch the same share"),
            (_by_channel(1 / touches.groupby("lead_id")["lead_id"].transform("size"), touches),
             "you split customers, not revenue"),
            (right / right.sum(), "shares of the revenue"),
            (_by_channel(first["lead_id"].map(revenue), first), "that is the split of the first touch model"),
            (right * 0.99, "is not right yet (8 of 8 wrong)"),
            (right * 1.01, "add up to more than lumen's won revenue")):
        _hides(task("q1").assert_check_failed(wrong, message), *secrets)
    task("q1").assert_check_failed(right.drop("email"), "Missing: email")
    task("q1").assert_check_failed(pd.Series(2 * list(right), index=2 * list(right.index)), "appear more than once")
    task("q1").assert_check_failed(float(right.sum()), "asks for a pandas Series")


def _u_shape(n: int) -> list[float]:
    if n == 1:
        return [1.0]
    if n == 2:
        return [0.5, 0.5]
    return [0.4, *[0.2 / (n - 2)] * (n - 2), 0.4]


def test_q2_position_based_function_with_partial_credit():
    task("q2a").assert_check_passed(_u_shape)
    task("q2b").assert_check_passed(_u_shape)
    task("q2a").assert_check_passed(lambda n: np.array(_u_shape(n)))  # any sequence of numbers
    task("q2a").assert_check_failed(lambda n: [0.4, *[0.2] * (n - 2), 0.4], "each middle touch got 0.2")
    task("q2a").assert_check_failed(lambda n: [0.4, *[0.2 / n] * (n - 2), 0.4], "not among all n")
    task("q2a").assert_check_failed(lambda n: [100 * s for s in _u_shape(n)], "look like percentages")
    task("q2a").assert_check_failed(lambda n: [0.4, 0.2, 0.4], "one share per touch")
    task("q2a").assert_check_failed(lambda n: 1 / 0, "raised ZeroDivisionError")
    task("q2a").assert_check_failed([0.4, 0.2, 0.4], "asks for a function")

    # the general rule alone: full credit for q2a, none for the special cases
    def general(n):
        return [0.4, *[0.2 / max(n - 2, 1)] * (n - 2), 0.4]

    task("q2a").assert_check_passed(general)
    task("q2b").assert_check_failed(general, "with a single touch, that touch gets all the credit")
    task("q2b").assert_check_failed(lambda n: [1.0] if n == 1 else general(n), "nothing in between")
    task("q2b").assert_check_failed(lambda n: [1.0] if n == 1 else [0.6, 0.4], "wrong result on test case 2 (n = 2)")


def _needed(rounding=lambda x: math.ceil(x - 1e-9), skip: str = "") -> int:
    """MQLs for the quarter, worked back by hand: customers, opportunities, SQLs, SALs, MQLs."""
    needed = rounding(_TARGET / _DEAL)
    for stage in ("won", "opportunity", "sql", "sal"):
        needed = needed if stage == skip else rounding(needed / _RATES[stage])
    return needed


def test_q3_sla_arithmetic():
    mqls = _needed()
    assert mqls == 589  # 1.8 M ÷ 87,000 → 21 customers → 75 → 150 → 500 → 589 MQLs
    right = mqls / _WEEKS
    task("q3a").assert_check_passed(right)
    unrounded = _needed(rounding=lambda x: x)
    _hides(task("q3a").assert_check_failed(unrounded / _WEEKS, "round up to whole customers"), right)
    # a few hundredths off, and still a mistake
    _hides(task("q3a").assert_check_failed(math.ceil(unrounded) / _WEEKS, "not only at the end"), right)
    _hides(task("q3a").assert_check_failed(_needed(rounding=math.floor) / _WEEKS, "round up, not down"), right)
    _hides(task("q3a").assert_check_failed(mqls, "whole quarter"), right)
    _hides(task("q3a").assert_check_failed(mqls / _WEEKS ** 2, "divided by the weeks twice"), right)
    _hides(task("q3a").assert_check_failed(math.ceil(mqls / _RATES["mql"]) / _WEEKS, "that is leads a week"), right)
    _hides(task("q3a").assert_check_failed(math.ceil(right), "do not round the weekly figure"), right)
    for stage in ("won", "opportunity", "sql", "sal"):
        _hides(task("q3a").assert_check_failed(_needed(skip=stage) / _WEEKS, "you skipped a stage"), right)
    _hides(task("q3a").assert_check_failed(right * 1.1, "is not the right value yet"), right)
    per_rep = mqls * _ATTEMPTS / (_WEEKS * _REPS)
    task("q3b").assert_check_passed(per_rep)
    _hides(task("q3b").assert_check_failed(mqls / (_WEEKS * _REPS), "6 follow-up attempts, not one"), per_rep)
    _hides(task("q3b").assert_check_failed(mqls * _ATTEMPTS / _WEEKS, "share them among the 21 reps"), per_rep)
    _hides(task("q3b").assert_check_failed(mqls * _ATTEMPTS / _REPS, "whole quarter"), per_rep)
    _hides(task("q3b").assert_check_failed(unrounded * _ATTEMPTS / (_WEEKS * _REPS), "start from whole MQLs"), per_rep)


def _segments() -> pd.DataFrame:
    rows = []
    for name in ("lumen", "ferro"):
        leads = company(name).leads
        mqls = leads[leads["mql_at"].notna()]
        for segment in ("smb", "mid_market", "enterprise"):
            part = mqls[mqls["segment"].astype(str) == segment]
            rows.append({"company": name, "segment": segment, "leads": int((leads["segment"] == segment).sum()),
                         "mqls": len(part), "sqls": int(part["sql_at"].notna().sum()), "all_mqls": len(mqls)})
    table = pd.DataFrame(rows)
    table["mql_to_sql_rate"] = table["sqls"] / table["mqls"]
    table["mql_share"] = table["mqls"] / table["all_mqls"]
    return table


def test_q4a_segment_table():
    table = _segments()
    right = table[["company", "segment", "mqls", "sqls", "mql_to_sql_rate", "mql_share"]]
    task("q4a").assert_check_passed(right)
    task("q4a").assert_check_passed(right.sample(frac=1, random_state=1))  # row order does not matter
    task("q4a").assert_check_passed(right.set_index(["company", "segment"]))  # nor where the labels are
    task("q4a").assert_check_passed(table)  # extra columns are allowed
    task("q4a").assert_check_passed(right.round(4))  # close enough to see; the hidden test asks for exact shares
    own_leads = table["leads"] / table.groupby("company")["leads"].transform("sum")
    task("q4a").assert_check_failed(right.assign(mql_share=table["mqls"] / table["mqls"].sum()),
                                    "of both companies together")
    task("q4a").assert_check_failed(right.assign(mql_share=own_leads), "is each segment's share of the leads")
    task("q4a").assert_check_failed(right.assign(mql_to_sql_rate=table["sqls"] / table["leads"]),
                                    "divides by all the segment's leads")
    task("q4a").assert_check_failed(right.assign(mql_to_sql_rate=100 * table["mql_to_sql_rate"]),
                                    "`mql_to_sql_rate` looks like a percentage")
    task("q4a").assert_check_failed(right[right["company"] == "lumen"], "holds one company")
    task("q4a").assert_check_failed(right.drop(columns="mql_share"), "lacks the column(s) mql_share")
    task("q4a").assert_check_failed(right.assign(sqls=right["sqls"] + 1), "column `sqls` is not right in 6 row(s)")
    task("q4a").assert_check_failed(right.drop(columns=["company"]).reset_index(drop=True),
                                    "needs the columns company and segment")
    task("q4a").assert_check_failed(right.to_dict(), "your answer is a dict; this task asks for a pandas DataFrame.")


def _weighted(weights: dict[str, pd.Series] | dict[str, float] | None = None, by: str | None = None) -> pd.Series:
    table = _segments()
    result = {}
    for name, part in table.groupby("company", sort=False):
        part = part.set_index("segment")
        if by is not None:
            w = part[by] / part[by].sum()
        elif weights is None:
            w = pd.Series(1 / 3, index=part.index)
        else:
            w = pd.Series(weights)
        result[name] = float((part["mql_to_sql_rate"] * w).sum())
    return pd.Series(result)


def test_q4b_direct_standardisation():
    right = _weighted(_REFERENCE)
    assert right["lumen"] > right["ferro"]
    task("q4b").assert_check_passed(right)
    task("q4b").assert_check_passed(right.to_dict())
    task("q4b").assert_check_passed(right.rename_axis("company").reset_index(name="adjusted"))
    secrets = tuple(right)
    _hides(task("q4b").assert_check_failed(_weighted(by="mqls"), "these are the naive rates"), *secrets)
    pooled = _segments().groupby("segment")["mqls"].sum()
    _hides(task("q4b").assert_check_failed(_weighted((pooled / pooled.sum()).to_dict()), "pooled"), *secrets)
    _hides(task("q4b").assert_check_failed(_weighted(), "equal weights"), *secrets)
    _hides(task("q4b").assert_check_failed(_weighted(by="leads"), "its own lead mix"), *secrets)
    _hides(task("q4b").assert_check_failed(100 * right, "look like percentages"), *secrets)
    task("q4b").assert_check_failed(right.rename({"ferro": "Ferro"}), "Missing: ferro. Not expected: Ferro")
    nudged = right + pd.Series({"lumen": 0.01, "ferro": 0.0})
    _hides(task("q4b").assert_check_failed(nudged, "the value for lumen is not right yet (1 of 2 wrong)"), *secrets)


def test_q5_judging_the_claim():
    task("q5a").assert_check_passed("C")
    task("q5a").assert_check_passed("c")
    task("q5b").assert_check_passed("B")
    for letter, message in (("A", "can neither confirm nor measure"), ("B", "cannot show that the claim is too modest"),
                            ("D", "cannot disprove")):
        task("q5a").assert_check_failed(letter, message)
    for letter, message in (("A", "mostly do not become SQLs"), ("C", "records a price change"),
                            ("D", "churn after the sale")):
        task("q5b").assert_check_failed(letter, message)
    task("q5a").assert_check_failed("E", "answer with one of: 'A', 'B', 'C', 'D'")
    task("q5b").assert_check_failed(2, "answer with one of: 'A', 'B', 'C', 'D'.")
