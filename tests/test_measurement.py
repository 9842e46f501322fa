"""The geo holdout analysed on hand-made leads whose difference-in-differences can be worked out on paper, and the
experiments of the synthetic companies: a pause removes exactly the caused leads, and last touch over-credits."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from smarketing import charts, measurement
from smarketing.datasets import load_company
from smarketing.datasets.generator import experiments

START = pd.Timestamp("2025-07-07")  # a Monday
DAY = pd.Timedelta(days=1)


def _leads(per_week: dict[str, list[int]], first: pd.Timestamp) -> pd.DataFrame:
    """``per_week[region][k]`` leads in week k counted from ``first``, each created at noon of the week's day 2."""
    rows = [(first + 7 * k * DAY + 2 * DAY + pd.Timedelta(hours=12), region)
            for region, counts in per_week.items() for k, count in enumerate(counts) for _ in range(count)]
    return pd.DataFrame(rows, columns=["created_at", "region"])


def test_difference_in_differences_by_hand():
    # Weeks -2, -1 (before) and 0, 1 (test). Holdout north: 10, 12 | 6, 8. Controls south 10, 10 | 11, 11 and
    # west 12, 10 | 11, 13, so control per region: 11, 10 | 11, 12.
    # Gaps: before -1, 2 (mean 0.5, var 4.5); test -5, -4 (mean -4.5, var 0.5). Lift -5 per region-week;
    # lost 5 x 2 weeks x 1 region = 10; standard error sqrt(0.5/2 + 4.5/2) = sqrt(2.5).
    leads = _leads({"north": [10, 12, 6, 8], "south": [10, 10, 11, 11], "west": [12, 10, 11, 13]}, START - 14 * DAY)
    test = measurement.geo_test(leads, ["north"], START, START + 14 * DAY)  # 4 weeks before asked, 2 in the data
    assert test.before_weeks == 2 and test.test_weeks == 2
    assert test.control == ("south", "west")
    assert test.weekly["gap"].tolist() == [-1.0, 2.0, -5.0, -4.0]
    assert test.lift_per_week == pytest.approx(-5.0)
    assert test.leads_lost == pytest.approx(10.0)
    assert test.standard_error == pytest.approx(math.sqrt(2.5))
    low, high = test.interval
    assert high - low == pytest.approx(2 * 1.959964 * math.sqrt(2.5) * 2, rel=1e-6)
    assert low == pytest.approx(10 - 1.959964 * math.sqrt(2.5) * 2, rel=1e-6)  # 3.8 to 16.2: above zero
    assert "lost about 10 leads" in test.finding() and "(95 % interval 4 to 16): the pause cost leads" in test.finding()


def test_a_clear_loss_is_called_a_loss_and_a_gain_is_questioned():
    steady = [20] * 8
    lost = measurement.geo_test(_leads({"east": [20, 21, 19, 20, 10, 11, 9, 10], "west": steady}, START - 28 * DAY),
                                ["east"], START, START + 28 * DAY)
    assert lost.leads_lost == pytest.approx(40.0) and lost.interval[0] > 0
    assert "the pause cost leads" in lost.finding()
    noisy = measurement.geo_test(_leads({"east": [20, 30, 10, 20, 25, 12, 22, 14], "west": steady}, START - 28 * DAY),
                                 ["east"], START, START + 28 * DAY)
    assert noisy.interval[0] < 0 < noisy.interval[1] and "cannot tell a loss from noise" in noisy.finding()
    gained = measurement.geo_test(_leads({"east": [20, 21, 19, 20, 30, 31, 29, 30], "west": steady},
                                         START - 28 * DAY), ["east"], START, START + 28 * DAY)
    assert gained.leads_lost < 0 and "look for another change" in gained.finding()


