"""The KPI dashboard's data: every KPI of one company for each quarter, by the formulas of :mod:`kpis`.

Module 02's dashboard widget and its exercises read this table; computing it once per company keeps
the widget fast (a control change is a lookup, not a recomputation over a million leads). The module
also holds module 02's whole-period views: a scorecard of several companies side by side, unit
economics (CAC, LTV, payback), revenue retention of a cohort of accounts, and what late deliveries
cost an online shop in returns and repeat purchases.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from smarketing import alignment, funnel, kpis
from smarketing.datasets import Company, Quarters, availability
from smarketing.messages import _
from smarketing.schema import require_columns


def _median_per_quarter(quarters: Quarters, moments: pd.Series, values: pd.Series) -> np.ndarray:
    frame = pd.DataFrame({"q": quarters.index(moments), "v": np.asarray(values, dtype=float)})
    medians = frame[(frame["q"] >= 0) & frame["v"].notna()].groupby("q")["v"].median()
    return medians.reindex(range(len(quarters))).to_numpy()


def _active_at_quarter_start(quarters: Quarters, accounts: pd.DataFrame) -> np.ndarray:
    starts = quarters.starts.to_numpy()[:, None]
    began = accounts["start_date"].to_numpy()[None, :] < starts
    churned = accounts["churned_at"].to_numpy()[None, :]
    gone = ~np.isnat(churned) & (churned < starts)
    return (began & ~gone).sum(axis=1)


def quarterly_kpis(company: Company) -> pd.DataFrame:
    """Every dashboard KPI of one company for each quarter of its data (:attr:`Company.quarters`), computed with the formulas of
    this module. Long format: columns quarter, function, kpi, value, unit, target (the quarter's
    target from the targets table, where the company sets one; else empty).

    Marketing KPIs follow the leads created and the campaigns started in the quarter; sales KPIs the
    deals closed in it; operations KPIs its tickets, churn and orders; shared KPIs its MQLs. Counts are
    taken in one vectorised pass per table, so a million leads take well under a second.
    """
    leads, opps, campaigns = company.leads, company.opportunities, company.campaigns
    tickets, accounts, orders, employees = (company.support_tickets, company.accounts, company.orders,
                                            company.employees)
    quarters = company.quarters
    per_quarter = quarters.totals
    created = per_quarter(leads["created_at"])
    mql_of_created = per_quarter(leads["created_at"], leads["mql_at"].notna())
    spend = per_quarter(campaigns["start_date"], campaigns["spend"])
    mqls = per_quarter(leads["mql_at"])
    sqls_of_mqls = per_quarter(leads["mql_at"], leads["sql_at"].notna())
    answered_in_day = per_quarter(leads["mql_at"], leads["first_response_minutes"] <= 1440)
    won = opps["outcome"] == "won"
    closed = opps["closed_at"]
    won_count = per_quarter(closed, won)
    lost_count = per_quarter(closed, opps["outcome"] == "lost")
    bookings = per_quarter(closed, opps["amount"].where(won, 0.0))
    quota = float(employees["quarterly_quota"].sum())
    heads = int(employees["function"].isin(["marketing", "sales"]).sum())
    ticket_count = per_quarter(tickets["opened_at"])
    ticket_cost = per_quarter(tickets["opened_at"], tickets["cost"])
    rated = tickets["resolved_at"].where(tickets["csat"].notna())
    satisfied = per_quarter(rated, tickets["csat"].fillna(0) >= 4)
    ratings = per_quarter(rated)
    churned = per_quarter(accounts["churned_at"])
    active = _active_at_quarter_start(quarters, accounts)

    columns: list[tuple[str, str, str, list[float] | np.ndarray]] = [
        ("marketing", "leads", "leads", created),
        ("marketing", "mqls", "MQLs", mqls),
        ("marketing", "lead_to_mql_rate", "share", list(map(kpis.conversion_rate, mql_of_created, created))),
        ("marketing", "marketing_spend", "currency", spend),
        ("marketing", "cost_per_lead", "currency per lead", list(map(kpis.cost_per_lead, spend, created))),
        ("sales", "bookings", "currency", bookings),
        ("sales", "new_customers", "customers", won_count),
        ("sales", "win_rate", "share", list(map(kpis.win_rate, won_count, lost_count))),
        ("sales", "average_deal_size", "currency per deal", list(map(kpis.average_deal_size, bookings, won_count))),
        ("sales", "sales_cycle_days", "days (median)",
         _median_per_quarter(quarters, closed.where(won), (closed - opps["created_at"]).dt.total_seconds() / 86_400)),
        ("sales", "quota_attainment", "share", [kpis.quota_attainment(b, quota) for b in bookings]),
        ("operations", "tickets", "tickets", ticket_count),
        ("operations", "cost_per_ticket", "currency per ticket", list(map(kpis.cost_per_ticket, ticket_cost, ticket_count))),
        ("operations", "resolution_hours", "hours (median)",
         _median_per_quarter(quarters, tickets["resolved_at"],
                             (tickets["resolved_at"] - tickets["opened_at"]).dt.total_seconds() / 3600)),
        ("operations", "csat", "share", list(map(kpis.conversion_rate, satisfied, ratings))),
        ("operations", "churn_rate", "share per quarter", list(map(kpis.churn_rate, np.minimum(churned, active), active))),
    ]
    if len(orders):
        on_time = delivered_on_time(orders)
        order_count = per_quarter(orders["ordered_at"])
        columns += [
            ("operations", "orders", "orders", order_count),
            ("operations", "on_time_delivery", "share",
             list(map(kpis.on_time_delivery_rate, per_quarter(orders["ordered_at"], on_time), order_count))),
            ("operations", "perfect_order_rate", "share",
             list(map(kpis.perfect_order_rate, per_quarter(orders["ordered_at"], on_time & ~orders["returned"].astype(bool)),
                      order_count))),
        ]
    columns += [
        ("shared", "sqls", "SQLs", per_quarter(leads["sql_at"])),
        ("shared", "mql_to_sql_rate", "share", list(map(kpis.conversion_rate, sqls_of_mqls, mqls))),
        ("shared", "lead_leakage_rate", "share", list(map(kpis.lead_leakage_rate, mqls - answered_in_day, mqls))),
        ("shared", "customer_acquisition_cost", "currency per customer",
         [kpis.customer_acquisition_cost(s + heads * kpis.LOADED_COST_PER_HEAD / 4, w) for s, w in zip(spend, won_count, strict=True)]),
    ]
    table = pd.DataFrame([(q, function, kpi, float(values[i]), unit) for function, kpi, unit, values in columns
                          for i, q in enumerate(quarters.labels)], columns=["quarter", "function", "kpi", "value", "unit"])
    targets = company.targets.groupby(["quarter", "metric"], observed=True)["target"].first()
    table["target"] = pd.MultiIndex.from_frame(table[["quarter", "kpi"]]).map(targets)
    unmeasured = [kpi for kpi, need in KPI_NEEDS.items() if not availability.has(company, need)]
    table.loc[table["kpi"].isin(unmeasured), "value"] = math.nan  # "—", not a 0 from a stand-in
    return table


# What each dashboard KPI is computed from, where a company's own CRM export may not hold it.
KPI_NEEDS = {"marketing_spend": "campaigns.spend", "cost_per_lead": "campaigns.spend",
             "customer_acquisition_cost": "campaigns.spend", "quota_attainment": "employees.quarterly_quota",
             "churn_rate": "accounts.churned_at", "lead_leakage_rate": "leads.first_response_minutes",
             **dict.fromkeys(["leads", "mqls", "lead_to_mql_rate", "sqls", "mql_to_sql_rate"], "leads"),
             **dict.fromkeys(["tickets", "cost_per_ticket", "resolution_hours", "csat"], "support_tickets")}

# What each scorecard KPI needs, where a company's own CRM export may not hold it: shown "not in your data".
SCORECARD_NEEDS = {"cost_per_lead": "campaigns.spend", "customer_acquisition_cost": "campaigns.spend",
                   "lead_leakage_rate": "leads.first_response_minutes",
                   "speed_to_lead_minutes": "leads.first_response_minutes",
                   **dict.fromkeys(["lead_to_mql_rate", "mql_to_sql_rate"], "leads"),  # not 0 leads: none exported
                   **dict.fromkeys(["bookings", "win_rate", "average_deal_size", "sales_cycle_days"], "opportunities"),
                   **dict.fromkeys(["quota_attainment", "pipeline_coverage"], "employees.quarterly_quota"),
                   **dict.fromkeys(["cost_per_ticket", "csat"], "support_tickets"),
                   "net_promoter_score": "accounts.nps", "net_revenue_retention": "accounts.churned_at"}


def number_format(value: float) -> str:
    """How module 02 shows numbers in pandas tables (``pd.options.display.float_format = number_format``):
    whole numbers and values from 1,000 up with thousands separators and no decimals (13,009,100, 905),
    smaller values with three decimals (0.287, 74.622). Shares stay shares: 0.287 is 28.7 %."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    return f"{value:,.0f}" if abs(value) >= 1000 or value.is_integer() else f"{value:,.3f}"


