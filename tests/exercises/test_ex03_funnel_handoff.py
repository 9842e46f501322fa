"""Exercise 03's self-checks (``smarketing.exercises.ex03_funnel_handoff``): a good answer passes, each common
mistake gets its targeted message, and no message gives the expected value away. Good answers are computed
here by hand with pandas, not taken from the checks. The exercise runs on argo (a graded company, with vela as
the other company its functions must handle), drawn anew for each cohort: these tests run on the committed
cohort and on two others, and assert no number of theirs, only how the answers relate."""

from __future__ import annotations

import itertools
import math
import re
from functools import partial

import numpy as np
import pandas as pd
import pytest

from smarketing.exercises import company, ex03_funnel_handoff, find_task

task = partial(find_task, "03_funnel_handoff")
STAGES = ["lead", "mql", "sal", "sql", "opportunity", "won"]
COMPANY, OTHER = "argo", "vela"
pytestmark = pytest.mark.usefixtures("cohort")  # every test on three cohorts (conftest.py)


def forget_loaded_companies() -> None:
    company.cache_clear()
    ex03_funnel_handoff._tradeoff.cache_clear()
    ex03_funnel_handoff._equal_capacity.cache_clear()


def _mistake(name: str, wrong: float, right: float, message: str, **given) -> str | None:
    """A number mistake gets its message, unless this cohort's data makes its number the right one: then
    the answer is right, however it was found."""
    if math.isclose(wrong, right, rel_tol=1e-9):
        task(name).assert_check_passed(wrong, **given)
        return None
    return task(name).assert_check_failed(wrong, message, **given)


def _conversion(name: str = COMPANY) -> pd.DataFrame:
    """The cohort conversion table, by hand: each step's leads that reached from_stage, and of those the
    ones that also reached to_stage."""
    c = company(name)
    leads, deals = c.leads, c.opportunities
    reached = {"lead": pd.Series(True, index=leads.index), "mql": leads["mql_at"].notna(),
               "sal": leads["sal_at"].notna(), "sql": leads["sql_at"].notna(),
               "opportunity": leads["lead_id"].isin(deals["lead_id"]),
               "won": leads["lead_id"].isin(deals.loc[deals["outcome"] == "won", "lead_id"])}
    rows = [{"from_stage": a, "to_stage": b, "entered": int(reached[a].sum()),
             "converted": int((reached[a] & reached[b]).sum())} for a, b in itertools.pairwise(STAGES)]
    table = pd.DataFrame(rows)
    return table.assign(rate=table["converted"] / table["entered"])


def _leakage(leads: pd.DataFrame, sla_minutes: float) -> float:
    mqls = leads[leads["mql_at"].notna()]
    if not len(mqls):
        return math.nan
    minutes = mqls["first_response_minutes"]
    return float(((minutes > sla_minutes) | minutes.isna()).mean())


def _months(leads: pd.DataFrame) -> int:
    created = leads["created_at"].dt.to_period("M")
    return (created.max() - created.min()).n + 1


def _lowest(leads, opportunities, capacity_per_month, months=None, strict=False, highest=False, total=False):
    """Task 4 by hand: count the leads scoring at least each threshold; the variants are the common mistakes."""
    months = months or _months(leads)
    score = leads["score"].astype(float)
    per_month = {t: float((score >= t).sum()) / (1 if total else months) for t in range(101)}
    within = [t for t, value in per_month.items() if (value < capacity_per_month if strict else
                                                       value <= capacity_per_month)]
    return max(within) if highest else min(within)


def _today(name: str = COMPANY) -> int:
    """Today's threshold, by hand: the lowest score of an MQL."""
    leads = company(name).leads
    return int(leads.loc[leads["mql_at"].notna(), "score"].min())


def _capacity(name: str = COMPANY, share: float = 2 / 3) -> float:
    """Task 4's assumption, by hand: two thirds of the MQLs a month that sales gets today."""
    leads = company(name).leads
    return share * leads["mql_at"].notna().sum() / _months(leads)


