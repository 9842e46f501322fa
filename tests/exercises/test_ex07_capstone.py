"""Exercise 07's self-checks (``smarketing.exercises.ex07_capstone``): a good answer passes, each common mistake
gets its targeted message, no message gives the expected value away, and no text states a number of argo's
(it is drawn anew for each cohort). Good answers are computed here by hand with pandas, not taken from the
checks."""

from __future__ import annotations

import itertools
import math
import re
from functools import partial

import nbformat
import numpy as np
import pandas as pd
import pytest

from smarketing.exercises import company, find_task, tasks
from tests.conftest import ROOT

task = partial(find_task, "07_capstone")
TYPICAL = {"mql": 0.25, "sal": 0.8, "sql": 0.5, "opportunity": 0.45, "won": 0.25}  # module 03's blog rates
STAGES = ["lead", "mql", "sal", "sql", "opportunity", "won"]
SEGMENTS = ["smb", "mid_market", "enterprise"]


def _argo():
    return company("argo")


def _reached() -> dict[str, pd.Series]:
    leads, deals = _argo().leads, _argo().opportunities
    return {"lead": pd.Series(True, index=leads.index), "mql": leads["mql_at"].notna(),
            "sal": leads["sal_at"].notna(), "sql": leads["sql_at"].notna(),
            "opportunity": leads["lead_id"].isin(deals["lead_id"]),
            "won": leads["lead_id"].isin(deals.loc[deals["outcome"] == "won", "lead_id"])}


def _rates() -> pd.Series:
    """argo's cohort conversion of each step, by hand, indexed by the stage it leads to."""
    reached = _reached()
    return pd.Series({b: (reached[a] & reached[b]).sum() / reached[a].sum() for a, b in itertools.pairwise(STAGES)})


def _vs_typical() -> pd.Series:
    return _rates() / pd.Series(TYPICAL)


def _mql_minutes() -> pd.Series:
    leads = _argo().leads
    return leads.loc[leads["mql_at"].notna(), "first_response_minutes"]


def _gap(leads: pd.DataFrame, within: float = 60, never_slow: bool = False, strict: bool = False) -> float:
    """Task 3 by hand: SQL rate of the MQLs answered within ``within`` minutes minus that of those answered
    later; the variants are the common mistakes."""
    mqls = leads[leads["mql_at"].notna()]
    minutes = mqls["first_response_minutes"]
    if not never_slow:
        mqls, minutes = mqls[minutes.notna()], minutes[minutes.notna()]
    fast = minutes < within if strict else minutes <= within
    qualified = mqls["sql_at"].notna()
    return float(qualified[fast].mean() - qualified[~fast].mean())


def _segment_gaps(**variant) -> pd.Series:
    leads = _argo().leads
    return pd.Series({s: _gap(leads[leads["segment"] == s], **variant) for s in SEGMENTS})


def _segment_weights() -> pd.Series:
    leads = _argo().leads
    contacted = leads[leads["mql_at"].notna() & leads["first_response_minutes"].notna()]
    counts = contacted["segment"].astype(str).value_counts().reindex(SEGMENTS)
    return counts / counts.sum()


def _revenue(rates: pd.Series, per_year: float | None = None, deal: float | None = None) -> float:
    leads, deals = _argo().leads, _argo().opportunities
    created = leads["created_at"]
    months = (created.max().year - created.min().year) * 12 + created.max().month - created.min().month + 1
    per_year = len(leads) / months * 12 if per_year is None else per_year
    deal = deals.loc[deals["outcome"] == "won", "amount"].mean() if deal is None else deal
    return per_year * float(np.prod(rates.to_numpy())) * deal


def _within_hour_rates() -> pd.Series:
    """module 03's correction by hand: SAL → SQL divided by the mean speed effect of the accepted leads."""
    leads = _argo().leads
    minutes = leads.loc[leads["sal_at"].notna(), "first_response_minutes"].dropna()
    effect = np.where(minutes <= 60, 1.0, (60 / minutes.clip(lower=60)) ** 0.5).mean()
    rates = _rates()
    rates["sql"] = min(1.0, rates["sql"] / effect)
    return rates


def _stake(**inputs) -> float:
    return _revenue(_within_hour_rates(), **inputs) - _revenue(_rates(), **inputs)


