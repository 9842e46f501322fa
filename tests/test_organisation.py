"""Kotler, Rackham & Krishnaswamy's diagnostic (smarketing.organisation), on hand-added ratings."""

from __future__ import annotations

import pytest

from smarketing import organisation


@pytest.mark.parametrize(("total", "stage"), [(20, "undefined"), (39, "undefined"), (40, "defined"),
                                              (59, "defined"), (60, "aligned"), (79, "aligned"),
                                              (80, "integrated"), (100, "integrated")])
def test_the_scoring_key(total, stage):
    assert organisation.stage_of(total) == stage


@pytest.mark.parametrize("total", [19, 101, 0])
def test_a_total_outside_the_scale_is_refused(total):
    with pytest.raises(ValueError, match="from 20 to 100"):
        organisation.stage_of(total)


def test_diagnose_adds_twenty_ratings():
    ratings = [3] * 10 + [2] * 10  # 30 + 20
    assert organisation.diagnose(ratings) == organisation.Diagnosis(50, "defined")


@pytest.mark.parametrize(("ratings", "message"), [([3] * 19, "20 statements; got 19"),
                                                  ([3] * 19 + [6], "20: 6"), ([3] * 19 + [2.5], "20: 2.5"),
                                                  ([True] * 20, "1: True")])
def test_bad_ratings_say_what_is_wrong(ratings, message):
    with pytest.raises(ValueError, match=message):
        organisation.diagnose(ratings)


def test_the_perception_gap_puts_both_sides_beside_each_other():
    sales, marketing = [4] * 20, [2] * 20
    sales[0] = 1
    table = organisation.perception_gap(sales, marketing)
    assert table.loc[1, "difference"] == -1 and table.loc[2, "difference"] == 2
    assert table.loc["total", "sales"] == 77 and table.loc["total", "marketing"] == 40
    assert table.attrs["stages"] == {"sales": "aligned", "marketing": "defined"}
    with pytest.raises(ValueError, match="marketing: the diagnostic has 20"):
        organisation.perception_gap(sales, marketing[:3])
