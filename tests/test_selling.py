"""Sales craft (smarketing.selling): qualification checklists and discounts, on hand-computed deals."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from smarketing import selling


def _deals(rows):
    """(outcome, budget, authority, need, timeline, discount, closed_at, owner) per deal."""
    frame = pd.DataFrame(rows, columns=["outcome", "bant_budget", "bant_authority", "bant_need", "bant_timeline",
                                        "discount", "closed_at", "owner_id"])
    frame["closed_at"] = pd.to_datetime(frame["closed_at"])
    for column in selling.BANT_COLUMNS:
        frame[column] = frame[column].astype("boolean")
    frame["amount"] = 900.0
    frame["opportunity_id"] = [f"O{i}" for i in range(len(frame))]
    return frame


DEALS = _deals([
    ("won", True, True, True, True, 0.10, "2025-03-25", "E1"),    # quarter end
    ("won", True, True, True, False, 0.0, "2025-02-10", "E1"),
    ("won", True, False, True, True, None, "2025-05-01", "E2"),
    ("lost", False, True, True, False, 0.25, "2025-06-20", "E2"),  # quarter end
    ("lost", False, False, True, True, 0.04, "2025-04-02", "E2"),
    ("lost", True, False, False, False, None, "2025-01-15", "E1"),
    ("open", True, True, True, True, 0.05, None, "E1"),
])


def test_checklist_win_rates_compare_ticked_and_not_ticked_boxes():
    table = selling.checklist_win_rates(DEALS)
    # budget: ticked in deals 0, 1, 2, 5 (3 won, 1 lost); not ticked in 3, 4 (both lost)
    assert table.loc["budget", ["ticked", "not_ticked"]].tolist() == [4, 2]
    assert table.loc["budget", "win_rate_ticked"] == pytest.approx(0.75)
    assert table.loc["budget", "win_rate_not_ticked"] == 0
    # need: ticked in 0–4 (3 won, 2 lost), not in 5 (lost): 0.6 − 0
    assert table.loc["need", "difference"] == pytest.approx(0.6)
    assert table.index[0] == "budget" and table["difference"].is_monotonic_decreasing


def test_an_empty_box_is_left_out_and_makes_the_count_unknown():
    deals = DEALS.copy()
    deals.loc[0, "bant_need"] = pd.NA
    assert selling.checklist_win_rates(deals).loc["need", ["ticked", "not_ticked"]].sum() == 5
    assert math.isnan(selling.boxes_ticked(deals).iloc[0])
    assert selling.boxes_ticked(DEALS).tolist() == [4, 3, 3, 2, 2, 1, 4]


def test_win_rates_by_boxes_ticked():
    table = selling.win_rates_by_boxes(DEALS)  # the open deal is left out
    assert table.index.tolist() == [1, 2, 3, 4]
    assert table.loc[3, ["won", "lost"]].tolist() == [2, 0]
    assert table.loc[2, "win_rate"] == 0 and table.loc[4, "win_rate"] == 1


def test_discount_bands_count_closed_quoted_deals_with_the_lower_edge_inside():
    table = selling.discount_bands(DEALS, edges=(0, 0.05, 0.2))
    assert table.index.tolist() == ["0–5 %", "5–20 %", "20 % or more"]
    assert table.loc["0–5 %", ["won", "lost"]].tolist() == [1, 1]  # 0.0 won, 0.04 lost
    assert table.loc["5–20 %", ["won", "lost"]].tolist() == [1, 0]  # 0.10 (0.05 is the open deal's)
    assert table.loc["20 % or more", "median_discount"] == 0.25


@pytest.mark.parametrize("edges", [(0.1, 0.05), (), (-0.1, 0.2), (0, 1.0)])
def test_discount_bands_refuse_edges_that_are_not_rising_shares(edges):
    with pytest.raises(ValueError, match="edges must rise from 0"):
        selling.discount_bands(DEALS, edges=edges)


def test_quarter_end_is_the_last_days_of_the_calendar_quarter():
    dates = pd.Series(pd.to_datetime(["2025-03-18", "2025-03-17 23:00", "2025-12-31", "2025-10-01", None],
                                     format="ISO8601"))
    assert selling.quarter_end(dates).tolist() == [True, False, True, False, False]


def test_quarter_end_discounts_split_the_closed_quoted_deals():
    table = selling.quarter_end_discounts(DEALS)
    late, earlier = table.loc["last 14 days"], table.loc["earlier"]
    assert late["deals"] == 2 and late["median_discount"] == pytest.approx(0.175)
    assert earlier["deals"] == 2 and earlier["mean_discount"] == pytest.approx(0.02)
    assert late["win_rate"] == 0.5


def test_discounts_by_rep_keep_reps_with_enough_deals_deepest_first():
    table = selling.discounts_by_rep(DEALS, min_deals=1)
    assert table.index.tolist() == ["E2", "E1"]  # medians 0.145 and 0.05
    assert table.loc["E2", "deals"] == 2
    assert selling.discounts_by_rep(DEALS, min_deals=3).empty


def test_given_away_prices_the_won_deals_at_list():
    cost = selling.given_away(DEALS).loc["all"]
    # won with a quote: 900 at 10 % (list 1,000) and 900 at 0 % (list 900)
    assert cost["deals"] == 2 and cost["list_value"] == pytest.approx(1900)
    assert cost["given_away"] == pytest.approx(100) and cost["share_given_away"] == pytest.approx(100 / 1900)
    by_rep = selling.given_away(DEALS, by="owner_id")
    assert by_rep.index.tolist() == ["E1"] and by_rep.loc["E1", "given_away"] == pytest.approx(100)


def test_given_away_with_nothing_won_is_zero_not_an_error():
    nothing = selling.given_away(DEALS[DEALS["outcome"] != "won"]).loc["all"]
    assert nothing["deals"] == 0 and nothing["given_away"] == 0 and math.isnan(nothing["share_given_away"])


def test_a_discount_of_a_whole_price_is_refused():
    deals = DEALS.assign(discount=DEALS["discount"].where(DEALS.index != 0, 1.0))
    with pytest.raises(ValueError, match="not a price"):
        selling.given_away(deals)


def test_an_export_without_the_columns_gets_a_message_that_says_what_to_do():
    with pytest.raises(ValueError, match="no quote discounts"):
        selling.discount_bands(DEALS.drop(columns="discount"))
    with pytest.raises(ValueError, match="no qualification checklist"):
        selling.checklist_win_rates(DEALS.drop(columns="bant_need"))
