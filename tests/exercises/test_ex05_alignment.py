"""Exercise 05's self-checks (``smarketing.exercises.ex05_alignment``): a good answer passes, each common
mistake gets its targeted message, and no message gives the expected value away. Good answers are computed
here by hand with pandas, not taken from the checks."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pandas as pd

from smarketing.exercises import company, find_task

task = partial(find_task, "05_alignment")
_WEEKS, _ATTEMPTS = 13, 6
_RATES = {"mql": 0.30, "sal": 0.85, "sql": 0.30, "opportunity": 0.50, "won": 0.28}
_REFERENCE = {"smb": 0.50, "mid_market": 0.35, "enterprise": 0.15}


def _hides(text: str, *values: float) -> None:
    """The expected values appear nowhere in a message, however they are written."""
    shown = [form for value in values for form in (f"{value:.4g}", f"{value:.3g}", f"{value:.2f}") if form in text]
    assert not shown, (shown, text)


def _journeys(only_customers: bool = True) -> tuple[pd.DataFrame, pd.Series]:
    """vela's touchpoints (of customers only, or of every lead) and each customer's won revenue."""
    vela = company("vela")
    won = vela.opportunities[vela.opportunities["outcome"] == "won"]
    revenue = won.groupby("lead_id")["amount"].sum()
    touches = vela.touchpoints
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
    assert math.isclose(right.sum(), revenue.sum())  # every customer has a journey at vela
    assert "More checks run at grading" in task("q1").assert_check_passed(right)
    task("q1").assert_check_passed(right.sort_values())  # order does not matter
    task("q1").assert_check_passed(right.rename_axis("channel").reset_index(name="credit"))  # a table works too
    task("q1").assert_check_passed(right.to_dict())
    task("q1").assert_check_passed(pd.concat([right, pd.Series({"unused": 0.0})]))  # an empty category is fine
    secrets = tuple(right.round(0))
    vela = company("vela")
    created = vela.leads["lead_id"].map(revenue).fillna(0.0).groupby(vela.leads["channel"].astype(str)).sum()
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
            (right * 0.99, f"is not right yet ({len(right)} of {len(right)} wrong)"),
            (right * 1.01, "add up to more than vela's won revenue")):
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


def _givens() -> tuple[float, float, int]:
    """argo's target (half as much again as its average quarter of 2025, to 10,000), average won deal (to 1,000)
    and sales reps, by hand from its records."""
    argo = company("argo")
    won = argo.opportunities[argo.opportunities["outcome"].astype(str) == "won"]
    in_2025 = (won["closed_at"] >= pd.Timestamp("2025-01-01")) & (won["closed_at"] < pd.Timestamp("2026-01-01"))
    target = round(1.5 * float(won.loc[in_2025, "amount"].sum()) / 4 / 10_000) * 10_000
    deal = round(float(won["amount"].sum()) / len(won) / 1_000) * 1_000
    reps = int(argo.employees["title"].astype(str).eq("Sales Rep").sum())
    return target, deal, reps


def _needed(rounding=lambda x: math.ceil(x - 1e-9), skip: str = "") -> int:
    """MQLs for the quarter, worked back by hand: customers, opportunities, SQLs, SALs, MQLs."""
    target, deal, _reps = _givens()
    needed = rounding(target / deal)
    for stage in ("won", "opportunity", "sql", "sal"):
        needed = needed if stage == skip else rounding(needed / _RATES[stage])
    return needed


def test_q3_the_agreed_rates_never_trip_a_plain_ceil():
    """The task's solution rounds up with a plain math.ceil, the checks with a tolerance: with these rates, a whole
    number divided by a rate never lands a hair above a whole quotient, so the two agree for any cohort's argo."""
    for rate in _RATES.values():
        assert all(math.ceil(n / rate) == math.ceil(n / rate - 1e-9) for n in range(1, 20_000)), rate


