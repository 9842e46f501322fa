"""Marketing measurement: did a channel *cause* its leads, or only meet buyers who were coming anyway?

Attribution (module 05) splits the credit for results among the touches that preceded them; it cannot say what
would have happened without a channel. A holdout can: pause the channel in some regions (the *holdout*) and not
in others (the *control*), and compare how each group's leads moved against the weeks before. The
difference-in-differences of weekly leads, per region, is the estimate (Vaver & Koehler 2011, "Measuring Ad
Effectiveness Using Geo Experiments"; Angrist & Pischke 2009, ch. 5). Used by module 05 and exercise 05.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from smarketing import kpis
from smarketing.messages import _
from smarketing.schema import require_columns

WEEK = pd.Timedelta(days=7)
Z_95 = 1.959963984540054  # the normal quantile of a two-sided 95 % interval


@dataclass(frozen=True)
class GeoTest:
    """A geo holdout analysed: weekly leads per region in each group, and the difference-in-differences.

    ``weekly``: one row per whole week (``week``: its first day; ``period``: "before" or "test"), the leads per
    region of the holdout and of the control group, and their ``gap`` (holdout − control). ``lift_per_week`` is the
    change of the gap from before to the test, in leads per region and week (negative: the pause lost leads);
    ``leads_lost`` turns it into the test's total in the holdout regions, with a 95 % interval from the weeks' own
    spread (weeks taken as independent: a first approximation)."""

    weekly: pd.DataFrame
    holdout: tuple[str, ...]
    control: tuple[str, ...]
    lift_per_week: float
    standard_error: float
    test_weeks: int
    before_weeks: int

    @property
    def leads_lost(self) -> float:
        """Leads the pause cost the holdout regions over the test: −lift × weeks × holdout regions."""
        return -self.lift_per_week * self.test_weeks * len(self.holdout)

    @property
    def interval(self) -> tuple[float, float]:
        """The 95 % interval of :attr:`leads_lost`."""
        half = Z_95 * self.standard_error * self.test_weeks * len(self.holdout)
        return self.leads_lost - half, self.leads_lost + half

    def summary(self) -> pd.Series:
        """The figures of the test, for a table."""
        low, high = self.interval
        return pd.Series({"weeks before": self.before_weeks, "test weeks": self.test_weeks,
                          "lift per region-week": self.lift_per_week, "standard error": self.standard_error,
                          "leads lost": self.leads_lost, "95 % interval, low": low, "95 % interval, high": high})

    def finding(self) -> str:
        """The result in one sentence, from its own figures."""
        low, high = self.interval
        where = ", ".join(self.holdout)
        if low > 0:
            verdict = _("the pause cost leads")
        elif high < 0:
            verdict = _("the holdout regions gained leads, which a pause cannot cause: look for another change")
        else:
            verdict = _("the test cannot tell a loss from noise")
        return _("Over {weeks} weeks the paused regions ({where}) lost about {lost:,.0f} leads against the control "
                 "regions (95 % interval {low:,.0f} to {high:,.0f}): {verdict}.", weeks=self.test_weeks, where=where,
                 lost=self.leads_lost, low=low, high=high, verdict=verdict)


def geo_test(leads: pd.DataFrame, holdout: tuple[str, ...] | list[str], start: str | pd.Timestamp,
             end: str | pd.Timestamp, before: str | pd.Timestamp | None = None) -> GeoTest:
    """Analyse a geo holdout from the leads alone: ``holdout`` regions paused from ``start`` to ``end``
    (excluded), every other region of the data the control, the weeks from ``before`` to ``start`` the baseline
    (default: twice as many weeks as the test, as far as the data goes back). Weeks are counted from ``start`` in
    whole 7-day steps; a partial week at the end is left out."""
    require_columns(leads, "leads", "created_at", "region")
    regions = sorted(leads["region"].dropna().astype(str).unique())
    held = tuple(sorted(set(map(str, holdout))))
    control = tuple(r for r in regions if r not in held)
    if not held or set(held) - set(regions) or not control:
        raise ValueError(_("The holdout must be some of the regions in the data ({known}), leaving at least one as "
                           "the control (got {got}).", known=", ".join(regions), got=", ".join(held) or _("none")))
    first, stop = pd.Timestamp(start), pd.Timestamp(end)
    test_weeks = int((stop - first) // WEEK)
    earliest = leads["created_at"].min()
    available = math.ceil((first - earliest) / WEEK) if pd.notna(earliest) else 0  # the week of the first lead counts
    if before is None:
        before_weeks = min(2 * test_weeks, available)
    elif pd.Timestamp(before) < earliest.normalize():
        raise ValueError(_("The weeks before the test start on {before}, before the first lead ({first}): start "
                           "them on {first} or later.", before=pd.Timestamp(before).date(), first=earliest.date()))
    else:
        before_weeks = int((first - pd.Timestamp(before)) // WEEK)
    if test_weeks < 2 or before_weeks < 2:
        raise ValueError(_("A geo test needs at least two whole weeks of test and two before it (got {test} and "
                           "{before}).", test=test_weeks, before=before_weeks))
    week = np.floor((leads["created_at"] - first) / WEEK)
    inside = week.between(-before_weeks, test_weeks - 1)
    region = leads["region"].astype(str)
    counts = (pd.crosstab(week[inside].astype(int), region[inside])
              .reindex(index=range(-before_weeks, test_weeks), columns=regions, fill_value=0))
    weekly = pd.DataFrame({
        "week": first + counts.index.to_numpy() * WEEK,
        "period": np.where(counts.index < 0, "before", "test"),
        "holdout": counts[list(held)].mean(axis=1).to_numpy(),
        "control": counts[list(control)].mean(axis=1).to_numpy(),
    })
    weekly["gap"] = weekly["holdout"] - weekly["control"]
    gaps = weekly.groupby("period")["gap"]
    mean, variance, n = gaps.mean(), gaps.var(ddof=1), gaps.size()
    lift = float(mean["test"] - mean["before"])
    error = float(np.sqrt(variance["test"] / n["test"] + variance["before"] / n["before"]))
    return GeoTest(weekly=weekly, holdout=held, control=control, lift_per_week=lift, standard_error=error,
                   test_weeks=test_weeks, before_weeks=before_weeks)


def channel_leads_in(leads: pd.DataFrame, channel: str, regions: tuple[str, ...] | list[str],
                     start: str | pd.Timestamp, end: str | pd.Timestamp) -> pd.Series:
    """Which leads ``channel`` created in ``regions`` from ``start`` (included) to ``end`` (excluded): the ones a
    pause of the channel there and then could touch."""
    created = leads["created_at"]
    return (leads["channel"].astype(str).eq(channel) & leads["region"].astype(str).isin(list(regions))
            & created.ge(pd.Timestamp(start)) & created.lt(pd.Timestamp(end)))


def last_touch_leads(leads: pd.DataFrame, channel: str, regions: tuple[str, ...] | list[str],
                     start: str | pd.Timestamp, end: str | pd.Timestamp) -> int:
    """The leads that last-touch attribution gives ``channel`` in ``regions`` from ``start`` to ``end``: those it
    created (its converting touch is their last). What a pause would cost if every one of them were caused."""
    return int(channel_leads_in(leads, channel, regions, start, end).sum())


def romi_by_channel(table: pd.DataFrame, gross_margin: float) -> pd.DataFrame:
    """Each channel's return on marketing investment (:func:`smarketing.kpis.romi`) twice: on the revenue last
    touch credits it with, and on the revenue it caused. ``table`` has the columns ``spend``,
    ``last_touch_revenue`` and ``caused_revenue`` (as :func:`generator.experiments.channel_truth` gives them)."""
    missing = [c for c in ("spend", "last_touch_revenue", "caused_revenue") if c not in table.columns]
    if missing:
        raise ValueError(_("The table is missing column(s) {columns}.", columns=", ".join(missing)))
    return pd.DataFrame({
        f"romi_{basis}": [kpis.romi(revenue, spend, gross_margin)
                          for revenue, spend in zip(table[f"{basis}_revenue"], table["spend"], strict=True)]
        for basis in ("last_touch", "caused")}, index=table.index)


def monthly_spend_and_leads(campaigns: pd.DataFrame, leads: pd.DataFrame, channel: str) -> pd.DataFrame:
    """Month by month for one channel: its spend (each campaign's spread evenly over its days, from start_date to
    end_date) and the leads it created (its last-touch leads). Index: the months from the first lead or campaign
    to the last."""
    mine = campaigns[campaigns["channel"].astype(str) == channel]
    days = [pd.date_range(start, end, freq="D") for start, end in zip(mine["start_date"], mine["end_date"],
                                                                       strict=True)]
    daily = pd.Series(np.repeat(mine["spend"].to_numpy(dtype=float) / np.maximum([len(d) for d in days], 1),
                                [len(d) for d in days]),
                      index=pd.DatetimeIndex(np.concatenate([d.to_numpy() for d in days]) if days else []))
    created = leads.loc[leads["channel"].astype(str) == channel, "created_at"]
    months = pd.period_range(min(leads["created_at"].min(), campaigns["start_date"].min()),
                             leads["created_at"].max(), freq="M")
    return pd.DataFrame({"spend": daily.groupby(daily.index.to_period("M")).sum().reindex(months, fill_value=0.0),
                         "leads": created.dt.to_period("M").value_counts().reindex(months, fill_value=0)
                         }).rename_axis("month")


@dataclass(frozen=True)
class SpendResponse:
    """A lagged regression of a channel's monthly leads on its spend this month and the months before:
    leads = intercept + Σ lag_k × spend k months earlier (ordinary least squares). ``coefficients``: intercept
    and one per lag, in leads per unit of spend; ``leads_per_thousand``: what 1,000 more spent brings, all lags
    together; ``r_squared``: the share of the months' variation the line explains."""

    channel: str
    coefficients: pd.Series
    r_squared: float
    months: int

    @property
    def leads_per_thousand(self) -> float:
        return 1000 * float(self.coefficients.drop("intercept").sum())


