"""Exercise 00's self-checks (``smarketing.exercises.ex00_start_here``): a good answer passes, each common
mistake gets its targeted message, and no message gives the expected value away. Good answers are computed
here by hand with pandas, not taken from the checks."""

from __future__ import annotations

from functools import partial

import numpy as np

from smarketing.exercises import company, find_task

task = partial(find_task, "00_start_here")
START_GRADES = {"study": "A", "vendor_survey": "B", "stats_roundup": "C", "slide": "D"}


def _leads_per_customer(leads, opportunities):
    won = opportunities.loc[opportunities["outcome"] == "won", "lead_id"]
    return len(leads) / leads["lead_id"].isin(won).sum()


def test_q1_ferro_leads():
    ferro = company("ferro")
    assert "More checks run at grading" in task("q1").assert_check_passed(len(ferro.leads))
    task("q1").assert_check_passed(np.int64(len(ferro.leads)))
    task("q1").assert_check_failed(len(company("lumen").leads), "lumen's number of leads")
    task("q1").assert_check_failed(int(ferro.leads["mql_at"].notna().sum()), "only the leads with an `mql_at` time")
    task("q1").assert_check_failed(len(ferro.opportunities), "rows of opportunities")
    task("q1").assert_check_failed(ferro.leads, "asks for one number")
    text = task("q1").assert_check_failed(len(ferro.leads) + 1, "not the right value yet")
    assert str(len(ferro.leads)) not in text


def test_q2_lumen_mql_share():
    leads = company("lumen").leads
    right = leads["mql_at"].notna().mean()
    task("q2").assert_check_passed(float(right))
    task("q2").assert_check_failed(100 * right, "looks like a percentage")
    task("q2").assert_check_failed(int(leads["mql_at"].notna().sum()), "the number of MQLs")
    task("q2").assert_check_failed(company("ferro").leads["mql_at"].notna().mean(), "ferro's share")
    task("q2").assert_check_failed(1 - right, "did not become MQLs")
    mqls = leads[leads["mql_at"].notna()]
    task("q2").assert_check_failed(mqls["sql_at"].notna().mean(), "the share of MQLs that reached SQL")
    assert f"{right:.4g}" not in task("q2").assert_check_failed(0.5, "not the right value yet")


def test_q3_median_response():
    minutes = company("ferro").leads["first_response_minutes"]
    task("q3").assert_check_passed(float(minutes.median()))
    task("q3").assert_check_failed(float(minutes.mean()), "that is the mean")
    task("q3").assert_check_failed(float(minutes.median() / 60), "looks like hours")
    task("q3").assert_check_failed(float(company("lumen").leads["first_response_minutes"].median()), "lumen's figure")
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

    def whole_company(leads, opportunities):  # ignores the leads it is given
        return 41.88

    task("q5").assert_check_failed(rate, "customers per lead")
    task("q5").assert_check_failed(per_deal, "counts all deals")
    task("q5").assert_check_failed(per_mql, "counts only the MQLs")
    ferro_leads = len(company("ferro").leads)
    task("q5").assert_check_failed(whole_company, f"wrong result on test case 2 ({ferro_leads} leads)")
    task("q5").assert_check_failed(41.9, "asks for a function")
    task("q5").assert_check_failed(lambda leads: 1.0, "raised TypeError")