def _threshold() -> int:
    c = company(COMPANY)
    return _lowest(c.leads, c.opportunities, _capacity())


def _shares(threshold: float) -> dict[str, float]:
    """At a threshold, by hand: the shares of won revenue, of won deals and of leads at or above it."""
    c = company(COMPANY)
    won = c.opportunities[c.opportunities["outcome"] == "won"]
    score = won["lead_id"].map(c.leads.set_index("lead_id")["score"]).astype(float)
    kept = won[score >= threshold]
    return {"revenue": float(kept["amount"].sum() / won["amount"].sum()), "deals": len(kept) / len(won),
            "leads": float((c.leads["score"].astype(float) >= threshold).mean()),
            "amount": float(kept["amount"].sum())}


def _has_number(message: str) -> bool:
    """Whether a verdict names a number, besides the task it is about and those its text refers to."""
    return bool(re.search(r"\d", re.sub(r"^q\d\w*:|task \d|test case \d", "", message)))


def test_today_threshold_and_capacity_are_read_from_the_data():
    c = company(COMPANY)
    today = _today()
    from smarketing.datasets.generator.cohorts import cohort_profile

    assert "mql_threshold" not in c.params  # learners see the graded company's story, not its causes
    assert today == ex03_funnel_handoff.today_threshold() == cohort_profile(COMPANY, c.params["cohort"]).mql_threshold
    score, mql = c.leads["score"], c.leads["mql_at"].notna()
    assert mql[score < today].sum() == 0 and mql[score >= today].mean() > 0.98  # below it nobody is an MQL
    assert math.isclose(ex03_funnel_handoff.sales_capacity(), _capacity(), rel_tol=1e-12)
    # the capacity binds: the new threshold is above today's, and it keeps some won revenue but not all
    assert _threshold() > today and 0 < _shares(_threshold())["revenue"] < 1


def test_q1_mql_to_sql_rate():
    leads = company(COMPANY).leads
    mqls, sqls, sals = leads["mql_at"].notna().sum(), leads["sql_at"].notna().sum(), leads["sal_at"].notna().sum()
    right = sqls / mqls
    assert "More checks run at grading" in task("q1").assert_check_passed(right)
    secret = f"{right:.4g}"
    for wrong, message in ((sqls / len(leads), "you divided by all leads"), (sqls / sals, "you divided by the SALs")):
        text = _mistake("q1", wrong, right, message)
        assert text is None or secret not in text
    assert secret not in task("q1").assert_check_failed(100 * right, "looks like a percentage")
    assert secret not in task("q1").assert_check_failed(0.99, "not the right value yet")
    task("q1").assert_check_failed(pd.Series([right]), "asks for one number")