def spend_response(monthly: pd.DataFrame, channel: str = "", lags: int = 2) -> SpendResponse:
    """Fit :class:`SpendResponse` to :func:`monthly_spend_and_leads` (numpy's least squares). The first ``lags``
    months have no earlier spend to read and are left out. Correlation, not causation: spend that goes where buyers
    already are is credited with them, as last touch credits it (module 05)."""
    if lags < 0:
        raise ValueError(_("lags must be zero or more (got {lags}).", lags=lags))
    spend = monthly["spend"].to_numpy(dtype=float)
    usable = len(spend) - lags
    if usable < lags + 3:
        raise ValueError(_("{months} months are too few for {lags} lags: the regression needs at least {need}.",
                           months=len(spend), lags=lags, need=2 * lags + 3))
    design = np.column_stack([np.ones(usable)] + [spend[lags - k:len(spend) - k] for k in range(lags + 1)])
    target = monthly["leads"].to_numpy(dtype=float)[lags:]
    solution, *_rest = np.linalg.lstsq(design, target, rcond=None)
    residual = target - design @ solution
    total = float(((target - target.mean()) ** 2).sum())
    names = ["intercept", *[f"lag_{k}" for k in range(lags + 1)]]
    return SpendResponse(channel, pd.Series(solution, index=names),
                         1 - float((residual ** 2).sum()) / total if total else float("nan"), usable)
