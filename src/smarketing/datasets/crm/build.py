"""Mapping an export onto the course tables: the leads and deals it holds become ``leads`` and
``opportunities``; ``campaigns`` (one per channel), ``employees`` (the owners) and ``accounts`` (the won deals)
are derived from them; what it cannot hold is left empty and recorded. Every problem is collected, told in the
export's own terms (its file, column and lines), before anything is refused."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from smarketing import schema
from smarketing.datasets.company import DataValidationError
from smarketing.datasets.crm.date_order import date_orders
from smarketing.datasets.crm.mappings import (
    CHANNELS,
    LOSS_REASONS,
    NOT_IN_A_CRM_EXPORT,
    RATINGS,
    STAGES,
    STATUSES,
)
from smarketing.datasets.crm.read import Export
from smarketing.datasets.crm.rows import SHOWN_LINES, Rows
from smarketing.datasets.crm.values import parse_amounts, parse_dates
from smarketing.datasets.store import parse_empty
from smarketing.messages import _
from smarketing.schema import Problem

EARLIEST = pd.Timestamp("1990-01-01")  # no CRM in use today holds a lead or deal from before it


def _column(export: Export, field_name: str) -> pd.Series | None:
    """The export's column for a course field, as text; None when the export does not have it."""
    column = export.columns.get(field_name)
    return None if column is None else export.frame[column]


def _required(export: Export, mapping: dict[str, Any], fields: Sequence[str], problems: list[Problem],
              draft: str = "") -> bool:
    """Whether the export has a column for each of ``fields``; a problem for each it lacks."""
    missing = [f for f in fields if f not in export.columns]
    for name in missing:
        problems.append(Problem(export.path.name, name, (), _(
            "required column missing: none of {candidates} is in this file. Rename the column, or map it in a "
            "mapping file (--mapping my-crm.yaml). Columns found: {found}. {draft}",
            candidates=", ".join(f"'{c}'" for c in mapping[export.kind].get(name, [name])),
            found=", ".join(export.frame.columns), draft=draft).strip()))
    return not missing


def _dates(export: Export, field_name: str, rows: Rows, exported: pd.Timestamp, *, key: bool = False,
           future: bool = False) -> tuple[pd.Series, pd.Series]:
    """A date column read (all missing when the export lacks it), and the rows to leave out: a date that cannot
    be read or cannot be true (before 1990, or after the export for a past event unless ``future``) leaves its
    row out when the date is the row's ``key`` date, and is blanked otherwise; both are noted."""
    index = export.frame.index
    text = _column(export, field_name)
    if text is None:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[s]"), pd.Series(False, index=index)
    values, bad = parse_dates(text, export.dayfirst)
    column = export.columns[field_name]
    action = _("the row is left out") if key else _("the date is left empty")
    rows.set_aside(export, bad, column, _("a date that cannot be read, such as '{example}'; {action}. Write one "
                                          "format per column, e.g. 2025-03-01 or 03/01/2025 14:30",
                                          example=text[bad].iloc[0] if bad.any() else "", action=action), kept=not key)
    early = values < EARLIEST
    late = (values > exported) if not future else pd.Series(False, index=index)
    implausible = (early | late).fillna(False)
    rows.set_aside(export, implausible, column, _(
        "a date before 1990 or after the export ({exported:%Y-%m-%d}), such as '{example}', which cannot be true; "
        "{action}", exported=exported, example=text[implausible].iloc[0] if implausible.any() else "",
        action=action), kept=not key)
    unusable = bad | implausible
    if key:  # a row without its key date cannot be placed in time (a deal never engaged, a lead never dated)
        unusable |= rows.set_aside(export, values.isna() & ~unusable, column, _(
            "no date, so the row cannot be placed in time; the row is left out"))
    return values.where(~unusable), unusable if key else pd.Series(False, index=index)


