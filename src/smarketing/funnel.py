"""The demand waterfall on the leads and opportunities tables: stages, conversion, leakage, speed to
lead, the MQL-threshold trade-off and reverse-funnel planning. Rates come from :mod:`smarketing.kpis`,
so the funnel uses the very formulas the course defines. A lead-scoring rule of one's own
(:func:`rule_points`) is weighed against sales' capacity and the cost of working a lead by
:func:`scoring_rule_problems`, exercise 03's design deliverable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from itertools import pairwise

import numpy as np
import pandas as pd

from smarketing import kpis
from smarketing.datasets.generator.laws import response_multiplier
from smarketing.messages import _
from smarketing.schema import CHANNELS, REGIONS, SEGMENTS, require_columns

STAGES = ("lead", "mql", "sal", "sql", "opportunity", "won")
# What a company's data needs for the rate into each stage to be measured (as smarketing.datasets.availability.has
# reads it): the stage's date on the leads; a deal linked to its lead; a deal won.
STAGE_NEEDS = {"mql": "leads.mql_at", "sal": "leads.sal_at", "sql": "leads.sql_at",
               "opportunity": "opportunities.lead_id", "won": "opportunities"}
RESPONSE_BUCKETS = ((0.0, 5.0, "under 5 min"), (5.0, 60.0, "5–60 min"), (60.0, 1440.0, "1–24 h"),
                    (1440.0, math.inf, "over 24 h"))


def _reached(leads: pd.DataFrame, opportunities: pd.DataFrame) -> dict[str, pd.Series]:
    """For each stage, a boolean per lead: did it get that far?"""
    require_columns(leads, "leads", "lead_id", "mql_at", "sal_at", "sql_at")
    require_columns(opportunities, "opportunities", "lead_id", "outcome")
    won_leads = opportunities.loc[opportunities["outcome"] == "won", "lead_id"]
    return {
        "lead": pd.Series(True, index=leads.index),
        "mql": leads["mql_at"].notna(),
        "sal": leads["sal_at"].notna(),
        "sql": leads["sql_at"].notna(),
        "opportunity": leads["lead_id"].isin(opportunities["lead_id"]),
        "won": leads["lead_id"].isin(won_leads),
    }


def stage_counts(leads: pd.DataFrame, opportunities: pd.DataFrame) -> pd.DataFrame:
    """Leads that reached each stage of the waterfall: columns stage, count."""
    reached = _reached(leads, opportunities)
    return pd.DataFrame({"stage": list(STAGES), "count": [int(reached[s].sum()) for s in STAGES]})


def stage_conversion(leads: pd.DataFrame, opportunities: pd.DataFrame) -> pd.DataFrame:
    """Stage-to-stage conversion for one cohort of leads: of those who entered a stage, the share that
    also entered the next. Columns from_stage, to_stage, entered, converted, rate (nan if none entered)."""
    reached = _reached(leads, opportunities)
    rows = []
    for before, after in pairwise(STAGES):
        entered = int(reached[before].sum())
        converted = int((reached[before] & reached[after]).sum())
        rows.append((before, after, entered, converted, kpis.conversion_rate(converted, entered)))
    return pd.DataFrame(rows, columns=["from_stage", "to_stage", "entered", "converted", "rate"])


def lead_to_customer_rate(leads: pd.DataFrame, opportunities: pd.DataFrame) -> float:
    """Share of all leads that became a won customer."""
    reached = _reached(leads, opportunities)
    return kpis.conversion_rate(int(reached["won"].sum()), len(leads))


def _mqls(leads: pd.DataFrame) -> pd.DataFrame:
    require_columns(leads, "leads", "mql_at", "first_response_minutes")
    return leads[leads["mql_at"].notna()]


def leakage_rate(leads: pd.DataFrame, sla_minutes: float = 1440.0) -> float:
    """MQLs with no first response within the SLA (never contacted, or too late) ÷ MQLs. nan if no MQLs."""
    if not sla_minutes > 0:
        raise ValueError(_("sla_minutes must be a positive number of minutes (got {value}).", value=sla_minutes))
    mqls = _mqls(leads)
    answered_in_time = mqls["first_response_minutes"] <= sla_minutes  # NaN (never contacted) compares False
    return kpis.lead_leakage_rate(int((~answered_in_time).sum()), len(mqls))


def speed_to_lead_minutes(leads: pd.DataFrame) -> float:
    """Median minutes from MQL to sales' first contact, over the MQLs that were contacted. nan if none."""
    minutes = _mqls(leads)["first_response_minutes"].dropna()
    return float(minutes.median()) if len(minutes) else math.nan


