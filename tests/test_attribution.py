"""Attribution models on two hand-made journeys whose credit can be worked out on paper."""

from __future__ import annotations

import pandas as pd
import pytest

from smarketing import attribution

DAY = pd.Timedelta(days=1)
T0 = pd.Timestamp("2025-03-01")


@pytest.fixture()
def touchpoints():
    # L1: events (day 0) -> content (day 7) -> email (day 14), won 90 000
    # L2: paid_search alone, won 10 000
    # L3: email alone, never won (ignored)
    return pd.DataFrame({
        "lead_id": ["L1", "L1", "L1", "L2", "L3"],
        "touched_at": [T0 + 14 * DAY, T0, T0 + 7 * DAY, T0, T0],  # shuffled on purpose
        "channel": ["email", "events", "content", "paid_search", "email"],
    })


@pytest.fixture()
def opportunities():
    return pd.DataFrame({"lead_id": ["L1", "L2", "L3"], "outcome": ["won", "won", "lost"],
                         "amount": [90_000.0, 10_000.0, 5_000.0]})


@pytest.mark.parametrize(("model", "l1_credit"), [
    ("first_touch", [0.0, 1.0, 0.0]),
    ("last_touch", [1.0, 0.0, 0.0]),
    ("linear", [1 / 3, 1 / 3, 1 / 3]),
    ("position_based", [0.4, 0.4, 0.2]),
    ("time_decay", [1 / 1.75, 0.25 / 1.75, 0.5 / 1.75]),  # weights 1, 1/4, 1/2 with a 7-day half-life
])
def test_touch_credit_by_hand(touchpoints, model, l1_credit):
    credit = attribution.touch_credit(touchpoints, model)
    assert credit.iloc[:3].tolist() == pytest.approx(l1_credit)  # in the table's own row order
    assert credit.iloc[3] == 1.0 and credit.groupby(touchpoints["lead_id"]).sum().tolist() == pytest.approx([1] * 3)


def test_two_touches_split_evenly_in_position_based():
    two = pd.DataFrame({"lead_id": ["L", "L"], "touched_at": [T0, T0 + DAY]})
    assert attribution.touch_credit(two, "position_based").tolist() == [0.5, 0.5]


def test_credit_by_channel_splits_won_revenue(touchpoints, opportunities):
    table = attribution.credit_by_channel(touchpoints, opportunities)
    assert table.sum().tolist() == pytest.approx([100_000.0] * len(attribution.MODELS))
    assert table.loc["events", "first_touch"] == 90_000 and table.loc["events", "last_touch"] == 0
    assert table.loc["email", "last_touch"] == 90_000  # L3's email touch is not a customer's
    assert table.loc["content", "position_based"] == pytest.approx(18_000)


def test_bad_model_and_half_life_are_refused(touchpoints):
    with pytest.raises(ValueError, match="Unknown attribution model 'u_shape'"):
        attribution.touch_credit(touchpoints, "u_shape")
    with pytest.raises(ValueError, match="half_life_days must be above zero"):
        attribution.touch_credit(touchpoints, "time_decay", half_life_days=0)