def _record_ids(export: Export, field_name: str, rows: Rows) -> tuple[pd.Series, pd.Series]:
    """An ID column as text, and the rows to leave out: those without an ID, and the later copies of a
    repeated one (an export with joined sub-rows repeats its records)."""
    values = _column(export, field_name).astype(str).str.strip()
    column = export.columns[field_name]
    empty = rows.set_aside(export, values == "", column, _(
        "no record ID, so the row cannot be told apart or linked; export the report with the ID column filled"))
    repeated = rows.set_aside(export, values.duplicated(keep="first") & ~empty, column, _(
        "an ID that an earlier row already has, such as '{example}': the same record twice (joined sub-rows?); "
        "the first is kept", example=values[values.duplicated() & ~empty].iloc[0]
        if (values.duplicated() & ~empty).any() else ""))
    return values, empty | repeated


def _translated(export: Export, field_name: str, table: Mapping[str, str], allowed: Sequence[str], what: str,
               mapping_key: str, rows: Rows, guess: Callable[[str], str]) -> tuple[pd.Series | None, str | None]:
    """A column's values translated into the course's through ``table`` (case-insensitive; a course value
    passes as it is), and a note on the values it did not know, which ``guess`` places (e.g. in "other") with
    their counts; under --strict they are a problem instead. (None, None) when the export lacks the column."""
    text = _column(export, field_name)
    if text is None:
        return None, None
    lowered = text.str.strip().str.lower()
    values = lowered.map({v: table.get(v, v if v in allowed else None) for v in lowered.unique()})
    unknown = (lowered != "") & values.isna()
    if not unknown.any():
        return values, None
    counts = text[unknown].str.strip().value_counts()
    listed = ", ".join(f"'{v}' ({n})" for v, n in counts.head(SHOWN_LINES).items())
    if rows.strict:
        rows.problems.append(Problem(export.path.name, export.columns[field_name], export.lines_of(unknown), _(
            "{what} the course does not know: {values}. Map each to one of {allowed} in a mapping file, under "
            "'{key}:' (e.g. {example}: {first}).", what=what, values=listed, allowed=", ".join(allowed),
            key=mapping_key, example=counts.index[0], first=allowed[0])))
        return values, None
    guessed = text[unknown].str.strip().map(lambda v: guess(v))
    placed = ", ".join(f"'{v}' ({n}) → {guess(v)}" for v, n in counts.head(SHOWN_LINES).items())
    return values.fillna(guessed), _(
        "{file}, column '{column}': {what} the course does not know, placed as shown: {placed}. To place them "
        "yourself, map them in a mapping file under '{key}:'.", file=export.path.name,
        column=export.columns[field_name], what=what, placed=placed, key=mapping_key)


def stage_of(value: str) -> str:
    """Where an unknown deal stage most likely belongs: won or lost by its words, else an open deal at the
    pipeline's first stage."""
    lowered = value.lower()
    if re.search(r"\bwon\b|赢单|成交", lowered):
        return "closed_won"
    if re.search(r"\blost\b|输单|丢单|失败", lowered):
        return "closed_lost"
    return "prospecting"


def _segment_from_size(employees: pd.Series | None) -> pd.Series | None:
    """The segment of each lead from its company's number of employees ("51-200", "1000+"); None without it."""
    if employees is None:
        return None
    sizes = employees.drop_duplicates()  # a few size bands, however many leads
    numbers, _bad = parse_amounts(sizes.str.split("-").str[-1].str.replace("+", "", regex=False))
    segments = pd.Series(np.select([numbers >= 1000, numbers >= 200, numbers >= 0],
                                   ["enterprise", "mid_market", "smb"], default="smb"), index=sizes.to_numpy())
    return employees.map(segments)


@dataclass
class ImportResult:
    """The course tables made from an export, what could not be filled, and what was approximated."""

    tables: dict[str, pd.DataFrame]
    params: dict[str, Any]


@dataclass
class _Leads:
    """The leads of an export as read, before the deals fill in what they tell (SQL dates)."""

    lead_id: pd.Series
    dropped: pd.Series
    created: pd.Series
    mql: pd.Series
    sal: pd.Series
    sql: pd.Series
    channel: pd.Series
    score: pd.Series
    segment: pd.Series
    owner: pd.Series
    has_sal: bool


