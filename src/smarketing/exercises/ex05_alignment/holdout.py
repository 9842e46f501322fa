"""Exercise 05, task 6: argo's geo holdout of the channel it spends most on, analysed by difference-in-differences
(:func:`measurement.geo_test`), set beside the leads last touch credits the channel with and beside a regression of
argo's history (:func:`measurement.spend_response`). argo is drawn anew for each cohort: no text here may state one
of its numbers."""

from __future__ import annotations

from functools import cache

import pandas as pd

from smarketing import measurement
from smarketing.datasets.generator import experiments
from smarketing.exercises.shared import company, mistaken
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import number
from smarketing.messages import _

# Task 6: argo pauses the channel it spends most on in two regions for 2025; the year before is the baseline.
HOLDOUT_COMPANY = "argo"
HOLDOUT_REGIONS = ("south", "west")
HOLDOUT_START, HOLDOUT_END, HOLDOUT_WEEKS = "2025-01-01", "2025-12-31", 52


def holdout_channel(name: str = HOLDOUT_COMPANY) -> str:
    """The channel of the test: the one the company spent most on, as the setup cell picks it."""
    campaigns = company(name).campaigns
    return str(campaigns.groupby(campaigns["channel"].astype(str))["spend"].sum().idxmax())


@cache
def _experiment_leads() -> pd.DataFrame:
    """The leads of the setup cell's experiment: argo with the channel paused in the holdout regions."""
    return experiments.geo_holdout(company(HOLDOUT_COMPANY), holdout_channel(), HOLDOUT_REGIONS, HOLDOUT_START,
                                   HOLDOUT_END).leads


@cache
def holdout_test() -> measurement.GeoTest:
    """Task 6's geo test (:func:`measurement.geo_test`) on the experiment of the setup cell, with as many weeks
    before it as the baseline as it lasts."""
    before = pd.Timestamp(HOLDOUT_START) - HOLDOUT_WEEKS * measurement.WEEK
    return measurement.geo_test(_experiment_leads(), HOLDOUT_REGIONS, HOLDOUT_START, HOLDOUT_END, before=before)


def credited_leads(regions: tuple[str, ...] = HOLDOUT_REGIONS) -> int:
    """The leads last touch credits task 6's channel with in ``regions`` during the test (in the real data)."""
    return measurement.last_touch_leads(company(HOLDOUT_COMPANY).leads, holdout_channel(), regions, HOLDOUT_START,
                                        HOLDOUT_END)


def holdout_lift() -> float:
    """Task 6a: the change of the weekly gap per region (holdout − control) from before to the test."""
    return holdout_test().lift_per_week


def holdout_caused_share() -> float:
    """Task 6b: the leads the test says the pause cost ÷ the leads last touch credits the channel with there."""
    return holdout_test().leads_lost / credited_leads()


def regression_per_thousand(lags: int = 2, leads_of: str = "real", per: float = 1000) -> float:
    """Task 6c: the leads per ``per`` spent on task 6's channel by :func:`measurement.spend_response` on argo's
    monthly spend and leads with ``lags`` lags (``leads_of`` "experiment": the mistake of reading the test's
    data, where the paused leads are gone)."""
    argo = company(HOLDOUT_COMPANY)
    leads = argo.leads if leads_of == "real" else _experiment_leads()
    monthly = measurement.monthly_spend_and_leads(argo.campaigns, leads, holdout_channel())
    return measurement.spend_response(monthly, holdout_channel(), lags=lags).leads_per_thousand * per / 1000


def _period_mean(column: str, period: str, skip_empty: bool = False) -> float:
    weekly = holdout_test().weekly
    if skip_empty:  # a week without a single lead, dropped as pd.crosstab drops it
        weekly = weekly[(weekly["holdout"] > 0) | (weekly["control"] > 0)]
    return float(weekly.loc[weekly["period"] == period, column].mean())