def test_partial_weeks_are_left_out_and_bad_designs_refused():
    leads = _leads({"north": [5] * 6, "south": [5] * 6}, START - 21 * DAY)
    test = measurement.geo_test(leads, ["north"], START, START + 20 * DAY, before=START - 17 * DAY)
    assert (test.test_weeks, test.before_weeks) == (2, 2)  # 20 days and 17 days hold two whole weeks each
    with pytest.raises(ValueError, match="leaving at least one as the control"):
        measurement.geo_test(leads, ["north", "south"], START, START + 21 * DAY)
    with pytest.raises(ValueError, match="leaving at least one"):
        measurement.geo_test(leads, ["nowhere"], START, START + 21 * DAY)
    with pytest.raises(ValueError, match="at least two whole weeks"):
        measurement.geo_test(leads, ["north"], START, START + 10 * DAY)
    with pytest.raises(ValueError, match="before the first lead"):
        measurement.geo_test(leads, ["north"], START, START + 21 * DAY, before=START - 70 * DAY)
    with pytest.raises(ValueError, match="missing column"):
        measurement.geo_test(leads.drop(columns="region"), ["north"], START, START + 21 * DAY)


def test_romi_on_caused_revenue_by_hand():
    table = pd.DataFrame({"spend": [100.0, 50.0], "last_touch_revenue": [1000.0, 0.0],
                          "caused_revenue": [400.0, 0.0]}, index=["events", "email"])
    romi = measurement.romi_by_channel(table, 0.5)
    assert romi.loc["events"].tolist() == pytest.approx([4.0, 1.0])  # (1000 x 0.5 - 100) / 100; (400 x 0.5 - 100) / 100
    assert romi.loc["email"].tolist() == [-1.0, -1.0]
    with pytest.raises(ValueError, match="spend"):
        measurement.romi_by_channel(table.drop(columns="spend"), 0.5)


@pytest.mark.parametrize("name", ["lumen", "ferro", "argo"])
def test_a_pause_removes_the_caused_leads_and_their_deals_only(companies, name):
    company = companies[name] if name in companies else load_company(name)
    regions, start, end = ("north", "east"), "2025-07-01", "2026-01-01"
    world = experiments.geo_holdout(company, "paid_search", regions, start, end)
    leads = company.leads
    paused = (leads["channel"].astype(str).eq("paid_search") & leads["region"].astype(str).isin(regions)
              & leads["created_at"].between(start, end, inclusive="left"))
    caused = paused & ~experiments.came_anyway(company)
    assert len(world.leads) == len(leads) - int(caused.sum())
    assert 0 < caused.sum() < paused.sum()  # some leads would have come anyway
    assert (world.leads["channel"].astype(str) == "other").sum() == int((paused & ~caused).sum())
    assert world.leads["channel"].astype(str).eq("other").eq(world.leads["campaign_id"].isna()).all()
    gone = set(leads.loc[caused, "lead_id"])
    assert not set(world.opportunities["lead_id"]) & gone and not set(world.touchpoints["lead_id"]) & gone
    assert len(world.opportunities) == len(company.opportunities) - company.opportunities["lead_id"].isin(gone).sum()
    # Outside the holdout nothing moved.
    outside = ~leads["region"].astype(str).isin(regions)
    assert world.leads["region"].astype(str).isin(regions).sum() == (~outside).sum() - caused.sum()
    assert world.params["holdout"]["channel"] == "paid_search" and company.leads is leads


def test_the_truth_is_drawn_once_and_last_touch_over_credits(companies):
    lumen = companies["lumen"]
    assert experiments.came_anyway(lumen).equals(experiments.came_anyway(lumen))
    truth = experiments.channel_truth(lumen)
    assert (truth["caused_leads"] <= truth["last_touch_leads"]).all()
    assert (truth["caused_revenue"] <= truth["last_touch_revenue"] + 1e-6).all()
    assert truth["last_touch_leads"].sum() == len(lumen.leads)
    assert truth["last_touch_revenue"].sum() == pytest.approx(
        lumen.opportunities.loc[lumen.opportunities["outcome"] == "won", "amount"].sum())
    shares = experiments.true_profile(lumen).incremental_share
    for channel, row in truth.iterrows():  # caused share near the true parameter (binomial noise)
        spread = 3 * np.sqrt(shares[channel] * (1 - shares[channel]) / row["last_touch_leads"])
        assert abs(row["caused_share"] - shares[channel]) < spread, channel
    everywhere = experiments.geo_holdout(lumen, "email", ("north", "south", "east", "west"))
    assert len(lumen.leads) - len(everywhere.leads) == truth.loc["email", "caused_leads"]