def _map_leads(export: Export, mapping: dict[str, Any], rows: Rows, exported: pd.Timestamp, notes: list[str],
               approximated: list[str], stand_in: Callable[[str, str], None]) -> _Leads:
    """Read the leads export's columns into course values, setting aside what cannot be used."""
    index = export.frame.index
    lead_id, no_id = _record_ids(export, "lead_id", rows)
    created, no_created = _dates(export, "created_at", rows, exported, key=True)
    dropped = no_id | no_created
    rows.refuse_if_unusable(export, dropped, _("leads"))
    mql = _dates(export, "mql_at", rows, exported)[0] if "mql_at" in export.columns else created.copy()
    if "mql_at" not in export.columns:
        approximated.append(_("leads.mql_at (every lead counted as an MQL when it was created)"))
    sql = _dates(export, "sql_at", rows, exported)[0]
    sal = _dates(export, "sal_at", rows, exported)[0]
    channel, unknown_note = _translated(
        export, "channel", {**CHANNELS, **{k.lower(): v for k, v in mapping.get("channels", {}).items()}},
        schema.CHANNELS, _("lead source(s)"), "channels", rows, lambda _value: "other")
    notes += [unknown_note] if unknown_note else []
    if channel is not None and (_column(export, "channel").str.strip() == "").any():
        channel = channel.where(_column(export, "channel").str.strip() != "", "other")
        approximated.append(_("leads.channel (empty lead sources counted as other)"))
    if channel is None:
        channel = pd.Series("other", index=index)
        stand_in("leads.channel", _("leads.channel (no lead source in the export: all counted as other)"))
    score_text = _column(export, "score")
    if score_text is None:
        score = pd.Series(np.where(mql.notna(), 60, 20), index=index)
        approximated.append(_("leads.score (no score in the export: 60 for MQLs, 20 for the rest)"))
    else:
        rated = score_text.str.lower().map(RATINGS)
        numbers, bad = parse_amounts(score_text.where(rated.isna(), ""))
        numbers = numbers.fillna(rated)
        bad = bad & rated.isna()
        rows.set_aside(export, bad, export.columns["score"], _(
            "a score that is not a number (nor Hot/Warm/Cold), such as '{example}'; counted as 0",
            example=score_text[bad].iloc[0] if bad.any() else ""), kept=True)
        score = numbers.fillna(0).clip(0, 100).round()
    segment = _segment_from_size(_column(export, "employees"))
    if segment is None:
        segment = pd.Series("smb", index=index)
        stand_in("leads.segment", _("leads.segment (no company size in the export: all set to smb)"))
    stand_in("leads.region", _("leads.region (not mapped from an export: all set to north)"))
    has_sal = "sal_at" in export.columns
    if not has_sal:  # a stand-in: SAL→SQL would read 1.000, a figure nobody measured
        stand_in("leads.sal_at", _("leads.sal_at and first_response_minutes (no first-contact date in the export: "
                                   "acceptance taken as qualification, so neither is measured)"))
    owner = (_column(export, "owner").str.strip().replace("", np.nan) if "owner" in export.columns
             else pd.Series(np.nan, index=index, dtype=object))
    return _Leads(lead_id, dropped, created, mql, sal, sql, channel, score, segment, owner, has_sal)