def delivered_on_time(orders: pd.DataFrame) -> pd.Series:
    """True for each order delivered by the end of its promised day."""
    return orders["delivered_at"].dt.normalize() <= orders["promised_by"]


def delivery_effects(orders: pd.DataFrame, follow_up_days: float = 180.0) -> pd.DataFrame:
    """What a late parcel costs an online shop: orders delivered on time against late ones, with the
    share sent back and the share after which the same shopper ordered again.

    On time means delivered by the end of the promised day, as in :func:`quarterly_kpis`. A repeat
    counts only for orders placed at least ``follow_up_days`` before the last order of the data, so
    that every order counted had the same time to be followed by another; the returns use all orders.
    Index delivery (``on_time``, ``late``); columns orders, share_of_orders, returned_rate,
    followed_up (orders with enough time after them), repeat_rate.
    """
    require_columns(orders, "orders", "customer_id", "ordered_at", "promised_by", "delivered_at", "returned")
    if not follow_up_days >= 0:
        raise ValueError(_("follow_up_days must be zero or more (got {value}).", value=follow_up_days))
    on_time = delivered_on_time(orders)
    returned = orders["returned"].fillna(False).astype(bool)
    by_shopper = orders.sort_values(["customer_id", "ordered_at"], kind="stable")
    again = by_shopper.groupby("customer_id", sort=False)["ordered_at"].shift(-1).notna().reindex(orders.index)
    followed = orders["ordered_at"] <= orders["ordered_at"].max() - pd.Timedelta(days=follow_up_days)
    rows = []
    for delivery, mask in (("on_time", on_time), ("late", ~on_time)):
        count, seen = int(mask.sum()), int((mask & followed).sum())
        rows.append((delivery, count, kpis.conversion_rate(count, len(orders)),
                     kpis.return_rate(int((mask & returned).sum()), count), seen,
                     kpis.repeat_purchase_rate(int((mask & followed & again).sum()), seen)))
    columns = ["delivery", "orders", "share_of_orders", "returned_rate", "followed_up", "repeat_rate"]
    return pd.DataFrame(rows, columns=columns).set_index("delivery")