def test_q2_conversion_table():
    good = _conversion()
    categorical = good.assign(from_stage=pd.Categorical(good["from_stage"]), to_stage=pd.Categorical(good["to_stage"]))
    for answer in (good, categorical, good.assign(extra=1)):
        task("q2a").assert_check_passed(answer)
        task("q2b").assert_check_passed(answer)
    task("q2b").assert_check_passed(good.iloc[::-1])  # part b checks the numbers, part a the order
    task("q2b").assert_check_passed(good.assign(rate=good["rate"].round(4)))  # the hidden test wants them exact
    task("q2a").assert_check_passed(good.assign(rate=0.0))  # part a is the shape only
    # part a: the steps, in order, named as in funnel.STAGES
    task("q2a").assert_check_failed(good.assign(from_stage=good["from_stage"].str.upper(),
                                                to_stage=good["to_stage"].str.upper()), "in lower case")
    task("q2a").assert_check_failed(good.assign(from_stage=good["to_stage"], to_stage=good["from_stage"]),
                                    "are swapped")
    task("q2a").assert_check_failed(good.iloc[::-1].reset_index(drop=True), "in reverse order")
    task("q2a").assert_check_failed(good.set_index(["from_stage", "to_stage"]), "is in the index of your table")
    task("q2a").assert_check_failed(good.head(4), "has 4 row(s); it should have 5")
    task("q2a").assert_check_failed(good.to_dict(), "your answer is a dict; this task asks for a pandas DataFrame.")
    # part b: the numbers, with the common mistakes
    secrets = [f"{rate:.4g}" for rate in good["rate"]]
    leads = len(company(COMPANY).leads)
    for wrong, message in ((good.assign(rate=100 * good["rate"]), "look like percentages"),
                           (good.assign(rate=good["converted"] / leads), "divides by all leads"),
                           (good.assign(entered=leads, rate=good["converted"] / leads), "`entered` counts every lead"),
                           (good.assign(converted=good["converted"] + 25), "column `converted` is not right")):
        text = task("q2b").assert_check_failed(wrong, message)
        assert not [secret for secret in secrets if secret in text], text
    task("q2b").assert_check_failed(good.drop(columns="rate"), "lacks the column(s) rate")
    # the other company's table is not argo's
    task("q2b").assert_check_failed(_conversion(OTHER), "is not right")


def test_q3_leakage_function():
    leads = company(COMPANY).leads
    assert 0 < _leakage(leads, 1440) < 1 and _leakage(leads, 60) > _leakage(leads, 1440)
    assert "More checks run at grading" in task("q3").assert_check_passed(_leakage)

    def ignoring_never_contacted(leads, sla):
        mqls = leads[leads["mql_at"].notna()]
        return float((mqls["first_response_minutes"] > sla).sum() / len(mqls))

    def over_all_leads(leads, sla):
        return _leakage(leads, sla) * leads["mql_at"].notna().sum() / len(leads)

    task("q3").assert_check_failed(ignoring_never_contacted, "never contacted")
    task("q3").assert_check_failed(over_all_leads, "you divided by all leads")
    task("q3").assert_check_failed(lambda leads, sla: 1 / 0, "raised ZeroDivisionError")
    task("q3").assert_check_failed(lambda leads, sla: _leakage(leads, sla + 60),
                                   "wrong result on test case 1 (argo's leads, SLA 1440 minutes)")
    other = company(OTHER).leads
    only_argo = partial(lambda argo_leads, leads, sla: _leakage(leads, sla) if len(leads) == len(argo_leads)
                        and leads["created_at"].iloc[0] == argo_leads["created_at"].iloc[0] else 0.5, leads)
    assert not math.isclose(_leakage(other, 1440), 0.5)
    task("q3").assert_check_failed(only_argo, "wrong result on test case 3 (vela's leads, SLA 1440 minutes)")
    task("q3").assert_check_failed(0.2, "asks for a function")
    # with no MQLs the rate is undefined: the hidden tests check that edge, the visible check does not
    task("q3").assert_check_passed(lambda leads, sla: _leakage(leads, sla) if leads["mql_at"].notna().any() else 0.0)


