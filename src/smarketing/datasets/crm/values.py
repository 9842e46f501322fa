"""Dates and amounts as CRMs and spreadsheets write them, read into numbers: ISO, US, European, Chinese and
month-name dates (Zoho's '15 Apr, 2021 00:03:00'), money with currency symbols, thousands separators (Western,
Swiss, spaced, Indian), either decimal mark and accounting negatives. Full-width forms (￥１２，５００．００) are
read after Unicode NFKC normalisation.

Every decision is taken per column, from all its values: which of '.' and ',' is the decimal mark, whether
01/02/2025 is day-first or month-first. What cannot be read, or reads two ways the column cannot settle, is
reported, never guessed: each parser returns its values and a mask of the filled cells it could not read.
Missing markers ('', 'N/A', 'NA', '-', '—', '--') are missing values, not unreadable ones."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# What exports and spreadsheets write for "no value": read as missing, never as unreadable.
MISSING = frozenset({"", "n/a", "na", "#n/a", "-", "--", "—", "–", "none", "null"})


def _arrow(text: pd.Series) -> pa.StringArray:
    """The column as an Arrow string array (nulls for missing cells), for pyarrow's vectorised kernels."""
    try:
        array = pa.array(text, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers among the text, as a spreadsheet may leave them
        array = pa.array([None if pd.isna(cell) else str(cell) for cell in text], type=pa.string())
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _normalised(text: pd.Series) -> pa.StringArray:
    """The column's cells normalised for parsing: NFKC (full-width digits, colons and spaces become ASCII, ￥ and
    ＄ become ¥ and $), runs of white space one space, trimmed; a missing marker ('N/A', '-') becomes null."""
    cells = _arrow(text)
    foreign = pc.invert(pc.fill_null(pc.string_is_ascii(cells), True))
    if pc.any(foreign).as_py():
        # NFKC in Python is slow, so only the distinct cells that need it go through it. Chinese dates write the
        # time straight after 日 (2025年3月1日14:30): a space lets one grammar read both.
        encoded = pc.dictionary_encode(cells.filter(foreign))
        normal = pa.array([re.sub(r"日(?=\d)", "日 ", unicodedata.normalize("NFKC", cell))
                           for cell in encoded.dictionary.to_pylist()], type=pa.string())
        cells = pc.replace_with_mask(cells, foreign, pc.take(normal, encoded.indices))
    # Other white space is ASCII by now (NFKC makes no-break and ideographic spaces plain ones).
    if pc.any(pc.match_substring_regex(cells, "[\t\n\r\x0b\x0c]|  |^ | $")).as_py():
        cells = pc.utf8_trim_whitespace(pc.replace_substring_regex(cells, r"\s+", " "))
    short = pc.fill_null(pc.less_equal(pc.binary_length(cells), max(len(m.encode()) for m in MISSING)), False)
    if pc.any(short).as_py():
        missing = pc.and_(short, pc.is_in(pc.utf8_lower(cells), value_set=pa.array(sorted(MISSING))))
        cells = pc.if_else(missing, pa.scalar(None, pa.string()), cells)
    return cells


def _codes(array: pa.Array) -> tuple[np.ndarray, pa.StringArray]:
    """The position of each cell in the distinct values (-1 for null), and the distinct values."""
    encoded = pc.dictionary_encode(array)
    return np.asarray(pc.fill_null(encoded.indices, -1), dtype=np.int64), encoded.dictionary


def _matches(array: pa.Array, pattern: str) -> np.ndarray:
    """Whether each string matches ``pattern`` as a whole (False for nulls)."""
    if len(array) <= 64:  # a few distinct dates: Python's regex answers before pyarrow's kernel has started
        compiled = _compiled(pattern)
        return np.array([cell is not None and compiled.fullmatch(cell) is not None for cell in array.to_pylist()],
                        dtype=bool)
    found = pc.match_substring_regex(array, f"^(?:{pattern})$")
    return np.asarray(pc.fill_null(found, False), dtype=bool)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)  # \d as in pyarrow's RE2: ASCII digits only