def revenue_retention(accounts: pd.DataFrame) -> pd.Series:
    """Net and gross revenue retention over the trailing twelve months, as analysts quote them: the customers
    who were already paying a year before the end of the data, their monthly recurring revenue now against
    what it was then.

    Expansion is the growth of those still with us, contraction their decline, churned what the leavers paid
    a year ago; customers won during the year are left out (their revenue is new, not retained). Index
    accounts, start_mrr, expansion, contraction, churned, net_revenue_retention, gross_revenue_retention.
    """
    require_columns(accounts, "accounts", "mrr_12_months_ago", "current_mrr", "churned_at")
    cohort = accounts[accounts["mrr_12_months_ago"].notna()]
    gone = cohort["churned_at"].notna()
    change = (cohort["current_mrr"] - cohort["mrr_12_months_ago"])[~gone]
    start = float(cohort["mrr_12_months_ago"].sum())
    expansion, contraction = float(change.clip(lower=0).sum()), float((-change).clip(lower=0).sum())
    churned = float(cohort.loc[gone, "mrr_12_months_ago"].sum())
    return pd.Series({
        "accounts": len(cohort), "start_mrr": start, "expansion": expansion, "contraction": contraction,
        "churned": churned,
        "net_revenue_retention": kpis.net_revenue_retention(start, expansion, contraction, churned),
        "gross_revenue_retention": kpis.gross_revenue_retention(start, contraction, churned),
    })