def test_q4_lowest_threshold_function():
    c = company(COMPANY)
    right, capacity = _threshold(), _capacity()
    assert right == ex03_funnel_handoff.threshold_within(capacity)
    assert "More checks run at grading" in task("q4").assert_check_passed(_lowest, threshold=right)
    task("q4").assert_check_passed(_lowest, threshold=float(right))
    task("q4").assert_check_passed(_lowest, threshold=np.int64(right))
    # the capacity computed in another order (÷ 1.5, × 2 ÷ 3) gives the same threshold
    months = _months(c.leads)
    for other_order in (c.leads["mql_at"].notna().sum() / months / 1.5,
                        c.leads["mql_at"].notna().sum() * 2 / 3 / months):
        task("q4").assert_check_passed(_lowest, threshold=_lowest(c.leads, c.opportunities, other_order))
    text = task("q4").assert_check_failed(_lowest, "store in `threshold` its result for argo at sales' capacity")
    assert not _has_number(text), text  # the capacity is described, not given
    text = task("q4").assert_check_failed(_lowest, "should be what your function gives", threshold=right - 1)
    assert not _has_number(text), text
    all_mqls = _lowest(c.leads, c.opportunities, _capacity(share=1))
    assert all_mqls != right
    task("q4").assert_check_failed(_lowest, "at all the MQLs a month", threshold=all_mqls)

    def variant(**kind):
        return lambda leads, opportunities, capacity: _lowest(leads, opportunities, capacity, **kind)

    def mqls_not_threshold(leads, opportunities, capacity):
        return float((leads["score"].astype(float) >= _lowest(leads, opportunities, capacity)).sum())

    mistakes = [(variant(total=True), "divide the MQLs by the number of months"),
                (variant(highest=True), "you took the highest threshold"),
                (mqls_not_threshold, "returns a number of MQLs")]
    if ex03_funnel_handoff._equal_capacity() is not None:  # a capacity that a month meets exactly tells ≤ from <
        mistakes.append((variant(strict=True), "at most (≤) the capacity"))
    for wrong, message in mistakes:
        assert str(right) not in task("q4").assert_check_failed(wrong, message, threshold=right).split("not yet.")[1]
    task("q4").assert_check_failed(lambda leads, opportunities: right, "raised TypeError", threshold=right)
    for case, (wrong, described) in enumerate(((lambda *args: 0, "at its sales' capacity: two thirds of its MQLs"),
                                               (lambda leads, deals, capacity: _lowest(leads, deals, capacity)
                                                if math.isclose(capacity, _capacity()) else 0,
                                                "at a third of its MQLs a month today")), start=1):
        text = task("q4").assert_check_failed(wrong, f"wrong result on test case {case} (argo, {described}",
                                              threshold=right)
        assert not _has_number(text), text  # the cases are described, not given
    task("q4").assert_check_failed(right, "asks for a function", threshold=right)
    # the months of argo's data written into the function pass the visible check; the hidden test gives it
    # argo's first year alone
    task("q4").assert_check_passed(variant(months=months), threshold=right)
    first_year = c.leads[c.leads["created_at"] < "2025-01-01"]
    assert _lowest(first_year, c.opportunities, capacity) != variant(months=months)(first_year, c.opportunities,
                                                                                     capacity)
    # the hidden test's other company: vela at half its MQLs a month, where a threshold exists
    other = company(OTHER)
    _lowest(other.leads, other.opportunities, _capacity(OTHER, share=1 / 2))


def test_q4_tells_at_most_from_below_in_the_committed_cohort(cohort):
    if cohort is not None:
        pytest.skip("the committed cohort only: another may have no capacity that a month meets exactly")
    assert ex03_funnel_handoff._equal_capacity() is not None


def test_q5_share_at_the_learners_own_threshold():
    threshold = _threshold()
    right = _shares(threshold)["revenue"]
    assert "More checks run at grading" in task("q5").assert_check_passed(right, threshold=threshold)
    # carry forward: a learner who defends another threshold is judged at that threshold
    lower = next(t for t in range(threshold - 1, -1, -1) if not math.isclose(_shares(t)["revenue"], right,
                                                                             rel_tol=1e-3))
    other = _shares(lower)["revenue"]
    task("q5").assert_check_passed(other, threshold=lower)
    task("q5").assert_check_passed(other, threshold=np.int64(lower))
    task("q5").assert_check_failed(right, "not the right value yet", threshold=lower)
    for wrong_threshold in (..., None, str(threshold), 140, -1, math.nan, True):
        task("q5").assert_check_failed(right, "task 5 builds on task 4", threshold=wrong_threshold)
    secret = f"{right:.4g}"
    shares = _shares(threshold)
    for wrong, message in ((shares["leads"], "the share of leads"), (shares["deals"], "you counted won deals"),
                           (1 - right, "the share it keeps"),
                           (_shares(_today())["revenue"], "at today's threshold, the lowest score of argo's MQLs"),
                           (shares["amount"], "an amount of revenue")):
        if math.isclose(wrong, right, rel_tol=1e-3):  # this cohort's data makes the mistake right
            task("q5").assert_check_passed(wrong, threshold=threshold)
            continue
        assert secret not in task("q5").assert_check_failed(wrong, message, threshold=threshold)
    assert secret not in task("q5").assert_check_failed(100 * right, "looks like a percentage", threshold=threshold)


