"""Exercise 05, task 7: tide's shoppers after the sale, by the library's conventions (:func:`retention.first_orders`):
the 120-day retention of a cohort, counting only the shoppers the data follows that long, and the AUC of a health
score. tide is drawn anew for each cohort: no text here may state one of its numbers."""

from __future__ import annotations

from functools import cache

import pandas as pd

from smarketing import retention, scoring
from smarketing.exercises.shared import company, mistaken
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import number
from smarketing.messages import _

# Task 7: tide's shoppers after the sale (the library's conventions: retention.first_orders).
CS_COMPANY, CS_COHORT, CS_DAYS = "tide", "2025Q3", 120
HEALTH_WEIGHTS, HEALTH_HORIZON = {"late": -2, "ticket": -1}, 180


@cache
def _first_orders(horizon: float = HEALTH_HORIZON) -> pd.DataFrame:
    c = company(CS_COMPANY)
    return retention.first_orders(c.orders, c.support_tickets, horizon_days=horizon)


def cohort_retained(followed_only: bool = True, within: float | None = CS_DAYS) -> float:
    """Task 7a: the share of the cohort's shoppers, among those the data follows ``CS_DAYS`` days after their first
    order, who ordered again within that many days (``followed_only`` False, ``within`` None: the mistakes of
    counting every shopper of the cohort, or a return at any time)."""
    first = _first_orders()
    cohort = first[first["cohort"] == CS_COHORT]
    if followed_only:
        cohort = cohort[cohort["observed_days"] >= CS_DAYS]
    back = cohort["days_to_next"].notna() if within is None else cohort["days_to_next"].le(within)
    return float(back.mean())


def health_auc(weights: dict[str, float] | None = None, known_only: bool = True, ever: bool = False) -> float:
    """Task 7b: the AUC of the health score ``weights`` (the task's) on the shoppers followed ``HEALTH_HORIZON``
    days, for having ordered again within them (``known_only`` False, ``ever`` True: the mistakes of scoring every
    shopper, an unknown outcome taken for "gone", or of counting a return at any time)."""
    first = _first_orders()
    scored = first if not known_only else first[first["came_back"].notna()]
    score = sum(scored[sign].astype(float) * weight for sign, weight in (weights or HEALTH_WEIGHTS).items())
    outcome = scored["days_to_next"].notna() if ever else scored["came_back"].fillna(0.0).astype(bool)
    return scoring.auc(score, outcome.astype(int))


def tasks() -> tuple[Task, ...]:
    """Task 7's parts, q8a and q8b."""
    return (
        Task("q8a", "retained_120", number(cohort_retained, tolerance=1e-6),
             (_("take each shopper's first order; keep the shoppers whose first order fell in 2025Q3 and whom the data "
                "follows at least 120 days after it (the data's last order is 120 days or more after their first); "
                "the share of them whose second order came within 120 days of the first."),
              _("sort tide.orders by customer_id and ordered_at; .groupby(\"customer_id\").cumcount() numbers each "
                "shopper's orders from 0. The first orders (0) give the cohort (.dt.to_period(\"Q\")) and the date; "
                "the second orders (1), matched on customer_id, the date of the return. Days followed: "
                "tide.orders[\"ordered_at\"].max() minus the first order.")),
             mistakes=(
                 Mistake(mistaken(cohort_retained, lambda: cohort_retained(followed_only=False)),
                         _("you counted every shopper of the cohort, also those whose first order came less than 120 "
                           "days before the data ends: they have not had 120 days to come back, and count as lost. "
                           "Keep only the shoppers the data follows 120 days.")),
                 Mistake(mistaken(cohort_retained, lambda: cohort_retained(within=None)),
                         _("you counted a second order at any time; the task asks for one within 120 days of the "
                           "first.")),
                 Mistake(mistaken(cohort_retained, lambda: 100 * cohort_retained()),
                         _("this looks like a percentage. Give the share as a number like 0.3 for 30 %.")),
             )),
        Task("q8b", "health_auc", number(health_auc, tolerance=1e-6),
             (_("for each shopper the data follows 180 days after their first order: the score is −2 if that first "
                "parcel came late (delivered after the end of its promised day) and −1 if a ticket names that "
                "order; the outcome is a second order within 180 days. The AUC is scoring.auc(score, outcome)."),
              _("late: the first order's delivered_at.dt.normalize() > promised_by. ticket: its order_id is among "
                "tide.support_tickets[\"order_id\"]. Keep the shoppers whose first order is at least 180 days "
                "before tide.orders[\"ordered_at\"].max(); the outcome is 1 when their second order came within 180 "
                "days.")),
             mistakes=(
                 Mistake(mistaken(health_auc, lambda: 1 - health_auc()),
                         _("your score ranks the shoppers the wrong way round: bad signs take points away (−2, −1), so "
                           "that the shoppers who come back score higher.")),
                 Mistake(mistaken(health_auc, lambda: health_auc(known_only=False)),
                         _("you scored every shopper, also those whose first order is too recent for the data to say "
                           "whether they came back. Keep the shoppers the data follows 180 days.")),
                 Mistake(mistaken(health_auc, lambda: health_auc({"late": -1})),
                         _("that is lateness alone; the score also takes a point away for a ticket about the first "
                           "order.")),
                 Mistake(mistaken(health_auc, lambda: health_auc(ever=True)),
                         _("your outcome is a second order at any time; the task counts one within 180 days.")),
             )),
    )
