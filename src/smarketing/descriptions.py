"""What each chart says, in words made from its own data: one or two sentences with its main figures.

A chart builder in :mod:`smarketing.charts` passes the data it plots to the function of the same name here and
sets the result as the chart's Vega-Lite ``description``. JupyterLab, Voilà and the site announce it (Vega makes
it the chart's ``aria-label``), and :func:`smarketing.charts.bundle` writes it into the static SVG copy as its
``<desc>`` and ``aria-label``. A description never repeats the title: it says what the title asks about, with
numbers, in the learner's language.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from smarketing.labels import label
from smarketing.messages import _


def _pct(value: float, digits: int = 0) -> str:
    return f"{value:.{digits}%}"


def _num(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _items(pairs: list[tuple[str, str]]) -> str:
    """"marketing 62%, sales 48%" ("营销：62%，销售：48%")."""
    return _(", ").join(_("{name} {value}", name=name, value=value) for name, value in pairs)


def time_allocation(allocation: pd.DataFrame) -> str:
    own = [(label(str(f)), _pct(allocation.loc[f, f])) for f in allocation.index if f in allocation.columns]
    return _("Share of each function's working hours spent on work it owns: {shares}; the rest goes to other "
             "functions' work.", shares=_items(own))


def activity_split(split: pd.DataFrame, functions: list[str]) -> str:
    outside = {activity: float(split.loc[activity, [f for f in functions if f != owner]].sum())
               for activity, owner in split["owner"].items()}
    activity = max(outside, key=outside.get)
    total = float(split[functions].to_numpy().sum())
    return _("{activity} (owned by {owner}) takes the most hours from people of other functions: {hours} h a week, "
             "of {total} h a week on all activities.", activity=activity, owner=label(split.loc[activity, "owner"]),
             hours=_num(outside[activity]), total=_num(total))


def kpi_trend(table: pd.DataFrame, unit: str, percent: bool) -> str:
    def show(value: float) -> str:
        return _pct(value, 1) if percent else _num(value, 0 if float(value).is_integer() else 1)

    quarters = list(dict.fromkeys(table["quarter"].astype(str)))
    first, last = quarters[0], quarters[-1]
    groups = table.groupby("company", sort=False) if "company" in table else [("", table)]
    moves = []
    for company, rows in groups:
        rows = rows.assign(quarter=rows["quarter"].astype(str)).set_index("quarter")["value"]
        moves.append((label(str(company)) if company else "",
                      _("{start} → {end}", start=show(rows.iloc[0]), end=show(rows.iloc[-1]))))
    sentence = _("{unit} from {first} to {last}: {moves}.", unit=unit, first=first, last=last,
                 moves=_items(moves).strip())
    if "target" in table and table["target"].notna().any():
        sentence += " " + _("Target in {last}: {target}.", last=last,
                            target=show(table["target"].dropna().iloc[-1]))
    return sentence


def revenue_lag(lag: pd.DataFrame) -> str:
    halves = [(label(str(company)), _num(rows.loc[rows["share_of_revenue"] >= 0.5, "months_after_lead"].min()))
              for company, rows in lag.groupby("company", sort=False)]
    return _("Months after the lead until half of the won revenue has closed: {months}.", months=_items(halves))


def delivery_effect(effects: pd.DataFrame) -> str:
    return _("Orders sent back: on time {returned_on_time}, late {returned_late}. Shoppers who ordered again: on "
             "time {repeat_on_time}, late {repeat_late}.",
             returned_on_time=_pct(effects.loc["on_time", "returned_rate"], 1),
             returned_late=_pct(effects.loc["late", "returned_rate"], 1),
             repeat_on_time=_pct(effects.loc["on_time", "repeat_rate"], 1),
             repeat_late=_pct(effects.loc["late", "repeat_rate"], 1))


def funnel(counts: pd.DataFrame, value: str, order: list[str], stage_label: Any) -> str:
    groups = counts.groupby("company", sort=False) if "company" in counts else [("", counts)]
    parts = []
    for company, rows in groups:
        by_stage = rows.set_index("stage")[value]
        stages = [s for s in order if s in by_stage.index]
        first, last = stages[0], stages[-1]
        share = by_stage[last] / by_stage[first] if by_stage[first] else 0.0
        part = _("{first_count} {first} → {last_count} {last} ({share} of the first stage)",
                 first_count=_num(by_stage[first]), first=stage_label(first), last_count=_num(by_stage[last]),
                 last=stage_label(last), share=_pct(share, 1))
        parts.append(f"{label(str(company))}: {part}" if company else part)
    return _("; ").join(parts) + _(".")


def response_time(table: pd.DataFrame) -> str:
    groups = table.groupby("company", sort=False) if "company" in table else [("", table)]
    parts = []
    for company, rows in groups:
        rates = _items([(str(r["response_time"]), _pct(r["sql_rate"], 1))
                        for _i, r in rows.dropna(subset=["sql_rate"]).iterrows()])
        parts.append(f"{label(str(company))}: {rates}" if company else rates)
    return _("MQLs that became SQLs, by sales' first response: {parts}.", parts=_("; ").join(parts))


def threshold(tradeoff: pd.DataFrame, chosen: int | None) -> str:
    rows = tradeoff.set_index("threshold")
    at = chosen if chosen in rows.index else rows.index[len(rows) // 2]
    return _("At a threshold of {threshold} points, sales must work {leads} of the leads, which hold {revenue} of "
             "won revenue.", threshold=at, leads=_pct(rows.loc[at, "share_of_leads"]),
             revenue=_pct(rows.loc[at, "share_of_won_revenue"]))


def cohort_naive(table: pd.DataFrame) -> str:
    cohort, naive = table["cohort_rate"].dropna(), table["naive_rate"].dropna()
    return _("Over {periods} periods the same-cohort conversion runs from {cohort_low} to {cohort_high}, the naive "
             "ratio from {naive_low} to {naive_high}.", periods=len(table), cohort_low=_pct(cohort.min(), 1),
             cohort_high=_pct(cohort.max(), 1), naive_low=_pct(naive.min(), 1), naive_high=_pct(naive.max(), 1))


def score_band(table: pd.DataFrame, measure: str) -> str:
    groups = table.groupby("company", sort=False) if "company" in table else [("", table)]
    parts = []
    for company, rows in groups:
        rows = rows.dropna(subset=[measure])
        low, high = rows.iloc[0], rows.iloc[-1]
        part = _("band {low_band}: {low_rate}, band {high_band}: {high_rate}", low_band=low["band"],
                 low_rate=_pct(low[measure], 1), high_band=high["band"], high_rate=_pct(high[measure], 1))
        parts.append(f"{label(str(company))}: {part}" if company else part)
    what = _("became SQL") if measure == "sql_rate" else _("were won")
    return _("Contacted leads that {what}, lowest and highest score band: {parts}.", what=what,
             parts=_("; ").join(parts))


def backtest(data: pd.DataFrame) -> str:
    errors = data.assign(error=data["error"].abs()).groupby("method", sort=False)["error"].mean()
    best = errors.idxmin()
    own = data.loc[data["method"] == best, "error"]
    return _("Mean absolute forecast error over {quarters} quarters: {errors}; the closest is {best}, its errors from "
             "{low} to {high}.", quarters=data["quarter"].nunique(),
             errors=_items([(m, _pct(e)) for m, e in errors.items()]), best=best, low=f"{own.min():+.0%}",
             high=f"{own.max():+.0%}")


def capacity(by_region: pd.DataFrame) -> str:
    regions = [(str(r), _("{capacity} of {quota}", capacity=_num(row["capacity"]), quota=_num(row["quota"])))
               for r, row in by_region.set_index("region").iterrows()]
    gap = float(by_region["quota"].sum() - by_region["capacity"].sum())
    return _("Capacity with the ramp against full quota: {regions}. New reps still ramping leave {gap} uncovered.",
             regions=_items(regions), gap=_num(gap))


def attribution(shares: pd.DataFrame) -> str:
    spread = shares.max(axis=1) - shares.min(axis=1)
    channel = spread.idxmax()
    models = [(label(str(m)), _pct(shares.loc[channel, m])) for m in shares.columns]
    return _("The rule matters most for {channel}: its share of won revenue is {models}.", channel=label(str(channel)),
             models=_items(models))


def geo_test(weekly: pd.DataFrame) -> str:
    means = weekly.groupby("period")[["holdout", "control"]].mean()
    before = "before" if "before" in means.index else means.index[0]
    last = weekly[weekly["period"] == "test"].iloc[-1]
    return _("Leads a week per region, on average before the test and during it: holdout {holdout_before} then "
             "{holdout_test}, control {control_before} then {control_test}; in the last test week {holdout_last} "
             "against {control_last}.",
             holdout_before=_num(means.loc[before, "holdout"], 1), holdout_test=_num(means.loc["test", "holdout"], 1),
             control_before=_num(means.loc[before, "control"], 1), control_test=_num(means.loc["test", "control"], 1),
             holdout_last=_num(last["holdout"], 1), control_last=_num(last["control"], 1))


def retention(data: pd.DataFrame) -> str:
    last = data.loc[data.groupby("cohort")["days"].idxmax()]
    cohorts = [(str(row["cohort"]), _("{share} after {days} days", share=_pct(row["retained"]),
                                      days=_num(row["days"]))) for _i, row in last.iterrows()]
    return _("Share of each cohort that ordered again, at its last point: {cohorts}.", cohorts=_items(cohorts))


def segment_conversion(by_segment: pd.DataFrame, segments: list[str]) -> str:
    parts = []
    for segment in segments:
        rows = by_segment[by_segment["segment"] == segment]
        if len(rows):
            parts.append(f"{segment}: " + _items([(label(str(r["company"])), _pct(r["mql_to_sql_rate"]))
                                                  for _i, r in rows.iterrows()]))
    mix = _items([(label(str(company)), _pct(rows.loc[rows["segment"] == segments[-1], "share_of_leads"].sum()))
                  for company, rows in by_segment.groupby("company", sort=False)])
    return _("MQL → SQL within each segment: {rates}. Share of leads in {segment}: {mix}.",
             rates=_("; ").join(parts), segment=segments[-1], mix=mix)


def claim(claim_table: pd.DataFrame) -> str:
    parts = [(str(r["metric"]), _("observed {observed}, claimed {claimed}",
                                  observed=f"{r['observed_difference']:+.0%}",
                                  claimed=f"{r['claimed_difference']:+.0%}" if pd.notna(r["claimed_difference"])
                                  else "—"))
             for _i, r in claim_table.iterrows()]
    return _("Aligned against misaligned, relative difference: {parts}.", parts=_("; ").join(f"{m}: {v}"
                                                                                               for m, v in parts))


def gap(decomposition: pd.DataFrame) -> str:
    *parts, whole = list(decomposition.itertuples(index=False))
    # Babel finds no _() nested in another's arguments: each message is made first, then placed.
    points = [(str(p.part), _("{points} points", points=_num(p.percentage_points, 1))) for p in parts]
    return _("The whole gap is {points} percentage points: {parts}.", points=_num(whole.percentage_points, 1),
             parts=_items(points))


def promotion(promotions: pd.DataFrame) -> str:
    ranges = [(label(str(f)), _("{low}–{high} years", low=_num(rows["median_years"].min(), 1),
                                high=_num(rows["median_years"].max(), 1)))
              for f, rows in promotions.groupby("function", sort=False)]
    return _("Median years at a level before the promotion, lowest to highest level by level: {ranges}.",
             ranges=_items(ranges))


def transition(data: pd.DataFrame) -> str:
    moves = data[data["from"].astype(str) != data["to"].astype(str)].nlargest(3, "share")
    return _("The most frequent moves: {moves}.",
             moves=_items([(f"{r['from']} → {r['to']}", _pct(r["share"])) for _i, r in moves.iterrows()]))


def promotion_pace(pace: pd.DataFrame) -> str:
    parts = [(f"{label(str(r['function']))} · {r['stage']}",
              _("{median} years ({low}–{high})", median=_num(r["median_years"], 1), low=_num(r["low"], 1),
                high=_num(r["high"], 1)))
             for _i, r in pace.iterrows()]
    return _("Median years before a promotion, with its 95 % interval: {parts}.", parts=_items(parts))


def skills_fit(fit: pd.DataFrame) -> str:
    best = fit.loc[fit["fit"].idxmax()]
    return _("Fit with each path, out of 100: {fits}; the best fit is {best}.",
             fits=_items([(label(str(r["path"])), _num(r["fit"])) for _i, r in fit.iterrows()]),
             best=label(str(best["path"])))
