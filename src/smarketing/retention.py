"""After the sale: whether customers come back, and the signs that say so early (module 05's customer success).

A **cohort** is every customer whose first order fell in the same quarter; its **retention curve** is the share of
them who ordered again within so many days of their first order. Only customers whose first order is old enough
to have had those days count at each point (a customer who ordered last week has not yet had a chance to come
back). A **health score** adds up signs from the first order (a late parcel, a return, a ticket); it is only worth
acting on if it ranks the customers who came back above those who did not, which its AUC on past customers says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from smarketing.dashboard import delivered_on_time, require_columns
from smarketing.messages import _
from smarketing.scoring import auc

DAY = pd.Timedelta(days=1)
SIGNALS = ("late", "returned", "ticket")  # what the first order tells: each True is a bad sign


def first_orders(orders: pd.DataFrame, tickets: pd.DataFrame | None = None, horizon_days: float = 180.0,
                 cohort: str = "Q") -> pd.DataFrame:
    """One row per customer, from their first order: ``cohort`` (the period of the first order, quarters by
    default), ``first_ordered_at``, the signs :data:`SIGNALS` (delivered after the end of the promised day; sent
    back; a support ticket about it), ``days_to_next`` (days to their next order; NaN if none) and ``came_back``
    (ordered again within ``horizon_days``; NaN when the first order is too recent for the data to tell), with
    ``observed_days``: the days from the first order to the data's last order, all the data can see after it."""
    require_columns(orders, "orders", "order_id", "customer_id", "ordered_at", "promised_by", "delivered_at",
                    "returned")
    if not horizon_days > 0:
        raise ValueError(_("horizon_days must be above zero (got {value}).", value=horizon_days))
    ordered = orders.sort_values(["customer_id", "ordered_at"], kind="stable")
    nth = ordered.groupby("customer_id", sort=False).cumcount()
    first = ordered[nth == 0].set_index("customer_id")
    second = ordered[nth == 1].set_index("customer_id")["ordered_at"]
    days = (second.reindex(first.index) - first["ordered_at"]) / DAY
    observed = (orders["ordered_at"].max() - first["ordered_at"]) / DAY
    ticketed = pd.Series(False, index=first.index)
    if tickets is not None and "order_id" in tickets.columns:
        ticketed = first["order_id"].isin(set(tickets["order_id"].dropna()))
    table = pd.DataFrame({
        "cohort": first["ordered_at"].dt.to_period(cohort).astype(str),
        "first_ordered_at": first["ordered_at"],
        "late": ~delivered_on_time(first),
        "returned": first["returned"].fillna(False).astype(bool),
        "ticket": ticketed.to_numpy(dtype=bool),
        "days_to_next": days,
        "observed_days": observed,
        "came_back": (days <= horizon_days).astype(float).where(observed >= horizon_days),
    })
    table.index.name = "customer_id"
    return table


def retention_curves(first: pd.DataFrame, step_days: int = 30, max_days: int = 360,
                     min_customers: int = 100) -> pd.DataFrame:
    """Each cohort's retention curve from :func:`first_orders`: for 0, ``step_days``, … ``max_days`` days after the
    first order, the customers the data follows that long (``customers``: ``observed_days`` at least that) and
    the share of them who had ordered again by then (``retained``). A point with fewer than ``min_customers``
    customers followed that long is left out: a share of a handful of customers is noise."""
    if step_days <= 0 or max_days < step_days:
        raise ValueError(_("step_days must be above zero and max_days at least step_days (got {step} and {most}).",
                           step=step_days, most=max_days))
    rows = []
    for days in range(0, max_days + 1, step_days):
        old_enough = first[first["observed_days"] >= days]
        back = old_enough["days_to_next"].le(days)
        grouped = back.groupby(old_enough["cohort"], sort=True)
        rows.append(pd.DataFrame({"days": days, "customers": grouped.size(), "retained": grouped.mean()}))
    table = pd.concat(rows).rename_axis("cohort").reset_index()[["cohort", "days", "customers", "retained"]]
    return table[table["customers"] >= min_customers].reset_index(drop=True)


@dataclass(frozen=True)
class HealthCheck:
    """A health score tested on past customers: ``auc`` (the chance that a customer who came back scored higher
    than one who did not; 0.5 is a coin toss) and ``by_score`` (customers and the share who came back at each
    score)."""

    weights: dict[str, float]
    auc: float
    by_score: pd.DataFrame


def health_check(first: pd.DataFrame, weights: Mapping[str, float]) -> HealthCheck:
    """Score each customer of :func:`first_orders` whose outcome is known: the sum of ``weights`` of the signs
    their first order showed (negative weights for bad signs), and test the score against who came back."""
    unknown = sorted(set(weights) - set(first.columns))
    if unknown:
        raise ValueError(_("The health score uses signs the table does not have: {unknown}. Signs: {known}.",
                           unknown=", ".join(unknown), known=", ".join(SIGNALS)))
    known = first[first["came_back"].notna()]
    score = sum((known[sign].astype(float) * float(weight) for sign, weight in weights.items()),
                pd.Series(0.0, index=known.index))
    by_score = known["came_back"].groupby(score.rename("score")).agg(customers="size", came_back="mean")
    return HealthCheck(dict(weights), auc(score, known["came_back"]), by_score.sort_index(ascending=False))


def signal_table(first: pd.DataFrame) -> pd.DataFrame:
    """For each sign of :data:`SIGNALS`: the customers whose first order showed it, and the share who came back
    with and without it (customers with a known outcome only)."""
    known = first[first["came_back"].notna()]
    rows = {}
    for sign in SIGNALS:
        shown = known[sign].astype(bool)
        rows[sign] = {"customers_with_it": int(shown.sum()), "came_back_with_it": known.loc[shown, "came_back"].mean(),
                      "came_back_without_it": known.loc[~shown, "came_back"].mean()}
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("sign")
    table["difference"] = table["came_back_with_it"] - table["came_back_without_it"]
    return table

