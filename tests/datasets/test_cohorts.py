"""The companies of the graded work: drawn from the cohort's name, each like its course company and yet its own,
the same cohort always giving the same bytes and another cohort other data."""

from __future__ import annotations

import filecmp

import pytest

from smarketing.datasets import COMPANIES, GRADED_COMPANIES, generate_company, write_company
from smarketing.datasets.generator.cohorts import COHORT_COMPANIES, DEFAULT_COHORT, cohort_profile, cohort_seed
from tests.conftest import DATASETS


def test_the_graded_companies_are_none_of_the_course_companies():
    assert set(GRADED_COMPANIES).isdisjoint(COMPANIES)
    assert {c.like for c in COHORT_COMPANIES.values()} == set(COMPANIES)


@pytest.mark.parametrize("name", GRADED_COMPANIES)
def test_a_cohort_company_is_like_its_course_company_with_parameters_of_its_own(name):
    profile, base = cohort_profile(name), COMPANIES[COHORT_COMPANIES[name].like]
    assert profile.name == name and profile.story != base.story
    assert abs(sum(profile.segment_mix.values()) - 1) < 1e-9 and abs(sum(profile.channel_mix.values()) - 1) < 1e-9
    changed = [f for f in ("segment_mix", "channel_mix", "cost_per_lead", "response_median_minutes", "deal_median",
                           "staff", "sal_acceptance") if getattr(profile, f) != getattr(base, f)]
    assert len(changed) >= 6, changed
    # like its course company: the aligned stays faster to respond than the misaligned
    assert cohort_profile("vela").response_median_minutes < cohort_profile("argo").response_median_minutes
    assert cohort_profile("tide").repeat_rate_late < cohort_profile("tide").repeat_rate_on_time


def test_another_cohort_draws_other_companies_and_the_same_cohort_the_same_bytes(tmp_path):
    assert cohort_seed("2027-spring") != cohort_seed(DEFAULT_COHORT)
    spring = write_company(*generate_company("argo", cohort="2027-spring"), tmp_path / "spring")
    again = write_company(*generate_company("argo", cohort="2027-spring"), tmp_path / "again")
    autumn = DATASETS / "argo"
    files = sorted(p.name for p in spring.iterdir())
    assert filecmp.cmpfiles(spring, again, files, shallow=False)[1] == []
    assert (spring / "leads.csv").read_bytes() != (autumn / "leads.csv").read_bytes()
    assert cohort_profile("argo", "2027-spring") != cohort_profile("argo")


def test_the_parameters_say_which_cohort_and_company_they_are_like():
    _tables, params = generate_company("tide", cohort="2027-spring")
    assert (params["cohort"], params["like"], params["seed"]) == ("2027-spring", "bloom", cohort_seed("2027-spring"))