def test_q3_sla_arithmetic():
    target, deal, reps = _givens()
    assert target > 0 and deal > 0 and reps >= 1  # a small team always keeps a level-1 seller
    mqls = _needed()
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
    per_rep = mqls * _ATTEMPTS / (_WEEKS * reps)
    task("q3b").assert_check_passed(per_rep)
    _hides(task("q3b").assert_check_failed(mqls / (_WEEKS * reps), "6 follow-up attempts, not one"), per_rep)
    _hides(task("q3b").assert_check_failed(mqls * _ATTEMPTS / _WEEKS, "share them among argo's sales reps"), per_rep)
    _hides(task("q3b").assert_check_failed(mqls * _ATTEMPTS / reps, "whole quarter"), per_rep)
    _hides(task("q3b").assert_check_failed(unrounded * _ATTEMPTS / (_WEEKS * reps), "start from whole MQLs"), per_rep)


def test_q3_a_mistake_that_gives_the_right_number_is_no_mistake(monkeypatch):
    """argo's target and deal are drawn anew per cohort: when a division comes out whole, rounding up at the end
    only gives the right number, and the check must accept it rather than call it a mistake."""
    from smarketing.exercises import ex05_alignment

    monkeypatch.setattr(ex05_alignment, "sla_givens", lambda name="argo": (21 * 100_000.0, 100_000.0, 7))
    whole = math.ceil(21 / 0.28)
    for stage in ("opportunity", "sql", "sal"):
        whole = math.ceil(whole / _RATES[stage])
    task("q3a").assert_check_passed(whole / _WEEKS)
    task("q3b").assert_check_passed(whole * _ATTEMPTS / (_WEEKS * 7))


def _segments() -> pd.DataFrame:
    rows = []
    for name in ("vela", "argo"):
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
    task("q4a").assert_check_failed(right[right["company"] == "vela"], "holds one company")
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


def test_q4_the_confounder_shows_in_the_committed_cohort():
    """Task 4 and the reflection's rubric ask what the segment mix does to the gap: in the committed cohort, the
    aligned vela sells more to the segments that convert best, and standardising the mix shrinks the gap."""
    table = _segments()
    naive = table.groupby("company")["sqls"].sum() / table.groupby("company")["mqls"].sum()
    adjusted = _weighted(_REFERENCE)
    assert naive["vela"] > naive["argo"] and adjusted["vela"] > adjusted["argo"]
    assert 0 < adjusted["vela"] - adjusted["argo"] < naive["vela"] - naive["argo"]
    enterprise = table.set_index(["company", "segment"])["mql_share"].xs("enterprise", level="segment")
    assert enterprise["vela"] > enterprise["argo"]


def test_q4b_direct_standardisation():
    right = _weighted(_REFERENCE)
    assert right["vela"] > right["argo"]
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
    task("q4b").assert_check_failed(right.rename({"argo": "Argo"}), "Missing: argo. Not expected: Argo")
    nudged = right + pd.Series({"vela": 0.01, "argo": 0.0})
    _hides(task("q4b").assert_check_failed(nudged, "the value for vela is not right yet (1 of 2 wrong)"), *secrets)


def _letter(task_name: str, option: str) -> str:
    """The letter this cohort shows an option under, read from the options the learner prints."""
    shown = {}
    for line in _printed_options(task_name).splitlines():
        letter, _dot, text = line.partition(". ")
        shown[" ".join(text.split())] = letter
    from smarketing.exercises import ex05_alignment

    options = ex05_alignment.VERDICT_OPTIONS if task_name == "q5a" else ex05_alignment.GROWTH_OPTIONS
    return shown[" ".join(options[option].split())]


def _printed_options(task_name: str) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        task(task_name).options()
    return out.getvalue()


def test_q5_judging_the_claim():
    right = {"q5a": _letter("q5a", "cannot_test"), "q5b": _letter("q5b", "pipelines_filled")}
    task("q5a").assert_check_passed(right["q5a"])
    task("q5a").assert_check_passed(right["q5a"].lower())
    task("q5b").assert_check_passed(right["q5b"])
    for option, message in (("measures", "can neither confirm nor measure"),
                            ("supports_direction", "in direction any more than in size"),
                            ("disproves", "cannot disprove")):
        task("q5a").assert_check_failed(_letter("q5a", option), message)
    for option, message in (("usable_reading", "when each pipeline filled"), ("price_rises", "records a price change"),
                            ("churn", "churn after the sale")):
        task("q5b").assert_check_failed(_letter("q5b", option), message)
    task("q5a").assert_check_failed("E", "answer with one letter of the options, as a string: 'A', 'B', 'C', 'D'")
    task("q5b").assert_check_failed(2, "answer with one letter of the options")
    assert [line[:3] for line in _printed_options("q5a").splitlines()] == ["A. ", "B. ", "C. ", "D. "]


