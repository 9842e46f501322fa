"""Whether an export writes 01/02/2025 day first or month first: decided per file from its date columns, shared by
the files of one export, refused when a file mixes both, and noted with both readings when nothing tells."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from smarketing.datasets.crm.read import Export
from smarketing.datasets.crm.values import ambiguous_example, parse_dates
from smarketing.messages import _, date_text
from smarketing.schema import Problem

DATE_FIELDS = ("created_at", "mql_at", "sal_at", "sql_at", "closed_at")

_NUMERIC_DATE = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{4}\b"  # 06/08/2020, 06-08-2020, 06.08.2020


def _order_evidence(export: Export) -> tuple[tuple[str, str, int] | None, tuple[str, str, int] | None,
                                             tuple[str, pd.Timestamp, pd.Timestamp] | None]:
    """A day-first date of the file (13/01/2025) and a month-first one (01/13/2025), each as (column, value,
    line), and a date that reads both ways with its two readings (06/08/2020: 8 June or 6 August)."""
    day = month = undecided = None
    for name in DATE_FIELDS:
        if name not in export.columns:
            continue
        text = export.frame[export.columns[name]]
        # The date part of each distinct value (a few hundred days, not 500,000 timestamps) tells the order.
        heads = text.str.slice(0, 10).drop_duplicates()
        parts = heads.str.extract(_NUMERIC_DATE).astype(float)

        def first(mask: pd.Series, name: str = name, text: pd.Series = text,
                  heads: pd.Series = heads) -> tuple[str, str, int]:
            head = heads[mask].iloc[0]
            row = int(np.flatnonzero(text.str.startswith(head).to_numpy(dtype=bool, na_value=False))[0])
            return export.columns[name], text.iloc[row], int(export.lines[row])

        if day is None and (parts[0] > 12).any():
            day = first(parts[0] > 12)
        if month is None and (parts[1] > 12).any():
            month = first(parts[1] > 12)
        undecided = undecided or ambiguous_example(heads[parts[0].notna()])
    return day, month, undecided


def date_orders(exports: Sequence[Export], dayfirst: bool | None, problems: list[Problem]) -> list[str]:
    """Decide, per file, whether 01/02/2025 is 1 February or 2 January, and set ``Export.dayfirst`` (None:
    as :func:`.values.parse_dates` reads an undecided column); return notes on what was assumed, with both
    readings of an example. ``dayfirst`` (--dayfirst, --monthfirst) decides for all files."""
    if dayfirst is not None:
        for export in exports:
            export.dayfirst = dayfirst
        return []
    evidence = {export.path: _order_evidence(export) for export in exports}
    for export in exports:
        day, month, _undecided = evidence[export.path]
        if day and month:
            problems.append(Problem(export.path.name, "", (day[2], month[2]), _(
                "this file mixes day-first dates ('{day}' in '{day_column}') and month-first dates ('{month}' in "
                "'{month_column}'). Export every date in one format, or import with --dayfirst or --monthfirst: "
                "the dates that do not fit are then listed.", day=day[1], day_column=day[0], month=month[1],
                month_column=month[0])))
    # Files of one export share the CRM user's date setting: one that shows its order tells it for the others.
    shown = {bool(day) for day, month, _undecided in evidence.values() if bool(day) != bool(month)}
    assumed = shown.pop() if len(shown) == 1 else None
    notes = []
    for export in exports:
        day, month, undecided = evidence[export.path]
        export.dayfirst = bool(day) if bool(day) != bool(month) else assumed
        if undecided and not (day or month or shown):
            cell, month_first, day_first = undecided
            read = parse_dates(pd.Series([cell]))[0].iloc[0]
            notes.append(_("{file}: no date shows whether the day or the month comes first: '{example}' is {month} "
                           "read month-first (as HubSpot and Salesforce write dates in the US) and {day} read "
                           "day-first. They were read {chosen}; if that is wrong, import again with {option}.",
                           file=export.path.name, example=cell, month=date_text(month_first, padded=True),
                           day=date_text(day_first, padded=True),
                           chosen=_("day-first") if read == day_first else _("month-first"),
                           option="--monthfirst" if read == day_first else "--dayfirst"))
    return notes