def tasks() -> tuple[Task, ...]:
    """Task 6's parts, q7a to q7c."""
    return (
        Task("q7a", "lift_per_week", number(holdout_lift),
             (_("count each week's leads in every region of the experiment's data, weeks numbered from TEST_START in "
                "steps of 7 days; average the holdout regions and the control regions per week; the gap is holdout − "
                "control. The answer is the gap's mean over the test weeks minus its mean over the 52 weeks before."),
              _("week = (experiment.leads[\"created_at\"] - pd.Timestamp(TEST_START)) // pd.Timedelta(days=7) gives "
                "week numbers, negative before the test; keep -TEST_WEEKS ≤ week < TEST_WEEKS. "
                "pd.crosstab(week, region) is a table of weeks × regions (reindex it to every week, fill_value=0: "
                "a week without a lead still counts); its HOLDOUT columns' row means are the holdout, the other "
                "columns' the control. Then the gap's mean where week ≥ 0, minus its mean where "
                "week < 0.")),
             mistakes=(
                 Mistake(mistaken(holdout_lift, lambda: -holdout_lift()),
                         _("the size is right and the sign is not: the change is (test − before) of (holdout − "
                           "control). A pause that costs leads makes it negative.")),
                 Mistake(mistaken(holdout_lift, lambda: _period_mean("holdout", "test") - _period_mean("holdout",
                                                                                                        "before")),
                         _("that is how the holdout regions changed on their own. Subtract how the control regions "
                           "changed over the same weeks: seasons and campaigns that reach every region move them "
                           "too.")),
                 Mistake(mistaken(holdout_lift, lambda: _period_mean("gap", "test")),
                         _("that is the gap during the test alone. The regions differed before the test as well: "
                           "subtract the gap's mean over the weeks before.")),
                 Mistake(mistaken(holdout_lift, lambda: _period_mean("gap", "test", True)
                                  - _period_mean("gap", "before", True)),
                         _("a week in which no lead came at all is missing from your table (pd.crosstab leaves out a "
                           "week it has no row for). It is a week of zeros: .reindex(range(-TEST_WEEKS, TEST_WEEKS), "
                           "fill_value=0) puts it back.")),
                 Mistake(mistaken(holdout_lift, lambda: len(HOLDOUT_REGIONS) * holdout_lift()),
                         _("you added the regions of each group up; the task asks per region: average the holdout "
                           "regions, and the control regions, week by week.")),
                 Mistake(mistaken(holdout_lift, lambda: holdout_test().leads_lost),
                         _("that is the test's total in leads; the task asks for the change per region and week.")),
             )),
        Task("q7b", "caused_share", number(holdout_caused_share),
             (_("leads lost = −lift_per_week × TEST_WEEKS × the holdout regions; divide by the leads that last touch "
                "credits CHANNEL with in the holdout regions during the test, in argo's real data."),
              _("in argo.leads (not the experiment's: there the paused leads are gone), count the leads whose channel "
                "is CHANNEL, whose region is in HOLDOUT and whose created_at is from TEST_START to before TEST_END. "
                "The share can come out above 1: the test is noisy, and so is its estimate.")),
             mistakes=(
                 Mistake(mistaken(holdout_caused_share, lambda: 1 / holdout_caused_share()),
                         _("you divided the other way round: the test's leads lost ÷ the leads last touch credits.")),
                 Mistake(mistaken(holdout_caused_share, lambda: 100 * holdout_caused_share()),
                         _("this looks like a percentage. Give the share as a number like 0.6 for 60 %.")),
                 Mistake(mistaken(holdout_caused_share, lambda: -holdout_lift() / credited_leads()),
                         _("that divides the change per region and week; turn it into the test's leads lost first "
                           "(× TEST_WEEKS × the holdout regions).")),
                 Mistake(mistaken(holdout_caused_share,
                                  lambda: holdout_test().leads_lost / credited_leads(tuple(
                                      company(HOLDOUT_COMPANY).leads["region"].astype(str).unique()))),
                         _("you counted the channel's leads in every region; only the holdout regions were paused.")),
             )),
        Task("q7c", "regression_per_thousand", number(regression_per_thousand, tolerance=1e-6),
             (_("regress argo's monthly leads of CHANNEL on its monthly spend this month and the two months before, "
                "on argo's real data (all regions, both years), and add up the lags' coefficients × 1,000."),
              _("measurement.monthly_spend_and_leads(argo.campaigns, argo.leads, CHANNEL) gives the months; "
                "measurement.spend_response(monthly, CHANNEL, lags=2).leads_per_thousand the answer. Read argo.leads, "
                "not experiment.leads: the question is what the history says, before any test.")),
             mistakes=(
                 Mistake(mistaken(regression_per_thousand, lambda: regression_per_thousand(lags=0)),
                         _("that regression reads this month's spend only; the task asks for the two months before as "
                           "well (lags=2).")),
                 Mistake(mistaken(regression_per_thousand, lambda: regression_per_thousand(leads_of="experiment")),
                         _("you read the test's data, where the leads the pause cost are gone. The regression is "
                           "what argo's history says without any test: use argo.leads.")),
                 Mistake(mistaken(regression_per_thousand, lambda: regression_per_thousand(per=1)),
                         _("that is per unit of spend; the task asks per 1,000 spent.")),
             )),
    )