def conversion_by_response_time(leads: pd.DataFrame) -> pd.DataFrame:
    """MQL → SQL conversion by how fast sales first answered (plus those never contacted).

    Columns response_time, mqls, sqls, sql_rate: one row per bucket, ready to chart.
    """
    mqls = _mqls(leads)
    require_columns(leads, "leads", "sql_at")
    minutes = mqls["first_response_minutes"]
    rows = []
    for low, high, label in RESPONSE_BUCKETS:
        bucket = mqls[(minutes > low) & (minutes <= high)] if low else mqls[minutes <= high]
        rows.append((label, len(bucket), int(bucket["sql_at"].notna().sum())))
    never = mqls[minutes.isna()]
    rows.append((_("never contacted"), len(never), int(never["sql_at"].notna().sum())))
    table = pd.DataFrame(rows, columns=["response_time", "mqls", "sqls"])
    table["sql_rate"] = [kpis.conversion_rate(s, m) for s, m in zip(table["sqls"], table["mqls"], strict=True)]
    return table


def mql_threshold_tradeoff(leads: pd.DataFrame, opportunities: pd.DataFrame,
                           thresholds: Iterable[int] = range(0, 101, 5)) -> pd.DataFrame:
    """What each MQL score threshold would mean: how many leads sales must work, and how much of the
    won revenue those leads brought. Columns threshold, mqls, share_of_leads, won_deals, won_revenue,
    share_of_won_revenue. Vectorised: one sort and cumulative sums, whatever the number of leads."""
    require_columns(leads, "leads", "lead_id", "score")
    require_columns(opportunities, "opportunities", "lead_id", "outcome", "amount")
    won = opportunities[opportunities["outcome"] == "won"].groupby("lead_id")["amount"].agg(["size", "sum"])
    score = leads["score"].to_numpy(dtype=float)
    deals = leads["lead_id"].map(won["size"]).fillna(0).to_numpy(dtype=float)
    revenue = leads["lead_id"].map(won["sum"]).fillna(0).to_numpy(dtype=float)
    order = np.argsort(-score, kind="stable")
    at_least = np.array(list(thresholds), dtype=float)
    # How many leads have a score >= each threshold, then the cumulative totals of those leads.
    counts = np.searchsorted(-score[order], -at_least, side="right")
    cum_deals = np.concatenate([[0.0], np.cumsum(deals[order])])
    cum_revenue = np.concatenate([[0.0], np.cumsum(revenue[order])])
    total_revenue = cum_revenue[-1]
    return pd.DataFrame({
        "threshold": at_least.astype(int),
        "mqls": counts,
        "share_of_leads": counts / len(leads) if len(leads) else np.nan,
        "won_deals": cum_deals[counts].astype(int),
        "won_revenue": cum_revenue[counts],
        "share_of_won_revenue": cum_revenue[counts] / total_revenue if total_revenue else np.nan,
    })


def reverse_funnel(revenue_target: float, average_deal: float, rates: Mapping[str, float]) -> pd.DataFrame:
    """Work back from a revenue target to the volume each stage must deliver.

    ``rates`` gives, for each stage after "lead", the share of the previous stage that reaches it, e.g.
    ``{"mql": 0.25, "sal": 0.8, "sql": 0.5, "opportunity": 0.45, "won": 0.25}``. Customers needed =
    target ÷ average deal; each earlier stage = the next one ÷ its rate, rounded up to whole leads.
    Columns stage, needed.
    """
    kpis._non_negative(revenue_target=revenue_target, average_deal=average_deal)
    if average_deal == 0:
        raise ValueError(_("average_deal must be above zero to plan a funnel."))
    missing = [s for s in STAGES[1:] if s not in rates]
    if missing:
        raise ValueError(_("rates is missing stage(s) {stages}; give one rate for each of {all}.",
                           stages=", ".join(missing), all=", ".join(STAGES[1:])))
    for stage in STAGES[1:]:
        if not 0 < rates[stage] <= 1:
            raise ValueError(_("The {stage} rate must be a share above 0 and at most 1 (got {value}).",
                               stage=stage, value=rates[stage]))
    needed = {"won": math.ceil(revenue_target / average_deal - 1e-9)}
    for later, earlier in zip(STAGES[:0:-1], STAGES[-2::-1], strict=True):
        needed[earlier] = math.ceil(needed[later] / rates[later] - 1e-9)
    return pd.DataFrame({"stage": list(STAGES), "needed": [needed[s] for s in STAGES]})


