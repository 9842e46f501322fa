"""After the sale, on hand-made orders whose cohorts, curves and health scores can be worked out on paper, and on
bloom: late first parcels lose customers, and a return adds little once lateness is known."""

from __future__ import annotations

import pandas as pd
import pytest

from smarketing import charts, retention

T0 = pd.Timestamp("2025-01-10 10:00")
DAY = pd.Timedelta(days=1)


def _orders() -> pd.DataFrame:
    # A: first order on time, back after 20 days. B: first order late and returned, never back.
    # C: on time, back after 100 days. D: late, first order 150 days before the last order of the data.
    # E: the last order of the data (too recent to say anything at 180 days).
    rows = [("R1", "A", T0, T0 + 3 * DAY, T0 + 2 * DAY, False),
            ("R2", "A", T0 + 20 * DAY, T0 + 23 * DAY, T0 + 22 * DAY, False),
            ("R3", "B", T0 + DAY, T0 + 4 * DAY, T0 + 6 * DAY, True),
            ("R4", "C", T0 + 95 * DAY, T0 + 98 * DAY, T0 + 97 * DAY, False),
            ("R5", "C", T0 + 195 * DAY, T0 + 198 * DAY, T0 + 197 * DAY, False),
            ("R6", "D", T0 + 250 * DAY, T0 + 253 * DAY, T0 + 256 * DAY, False),
            ("R7", "E", T0 + 400 * DAY, T0 + 403 * DAY, T0 + 402 * DAY, False)]
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "ordered_at", "promised_by", "delivered_at",
                                        "returned"])
    frame["promised_by"] = frame["promised_by"].dt.normalize()
    return frame


def test_first_orders_by_hand():
    tickets = pd.DataFrame({"order_id": ["R3", None, "R2"]})  # a ticket on B's first order, one on A's second
    first = retention.first_orders(_orders(), tickets, horizon_days=180)
    assert first.index.tolist() == ["A", "B", "C", "D", "E"]
    assert first["cohort"].tolist() == ["2025Q1", "2025Q1", "2025Q2", "2025Q3", "2026Q1"]
    assert first["late"].tolist() == [False, True, False, True, False]
    assert first["returned"].tolist() == [False, True, False, False, False]
    assert first["ticket"].tolist() == [False, True, False, False, False]
    assert first["days_to_next"].tolist()[:3] == [20.0, pytest.approx(float("nan"), nan_ok=True), 100.0]
    # The last order is on day 400: a first order on day 220 or earlier has had 180 days.
    assert first["came_back"].tolist()[:3] == [1.0, 0.0, 1.0]
    assert first["came_back"].iloc[3:].isna().all()
    assert first["observed_days"].tolist() == [400.0, 399.0, 305.0, 150.0, 0.0]
    with pytest.raises(ValueError, match="horizon_days"):
        retention.first_orders(_orders(), horizon_days=0)
    with pytest.raises(ValueError, match="missing column"):
        retention.first_orders(_orders().drop(columns="returned"))


def test_curves_count_only_customers_old_enough():
    first = retention.first_orders(_orders(), cohort="Y")
    curves = retention.retention_curves(first, step_days=50, max_days=150, min_customers=1).set_index(
        ["cohort", "days"])
    # 2025 cohort: A (day 0), B (1), C (95), D (250); the data's last order is E's, on day 400.
    assert curves.loc[("2025", 50), "customers"] == 4 and curves.loc[("2025", 50), "retained"] == 0.25  # A only
    assert curves.loc[("2025", 100), "retained"] == 0.5  # A and C
    assert curves.loc[("2025", 150), "customers"] == 4  # D's first order is 150 days before E's
    assert ("2026", 50) not in curves.index  # E has not had 50 days
    assert curves.loc[("2026", 0), "customers"] == 1
    assert retention.retention_curves(first, step_days=50, max_days=150, min_customers=2)["cohort"].eq("2025").all()
    with pytest.raises(ValueError, match="step_days"):
        retention.retention_curves(first, step_days=0)


def test_a_health_score_is_tested_on_known_outcomes_only():
    first = retention.first_orders(_orders(), pd.DataFrame({"order_id": ["R3"]}))
    check = retention.health_check(first, {"late": -1})
    # Known: A (back, on time), B (gone, late), C (back, on time): the score ranks perfectly.
    assert check.auc == 1.0 and check.by_score["customers"].tolist() == [2, 1]
    assert retention.health_check(first, {"returned": -1, "ticket": -1}).auc == 1.0
    assert retention.health_check(first, {"late": 1}).auc == 0.0
    with pytest.raises(ValueError, match="signs the table does not have: mood"):
        retention.health_check(first, {"mood": -1})
    table = retention.signal_table(first)
    assert table.loc["late", "customers_with_it"] == 1 and table.loc["late", "difference"] == -1.0


def test_bloom_loses_customers_to_late_parcels_and_returns_add_little(companies):
    bloom = companies["bloom"]
    first = retention.first_orders(bloom.orders, bloom.support_tickets)
    signs = retention.signal_table(first)
    assert signs.loc["late", "difference"] < -0.15  # the generator halves the repeat rate after a late parcel
    late = retention.health_check(first, {"late": -1}).auc
    everything = retention.health_check(first, {"late": -1, "returned": -1, "ticket": -1}).auc
    assert late > 0.55 and everything < late + 0.01  # returns and tickets carry no news beyond lateness
    curves = retention.retention_curves(retention.first_orders(bloom.orders, cohort="Y"))
    # Rising, but for a dip of a point or less where the customers old enough change from one point to the next.
    assert (curves.groupby("cohort")["retained"].diff().dropna() > -0.01).all()
    assert charts.retention_chart(curves).to_dict()["title"]["text"]
