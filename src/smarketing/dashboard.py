"""The KPI dashboard's data: every KPI of one company for each quarter, by the formulas of :mod:`kpis`.

Module 02's dashboard widget and its exercises read this table; computing it once per company keeps
the widget fast (a control change is a lookup, not a recomputation over a million leads).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from smarketing import kpis
from smarketing.datasets import Company

QUARTERS = tuple(f"{year}Q{q}" for year in (2024, 2025) for q in (1, 2, 3, 4))
QUARTER_STARTS = pd.to_datetime([f"{q[:4]}-{3 * int(q[-1]) - 2:02d}-01" for q in QUARTERS])
_FIRST_MONTH = np.datetime64("2024-01", "M").astype(np.int64)


def quarter_index(moments: pd.Series) -> np.ndarray:
    """Position of each moment in :data:`QUARTERS` (−1 when missing or outside 2024–2025).

    In numpy on month numbers: converting a million timestamps to periods would take seconds."""
    months = moments.to_numpy(dtype="datetime64[s]").astype("datetime64[M]")
    index = (months.astype(np.int64) - _FIRST_MONTH) // 3
    return np.where(np.isnat(months) | (index < 0) | (index >= len(QUARTERS)), -1, index)


def _per_quarter(moments: pd.Series, values: np.ndarray | pd.Series | None = None) -> np.ndarray:
    """Sum of ``values`` (or a count of the moments) per quarter."""
    index = quarter_index(moments)
    keep = index >= 0
    weights = None if values is None else np.asarray(values, dtype=float)[keep]
    return np.bincount(index[keep], weights=weights, minlength=len(QUARTERS))


def _median_per_quarter(moments: pd.Series, values: pd.Series) -> np.ndarray:
    frame = pd.DataFrame({"q": quarter_index(moments), "v": np.asarray(values, dtype=float)})
    medians = frame[(frame["q"] >= 0) & frame["v"].notna()].groupby("q")["v"].median()
    return medians.reindex(range(len(QUARTERS))).to_numpy()


def _active_at_quarter_start(accounts: pd.DataFrame) -> np.ndarray:
    starts = QUARTER_STARTS.to_numpy()[:, None]
    began = accounts["start_date"].to_numpy()[None, :] < starts
    churned = accounts["churned_at"].to_numpy()[None, :]
    gone = ~np.isnat(churned) & (churned < starts)
    return (began & ~gone).sum(axis=1)


def quarterly_kpis(company: Company) -> pd.DataFrame:
    """Every dashboard KPI of one company for each quarter of 2024–2025, computed with the formulas of
    this module. Long format: columns quarter, function, kpi, value, unit, target (the quarter's
    target from the targets table, where the company sets one; else empty).

    Marketing KPIs follow the leads created and the campaigns started in the quarter; sales KPIs the
    deals closed in it; operations KPIs its tickets, churn and orders; shared KPIs its MQLs. Counts are
    taken in one vectorised pass per table, so a million leads take well under a second.
    """
    leads, opps, campaigns = company.leads, company.opportunities, company.campaigns
    tickets, accounts, orders, employees = (company.support_tickets, company.accounts, company.orders,
                                            company.employees)
    created = _per_quarter(leads["created_at"])
    mql_of_created = _per_quarter(leads["created_at"], leads["mql_at"].notna())
    spend = _per_quarter(campaigns["start_date"], campaigns["spend"])
    mqls = _per_quarter(leads["mql_at"])
    sqls_of_mqls = _per_quarter(leads["mql_at"], leads["sql_at"].notna())
    answered_in_day = _per_quarter(leads["mql_at"], leads["first_response_minutes"] <= 1440)
    won = opps["outcome"] == "won"
    closed = opps["closed_at"]
    won_count = _per_quarter(closed, won)
    lost_count = _per_quarter(closed, opps["outcome"] == "lost")
    bookings = _per_quarter(closed, opps["amount"].where(won, 0.0))
    quota = float(employees["quarterly_quota"].sum())
    heads = int(employees["function"].isin(["marketing", "sales"]).sum())
    ticket_count = _per_quarter(tickets["opened_at"])
    ticket_cost = _per_quarter(tickets["opened_at"], tickets["cost"])
    rated = tickets["resolved_at"].where(tickets["csat"].notna())
    satisfied = _per_quarter(rated, tickets["csat"].fillna(0) >= 4)
    ratings = _per_quarter(rated)
    churned = _per_quarter(accounts["churned_at"])
    active = _active_at_quarter_start(accounts)

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
         _median_per_quarter(closed.where(won), (closed - opps["created_at"]).dt.total_seconds() / 86_400)),
        ("sales", "quota_attainment", "share", [kpis.quota_attainment(b, quota) for b in bookings]),
        ("operations", "tickets", "tickets", ticket_count),
        ("operations", "cost_per_ticket", "currency per ticket", list(map(kpis.cost_per_ticket, ticket_cost, ticket_count))),
        ("operations", "resolution_hours", "hours (median)",
         _median_per_quarter(tickets["resolved_at"],
                             (tickets["resolved_at"] - tickets["opened_at"]).dt.total_seconds() / 3600)),
        ("operations", "csat", "share", list(map(kpis.conversion_rate, satisfied, ratings))),
        ("operations", "churn_rate", "share per quarter", list(map(kpis.churn_rate, np.minimum(churned, active), active))),
    ]
    if len(orders):
        on_time = orders["delivered_at"].dt.normalize() <= orders["promised_by"]
        order_count = _per_quarter(orders["ordered_at"])
        columns += [
            ("operations", "orders", "orders", order_count),
            ("operations", "on_time_delivery", "share",
             list(map(kpis.conversion_rate, _per_quarter(orders["ordered_at"], on_time), order_count))),
            ("operations", "perfect_order_rate", "share",
             list(map(kpis.perfect_order_rate, _per_quarter(orders["ordered_at"], on_time & ~orders["returned"].astype(bool)),
                      order_count))),
        ]
    columns += [
        ("shared", "sqls", "SQLs", _per_quarter(leads["sql_at"])),
        ("shared", "mql_to_sql_rate", "share", list(map(kpis.conversion_rate, sqls_of_mqls, mqls))),
        ("shared", "lead_leakage_rate", "share", list(map(kpis.conversion_rate, mqls - answered_in_day, mqls))),
        ("shared", "customer_acquisition_cost", "currency per customer",
         [kpis.customer_acquisition_cost(s + heads * kpis.LOADED_COST_PER_HEAD / 4, w) for s, w in zip(spend, won_count, strict=True)]),
    ]
    table = pd.DataFrame([(q, function, kpi, float(values[i]), unit) for function, kpi, unit, values in columns
                          for i, q in enumerate(QUARTERS)], columns=["quarter", "function", "kpi", "value", "unit"])
    targets = company.targets.groupby(["quarter", "metric"], observed=True)["target"].first()
    table["target"] = pd.MultiIndex.from_frame(table[["quarter", "kpi"]]).map(targets)
    return table