def _lead_table(lead: _Leads, export: Export, deals: pd.DataFrame | None, owner_ids: dict[str, str],
                rows: Rows) -> pd.DataFrame:
    """The course's leads table: stage dates in order, a lead with a deal counted as an SQL by then."""
    sql, sal = lead.sql, lead.sal
    if deals is not None:  # a lead with a deal reached SQL no later than the deal's creation
        sql = sql.fillna(lead.lead_id.map(deals.groupby("lead_id")["created_at"].min()))
    # Each stage is reached no earlier than the last one before it; a date-only column is compared by day.
    mql = _in_order(export, "mql_at", lead.created, lead.mql, rows)
    if lead.has_sal:
        sal = _in_order(export, "sal_at", mql.fillna(lead.created), sal, rows)
    sql = _in_order(export, "sql_at", sal.fillna(mql).fillna(lead.created), sql, rows)
    sal = sal.fillna(sql) if lead.has_sal else sql.copy()
    minutes = ((sal - mql).dt.total_seconds() / 60).where(sal.notna() & lead.has_sal)
    leads = pd.DataFrame({
        "lead_id": lead.lead_id,
        "created_at": lead.created,
        "campaign_id": "C-" + lead.channel.astype(str),
        "channel": lead.channel,
        "segment": lead.segment,
        "region": "north",
        "score": lead.score.astype(int),
        "mql_at": mql,
        "sal_at": sal.where(mql.notna()),
        "sql_at": sql.where(mql.notna()),
        "first_response_minutes": minutes.round(1).where(minutes >= 0),
        "owner_id": lead.owner.map(owner_ids),
        "disqualification_reason": np.nan,
    })[~lead.dropped]
    if not len(leads):
        raise DataValidationError(export.path.name, [Problem(export.path.name, "", (), _(
            "no lead could be used: every row lacks its ID or its creation date. Export the report again with "
            "both columns filled."))])
    return leads