def pipeline_velocity_from(opportunities: pd.DataFrame) -> float:
    """Pipeline velocity (currency per day) from the opportunities table: open deals × average won deal ×
    win rate ÷ median won cycle, each by the course's own formula in :mod:`smarketing.kpis`."""
    require_columns(opportunities, "opportunities", "outcome", "amount", "created_at", "closed_at")
    won = opportunities[opportunities["outcome"] == "won"]
    lost = opportunities[opportunities["outcome"] == "lost"]
    open_deals = int((opportunities["outcome"] == "open").sum())
    average = kpis.average_deal_size(float(won["amount"].sum()), len(won))
    rate = kpis.win_rate(len(won), len(lost))
    cycle = kpis.sales_cycle_days(won["created_at"], won["closed_at"])
    if any(math.isnan(v) for v in (average, rate, cycle)):
        return math.nan
    return kpis.pipeline_velocity(open_deals, average, rate, cycle)


def observed_rates(leads: pd.DataFrame, opportunities: pd.DataFrame) -> dict[str, float]:
    """Each stage's conversion from the previous one, as measured: the ``rates`` that
    :func:`reverse_funnel` and :func:`simulate_funnel` take (stages with no entries give nan)."""
    table = stage_conversion(leads, opportunities)
    return dict(zip(table["to_stage"], table["rate"].astype(float), strict=True))


# Typical stage conversions, for planning where a company's own data has no usable rate (an export with
# no deals, or none won yet). Benchmark blogs (grade C, module 02): lead → MQL ~25 %, MQL → SQL 13–50 %
# (here 0.8 × 0.5 = 40 %: the split between SAL and SQL is the course's assumption), SQL → opportunity
# ~45 %, opportunity → won 20–30 %.
TYPICAL_RATES = {"mql": 0.25, "sal": 0.8, "sql": 0.5, "opportunity": 0.45, "won": 0.25}


def plannable_rates(rates: Mapping[str, float]) -> tuple[dict[str, float], list[str]]:
    """``rates`` ready for :func:`reverse_funnel`: each stage whose rate is missing, ``nan`` or 0 (no
    plan can work back through it) takes its :data:`TYPICAL_RATES` value. Returns the rates and the
    stages that were filled, so that an app can say which numbers are assumed."""
    filled = [s for s in STAGES[1:] if not rates.get(s, math.nan) > 0]
    return {s: TYPICAL_RATES[s] if s in filled else float(rates[s]) for s in STAGES[1:]}, filled


def response_effect(response_minutes: float, decay: float = 0.5) -> float:
    """How first-response time multiplies the SAL → SQL rate, relative to answering within the hour:
    1 up to 60 minutes, then ``(60 / minutes) ** decay``. The synthetic companies are generated with
    this rule (``response_decay`` in company.json); it imitates the HBR 2011 study's finding that
    qualification odds fall several-fold after the first hour."""
    if not response_minutes >= 0:
        raise ValueError(_("response_minutes must be zero or more (got {value}).", value=response_minutes))
    return float(response_multiplier(np.array([response_minutes]), decay)[0])


def within_hour_rates(leads: pd.DataFrame, opportunities: pd.DataFrame, decay: float = 0.5) -> dict[str, float]:
    """The observed stage rates, with SAL → SQL corrected to what it would be if sales answered every
    lead within the hour: divided by the mean :func:`response_effect` of the accepted leads. The
    baseline of :func:`simulate_funnel`, so that its response-time control does not count today's
    slowness twice."""
    rates = observed_rates(leads, opportunities)
    accepted = leads.loc[leads["sal_at"].notna(), "first_response_minutes"].dropna()
    if len(accepted):
        rates["sql"] = min(1.0, rates["sql"] / float(response_multiplier(accepted.to_numpy(), decay).mean()))
    return rates


