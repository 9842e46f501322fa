"""Pay plans as an experiment (smarketing.datasets.generator.pay): the same leads under another plan."""

from __future__ import annotations

import pandas as pd
import pytest

from smarketing.datasets import generate_company
from smarketing.datasets.generator import generate_leads, pay
from smarketing.datasets.generator.experiments import true_profile


def test_the_leads_alone_are_the_leads_of_the_whole_company():
    tables, _params = generate_company("ferro")
    pd.testing.assert_frame_equal(generate_leads("ferro"), tables["leads"])
    tables, _params = generate_company("argo", cohort="2027-spring", overrides={"mql_threshold": 60})
    pd.testing.assert_frame_equal(generate_leads("argo", cohort="2027-spring", overrides={"mql_threshold": 60}),
                                  tables["leads"])


def test_at_its_own_threshold_a_company_follows_up_as_it_does_today(companies):
    for name in ("lumen", "ferro"):
        company, profile = companies[name], true_profile(companies[name])
        assert pay.load(company, profile.mql_threshold) == 1
        today = pay.follow_up(company, profile.mql_threshold)
        assert today["response_median_minutes"] == profile.response_median_minutes
        # at most the calls it makes today: its never-called share is what its data shows
        mqls = company.leads["mql_at"].notna()
        seen = float(company.leads.loc[mqls, "first_response_minutes"].isna().mean())
        assert today["never_contacted_share"] == pytest.approx(max(profile.never_contacted_share, seen), abs=0.02)


def test_more_mqls_than_sales_can_call_go_uncalled_and_wait_longer(companies):
    lumen = companies["lumen"]  # its own threshold is 55
    low, own = pay.follow_up(lumen, 40), pay.follow_up(lumen, 55)
    assert pay.load(lumen, 40) > 1 == pay.load(lumen, 55) > pay.load(lumen, 60)
    assert low["response_median_minutes"] == pytest.approx(own["response_median_minutes"] * pay.load(lumen, 40))
    mqls_at_40 = (lumen.leads["score"] >= 40).sum()
    assert low["never_contacted_share"] == pytest.approx(1 - pay.capacity(lumen) / mqls_at_40)
    assert low["never_contacted_share"] > 0.3 > own["never_contacted_share"]
    sla = pay.follow_up(lumen, 60, sla=True)
    assert sla["response_median_minutes"] == pytest.approx(
        pay.follow_up(lumen, 60)["response_median_minutes"] / pay.SLA_SPEED_UP)
    assert sla["never_contacted_share"] == pytest.approx(0.04 / pay.SLA_FEWER_UNCALLED)


def test_each_plan_chooses_its_threshold(companies):
    ferro = companies["ferro"]
    assert pay.plan_threshold(ferro, "per_mql") == pay.THRESHOLDS[0]
    for plan, sla in (("per_sql", False), ("shared_revenue", True)):
        sqls = pay.sqls_by_threshold(ferro, sla=sla)
        assert pay.plan_threshold(ferro, plan) == sqls.idxmax()
        assert sqls.max() > sqls.iloc[-1]  # the highest threshold throws good leads away


def test_a_shared_target_and_an_sla_give_ferro_the_most_sqls(companies):
    table = pay.pay_plans(companies["ferro"])
    assert list(table.index) == list(pay.PLANS)
    assert table.loc["shared_revenue", "sqls"] > table.loc["per_sql", "sqls"] >= table.loc["per_mql", "sqls"]
    assert table.loc["per_mql", "mqls"] == table["mqls"].max()  # what marketing is paid for, and the worst SQLs
    assert table.loc["shared_revenue", "never_contacted_share"] < table.loc["per_mql", "never_contacted_share"]


def test_an_unknown_plan_and_an_imported_company_are_refused(companies, tmp_path):
    with pytest.raises(ValueError, match="Unknown pay plan 'bonus'.*per_mql"):
        pay.plan_threshold(companies["ferro"], "bonus")
    from dataclasses import replace

    imported = replace(companies["ferro"], name="acme", params={"name": "acme", "import": {"mapping": "hubspot"}})
    with pytest.raises(ValueError, match="cannot be played again under another pay plan.*pilot"):
        pay.pay_plans(imported)
