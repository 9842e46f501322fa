"""Dates and amounts as CRMs and spreadsheets write them: every format a workshop met, read right, each column's
conventions decided from all its values, and what is not a plain amount or date, or reads two ways the column
cannot settle, reported, never guessed. Property tests (Hypothesis) format random amounts and timestamps in every
supported style and read them back."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smarketing.datasets.crm.values import (
    ambiguous_amount,
    ambiguous_example,
    date_order,
    has_time,
    parse_amounts,
    parse_dates,
)

PROPERTIES = settings(max_examples=100, deadline=None, derandomize=True)


# ---- amounts ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("$12,300.00", 12300.0), ("$1,234.50", 1234.5), ("1.234,50 €", 1234.5), ("¥8,800", 8800.0), ("¥1,234", 1234.0),
    ("($1,500.00)", -1500.0), ("(1,234.00)", -1234.0), ("-250", -250.0), ("1,234-", -1234.0), ("12.5", 12.5),
    ("EUR 1 200", 1200.0), ("1 234,50 €", 1234.5), ("€1.234", 1234.0), ("12.500 €", 12500.0), ("0.125", 0.125),
    ("CHF 1'234.50", 1234.5), ("US$ 5", 5.0), ("1,5", 1.5), ("12,34,567", 1234567.0), ("$1,00,000.00", 100000.0),
    ("9225.225", 9225.225), ("9225.2250", 9225.225), ("12500", 12500.0), ("12500.5", 12500.5),
    ("￥１２，５００．００", 12500.0), ("＄3,000", 3000.0), ("１２ ５００,５０ €", 12500.5), ("1\u00a0234,50\u00a0€", 1234.5),
    ("1e3", None), ("2,5 Mio €", None), ("abc", None), ("1.2.3", None), ("(12", None), ("1,23,45", None),
    ("1.234,567.8", None), ("1,2345", 1.2345)])
def test_amounts_in_many_formats(text, value):
    values, bad = parse_amounts(pd.Series([text]))
    if value is None:  # not a plain amount: reported, never guessed
        assert bad.iloc[0] and math.isnan(values.iloc[0])
    else:
        assert values.iloc[0] == pytest.approx(value) and not bad.any()


@pytest.mark.parametrize(("texts", "values", "bad"), [
    (["12.500 €", "1.234,50 €", "8.000 €"], [12500.0, 1234.5, 8000.0], []),  # European: ',' decimal, '.' thousands
    (["$12,500", "$1,234.50", "$8,000"], [12500.0, 1234.5, 8000.0], []),
    # 9225.225 cannot be grouped in thousands (9225 has four digits): '.' is the decimal mark, never 9,225,225.
    (["9225.225", "100"], [9225.225, 100.0], []),
    (["9225.225", "1,234"], [9225.225, 1234.0], []),  # ... so ',' is the thousands separator of the column
    (["12.5", "1.234"], [12.5, 1.234], []),  # one value shows '.' as decimal: it is for the whole column
    (["1.234,50", "1,234"], [1234.5, 1.234], []),  # and ',' likewise
    (["1,234", "5,678"], [1234.0, 5678.0], []),  # no value tells: a three-digit group is thousands (US/UK reading)
    (["1.234", "5.678"], [1234.0, 5678.0], []),
    (["1,234", "5.678"], [math.nan, math.nan], [0, 1]),  # ... but not two different thousands separators
    (["1.234,50", "8.000,00", "99.90"], [1234.5, 8000.0, math.nan], [2]),  # the minority decimal mark is refused
    (["1.234,50", "99.90"], [math.nan, math.nan], [0, 1]),  # a tie: neither is trusted
    (["N/A", "n/a", "NA", "-", "—", "--", "", " ", None, "12"], [math.nan] * 9 + [12.0], []),  # missing, not bad
])
def test_the_decimal_mark_is_decided_per_column(texts, values, bad):
    parsed, unreadable = parse_amounts(pd.Series(texts))
    assert parsed.tolist() == pytest.approx(values, nan_ok=True)
    assert list(np.flatnonzero(unreadable)) == bad


def test_the_decimal_mark_can_be_forced_and_a_column_resting_on_the_thousands_assumption_is_told():
    assert parse_amounts(pd.Series(["1,234", "5,678"]), decimal=",")[0].tolist() == pytest.approx([1.234, 5.678])
    assert parse_amounts(pd.Series(["1,234.5"]), decimal=",")[1].tolist() == [True]
    assert ambiguous_amount(pd.Series(["1,234", "5,678", "12"])) == ("1,234", 1234.0, 1.234)
    assert ambiguous_amount(pd.Series(["12", "１.２３４"])) == ("１.２３４", 1234.0, 1.234)
    assert ambiguous_amount(pd.Series(["1,234", "12.5"])) is None  # 12.5 decides
    assert ambiguous_amount(pd.Series(["1234", "12"])) is None


def test_amounts_keep_the_index_and_an_empty_column_reads():
    values, bad = parse_amounts(pd.Series(["$5", None], index=[10, 20]))
    assert list(values.index) == [10, 20] and values[10] == 5.0 and not bad.any()
    values, bad = parse_amounts(pd.Series([], dtype=str))
    assert values.empty and bad.empty
    assert parse_amounts(pd.Series(["", "N/A"]))[1].tolist() == [False, False]


# ---- dates --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("texts", [["2025-03-01 09:30", "2025-12-31 17:00"], ["03/01/2025 09:30 AM", "12/31/2025 05:00 PM"],
                                   ["2025/03/01", "2025/12/31"], ["01.03.2025", "31.12.2025"], ["2025年3月1日", "2025年12月31日"],
                                   ["2025-03-01T09:30:00Z", "2025-12-31T17:00:00.000Z"],
                                   ["2025-03-01T09:30:00+01:00", "2025-12-31T17:00:00-05:00"],
                                   ["03/01/2025 09:30:15", "12/31/2025 17:00:59"], ["Mar 1, 2025", "Dec 31, 2025"],
                                   ["March 1, 2025", "December 31, 2025"], ["1 Mar, 2025 00:03:00", "31 Dec, 2025 23:59:00"],
                                   ["Mar 1, 2025 12:03 AM", "Dec 31, 2025 11:59 PM"], ["01-03-2025 15:38", "31-12-2025 09:00"],
                                   ["1-Mar-2025", "31-Dec-2025"], ["２０２５－０３－０１", "２０２５／１２／３１ １７：００"],
                                   ["2025年3月1日14:30", "2025年12月31日 17:00"], ["3/1/2025 9:05am", "12/31/2025 5:00 p.m."]])
def test_dates_in_many_formats(texts):
    values, bad = parse_dates(pd.Series(texts))
    assert not bad.any()
    assert values.dt.strftime("%Y-%m-%d").tolist() == ["2025-03-01", "2025-12-31"]


@pytest.mark.parametrize(("text", "expected"), [
    ("15 Apr, 2021 00:03:00", "2021-04-15 00:03:00"), ("Apr 15, 2021 12:03 AM", "2021-04-15 00:03:00"),
    ("Apr 15, 2021 12:03 PM", "2021-04-15 12:03:00"), ("06-08-2020 15:38", "2020-06-08 15:38:00"),
    ("2025-03-01T09:30:00.999Z", "2025-03-01 09:30:00"), ("2025-03-01T23:30:00-02:00", "2025-03-02 01:30:00"),
    ("2025年3月1日 14:30:15", "2025-03-01 14:30:15"), ("2025-03-01 09:30 PM", "2025-03-01 21:30:00")])
def test_times_of_day_are_read_to_the_second(text, expected):
    values, bad = parse_dates(pd.Series([text]))
    assert not bad.any() and str(values.iloc[0]) == expected


@pytest.mark.parametrize("text", ["next Tuesday", "2025-13-45", "2025-02-30", "02/30/2025", "01/13/2025 25:00",
                                  "01/13/2025 13:00 PM", "1/2/2025 0:30 AM", "2025-03", "Smarch 1, 2025", "1e3"])
def test_what_is_not_a_date_is_reported(text):
    values, bad = parse_dates(pd.Series([text, "2025-03-01"]))
    assert bad.tolist() == [True, False] and pd.isna(values.iloc[0])


def test_missing_markers_are_missing_not_unreadable():
    values, bad = parse_dates(pd.Series(["", "N/A", "-", "—", None, "2025-03-01"], index=list("abcdef")))
    assert not bad.any() and values.isna().sum() == 5 and list(values.index) == list("abcdef")
    assert parse_dates(pd.Series([], dtype=str))[0].empty


def test_time_zones_are_converted_to_utc_and_day_first_is_applied_when_told():
    values, _bad = parse_dates(pd.Series(["2025-03-01T09:30:00Z", "2025-03-01T09:30:00+01:00"]))
    assert values.dt.strftime("%H:%M").tolist() == ["09:30", "08:30"]
    assert parse_dates(pd.Series(["01/02/2025"]), dayfirst=True)[0].iloc[0] == pd.Timestamp("2025-02-01")
    assert parse_dates(pd.Series(["01/02/2025"]))[0].iloc[0] == pd.Timestamp("2025-01-02")
    # Forced, the order applies to every separator; a value that contradicts it is unreadable, not swapped.
    values, bad = parse_dates(pd.Series(["01.02.2025", "01-13-2025"]), dayfirst=True)
    assert values.iloc[0] == pd.Timestamp("2025-02-01") and bad.tolist() == [False, True]


@pytest.mark.parametrize(("texts", "order", "first"), [
    (["06/08/2020", "13/08/2020"], "day", "2020-08-06"),  # 13 cannot be a month
    (["06-08-2020 15:38", "13-08-2020 09:00"], "day", "2020-08-06"),  # dashes alike
    (["06.08.2020", "08.13.2020"], "month", "2020-06-08"),  # dots alike
    (["06/08/2020", "08/13/2020"], "month", "2020-06-08"),
    (["06/08/2020", "05/05/2020"], None, "2020-06-08"),  # undecided: month-first, as HubSpot and Salesforce US
    (["06.08.2020", "05.05.2020"], None, "2020-08-06"),  # ... but dotted dates are day-first
    (["06/08/2020", "13/08/2020", "08/13/2020"], "both", "2020-06-08"),  # contradictions: the odd ones unreadable
    (["Apr 15, 2021", "2025-03-01", "2025/03/01", "2025年3月1日"], None, "2021-04-15"),  # these decide themselves
])
def test_day_or_month_first_is_decided_by_the_column(texts, order, first):
    assert date_order(pd.Series(texts)) == order
    values, bad = parse_dates(pd.Series(texts))
    assert str(values.iloc[0].date()) == first
    assert bad.any() == (order == "both")


def test_an_undecided_value_is_shown_with_its_two_readings():
    example = ambiguous_example(pd.Series(["2025-01-01", "13/12/2020", "06/08/2020 10:00", "05/05/2020"]))
    assert example == ("06/08/2020 10:00", pd.Timestamp("2020-06-08 10:00"), pd.Timestamp("2020-08-06 10:00"))
    assert ambiguous_example(pd.Series(["05/05/2020", "13/08/2020", "Apr 1, 2021", "2021-01-02"])) is None
    assert ambiguous_example(pd.Series(["０６．０８．２０２０"]))[1:] == (pd.Timestamp("2020-06-08"), pd.Timestamp("2020-08-06"))


@pytest.mark.parametrize(("texts", "timed"), [
    (["2025-03-01", "2025-03-02"], False), (["3/1/2025 0:00", "3/2/2025 12:00 AM"], False),  # midnight: a date
    (["2025-03-01 09:30", ""], True), (["2025-03-01T00:00:00+01:00"], True), (["15 Apr, 2021 00:03:00"], True),
    (["", "N/A"], False)])
def test_whether_a_column_carries_a_time_of_day(texts, timed):
    assert has_time(pd.Series(texts)) is timed


# ---- properties ---------------------------------------------------------------------------------------------

def _grouped(whole: int, separator: str) -> str:
    return f"{whole:,}".replace(",", separator)


def _indian(whole: int) -> str:
    digits = str(whole)
    head, tail = digits[:-3], digits[-3:]
    pairs = [head[max(0, i - 2):i] for i in range(len(head), 0, -2)][::-1]
    return ",".join([*pairs, tail]) if head else tail


_FULL_WIDTH = str.maketrans("0123456789,.$", "０１２３４５６７８９，．＄")
# (thousands-grouped whole part, decimal mark) of each style; the currency and sign are drawn apart.
_STYLES = {
    "us": (lambda w: _grouped(w, ","), "."), "european": (lambda w: _grouped(w, "."), ","),
    "swiss": (lambda w: _grouped(w, "'"), "."), "spaced": (lambda w: _grouped(w, " "), ","),
    "french": (lambda w: _grouped(w, "\u202f"), ","), "indian": (_indian, "."), "plain": (str, "."),
    "plain_comma": (str, ","), "full_width": (lambda w: _grouped(w, ","), "."),
}
_CURRENCIES = ["", "$", "€", "£", "¥", "₹", "USD ", "EUR ", "CHF ", " €", " EUR", " kr", "US$"]


@st.composite
def amount_columns(draw):
    """A column of amounts in one style, as (cells, values, decimal mark): 0 to 1e9, 0–4 decimals each."""
    style = draw(st.sampled_from(sorted(_STYLES)))
    group, mark = _STYLES[style]
    currency = draw(st.sampled_from(_CURRENCIES))
    negatives = draw(st.sampled_from(["accounting", "minus", "trailing"]))
    cells, values = [], []
    for _ in range(draw(st.integers(1, 8))):
        decimals = draw(st.integers(0, 4))
        units = draw(st.integers(0, 10 ** (9 + decimals)))
        whole, fraction = divmod(units, 10 ** decimals)
        number = group(whole) + (mark + str(fraction).zfill(decimals) if decimals else "")
        if style == "full_width":
            number = number.translate(_FULL_WIDTH)
        cell = f"{currency}{number}" if not currency.startswith(" ") else f"{number}{currency}"
        value = units / 10 ** decimals
        if draw(st.booleans()) and units:
            cell = {"accounting": f"({cell})", "minus": f"-{cell}", "trailing": f"{cell}-"}[negatives]
            value = -value
        cells.append(cell)
        values.append(value)
    return cells, values, mark


@PROPERTIES
@given(amount_columns())
def test_amounts_in_every_style_read_back_equal(column):
    cells, expected, mark = column
    values, bad = parse_amounts(pd.Series(cells))
    example = ambiguous_amount(pd.Series(cells))
    if example is not None:
        # No value shows the decimal mark (each separator is followed by three digits): the column is read in
        # thousands, and the caller is told the value that rests on; the mark, once given, reads it as written.
        assert values[cells.index(example[0])] == pytest.approx(example[1])
        values, bad = parse_amounts(pd.Series(cells), decimal=mark)
    assert not bad.any(), cells
    assert values.tolist() == pytest.approx(expected, abs=0.005), cells


_DATE_STYLES = {  # strftime format, whether day-first, precision written
    "iso_z": ("%Y-%m-%dT%H:%M:%SZ", None, "s"), "iso_space": ("%Y-%m-%d %H:%M", None, "min"),
    "iso_date": ("%Y-%m-%d", None, "D"), "us_12h": ("%m/%d/%Y %I:%M %p", False, "min"),
    "us_seconds": ("%m/%d/%Y %H:%M:%S", False, "s"), "eu_dash": ("%d-%m-%Y %H:%M", True, "min"),
    "eu_slash": ("%d/%m/%Y", True, "D"), "dotted": ("%d.%m.%Y %H:%M", True, "min"),
    "year_slash": ("%Y/%m/%d %H:%M:%S", None, "s"), "chinese": ("%Y年%m月%d日 %H:%M", None, "min"),
    "zoho": ("%d %b, %Y %H:%M:%S", None, "s"), "zoho_us": ("%b %d, %Y %I:%M %p", None, "min"),
    "long": ("%B %d, %Y", None, "D"), "excel": ("%d-%b-%Y", None, "D"),
    "full_width": ("%Y-%m-%d %H:%M", None, "min"),
}
_MOMENTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2035, 12, 31))


@PROPERTIES
@given(st.sampled_from(sorted(_DATE_STYLES)), st.lists(_MOMENTS, min_size=1, max_size=12),
       st.integers(-12, 14))
def test_timestamps_in_every_style_read_back_equal(style, moments, offset_hours):
    fmt, dayfirst, precision = _DATE_STYLES[style]
    cells = [m.strftime(fmt) for m in moments]
    if style == "full_width":
        cells = [c.translate(str.maketrans("0123456789-: ", "０１２３４５６７８９－：\u3000")) for c in cells]
    expected = [pd.Timestamp(m).floor(precision) for m in moments]
    if style == "iso_z" and offset_hours:  # written in local time with its offset, read back in UTC
        zone = timezone(timedelta(hours=offset_hours))
        cells = [(m.replace(tzinfo=UTC).astimezone(zone)).isoformat(timespec="seconds") for m in moments]
    order = date_order(pd.Series(cells))
    assert order in (None, {True: "day", False: "month", None: None}[dayfirst]), cells  # never the wrong order
    # A column no value decides is read as the caller says (it asks, or notes the month-first default).
    values, bad = parse_dates(pd.Series(cells), dayfirst=dayfirst if order is None else None)
    assert not bad.any(), cells
    assert [pd.Timestamp(v) for v in values] == expected, cells


@PROPERTIES
@given(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 12), st.integers(1990, 2035)), min_size=1, max_size=10),
       st.sampled_from(["/", "-"]), st.booleans())
def test_an_ambiguous_column_is_never_read_day_first_silently(days, separator, timed):
    cells = [f"{d:02d}{separator}{m:02d}{separator}{y}" + (" 10:30" if timed else "") for d, m, y in days]
    assert date_order(pd.Series(cells)) is None  # undecided, so the caller can note it or refuse
    values, bad = parse_dates(pd.Series(cells))
    day_first = [pd.Timestamp(y, m, d) for d, m, y in days]
    month_first = [pd.Timestamp(y, d, m) for d, m, y in days]
    read = [v.normalize() for v in values]
    assert not bad.any() and read == month_first
    if read != day_first:  # it matters: an example with both readings is there for the message
        example = ambiguous_example(pd.Series(cells))
        assert example is not None and example[1] != example[2]
        assert example[1].normalize() in month_first and example[2].normalize() in day_first