# ---- dates ----------------------------------------------------------------------------------------------

Order = Literal["day", "month", "both"]

# ISO 8601 as pandas reads it: 2025-03-01, 2025-03-01 09:30, 2025-03-01T09:30:00.000Z, …+01:00.
_ISO = r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?"
# A time of day, 24-hour or 12-hour (9:30 AM, 9:30am, 9:30 p.m.), with or without seconds.
_TIME = r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d{1,9})?)?(?: ?(?P<half>[AaPp])\.?[Mm]\.?)?$"
# The numeric dates whose day and month may be either way round: 06/08/2020, 06-08-2020, 06.08.2020.
_NUMERIC = r"^(?P<first>\d{1,2})[/.-](?P<second>\d{1,2})[/.-]\d{4}$"
_MONTH_NAME, _FULL_MONTH = r"[A-Za-z]{3}", r"[A-Za-z]{4,9}"


def _date_formats(order: dict[str, bool]) -> list[tuple[str, str]]:
    """(pattern, strptime format) of each date the parser reads, without its time of day; ``order`` tells, per
    separator of numeric dates, whether the day comes first. The patterns do not overlap."""
    formats = []
    for sep in "/.-":
        esc = re.escape(sep)
        formats.append((rf"\d{{4}}{esc}\d{{1,2}}{esc}\d{{1,2}}", f"%Y{sep}%m{sep}%d"))
        day_month = f"%d{sep}%m" if order[sep] else f"%m{sep}%d"
        formats.append((rf"\d{{1,2}}{esc}\d{{1,2}}{esc}\d{{4}}", f"{day_month}{sep}%Y"))
    formats.append((r"\d{4}年\d{1,2}月\d{1,2}日", "%Y年%m月%d日"))
    for name, code in ((_MONTH_NAME, "%b"), (_FULL_MONTH, "%B")):
        formats += [(rf"{name} \d{{1,2}}, \d{{4}}", f"{code} %d, %Y"),   # Apr 15, 2021 (Zoho, Salesforce US)
                    (rf"{name} \d{{1,2}} \d{{4}}", f"{code} %d %Y"),
                    (rf"\d{{1,2}} {name}, \d{{4}}", f"%d {code}, %Y"),  # 15 Apr, 2021 (Zoho)
                    (rf"\d{{1,2}} {name} \d{{4}}", f"%d {code} %Y"),
                    (rf"\d{{1,2}}-{name}-\d{{4}}", f"%d-{code}-%Y")]     # 15-Apr-2021 (Excel)
    return formats


@dataclass
class _DateParts:
    """A date column split, row by row, into ISO timestamps and, for the other cells, a date and a time of day
    (each few distinct, however many rows: they are parsed once each)."""

    normal: pa.StringArray  # the normalised cells; null where missing
    iso: np.ndarray  # per row: an ISO 8601 timestamp
    date_codes: np.ndarray  # per row: its date part's position in ``dates`` (-1: ISO or missing)
    dates: pa.StringArray  # the distinct date parts
    seconds: np.ndarray  # per row: its time of day in seconds (0 without one; NaN where impossible)