def simulate_funnel(leads: float, rates: Mapping[str, float], average_deal: float, response_minutes: float = 30.0,
                    response_decay: float = 0.5) -> pd.DataFrame:
    """Expected volume at each stage, and revenue, for a month of ``leads``.

    ``rates`` are the stage conversions of a team that answers within the hour (as for
    :func:`reverse_funnel`); slower first responses scale the SAL → SQL rate by
    :func:`response_effect`. Expected values, not a random draw: the same inputs give the same
    answer. Columns stage, count, revenue (revenue only on the "won" row).
    """
    kpis._non_negative(leads=leads, average_deal=average_deal)
    missing = [s for s in STAGES[1:] if s not in rates]
    if missing:
        raise ValueError(_("rates is missing stage(s) {stages}; give one rate for each of {all}.",
                           stages=", ".join(missing), all=", ".join(STAGES[1:])))
    for stage in STAGES[1:]:
        if not 0 <= rates[stage] <= 1:
            raise ValueError(_("The {stage} rate must be a share from 0 to 1 (got {value}).", stage=stage,
                               value=rates[stage]))
    effective = dict(rates)
    effective["sql"] = rates["sql"] * response_effect(response_minutes, response_decay)
    counts = np.cumprod([float(leads)] + [effective[s] for s in STAGES[1:]])
    revenue = np.where(np.array(STAGES) == "won", counts * average_deal, np.nan)
    return pd.DataFrame({"stage": list(STAGES), "count": counts, "revenue": revenue})


def revenue_lag(leads: pd.DataFrame, opportunities: pd.DataFrame, max_months: int = 18) -> pd.DataFrame:
    """Marketing's lag: of the won revenue that leads brought, the share that had closed N months after
    the lead came in (cumulative, N = 0 … ``max_months``). Only leads from the first year count, so
    that every cohort had the same time to mature. Columns months_after_lead, share_of_revenue."""
    require_columns(leads, "leads", "lead_id", "created_at")
    require_columns(opportunities, "opportunities", "lead_id", "outcome", "amount", "closed_at")
    won = opportunities[opportunities["outcome"] == "won"]
    created = won["lead_id"].map(leads.set_index("lead_id")["created_at"])
    first_year = created < created.min() + pd.DateOffset(years=1)
    months = ((won["closed_at"] - created).dt.days / 30.44)[first_year]
    amounts = won["amount"][first_year]
    total = float(amounts.sum())
    steps = np.arange(max_months + 1)
    shares = [float(amounts[months <= m].sum()) / total if total else math.nan for m in steps]
    return pd.DataFrame({"months_after_lead": steps, "share_of_revenue": shares})


def stage_dates(leads: pd.DataFrame, opportunities: pd.DataFrame) -> pd.DataFrame:
    """When each lead reached each stage of the waterfall (NaT: not reached), one row per lead, one
    column per stage: lead = created_at, mql/sal/sql from the leads table, opportunity = its first
    opportunity's created_at, won = the close date of its first won deal. Index as ``leads``."""
    require_columns(leads, "leads", "lead_id", "created_at", "mql_at", "sal_at", "sql_at")
    require_columns(opportunities, "opportunities", "lead_id", "outcome", "created_at", "closed_at")
    opened = opportunities.groupby("lead_id")["created_at"].min()
    won = opportunities[opportunities["outcome"] == "won"].groupby("lead_id")["closed_at"].min()
    ids = leads["lead_id"].to_numpy()
    # reindex, not map: pandas cannot map through an empty datetime Series (a company with no deals)
    return pd.DataFrame({
        "lead": leads["created_at"], "mql": leads["mql_at"], "sal": leads["sal_at"], "sql": leads["sql_at"],
        "opportunity": opened.reindex(ids).to_numpy(),
        "won": won.reindex(ids).to_numpy(),
    }, index=leads.index)