def map_export(exports: Sequence[Export], mapping: dict[str, Any], name: str, dayfirst: bool | None = None,
               strict: bool = False, exported: pd.Timestamp | None = None, draft: str = "",
               keep_names: bool = False) -> ImportResult:
    """The exports mapped onto the course tables and checked against the course schema; DataValidationError
    listing every problem, in the export's terms, otherwise.

    Rows that cannot be used (no ID, no readable creation date, a negative amount, …) are set aside with their
    lines and a note, and values that cannot be true are left empty; only an export that is unusable as a
    whole is refused (a required column missing, or more than half of a file's rows set aside). ``strict``
    refuses every such row instead. ``dayfirst`` forces the order of day and month in dates like 01/02/2025
    (default: decided from each file's dates); ``exported`` is when the export was made (default: now), after
    which no past event can have happened. ``draft`` ends each refusal a mapping file can fix (the command
    that drafts one). The names of people (the owners) become stable pseudonyms unless ``keep_names``: workshop
    results are shown to a room."""
    problems: list[Problem] = []
    rows = Rows(strict)
    exported = (exported or pd.Timestamp.now(tz="UTC").tz_convert(None)) + pd.Timedelta(days=1)  # any time zone
    notes = [note for export in exports for note in export.notes] + date_orders(exports, dayfirst, problems)
    leads_files = [e for e in exports if e.kind == "leads"]
    deals_files = [e for e in exports if e.kind == "deals"]
    if len(leads_files) > 1 or len(deals_files) > 1 or not exports:
        problems.append(Problem(", ".join(e.path.name for e in exports), "", (), _(
            "give at most one leads/contacts export and at most one deals/opportunities export, at least one of "
            "them (found {leads} leads and {deals} deals file(s)).", leads=len(leads_files), deals=len(deals_files))))
        raise DataValidationError(_("your export"), problems)
    lead_export = leads_files[0] if leads_files else None
    deal_export = deals_files[0] if deals_files else None
    problems += _duplicated_columns(exports)
    approximated: list[str] = []
    # Stand-ins that look like data, which no KPI may read as a measurement (has() already sees the
    # columns an import leaves empty: churn, NPS, quotas, reasons, response times).
    unmeasured: list[str] = []

    def stand_in(column: str, note: str) -> None:
        approximated.append(note)
        unmeasured.append(column)

    if lead_export is not None:
        _required(lead_export, mapping, ("lead_id", "created_at"), problems, draft)
    if deal_export is not None:
        _required(deal_export, mapping, ("opportunity_id", "created_at", "amount", "stage"), problems, draft)
    if problems:
        raise DataValidationError(", ".join(e.path.name for e in exports), problems)
    for export in exports:  # only the columns the course reads go on: no personal data, and far less memory
        export.frame = export.frame[list(dict.fromkeys(export.columns.values()))]
    lead = _map_leads(lead_export, mapping, rows, exported, notes, approximated, stand_in) if lead_export else None
    # Deals link to their leads by a lead column on the deal (HubSpot) or the opportunity on the converted lead
    # (Salesforce); without either, both are analysed side by side and conversion into deals is not measured.
    linked = lead is not None and deal_export is not None and (
        "lead_id" in deal_export.columns or "opportunity_ref" in lead_export.columns)
    deal_frame = None
    if deal_export is not None:
        if lead is not None and not linked:
            unlinked = _unlinked(deal_export, lead_export, mapping)
            if strict:
                rows.problems.append(unlinked)
            else:
                notes.append(_("{message} Until then the leads and the deals are analysed side by side, and how "
                               "many leads become deals is not measured.", message=f"{unlinked.file}: {unlinked.message}"))
                unmeasured.append("opportunities.lead_id")
        deal_frame, deal_notes = _parse_deals(deal_export, lead_export if linked else None,
                                              lead.lead_id.where(~lead.dropped) if linked else None, mapping, rows,
                                              exported)
        notes += deal_notes
    problems += rows.problems
    if problems:
        raise DataValidationError(", ".join(e.path.name for e in exports), problems)

    lead_owners = set(lead.owner[~lead.dropped].dropna()) if lead is not None else set()
    owners = sorted(lead_owners | set(deal_frame["owner"].dropna() if deal_frame is not None else []))
    owner_ids = {owner: f"E{i:04d}" for i, owner in enumerate(owners, start=1)}
    if not keep_names and owners:
        notes.append(_("The names of the {count} owner(s) were replaced by pseudonyms (such as {example}), the same "
                       "for the same person in every import; import with --keep-names to show the real names.",
                       count=len(owners), example=pseudonym(owners[0])))
    if lead is not None:
        leads = _lead_table(lead, lead_export, deal_frame if linked else None, owner_ids, rows)
        created = leads["created_at"]
    else:
        leads = parse_empty(schema.TABLES["leads"])
        created = deal_frame["created_at"]
    start = created.min()
    campaigns = parse_empty(schema.TABLES["campaigns"])
    if lead is not None:  # one campaign per channel, spanning the export
        campaigns = pd.DataFrame({"campaign_id": [f"C-{c}" for c in sorted(set(leads["channel"].astype(str)))]})
        campaigns["name"] = campaigns["campaign_id"].str[2:].str.replace("_", " ").str.title() + " (from the export)"
        campaigns["channel"] = campaigns["campaign_id"].str[2:]
        campaigns["start_date"] = start.normalize()
        campaigns["end_date"] = created.max().normalize()
        campaigns["spend"] = 0.0
        stand_in("campaigns.spend", _("campaigns.spend (not in a CRM export: 0, so cost per lead and CAC are not "
                                      "measured)"))
    employees = pd.DataFrame({"employee_id": list(owner_ids.values()),
                              "name": list(owner_ids) if keep_names else [pseudonym(o) for o in owner_ids],
                              "function": "sales", "title": "Sales Rep", "level": 1, "hire_date": start.normalize(),
                              "manager_id": np.nan, "region": "north", "quarterly_quota": np.nan})
    if deal_frame is None:
        opportunities = parse_empty(schema.TABLES["opportunities"])
    else:
        opportunities = deal_frame.assign(owner_id=deal_frame["owner"].map(owner_ids)).drop(columns="owner")
        opportunities = opportunities[[c.name for c in schema.TABLES["opportunities"].columns]]
    won = opportunities[opportunities["outcome"] == "won"]
    segments = pd.Series(leads["segment"].astype(str).to_numpy(), index=leads["lead_id"].to_numpy())
    segment = won["lead_id"].map(segments).astype(object)
    if len(won) and (segment.isna().any() or "leads.segment" in unmeasured):
        stand_in("accounts.segment", _("accounts.segment (the company size of a customer whose lead is not in "
                                       "the export: set to smb)"))
    accounts = pd.DataFrame({
        "account_id": won["account_id"], "segment": segment.fillna("smb"),
        "region": "north", "start_date": won["closed_at"].fillna(won["created_at"]).dt.normalize(),
        "starting_mrr": (won["amount"] / 12).round(2),
        "current_mrr": (won["amount"] / 12).round(2), "mrr_12_months_ago": np.nan, "churned_at": pd.NaT,
        "nps": pd.NA})
    approximated.append(_("accounts (one per won deal; recurring revenue = amount ÷ 12; churn and NPS unknown)"))
    if won["closed_at"].isna().any():
        approximated.append(_("accounts.start_date (a won deal without a close date: the customer counted from the "
                              "deal's creation)"))
    tables = {"campaigns": campaigns, "leads": leads, "opportunities": opportunities, "accounts": accounts,
              "employees": employees}
    missing = (list(NOT_IN_A_CRM_EXPORT) + ([] if deal_frame is not None else ["opportunities"])
               + ([] if lead is not None else ["leads", "campaigns"]))
    for table in schema.TABLES:
        tables.setdefault(table, parse_empty(schema.TABLES[table]))
    params = {"name": name, "kind": _("imported from a {crm} export", crm=mapping.get("name", "CRM")),
              "story": _("Your own company, imported for a workshop."),
              "import": {"mapping": mapping.get("name", "custom"), "files": [e.path.name for e in exports],
                         "missing": missing, "unmeasured": unmeasured, "approximated": approximated,
                         "notes": notes + rows.notes(),
                         # what the reader set aside (blank lines, totals, a report's footer) comes first
                         "set_aside": [{"file": e.path.name, "column": "", "reason": reason, "lines": list(lines),
                                        "kept": False} for e in exports for reason, lines in e.set_aside] + rows.settled(),
                         "rows": {e.path.name: len(e.frame) for e in exports}}}
    result = ImportResult({t: tables[t] for t in schema.TABLES}, params)
    _validate(result, exports)
    return result