def _rule_by_hand(rule: dict) -> dict[str, float]:
    """The design deliverable by hand: a rule's points (score × weight + its segment's, channel's and region's), its
    MQLs a month, the share of them never handed to sales, and the won revenue per MQL that sales contacted."""
    c = company(COMPANY)
    leads = c.leads
    points = rule.get("score_weight", 1) * leads["score"].astype(float)
    for part in ("segment", "channel", "region"):
        points = points + leads[part].astype(str).map(rule.get(part, {})).fillna(0).astype(float)
    passed = points >= rule["threshold"]
    contacted = passed & leads["mql_at"].notna() & leads["first_response_minutes"].notna()
    won = c.opportunities[c.opportunities["outcome"] == "won"].groupby("lead_id")["amount"].sum()
    revenue = leads["lead_id"].map(won).fillna(0)
    return {"per_month": passed.sum() / _months(leads), "unseen": (passed & leads["mql_at"].isna()).sum() / passed.sum(),
            "value": revenue[contacted].sum() / contacted.sum()}


def _lowest_rule(points: dict) -> dict:
    """The rule with these points and the lowest threshold whose MQLs a month fit task 4's capacity, by hand."""
    return next({**points, "threshold": t} for t in range(201) if _rule_by_hand({**points, "threshold": t})["per_month"]
                <= _capacity())


def test_q6_the_scoring_rule_passes_any_workable_rule():
    capacity = _capacity()
    rules = [{"threshold": _threshold()},  # task 4's threshold is a rule too
             _lowest_rule({"segment": {"enterprise": 15, "mid_market": 10}}),
             _lowest_rule({"segment": {"enterprise": 20, "smb": -10}, "channel": {"partner": 5}}),
             {**_lowest_rule({"score_weight": 2}), "score_weight": 2}]
    for rule in rules:
        by_hand = _rule_by_hand(rule)
        assert capacity / 2 <= by_hand["per_month"] <= capacity and by_hand["unseen"] <= 0.2, rule
        assert by_hand["value"] * 0.35 >= 250, rule  # in every cohort these rules pay for the work
        assert "More checks run at grading" in task("q6").assert_check_passed(rule)
    assert task("q6").judge(None)[0] == "not attempted"
    assert len(task("q6").hints) == 2


def test_q6_the_scoring_rule_says_what_is_wrong_in_teaching_words():
    today = {"threshold": _today()}  # every lead sales gets today: more than it can work
    assert _rule_by_hand(today)["per_month"] > _capacity()
    task("q6").assert_check_failed(today, "more than the")
    high = {"threshold": 100}
    assert _rule_by_hand(high)["per_month"] < _capacity() / 2
    task("q6").assert_check_failed(high, "reps would sit idle")
    task("q6").assert_check_failed(_threshold(), "that is a threshold alone")
    task("q6").assert_check_failed({"threshold": 0.6}, "your threshold is a share")
    task("q6").assert_check_failed({"segment": {"Enterprise": 10}, "threshold": 60}, "'Enterprise' is not a segment")
    everyone = {"score_weight": 0, "threshold": 0}
    text = task("q6").assert_check_failed(everyone, "your rule has ")  # 2, or 3 where the average MQL does not pay
    assert "more than the" in text and "were never handed to sales" in text
    # small accounts only, as many as capacity allows: whether they pay for the work is this cohort's data
    smb = _lowest_rule({"segment": {"mid_market": -200, "enterprise": -200}})
    by_hand = _rule_by_hand(smb)
    if by_hand["unseen"] <= 0.2 and by_hand["per_month"] >= _capacity() / 2:
        if by_hand["value"] * 0.35 < 250:
            task("q6").assert_check_failed(smb, "less than the 250 it costs to work it")
        else:
            task("q6").assert_check_passed(smb)