def _split_at_time(cells: pa.StringArray) -> tuple[pa.Array, pa.Array]:
    """Each cell's date (the words before the first one with a colon) and its time of day (that word and the
    ones after: '12:03 AM'); the time is empty where there is none. Vectorised on the words, without a regex
    that captures (pyarrow's capturing regexes are ten times slower)."""
    words = pc.split_pattern(cells, " ")
    flat = pc.list_flatten(words)
    parents = np.asarray(pc.list_parent_indices(words), dtype=np.int64)
    starts = np.asarray(words.offsets, dtype=np.int64)
    counts = np.diff(starts)
    position = np.arange(len(flat)) - starts[parents]
    timed = np.asarray(pc.fill_null(pc.greater_equal(pc.find_substring(flat, ":"), 0), False), dtype=bool)
    first_time = counts.copy()
    np.minimum.at(first_time, parents[timed], position[timed])
    in_date = position < first_time[parents]

    def joined(keep: np.ndarray) -> pa.Array:
        kept = np.bincount(parents[keep], minlength=len(counts))
        offsets = pa.array(np.concatenate([[0], np.cumsum(kept)]).astype(np.int32))
        return pc.binary_join(pa.ListArray.from_arrays(offsets, flat.filter(pa.array(keep))), " ")

    null = pa.scalar(None, pa.string())
    return pc.if_else(pc.is_valid(cells), joined(in_date), null), pc.if_else(pc.is_valid(cells), joined(~in_date), null)


