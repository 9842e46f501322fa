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


def _whole_journeys():
    """Three won leads, worked out on paper.

    W1: events (day 0), content creates the lead (day 5); later email (day 8), webinar (day 12); the opportunity
        opens on day 20 and an e-mail on day 25 comes after it (left out). Won 100 000.
        W-shaped: events 0.3, content 0.3, email 0.05, webinar 0.3 (the last before the opportunity).
    W2: paid search creates the lead (day 0), e-mail (day 3) before the opportunity (day 4). Won 10 000.
        First and lead creation are one touch: paid search 0.6, e-mail 0.3, no other touch: ÷ 0.9.
    W3: partner creates the lead, nothing later; a lost lead L9 is ignored. Won 1 000: all to partner.
    """
    before = pd.DataFrame({"lead_id": ["W1", "W1", "W2", "W3", "L9"],
                           "touched_at": [T0, T0 + 5 * DAY, T0, T0, T0],
                           "channel": ["events", "content", "paid_search", "partner", "email"]})
    later = pd.DataFrame({"lead_id": ["W1", "W1", "W1", "W2", "L9"],
                          "touched_at": [T0 + 12 * DAY, T0 + 8 * DAY, T0 + 25 * DAY, T0 + 3 * DAY, T0 + DAY],
                          "channel": ["webinar", "email", "email", "email", "webinar"]})
    deals = pd.DataFrame({"lead_id": ["W1", "W2", "W3", "L9"], "outcome": ["won", "won", "won", "lost"],
                          "created_at": [T0 + 20 * DAY, T0 + 4 * DAY, T0 + DAY, T0 + 2 * DAY],
                          "amount": [100_000.0, 10_000.0, 1_000.0, 5_000.0]})
    return before, later, deals


def test_won_journeys_mark_the_lead_and_opportunity_creation_touches():
    journeys = attribution.won_journeys(*_whole_journeys())
    w1 = journeys[journeys["lead_id"] == "W1"]
    assert w1["channel"].tolist() == ["events", "content", "email", "webinar"]  # the e-mail after the deal is out
    assert w1["lead_created"].tolist() == [False, True, False, False]
    assert w1["opportunity_created"].tolist() == [False, False, False, True]
    w3 = journeys[journeys["lead_id"] == "W3"]
    assert w3["lead_created"].tolist() == [True] and w3["opportunity_created"].tolist() == [True]
    assert "L9" not in set(journeys["lead_id"])


def test_w_shaped_credit_by_hand():
    journeys = attribution.won_journeys(*_whole_journeys())
    credit = attribution.w_shaped_credit(journeys).groupby([journeys["lead_id"], journeys["channel"]]).sum()
    assert credit["W1"].to_dict() == pytest.approx({"events": 0.3, "content": 0.3, "email": 0.1, "webinar": 0.3})
    assert credit["W2"].to_dict() == pytest.approx({"paid_search": 0.6 / 0.9, "email": 0.3 / 0.9})
    assert credit["W3"].to_dict() == pytest.approx({"partner": 1.0})
    table = attribution.journey_credit_by_channel(*_whole_journeys(), models=["w_shaped", "last_touch"])
    assert table["w_shaped"].sum() == pytest.approx(111_000)
    assert table.loc["webinar", "w_shaped"] == pytest.approx(30_000)
    assert table.loc["email", "last_touch"] == pytest.approx(10_000)  # W2's touch nearest its opportunity
    with pytest.raises(ValueError, match="Unknown attribution model 'u_shape'"):
        attribution.journey_credit_by_channel(*_whole_journeys(), models=["u_shape"])
    with pytest.raises(ValueError, match="won_journeys"):
        attribution.w_shaped_credit(journeys.drop(columns="lead_created"))
