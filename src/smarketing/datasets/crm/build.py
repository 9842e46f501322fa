"""Mapping an export onto the course tables: the leads and deals it holds become ``leads`` and
``opportunities``; ``campaigns`` (one per channel), ``employees`` (the owners) and ``accounts`` (the won deals)
are derived from them; what it cannot hold is left empty and recorded. Every problem is collected, told in the
export's own terms (its file, column and lines), before anything is refused."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from smarketing import schema
from smarketing.datasets.company import DataValidationError
from smarketing.datasets.crm.mappings import CHANNELS, LOSS_REASONS, NOT_IN_A_CRM_EXPORT, RATINGS, STAGES
from smarketing.datasets.crm.read import Export
from smarketing.datasets.crm.values import parse_amounts, parse_dates
from smarketing.datasets.store import _as_text, parse_empty
from smarketing.messages import _
from smarketing.schema import Problem

DATE_FIELDS = ("created_at", "mql_at", "sal_at", "sql_at", "closed_at")


def _column(export: Export, field_name: str) -> pd.Series | None:
    """The export's column for a course field, as text; None when the export does not have it."""
    column = export.columns.get(field_name)
    return None if column is None else export.frame[column]


def _required(export: Export, mapping: dict[str, Any], fields: Sequence[str], problems: list[Problem]) -> bool:
    """Whether the export has a column for each of ``fields``; a problem for each it lacks."""
    missing = [f for f in fields if f not in export.columns]
    for name in missing:
        problems.append(Problem(export.path.name, name, (), _(
            "required column missing: none of {candidates} is in this file. Rename the column, or map it in a "
            "mapping file (--mapping my-crm.yaml). Columns found: {found}.",
            candidates=", ".join(f"'{c}'" for c in mapping[export.kind].get(name, [name])),
            found=", ".join(export.frame.columns))))
    return not missing


def _dates(export: Export, field_name: str, problems: list[Problem]) -> pd.Series:
    """A date column read (all missing when the export lacks it); a problem for the cells no format reads."""
    text = _column(export, field_name)
    if text is None:
        return pd.Series(pd.NaT, index=export.frame.index, dtype="datetime64[s]")
    values, bad = parse_dates(text, export.dayfirst)
    if bad.any():
        problems.append(Problem(export.path.name, export.columns[field_name], export.lines_of(bad), _(
            "date(s) that cannot be read, such as '{example}'. Use one date format in the whole column, e.g. "
            "2025-03-01 or 03/01/2025 14:30.", example=text[bad].iloc[0])))
    return values


def _record_ids(export: Export, field_name: str, problems: list[Problem], unique: bool) -> pd.Series:
    """An ID column as text; a problem for empty IDs, and for repeated ones where each must be ``unique``."""
    values = _column(export, field_name).astype(str).str.strip()
    empty = values == ""
    if empty.any():
        problems.append(Problem(export.path.name, export.columns[field_name], export.lines_of(empty), _(
            "empty identifier(s). Every row needs its record ID: export the report with the ID column filled.")))
    if unique:
        duplicated = values.duplicated(keep=False) & ~empty
        if duplicated.any():
            problems.append(Problem(export.path.name, export.columns[field_name], export.lines_of(duplicated), _(
                "duplicate ID(s), such as '{example}': the same record appears twice. Remove the duplicate rows "
                "(or export without joined sub-rows).", example=values[duplicated].iloc[0])))
    return values


def _translated(export: Export, field_name: str, table: Mapping[str, str], allowed: Sequence[str], what: str,
            mapping_key: str, problems: list[Problem]) -> pd.Series | None:
    """A column's values translated into the course's through ``table`` (case-insensitive; a course value
    passes as it is); a problem naming the values it cannot translate. None when the export lacks the column."""
    text = _column(export, field_name)
    if text is None:
        return None
    lowered = text.str.lower()
    values = lowered.map(lambda v: table.get(v, v if v in allowed else None))
    unknown = (text != "") & values.isna()
    if unknown.any():
        problems.append(Problem(export.path.name, export.columns[field_name], export.lines_of(unknown), _(
            "{what} the course does not know: {values}. Map each to one of {allowed} in a mapping file, under "
            "'{key}:' (e.g. {example}: {first}).", what=what, values=", ".join(sorted(set(text[unknown]))[:6]),
            allowed=", ".join(allowed), key=mapping_key, example=text[unknown].iloc[0], first=allowed[0])))
    return values


def _segment_from_size(employees: pd.Series | None) -> pd.Series | None:
    """The segment of each lead from its company's number of employees ("51-200", "1000+"); None without it."""
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


