"""The rules of a one-page SLA between marketing and sales (exercise 05's design deliverable): every rule
named when broken, and many SLAs passing."""

from __future__ import annotations

import pytest

from smarketing import sla_rules

# A plan small enough to work by hand: 100,000 ÷ 10,000 = 10 customers; ÷ 0.5 won = 20 opportunities; ÷ 0.5 = 40
# SQLs; ÷ 0.4 = 100 SALs; ÷ 0.8 = 125 MQLs, over 10 weeks: 12.5 MQLs a week.
_PLAN = {"revenue_target": 100_000.0, "average_deal": 10_000.0, "weeks": 10,
         "rates": {"mql": 0.2, "sal": 0.8, "sql": 0.4, "opportunity": 0.5, "won": 0.5}}


def _page(**changes):
    page = {"mqls_per_week": 12.5, "lead_value": {"metric": "mql_to_sql_rate", "minimum": 0.32},
            "acceptance_hours": 4, "response_hours": 24, "attempts": 6,
            "escalation": {"trigger": "late_response_share", "threshold": 0.1, "owner": "Head of Sales",
                           "path": ["COO"]},
            "review_weeks": 4}
    return page | changes


def _problems(page):
    return sla_rules.sla_problems(page, **_PLAN)


def test_the_lead_value_a_plan_assumes_and_the_mqls_it_needs_by_hand():
    rates, deal = _PLAN["rates"], _PLAN["average_deal"]
    assert sla_rules.lead_value_assumed("mql_to_sal_rate", deal, rates) == pytest.approx(0.8)
    assert sla_rules.lead_value_assumed("mql_to_sql_rate", deal, rates) == pytest.approx(0.32)
    assert sla_rules.lead_value_assumed("pipeline_per_mql", deal, rates) == pytest.approx(0.16 * 10_000)
    assert sla_rules.mqls_needed(100_000, deal, rates) == 125
    assert sla_rules.mqls_needed(100_000, deal, rates, {"metric": "mql_to_sql_rate", "minimum": 0.32}) == 125
    assert sla_rules.mqls_needed(100_000, deal, rates, {"metric": "mql_to_sql_rate", "minimum": 0.4}) == 100  # 40 ÷ 0.4
    assert sla_rules.mqls_needed(100_000, deal, rates, {"metric": "mql_to_sal_rate", "minimum": 1.0}) == 100
    assert sla_rules.mqls_needed(100_000, deal, rates, {"metric": "pipeline_per_mql", "minimum": 2_000}) == 100
    with pytest.raises(ValueError, match="Unknown lead-value metric"):
        sla_rules.lead_value_assumed("leads", deal, rates)


def test_many_slas_meet_the_rules():
    assert _problems(_page()) == []
    assert _problems(_page(mqls_per_week=12)) == []  # rounded down to a whole MQL
    assert _problems(_page(mqls_per_week=18)) == []  # a buffer of less than half again
    # leads worth more need fewer: 40 SQLs ÷ 0.4 = 100 MQLs, 10 a week
    assert _problems(_page(mqls_per_week=10, lead_value={"metric": "mql_to_sql_rate", "minimum": 0.4})) == []
    assert _problems(_page(lead_value={"metric": "pipeline_per_mql", "minimum": 1_600})) == []
    assert _problems(_page(acceptance_hours=24, attempts=3.0)) == []
    two = [_page()["escalation"], {"trigger": "lead_value", "threshold": 0.25, "over_weeks": 4, "owner": "CMO",
                                   "path": "CEO"}]
    assert _problems(_page(escalation=two)) == []


