"""Bring your own CRM export: read a HubSpot or Salesforce export (CSV or Excel), map it onto the
course schema, validate it, and write it as a company folder the notebooks can load.

What an export holds becomes the ``leads`` and ``opportunities`` tables; ``campaigns`` (one per
channel), ``employees`` (the owners) and ``accounts`` (the won deals) are derived from them. What an
export cannot hold (touchpoints, tickets, orders, time sheets, careers, targets) is written as an
empty table and listed in ``company.json`` under ``"missing"``, with the columns that had to be
approximated under ``"approximated"``: the notebooks read both and say so plainly.

A bad file is refused with every problem, its lines and how to fix it; nothing is written until
the whole import is valid, and ``force`` only ever replaces the folder of an earlier import.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from smarketing import datasets, schema
from smarketing.datasets import DataValidationError
from smarketing.messages import _

Problem = schema.Problem

# ---- the mappings ---------------------------------------------------------------------------------------
# Each field lists the column names an export may use for it (first found wins).

HUBSPOT: dict[str, Any] = {
    "name": "hubspot",
    "leads": {
        "lead_id": ["Record ID", "Contact ID"],
        "created_at": ["Create Date", "Create date"],
        "channel": ["Original Source", "Original source"],
        "score": ["HubSpot Score", "Lead Score"],
        "mql_at": ["Became a Marketing Qualified Lead Date", "Date entered \"Marketing Qualified Lead (Lifecycle Stage Pipeline)\""],
        "sal_at": ["First Engagement Date"],  # not "Last Contacted": the latest contact, not the first
        "sql_at": ["Became a Sales Qualified Lead Date", "Date entered \"Sales Qualified Lead (Lifecycle Stage Pipeline)\""],
        "owner": ["Contact owner", "Contact Owner", "HubSpot Owner"],
        "employees": ["Number of Employees", "Number of employees"],
    },
    "deals": {
        "opportunity_id": ["Record ID", "Deal ID"],
        "lead_id": ["Associated Contact IDs", "Associated Contact ID", "Contact ID"],
        "owner": ["Deal owner", "Deal Owner"],
        "created_at": ["Create Date", "Create date"],
        "amount": ["Amount in company currency", "Amount"],  # one currency in multi-currency portals
        "stage": ["Deal Stage", "Deal stage"],
        "closed_at": ["Close Date", "Close date"],
        "loss_reason": ["Closed Lost Reason", "Closed lost reason"],
    },
}

SALESFORCE: dict[str, Any] = {
    "name": "salesforce",
    "leads": {
        "lead_id": ["Lead ID"],
        "created_at": ["Created Date", "Create Date"],
        "channel": ["Lead Source"],
        "score": ["Lead Score", "Rating"],
        "mql_at": ["MQL Date"],
        "sal_at": ["First Response Date", "First Activity Date"],
        "sql_at": ["Converted Date"],
        "owner": ["Lead Owner"],
        "employees": ["No. of Employees", "Employees"],
        "opportunity_ref": ["Converted Opportunity ID"],
    },
    "deals": {
        "opportunity_id": ["Opportunity ID"],
        "lead_id": ["Lead ID", "Converted Lead ID"],
        "owner": ["Opportunity Owner"],
        "created_at": ["Created Date", "Create Date"],
        "amount": ["Amount"],
        "stage": ["Stage"],
        "closed_at": ["Close Date"],
        "loss_reason": ["Loss Reason", "Closed Lost Reason"],
    },
}

MAPPINGS = {"hubspot": HUBSPOT, "salesforce": SALESFORCE}

# Lead sources as HubSpot and Salesforce name them, onto the course channels (case-insensitive).
CHANNELS = {
    "paid search": "paid_search", "organic search": "content", "email marketing": "email", "email": "email",
    "social media": "paid_social", "organic social": "paid_social", "paid social": "paid_social",
    "referrals": "referral", "referral": "referral", "direct traffic": "content", "offline sources": "events",
    "other campaigns": "partner", "ai referrals": "referral",
    "web": "content", "website": "content", "phone inquiry": "referral", "partner referral": "partner",
    "partner": "partner", "purchased list": "email", "trade show": "events", "word of mouth": "referral",
    "employee referral": "referral", "external referral": "referral", "advertisement": "paid_search",
    "seminar - internal": "webinar", "seminar - partner": "webinar", "webinar": "webinar", "other": "content",
    "events": "events", "content": "content",
    # HubSpot's internal values of Original Source, as its API and some exports write them
    "paid_search": "paid_search", "organic_search": "content", "email_marketing": "email",
    "social_media": "paid_social", "paid_social": "paid_social",  # REFERRALS: as its label, above
    "direct_traffic": "content", "offline": "events", "other_campaigns": "partner", "ai_referrals": "referral",
}
# Deal stages of both CRMs (labels and HubSpot's internal names) onto the course's stages.
STAGES = {
    "appointment scheduled": "prospecting", "appointmentscheduled": "prospecting", "prospecting": "prospecting",
    "qualified to buy": "qualification", "qualifiedtobuy": "qualification", "qualification": "qualification",
    "needs analysis": "qualification", "presentation scheduled": "proposal", "presentationscheduled": "proposal",
    "decision maker bought-in": "proposal", "decisionmakerboughtin": "proposal", "value proposition": "proposal",
    "id. decision makers": "proposal", "perception analysis": "proposal", "proposal/price quote": "proposal",
    "contract sent": "negotiation", "contractsent": "negotiation", "negotiation/review": "negotiation",
    "closed won": "closed_won", "closedwon": "closed_won", "closed lost": "closed_lost", "closedlost": "closed_lost",
}
LOSS_REASONS = {"price": "price", "too expensive": "price", "budget": "price", "competitor": "competitor",
                "lost to competitor": "competitor", "no decision": "no_decision", "no response": "no_decision",
                "timing": "timing", "bad timing": "timing", "product fit": "product_fit", "missing feature": "product_fit"}
RATINGS = {"hot": 85, "warm": 55, "cold": 20}
DERIVED_TABLES = ("campaigns", "accounts", "employees")
NOT_IN_A_CRM_EXPORT = ("touchpoints", "support_tickets", "orders", "career_moves", "activities", "targets")

# Day and month are swapped between these; which one a file uses is chosen from its own dates.
MONTH_FIRST, DAY_FIRST = "%m/%d/%Y", "%d/%m/%Y"
DATE_FORMATS = ("ISO8601", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
                "{md} %I:%M:%S %p", "{md} %I:%M %p", "{md} %H:%M:%S", "{md} %H:%M", "{md}",
                "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日",
                "%b %d, %Y %I:%M %p", "%b %d, %Y", "%B %d, %Y")
DATE_FIELDS = ("created_at", "mql_at", "sal_at", "sql_at", "closed_at")
HEADER_SEARCH_ROWS = 10  # report exports put a title and filters above the column names
# The lines a Salesforce report ends with, below the data.
FOOTER = re.compile(r"total|grand totals?\b.*|confidential information\b.*|copyright \(c\).*|generated by\b.*",
                    re.IGNORECASE)


@dataclass
class Export:
    """One file of the export, read as text: its rows, the file's line number of each row, what was
    noticed while reading it, and (once known) which kind it is and which columns it uses."""

    path: Path
    frame: pd.DataFrame
    lines: np.ndarray  # the line (or Excel row) of each row in the file, for problems
    notes: list[str] = field(default_factory=list)
    kind: str = ""  # "leads" or "deals"
    columns: dict[str, str] = field(default_factory=dict)  # course field -> the export's column
    dayfirst: bool = False


# ---- reading files --------------------------------------------------------------------------------------

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# GBK reads an accented letter of Latin-1 text and the letter after it as one ideograph ('Jürgen' -> 'J黵gen'),
# so an ideograph between Latin letters is Latin-1 text; Chinese text writes words of two or more ideographs.
_LATIN_READ_AS_GBK = re.compile(f"(?<=[A-Za-z])[{_CJK}](?=[A-Za-z])")
_CHINESE_WORD = re.compile(f"[{_CJK}]{{2,}}")


def _decode(path: Path, raw: bytes) -> tuple[str | None, Problem | None]:
    unicode = ("utf-16",) if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else ()  # Excel's "Unicode Text"
    for encoding in (*unicode, "utf-8-sig"):
        try:
            return raw.decode(encoding), None
        except UnicodeDecodeError:
            continue
    readings = {}
    for encoding in ("gb18030", "cp1252"):  # Chinese Excel (GBK), European Excel (Windows-1252, Latin-1)
        try:
            readings[encoding] = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    if len(readings) == 2:
        latin = len(_LATIN_READ_AS_GBK.findall(readings["gb18030"]))
        chinese = len(_CHINESE_WORD.findall(readings["gb18030"]))
        readings = {e: t for e, t in readings.items() if latin != chinese and (e == "cp1252") == (latin > chinese)}
    if len(readings) == 1:
        return next(iter(readings.values())), None
    return None, Problem(path.name, "", (), _(
        "the encoding of this file cannot be determined: it is not UTF-8, and it reads clearly neither as GBK/"
        "GB18030 (as Chinese Excel saves CSV) nor as Windows-1252/Latin-1 (as European Excel does). Save it again "
        "as UTF-8: in Excel, Save As > 'CSV UTF-8 (comma delimited)'; in a text editor, choose the encoding UTF-8."))


def _records(path: Path, raw: bytes) -> tuple[list[tuple[int, list[str]]], Problem | None]:
    """Every row of a CSV or Excel file with its line number (a quoted value may span lines)."""
    if zipfile.is_zipfile(path) and path.suffix.lower() not in (".xlsx", ".xlsm"):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        if not any(n.startswith("xl/") for n in names):
            return [], Problem(path.name, "", (), _(
                "this is a .zip archive: unzip it first (HubSpot e-mails exports as .zip) and pass the files "
                "inside ({names}).", names=", ".join(names[:5])))
    if raw[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        try:
            sheet = pd.read_excel(path, header=None, dtype=str, keep_default_na=False)
        except Exception as error:  # noqa: BLE001 - any unreadable workbook gets the same advice
            return [], Problem(path.name, "", (), _(
                "the file cannot be read as an Excel workbook ({detail}). Save it again as .xlsx or as CSV UTF-8.",
                detail=str(error).splitlines()[0][:120]))
        return [(i + 1, list(row)) for i, row in enumerate(sheet.itertuples(index=False, name=None))], None
    if b"\x00" in raw[:4096] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return [], Problem(path.name, "", (), _(
            "this is not a CSV or Excel file (it looks like a binary file). Export the CRM report as CSV or .xlsx."))
    text, problem = _decode(path, raw)
    if problem:
        return [], problem
    sample = [line for line in text.splitlines()[:50] if line.strip()]
    separator = max((",", ";", "\t"), key=lambda s: max((line.count(s) for line in sample), default=0))
    if not any(separator in line for line in sample):
        return [], Problem(path.name, "", (), _(
            "the first lines have no column separators: this is not a CSV export with a header row. Export the "
            "report again as CSV."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    records, line = [], 1
    try:
        for cells in reader:
            records.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        return [], Problem(path.name, "", (line,), _(
            "the file is not a readable CSV ({detail}). Check the quotes on this line.", detail=error))
    return records, None


def read_export(path: str | os.PathLike[str]) -> tuple[Export | None, list[Problem]]:
    """A CSV (UTF-8, UTF-8 with BOM, UTF-16, GBK or Windows-1252; comma, semicolon or tab separated) or Excel
    export, every cell as text, without a report's title rows and footer; or the problems that stop it being
    read."""
    path = Path(path)
    if path.is_dir():
        inside = sorted(p.name for p in path.iterdir() if p.suffix.lower() in (".csv", ".xlsx", ".xls", ".txt"))
        return None, [Problem(path.name, "", (), _(
            "this is a folder, not a file: pass the export files inside it ({files}).",
            files=", ".join(inside) or _("it holds no .csv or .xlsx file")))]
    if not path.is_file():
        return None, [Problem(path.name, "", (), _("no such file: {path}.", path=path))]
    raw = path.read_bytes()
    if not raw.strip():
        return None, [Problem(path.name, "", (), _("the file is empty. Export the report again, with its header row."))]
    records, problem = _records(path, raw)
    if problem:
        return None, [problem]
    rows = [(line, stripped) for line, cells in records if any(stripped := [str(c).strip() for c in cells])]
    if not rows:
        return None, [Problem(path.name, "", (), _("the file is empty. Export the report again, with its header row."))]
    notes = []
    # The header is the first row naming at least half the columns: a title or filter line names one or two.
    widest = max(sum(map(bool, cells)) for _line, cells in rows[:HEADER_SEARCH_ROWS])
    if widest < 2:
        return None, [Problem(path.name, "", (), _(
            "the header row with the column names was not found in the first {count} rows: delete the title rows "
            "above the column names, or export the report again without its header section.",
            count=HEADER_SEARCH_ROWS))]
    header = next(i for i, (_line, cells) in enumerate(rows) if sum(map(bool, cells)) >= max(2, widest / 2))
    header_line, names = rows[header]
    if header:
        notes.append(_("{file}: skipped the report title above the column names (line(s) {first}–{last}).",
                       file=path.name, first=rows[0][0], last=header_line - 1))
    rows = rows[header + 1:]
    footer = []
    while rows and FOOTER.fullmatch(next(c for c in rows[-1][1] if c)):
        footer.insert(0, rows.pop())
    if footer:
        notes.append(_("{file}: dropped the report footer (line(s) {lines}: {texts}).", file=path.name,
                       lines=", ".join(str(line) for line, _cells in footer),
                       texts="; ".join(next(c for c in cells if c) for _line, cells in footer)))
    if not rows:
        return None, [Problem(path.name, "", (), _("the file has a header but no rows. Export the report again."))]
    width = len(names)
    too_long = tuple(line for line, cells in rows if any(cells[width:]))
    if too_long:
        return None, [Problem(path.name, "", too_long, _(
            "more values than the header has columns, so the values would land in the wrong columns: a value "
            "holding the separator without quotes? Quote such values, or export the report again."))]
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        return None, [Problem(path.name, "", (header_line,), _(
            "the header names {columns} more than once. Rename or remove the repeated column(s).",
            columns=", ".join(f"'{n}'" for n in duplicated)))]
    frame = pd.DataFrame([cells[:width] + [""] * (width - len(cells)) for _line, cells in rows], columns=names)
    frame = frame.loc[:, [bool(n) for n in names]]  # unnamed columns (Excel's empty first column) hold nothing we map
    return Export(path, frame, np.array([line for line, _cells in rows]), notes), []


# ---- mapping files -------------------------------------------------------------------------------------

MAPPING_KEYS = ("name", "leads", "deals", "channels", "stages")
TRANSLATED = {"channels": schema.CHANNELS, "stages": schema.OPPORTUNITY_STAGES}


def _key_lines(text: str) -> dict[str, int]:
    """The line of each key of a YAML text, as 'leads.lead_id': 3, for problems."""
    found: dict[str, int] = {}

    def walk(node: yaml.Node | None, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                found[prefix + str(key.value)] = key.start_mark.line + 1
                walk(value, f"{prefix}{key.value}.")

    walk(yaml.compose(text), "")
    return found


def _mapping_problems(file: str, loaded: Any, lines: dict[str, int]) -> list[Problem]:
    def problem(key: str, message: str) -> Problem:
        return Problem(file, "", (lines[key],) if key in lines else (), message)

    if not isinstance(loaded, dict) or not ({"leads", "deals"} & set(loaded)):
        return [problem("", _("a mapping file needs a 'leads' and/or a 'deals' section mapping course fields to "
                              "your column names, e.g. 'leads:' and below it '  lead_id: Kontakt-ID' (see "
                              "instructor/workshop.md)."))]
    problems = [problem(str(key), _("unknown key '{key}'. A mapping file has: {keys}.", key=key,
                                    keys=", ".join(MAPPING_KEYS))) for key in loaded if key not in MAPPING_KEYS]
    for kind in ("leads", "deals"):
        section = loaded.get(kind) or {}
        if not isinstance(section, dict):
            problems.append(problem(kind, _("'{kind}' should map course fields to your column names, e.g. "
                                            "'{kind}:' and below it '  {example}'.", kind=kind,
                                            example={"leads": "lead_id: Kontakt-ID", "deals": "amount: Betrag"}[kind])))
            continue
        known = {f for m in MAPPINGS.values() for f in m[kind]}
        for name, columns in section.items():
            key = f"{kind}.{name}"
            if name not in known:
                problems.append(problem(key, _("'{key}' is not a course field. The {kind} fields are: {fields}.",
                                               key=key, kind=kind, fields=", ".join(sorted(known)))))
            elif not (isinstance(columns, str) or isinstance(columns, list) and columns
                      and all(isinstance(c, str) for c in columns)):
                problems.append(problem(key, _(
                    "'{key}' should be a column name or a list of column names, not {value!r}: e.g. '{name}: Record "
                    "ID' or '{name}: [Record ID, Contact ID]' (quote a name that looks like a number: '{name}: \"5\"').",
                    key=key, value=columns, name=name)))
    for key, allowed in TRANSLATED.items():
        table = loaded.get(key) or {}
        if not isinstance(table, dict):
            problems.append(problem(key, _("'{key}' should map your values to the course's, one per line, e.g. "
                                           "'{key}:' and below it '  Messe: {first}'. Allowed: {allowed}.", key=key,
                                           first=allowed[-1 if key == "channels" else 0], allowed=", ".join(allowed))))
            continue
        problems += [problem(f"{key}.{value}", _("'{key}.{value}' is '{target}', which the course does not know. "
                                                 "Use one of: {allowed}.", key=key, value=value, target=target,
                                                 allowed=", ".join(allowed)))
                     for value, target in table.items() if target not in allowed]
    return problems


def load_mapping(mapping: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    """A built-in mapping by name, a mapping dict, or a YAML file of the same shape (see MAPPINGS).
    Raises DataValidationError listing every problem of a mapping file (key, line, what is expected)."""
    if isinstance(mapping, Mapping):
        return dict(mapping)
    if str(mapping) in MAPPINGS:
        return MAPPINGS[str(mapping)]
    path = Path(mapping)
    if not path.is_file():
        raise ValueError(_("Unknown mapping '{mapping}'. Use hubspot, salesforce, auto, or a YAML mapping file.",
                           mapping=mapping))
    try:
        text = path.read_text(encoding="utf-8-sig")
        loaded, lines = yaml.safe_load(text), _key_lines(text)
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        mark = getattr(error, "problem_mark", None)
        raise DataValidationError(path.name, [Problem(path.name, "", (mark.line + 1,) if mark else (), _(
            "this is not a readable YAML mapping ({detail}). Save it as UTF-8 text with one 'field: column' per "
            "line, sections indented with spaces, e.g. 'leads:' and below it '  lead_id: Kontakt-ID'.",
            detail=getattr(error, "problem", None) or error))]) from None
    problems = _mapping_problems(path.name, loaded, lines)
    if problems:
        raise DataValidationError(path.name, problems)
    loaded.setdefault("name", path.stem)
    for kind in ("leads", "deals"):
        loaded[kind] = {k: ([v] if isinstance(v, str) else list(v)) for k, v in (loaded.get(kind) or {}).items()}
    return loaded


def _find(frame: pd.DataFrame, candidates: Sequence[str]) -> str | None:
    lowered = {c.lower(): c for c in frame.columns}
    return next((lowered[c.lower()] for c in candidates if c.lower() in lowered), None)


def _kind(frame: pd.DataFrame, mapping: dict[str, Any]) -> str | None:
    if _find(frame, mapping["deals"].get("stage", [])) or _find(frame, mapping["deals"].get("amount", [])):
        return "deals"
    lead_fields = [f for f in mapping["leads"] if f not in ("owner", "employees")]
    found = sum(1 for f in lead_fields if _find(frame, mapping["leads"][f]))
    return "leads" if found >= min(2, len(lead_fields)) else None  # e.g. the ID and one date: a missing one is reported


def _hits(mapping: dict[str, Any], frames: Iterable[pd.DataFrame]) -> int:
    names = {n for kind in ("leads", "deals") for names in mapping[kind].values() for n in names}
    return sum(len(names & set(f.columns)) for f in frames)


def choose_mapping(frames: Iterable[pd.DataFrame]) -> dict[str, Any]:
    """The built-in mapping whose column names the files use most."""
    frames = list(frames)
    return max(MAPPINGS.values(), key=lambda m: _hits(m, frames))


# ---- parsing values -------------------------------------------------------------------------------------

def _lines(export: Export, mask: pd.Series | np.ndarray) -> tuple[int, ...]:
    return tuple(int(line) for line in export.lines[np.asarray(mask, dtype=bool)])


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


def _mark(groups: list[str], separators: str) -> tuple[str | None, bool]:
    """(mark, True) for a decimal mark the number shows (1.234,50 12,5); (mark, False) for a separator that
    can only be a thousands separator (1,234 or 1.234.567: groups of three, in US and European writing)."""
    marks = [s for s in separators if s in ".,"]
    if not marks:
        return None, False
    single = len(marks) == 1 and (len(groups[-1]) != 3 or groups[0] == "0")
    return marks[-1], len(set(marks)) == 2 or single


def _value(groups: list[str], separators: str, decimal: str | None) -> float:
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
    marks = {cell: _mark(*parts[1:]) if parts else (None, False) for cell, parts in cells.items()}
    shown = pd.Series({cell: mark for cell, (mark, sure) in marks.items() if sure}, dtype=object)
    column = counts[shown.index].groupby(shown).sum().idxmax() if len(shown) else None

    def one(cell: str) -> float:
        parts, (mark, sure) = cells[cell], marks[cell]
        if parts is None or (column and mark and (mark != column if sure else mark == column)):
            return math.nan
        value = _value(parts[1], parts[2], mark if sure else None)
        return -value if parts[0] else value

    values = text.map({cell: one(cell) for cell in counts.index}).astype(float)
    return values, filled & values.isna()


# ---- mapping an export onto the course schema ----------------------------------------------------------

def _column(export: Export, field_name: str) -> pd.Series | None:
    column = export.columns.get(field_name)
    return None if column is None else export.frame[column]


def _required(export: Export, mapping: dict[str, Any], fields: Sequence[str], problems: list[Problem]) -> bool:
    missing = [f for f in fields if f not in export.columns]
    for name in missing:
        problems.append(Problem(export.path.name, name, (), _(
            "required column missing: none of {candidates} is in this file. Rename the column, or map it in a "
            "mapping file (--mapping my-crm.yaml). Columns found: {found}.",
            candidates=", ".join(f"'{c}'" for c in mapping[export.kind].get(name, [name])),
            found=", ".join(export.frame.columns))))
    return not missing


def _dates(export: Export, field_name: str, problems: list[Problem]) -> pd.Series:
    text = _column(export, field_name)
    if text is None:
        return pd.Series(pd.NaT, index=export.frame.index, dtype="datetime64[s]")
    values, bad = parse_dates(text, export.dayfirst)
    if bad.any():
        problems.append(Problem(export.path.name, export.columns[field_name], _lines(export, bad), _(
            "date(s) that cannot be read, such as '{example}'. Use one date format in the whole column, e.g. "
            "2025-03-01 or 03/01/2025 14:30.", example=text[bad].iloc[0])))
    return values


def _ids(export: Export, field_name: str, problems: list[Problem], unique: bool) -> pd.Series:
    values = _column(export, field_name).astype(str).str.strip()
    empty = values == ""
    if empty.any():
        problems.append(Problem(export.path.name, export.columns[field_name], _lines(export, empty), _(
            "empty identifier(s). Every row needs its record ID: export the report with the ID column filled.")))
    if unique:
        duplicated = values.duplicated(keep=False) & ~empty
        if duplicated.any():
            problems.append(Problem(export.path.name, export.columns[field_name], _lines(export, duplicated), _(
                "duplicate ID(s), such as '{example}': the same record appears twice. Remove the duplicate rows "
                "(or export without joined sub-rows).", example=values[duplicated].iloc[0])))
    return values


def _mapped(export: Export, field_name: str, table: Mapping[str, str], allowed: Sequence[str], what: str,
            mapping_key: str, problems: list[Problem]) -> pd.Series | None:
    text = _column(export, field_name)
    if text is None:
        return None
    lowered = text.str.lower()
    values = lowered.map(lambda v: table.get(v, v if v in allowed else None))
    unknown = (text != "") & values.isna()
    if unknown.any():
        problems.append(Problem(export.path.name, export.columns[field_name], _lines(export, unknown), _(
            "{what} the course does not know: {values}. Map each to one of {allowed} in a mapping file, under "
            "'{key}:' (e.g. {example}: {first}).", what=what, values=", ".join(sorted(set(text[unknown]))[:6]),
            allowed=", ".join(allowed), key=mapping_key, example=text[unknown].iloc[0], first=allowed[0])))
    return values


def _segment(employees: pd.Series | None) -> pd.Series | None:
    if employees is None:
        return None
    numbers, _bad = parse_amounts(employees.str.split("-").str[-1].str.replace("+", "", regex=False))
    return pd.Series(np.select([numbers >= 1000, numbers >= 200, numbers >= 0], ["enterprise", "mid_market", "smb"],
                               default="smb"), index=employees.index)


@dataclass
class ImportResult:
    """The course tables made from an export, what could not be filled, and what was approximated."""

    tables: dict[str, pd.DataFrame]
    params: dict[str, Any]


_SLASHED = r"^(\d{1,2})/(\d{1,2})/\d{4}\b"


def _order_evidence(export: Export) -> tuple[tuple[str, str, int] | None, tuple[str, str, int] | None, str | None]:
    """A day-first date of the file (13/01/2025) and a month-first one (01/13/2025), each as (column, value,
    line), and a slashed date, which may tell neither (01/02/2025)."""
    day = month = slashed = None
    for name in DATE_FIELDS:
        text = _column(export, name)
        if text is None:
            continue
        parts = text.str.extract(_SLASHED).astype(float)

        def first(mask: pd.Series, name: str = name, text: pd.Series = text) -> tuple[str, str, int]:
            row = int(np.flatnonzero(mask.to_numpy())[0])
            return export.columns[name], text.iloc[row], int(export.lines[row])

        if day is None and (parts[0] > 12).any():
            day = first(parts[0] > 12)
        if month is None and (parts[1] > 12).any():
            month = first(parts[1] > 12)
        if slashed is None and parts[0].notna().any():
            slashed = first(parts[0].notna())[1]
    return day, month, slashed


def _date_orders(exports: Sequence[Export], dayfirst: bool | None, problems: list[Problem]) -> list[str]:
    """Decide, per file, whether 01/02/2025 is 1 February or 2 January, and set ``Export.dayfirst``; return
    notes for the report on what was assumed. ``dayfirst`` (--dayfirst, --monthfirst) decides for all files."""
    if dayfirst is not None:
        for export in exports:
            export.dayfirst = dayfirst
        return []
    evidence = {export.path: _order_evidence(export) for export in exports}
    for export in exports:
        day, month, _slashed = evidence[export.path]
        if day and month:
            problems.append(Problem(export.path.name, "", (day[2], month[2]), _(
                "this file mixes day-first dates ('{day}' in '{day_column}') and month-first dates ('{month}' in "
                "'{month_column}'). Export every date in one format, or import with --dayfirst or --monthfirst: "
                "the dates that do not fit are then listed.", day=day[1], day_column=day[0], month=month[1],
                month_column=month[0])))
    # Files of one export share the CRM user's date setting: one that shows its order tells it for the others.
    shown = {bool(day) for day, month, _slashed in evidence.values() if bool(day) != bool(month)}
    assumed = shown.pop() if len(shown) == 1 else False
    notes = []
    for export in exports:
        day, month, slashed = evidence[export.path]
        export.dayfirst = bool(day) if bool(day) != bool(month) else assumed
        if slashed and not (day or month or shown):
            reading = parse_dates(pd.Series([re.match(_SLASHED, slashed)[0]]))[0].iloc[0]
            notes.append(_("{file}: no date shows whether the day or the month comes first (such as '{example}'), "
                           "so dates were read month-first, as HubSpot and Salesforce write them in the US "
                           "('{example}' = {reading}). If they are day-first, import again with --dayfirst.",
                           file=export.path.name, example=slashed,
                           reading=f"{reading:%d %B %Y}" if pd.notna(reading) else "?"))
    return notes


def build(exports: Sequence[Export], mapping: dict[str, Any], name: str, dayfirst: bool | None = None) -> ImportResult:
    """Map the exports onto the course tables; raise DataValidationError listing every problem. ``dayfirst``
    forces the order of day and month in dates like 01/02/2025 (default: decided from each file's dates)."""
    problems: list[Problem] = []
    notes = [note for export in exports for note in export.notes] + _date_orders(exports, dayfirst, problems)
    leads_files = [e for e in exports if e.kind == "leads"]
    deals_files = [e for e in exports if e.kind == "deals"]
    if len(leads_files) != 1 or len(deals_files) > 1:
        problems.append(Problem(", ".join(e.path.name for e in exports), "", (), _(
            "give exactly one leads/contacts export and at most one deals/opportunities export (found {leads} "
            "leads and {deals} deals file(s)).", leads=len(leads_files), deals=len(deals_files))))
        raise DataValidationError(_("your export"), problems)
    lead_export = leads_files[0]
    approximated: list[str] = []
    # Stand-ins that look like data, which no KPI may read as a measurement (has() already sees the
    # columns an import leaves empty: churn, NPS, quotas, reasons, response times).
    unmeasured: list[str] = []

    def stand_in(column: str, note: str) -> None:
        approximated.append(note)
        unmeasured.append(column)

    if not _required(lead_export, mapping, ("lead_id", "created_at"), problems):
        raise DataValidationError(lead_export.path.name, problems)
    index = lead_export.frame.index
    lead_id = _ids(lead_export, "lead_id", problems, unique=True)
    created = _dates(lead_export, "created_at", problems)
    mql = _dates(lead_export, "mql_at", problems) if "mql_at" in lead_export.columns else created.copy()
    if "mql_at" not in lead_export.columns:
        approximated.append(_("leads.mql_at (every lead counted as an MQL when it was created)"))
    sql = _dates(lead_export, "sql_at", problems)
    sal = _dates(lead_export, "sal_at", problems)
    channel = _mapped(lead_export, "channel", {**CHANNELS, **{k.lower(): v for k, v in mapping.get("channels", {}).items()}},
                      schema.CHANNELS, _("lead source(s)"), "channels", problems)
    if channel is not None and (_column(lead_export, "channel") == "").any():
        channel = channel.where(_column(lead_export, "channel") != "", "content")
        approximated.append(_("leads.channel (empty lead sources set to content)"))
    if channel is None:
        channel = pd.Series("content", index=index)
        approximated.append(_("leads.channel (no lead source in the export: all set to content)"))
    score_text = _column(lead_export, "score")
    if score_text is None:
        score = pd.Series(np.where(mql.notna(), 60, 20), index=index)
        approximated.append(_("leads.score (no score in the export: 60 for MQLs, 20 for the rest)"))
    else:
        rated = score_text.str.lower().map(RATINGS)
        numbers, bad = parse_amounts(score_text.where(rated.isna(), ""))
        numbers = numbers.fillna(rated)
        bad = bad & rated.isna()
        if bad.any():
            problems.append(Problem(lead_export.path.name, lead_export.columns["score"], _lines(lead_export, bad), _(
                "score(s) that are not numbers (or Hot/Warm/Cold), such as '{example}'.", example=score_text[bad].iloc[0])))
        score = numbers.fillna(0).clip(0, 100).round()
    segment = _segment(_column(lead_export, "employees"))
    if segment is None:
        segment = pd.Series("smb", index=index)
        stand_in("leads.segment", _("leads.segment (no company size in the export: all set to smb)"))
    stand_in("leads.region", _("leads.region (not mapped from an export: all set to north)"))
    if "sal_at" not in lead_export.columns:
        approximated.append(_("leads.sal_at and first_response_minutes (no first-contact date in the export: "
                              "acceptance taken as qualification, response times unknown)"))
        sal = sql.copy()
    minutes = ((sal - mql).dt.total_seconds() / 60).where(sal.notna() & ("sal_at" in lead_export.columns))

    deal_frame = None
    if deals_files:
        deal_export = deals_files[0]
        linked = "lead_id" in deal_export.columns or "opportunity_ref" in lead_export.columns
        if not linked:
            problems.append(_unlinked(deal_export, lead_export, mapping))
        if _required(deal_export, mapping, ["opportunity_id", "created_at", "amount", "stage"], problems) and linked:
            deal_frame = _deals(deal_export, lead_export, lead_id, mapping, problems)
    if problems:
        raise DataValidationError(", ".join(e.path.name for e in exports), problems)

    if deal_frame is not None:  # a lead with a deal reached SQL no later than the deal's creation
        first_deal = deal_frame.groupby("lead_id")["created_at"].min()
        sql = sql.fillna(lead_id.map(first_deal))
        sal = sal.fillna(sql)
    owners = sorted(set(_column(lead_export, "owner").replace("", np.nan).dropna()
                        if "owner" in lead_export.columns else [])
                    | set(deal_frame["owner"].dropna() if deal_frame is not None else []))
    owner_ids = {owner: f"E{i:04d}" for i, owner in enumerate(owners, start=1)}
    leads = pd.DataFrame({
        "lead_id": lead_id,
        "created_at": created,
        "campaign_id": "C-" + channel.astype(str),
        "channel": channel,
        "segment": segment,
        "region": "north",
        "score": score.astype(int),
        "mql_at": mql,
        "sal_at": sal.where(mql.notna()),
        "sql_at": sql.where(mql.notna()),
        "first_response_minutes": minutes.round(1).where(minutes >= 0),
        "owner_id": (_column(lead_export, "owner").map(owner_ids) if "owner" in lead_export.columns
                     else pd.Series(np.nan, index=index)),
        "disqualification_reason": np.nan,
    })
    start = created.min()
    campaigns = pd.DataFrame({"campaign_id": [f"C-{c}" for c in sorted(set(channel))]})
    campaigns["name"] = campaigns["campaign_id"].str[2:].str.replace("_", " ").str.title() + " (from the export)"
    campaigns["channel"] = campaigns["campaign_id"].str[2:]
    campaigns["start_date"] = start.normalize()
    campaigns["end_date"] = created.max().normalize()
    campaigns["spend"] = 0.0
    stand_in("campaigns.spend", _("campaigns.spend (not in a CRM export: 0, so cost per lead and CAC are not measured)"))
    employees = pd.DataFrame({"employee_id": list(owner_ids.values()), "name": list(owner_ids),
                              "function": "sales", "title": "Sales Rep", "level": 1, "hire_date": start.normalize(),
                              "manager_id": np.nan, "region": "north", "quarterly_quota": np.nan})
    if deal_frame is None:
        opportunities = datasets.parse_empty(schema.TABLES["opportunities"])
    else:
        opportunities = deal_frame.assign(owner_id=deal_frame["owner"].map(owner_ids)).drop(columns="owner")
        opportunities = opportunities[[c.name for c in schema.TABLES["opportunities"].columns]]
    won = opportunities[opportunities["outcome"] == "won"]
    accounts = pd.DataFrame({
        "account_id": won["account_id"], "segment": won["lead_id"].map(dict(zip(lead_id, segment, strict=True))),
        "region": "north", "start_date": won["closed_at"].dt.normalize(), "starting_mrr": (won["amount"] / 12).round(2),
        "current_mrr": (won["amount"] / 12).round(2), "churned_at": pd.NaT, "nps": pd.NA})
    approximated.append(_("accounts (one per won deal; recurring revenue = amount ÷ 12; churn and NPS unknown)"))
    tables = {"campaigns": campaigns, "leads": leads, "opportunities": opportunities, "accounts": accounts,
              "employees": employees}
    missing = list(NOT_IN_A_CRM_EXPORT) + ([] if deal_frame is not None else ["opportunities"])
    for table in schema.TABLES:
        tables.setdefault(table, datasets.parse_empty(schema.TABLES[table]))
    params = {"name": name, "kind": _("imported from a {crm} export", crm=mapping.get("name", "CRM")),
              "story": _("Your own company, imported for a workshop."),
              "import": {"mapping": mapping.get("name", "custom"), "files": [e.path.name for e in exports],
                         "missing": missing, "unmeasured": unmeasured, "approximated": approximated,
                         "notes": notes}}
    return ImportResult({t: tables[t] for t in schema.TABLES}, params)


def _unlinked(deal_export: Export, lead_export: Export, mapping: dict[str, Any]) -> Problem:
    """Which column would link the deals to their leads, in the terms of the CRM: Salesforce keeps the link on
    the converted lead (its standard Opportunities report has no lead column), HubSpot on the deal."""
    reference = mapping["leads"].get("opportunity_ref")
    if reference:
        return Problem(deal_export.path.name, "", (), _(
            "the deals cannot be linked to their leads: add the column '{column}' to the leads export ({leads}) "
            "and export it again; it names the opportunity each converted lead became.",
            column=reference[0], leads=lead_export.path.name))
    return Problem(deal_export.path.name, "", (), _(
        "the deals cannot be linked to their contacts: add the column '{column}' to this deals export and export "
        "it again.", column=mapping["deals"].get("lead_id", ["lead_id"])[0]))


def _deals(export: Export, lead_export: Export, lead_id: pd.Series, mapping: dict[str, Any],
           problems: list[Problem]) -> pd.DataFrame:
    opportunity_id = _ids(export, "opportunity_id", problems, unique=True)
    created = _dates(export, "created_at", problems)
    closed = _dates(export, "closed_at", problems)
    amount_text = _column(export, "amount")
    amount, bad = parse_amounts(amount_text)
    if bad.any():
        problems.append(Problem(export.path.name, export.columns["amount"], _lines(export, bad), _(
            "amount(s) that cannot be read as money, such as '{example}'. Write plain numbers with an optional "
            "currency symbol or code and one decimal mark in the whole column, e.g. 12,500.00, 12.500,00 € or "
            "12500; words such as 'Mio' and exponents such as 1e3 are not read.",
            example=amount_text[bad].iloc[0])))
    negative = amount < 0
    if negative.any():
        problems.append(Problem(export.path.name, export.columns["amount"], _lines(export, negative), _(
            "negative amount(s), such as {example}: a deal is worth zero or more. Credit notes and refunds do not "
            "belong in a deals export; remove or correct these rows.", example=amount[negative].iloc[0])))
    stage = _mapped(export, "stage", {**STAGES, **{k.lower(): v for k, v in mapping.get("stages", {}).items()}},
                    schema.OPPORTUNITY_STAGES, _("deal stage(s)"), "stages", problems)
    if "lead_id" in export.columns:
        deal_lead = _column(export, "lead_id").str.split(r"[;,]").str[0].str.strip()
    else:  # Salesforce: the lead remembers the opportunity it was converted into
        reference = _column(lead_export, "opportunity_ref").str.strip()
        deal_lead = opportunity_id.map(dict(zip(reference[reference != ""], lead_id[reference != ""], strict=True)))
    unknown = deal_lead.isna() | ~deal_lead.isin(set(lead_id))
    if unknown.any():
        problems.append(Problem(export.path.name, export.columns.get("lead_id", export.columns["opportunity_id"]),
                                _lines(export, unknown), _(
            "deal(s) whose contact/lead is not in the leads export, such as '{example}'. Export the contacts "
            "of every deal, or remove these deals.", example=(deal_lead[unknown].fillna("(none)")).iloc[0])))
    outcome = stage.map({"closed_won": "won", "closed_lost": "lost"}).fillna("open")
    no_close = (outcome != "open") & closed.isna()
    if no_close.any():
        problems.append(Problem(export.path.name, export.columns.get("closed_at", "Close Date"), _lines(export, no_close), _(
            "closed deal(s) without a close date. Fill in the close date of every won or lost deal.")))
    reasons = _column(export, "loss_reason")
    loss = (reasons.str.lower().map(LOSS_REASONS) if reasons is not None else pd.Series(np.nan, index=export.frame.index))
    won = outcome == "won"
    return pd.DataFrame({
        "opportunity_id": opportunity_id, "lead_id": deal_lead,
        "account_id": np.where(won, "A-" + opportunity_id, None),
        "owner": _column(export, "owner").replace("", np.nan) if "owner" in export.columns else "unassigned",
        "created_at": created, "amount": amount, "stage": stage, "closed_at": closed.where(outcome != "open"),
        "outcome": outcome, "loss_reason": loss.where(outcome == "lost"),
    })


# ---- the command ---------------------------------------------------------------------------------------

def import_files(files: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str],
                 mapping: str | os.PathLike[str] | Mapping[str, Any] = "auto", force: bool = False,
                 name: str | None = None, dayfirst: bool | None = None) -> Path:
    """Import a CRM export into a company folder. Raises DataValidationError with every problem (file,
    column, lines, how to fix); writes nothing unless the whole import is valid. ``force`` replaces only a
    folder an earlier import wrote (see :func:`datasets.check_writable`). ``dayfirst`` forces how dates like
    01/02/2025 are read (default: decided from each file's own dates)."""
    out = Path(out)
    datasets.check_writable(out, force, imported=True, inputs=tuple(files))  # before any work
    problems: list[Problem] = []
    exports: list[Export] = []
    for file in files:
        export, found = read_export(file)
        problems += found
        if export is not None:
            exports.append(export)
    source = ", ".join(Path(f).name for f in files)
    if problems:
        raise DataValidationError(source, problems)
    frames = [e.frame for e in exports]
    chosen = choose_mapping(frames) if str(mapping) == "auto" else load_mapping(mapping)
    best = choose_mapping(frames)
    hint = None if _hits(best, frames) <= _hits(chosen, frames) else Problem(source, "", (), _(
        "these files look like a {crm} export (their column names match it better than the {chosen} mapping): "
        "try --mapping {crm}, or leave --mapping out to detect it.", crm=best["name"], chosen=chosen.get("name")))
    try:
        for export in exports:
            export.kind = _kind(export.frame, chosen) or ""
            if not export.kind:
                first = {f: (chosen[k].get(f) or [f])[0] for k, f in (("leads", "lead_id"), ("leads", "created_at"),
                                                                       ("deals", "stage"))}
                problems.append(Problem(export.path.name, "", (), _(
                    "neither a leads/contacts nor a deals/opportunities export for the {crm} mapping: too few of its "
                    "lead columns (such as '{lead}' and '{created}') and no '{stage}' column. Columns found: "
                    "{found}.", crm=chosen.get("name"), lead=first["lead_id"], created=first["created_at"],
                    stage=first["stage"], found=", ".join(export.frame.columns))))
                continue
            export.columns = {f: c for f, names in chosen[export.kind].items() if (c := _find(export.frame, names))}
        if problems:
            raise DataValidationError(source, problems)
        result = build(exports, chosen, name or out.name, dayfirst)
        _validate(result, exports)
    except DataValidationError as error:
        if hint is None:
            raise
        raise DataValidationError(error.source, [*error.problems, hint]) from None
    return datasets.write_company(result.tables, result.params, out, force=force, inputs=tuple(files))