def map_export(exports: Sequence[Export], mapping: dict[str, Any], name: str, dayfirst: bool | None = None) -> ImportResult:
    """The exports mapped onto the course tables and checked against the course schema; DataValidationError
    listing every problem, in the export's terms, otherwise. ``dayfirst`` forces the order of day and month in
    dates like 01/02/2025 (default: decided from each file's dates)."""
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
    lead_id = _record_ids(lead_export, "lead_id", problems, unique=True)
    created = _dates(lead_export, "created_at", problems)
    mql = _dates(lead_export, "mql_at", problems) if "mql_at" in lead_export.columns else created.copy()
    if "mql_at" not in lead_export.columns:
        approximated.append(_("leads.mql_at (every lead counted as an MQL when it was created)"))
    sql = _dates(lead_export, "sql_at", problems)
    sal = _dates(lead_export, "sal_at", problems)
    channel = _translated(lead_export, "channel", {**CHANNELS, **{k.lower(): v for k, v in mapping.get("channels", {}).items()}},
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
            problems.append(Problem(lead_export.path.name, lead_export.columns["score"], lead_export.lines_of(bad), _(
                "score(s) that are not numbers (or Hot/Warm/Cold), such as '{example}'.", example=score_text[bad].iloc[0])))
        score = numbers.fillna(0).clip(0, 100).round()
    segment = _segment_from_size(_column(lead_export, "employees"))
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
            deal_frame = _parse_deals(deal_export, lead_export, lead_id, mapping, problems)
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
        opportunities = parse_empty(schema.TABLES["opportunities"])
    else:
        opportunities = deal_frame.assign(owner_id=deal_frame["owner"].map(owner_ids)).drop(columns="owner")
        opportunities = opportunities[[c.name for c in schema.TABLES["opportunities"].columns]]
    won = opportunities[opportunities["outcome"] == "won"]
    accounts = pd.DataFrame({
        "account_id": won["account_id"], "segment": won["lead_id"].map(dict(zip(lead_id, segment, strict=True))),
        "region": "north", "start_date": won["closed_at"].dt.normalize(), "starting_mrr": (won["amount"] / 12).round(2),
        "current_mrr": (won["amount"] / 12).round(2), "mrr_12_months_ago": np.nan, "churned_at": pd.NaT,
        "nps": pd.NA})
    approximated.append(_("accounts (one per won deal; recurring revenue = amount ÷ 12; churn and NPS unknown)"))
    tables = {"campaigns": campaigns, "leads": leads, "opportunities": opportunities, "accounts": accounts,
              "employees": employees}
    missing = list(NOT_IN_A_CRM_EXPORT) + ([] if deal_frame is not None else ["opportunities"])
    for table in schema.TABLES:
        tables.setdefault(table, parse_empty(schema.TABLES[table]))
    params = {"name": name, "kind": _("imported from a {crm} export", crm=mapping.get("name", "CRM")),
              "story": _("Your own company, imported for a workshop."),
              "import": {"mapping": mapping.get("name", "custom"), "files": [e.path.name for e in exports],
                         "missing": missing, "unmeasured": unmeasured, "approximated": approximated,
                         "notes": notes}}
    result = ImportResult({t: tables[t] for t in schema.TABLES}, params)
    _validate(result, exports)
    return result


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


def _parse_deals(export: Export, lead_export: Export, lead_id: pd.Series, mapping: dict[str, Any],
           problems: list[Problem]) -> pd.DataFrame:
    opportunity_id = _record_ids(export, "opportunity_id", problems, unique=True)
    created = _dates(export, "created_at", problems)
    closed = _dates(export, "closed_at", problems)
    amount_text = _column(export, "amount")
    amount, bad = parse_amounts(amount_text)
    if bad.any():
        problems.append(Problem(export.path.name, export.columns["amount"], export.lines_of(bad), _(
            "amount(s) that cannot be read as money, such as '{example}'. Write plain numbers with an optional "
            "currency symbol or code and one decimal mark in the whole column, e.g. 12,500.00, 12.500,00 € or "
            "12500; words such as 'Mio' and exponents such as 1e3 are not read.",
            example=amount_text[bad].iloc[0])))
    negative = amount < 0
    if negative.any():
        problems.append(Problem(export.path.name, export.columns["amount"], export.lines_of(negative), _(
            "negative amount(s), such as {example}: a deal is worth zero or more. Credit notes and refunds do not "
            "belong in a deals export; remove or correct these rows.", example=amount[negative].iloc[0])))
    stage = _translated(export, "stage", {**STAGES, **{k.lower(): v for k, v in mapping.get("stages", {}).items()}},
                    schema.OPPORTUNITY_STAGES, _("deal stage(s)"), "stages", problems)
    if "lead_id" in export.columns:
        deal_lead = _column(export, "lead_id").str.split(r"[;,]").str[0].str.strip()
    else:  # Salesforce: the lead remembers the opportunity it was converted into
        reference = _column(lead_export, "opportunity_ref").str.strip()
        deal_lead = opportunity_id.map(dict(zip(reference[reference != ""], lead_id[reference != ""], strict=True)))
    unknown = deal_lead.isna() | ~deal_lead.isin(set(lead_id))
    if unknown.any():
        problems.append(Problem(export.path.name, export.columns.get("lead_id", export.columns["opportunity_id"]),
                                export.lines_of(unknown), _(
            "deal(s) whose contact/lead is not in the leads export, such as '{example}'. Export the contacts "
            "of every deal, or remove these deals.", example=(deal_lead[unknown].fillna("(none)")).iloc[0])))
    outcome = stage.map({"closed_won": "won", "closed_lost": "lost"}).fillna("open")
    no_close = (outcome != "open") & closed.isna()
    if no_close.any():
        problems.append(Problem(export.path.name, export.columns.get("closed_at", "Close Date"), export.lines_of(no_close), _(
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



def _validate(result: ImportResult, exports: Sequence[Export]) -> None:
    """The course's own schema check on the mapped tables, with problems told in the export's terms (its file
    and line numbers)."""
    source = {"leads": next(e for e in exports if e.kind == "leads"),
              "opportunities": next((e for e in exports if e.kind == "deals"), None)}
    problems = []
    for name, frame in result.tables.items():
        table = schema.TABLES[name]
        text = _as_text(table, frame).replace("", np.nan)
        _typed, found = schema.parse_table(table, text)
        export = source.get(name)
        problems += [Problem(table.file, p.column, p.rows, p.message) if export is None else
                     Problem(export.path.name, p.column, tuple(int(export.lines[r - 2]) for r in p.rows), p.message)
                     for p in found]
    if problems:
        raise DataValidationError(", ".join(sorted({p.file for p in problems})), problems)