@pytest.mark.parametrize(("change", "expected"), [
    ({"mqls_per_week": 11}, "below what the target needs at the lead value you commit to"),
    ({"mqls_per_week": 10}, "below what the target needs"),  # the higher value of the lead would need only 10…
    ({"mqls_per_week": 19}, "far above what the target needs"),
    ({"mqls_per_week": "lots"}, "mqls_per_week should be a number above zero"),
    ({"lead_value": {"metric": "mql_to_sql_rate", "minimum": 0.2}}, "lower than the rates both teams agreed assume"),
    ({"lead_value": {"metric": "mql_to_sql_rate", "minimum": 32}}, "a rate is a share between 0 and 1"),
    ({"lead_value": {"metric": "pipeline_per_mql", "minimum": 20_000}}, "more pipeline per MQL than a whole average deal"),
    ({"lead_value": {"metric": "mql_to_sql_rate"}}, "needs a minimum above zero"),
    ({"lead_value": 0.32}, "Volume alone invites marketing to lower the bar"),
    ({"acceptance_hours": 48}, "Keep the acceptance SLA the shorter clock"),
    ({"acceptance_hours": 0}, "acceptance_hours should be a number of hours above zero"),
    ({"response_hours": -1}, "response_hours should be a number of hours above zero"),
    ({"attempts": 2.5}, "attempts should be a whole number"),
    ({"review_weeks": 0}, "review_weeks should be the weeks between two joint reviews"),
    ({"review_weeks": 26}, "at most 13"),
    ({"escalation": []}, "an SLA without an escalation has no answer to a miss"),
    ({"escalation": "the CEO"}, "should be a dictionary"),
    ({"escalation": ["the CEO"]}, "The escalation is a str"),
])
def test_each_broken_rule_is_named(change, expected):
    problems = _problems(_page(**change))
    assert len(problems) == 1 and expected in problems[0], problems


def test_the_higher_lead_value_lowers_the_volume_it_needs():
    """… while 10 a week is enough once marketing commits to leads worth more."""
    assert _problems(_page(mqls_per_week=10, lead_value={"metric": "mql_to_sql_rate", "minimum": 0.4})) == []


@pytest.mark.parametrize(("escalation", "expected"), [
    ({"threshold": 0.1, "owner": "Head of Sales", "path": ["COO"]}, "is not a figure a weekly report computes"),
    ({"trigger": "late_response_share", "owner": "Head of Sales", "path": ["COO"]}, "has no threshold"),
    ({"trigger": "late_response_share", "threshold": 10, "owner": "Head of Sales", "path": ["COO"]},
     "a share lies between 0 and 1"),
    ({"trigger": "mqls_per_week", "threshold": 15, "owner": "Head of Marketing", "path": ["COO"]},
     "it would fire while marketing keeps its word"),
    ({"trigger": "lead_value", "threshold": 0.5, "owner": "Head of Marketing", "path": ["COO"]},
     "above the minimum of 0.32 that marketing commits to"),
    ({"trigger": "late_response_share", "threshold": 0.1, "path": ["COO"]}, "has no owner"),
    ({"trigger": "late_response_share", "threshold": 0.1, "owner": "Sales", "path": ["COO"]}, "is a whole function"),
    ({"trigger": "late_response_share", "threshold": 0.1, "owner": "VP Sales / VP Marketing", "path": ["COO"]},
     "give one role"),
    ({"trigger": "late_response_share", "threshold": 0.1, "owner": "everyone", "path": ["COO"]}, "give one role"),
    ({"trigger": "late_response_share", "threshold": 0.1, "owner": "Head of Sales"}, "has no path"),
    ({"trigger": "late_response_share", "threshold": 0.1, "owner": "Head of Sales", "path": ["COO", 3]},
     "path should list roles as text"),
    ({"trigger": "late_response_share", "threshold": 0.1, "owner": "Head of Sales", "path": ["head of sales"]},
     "path goes back to its owner"),
    ({"trigger": "late_response_share", "threshold": 0.1, "owner": "Head of Sales", "path": ["COO"], "over_weeks": 0},
     "over_weeks is the number of weeks"),
])
def test_an_escalation_that_cannot_work_is_named(escalation, expected):
    problems = _problems(_page(escalation=escalation))
    assert len(problems) == 1 and expected in problems[0] and problems[0].startswith("The escalation"), problems


def test_a_page_that_is_not_one_says_what_it_needs():
    assert "Store it as a dictionary" in _problems([("mqls_per_week", 12.5)])[0]
    missing = _problems({"mqls_per_week": 12.5})
    assert len(missing) == 1 and "lacks lead_value, acceptance_hours" in missing[0]
    assert "the hours within which sales first contacts each MQL" in missing[0]
    assert _problems(_page(mqls_per_week=True))[0].startswith("mqls_per_week should be a number")


def test_several_escalations_are_numbered_in_the_problems():
    broken = {"trigger": "late_response_share", "threshold": 0.1, "owner": "Head of Sales", "path": []}
    problems = _problems(_page(escalation=[_page()["escalation"], broken]))
    assert len(problems) == 1 and problems[0].startswith("Escalation 2 has no path"), problems