def cohort_vs_naive(leads: pd.DataFrame, opportunities: pd.DataFrame, from_stage: str = "mql",
                    to_stage: str = "sql", freq: str = "Q") -> pd.DataFrame:
    """Two ways to report a stage conversion per period (``freq``: "Q" quarters or "M" months).

    * cohort: of the leads that entered ``from_stage`` in the period, the share that ever reached
      ``to_stage`` (by the end of the data): the definition the course uses;
    * naive: leads reaching ``to_stage`` in the period ÷ leads entering ``from_stage`` in the same
      period ("this month's SQLs ÷ this month's MQLs"), which mixes different cohorts of leads.

    Columns period (text), entered, converted, cohort_rate, reached_in_period, naive_rate.
    """
    for stage in (from_stage, to_stage):
        if stage not in STAGES:
            raise ValueError(_("Unknown stage '{stage}'. Choose one of: {known}.", stage=stage,
                               known=", ".join(STAGES)))
    if STAGES.index(to_stage) <= STAGES.index(from_stage):
        raise ValueError(_("to_stage must come after from_stage in the funnel ({known}).", known=" → ".join(STAGES)))
    dates = stage_dates(leads, opportunities)
    start, end = dates[from_stage], dates[to_stage]
    entered_in = start.dt.to_period(freq)
    entered = entered_in.value_counts()
    converted = (end.notna() & start.notna()).groupby(entered_in).sum()
    reached = end.dt.to_period(freq).value_counts()
    periods = entered.index.union(reached.index).sort_values()
    table = pd.DataFrame({
        "period": [str(p) for p in periods],
        "entered": entered.reindex(periods, fill_value=0).to_numpy(dtype=int),
        "converted": converted.reindex(periods, fill_value=0).to_numpy(dtype=int),
        "reached_in_period": reached.reindex(periods, fill_value=0).to_numpy(dtype=int),
    })
    table["cohort_rate"] = [kpis.conversion_rate(c, e) for c, e in zip(table["converted"], table["entered"],
                                                                      strict=True)]
    # Not a same-cohort rate, so it may even exceed 100 %: a plain ratio, not kpis.conversion_rate.
    table["naive_rate"] = [kpis._ratio(r, e) for r, e in zip(table["reached_in_period"], table["entered"], strict=True)]
    return table[["period", "entered", "converted", "cohort_rate", "reached_in_period", "naive_rate"]]


def mql_outcomes(leads: pd.DataFrame) -> pd.DataFrame:
    """Where the MQLs went: never contacted, turned down by sales at the handoff (with the reason),
    accepted but not qualified (with the reason), qualified (SQL), or still being worked.

    Columns outcome, reason ("" where none), mqls, share (of all MQLs); the reasons are sales' feedback
    to marketing. One row per outcome and reason that occurs, in funnel order.
    """
    require_columns(leads, "leads", "mql_at", "sal_at", "sql_at", "first_response_minutes", "disqualification_reason")
    mqls = leads[leads["mql_at"].notna()]
    contacted = mqls["first_response_minutes"].notna()
    accepted = mqls["sal_at"].notna()
    qualified = mqls["sql_at"].notna()
    reason = mqls["disqualification_reason"].astype(object).where(mqls["disqualification_reason"].notna(), "")
    groups = [
        (_("never contacted"), ~contacted),
        (_("turned down at the handoff"), contacted & ~accepted),
        (_("accepted, not qualified"), accepted & ~qualified & (reason != "")),
        (_("accepted, still being worked"), accepted & ~qualified & (reason == "")),
        (_("qualified (SQL)"), qualified),
    ]
    rows = []
    for outcome, mask in groups:
        counts = reason[mask].value_counts()
        for why in sorted(counts.index, key=lambda r: (-counts[r], r)):
            rows.append((outcome, why, int(counts[why])))
    table = pd.DataFrame(rows, columns=["outcome", "reason", "mqls"])
    table["share"] = table["mqls"] / len(mqls) if len(mqls) else np.nan
    return table