def test_q1_the_step_furthest_short_of_typical():
    ratios = _vs_typical()
    assert ratios.min() < 1 < ratios.max()  # a misaligned company: some steps short of typical, some not
    leakiest = str(ratios.idxmin())
    assert "More checks run at grading" in task("q1").assert_check_passed(leakiest)
    task("q1").assert_check_passed(f" {leakiest.upper()} ")
    before = STAGES[STAGES.index(leakiest) - 1]
    for wrong, message in ((before, "the stage the step starts from"),
                           (str(ratios.idxmax()), "does best against its typical rate"),
                           (f"{before} → {leakiest}", "name one stage"),
                           ("pricing", "one of 'mql', 'sal', 'sql', 'opportunity', 'won'"),
                           (ratios.min(), "as text")):
        text = task("q1").assert_check_failed(wrong, message)
        assert f"{ratios.min():.3g}" not in text and leakiest not in text.split("one of")[0], text
    for other in [s for s in STAGES[1:] if s not in (leakiest, before, str(ratios.idxmax()), str(_rates().idxmin()))]:
        task("q1").assert_check_failed(other, "furthest short of its typical rate")


def test_q1_the_lowest_raw_rate_is_a_mistake_only_when_it_is_another_step():
    lowest_rate = str(_rates().idxmin())
    if lowest_rate == str(_vs_typical().idxmin()):  # this cohort's two readings agree: the right answer passes
        task("q1").assert_check_passed(lowest_rate)
    else:
        task("q1").assert_check_failed(lowest_rate, "compare each step with its own typical rate")


def test_q2_leakage_and_who_caused_it():
    minutes = _mql_minutes()
    never, late = int(minutes.isna().sum()), int((minutes > 1440).sum())
    right = (never + late) / len(minutes)
    assert 0 < never and 0 < right < 1
    assert "More checks run at grading" in task("q2a").assert_check_passed(right)
    secret = f"{right:.4g}"
    for wrong, message in ((float(((minutes > 24) | minutes.isna()).mean()), "a day is 24 × 60 of them"),
                           (late / len(minutes), "never contacted (an empty first_response_minutes) leaked too"),
                           (never / len(minutes), "you counted only the MQLs never contacted"),
                           ((never + late) / len(_argo().leads), "you divided by all leads"),
                           (1 - right, "the share answered in time"),
                           (100 * right, "looks like a percentage")):
        assert secret not in task("q2a").assert_check_failed(wrong, message)

    share = never / (never + late)
    assert "More checks run at grading" in task("q2b").assert_check_passed(share)
    for wrong, message in ((never / len(minutes), "you divided by all MQLs"),
                           (1 - share, "answered late"),
                           (never / len(_argo().leads), "you divided by all leads"),
                           (0.5, "not the right value yet")):
        assert f"{share:.4g}" not in task("q2b").assert_check_failed(wrong, message)


def test_q3_speed_to_lead_gap():
    leads = _argo().leads
    right = _gap(leads)
    assert "More checks run at grading" in task("q3").assert_check_passed(right)
    task("q3").assert_check_passed(np.float64(right))
    mqls = leads[leads["mql_at"].notna() & leads["first_response_minutes"].notna()]
    fast = mqls["first_response_minutes"] <= 60
    rates = mqls.groupby(fast)["sql_at"].apply(lambda s: s.notna().mean())
    accepted = mqls[mqls["sal_at"].notna()]
    fast_accepted = accepted["first_response_minutes"] <= 60
    over_accepted = (accepted.loc[fast_accepted, "sql_at"].notna().mean()
                     - accepted.loc[~fast_accepted, "sql_at"].notna().mean())
    secret = f"{right:.4g}"
    for wrong, message in ((_gap(leads, never_slow=True), "never contacted are in your slow group"),
                           (-right, "the slow group's rate minus the fast group's"),
                           (rates[True] / rates[False], "a ratio of the two rates"),
                           (100 * right, "looks like percentage points"),
                           (over_accepted, "divided each group's SQLs by its accepted leads"),
                           (37.0, "lies between −1 and 1"),
                           (right + 0.01, "not the right value yet")):
        assert secret not in task("q3").assert_check_failed(wrong, message)
    strict = _gap(leads, strict=True)
    if not math.isclose(strict, right, rel_tol=1e-9):  # some MQLs of this cohort were answered at exactly 60 min
        task("q3").assert_check_failed(strict, "use <=, not <")
    task("q3").assert_check_failed(pd.Series([right]), "asks for one number")