def _data_end(company: Company) -> pd.Timestamp:
    moments = [company.leads["created_at"].max(), company.opportunities["closed_at"].max(),
               company.accounts["start_date"].max(), company.accounts["churned_at"].max()]
    return max(pd.Timestamp(m) for m in moments if pd.notna(m))


def monthly_churn_rate(accounts: pd.DataFrame, end: str | pd.Timestamp) -> float:
    """Customers lost ÷ customer-months observed, from each account's start to its churn or ``end``:
    the average monthly churn (:func:`kpis.churn_rate` with the months pooled). Share per month."""
    require_columns(accounts, "accounts", "start_date", "churned_at")
    stop = accounts["churned_at"].fillna(pd.Timestamp(end)).clip(upper=pd.Timestamp(end))
    months = float(((stop - accounts["start_date"]).dt.days.clip(lower=0) / 30.44).sum())
    lost = int(accounts["churned_at"].notna().sum())
    return kpis.churn_rate(min(lost, months), months)


def unit_economics(company: Company, gross_margin: float,
                   loaded_cost_per_head: float = kpis.LOADED_COST_PER_HEAD) -> pd.DataFrame:
    """What a new customer costs and brings, over the whole data, by the formulas of :mod:`kpis`.

    CAC = (campaign spend + marketing and sales headcount × ``loaded_cost_per_head`` a year × years of
    data) ÷ customers won (:func:`alignment.company_metrics`); monthly revenue per account = average
    starting MRR; monthly churn from :func:`monthly_churn_rate`; LTV, LTV:CAC and CAC payback from
    those, and the CAC ratio (cost per unit of new annual recurring revenue). ``gross_margin`` (a share,
    e.g. 0.75) is an assumption: the data has no cost of goods.
    Index kpi; columns value, unit.
    """
    cac = alignment.company_metrics(company, loaded_cost_per_head)["cac"]
    accounts = company.accounts
    revenue = float(accounts["starting_mrr"].mean()) if len(accounts) else math.nan
    churn = monthly_churn_rate(accounts, _data_end(company)) if len(accounts) else math.nan
    defined = not (math.isnan(revenue) or math.isnan(churn) or math.isnan(cac))
    ltv = kpis.lifetime_value(revenue, gross_margin, churn) if defined else math.nan
    rows = [
        ("customer_acquisition_cost", cac, "currency per customer"),
        ("monthly_revenue_per_account", revenue, "currency per month"),
        ("gross_margin", gross_margin, "share (assumed)"),
        ("monthly_churn_rate", churn, "share per month"),
        ("lifetime_value", ltv, "currency per customer"),
        ("ltv_to_cac", kpis.ltv_to_cac(ltv, cac) if defined and not math.isnan(ltv) else math.nan, "×"),
        ("cac_payback_months", kpis.cac_payback_months(cac, revenue, gross_margin) if defined else math.nan,
         "months"),
        # CAC per customer over a customer's first year of recurring revenue is total cost over total new ARR.
        ("cac_ratio", kpis.cac_ratio(cac, 12 * revenue) if defined else math.nan, "currency per currency of new ARR"),
    ]
    return pd.DataFrame(rows, columns=["kpi", "value", "unit"]).set_index("kpi")


