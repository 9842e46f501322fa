"""Dates and amounts as CRMs and spreadsheets write them: every format a workshop met, read right, and what is not
a plain amount or date reported, never guessed."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from smarketing.datasets.crm.values import parse_amounts, parse_dates


@pytest.mark.parametrize(("text", "value"), [
    ("$12,300.00", 12300.0), ("$1,234.50", 1234.5), ("1.234,50 €", 1234.5), ("¥8,800", 8800.0), ("¥1,234", 1234.0),
    ("($1,500.00)", -1500.0), ("(1,234.00)", -1234.0), ("-250", -250.0), ("1,234-", -1234.0), ("12.5", 12.5),
    ("EUR 1 200", 1200.0), ("1 234,50 €", 1234.5), ("€1.234", 1234.0), ("12.500 €", 12500.0), ("0.125", 0.125),
    ("CHF 1'234.50", 1234.5), ("US$ 5", 5.0), ("1,5", 1.5),
    ("1e3", None), ("2,5 Mio €", None), ("abc", None), ("1.2.3", None), ("12,34,567", None), ("(12", None)])
def test_amounts_in_many_formats(text, value):
    values, bad = parse_amounts(pd.Series([text]))
    if value is None:  # not a plain amount: reported, never guessed
        assert bad.iloc[0] and math.isnan(values.iloc[0])
    else:
        assert values.iloc[0] == pytest.approx(value) and not bad.any()


@pytest.mark.parametrize(("texts", "values", "bad"), [
    (["12.500 €", "1.234,50 €", "8.000 €"], [12500.0, 1234.5, 8000.0], []),  # European: ',' decimal, '.' thousands
    (["$12,500", "$1,234.50", "$8,000"], [12500.0, 1234.5, 8000.0], []),
    (["1.234,50", "99.90"], [1234.5, math.nan], [1]),  # one column, two decimal marks: the minority is refused
    (["1.234,50", "1,234"], [1234.5, math.nan], [1]),  # 1,234 is ambiguous where ',' is the decimal mark
])
def test_the_decimal_mark_is_decided_per_column(texts, values, bad):
    parsed, unreadable = parse_amounts(pd.Series(texts))
    assert parsed.tolist() == pytest.approx(values, nan_ok=True)
    assert list(np.flatnonzero(unreadable)) == bad


@pytest.mark.parametrize("texts", [["2025-03-01 09:30", "2025-12-31 17:00"], ["03/01/2025 09:30 AM", "12/31/2025 05:00 PM"],
                                   ["2025/03/01", "2025/12/31"], ["01.03.2025", "31.12.2025"], ["2025年3月1日", "2025年12月31日"],
                                   ["2025-03-01T09:30:00Z", "2025-12-31T17:00:00.000Z"],
                                   ["2025-03-01T09:30:00+01:00", "2025-12-31T17:00:00-05:00"],
                                   ["03/01/2025 09:30:15", "12/31/2025 17:00:59"], ["Mar 1, 2025", "Dec 31, 2025"],
                                   ["March 1, 2025", "December 31, 2025"]])
def test_dates_in_many_formats(texts):
    values, bad = parse_dates(pd.Series(texts))
    assert not bad.any()
    assert values.dt.strftime("%Y-%m-%d").tolist() == ["2025-03-01", "2025-12-31"]


def test_time_zones_are_converted_to_utc_and_day_first_is_applied_when_told():
    values, _bad = parse_dates(pd.Series(["2025-03-01T09:30:00Z", "2025-03-01T09:30:00+01:00"]))
    assert values.dt.strftime("%H:%M").tolist() == ["09:30", "08:30"]
    assert parse_dates(pd.Series(["01/02/2025"]), dayfirst=True)[0].iloc[0] == pd.Timestamp("2025-02-01")
    assert parse_dates(pd.Series(["01/02/2025"]))[0].iloc[0] == pd.Timestamp("2025-01-02")