def test_a_geo_test_recovers_a_large_effect_within_its_interval(companies):
    ferro = companies["ferro"]
    regions, start, end = ("north", "east"), "2025-07-01", "2026-01-01"
    world = experiments.geo_holdout(ferro, "events", regions, start, end)
    test = measurement.geo_test(world.leads, regions, start, end)
    true_loss = len(ferro.leads) - len(world.leads)
    low, high = test.interval
    assert low <= true_loss <= high and low > 0
    last_touch = measurement.last_touch_leads(ferro.leads, "events", regions, start, end)
    assert true_loss < last_touch  # attribution credits events with leads that came anyway
    assert charts.geo_test_chart(test).to_dict()["title"]["text"]


def test_only_a_synthetic_company_has_a_truth_and_bad_holdouts_are_refused(companies):
    lumen = companies["lumen"]
    imported = type(lumen)(name="acme", folder=lumen.folder, tables=lumen.tables, params={"name": "acme"})
    with pytest.raises(ValueError, match="not a synthetic company"):
        experiments.channel_truth(imported)
    with pytest.raises(ValueError, match="Unknown channel"):
        experiments.geo_holdout(lumen, "tv", ("north",))
    with pytest.raises(ValueError, match="one or more of the regions"):
        experiments.geo_holdout(lumen, "email", ("mars",))
    with pytest.raises(ValueError, match="end after it starts"):
        experiments.geo_holdout(lumen, "email", ("north",), "2025-07-01", "2025-06-01")


def test_monthly_spend_is_spread_over_each_campaign_s_days():
    campaigns = pd.DataFrame({"channel": ["email", "email", "events"],
                              "start_date": pd.to_datetime(["2025-01-30", "2025-03-01", "2025-01-01"]),
                              "end_date": pd.to_datetime(["2025-02-02", "2025-03-01", "2025-01-10"]),
                              "spend": [400.0, 50.0, 999.0]})
    leads = pd.DataFrame({"channel": ["email", "email", "events", "email"],
                          "created_at": pd.to_datetime(["2025-01-31", "2025-02-01", "2025-02-01", "2025-04-02"])})
    monthly = measurement.monthly_spend_and_leads(campaigns, leads, "email")
    # 400 over 4 days: 2 in January, 2 in February; 50 in March; nothing in April.
    assert monthly["spend"].tolist() == [200.0, 200.0, 50.0, 0.0]
    assert monthly["leads"].tolist() == [1, 1, 0, 1]
    assert [str(m) for m in monthly.index] == ["2025-01", "2025-02", "2025-03", "2025-04"]


def test_a_spend_response_recovers_a_line_drawn_by_hand():
    spend = np.array([100.0, 300.0, 200.0, 0.0, 500.0, 400.0, 100.0, 250.0])
    leads = 3 + 0.02 * spend + 0.01 * np.concatenate([[0.0], spend[:-1]])  # 2 per 100 now, 1 per 100 a month on
    monthly = pd.DataFrame({"spend": spend, "leads": leads})
    fit = measurement.spend_response(monthly, "email", lags=1)
    assert fit.coefficients.tolist() == pytest.approx([3.0, 0.02, 0.01])
    assert fit.leads_per_thousand == pytest.approx(30.0) and fit.r_squared == pytest.approx(1.0)
    assert fit.months == 7  # the first month has no earlier spend
    with pytest.raises(ValueError, match="too few"):
        measurement.spend_response(monthly.head(4), lags=1)
    with pytest.raises(ValueError, match="lags must be zero or more"):
        measurement.spend_response(monthly, lags=-1)


def test_the_regression_learns_last_touch_s_answer_not_the_caused_one(companies):
    ferro = companies["ferro"]
    truth = experiments.channel_truth(ferro)
    for channel in ("paid_search", "email"):
        fit = measurement.spend_response(measurement.monthly_spend_and_leads(ferro.campaigns, ferro.leads, channel),
                                         channel)
        last_touch = 1000 * truth.loc[channel, "last_touch_leads"] / truth.loc[channel, "spend"]
        caused = 1000 * truth.loc[channel, "caused_leads"] / truth.loc[channel, "spend"]
        assert fit.r_squared > 0.9 and abs(fit.leads_per_thousand / last_touch - 1) < 0.1
        assert fit.leads_per_thousand > 1.5 * caused