def test_q4_what_a_faster_handoff_is_worth():
    today = _revenue(_rates())
    deals = _argo().opportunities
    won = deals.loc[deals["outcome"] == "won", "amount"]
    assert math.isclose(today, won.sum() / 2, rel_tol=1e-9)  # two years of data: today's model is what was won
    assert "More checks run at grading" in task("q4a").assert_check_passed(today)
    for wrong, message in ((_revenue(_rates(), per_year=float(len(_argo().leads))), "all the months of the data"),
                           (today / 12, "that is a month"),
                           (_revenue(_within_hour_rates()), "the revenue with the faster handoff"),
                           (_revenue(_rates(), deal=won.median()), "you used the median won deal"),
                           (today * 1.01, "not the right value yet")):
        text = task("q4a").assert_check_failed(wrong, message)
        assert f"{today:,.0f}" not in text and f"{today:.4g}" not in text

    right = _stake()
    assert right > 0
    assert "More checks run at grading" in task("q4b").assert_check_passed(right)
    for wrong, message in ((_stake(per_year=float(len(_argo().leads))), "all the months of the data"),
                           (right / 12, "that is a month"),
                           (_revenue(_within_hour_rates()), "the whole revenue with the faster handoff"),
                           (_stake(deal=won.median()), "you used the median won deal"),
                           (right / today, "a share of today's revenue"),
                           (round(right, -5) + 50_000, "not the right value yet")):
        text = task("q4b").assert_check_failed(wrong, message)
        assert f"{right:,.0f}" not in text and f"{right:.4g}" not in text


def test_q5_the_confounder_check():
    gaps = _segment_gaps()
    assert gaps.notna().all()
    adjusted = float((gaps * _segment_weights()).sum())
    assert "More checks run at grading" in task("q5a").assert_check_passed(adjusted)
    leads = _argo().leads
    lead_mix = leads["segment"].astype(str).value_counts(normalize=True).reindex(SEGMENTS)
    contacted = leads.loc[leads["mql_at"].notna() & leads["first_response_minutes"].notna()]
    fast_mix = contacted.loc[contacted["first_response_minutes"] <= 60, "segment"].astype(str).value_counts()
    fast_mix = fast_mix.reindex(SEGMENTS) / fast_mix.sum()
    mqls = leads[leads["mql_at"].notna()]
    never_mix = mqls["segment"].astype(str).value_counts().reindex(SEGMENTS)
    never_slow = float((_segment_gaps(never_slow=True) * never_mix / never_mix.sum()).sum())
    for wrong, message in ((float(gaps.mean()), "the same weight"),
                           (float((gaps * lead_mix).sum()), "share of all leads"),
                           (float((gaps * fast_mix).sum()), "the fast group's mix only"),
                           (never_slow, "never contacted are in your slow groups"),
                           (-adjusted, "slow minus fast"),
                           (_gap(leads), "the raw gap of task 3"),
                           (100 * adjusted, "lies between −1 and 1"),
                           (gaps, "asks for one number")):
        assert f"{adjusted:.4g}" not in task("q5a").assert_check_failed(wrong, message)

    raw = _gap(leads)
    effect = raw - adjusted
    assert abs(effect) < abs(raw)  # in this company speed is not the segment's doing: little is explained
    mine = {"speed_gap": raw, "adjusted_gap": adjusted}
    assert "More checks run at grading" in task("q5b").assert_check_passed(effect, **mine)
    for wrong, message in ((-effect, "subtract the other way round"),
                           (effect / raw, "a share of the raw gap"),
                           (effect + 0.01, "not the right value yet")):
        assert f"{effect:.4g}" not in task("q5b").assert_check_failed(wrong, message, **mine)
    # carry forward: judged on the learner's own gaps, so a slip in task 3 does not cost task 5b too
    task("q5b").assert_check_passed(round(raw, 3) - adjusted, speed_gap=round(raw, 3), adjusted_gap=adjusted)
    task("q5b").assert_check_failed(effect, "not the right value yet", speed_gap=raw + 0.01, adjusted_gap=adjusted)
    for missing in ({}, {"speed_gap": raw}, {"speed_gap": "0.07", "adjusted_gap": adjusted},
                    {"speed_gap": raw, "adjusted_gap": 7.5}):
        task("q5b").assert_check_failed(effect, "task 5b builds on tasks 3 and 5a", **missing)