def outcomes_by_score_band(leads: pd.DataFrame, opportunities: pd.DataFrame,
                           edges: Iterable[int] = (0, 20, 40, 55, 70, 85, 101)) -> pd.DataFrame:
    """What happened to leads by lead-score band: how many there were, how many sales contacted, and
    of those contacted, the share that became SQL and the share that was won.

    Bands are ``[edge, next edge)``, labelled e.g. "40–54" (the default edges include the MQL thresholds
    of ferro, 40, and lumen, 55). Rates are nan where sales contacted nobody:
    below the MQL threshold the history is silent (those leads were never called), which is not the
    same as a won rate of zero. Columns band, low, leads, contacted, sqls, won, sql_rate, won_rate.
    """
    require_columns(leads, "leads", "lead_id", "score", "first_response_minutes", "sql_at")
    require_columns(opportunities, "opportunities", "lead_id", "outcome")
    bounds = [int(e) for e in edges]
    if len(bounds) < 2 or any(b <= a for a, b in pairwise(bounds)):
        raise ValueError(_("edges must be at least two increasing numbers (got {edges}).", edges=bounds))
    won_leads = opportunities.loc[opportunities["outcome"] == "won", "lead_id"]
    frame = pd.DataFrame({
        "band": pd.cut(leads["score"].astype(float), bounds, right=False, labels=False),
        "contacted": leads["first_response_minutes"].notna(),
        "sql": leads["sql_at"].notna(),
        "won": leads["lead_id"].isin(won_leads),
    })
    frame["sql"] &= frame["contacted"]
    frame["won"] &= frame["contacted"]
    sums = frame.groupby("band").agg(leads=("won", "size"), contacted=("contacted", "sum"), sqls=("sql", "sum"),
                                      won=("won", "sum")).reindex(range(len(bounds) - 1), fill_value=0)
    table = pd.DataFrame({
        "band": [f"{low}–{min(high - 1, 100)}" for low, high in pairwise(bounds)],
        "low": bounds[:-1],
        **{c: sums[c].to_numpy(dtype=int) for c in ("leads", "contacted", "sqls", "won")},
    })
    table["sql_rate"] = [kpis.conversion_rate(s, c) for s, c in zip(table["sqls"], table["contacted"], strict=True)]
    table["won_rate"] = [kpis.conversion_rate(w, c) for w, c in zip(table["won"], table["contacted"], strict=True)]
    return table


def months_of_data(leads: pd.DataFrame) -> int:
    """The calendar months the leads cover, from the month of the first ``created_at`` to the month of the
    last, both included (0 without any): the months of sales capacity that the leads arrived in. A month
    without a new lead still counts, since the reps worked through it. 24 for the course companies."""
    require_columns(leads, "leads", "created_at")
    created = pd.to_datetime(leads["created_at"]).dropna()
    if created.empty:
        return 0
    first, last = created.min().to_period("M"), created.max().to_period("M")
    return int((last - first).n + 1)


def capacity_threshold(leads: pd.DataFrame, opportunities: pd.DataFrame, capacity_per_month: float,
                       months: int | None = None) -> int:
    """The lowest MQL score threshold (0 to 100) at which the MQLs a month stay within sales' capacity,
    at most ``capacity_per_month``: :func:`mql_threshold_tradeoff`'s MQLs at each threshold ÷ the months of
    the data (:func:`months_of_data`, unless ``months`` is given: pass ``company.quarters.months`` to count a
    company's months as the threshold widget does; for the course companies both are 24).

    Raises ValueError when there are no months to spread the leads over, or when even a threshold of 100
    sends sales more than it can work."""
    months = months_of_data(leads) if months is None else months
    if months <= 0:
        raise ValueError(_("no months of data: the leads table has no created_at dates."))
    tradeoff = mql_threshold_tradeoff(leads, opportunities, range(101))
    within = tradeoff.loc[tradeoff["mqls"] / months <= capacity_per_month, "threshold"]
    if within.empty:
        raise ValueError(_("even at a threshold of 100, sales would get more than {capacity:g} MQLs a month.",
                           capacity=capacity_per_month))
    return int(within.min())


# ---- a lead-scoring rule and its threshold (exercise 03's design deliverable) ----------------------------------

# The parts of a scoring rule that add points by a lead's column, and the values each column takes.
RULE_POINTS = {"segment": SEGMENTS, "channel": CHANNELS, "region": REGIONS}
RULE_KEYS = ("score_weight", *RULE_POINTS, "threshold")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool) \
        and math.isfinite(float(value))