def pseudonym(name: str) -> str:
    """A stable stand-in for a person's name: the same name always gives the same one, and the name cannot be
    read back from it without guessing it. Unassigned stays unassigned."""
    if name == _("Unassigned"):
        return name
    return _("Rep {code}", code=hashlib.blake2b(name.strip().casefold().encode(), digest_size=3).hexdigest().upper())


def _in_order(export: Export, field_name: str, earlier: pd.Series, later: pd.Series, rows: Rows) -> pd.Series:
    """``later`` with each date before ``earlier`` left empty, with a note. A column of dates without times (a
    Salesforce Converted Date) is compared by day: converted on the day it was created is in order."""
    shown = later.dropna()
    if len(shown) and (shown == shown.dt.normalize()).all():
        same_day = (later < earlier) & (later.dt.normalize() == earlier.dt.normalize())
        later = later.mask(same_day.fillna(False), earlier)
    before = (later < earlier).fillna(False)
    rows.set_aside(export, before, export.columns.get(field_name, field_name), _(
        "a date before the stage it follows ({field} before the step ahead of it); the date is left empty",
        field=field_name), kept=True)
    return later.where(~before)


def _duplicated_columns(exports: Sequence[Export]) -> list[Problem]:
    """A problem for each column the mapping reads that the file names twice (which one holds the data?); a
    repeated column the course never reads (HubSpot's 'Associated Company') is no problem."""
    problems = []
    for export in exports:
        repeated = set(getattr(export, "duplicated_columns", ()))
        for field_name, column in export.columns.items():
            if column in repeated:
                problems.append(Problem(export.path.name, column, (), _(
                    "the header names '{column}' more than once, and the course reads it (as {field}): which one "
                    "holds the data? Remove or rename the repeated column and export again.", column=column,
                    field=field_name)))
    return problems


def _unlinked(deal_export: Export, lead_export: Export, mapping: dict[str, Any]) -> Problem:
    """Which column would link the deals to their leads, in the terms of the CRM: Salesforce keeps the link on
    the converted lead (its standard Opportunities report has no lead column), HubSpot on the deal."""
    reference = mapping["leads"].get("opportunity_ref")
    if reference:
        return Problem(deal_export.path.name, "", (), _(
            "the deals cannot be linked to their leads: add the column '{column}' to the leads export ({leads}) "
            "and export it again; it names the opportunity each converted lead became.",
            column=reference[0], leads=lead_export.path.name))
    if "lead_id" not in mapping["deals"]:  # Dynamics 365's export names the originating lead, not its ID
        return Problem(deal_export.path.name, "", (), _(
            "the deals cannot be linked to their leads: a {crm} export has no column with the lead's ID. Add one to "
            "the deals export and map it as lead_id in a mapping file.", crm=mapping.get("name", "CRM")))
    return Problem(deal_export.path.name, "", (), _(
        "the deals cannot be linked to their contacts: add the column '{column}' to this deals export and export "
        "it again.", column=mapping["deals"]["lead_id"][0]))