def _validate(result: ImportResult, exports: Sequence[Export]) -> None:
    """The course's own schema check on the mapped tables, with problems told in the export's terms (its file
    and line numbers)."""
    source = {"leads": next(e for e in exports if e.kind == "leads"),
              "opportunities": next((e for e in exports if e.kind == "deals"), None)}
    problems = []
    for name, frame in result.tables.items():
        table = schema.TABLES[name]
        text = datasets._as_text(table, frame).replace("", np.nan)
        _typed, found = schema.parse_table(table, text)
        export = source.get(name)
        problems += [Problem(table.file, p.column, p.rows, p.message) if export is None else
                     Problem(export.path.name, p.column, tuple(int(export.lines[r - 2]) for r in p.rows), p.message)
                     for p in found]
    if problems:
        raise DataValidationError(", ".join(sorted({p.file for p in problems})), problems)


def describe(company: datasets.Company) -> str:
    """What an imported company lacks, in one paragraph ("" for a course company)."""
    info = company.params.get("import", {})
    if not info:
        return ""
    return _("{name} was imported from a {crm} export. Not in the export, so not analysed here: {missing}. "
             "Approximated: {approximated}.", name=company.name, crm=info.get("mapping", "CRM"),
             missing=", ".join(info.get("missing", [])) or _("nothing"),
             approximated="; ".join(info.get("approximated", [])) or _("nothing"))


