"""The generator of the synthetic companies: deterministic to the byte, and causal in the ways company.json says."""

from __future__ import annotations

import filecmp
import math

import numpy as np
import pandas as pd
import pytest

from tests.conftest import DATASETS
from smarketing import funnel, schema
from smarketing.datasets import (
    COMPANIES,
    COURSE_COMPANIES,
    END,
    GRADED_COMPANIES,
    generate_company,
    load_company,
    response_multiplier,
    write_company,
    write_readme,
)
from smarketing.datasets.generator.laws import quality_multiplier, score_from_quality

# ---- determinism ---------------------------------------------------------------------------------

def _files(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("name", [*COMPANIES, *GRADED_COMPANIES])
def test_committed_dataset_is_what_the_default_seed_generates(name, tmp_path):
    """Same seed, same bytes: regenerating reproduces the committed files exactly (so they never drift)."""
    tables, params = generate_company(name)
    out = write_company(tables, params, tmp_path / name)
    assert _files(out) == _files(DATASETS / name)
    match, mismatch, errors = filecmp.cmpfiles(out, DATASETS / name, _files(out), shallow=False)
    assert mismatch == [] and errors == [], f"regenerated files differ: {mismatch or errors}; run `make datasets`"


def test_two_runs_give_identical_bytes_and_another_seed_does_not(tmp_path):
    first = write_company(*generate_company("ferro", seed=11, size=3000), tmp_path / "a")
    second = write_company(*generate_company("ferro", seed=11, size=3000), tmp_path / "b")
    other = write_company(*generate_company("ferro", seed=12, size=3000), tmp_path / "c")
    for file in _files(first):
        assert (first / file).read_bytes() == (second / file).read_bytes(), file
    assert (first / "leads.csv").read_bytes() != (other / "leads.csv").read_bytes()


# ---- the committed folders ---------------------------------------------------------------------

def test_committed_datasets_stay_light():
    total = sum(p.stat().st_size for p in DATASETS.rglob("*.csv"))
    # 11 MB: the six companies with their deals' checklists and quotes and their later touches (10.2 MB in 2026-12)
    assert total < 11_000_000, f"datasets weigh {total / 1e6:.1f} MB; notebooks and clones must stay fast"


def test_the_profiles_are_the_course_companies_in_seed_order():
    """The generator seeds each company by its position in COMPANIES: reordering it would change every byte."""
    assert tuple(COMPANIES) == COURSE_COMPANIES == ("lumen", "ferro", "bloom")


def test_the_data_dictionary_is_written_byte_for_byte(tmp_path):
    """`smarketing dictionary` rewrites datasets/README.md exactly as committed."""
    assert write_readme(tmp_path).read_bytes() == (DATASETS / "README.md").read_bytes()


def test_data_dictionary_is_current():
    """datasets/README.md is generated from the schema; editing one without the other fails here."""
    text = (DATASETS / "README.md").read_text(encoding="utf-8")
    assert schema.data_dictionary_markdown() in text, "run `make datasets` to rewrite datasets/README.md"
    for table in schema.TABLES.values():
        for column in table.columns:
            assert f"`{column.name}`" in text


# ---- causal structure ----------------------------------------------------------------------------

def _assert_rate_ratio(hits_a, n_a, hits_b, n_b, expected):
    """Rate ratio (a / b) equals ``expected`` within three standard errors of its logarithm (sampling noise)."""
    observed = (hits_a / n_a) / (hits_b / n_b)
    standard_error = math.sqrt(1 / hits_a - 1 / n_a + 1 / hits_b - 1 / n_b)
    assert abs(math.log(observed / expected)) < 3 * standard_error, (observed, expected, standard_error)
    return observed


def _mql(company):
    leads = company.leads
    return leads[leads["mql_at"].notna()]


@pytest.mark.parametrize("name", list(COMPANIES))
def test_response_time_drives_qualification(companies, name):
    """SQL rate of accepted MQLs answered after the first hour, relative to within the hour, is the
    mean of company.json's multiplier (60 / minutes) ** response_decay over those slow leads."""
    params = companies[name].params
    accepted = _mql(companies[name])
    accepted = accepted[accepted["sal_at"].notna() & (accepted["created_at"] < "2025-10-01")]
    fast = accepted[accepted["first_response_minutes"] <= 60]
    slow = accepted[accepted["first_response_minutes"] > 60]
    expected = response_multiplier(slow["first_response_minutes"], params["response_decay"]).mean()
    observed = _assert_rate_ratio(slow["sql_at"].notna().sum(), len(slow), fast["sql_at"].notna().sum(), len(fast),
                                  expected)
    assert observed < 0.9  # a visible effect, not noise


def _expected_quartile_ratio(params, rng):
    """Re-simulate from company.json alone: SQL-rate ratio of the top to the bottom score quartile of MQLs."""
    n = 400_000
    names = list(params["segment_mix"])
    segment = rng.choice(names, n, p=np.array(list(params["segment_mix"].values())))
    mean = pd.Series(segment).map(params["quality_mean"]).to_numpy()
    quality = rng.beta(mean * 6, (1 - mean) * 6)
    score = score_from_quality(rng, quality, params["score_noise_sd"])
    chance = pd.Series(segment).map(params["sql_base_rate"]).to_numpy() * quality_multiplier(quality)
    mql = score >= params["mql_threshold"]
    low, high = np.quantile(score[mql], [0.25, 0.75])
    return chance[mql & (score >= high)].mean() / chance[mql & (score <= low)].mean(), (low, high)


@pytest.mark.parametrize("name", list(COMPANIES))
def test_score_predicts_quality(companies, name):
    params = companies[name].params
    expected, (low, high) = _expected_quartile_ratio(params, np.random.default_rng(0))
    accepted = _mql(companies[name])
    accepted = accepted[accepted["sal_at"].notna() & (accepted["created_at"] < "2025-10-01")]  # answer time is independent of score
    top, bottom = accepted[accepted["score"] >= high], accepted[accepted["score"] <= low]
    observed = _assert_rate_ratio(top["sql_at"].notna().sum(), len(top), bottom["sql_at"].notna().sum(), len(bottom),
                                  expected)
    assert observed > 1.2


def _lognormal_tail(threshold, median, sigma):
    return 0.5 * math.erfc(math.log(threshold / median) / (sigma * math.sqrt(2)))


@pytest.mark.parametrize("name", list(COMPANIES))
def test_alignment_sets_follow_up_and_leakage(companies, name):
    params = companies[name].params
    mqls = _mql(companies[name])
    never = mqls["first_response_minutes"].isna().mean()
    assert never == pytest.approx(params["never_contacted_share"], abs=0.03)
    assert funnel.speed_to_lead_minutes(mqls) == pytest.approx(params["response_median_minutes"], rel=0.15)
    expected_leak = params["never_contacted_share"] + (1 - params["never_contacted_share"]) * _lognormal_tail(
        1440, params["response_median_minutes"], params["response_spread"])
    assert funnel.leakage_rate(mqls, sla_minutes=1440) == pytest.approx(expected_leak, abs=0.03)


def test_leakage_follows_alignment_order(companies):
    by_alignment = sorted(companies.values(), key=lambda c: c.params["alignment"])
    leakage = [funnel.leakage_rate(c.leads, sla_minutes=1440) for c in by_alignment]
    assert leakage == sorted(leakage, reverse=True), "less aligned companies must leak more"


@pytest.mark.parametrize("name", list(COMPANIES))
def test_spend_reaches_revenue_with_a_lag(companies, name):
    """Days from a lead's creation to its won deal match the delays and sales cycle of company.json."""
    params = companies[name].params
    company = companies[name]
    won = company.opportunities[company.opportunities["outcome"] == "won"]
    won = won.merge(company.leads[["lead_id", "created_at", "segment"]], on="lead_id", suffixes=("", "_lead"))
    won = won[won["created_at_lead"] < "2024-07-01"]  # early leads: their deals had time to close
    lag_days = (won["closed_at"] - won["created_at_lead"]).dt.total_seconds() / 86_400
    cycle_mean = won["segment"].map(params["cycle_median_days"]).astype(float) * math.exp(0.4 ** 2 / 2)
    expected = params["mql_delay_days"] + params["sql_delay_days"] + 3 + cycle_mean.mean()
    assert lag_days.mean() == pytest.approx(expected, rel=0.2)
    assert lag_days.median() > 30  # revenue arrives months, not days, after the spend


def test_alignment_is_confounded_with_segment_mix(companies):
    """A naive lumen-vs-ferro comparison of lead-to-SQL conversion overstates the gap that remains
    once segment mix is held fixed, yet the gap within segments is real."""
    lumen, ferro = companies["lumen"].leads, companies["ferro"].leads
    for company in (lumen, ferro):
        name = "lumen" if company is lumen else "ferro"
        shares = company["segment"].value_counts(normalize=True)
        for segment, share in COMPANIES[name].segment_mix.items():
            assert shares[segment] == pytest.approx(share, abs=0.02)
    naive = lumen["sql_at"].notna().mean() / ferro["sql_at"].notna().mean()
    common_mix = (lumen["segment"].value_counts(normalize=True) + ferro["segment"].value_counts(normalize=True)) / 2

    def standardised(leads):
        return (leads.groupby("segment", observed=True)["sql_at"].apply(lambda s: s.notna().mean()) * common_mix).sum()

    within = standardised(lumen) / standardised(ferro)
    assert naive > 1.4 * within, (naive, within)
    assert within > 1.1


def test_late_delivery_lowers_repeat_purchase(companies):
    params = companies["bloom"].params
    orders = companies["bloom"].orders.sort_values(["customer_id", "ordered_at"])
    orders = orders.assign(came_back=orders["customer_id"].eq(orders["customer_id"].shift(-1)),
                           late=orders["delivered_at"].dt.normalize() > orders["promised_by"])
    settled = orders[orders["ordered_at"] < "2025-06-01"]
    rates = settled.groupby("late")["came_back"].mean()
    assert rates[False] == pytest.approx(params["repeat_rate_on_time"], abs=0.05)
    assert rates[True] == pytest.approx(params["repeat_rate_late"], abs=0.06)


@pytest.mark.parametrize("name", list(COMPANIES))
def test_calibration_matches_the_domain_notes(companies, name):
    """Win rate 20–40% and cycle tens of days to months, as the domain notes' benchmarks say."""
    opportunities = companies[name].opportunities
    closed = opportunities[opportunities["outcome"] != "open"]
    win = (closed["outcome"] == "won").mean()
    assert 0.18 <= win <= 0.42
    won = closed[closed["outcome"] == "won"]
    cycle = ((won["closed_at"] - won["created_at"]).dt.days).median()
    assert 15 <= cycle <= 150


def test_generator_rejects_unknown_company_and_tiny_size():
    with pytest.raises(ValueError, match="Unknown company 'acme'.*lumen"):
        generate_company("acme")
    with pytest.raises(ValueError, match="at least 100"):
        generate_company("lumen", size=5)


# Dates that may lie after the data's end: a promise (the delivery date promised at checkout) and an expectation
# (an open deal's expected close date). Everything else has happened, so it happened before the end.
FUTURE_ALLOWED = {("orders", "promised_by"), ("opportunity_history", "close_date")}


@pytest.mark.parametrize("name", ["lumen", "ferro", "bloom", "argo", "vela", "tide"])
def test_nothing_happens_after_the_data_ends(name):
    company = load_company(DATASETS / name)
    late = {(table, column): int((frame[column] >= END).sum())
            for table, frame in company.tables.items() for column in frame.columns
            if pd.api.types.is_datetime64_any_dtype(frame[column]) and (table, column) not in FUTURE_ALLOWED}
    assert not {key: count for key, count in late.items() if count}, late


@pytest.mark.parametrize("name", ["lumen", "ferro"])
def test_the_checklist_reads_each_deal_s_fate(companies, name):
    from smarketing import selling

    opportunities = companies[name].opportunities
    by_boxes = selling.win_rates_by_boxes(opportunities)
    assert by_boxes.loc[4, "win_rate"] > 0.5 > 0.2 > by_boxes.loc[[0, 1, 2], "win_rate"].max()
    closed = opportunities[opportunities["outcome"].astype(str) == "lost"]
    for reason, column in (("price", "bant_budget"), ("timing", "bant_timeline"), ("product_fit", "bant_need")):
        missed = 1 - closed.loc[closed["loss_reason"] == reason, column].astype(float).mean()
        others = 1 - closed.loc[closed["loss_reason"] != reason, column].astype(float).mean()
        assert missed > others + 0.1, (reason, missed, others)


def test_a_misaligned_company_s_checklist_separates_less(companies):
    from smarketing import selling

    spread = {name: selling.checklist_win_rates(companies[name].opportunities)["difference"].mean()
              for name in ("lumen", "ferro")}
    assert spread["lumen"] > spread["ferro"] + 0.05, spread


@pytest.mark.parametrize("name", ["lumen", "ferro"])
def test_discounts_come_from_trouble_and_the_calendar_not_from_wins(companies, name):
    from smarketing import selling

    deals = companies[name].opportunities
    history = companies[name].opportunity_history
    reached = history[history["stage"].astype(str).isin(["proposal", "negotiation", "closed_won"])]
    quoted = deals["discount"].notna()
    assert set(deals.loc[quoted, "opportunity_id"]) == set(reached["opportunity_id"])  # a quote is a proposal
    assert deals["discount"].between(0, 0.4).where(quoted, True).all()
    closed = deals[quoted & deals["outcome"].astype(str).isin(["won", "lost"])]
    on_price = closed["loss_reason"].astype(str) == "price"
    assert closed.loc[on_price, "discount"].mean() > closed.loc[~on_price, "discount"].mean() + 0.03
    # apart from the deals in trouble on price, winners and losers got the same discounts: it bought no wins
    won = closed["outcome"].astype(str) == "won"
    assert abs(closed.loc[won, "discount"].mean() - closed.loc[~won & ~on_price, "discount"].mean()) < 0.015
    late = selling.quarter_end_discounts(deals)["median_discount"]
    assert late.iloc[[i for i, label in enumerate(late.index) if "last" in label][0]] > late.loc["earlier"] + 0.03


def test_the_sales_records_are_drawn_apart_from_every_other_column(monkeypatch):
    """The checklist and the discounts come from a random stream of their own: without them, every other table and
    column is drawn exactly alike (so adding them changed no figure the course had quoted)."""
    import smarketing.datasets.generator as generator

    full, _params = generate_company("argo", size=1500)
    monkeypatch.setattr(generator, "sales_records", lambda rng, profile, opportunities, history, draws: opportunities)
    bare, _params = generate_company("argo", size=1500)
    added = [c.name for c in schema.TABLES["opportunities"].columns if c.name.startswith("bant_")] + ["discount"]
    assert full["opportunities"][added].notna().any().all()
    pd.testing.assert_frame_equal(full["opportunities"].drop(columns=added), bare["opportunities"])
    for table in full.keys() - {"opportunities"}:
        pd.testing.assert_frame_equal(full[table], bare[table])


@pytest.mark.parametrize("name", ["lumen", "ferro"])
def test_later_touches_fall_between_the_lead_and_its_opportunity(companies, name):
    company = companies[name]
    later, leads = company.later_touchpoints, company.leads.set_index("lead_id")
    assert len(later) > leads["sql_at"].notna().sum()
    assert leads.loc[later["lead_id"], "sql_at"].notna().all()  # the journeys of the leads sales qualified
    assert (later["touched_at"].to_numpy() > leads.loc[later["lead_id"], "created_at"].to_numpy()).all()
    assert (later["touched_at"] < END).all()
    deals = company.opportunities.groupby("lead_id")
    opened, closed = deals["created_at"].min(), deals["closed_at"].max()
    with_deal = later["lead_id"].isin(opened.index)
    during = with_deal & (later["touched_at"] > later["lead_id"].map(opened))
    assert 0.05 < during.sum() / with_deal.sum() < 0.5  # most before the opportunity, some while it is worked
    assert (later.loc[during, "touched_at"] <= later.loc[during, "lead_id"].map(closed).fillna(END)).all()
    before = later[with_deal & ~during]
    assert before["lead_id"].nunique() > 0.9 * len(opened)  # nearly every deal has a touch before it opened
    # nurture favours e-mail, webinars and content over what they cost
    share = later["channel"].astype(str).value_counts(normalize=True)
    spend = company.campaigns.groupby(company.campaigns["channel"].astype(str))["spend"].sum()
    assert share.get("email", 0) > (spend / spend.sum()).get("email", 0)
    ids = pd.concat([company.touchpoints["touchpoint_id"], later["touchpoint_id"]])
    assert ids.is_unique and later["touchpoint_id"].min() > company.touchpoints["touchpoint_id"].max()