def test_q6_the_notebook_states_assumptions_and_no_figure_of_argo():
    """The solution's rule passes; the released text (the brief and the levelled rubric) holds only the design's
    assumptions and points, no figure of a company drawn anew per cohort."""
    import nbformat

    from tests.conftest import ROOT

    notebook = nbformat.read(ROOT / "solutions" / "03_funnel_handoff" / "03_funnel_handoff.ipynb", as_version=4)
    cells = {c.metadata["nbgrader"]["grade_id"]: c.source for c in notebook.cells}
    for grade_id in ("design-task", "design-rubric"):
        numbers = {int(n) for n in re.findall(r"\d+", cells[grade_id])}
        # points, parts, words; the assumptions: 250 an MQL (4 hours at 62.50, 1,600 hours a year), 35 % margin
        assert numbers <= {0, 1, 2, 3, 4, 5, 6, 8, 15, 35, 50, 62, 150, 250, 300, 600}, (grade_id, numbers)
    assert "2026-autumn cohort" in cells["design"] and "Module: [course/03_funnel_handoff.ipynb]" in cells["intro"]
    assert cells["design-rubric"].count("*Strong:*") == 3 and "strong** (2 points)" in cells["design-rubric"]
    assert all(cells["design-rubric"].count(level) == 3 for level in ("*Strong:*", "*Adequate:*", "*Weak:*"))
    assert (ex03_funnel_handoff.COST_PER_MQL, ex03_funnel_handoff.GROSS_MARGIN) == (250, 0.35)
    assert "**250** an MQL" in cells["design-task"] and "**35 %**" in cells["design-task"]


def test_no_message_or_hint_names_a_number_of_the_graded_companies():
    c = company(COMPANY)
    numbers = {str(_today()), str(_threshold()), f"{_capacity():.4g}", str(len(c.leads))}
    for built in ex03_funnel_handoff.tasks():
        texts = list(built.hints) + [mistake.message for mistake in built.mistakes]
        for text in texts:
            assert not [n for n in numbers if re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", text)], text


def test_functions_that_change_their_arguments_in_place_spoil_no_later_check():
    argo, vela = company(COMPANY), company(OTHER)
    before = {"argo leads": argo.leads.copy(deep=True), "argo deals": argo.opportunities.copy(deep=True),
              "vela leads": vela.leads.copy(deep=True)}
    threshold = _threshold()

    def leakage_that_fills_in_place(leads, sla):  # a learner's "clean-up" of the table it was given
        answer = _leakage(leads, sla)
        leads["first_response_minutes"] = leads["first_response_minutes"].fillna(0)
        return answer

    def threshold_that_overwrites(leads, opportunities, capacity):
        answer = _lowest(leads, opportunities, capacity)
        leads["score"] = 100
        opportunities["outcome"] = "lost"
        return answer

    for _round in range(2):  # the second round sees what the first one left behind
        task("q3").assert_check_passed(leakage_that_fills_in_place)
        task("q4").assert_check_passed(threshold_that_overwrites, threshold=threshold)
    pd.testing.assert_frame_equal(company(COMPANY).leads, before["argo leads"])
    pd.testing.assert_frame_equal(company(COMPANY).opportunities, before["argo deals"])
    pd.testing.assert_frame_equal(company(OTHER).leads, before["vela leads"])
    leads = before["argo leads"]
    task("q1").assert_check_passed(leads["sql_at"].notna().sum() / leads["mql_at"].notna().sum())
    task("q5").assert_check_passed(_shares(threshold)["revenue"], threshold=threshold)