def _seconds(times: pa.StringArray) -> np.ndarray:
    """Seconds since midnight of each distinct time of day; 0 where none is written, NaN where it is impossible
    (25:00, 13:00 PM, 0:30 AM) or not a time."""
    parts = pc.extract_regex(times, _TIME)

    def number(name: str) -> np.ndarray:
        field = pc.struct_field(parts, name)
        field = pc.if_else(pc.equal(field, ""), pa.scalar(None, pa.string()), field)
        return np.asarray(pc.cast(field, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)

    hour, minute, second = number("hour"), number("minute"), np.nan_to_num(number("second"), nan=0.0)
    half = np.asarray(pc.utf8_lower(pc.struct_field(parts, "half")).to_numpy(zero_copy_only=False), dtype=object)
    twelve = (half == "a") | (half == "p")
    valid = (minute < 60) & (second < 60) & np.where(twelve, (hour >= 1) & (hour <= 12), hour < 24)
    hour = np.where(twelve, hour % 12 + np.where(half == "p", 12, 0), hour)
    seconds = np.where(valid, hour * 3600 + minute * 60 + second, np.nan)
    return np.where(np.asarray(pc.equal(times, ""), dtype=bool), 0.0, seconds)


def _split_dates(text: pd.Series) -> _DateParts:
    normal = _normalised(text)
    iso = _matches(normal, _ISO)
    others = pc.if_else(pa.array(iso), pa.scalar(None, pa.string()), normal)
    dates, times = _split_at_time(others)
    date_codes, distinct_dates = _codes(dates)
    time_codes, distinct_times = _codes(times)
    seconds = np.zeros(len(normal)) if not len(distinct_times) else _seconds(distinct_times)[np.maximum(time_codes, 0)]
    return _DateParts(normal, iso, date_codes, distinct_dates, np.where(time_codes < 0, 0.0, seconds))


def _numeric_days(parts: _DateParts) -> pd.DataFrame:
    """For each distinct numeric date part (06/08/2020), its first and second number, indexed by its position
    in ``parts.dates``."""
    found = pc.extract_regex(parts.dates, _NUMERIC)
    matched = np.asarray(pc.is_valid(found), dtype=bool)
    frame = pd.DataFrame({name: pc.struct_field(found, name).to_numpy(zero_copy_only=False)
                          for name in ("first", "second")})[matched]
    return frame.astype(int)


def _order_of(numeric: pd.DataFrame) -> Order | None:
    day = bool(((numeric["first"] > 12) & (numeric["second"] <= 12)).any())
    month = bool(((numeric["second"] > 12) & (numeric["first"] <= 12)).any())
    return "both" if day and month else "day" if day else "month" if month else None


def date_order(text: pd.Series) -> Order | None:
    """Whether the column's numeric dates (06/08/2020, 06-08-2020, 06.08.2020, all separators alike) write the
    day first ("day": some first number is over 12), the month first ("month": some second number is over 12),
    both ("both": the values contradict each other) or None when no value tells (every number is 12 or less,
    or there are no such dates: ISO, year-first, Chinese and month-name dates decide themselves)."""
    return _order_of(_numeric_days(_split_dates(text)))


def ambiguous_example(text: pd.Series) -> tuple[str, pd.Timestamp, pd.Timestamp] | None:
    """One value of the column that reads two ways ('06/08/2020'), as written, with its month-first and its
    day-first reading (8 June, 6 August), for a message that shows both; None if every value reads one way."""
    parts = _split_dates(text)
    numeric = _numeric_days(parts)
    undecided = numeric[(numeric["first"] <= 12) & (numeric["second"] <= 12) & (numeric["first"] != numeric["second"])]
    if undecided.empty:
        return None
    cell = str(text.iloc[int(np.flatnonzero(parts.date_codes == undecided.index[0])[0])])
    readings = [parse_dates(pd.Series([cell]), dayfirst=dayfirst)[0].iloc[0] for dayfirst in (False, True)]
    return cell, readings[0], readings[1]


def _orders(parts: _DateParts, dayfirst: bool | None) -> dict[str, bool]:
    """Whether the day comes first, per separator of numeric dates. Forced by ``dayfirst``; otherwise decided
    by the column's values, and when they do not tell, month-first for slashes and dashes (as HubSpot and
    Salesforce write them in the US) and day-first for dots (no locale writes dotted dates month-first)."""
    if dayfirst is not None:
        return dict.fromkeys("/-.", dayfirst)
    order = _order_of(_numeric_days(parts))
    if order in ("day", "month"):
        return dict.fromkeys("/-.", order == "day")
    # Contradicting values ("both") are read month-first: the day-first ones then cannot be read and are reported.
    return {"/": False, "-": False, ".": order is None}


def parse_dates(text: pd.Series, dayfirst: bool | None = None) -> tuple[pd.Series, pd.Series]:
    """Dates as CRMs write them: ISO 8601 (with T, Z, a UTC offset or fractional seconds), 2025/03/01,
    03/01/2025, 01-03-2025, 01.03.2025, 2025年3月1日, 'Mar 1, 2025', '15 Apr, 2021', '15-Apr-2021', each with
    or without a time of day (24-hour or AM/PM, with or without seconds). Whether 01/02/2025 is day-first is
    forced by ``dayfirst`` or, when None, decided from the column's values (see ``date_order``; undecided:
    month-first, but day-first for dotted dates). Times with a UTC offset are converted to UTC; the values are
    naive, to the second. Returns the values and a mask of the filled cells that cannot be read.

    Vectorised: ISO timestamps go through pandas' ISO parser at once; the other cells are split into a date and
    a time of day, each distinct one parsed once, with one explicit format per shape."""
    parts = _split_dates(text)
    values = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[s]")
    if parts.iso.any():
        iso = pd.to_datetime(parts.normal.filter(pa.array(parts.iso)).to_numpy(zero_copy_only=False),
                             format="ISO8601", errors="coerce", utc=True)
        values[parts.iso] = iso.tz_convert(None).to_numpy().astype("datetime64[s]")
    days = np.full(len(parts.dates), np.datetime64("NaT"), dtype="datetime64[s]")
    todo = np.ones(len(parts.dates), dtype=bool)
    for pattern, fmt in _date_formats(_orders(parts, dayfirst)):
        if not todo.any():
            break
        shaped = todo & _matches(parts.dates, pattern)
        if shaped.any():
            read = pd.to_datetime(parts.dates.filter(pa.array(shaped)).to_numpy(zero_copy_only=False), format=fmt,
                                  errors="coerce")
            days[shaped] = read.to_numpy().astype("datetime64[s]")
            todo &= ~shaped  # the shapes do not overlap: a cell of this shape that did not read is unreadable
    dated = parts.date_codes >= 0
    seconds = parts.seconds[dated]
    moments = days[parts.date_codes[dated]] + np.nan_to_num(seconds).astype("timedelta64[s]")
    moments[np.isnan(seconds)] = np.datetime64("NaT")
    values[dated] = moments
    result = pd.Series(values, index=text.index, dtype="datetime64[s]")
    filled = pd.Series(np.asarray(pc.is_valid(parts.normal), dtype=bool), index=text.index)
    return result, filled & result.isna()


def has_time(text: pd.Series) -> bool:
    """Whether the column's values carry a time of day, so that it can be compared with another to the second;
    a date-only column (Salesforce's Converted Date) is compared at day precision. Times that are all midnight,
    as a spreadsheet adds to dates ('3/1/2025 0:00'), count as none."""
    values, _bad = parse_dates(text)
    values = values.dropna()
    return bool((values != values.dt.normalize()).any())


# ---- money ------------------------------------------------------------------------------------------------

# A symbol (US$, R$, ￥ as ¥ after NFKC) or an ISO code (EUR), before or after the number.
_CURRENCY = r"(?:[A-Z]{3}|[A-Z]{0,2}[$€£¥₹₩₽₺₪₫฿₱₦]|Rs\.?|元|円|kr)"
_AMOUNT = re.compile(rf"(?P<open>\()?\s*(?P<sign>[-+−])?\s*(?:{_CURRENCY}\s*)?(?P<sign2>[-+−])?\s*"
                     r"(?P<number>[0-9]+(?:[ .,'’][0-9]+)*)"
                     rf"\s*(?:{_CURRENCY})?\s*(?P<trailing>-)?\s*(?P<close>\))?")
_THOUSANDS = {".": ",'’ ", ",": ".'’ "}  # the thousands separators each decimal mark allows


def _grouped(groups: list[str], separators: str) -> bool:
    """Whether whole-number ``groups`` are written with one thousands separator: 1–3 digits, then groups of
    three (1,234,567), or Indian grouping with ',' (12,34,567: 1–2 digits, groups of two, then three)."""
    if len(groups) == 1:
        return True
    if len(set(separators)) != 1 or groups[0].startswith("0"):
        return False
    western = len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    indian = (separators[0] == "," and len(groups) >= 3 and len(groups[0]) <= 2 and len(groups[-1]) == 3
              and all(len(g) == 2 for g in groups[1:-1]))
    return western or indian


def _reading(groups: list[str], separators: str, mark: str) -> float | None:
    """The number the digits write with ``mark`` as the decimal mark; None if they cannot be written so."""
    whole, fraction, thousands = groups, "0", separators
    if separators.endswith(mark):
        whole, fraction, thousands = groups[:-1], groups[-1], separators[:-1]
    if any(s not in _THOUSANDS[mark] for s in thousands) or not _grouped(whole, thousands):
        return None
    return float("".join(whole) + "." + fraction)


def _readings(cell: str) -> tuple[float | None, float | None] | None:
    """The value of an amount with '.' and with ',' as the decimal mark (None where it cannot be); None if the
    cell is not a plain amount (words such as 'Mio', exponents, unbalanced brackets)."""
    match = _AMOUNT.fullmatch(cell)
    if match is None or bool(match["open"]) != bool(match["close"]):
        return None
    negative = bool(match["open"] or match["trailing"]) or bool({match["sign"], match["sign2"]} & {"-", "−"})
    groups, separators = re.split(r"[^0-9]", match["number"]), re.sub(r"[0-9]", "", match["number"])
    sign = -1.0 if negative else 1.0
    dot, comma = (_reading(groups, separators, mark) for mark in ".,")
    return (None if dot is None else sign * dot), (None if comma is None else sign * comma)


def _decimal_mark(readings: dict[str, tuple[float | None, float | None]], counts: pd.Series) -> tuple[str | None, set[str]]:
    """The column's decimal mark and the cells that contradict it.

    A cell that reads only with '.' as the decimal mark (12.5, 9225.225, 1,234.56, 1,00,000) shows '.'; one
    that reads only with ',' shows ','. The mark more cells show wins; the cells that show the other are
    contradictions; on a tie every cell that shows either, or reads two ways, is one. When no cell shows a mark,
    a separator followed by three digits (1,234 or 1.234) is a thousands separator, as US and European writing
    read it, provided the column uses one such separator: '1,234' beside '5.678' contradict each other.
    None when every cell reads the same either way (plain 12500, 1 234)."""
    shown = {cell: "." if comma is None else "," for cell, (dot, comma) in readings.items()
             if (dot is None) != (comma is None)}
    votes = counts[list(shown)].groupby(pd.Series(shown)).sum() if shown else pd.Series(dtype=int)
    two_ways = {cell for cell, (dot, comma) in readings.items()
                if dot is not None and comma is not None and dot != comma}
    if len(votes) == 2 and votes["."] == votes[","]:
        return None, set(shown) | two_ways
    if len(votes):
        mark = str(votes.idxmax())
        return mark, {cell for cell, m in shown.items() if m != mark}
    # No cell shows the mark: the ambiguous separator of each two-way cell is a thousands separator.
    separators = {re.sub(r"[^.,]", "", cell)[-1] for cell in two_ways}
    if len(separators) > 1:
        return None, two_ways
    return ({",": ".", ".": ","}[separators.pop()] if separators else None), set()


def parse_amounts(text: pd.Series, decimal: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Money as numbers: currency symbols and codes dropped (before or after), accounting negatives ($1,234)
    and a trailing minus read as negative, full-width forms read (￥１２，５００). The decimal mark is decided
    for the whole column from all its values (see ``_decimal_mark``), or forced with ``decimal`` ('.' or ','):
    a thousands separator groups every group after the first in three digits, the first in one to three
    (Indian: 12,34,567). 'N/A', '-', '—' and empty cells are missing, not unreadable. Returns the values and a
    mask of the filled cells that cannot be read: not a plain amount (1e3, 2,5 Mio), or contradicting the
    column's decimal mark."""
    codes, distinct = _codes(_normalised(text))
    cells = distinct.to_pylist()  # each distinct amount read once: amounts, scores and sizes repeat
    readings = {cell: r for cell in cells if (r := _readings(cell)) is not None}
    rows = pd.Series(np.bincount(codes[codes >= 0], minlength=len(cells)), index=cells)
    mark, contradicting = (decimal, set()) if decimal else _decimal_mark(readings, rows)

    def value(cell: str) -> float:
        if cell not in readings or cell in contradicting:
            return math.nan
        dot, comma = readings[cell]
        chosen = dot if mark == "." else comma if mark == "," else dot if dot is not None else comma
        return math.nan if chosen is None else chosen

    values = np.array([value(cell) for cell in cells] + [math.nan], dtype=float)
    result = pd.Series(values[codes], index=text.index, dtype=float)  # code -1 (missing) takes the last: NaN
    return result, pd.Series(codes >= 0, index=text.index) & result.isna()


def ambiguous_amount(text: pd.Series) -> tuple[str, float, float] | None:
    """A value of the column whose reading rests on the thousands-separator assumption ('1,234' where no value
    shows the decimal mark), as written, with its reading as a whole number and as a decimal, for a note; None
    if every value reads one way, or another value decides."""
    codes, distinct = _codes(_normalised(text))
    readings = {cell: r for cell in distinct.to_pylist() if (r := _readings(cell)) is not None}
    if any((dot is None) != (comma is None) for dot, comma in readings.values()):
        return None
    for position, (cell, (dot, comma)) in enumerate(readings.items()):
        if dot is not None and comma is not None and dot != comma:
            whole, fraction = (dot, comma) if re.sub(r"[^.,]", "", cell)[-1] == "," else (comma, dot)
            row = int(np.flatnonzero(codes == distinct.to_pylist().index(cell))[0])
            return str(text.iloc[row]), whole, fraction
    return None