def _rule_form_problems(rule: object) -> list[str]:
    """What keeps ``rule`` from being read as a scoring rule (see :func:`rule_points`), in words."""
    if not isinstance(rule, Mapping):
        return [_("Your rule is a {kind}. Store it as a dictionary such as {{\"score_weight\": 1, \"segment\": "
                  "{{\"enterprise\": 10}}, \"threshold\": 60}}.", kind=type(rule).__name__)]
    problems = []
    unknown = [str(key) for key in rule if key not in RULE_KEYS]
    if unknown:
        problems.append(_("{keys} is not a part of a scoring rule: its parts are {known}.",
                          keys=", ".join(repr(k) for k in unknown), known=", ".join(RULE_KEYS)))
    if "threshold" not in rule:
        problems.append(_("Your rule has no \"threshold\": the points at which a lead becomes an MQL."))
    elif not _is_number(rule["threshold"]):
        problems.append(_("The threshold should be a number of points, not {value!r}.", value=rule["threshold"]))
    weight = rule.get("score_weight", 1)
    if not _is_number(weight):
        problems.append(_("score_weight should be a number (the points per point of the lead score), not "
                          "{value!r}.", value=weight))
    elif weight < 0:
        problems.append(_("score_weight is negative: the leads that score best would get the fewest points. Use 0 "
                          "to leave the score out, or a positive weight."))
    for part, values in RULE_POINTS.items():
        points = rule.get(part, {})
        if not isinstance(points, Mapping):
            problems.append(_("{part} should be a dictionary {{value: points}}, such as {{{example!r}: 10}}, not a "
                              "{kind}.", part=part, example=values[-1], kind=type(points).__name__))
            continue
        wrong = [str(v) for v in points if v not in values]
        if wrong:
            problems.append(_("{wrong} is not a {part} of the leads table: its values are {known}.",
                              wrong=", ".join(repr(v) for v in wrong), part=part, known=", ".join(values)))
        if any(not _is_number(p) for p in points.values()):
            problems.append(_("the points of {part} should be numbers (negative ones take points away).", part=part))
    return problems


def rule_points(leads: pd.DataFrame, rule: Mapping) -> pd.Series:
    """Each lead's points under a scoring rule, a dictionary of these parts (all but ``threshold`` optional):

    * ``score_weight``: points per point of the lead's ``score`` (default 1; 0 leaves the score out);
    * ``segment``, ``channel``, ``region``: points added by the lead's value in that column, e.g.
      ``{"enterprise": 15, "mid_market": 5}`` (a value left out adds nothing; negative points take away);
    * ``threshold``: a lead becomes an MQL when its points reach it (see :func:`scoring_rule_outcome`).

    ``{"threshold": 55}`` is today's kind of rule, a threshold on the score. Raises ValueError, with every
    problem in words, when the rule cannot be read."""
    problems = _rule_form_problems(rule)
    if problems:
        raise ValueError(" ".join(problems))
    require_columns(leads, "leads", "score", *RULE_POINTS)
    points = float(rule.get("score_weight", 1)) * leads["score"].astype(float)
    for part in RULE_POINTS:
        added = {str(value): float(p) for value, p in rule.get(part, {}).items()}
        points = points + leads[part].astype(str).map(added).fillna(0.0).to_numpy()
    return points.rename("points")


def scoring_rule_outcome(leads: pd.DataFrame, opportunities: pd.DataFrame, rule: Mapping) -> dict[str, float]:
    """What a scoring rule would send sales, and what history says it is worth. The MQLs are the leads whose
    :func:`rule_points` reach the rule's threshold; a month's are those ÷ :func:`months_of_data`.

    History is what happened to the leads that sales was sent: it can value only the MQLs of the rule that were
    MQLs already (today's threshold let them through) **and** that sales worked (contacted). The expected won
    revenue of an MQL is the won revenue of those leads ÷ their number: the chance that a worked lead is won times
    what a won deal brings (its annual contract value). The MQLs that were never handed to sales are *unseen*: no
    history says what they are worth, and the rule's value does not count them.

    Keys: mqls, mqls_per_month, unseen, unseen_share, worked, won_deals, won_revenue, revenue_per_mql (nan when
    the rule passes no worked lead)."""
    require_columns(leads, "leads", "lead_id", "created_at", "mql_at", "first_response_minutes")
    require_columns(opportunities, "opportunities", "lead_id", "outcome", "amount")
    passed = (rule_points(leads, rule) >= float(rule["threshold"])).to_numpy()
    seen = leads["mql_at"].notna().to_numpy()
    worked = passed & seen & leads["first_response_minutes"].notna().to_numpy()
    won = opportunities[opportunities["outcome"] == "won"].groupby("lead_id")["amount"].agg(["size", "sum"])
    deals = leads["lead_id"].map(won["size"]).fillna(0).to_numpy(dtype=float)
    revenue = leads["lead_id"].map(won["sum"]).fillna(0).to_numpy(dtype=float)
    months = months_of_data(leads)
    mqls, unseen, count = int(passed.sum()), int((passed & ~seen).sum()), int(worked.sum())
    return {"mqls": float(mqls), "mqls_per_month": mqls / months if months else math.nan,
            "unseen": float(unseen), "unseen_share": unseen / mqls if mqls else math.nan,
            "worked": float(count), "won_deals": float(deals[worked].sum()),
            "won_revenue": float(revenue[worked].sum()),
            "revenue_per_mql": float(revenue[worked].sum()) / count if count else math.nan}