def note(company: datasets.Company):
    """For a notebook: a visible note on what an imported company lacks; nothing for a course company."""
    text = describe(company)
    if not text:
        return None
    from IPython.display import Markdown

    checks = "".join(f"\n>\n> {n}" for n in company.params["import"].get("notes", []))
    return Markdown("> **" + _("Your data") + ":** " + text + checks)


# What a notebook needs, in the words of its "skipped" note (anything else: the name with spaces).
NEEDS = {"campaigns.spend": "campaign spend", "accounts.churned_at": "churn dates", "accounts.nps": "NPS answers",
         "leads.disqualification_reason": "disqualification reasons",
         "leads.first_response_minutes": "first-response times", "opportunities": "deals",
         "employees.quarterly_quota": "sales quotas"}  # message ids: translated where shown


def has(company: datasets.Company, need: str) -> bool:
    """Whether the company has real data for ``need``: a table ("touchpoints") or a column
    ("campaigns.spend"). An imported company lacks the tables its CRM export lacks, and the columns the
    import had to fill with a stand-in (``"unmeasured"`` in its company.json); an empty table or an
    all-empty column is never data."""
    info = company.params.get("import", {})
    table, _dot, column = need.partition(".")
    if table in set(info.get("missing", [])) | set(company.missing) or need in info.get("unmeasured", []):
        return False
    frame = company.tables.get(table)
    if frame is None or not len(frame):
        return False
    return not column or (column in frame.columns and bool(frame[column].notna().any()))


