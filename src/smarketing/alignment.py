"""Smarketing: the marketing–sales SLA, closed-loop reporting, and a fair comparison of companies.

The critical-thinking lab of module 05 tests the claim that "aligned firms have 32 % lower CAC, 41 %
higher lead conversion and 57 % faster revenue growth". :func:`claim_table` puts the companies'
numbers beside the claim; :func:`standardized_conversion` removes the difference in segment mix
that makes the naive comparison unfair. The rules a written SLA must meet are in :mod:`smarketing.sla`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from smarketing import funnel, kpis, schema
from smarketing.datasets import Company
from smarketing.messages import _

# Seed 000's claim, with no traceable source (domain notes: grade D).
CLAIM = {"cac": -0.32, "lead_to_customer_rate": 0.41, "revenue_growth": 0.57}
SLA_RESPONSE_HOURS = 24  # HubSpot's sales side of the SLA: every lead called within 24 h …
SLA_ATTEMPTS = 6  # … with several attempts within two weeks


@dataclass(frozen=True)
class SLAPlan:
    """What a revenue target means for each side of the marketing–sales handoff."""

    funnel: pd.DataFrame  # stage, needed (for the whole period)
    weeks: int
    reps: int
    attempts_per_mql: int
    response_hours: float

    def needed(self, stage: str) -> int:
        return int(self.funnel.set_index("stage").loc[stage, "needed"])

    @property
    def mqls_per_week(self) -> float:
        return self.needed("mql") / self.weeks

    @property
    def follow_ups_per_rep_week(self) -> float:
        return self.needed("mql") * self.attempts_per_mql / (self.weeks * self.reps)

    def commitments(self) -> pd.DataFrame:
        """The SLA as a table: who owes what, for the period and per week."""
        rows = [
            ("marketing", _("marketing-qualified leads delivered"), self.needed("mql"), self.mqls_per_week),
            ("sales", _("MQLs contacted within {hours:g} h", hours=self.response_hours), self.needed("mql"),
             self.mqls_per_week),
            ("sales", _("follow-up attempts ({attempts} per MQL, within two weeks)", attempts=self.attempts_per_mql),
             self.needed("mql") * self.attempts_per_mql, self.mqls_per_week * self.attempts_per_mql),
            ("sales", _("follow-up attempts per rep"), self.needed("mql") * self.attempts_per_mql / self.reps,
             self.follow_ups_per_rep_week),
            ("sales", _("sales-qualified leads"), self.needed("sql"), self.needed("sql") / self.weeks),
            ("sales", _("customers won"), self.needed("won"), self.needed("won") / self.weeks),
        ]
        table = pd.DataFrame(rows, columns=["owner", "commitment", "per_period", "per_week"])
        return table.round({"per_period": 0, "per_week": 1})


def sla_plan(revenue_target: float, average_deal: float, rates: Mapping[str, float], weeks: int = 13,
             reps: int = 10, attempts_per_mql: int = SLA_ATTEMPTS,
             response_hours: float = SLA_RESPONSE_HOURS) -> SLAPlan:
    """Plan the SLA backwards from a revenue target (HubSpot's arithmetic): customers needed = target ÷
    average deal, each earlier stage ÷ its conversion rate (:func:`smarketing.funnel.reverse_funnel`);
    marketing owes the MQLs, sales owes a fast first contact and several attempts on each of them."""
    for name, value in (("weeks", weeks), ("reps", reps), ("attempts_per_mql", attempts_per_mql)):
        if not (isinstance(value, int) and value >= 1):
            raise ValueError(_("{name} must be a whole number of at least 1 (got {value}).", name=name, value=value))
    if not response_hours > 0:
        raise ValueError(_("response_hours must be above zero (got {value}).", value=response_hours))
    plan = funnel.reverse_funnel(revenue_target, average_deal, rates)
    return SLAPlan(plan, weeks, reps, attempts_per_mql, response_hours)


def closed_loop_report(leads: pd.DataFrame, opportunities: pd.DataFrame, campaigns: pd.DataFrame,
                       gross_margin: float | None = None) -> pd.DataFrame:
    """Lead quality by channel, sent back from sales to marketing: leads, MQL and SQL rates, customers,
    won revenue, spend, cost per lead, revenue per lead and ROAS (credit to the channel that created the
    lead); with a ``gross_margin`` (an assumption: the data has no cost of goods), ROMI too. One row per
    channel, best revenue per lead first."""
    won = opportunities[opportunities["outcome"] == "won"].groupby("lead_id")["amount"].agg(["size", "sum"])
    frame = pd.DataFrame({
        "channel": leads["channel"].astype(str),
        "mql": leads["mql_at"].notna(), "sql": leads["sql_at"].notna(),
        "won": leads["lead_id"].map(won["size"]).fillna(0), "revenue": leads["lead_id"].map(won["sum"]).fillna(0),
    })
    if not len(leads):  # a deals-only export: its empty columns come out as text, which cannot be divided
        frame = frame.astype({"won": float, "revenue": float})
    by_channel = frame.groupby("channel").agg(leads=("mql", "size"), mqls=("mql", "sum"), sqls=("sql", "sum"),
                                              customers=("won", "sum"), won_revenue=("revenue", "sum"))
    spend = campaigns.groupby(campaigns["channel"].astype(str))["spend"].sum()
    by_channel["spend"] = spend.reindex(by_channel.index).fillna(0.0)
    rows = by_channel.itertuples()
    by_channel["mql_rate"] = [kpis.conversion_rate(r.mqls, r.leads) for r in rows]
    by_channel["mql_to_sql_rate"] = [kpis.conversion_rate(r.sqls, r.mqls) for r in by_channel.itertuples()]
    by_channel["cost_per_lead"] = [kpis.cost_per_lead(r.spend, r.leads) for r in by_channel.itertuples()]
    by_channel["revenue_per_lead"] = by_channel["won_revenue"] / by_channel["leads"]
    by_channel["roas"] = [kpis.roas(r.won_revenue, r.spend) for r in by_channel.itertuples()]
    if gross_margin is not None:
        by_channel["romi"] = [kpis.romi(r.won_revenue, r.spend, gross_margin) for r in by_channel.itertuples()]
    by_channel = by_channel.astype({"customers": int})
    return by_channel.sort_values("revenue_per_lead", ascending=False, kind="stable").reset_index()


def _bookings_by_year(opportunities: pd.DataFrame) -> pd.Series:
    won = opportunities[opportunities["outcome"] == "won"]
    return won.groupby(won["closed_at"].dt.year)["amount"].sum()


def company_metrics(company: Company, loaded_cost_per_head: float = kpis.LOADED_COST_PER_HEAD) -> dict[str, float]:
    """The three numbers of the claim for one company: CAC, lead-to-customer rate and revenue growth.

    CAC = (campaign spend + marketing and sales headcount × loaded cost × years of data) ÷ customers
    won; revenue growth = bookings of the last year ÷ bookings of the year before − 1.
    """
    opportunities = company.opportunities
    won = int((opportunities["outcome"] == "won").sum())
    # the years the data spans: the leads', or the deals' when an export holds deals only
    created = company.leads["created_at"] if len(company.leads) else opportunities["created_at"]
    years = (created.max() - created.min()).days / 365.25
    heads = int(company.employees["function"].isin(["marketing", "sales"]).sum())
    cost = float(company.campaigns["spend"].sum()) + heads * loaded_cost_per_head * max(years, 0.0)
    bookings = _bookings_by_year(opportunities)
    growth = (bookings.iloc[-1] / bookings.iloc[-2] - 1) if len(bookings) >= 2 and bookings.iloc[-2] else math.nan
    return {
        "cac": kpis.customer_acquisition_cost(cost, won),
        "lead_to_customer_rate": funnel.lead_to_customer_rate(company.leads, opportunities),
        "revenue_growth": float(growth),
    }


def claim_table(aligned: Company, misaligned: Company) -> pd.DataFrame:
    """The claim beside the data: for each metric, both companies' values, the observed relative
    difference (aligned vs misaligned) and the claimed one."""
    a, m = company_metrics(aligned), company_metrics(misaligned)
    rows = [(metric, a[metric], m[metric], a[metric] / m[metric] - 1 if m[metric] else math.nan, CLAIM[metric])
            for metric in CLAIM]
    return pd.DataFrame(rows, columns=["metric", aligned.name, misaligned.name, "observed_difference",
                                       "claimed_difference"])


def conversion_by_segment(companies: Sequence[Company]) -> pd.DataFrame:
    """MQL → SQL conversion and lead mix per company and segment: columns company, segment, leads,
    share_of_leads, mqls, sqls, mql_to_sql_rate."""
    frames = []
    for company in companies:
        leads = company.leads
        table = leads.groupby(leads["segment"].astype(str)).agg(
            leads=("lead_id", "size"), mqls=("mql_at", "count"), sqls=("sql_at", "count")).reindex(schema.SEGMENTS,
                                                                                                 fill_value=0)
        table["share_of_leads"] = table["leads"] / table["leads"].sum()
        table["mql_to_sql_rate"] = [kpis.conversion_rate(s, m) for s, m in zip(table["sqls"], table["mqls"],
                                                                                strict=True)]
        frames.append(table.reset_index(names="segment").assign(company=company.name))
    columns = ["company", "segment", "leads", "share_of_leads", "mqls", "sqls", "mql_to_sql_rate"]
    return pd.concat(frames, ignore_index=True)[columns]


def standardized_conversion(companies: Sequence[Company], reference: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Naive and mix-adjusted MQL → SQL conversion per company.

    The naive rate mixes two things: how well the company converts *within* each segment, and how many
    of its MQLs come from the easy segments. Direct standardisation reweights each company's
    segment rates by one common MQL mix (``reference``, default: all companies' MQLs pooled), so
    that only the first thing differs. Columns company, naive_rate, adjusted_rate.
    """
    by_segment = conversion_by_segment(companies)
    if reference is None:
        pooled = by_segment.groupby("segment")["mqls"].sum()
        reference = (pooled / pooled.sum()).to_dict()
    total = sum(reference.values())
    if not total > 0 or any(v < 0 for v in reference.values()):
        raise ValueError(_("reference must give non-negative segment weights that do not all add up to zero."))
    rows = []
    for company, table in by_segment.groupby("company", sort=False):
        table = table.set_index("segment")
        naive = kpis.conversion_rate(int(table["sqls"].sum()), int(table["mqls"].sum()))
        adjusted = sum(weight / total * table.loc[segment, "mql_to_sql_rate"] for segment, weight in reference.items())
        rows.append((company, naive, adjusted))
    return pd.DataFrame(rows, columns=["company", "naive_rate", "adjusted_rate"])


# ---- module 05: the practices of seed 000 made concrete ---------------------------------------------

def incentive_map(companies: Sequence[Company]) -> pd.DataFrame:
    """What each function is held to, read from the ``targets`` table (seed 000's first practice: shared
    goals and incentives). One row per company and function: the metrics it has a target on, and those
    of them that another function of the same company is also held to. Columns company, function,
    metrics, shared_metrics (comma-separated; "—" when none)."""
    rows = []
    for company in companies:
        targets = company.targets
        owned = {str(f): set(group.astype(str)) for f, group in targets.groupby(targets["function"].astype(str),
                                                                                 observed=True)["metric"]}
        for function in [f for f in schema.FUNCTIONS if f in owned]:
            others = set().union(*(owned[f] for f in owned if f != function))
            mine = [m for m in schema.TARGET_METRICS if m in owned[function]]
            shared = [m for m in mine if m in others]
            rows.append((company.name, function, ", ".join(mine), ", ".join(shared) or "—"))
    return pd.DataFrame(rows, columns=["company", "function", "metrics", "shared_metrics"])


def mql_to_sql_rate(leads: pd.DataFrame) -> float:
    """SQLs ÷ MQLs among the leads (the shared metric of the handoff); nan without MQLs."""
    return kpis.conversion_rate(int(leads["sql_at"].notna().sum()), int(leads["mql_at"].notna().sum()))


def handoff_scorecard(companies: Sequence[Company], sla_minutes: float = SLA_RESPONSE_HOURS * 60) -> pd.DataFrame:
    """The shared metrics of the marketing → sales handoff, one row per company (index: company): leads,
    MQLs, lead → MQL rate, median minutes to sales' first contact, share of MQLs never contacted,
    leakage (MQLs not contacted within ``sla_minutes``), MQL → SQL rate and lead → customer rate."""
    rows = {}
    for company in companies:
        leads = company.leads
        mqls = leads[leads["mql_at"].notna()]
        rows[company.name] = {
            "leads": len(leads), "mqls": len(mqls),
            "lead_to_mql_rate": kpis.conversion_rate(len(mqls), len(leads)),
            "median_response_minutes": funnel.speed_to_lead_minutes(leads),
            "never_contacted_share": kpis.conversion_rate(int(mqls["first_response_minutes"].isna().sum()), len(mqls)),
            "leakage_rate": funnel.leakage_rate(leads, sla_minutes),
            "mql_to_sql_rate": mql_to_sql_rate(leads),
            "lead_to_customer_rate": funnel.lead_to_customer_rate(leads, company.opportunities),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "company"
    return table


def meeting_scorecard(leads: pd.DataFrame, months: int = 6, sla_minutes: float = SLA_RESPONSE_HOURS * 60) -> pd.DataFrame:
    """The one page a monthly marketing–sales meeting reviews: for each of the last ``months`` months (by
    the month the lead became an MQL), MQLs delivered, the share contacted within ``sla_minutes``, the
    median minutes to first contact, the SQLs those MQLs became and the MQL → SQL rate. Columns month,
    mqls, contacted_in_sla, median_response_minutes, sqls, mql_to_sql_rate. The latest month's rate is
    not final: some of its MQLs are still being worked."""
    if not (isinstance(months, int) and months >= 1):
        raise ValueError(_("{name} must be a whole number of at least 1 (got {value}).", name="months", value=months))
    mqls = leads[leads["mql_at"].notna()]
    minutes = mqls["first_response_minutes"]
    frame = pd.DataFrame({"month": mqls["mql_at"].dt.strftime("%Y-%m"), "in_sla": minutes <= sla_minutes,
                          "minutes": minutes, "sql": mqls["sql_at"].notna()})
    table = frame.groupby("month").agg(mqls=("sql", "size"), in_sla=("in_sla", "sum"),
                                       median_response_minutes=("minutes", "median"), sqls=("sql", "sum"))
    table = table.tail(months)
    table["contacted_in_sla"] = [kpis.conversion_rate(i, m) for i, m in zip(table["in_sla"], table["mqls"], strict=True)]
    table["mql_to_sql_rate"] = [kpis.conversion_rate(s, m) for s, m in zip(table["sqls"], table["mqls"], strict=True)]
    columns = ["mqls", "contacted_in_sla", "median_response_minutes", "sqls", "mql_to_sql_rate"]
    return table.reset_index()[["month", *columns]].astype({"sqls": int})


def lead_journey(company: Company, lead_id: str | None = None, min_touches: int = 4) -> pd.DataFrame:
    """One lead's story across the two systems, in time order: its marketing touches, creation and MQL
    (marketing automation), then acceptance, qualification and the deal (CRM). Only the shared
    ``lead_id`` joins them: that link is what "integrating automation and CRM data" buys.

    ``lead_id`` None picks the most recent won lead (the last by id) with at least ``min_touches``
    touchpoints.
    Columns when, system, event, detail.
    """
    leads, touchpoints, opportunities = company.leads, company.touchpoints, company.opportunities
    if lead_id is None:
        touches = touchpoints.groupby("lead_id").size()
        won = opportunities.loc[opportunities["outcome"] == "won", "lead_id"]
        candidates = sorted(set(won) & set(touches[touches >= min_touches].index))
        if not candidates:
            raise ValueError(_("No won lead has {count} or more touchpoints; choose a lead_id.", count=min_touches))
        lead_id = candidates[-1]
    found = leads[leads["lead_id"] == lead_id]
    if found.empty:
        raise ValueError(_("There is no lead '{lead_id}' in this company.", lead_id=lead_id))
    lead = found.iloc[0]
    automation, crm = _("marketing automation"), _("CRM")
    names = company.campaigns.set_index("campaign_id")["name"]
    rows = [(t.touched_at, automation, _("touch: {kind}", kind=t.touch_type),
             _("{channel}, campaign {campaign}", channel=t.channel, campaign=names.get(t.campaign_id, t.campaign_id)))
            for t in touchpoints[touchpoints["lead_id"] == lead_id].sort_values("touched_at", kind="stable").itertuples()]
    rows.append((lead["created_at"], automation, _("lead created"),
                 _("{segment} buyer, score {score}", segment=lead["segment"], score=lead["score"])))
    if pd.notna(lead["mql_at"]):
        rows.append((lead["mql_at"], automation, _("marketing-qualified (MQL)"), _("handed to sales")))
    if pd.notna(lead["sal_at"]):
        rows.append((lead["sal_at"], crm, _("accepted by sales (SAL)"),
                     _("first contact after {minutes:g} min", minutes=lead["first_response_minutes"])))
    if pd.notna(lead["sql_at"]):
        rows.append((lead["sql_at"], crm, _("sales-qualified (SQL)"), ""))
    for deal in opportunities[opportunities["lead_id"] == lead_id].itertuples():
        rows.append((deal.created_at, crm, _("opportunity opened"), _("amount {amount:,.0f}", amount=deal.amount)))
        if pd.notna(deal.closed_at):
            rows.append((deal.closed_at, crm, _("deal {outcome}", outcome=deal.outcome), ""))
    table = pd.DataFrame(rows, columns=["when", "system", "event", "detail"])
    return table.sort_values("when", kind="stable").reset_index(drop=True)


def sla_inputs(company: Company) -> dict[str, Any]:
    """:func:`sla_start`'s inputs alone, ready for ``sla_plan(**inputs)``."""
    return sla_start(company)[0]


def sla_start(company: Company) -> tuple[dict[str, Any], list[str]]:
    """The inputs of :func:`sla_plan` taken from a company's own data, as the SLA planner widget starts:
    its observed stage rates (:func:`smarketing.funnel.plannable_rates`: typical ones where the data
    has none), its average won deal (of all its deals when none is won yet), its number of
    quota-carrying reps (of sales staff when no quotas are recorded, as in a CRM export) and a revenue
    target of a quarter's average bookings plus 20 % (rounded to 100 000).

    Returns the inputs and the stages whose rate is typical, not the company's own. A company without
    any deal cannot be planned in money: that raises :class:`ValueError`, which a notebook avoids by
    asking :func:`smarketing.datasets.availability.has` first."""
    opportunities = company.opportunities
    if not len(opportunities):
        raise ValueError(_("{name} has no deals, so a revenue target cannot be turned into leads. Import the "
                           "deals (opportunities) export too.", name=company.name))
    won = opportunities[opportunities["outcome"] == "won"]
    deals = won if len(won) else opportunities
    bookings = float(won["amount"].sum())
    employees = company.employees
    rates, filled = funnel.plannable_rates(funnel.observed_rates(company.leads, opportunities))
    return {
        "revenue_target": round(1.2 * bookings / len(company.quarters), -5) or 1_000_000,
        "average_deal": kpis.average_deal_size(float(deals["amount"].sum()), len(deals)),
        "rates": rates,
        "reps": int(employees["quarterly_quota"].notna().sum()) or int((employees["function"] == "sales").sum()) or 1,
    }, filled


def bookings_by_quarter(companies: Sequence[Company]) -> pd.DataFrame:
    """Won bookings per quarter of its data (by close date) for each company: columns quarter, value,
    company; ready for :func:`smarketing.charts.kpi_trend_chart`. Shows how a pipeline fills from empty."""
    frames = []
    for company in companies:
        won = company.opportunities[company.opportunities["outcome"] == "won"]
        quarters = company.quarters
        values = quarters.totals(won["closed_at"], won["amount"].to_numpy(dtype=float))
        frames.append(pd.DataFrame({"quarter": list(quarters.labels), "value": values, "company": company.name}))
    return pd.concat(frames, ignore_index=True)


def gap_decomposition(baseline: Company, target: Company, mix_only: Company, alignment_only: Company,
                      both: Company) -> pd.DataFrame:
    """Split the gap in MQL → SQL rate between ``baseline`` and ``target`` into its sources, using
    simulated copies of ``baseline`` given the target's segment mix (``mix_only``), its alignment
    (``alignment_only``) or both. Parts: segment mix, alignment, the two together (interaction: the
    extra that alignment brings in a richer mix), everything else (target − both). Columns part,
    percentage_points, share_of_gap; the last row is the whole gap."""
    rate = {key: mql_to_sql_rate(c.leads) for key, c in (("base", baseline), ("target", target), ("mix", mix_only),
                                                           ("aligned", alignment_only), ("both", both))}
    parts = [
        (_("segment mix (who they sell to)"), rate["mix"] - rate["base"]),
        (_("alignment (follow-up and handoff)"), rate["aligned"] - rate["base"]),
        (_("the two together (interaction)"), rate["both"] - rate["mix"] - rate["aligned"] + rate["base"]),
        (_("everything else"), rate["target"] - rate["both"]),
        (_("whole gap"), rate["target"] - rate["base"]),
    ]
    gap = rate["target"] - rate["base"]
    return pd.DataFrame([(part, 100 * value, value / gap if gap else math.nan) for part, value in parts],
                        columns=["part", "percentage_points", "share_of_gap"])


def after_the_sale(companies: Sequence[Company]) -> pd.DataFrame:
    """The right half of the bowtie: what happened to the customers each company won. One row per
    company (index: company): customers won, share still customers at the end of the data, their
    monthly recurring revenue at the start and now, and net and gross revenue retention over the trailing
    twelve months (:func:`smarketing.dashboard.revenue_retention`)."""
    from smarketing import dashboard  # the dashboard builds on this module, so it is imported when needed

    rows = {}
    for company in companies:
        accounts = company.accounts
        churned = accounts["churned_at"].notna()
        retention = dashboard.revenue_retention(accounts)
        rows[company.name] = {
            "customers_won": len(accounts),
            "still_customers": kpis.conversion_rate(int((~churned).sum()), len(accounts)),
            "starting_mrr": float(accounts["starting_mrr"].sum()), "current_mrr": float(accounts["current_mrr"].sum()),
            "net_revenue_retention": retention["net_revenue_retention"],
            "gross_revenue_retention": retention["gross_revenue_retention"],
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "company"
    return table


# ---- module 07: defending a finding against a confounder ---------------------------------------------

def stratified_gap(leads: pd.DataFrame, in_group: pd.Series, by: str | None = "segment") -> pd.DataFrame:
    """The MQL → SQL rate of a group of MQLs against the other MQLs compared, within each level (stratum) of
    ``by``: the check that a gap between two groups is not the doing of a third thing in which they differ
    (a confounder such as the segment). ``by=None`` gives the raw comparison, one row labelled "all".

    ``in_group`` holds, for each lead (aligned on ``leads``' index), True for the group, False for the group it
    is compared with, and nan or None for a lead in neither (left out). Only MQLs count. Columns: the stratum
    (named ``by``, or "stratum"), group_mqls, group_rate, other_mqls, other_rate, gap (group_rate − other_rate;
    nan where either group is empty) and weight (the stratum's share of all the MQLs compared), one row per
    level of ``by`` that holds MQLs compared, in the order of the levels."""
    schema.require_columns(leads, "leads", "mql_at", "sql_at", *([by] if by else []))
    marks = in_group.reindex(leads.index) if isinstance(in_group, pd.Series) else pd.Series(in_group, index=leads.index)
    compared = (leads["mql_at"].notna() & marks.notna()).to_numpy()
    frame = pd.DataFrame({"stratum": leads[by].astype(str).to_numpy()[compared] if by else "all",
                          "group": marks.to_numpy()[compared].astype(bool),
                          "sql": leads["sql_at"].notna().to_numpy()[compared]})
    levels = leads[by].cat.categories if by and isinstance(leads[by].dtype, pd.CategoricalDtype) else None
    order = [str(level) for level in levels] if levels is not None else sorted(frame["stratum"].unique())
    rows = []
    for stratum in [s for s in order if s in set(frame["stratum"])]:
        part = frame[frame["stratum"] == stratum]
        inside, outside = part[part["group"]], part[~part["group"]]
        group_rate = kpis.conversion_rate(int(inside["sql"].sum()), len(inside))
        other_rate = kpis.conversion_rate(int(outside["sql"].sum()), len(outside))
        rows.append((stratum, len(inside), group_rate, len(outside), other_rate, group_rate - other_rate,
                     len(part) / len(frame)))
    return pd.DataFrame(rows, columns=[by or "stratum", "group_mqls", "group_rate", "other_mqls", "other_rate",
                                       "gap", "weight"])


def adjusted_gap(table: pd.DataFrame) -> float:
    """The gap of :func:`stratified_gap`'s table with the confounder's mix held the same for both groups (direct
    standardisation): each stratum's gap weighted by the stratum's share of the MQLs compared. A stratum
    without a gap (one of its groups is empty) is left out and the others' weights are scaled up to 1; nan
    when no stratum has a gap."""
    usable = table[table["gap"].notna()]
    total = float(usable["weight"].sum())
    return float((usable["gap"] * usable["weight"]).sum() / total) if total > 0 else math.nan
