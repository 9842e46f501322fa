"""Dates and amounts as CRMs and spreadsheets write them, read into numbers: US, European, ISO and Chinese
dates; money with currency symbols, thousands separators, either decimal mark and accounting negatives. What
cannot be read is reported, never guessed."""

from __future__ import annotations

import math
import re

import pandas as pd

# Day and month are swapped between these; which one a file uses is chosen from its own dates.
MONTH_FIRST, DAY_FIRST = "%m/%d/%Y", "%d/%m/%Y"
DATE_FORMATS = ("ISO8601", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
                "{md} %I:%M:%S %p", "{md} %I:%M %p", "{md} %H:%M:%S", "{md} %H:%M", "{md}",
                "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日",
                "%b %d, %Y %I:%M %p", "%b %d, %Y", "%B %d, %Y")


def parse_dates(text: pd.Series, dayfirst: bool = False) -> tuple[pd.Series, pd.Series]:
    """Dates in any of DATE_FORMATS (ISO with or without time zone, US, European, Chinese, 'Mar 1, 2025'),
    with 01/02/2025 read day-first or month-first as told. Times with a UTC offset are converted to UTC.
    Returns the values and a mask of the filled cells no format reads."""
    filled = text.notna() & (text != "")
    values = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s, UTC]")
    for fmt in DATE_FORMATS:
        todo = filled & values.isna()
        if not todo.any():
            break
        fmt = fmt.format(md=DAY_FIRST if dayfirst else MONTH_FIRST)
        values = values.fillna(pd.to_datetime(text[todo], format=fmt, errors="coerce", utc=True))
    values = values.dt.tz_convert(None).astype("datetime64[s]")
    return values, filled & values.isna()


_CURRENCY = r"(?:[A-Z]{3}|[A-Z]{0,2}[$€£¥₹₩₽₺₪₫฿₱₦]|元|円|kr)"  # a symbol (US$, R$) or an ISO code (EUR)
_AMOUNT = re.compile(rf"(?P<open>\()?\s*(?P<sign>[-+−])?\s*(?:{_CURRENCY}\s*)?(?P<sign2>[-+−])?\s*"
                     r"(?P<number>\d+(?:[\s.,'’]\d+)*)"
                     rf"\s*(?:{_CURRENCY})?\s*(?P<trailing>-)?\s*(?P<close>\))?")


def _split_amount(cell: str) -> tuple[bool, list[str], str] | None:
    """Whether it is negative, its groups of digits and the separators between them; None if it is not a plain
    amount (words such as 'Mio', exponents, letters)."""
    match = _AMOUNT.fullmatch(cell)
    if match is None or bool(match["open"]) != bool(match["close"]):
        return None
    negative = bool(match["open"] or match["trailing"]) or bool({match["sign"], match["sign2"]} & {"-", "−"})
    return negative, re.split(r"\D", match["number"]), re.sub(r"\d", "", match["number"])


def _decimal_mark(groups: list[str], separators: str) -> tuple[str | None, bool]:
    """(mark, True) for a decimal mark the number shows (1.234,50 12,5); (mark, False) for a separator that
    can only be a thousands separator (1,234 or 1.234.567: groups of three, in US and European writing)."""
    marks = [s for s in separators if s in ".,"]
    if not marks:
        return None, False
    single = len(marks) == 1 and (len(groups[-1]) != 3 or groups[0] == "0")
    return marks[-1], len(set(marks)) == 2 or single


def _amount_value(groups: list[str], separators: str, decimal: str | None) -> float:
    """The number the groups of digits write with ``decimal`` as the decimal mark (None: a whole number);
    NaN when the other separators are not one consistent thousands separator between groups of three."""
    whole, fraction, thousands = groups, "0", separators
    if decimal and separators.endswith(decimal):
        whole, fraction, thousands = groups[:-1], groups[-1], separators[:-1]
    if (decimal and decimal in thousands) or len(set(thousands)) > 1 or any(len(g) != 3 for g in whole[1:]):
        return math.nan
    return float("".join(whole) + "." + fraction)


def parse_amounts(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Money as numbers: currency symbols and codes dropped, accounting negatives (1,234) and trailing minus
    read as negative. The decimal mark is decided for the whole column, from the values that show it
    (1,234.50 or 12,5); a value that contradicts it, is ambiguous under it (1,234 where ',' is the decimal
    mark), or is not a plain amount (1e3, 2,5 Mio) is unreadable. Returns values and a mask of unreadable cells."""
    filled = text.notna() & (text != "")
    counts = text[filled].value_counts()  # each distinct value read once: amounts, scores and sizes repeat
    cells = {cell: _split_amount(cell) for cell in counts.index}
    marks = {cell: _decimal_mark(*parts[1:]) if parts else (None, False) for cell, parts in cells.items()}
    shown = pd.Series({cell: mark for cell, (mark, sure) in marks.items() if sure}, dtype=object)
    column = counts[shown.index].groupby(shown).sum().idxmax() if len(shown) else None

    def one(cell: str) -> float:
        parts, (mark, sure) = cells[cell], marks[cell]
        if parts is None or (column and mark and (mark != column if sure else mark == column)):
            return math.nan
        value = _amount_value(parts[1], parts[2], mark if sure else None)
        return -value if parts[0] else value

    values = text.map({cell: one(cell) for cell in counts.index}).astype(float)
    return values, filled & values.isna()