def lacks(company: datasets.Company, *needs: str):
    """For a notebook cell that needs ``needs``: say plainly which of them this company has not, and
    that the step is skipped."""
    from IPython.display import Markdown

    absent = [n for n in needs if not has(company, n)] or list(needs)
    names = [_(NEEDS[n]) if n in NEEDS else n.replace(".", " ").replace("_", " ") for n in absent]
    what = names[0] if len(names) == 1 else _("{some} and {last}", some=", ".join(names[:-1]), last=names[-1])
    return Markdown("> " + _("{name} has no {what} in its data, so this step is skipped. Run it on a course "
                             "company to see it.", name=company.name, what=what))


def measured(company: datasets.Company, values: pd.Series | pd.DataFrame,
             needs: Mapping[str, str]) -> pd.Series | pd.DataFrame:
    """``values`` (a KPI per label of a Series, or per column of a DataFrame) with each KPI whose data
    the company lacks shown as "not in your data" instead of a number that would look measured (a cost
    per lead of 0 from spend the export does not hold). ``needs`` maps a label or column to what it
    needs, as for :func:`has`."""
    absent = [label for label, need in needs.items() if not has(company, need)]
    if not absent:
        return values
    if isinstance(values, pd.DataFrame):
        return values.assign(**dict.fromkeys([c for c in absent if c in values.columns], _("not in your data")))
    return values.astype(object).where(~values.index.isin(absent), _("not in your data"))