def test_no_text_states_a_number_of_argo():
    """argo is drawn anew for each cohort: hints and mistake messages name no number of its data, only the
    task's own assumptions (24 × 60 minutes, the hour, 100 for percentages, 12 months)."""
    allowed = {"0", "1", "5", "24", "60", "100", "12", "0.05", "0.8", "80", "0.25", "25", "03", "07"}
    for t in tasks("07_capstone"):
        texts = list(t.hints) + [m.message for m in t.mistakes]
        numbers = {n for text in texts for n in re.findall(r"\d+(?:\.\d+)?", re.sub(r"\btasks? \d[a-z]?", "", text))}
        assert numbers <= allowed, (t.name, sorted(numbers - allowed))


@pytest.mark.parametrize("name", ["q1", "q2a", "q2b", "q3", "q4a", "q4b", "q5a", "q5b"])
def test_a_right_answer_is_never_called_a_mistake(name):
    """Every mistake detector stays silent on the right answer, whatever the cohort's data made of it."""
    minutes = _mql_minutes()
    adjusted = float((_segment_gaps() * _segment_weights()).sum())
    right = {"q1": str(_vs_typical().idxmin()), "q2a": float(((minutes > 1440) | minutes.isna()).mean()),
             "q2b": float(minutes.isna().sum() / ((minutes > 1440) | minutes.isna()).sum()),
             "q3": _gap(_argo().leads), "q4a": _revenue(_rates()), "q4b": _stake(), "q5a": adjusted,
             "q5b": _gap(_argo().leads) - adjusted}[name]
    given = {"speed_gap": _gap(_argo().leads), "adjusted_gap": adjusted} if name == "q5b" else {}
    for mistake in task(name).mistakes:
        assert not mistake.looks_like(right, **given), mistake.message


def _hidden_tests() -> dict[str, str]:
    """Each check cell's hidden tests, from the source notebook, by the task they check."""
    source = nbformat.read(ROOT / "solutions" / "07_capstone" / "07_capstone.ipynb", as_version=4)
    blocks = {}
    for cell in source.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        found = re.search(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", cell.source, re.DOTALL)
        if grade_id.endswith("-check") and found:
            blocks[grade_id.removesuffix("-check")] = found.group(1)
    return blocks


def _right_answers() -> dict[str, object]:
    minutes = _mql_minutes()
    adjusted = float((_segment_gaps() * _segment_weights()).sum())
    return {"leakiest_stage": str(_vs_typical().idxmin()),
            "leakage": float(((minutes > 1440) | minutes.isna()).mean()),
            "never_called_share": float(minutes.isna().sum() / ((minutes > 1440) | minutes.isna()).sum()),
            "speed_gap": _gap(_argo().leads), "revenue_today": _revenue(_rates()), "revenue_at_stake": _stake(),
            "adjusted_gap": adjusted, "segment_effect": _gap(_argo().leads) - adjusted}


@pytest.mark.parametrize("name", [t.name for t in tasks("07_capstone")])
def test_the_hidden_tests_pass_the_right_answer_and_catch_an_inexact_one(name):
    """The hidden tests, run on their own as the grader's judge runs them: the right answers pass; an answer
    the visible check accepts (within its tolerance) but that is not exact fails, and says so."""
    block, variable = _hidden_tests()[name], find_task("07_capstone", name).variable
    answers = _right_answers()
    exec(block, dict(answers))  # noqa: S102 - the course's own hidden tests
    if isinstance(answers[variable], str):
        wrong = {**answers, variable: STAGES[STAGES.index(answers[variable]) - 1]}
        with pytest.raises(AssertionError, match="not yet"):
            exec(block, wrong)  # noqa: S102
        return
    inexact = answers[variable] * (1 + 2e-4)
    given = {g: answers[g] for g in find_task("07_capstone", name).given}
    task(name).assert_check_passed(inexact, **given)
    with pytest.raises(AssertionError, match="close but not exact"):
        exec(block, {**answers, variable: inexact})  # noqa: S102