def test_q5_the_options_are_lettered_per_cohort(monkeypatch):
    """Each cohort's learners see the options in another order: under another cohort's key the right option's letter
    changes for at least one of the two questions, and the right answer passes under each cohort."""
    from smarketing.exercises import ex05_alignment, shared

    right = {"q5a": "cannot_test", "q5b": "pipelines_filled"}
    assert ex05_alignment.RIGHT_OPTIONS == right
    letters = {}
    for cohort in ("2026-autumn", "2027-spring", "2027-autumn", "2028-spring"):
        monkeypatch.setattr(shared, "cohort", lambda cohort=cohort: cohort)
        letters[cohort] = {name: _letter(name, option) for name, option in right.items()}
        for name, letter in letters[cohort].items():
            task(name).assert_check_passed(letter)
            wrong = next(other for other in "ABCD" if other != letter)
            task(name).assert_check_failed(wrong)
    assert len({tuple(sorted(shown.items())) for shown in letters.values()}) > 1, letters
    assert letters["2026-autumn"] != letters["2027-spring"], "the cohort the release tests draw letters differently"


def _options(grade_id: str) -> dict[str, str]:
    """The options of task 5's questions, by stable id, as the checks letter them for the learner."""
    from smarketing.exercises import ex05_alignment

    options = ex05_alignment.VERDICT_OPTIONS if grade_id == "q5a" else ex05_alignment.GROWTH_OPTIONS
    return {option: " ".join(text.split()) for option, text in options.items()}


def test_q5_the_notebook_sends_the_learner_to_the_options():
    """The option texts live in the checks, lettered per cohort; the notebook tells the learner to print them and
    states none of them (a letter written in the text would be last term's)."""
    import nbformat

    from tests.conftest import ROOT

    cells = nbformat.read(ROOT / "solutions" / "05_alignment" / "05_alignment.ipynb", as_version=4).cells
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    codes = [c.source.strip() for c in cells if c.cell_type == "code"]
    assert "q5a.options()" in codes and "q5b.options()" in codes
    for options in (_options("q5a"), _options("q5b")):
        assert not any(option[:40] in " ".join(text.split()) for option in options.values())


def test_q5_the_right_option_is_neither_always_the_longest_nor_the_most_hedged():
    """A test-writing tell: the right option must not be the longest and most careful one. In one question it is
    short and plain; in each, a wrong option is longer and more hedged than the right one."""
    hedges = ("probably", "roughly", "broadly", "some care", "somewhat", "although", "if not", "likeliest")
    right = {"q5a": "cannot_test", "q5b": "pipelines_filled"}
    lengths = {}
    for question, option in right.items():
        options = _options(question)
        assert len(options) == 4 and option in options, options
        longest = max(options, key=lambda k: len(options[k]))
        assert longest != option, (question, options)
        hedged = {k: sum(h in v.lower() for h in hedges) for k, v in options.items()}
        assert hedged[option] == 0 and max(hedged.values()) >= 2, (question, hedged)
        lengths[question] = sorted(options, key=lambda k: len(options[k])).index(option)
    assert min(lengths.values()) == 0  # somewhere the right option is the shortest


# ---- the design deliverable: a one-page SLA for argo ------------------------------------------------------------

def _sla(**changes) -> dict:
    """A workable SLA for argo, with its MQLs worked back by hand from the target (task 3's plan) at the agreed
    rates' lead value, rounded up to a whole MQL a week."""
    page = {
        "mqls_per_week": math.ceil(_needed() / _WEEKS),
        "lead_value": {"metric": "mql_to_sql_rate", "minimum": _RATES["sal"] * _RATES["sql"]},
        "acceptance_hours": 4, "response_hours": 24, "attempts": _ATTEMPTS,
        "escalation": {"trigger": "late_response_share", "threshold": 0.1, "owner": "Sales Director",
                       "path": ["VP Sales", "CEO"]},
        "review_weeks": 4,
    }
    return page | changes


