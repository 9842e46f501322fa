"""Exercise 00's self-checks (``smarketing.exercises.ex00_start_here``): a good answer passes, each common
mistake gets its targeted message, and no message gives the expected value away. Good answers are computed
here by hand with pandas, not taken from the checks. The tasks are about the graded companies (argo, vela,
tide), not the course's three."""

from __future__ import annotations

from functools import partial

import numpy as np

from smarketing.exercises import company, find_task

task = partial(find_task, "00_start_here")
START_GRADES = {"study": "A", "vendor_survey": "B", "stats_roundup": "C", "slide": "D"}


def _leads_per_customer(leads, opportunities):
    won = opportunities.loc[opportunities["outcome"] == "won", "lead_id"]
    return len(leads) / leads["lead_id"].isin(won).sum()


def test_q1_argo_leads():
    argo = company("argo")
    assert "More checks run at grading" in task("q1").assert_check_passed(len(argo.leads))
    task("q1").assert_check_passed(np.int64(len(argo.leads)))
    task("q1").assert_check_failed(len(company("vela").leads), "vela's number of leads; this task is about argo")
    task("q1").assert_check_failed(int(argo.leads["mql_at"].notna().sum()), "only the leads with an `mql_at` time")
    task("q1").assert_check_failed(len(argo.opportunities), "rows of opportunities")
    task("q1").assert_check_failed(argo.leads, "asks for one number")
    task("q1").assert_check_failed(len(company("ferro").leads), "not the right value yet")  # module 00's company
    text = task("q1").assert_check_failed(len(argo.leads) + 1, "not the right value yet")
    assert str(len(argo.leads)) not in text


def test_q2_vela_mql_share():
    leads = company("vela").leads
    right = leads["mql_at"].notna().mean()
    task("q2").assert_check_passed(float(right))
    task("q2").assert_check_failed(100 * right, "looks like a percentage")
    task("q2").assert_check_failed(int(leads["mql_at"].notna().sum()), "the number of MQLs")
    task("q2").assert_check_failed(company("argo").leads["mql_at"].notna().mean(), "argo's share; this task is about vela")
    task("q2").assert_check_failed(company("lumen").leads["mql_at"].notna().mean(), "not the right value yet")
    task("q2").assert_check_failed(1 - right, "did not become MQLs")
    mqls = leads[leads["mql_at"].notna()]
    task("q2").assert_check_failed(mqls["sql_at"].notna().mean(), "the share of MQLs that reached SQL")
    assert f"{right:.4g}" not in task("q2").assert_check_failed(0.5, "not the right value yet")


def test_q3_median_response():
    minutes = company("argo").leads["first_response_minutes"]
    task("q3").assert_check_passed(float(minutes.median()))
    task("q3").assert_check_failed(float(minutes.mean()), "that is the mean")
    task("q3").assert_check_failed(float(minutes.median() / 60), "looks like hours")
    task("q3").assert_check_failed(float(company("vela").leads["first_response_minutes"].median()),
                                   "vela's figure; this task is about argo")
    task("q3").assert_check_failed(float(company("ferro").leads["first_response_minutes"].median()),
                                   "not the right value yet")
    assert minutes.isna().sum() > len(minutes) / 2  # most leads were never contacted, so filling them in matters
    task("q3").assert_check_failed(float(minutes.fillna(0).median()), "never contacted as answered in 0 minutes")


def test_q4_grades_partial_credit():
    task("q4a").assert_check_passed(START_GRADES)
    task("q4b").assert_check_passed(START_GRADES)
    task("q4b").assert_check_passed({k: v.lower() + " " for k, v in START_GRADES.items()})
    half = dict(START_GRADES, stats_roundup="B", slide="C")
    task("q4a").assert_check_passed(half)
    task("q4b").assert_check_failed(half, "2 of the 4 grades are right.")
    vendor_a = dict(START_GRADES, vendor_survey="A")
    task("q4a").assert_check_passed(vendor_a)  # three of four earn the first point, whatever the mistake
    task("q4b").assert_check_failed(vendor_a, "a vendor's survey of its own users is not a study")
    task("q4a").assert_check_failed(dict.fromkeys(START_GRADES, "C"),
                                    "1 of the 4 grades are right; half of them earn this point")
    task("q4a").assert_check_failed({"study": "A"}, "your dictionary lacks the key(s) vendor_survey, stats_roundup, "
                                                    "slide.")
    task("q4a").assert_check_failed(dict(START_GRADES, slide="E"),
                                    "the value(s) for slide are not grades: write one of 'A', 'B', 'C', 'D'.")
    task("q4b").assert_check_failed(list(START_GRADES.values()),
                                    "your answer is a list; this task asks for a dictionary {key: grade}.")
    text = task("q4b").assert_check_failed(dict(START_GRADES, study="B"), "3 of the 4 grades are right.")
    assert "study" not in text  # not which one


def test_q5_leads_per_customer_function():
    assert "More checks run at grading" in task("q5").assert_check_passed(_leads_per_customer)

    def rate(leads, opportunities):
        return 1 / _leads_per_customer(leads, opportunities)

    def per_deal(leads, opportunities):
        return len(leads) / leads["lead_id"].isin(opportunities["lead_id"]).sum()

    def per_mql(leads, opportunities):
        won = opportunities.loc[opportunities["outcome"] == "won", "lead_id"]
        return leads["mql_at"].notna().sum() / leads["lead_id"].isin(won).sum()

    vela = company("vela")
    vela_figure = _leads_per_customer(vela.leads, vela.opportunities)

    def whole_company(leads, opportunities):  # ignores the leads it is given: right for vela (case 1) only
        return vela_figure

    task("q5").assert_check_failed(rate, "customers per lead")
    task("q5").assert_check_failed(per_deal, "counts all deals")
    task("q5").assert_check_failed(per_mql, "counts only the MQLs")
    argo_leads = len(company("argo").leads)
    task("q5").assert_check_failed(whole_company, f"wrong result on test case 2 ({argo_leads} leads)")

    whole = {len(company(name).leads) for name in ("argo", "vela", "tide")}

    def first_leads_only(leads, opportunities):  # right for a whole company, wrong for a part of it
        return _leads_per_customer(leads, opportunities) if len(leads) in whole else 1.0

    task("q5").assert_check_failed(first_leads_only, f"wrong result on test case 4 ({argo_leads // 2} leads)")
    task("q5").assert_check_failed(vela_figure, "asks for a function")
    task("q5").assert_check_failed(lambda leads: 1.0, "raised TypeError")