def scorecard(companies: Mapping[str, Company] | Sequence[Company]) -> pd.DataFrame:
    """The headline KPIs of several companies over the whole data, side by side: rows (function, kpi,
    unit), one column per company. Each figure comes from the formulas of :mod:`kpis` (and the funnel's
    leakage and speed to lead). Quota attainment compares bookings with the reps' quotas for every
    quarter of its data; pipeline coverage compares the deals still open at the end with one
    quarter's quota; CAC is fully loaded with :data:`kpis.LOADED_COST_PER_HEAD`; NRR is over the trailing
    twelve months (:func:`revenue_retention`).
    """
    items = companies.values() if isinstance(companies, Mapping) else companies
    columns = {}
    for company in items:
        leads, opps, tickets = company.leads, company.opportunities, company.support_tickets
        won, lost = opps[opps["outcome"] == "won"], opps[opps["outcome"] == "lost"]
        bookings = float(won["amount"].sum())
        quota = float(company.employees["quarterly_quota"].sum())
        mqls = int(leads["mql_at"].notna().sum())
        columns[company.name] = {
            ("marketing", "cost_per_lead", "currency per lead"): kpis.cost_per_lead(
                float(company.campaigns["spend"].sum()), len(leads)),
            ("marketing", "lead_to_mql_rate", "share"): kpis.conversion_rate(mqls, len(leads)),
            ("sales", "bookings", "currency"): bookings,
            ("sales", "win_rate", "share"): kpis.win_rate(len(won), len(lost)),
            ("sales", "average_deal_size", "currency per deal"): kpis.average_deal_size(bookings, len(won)),
            ("sales", "sales_cycle_days", "days (median)"): kpis.sales_cycle_days(won["created_at"], won["closed_at"]),
            ("sales", "quota_attainment", "share"): kpis.quota_attainment(bookings, quota * len(company.quarters)),
            ("sales", "pipeline_coverage", "×"): kpis.pipeline_coverage(
                float(opps.loc[opps["outcome"] == "open", "amount"].sum()), quota),
            ("operations", "cost_per_ticket", "currency per ticket"): kpis.cost_per_ticket(
                float(tickets["cost"].sum()), len(tickets)),
            ("operations", "csat", "share"): kpis.csat(tickets["csat"]),
            ("operations", "net_promoter_score", "points"): kpis.net_promoter_score(company.accounts["nps"]),
            ("operations", "net_revenue_retention", "share"):
                revenue_retention(company.accounts)["net_revenue_retention"],
            ("shared", "mql_to_sql_rate", "share"): kpis.conversion_rate(int(leads["sql_at"].notna().sum()), mqls),
            ("shared", "lead_leakage_rate", "share"): funnel.leakage_rate(leads),
            ("shared", "speed_to_lead_minutes", "minutes (median)"): funnel.speed_to_lead_minutes(leads),
            ("shared", "customer_acquisition_cost", "currency per customer"):
                alignment.company_metrics(company)["cac"],
        }
        for key in columns[company.name]:  # a stand-in (a spend of 0, no response times) is not a measurement
            if key[1] in SCORECARD_NEEDS and not availability.has(company, SCORECARD_NEEDS[key[1]]):
                columns[company.name][key] = _("not in your data")
    table = pd.DataFrame(columns)
    table.index.names = ["function", "kpi", "unit"]
    return table