def test_q6_many_slas_pass():
    assert "More checks run at grading" in task("q6").assert_check_passed(_sla())
    task("q6").assert_check_passed(_sla(mqls_per_week=_needed() / _WEEKS))  # the plan's own figure, unrounded
    task("q6").assert_check_passed(_sla(mqls_per_week=1.3 * _needed() / _WEEKS))  # a buffer
    task("q6").assert_check_passed(_sla(acceptance_hours=24))  # the two clocks may be the same
    # leads worth more need fewer of them: the SQLs the plan needs ÷ a higher MQL → SQL minimum
    target, deal, _reps = _givens()
    customers = math.ceil(target / deal - 1e-9)
    sqls = math.ceil(math.ceil(customers / _RATES["won"] - 1e-9) / _RATES["opportunity"] - 1e-9)
    task("q6").assert_check_passed(_sla(mqls_per_week=math.ceil(sqls / 0.4) / _WEEKS,
                                        lead_value={"metric": "mql_to_sql_rate", "minimum": 0.4}))
    task("q6").assert_check_passed(_sla(lead_value={"metric": "mql_to_sal_rate", "minimum": 0.9}))
    pipeline = _RATES["sal"] * _RATES["sql"] * _RATES["opportunity"] * deal
    task("q6").assert_check_passed(_sla(lead_value={"metric": "pipeline_per_mql", "minimum": pipeline}))
    both_ways = [_sla()["escalation"],
                 {"trigger": "lead_value", "threshold": 0.18, "over_weeks": 4, "owner": "VP Marketing", "path": "CEO"},
                 {"trigger": "mqls_per_week", "threshold": 10, "owner": "VP Marketing", "path": ["CEO"]}]
    task("q6").assert_check_passed(_sla(escalation=both_ways))


def test_q6_each_broken_rule_is_named_and_no_figure_is_given_away():
    right = _needed() / _WEEKS
    for wrong, message in (
            ({k: v for k, v in _sla().items() if k != "lead_value"}, "nothing about what they are worth"),
            ({k: v for k, v in _sla().items() if k not in ("acceptance_hours", "response_hours")} | {"sla_hours": 24},
             "one clock for sales"),
            (_sla(mqls_per_week=0.8 * right), "below what the target needs at the lead value you commit to"),
            (_sla(mqls_per_week=2 * right), "far above what the target needs"),
            (_sla(lead_value={"metric": "mql_to_sql_rate", "minimum": 0.1}), "lower than the rates both teams agreed"),
            (_sla(lead_value={"metric": "mql_to_sql_rate", "minimum": 25.5}), "a rate is a share between 0 and 1"),
            (_sla(lead_value={"metric": "leads", "minimum": 10}), "Volume alone invites marketing to lower the bar"),
            (_sla(acceptance_hours=48), "Keep the acceptance SLA the shorter clock"),
            (_sla(response_hours=0), "response_hours should be a number of hours above zero"),
            (_sla(attempts=0), "attempts should be a whole number of at least 1"),
            (_sla(review_weeks=26), "at most 13"),
            (_sla(escalation=[]), "an SLA without an escalation has no answer to a miss"),
            (_sla(escalation=_sla()["escalation"] | {"owner": "sales and marketing"}), "give one role"),
            (_sla(escalation=_sla()["escalation"] | {"owner": "sales"}), "is a whole function"),
            (_sla(escalation=_sla()["escalation"] | {"owner": ""}), "has no owner"),
            (_sla(escalation=_sla()["escalation"] | {"path": []}), "has no path"),
            (_sla(escalation=_sla()["escalation"] | {"trigger": "mood"}), "is not a figure a weekly report computes"),
            (_sla(escalation=_sla()["escalation"] | {"threshold": 10}), "a share lies between 0 and 1"),
            (_sla(escalation=_sla()["escalation"] | {"threshold": None}), "has no threshold"),
            (_sla(escalation={"trigger": "mqls_per_week", "threshold": 1000, "owner": "VP Marketing", "path": ["CEO"]}),
             "it would fire while marketing keeps its word"),
            (_sla(escalation=_sla()["escalation"] | {"over_weeks": 52}), "over_weeks"),
            (list(_sla().items()), "Store it as a dictionary")):
        _hides(task("q6").assert_check_failed(wrong, message), right, right * _WEEKS)
    several = task("q6").assert_check_failed(_sla(acceptance_hours=48, attempts=0, review_weeks=0,
                                                  escalation={"trigger": "mood"}), "your SLA has")
    assert "more: fix these first" in several