def _parse_deals(export: Export, lead_export: Export | None, lead_id: pd.Series | None, mapping: dict[str, Any],
                 rows: Rows, exported: pd.Timestamp) -> tuple[pd.DataFrame, list[str]]:
    """The deals of the export with the rows that cannot be used left out (noted in ``rows``), and notes.
    ``lead_id`` holds the IDs of the leads they link to, empty where the lead itself was set aside; None (and
    ``lead_export`` None) when there are no leads to link to, so that each deal's lead is unknown."""
    notes: list[str] = []
    index = export.frame.index
    opportunity_id, no_id = _record_ids(export, "opportunity_id", rows)
    created, no_created = _dates(export, "created_at", rows, exported, key=True)
    closed, _never = _dates(export, "closed_at", rows, exported, future=True)  # an open deal's expected close
    amount_text = _column(export, "amount")
    amount, bad = parse_amounts(amount_text)
    column = export.columns["amount"]
    rows.set_aside(export, bad, column, _(
        "an amount that cannot be read as money, such as '{example}'; write plain numbers with an optional currency "
        "symbol or code and one decimal mark in the whole column, e.g. 12,500.00, 12.500,00 € or 12500",
        example=amount_text[bad].iloc[0] if bad.any() else ""))
    rows.set_aside(export, amount.isna() & ~bad, column, _(
        "a deal without an amount (empty, N/A or -); it counts in win rates but not in deal sizes or revenue"),
        kept=True)
    negative = rows.set_aside(export, (amount < 0).fillna(False), column, _(
        "a negative amount, such as {example}: a deal is worth zero or more (credit notes and refunds are not "
        "deals)", example=amount[amount < 0].iloc[0] if (amount < 0).any() else ""))
    stage, unknown_note = _translated(
        export, "stage", {**STAGES, **{k.lower(): v for k, v in mapping.get("stages", {}).items()}},
        schema.OPPORTUNITY_STAGES, _("deal stage(s)"), "stages", rows, stage_of)
    notes += [unknown_note] if unknown_note else []
    stage = stage.where(_column(export, "stage").str.strip() != "", "prospecting")
    status = _column(export, "status")
    if status is not None:  # Pipedrive, Dynamics: won or lost in a status column, the last stage reached in stage
        state = status.str.strip().str.lower().map(STATUSES)
        stage = stage.mask(state == "won", "closed_won").mask(state == "lost", "closed_lost")
        stage = stage.mask((state == "open") & stage.isin(["closed_won", "closed_lost"]), "negotiation")
        rows.set_aside(export, state == "deleted", export.columns["status"], _("a deal marked deleted"))
    unknown = pd.Series(False, index=index)
    if lead_id is None:
        deal_lead = pd.Series(np.nan, index=index, dtype=object)
    else:
        if "lead_id" in export.columns:
            deal_lead = _column(export, "lead_id").str.split(r"[;,]").str[0].str.strip()
        else:  # Salesforce: the lead remembers the opportunity it was converted into
            reference = _column(lead_export, "opportunity_ref").str.strip()
            deal_lead = opportunity_id.map(dict(zip(reference[reference != ""], lead_id[reference != ""],
                                                    strict=True)))
        known = set(lead_id.dropna())
        stray = deal_lead.isna() | ~deal_lead.isin(known)
        none = _("(none)")  # Babel finds no _() nested in another's arguments
        unknown = rows.set_aside(export, stray, export.columns.get("lead_id", export.columns["opportunity_id"]), _(
            "a deal whose contact/lead is not among the leads imported, such as '{example}' (export the contacts "
            "of every deal)", example=deal_lead[stray].fillna(none).iloc[0] if stray.any() else ""))
    outcome = stage.map({"closed_won": "won", "closed_lost": "lost"}).fillna("open")
    late = (outcome != "open") & (closed > exported).fillna(False)
    rows.set_aside(export, late, export.columns.get("closed_at", "closed_at"), _(
        "a won or lost deal closed after the export ({exported:%Y-%m-%d}), which cannot be true; the close date is "
        "left empty, so the deal counts in win rates but not in cycle times", exported=exported), kept=True)
    closed = closed.where(~late)
    rows.set_aside(export, (outcome != "open") & closed.isna() & ~late, export.columns.get("closed_at", "closed_at"),
                   _("a won or lost deal without a close date; it counts in win rates but not in cycle times"),
                   kept=True)
    dropped = no_id | no_created | bad | negative | unknown | (status is not None and (status.str.strip().str.lower()
                                                                                        == "deleted"))
    rows.refuse_if_unusable(export, dropped, _("deals"))
    reasons = _column(export, "loss_reason")
    loss = pd.Series(np.nan, index=index, dtype=object)
    if reasons is not None:
        lowered = reasons.str.strip().str.lower()
        table = {**LOSS_REASONS, **{str(k).lower(): v for k, v in mapping.get("loss_reasons", {}).items()}}
        loss = lowered.map(lambda v: table.get(v, v if v in schema.LOSS_REASONS else None))
        unknown = (outcome == "lost") & (lowered != "") & loss.isna()
        if unknown.any():
            counts = reasons[unknown].str.strip().value_counts().head(SHOWN_LINES)
            notes.append(_("{file}, column '{column}': loss reasons the course does not know were left empty: "
                           "{values}. Map them in a mapping file under 'loss_reasons:' to one of {allowed}.",
                           file=export.path.name, column=export.columns["loss_reason"],
                           values=", ".join(f"'{v}' ({n})" for v, n in counts.items()),
                           allowed=", ".join(schema.LOSS_REASONS)))
    won = outcome == "won"
    frame = pd.DataFrame({
        "opportunity_id": opportunity_id, "lead_id": deal_lead,
        "account_id": np.where(won, "A-" + opportunity_id, None),
        # every deal has an owner in the course's tables: one the export does not name is "Unassigned"
        "owner": (_column(export, "owner").str.strip().replace("", np.nan) if "owner" in export.columns
                  else pd.Series(np.nan, index=index, dtype=object)).fillna(_("Unassigned")),
        "created_at": created, "amount": amount, "stage": stage, "closed_at": closed.where(outcome != "open"),
        "outcome": outcome, "loss_reason": loss.where(outcome == "lost"),
        # a CRM export holds no qualification checklist or quote discount the course could read with confidence
        **{c.name: pd.NA for c in schema.TABLES["opportunities"].columns if c.name.startswith("bant_")},
        "discount": np.nan,
    })
    frame["closed_at"] = _in_order(export, "closed_at", frame["created_at"], frame["closed_at"], rows)
    return frame[~dropped], notes


def _validate(result: ImportResult, exports: Sequence[Export]) -> None:
    """The course's own schema check on the mapped tables, with problems told in the export's terms (its file
    and line numbers). The tables are checked as built, typed: the loader checks the text written, once more."""
    source = {"leads": next((e for e in exports if e.kind == "leads"), None),
              "opportunities": next((e for e in exports if e.kind == "deals"), None)}
    problems = []
    for name, frame in result.tables.items():
        table = schema.TABLES[name]
        found = schema.check_typed(table, frame.reset_index(drop=True))
        export = source.get(name)
        # a row's place in the table (rows set aside are gone) -> its line in the export
        problems += [Problem(table.file, p.column, p.rows, p.message) if export is None else
                     Problem(export.path.name, p.column, tuple(int(export.lines[frame.index[r - 2]]) for r in p.rows),
                             p.message) for p in found]
    if problems:
        raise DataValidationError(", ".join(sorted({p.file for p in problems})), problems)