def scoring_rule_problems(rule: object, leads: pd.DataFrame, opportunities: pd.DataFrame, capacity_per_month: float,
                          cost_per_mql: float, gross_margin: float = 1.0, min_use: float = 0.5,
                          max_unseen: float = 0.2) -> list[str]:
    """What is wrong with a lead-scoring rule and its threshold (see :func:`rule_points`), each problem a sentence
    that says why it matters; an empty list when the rule meets every rule of the design. Many rules pass: the
    check says whether a rule is workable and worth it, not whether it is the best.

    On the company's ``leads`` and ``opportunities`` (:func:`scoring_rule_outcome`):

    * the rule can be read: its parts, the segments, channels and regions it names, numbers for points;
    * **capacity**: its MQLs a month are at most ``capacity_per_month``, and at least ``min_use`` of it (reps
      left idle while leads worth a call wait are a cost too);
    * **history**: at most ``max_unseen`` of its MQLs were never handed to sales, whose worth no history shows;
    * **expected value**: an MQL's expected won revenue × ``gross_margin`` is at least ``cost_per_mql``, the
      cost of working it (a rep's hours), so that working the average MQL pays.
    """
    problems = _rule_form_problems(rule)
    if problems:
        return problems
    outcome = scoring_rule_outcome(leads, opportunities, rule)
    if outcome["mqls"] == 0:
        return [_("Your rule passes no lead at all: no lead's points reach the threshold. Lower it, or give "
                  "points to more leads.")]
    if outcome["mqls_per_month"] > capacity_per_month:
        problems.append(_("Your rule passes {mqls:.1f} MQLs a month, more than the {capacity:.1f} that sales can "
                          "work: the rest would wait and leak. Raise the threshold, or take points from the leads "
                          "that win least.", mqls=outcome["mqls_per_month"], capacity=capacity_per_month))
    elif outcome["mqls_per_month"] < min_use * capacity_per_month:
        problems.append(_("Your rule passes {mqls:.1f} MQLs a month, less than {share:.0%} of the {capacity:.1f} "
                          "that sales can work: reps would sit idle while leads worth a call wait. Lower the "
                          "threshold, or give points to more leads.", mqls=outcome["mqls_per_month"],
                          share=min_use, capacity=capacity_per_month))
    if outcome["unseen_share"] > max_unseen:
        problems.append(_("{share:.0%} of the MQLs your rule passes were never handed to sales (they have no "
                          "mql_at: below today's threshold), so no history says what they are worth. Keep them to "
                          "at most {most:.0%} of the flow, and find out what they are worth with a test on a "
                          "sample instead.", share=outcome["unseen_share"], most=max_unseen))
    if outcome["worked"] == 0:
        problems.append(_("None of the leads your rule passes was ever worked by sales, so history cannot value "
                          "them: pass leads of the kind that sales was sent and contacted."))
    elif outcome["revenue_per_mql"] * gross_margin < cost_per_mql:
        problems.append(_("An MQL your rule passes is expected to bring {value:,.0f} of gross margin ({revenue:,.0f} "
                          "of won revenue per worked lead × a {margin:.0%} margin), less than the {cost:,.0f} it "
                          "costs to work it: sales would lose money on the average MQL. Give more points to the "
                          "kinds of lead that won more, or take points from those that won little.",
                          value=outcome["revenue_per_mql"] * gross_margin, revenue=outcome["revenue_per_mql"],
                          margin=gross_margin, cost=cost_per_mql))
    return problems