def test_q6_the_agreed_rates_make_the_same_volume_both_ways():
    """At the agreed rates' lead value, the MQLs worked back from the SQLs (÷ MQL → SQL at once) are those of task 3
    (÷ SQL rate, rounded, ÷ SAL rate): the model SLA commits to task 3's volume in this cohort."""
    from smarketing import sla_rules
    from smarketing.exercises import ex05_alignment

    target, deal, _reps = _givens()
    value = {"metric": "mql_to_sql_rate", "minimum": _RATES["sal"] * _RATES["sql"]}
    assert abs(sla_rules.mqls_needed(target, deal, ex05_alignment.SLA_RATES, value) - _needed()) <= 1


def _holdout_by_hand() -> tuple[float, pd.DataFrame, int]:
    """Task 6 by hand: argo's channel of largest spend paused in south and west for 2025; the lift per region-week
    by difference-in-differences over 52 weeks before and 52 during, the weekly table, and the leads last touch
    credits the channel with there and then."""
    from smarketing.datasets.generator import experiments

    argo = company("argo")
    channel = argo.campaigns.groupby(argo.campaigns["channel"].astype(str))["spend"].sum().idxmax()
    regions, start, end = ["south", "west"], pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31")
    leads = experiments.geo_holdout(argo, channel, tuple(regions), start, end).leads
    week = np.floor((leads["created_at"] - start).dt.total_seconds() / (7 * 86_400)).astype(int)
    keep = week.between(-52, 51)
    counts = leads[keep].groupby([week[keep], leads.loc[keep, "region"].astype(str)]).size().unstack(fill_value=0)
    table = pd.DataFrame({"holdout": counts[regions].mean(axis=1),
                          "control": counts.drop(columns=regions).mean(axis=1)})
    table["gap"] = table["holdout"] - table["control"]
    lift = table.loc[table.index >= 0, "gap"].mean() - table.loc[table.index < 0, "gap"].mean()
    real = argo.leads
    credited = int((real["channel"].astype(str).eq(channel) & real["region"].astype(str).isin(regions)
                    & (real["created_at"] >= start) & (real["created_at"] < end)).sum())
    return float(lift), table, credited


def test_q7_the_holdout_test_and_its_common_mistakes():
    lift, table, credited = _holdout_by_hand()
    assert len(table) == 104 and lift < 0  # the committed cohort's pause cost leads
    share = -lift * 52 * 2 / credited
    assert "More checks run at grading" in task("q7a").assert_check_passed(lift)
    task("q7b").assert_check_passed(share)
    before, during = table[table.index < 0].mean(), table[table.index >= 0].mean()
    for wrong, message in ((-lift, "the sign is not"),
                           (during["holdout"] - before["holdout"], "how the holdout regions changed on their own"),
                           (during["gap"], "the gap during the test alone"),
                           (2 * lift, "you added the regions of each group up"),
                           (-lift * 104, "the test's total in leads")):
        _hides(task("q7a").assert_check_failed(wrong, message), lift)
    _hides(task("q7a").assert_check_failed(lift + 0.5, "not the right value yet"), lift)
    argo = company("argo")
    channel = argo.campaigns.groupby(argo.campaigns["channel"].astype(str))["spend"].sum().idxmax()
    everywhere = int((argo.leads["channel"].astype(str).eq(channel)
                      & argo.leads["created_at"].between("2025-01-01", "2025-12-31", inclusive="left")).sum())
    for wrong, message in ((1 / share, "the other way round"), (100 * share, "looks like a percentage"),
                           (-lift / credited, "turn it into the test's leads lost first"),
                           (-lift * 104 / everywhere, "in every region")):
        _hides(task("q7b").assert_check_failed(wrong, message), share)
    assert task("q7a").judge(None)[0] == "not attempted" and len(task("q7b").hints) == 2