# ---- running the workshop notebooks on a company ------------------------------------------------------

COMPANY_VARIABLE = "SMARKETING_COMPANY"  # read by the parameters cell of every course notebook


def parametrised_notebooks(course: Path) -> list[Path]:
    """The course notebooks with a tagged ``parameters`` cell: those that run on any company."""
    import nbformat

    found = []
    for path in sorted(course.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        if any("parameters" in c.metadata.get("tags", []) for c in notebook.cells):
            found.append(path)
    return found


def run(data: str | os.PathLike[str], out: str | os.PathLike[str], course: Path,
        only: Sequence[str] = (), force: bool = False) -> list[Path]:
    """Execute the course notebooks on a company (a course name or an imported folder) and write each as
    HTML into ``out``. ``only`` picks notebooks by their number or name (e.g. "02", "03_funnel_handoff");
    ValueError names the available ones when one is unknown. A non-empty ``out`` is only written into with
    ``force`` (FileExistsError otherwise)."""
    from nbconvert import HTMLExporter

    from smarketing import notebooks

    available = parametrised_notebooks(course)
    picked = {o: [p for p in available if p.stem == o or p.stem.startswith(f"{o}_")] for o in only}
    unknown = [o for o, found in picked.items() if not found]
    if unknown:
        raise ValueError(_("No course notebook {unknown}. Available: {available} (give the number, e.g. 02, or "
                           "the name).", unknown=", ".join(unknown), available=", ".join(p.stem for p in available)))
    out = Path(out)
    if not force:
        datasets.check_writable(out, force=False)  # earlier results are only overwritten with --force
    loaded = datasets.load_company(data)  # refuse bad data before running anything, with the loader's own report
    company = str(data) if str(data) in datasets.COMPANIES else str(loaded.folder.resolve())
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in [p for p in available if not only or any(p in found for found in picked.values())]:
        executed = out / path.name
        notebook, _seconds = notebooks.execute(path, output=executed, cwd=course, env={COMPANY_VARIABLE: company})
        body, _resources = HTMLExporter(template_name="lab").from_notebook_node(notebook)
        html_path = out / f"{path.stem}.html"
        html_path.write_text(body, encoding="utf-8")
        written.append(html_path)
    return written