def _tide_by_hand() -> tuple[float, float, float, float]:
    """Task 7 by hand: the 2025Q3 cohort's share back within 120 days (shoppers followed 120 days), the share of
    the whole cohort, the AUC of the health score −2 late −1 ticket for a return within 180 days (shoppers followed
    180 days), and the AUC of lateness alone."""
    from smarketing.scoring import auc

    tide = company("tide")
    orders = tide.orders.sort_values(["customer_id", "ordered_at"])
    nth = orders.groupby("customer_id").cumcount()
    first = orders[nth == 0].set_index("customer_id")
    second = orders[nth == 1].set_index("customer_id")["ordered_at"].reindex(first.index)
    gap = (second - first["ordered_at"]) / pd.Timedelta(days=1)
    followed = (tide.orders["ordered_at"].max() - first["ordered_at"]) / pd.Timedelta(days=1)
    cohort = first["ordered_at"].dt.to_period("Q").astype(str) == "2025Q3"
    retained = float((gap[cohort & (followed >= 120)] <= 120).mean())
    everyone = float((gap[cohort] <= 120).mean())
    late = (first["delivered_at"].dt.normalize() > first["promised_by"]).astype(int)
    ticket = first["order_id"].isin(set(tide.support_tickets["order_id"].dropna())).astype(int)
    known = followed >= 180
    back = (gap[known] <= 180).astype(int)
    return retained, everyone, auc(-2 * late[known] - ticket[known], back), auc(-late[known], back)


def test_q8_tide_after_the_sale_and_its_common_mistakes():
    retained, everyone, health, late_only = _tide_by_hand()
    assert 0 < everyone < retained < 1 and 0.5 < health < 1
    assert "More checks run at grading" in task("q8a").assert_check_passed(retained)
    task("q8b").assert_check_passed(health)
    _hides(task("q8a").assert_check_failed(everyone, "have not had 120 days"), retained)
    _hides(task("q8a").assert_check_failed(100 * retained, "looks like a percentage"), retained)
    _hides(task("q8b").assert_check_failed(1 - health, "the wrong way round"), health)
    _hides(task("q8b").assert_check_failed(late_only, "lateness alone"), health)
    _hides(task("q8b").assert_check_failed(health - 0.01, "not the right value yet"), health)
    assert len(task("q8a").hints) == 2 and task("q8b").judge(None)[0] == "not attempted"


def test_q7c_the_regression_on_argo_s_history():
    from smarketing import measurement

    argo = company("argo")
    channel = argo.campaigns.groupby(argo.campaigns["channel"].astype(str))["spend"].sum().idxmax()
    mine = argo.campaigns[argo.campaigns["channel"].astype(str) == channel]
    # By hand: each campaign's spend spread over its days, summed by month; the channel's leads by month.
    days = [pd.date_range(s, e) for s, e in zip(mine["start_date"], mine["end_date"], strict=True)]
    daily = pd.concat([pd.Series(spend / len(d), index=d) for spend, d in zip(mine["spend"], days, strict=True)])
    months = pd.period_range("2024-01", "2025-12", freq="M")
    spend = daily.groupby(daily.index.to_period("M")).sum().reindex(months, fill_value=0.0).to_numpy()
    leads = (argo.leads.loc[argo.leads["channel"].astype(str) == channel, "created_at"].dt.to_period("M")
             .value_counts().reindex(months, fill_value=0).to_numpy(dtype=float))
    design = np.column_stack([np.ones(22), spend[2:], spend[1:-1], spend[:-2]])
    coefficients = np.linalg.lstsq(design, leads[2:], rcond=None)[0]
    right = 1000 * coefficients[1:].sum()
    assert "More checks run at grading" in task("q7c").assert_check_passed(right)
    monthly = measurement.monthly_spend_and_leads(argo.campaigns, argo.leads, channel)
    only_now = measurement.spend_response(monthly, channel, lags=0).leads_per_thousand
    _hides(task("q7c").assert_check_failed(only_now, "reads this month's spend only"), right)
    _hides(task("q7c").assert_check_failed(right / 1000, "per unit of spend"), right)


def _argo_pay_by_hand():
    """argo's SQLs at each threshold, sales' follow-up set by its load as task 8 says (the law written out here
    from generator.pay's docstring, not taken from it): never-called share and median minutes grow with the MQLs."""
    from smarketing.datasets.generator import generate_leads
    from smarketing.datasets.generator.cohorts import cohort_profile

    argo = company("argo")
    profile = cohort_profile("argo", argo.params["cohort"])
    scores, leads = argo.leads["score"], argo.leads
    today = (scores >= profile.mql_threshold).sum()
    can_call = (leads["mql_at"].notna() & leads["first_response_minutes"].notna()).sum()

    def sqls(threshold, sla):
        mqls = (scores >= threshold).sum()
        never = max(profile.never_contacted_share / (3 if sla else 1), 1 - can_call / mqls)
        overrides = {"mql_threshold": threshold, "never_contacted_share": min(never, 0.95),
                     "response_median_minutes": profile.response_median_minutes * mqls / today / (4 if sla else 1)}
        return generate_leads("argo", seed=argo.params["seed"], cohort=argo.params["cohort"],
                              overrides=overrides)["sql_at"].notna().sum()

    with_sla = {t: sqls(t, True) for t in range(40, 75, 5)}
    alone = {t: sqls(t, False) for t in range(40, 75, 5)}
    return with_sla, alone


def test_q9_argo_s_pay_plans_and_their_common_mistakes():
    with_sla, alone = _argo_pay_by_hand()
    best = max(with_sla, key=lambda t: (with_sla[t], -t))
    gain = (with_sla[best] - alone[40]) / alone[40]
    assert "More checks run at grading" in task("q9a").assert_check_passed(best)
    task("q9b").assert_check_passed(gain)
    wrong_threshold = max(alone, key=lambda t: (alone[t], -t))
    if wrong_threshold != best:
        _hides(task("q9a").assert_check_failed(wrong_threshold, "sales works alone"), best)
    _hides(task("q9b").assert_check_failed(float(with_sla[best] - alone[40]), "difference in SQLs"), gain)
    _hides(task("q9b").assert_check_failed((with_sla[best] - alone[40]) / with_sla[best], "where you start"), gain)
    _hides(task("q9b").assert_check_failed(100 * gain, "percent"), gain)
    _hides(task("q9b").assert_check_failed(gain * 1.1, "not the right value yet"), gain)


def _w_shaped_by_hand(cut=True, later_too=True, weights=(0.3, 0.3, 0.3, 0.1)):
    """vela's e-mail share under W-shaped, one journey at a time with plain pandas (weights: first, lead creation,
    opportunity creation, the rest; (0.4, 0, 0.4, 0.2) is the U-shaped rule)."""
    vela = company("vela")
    won = vela.opportunities[vela.opportunities["outcome"] == "won"]
    revenue, opened = won.groupby("lead_id")["amount"].sum(), won.groupby("lead_id")["created_at"].min()
    credit = {}
    before_all = vela.touchpoints[vela.touchpoints["lead_id"].isin(revenue.index)]
    later_all = vela.later_touchpoints[vela.later_touchpoints["lead_id"].isin(revenue.index)]
    for lead, before in before_all.groupby("lead_id"):
        before = before.sort_values("touched_at", kind="stable")
        later = later_all[later_all["lead_id"] == lead].sort_values("touched_at", kind="stable")
        if cut:
            later = later[later["touched_at"] <= opened[lead]]
        if not later_too:
            later = later.iloc[0:0]
        channels = list(before["channel"].astype(str)) + list(later["channel"].astype(str))
        n, created = len(channels), len(before) - 1
        shares = [0.0] * n
        shares[0] += weights[0]
        shares[created] += weights[1]
        shares[n - 1] += weights[2]
        keys = (0, n - 1) + ((created,) if weights[1] else ())  # the U-shaped rule has no lead-creation key
        rest = [k for k in range(n) if k not in keys]
        for k in rest:
            shares[k] += weights[3] / len(rest)
        total = sum(shares)
        for channel, share in zip(channels, shares, strict=True):
            credit[channel] = credit.get(channel, 0.0) + share / total * revenue[lead]
    return credit.get("email", 0.0) / sum(credit.values())


def test_q10_w_shaped_over_the_whole_journey_and_its_common_mistakes():
    right = _w_shaped_by_hand()
    assert "More checks run at grading" in task("q10").assert_check_passed(right)
    _hides(task("q10").assert_check_failed(_w_shaped_by_hand(later_too=False), "only the touches up to"), right)
    _hides(task("q10").assert_check_failed(_w_shaped_by_hand(cut=False), "after the opportunity"), right)
    _hides(task("q10").assert_check_failed(_w_shaped_by_hand(weights=(0.4, 0.0, 0.4, 0.2)), "U-shaped"), right)
    _hides(task("q10").assert_check_failed(100 * right, "percent"), right)
