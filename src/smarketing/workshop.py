"""Bring your own CRM export: read a HubSpot or Salesforce export (CSV or Excel), map it onto the
course schema, validate it, and write it as a company folder the notebooks can load.

What an export holds becomes the ``leads`` and ``opportunities`` tables; ``campaigns`` (one per
channel), ``employees`` (the owners) and ``accounts`` (the won deals) are derived from them. What an
export cannot hold (touchpoints, tickets, orders, time sheets, careers, targets) is written as an
empty table and listed in ``company.json`` under ``"missing"``, with the columns that had to be
approximated under ``"approximated"``: the notebooks read both and say so plainly.

A bad file is refused with every problem, its lines and how to fix it; nothing is written until
the whole import is valid, and an existing folder is only replaced with ``force``.
"""

from __future__ import annotations

import math
import os
import re
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
        "sal_at": ["First Engagement Date", "Last Contacted"],
        "sql_at": ["Became a Sales Qualified Lead Date", "Date entered \"Sales Qualified Lead (Lifecycle Stage Pipeline)\""],
        "owner": ["Contact owner", "Contact Owner", "HubSpot Owner"],
        "employees": ["Number of Employees", "Number of employees"],
    },
    "deals": {
        "opportunity_id": ["Record ID", "Deal ID"],
        "lead_id": ["Associated Contact IDs", "Associated Contact ID", "Contact ID"],
        "owner": ["Deal owner", "Deal Owner"],
        "created_at": ["Create Date", "Create date"],
        "amount": ["Amount", "Amount in company currency"],
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

DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%fZ",
                "%Y/%m/%d %H:%M", "%Y/%m/%d", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M", "%m/%d/%Y",
                "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日")


@dataclass
class Export:
    """One file of the export, read as text: which kind it is, its columns, and its rows."""

    path: Path
    kind: str  # "leads" or "deals"
    frame: pd.DataFrame
    columns: dict[str, str] = field(default_factory=dict)  # course field -> the export's column


# ---- reading files --------------------------------------------------------------------------------------

def _decode(path: Path, raw: bytes) -> tuple[str | None, Problem | None]:
    for encoding in ("utf-8-sig", "gb18030"):  # UTF-8 (with or without BOM), then GBK (Chinese Excel)
        try:
            return raw.decode(encoding), None
        except UnicodeDecodeError:
            continue
    return None, Problem(path.name, "", (), _(
        "the file is neither UTF-8 nor GBK text (a different encoding, or not a text file). In Excel use "
        "Save As > 'CSV UTF-8 (comma delimited)', or export the report again as CSV."))


def read_export(path: str | os.PathLike[str]) -> tuple[pd.DataFrame | None, list[Problem]]:
    """A CSV (UTF-8, UTF-8 with BOM or GBK; comma, semicolon or tab separated) or Excel export, every cell
    as text; or the problems that stop it being read."""
    path = Path(path)
    if not path.is_file():
        return None, [Problem(path.name, "", (), _("no such file: {path}.", path=path))]
    raw = path.read_bytes()
    if not raw.strip():
        return None, [Problem(path.name, "", (), _("the file is empty. Export the report again, with its header row."))]
    if raw[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        try:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        except Exception as error:  # noqa: BLE001 - any unreadable workbook gets the same advice
            return None, [Problem(path.name, "", (), _(
                "the file cannot be read as an Excel workbook ({detail}). Save it again as .xlsx or as CSV UTF-8.",
                detail=str(error).splitlines()[0][:120]))]
    else:
        if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return None, [Problem(path.name, "", (), _(
                "this is not a CSV or Excel file (it looks like a binary file). Export the CRM report as CSV "
                "or .xlsx."))]
        text, problem = _decode(path, raw)
        if problem:
            return None, [problem]
        first = text.splitlines()[0]
        separator = max((",", ";", "\t"), key=first.count)
        if first.count(separator) == 0:
            return None, [Problem(path.name, "", (), _(
                "the first line has no column separators: this is not a CSV export with a header row. Export "
                "the report again as CSV."))]
        try:
            from io import StringIO

            frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False, sep=separator)
        except (pd.errors.ParserError, ValueError) as error:
            return None, [Problem(path.name, "", (), _(
                "the file is not a readable CSV ({detail}). Check that every line has the same number of "
                "columns.", detail=str(error).splitlines()[0][:160]))]
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda column: column.str.strip())
    if frame.empty:
        return None, [Problem(path.name, "", (), _("the file has a header but no rows. Export the report again."))]
    return frame, []


def load_mapping(mapping: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    """A built-in mapping by name, a mapping dict, or a YAML file of the same shape (see MAPPINGS)."""
    if isinstance(mapping, Mapping):
        return dict(mapping)
    if str(mapping) in MAPPINGS:
        return MAPPINGS[str(mapping)]
    path = Path(mapping)
    if not path.is_file():
        raise ValueError(_("Unknown mapping '{mapping}'. Use hubspot, salesforce, auto, or a YAML mapping file.",
                           mapping=mapping))
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict) or not ({"leads", "deals"} & set(loaded)):
        raise ValueError(_("{path}: a mapping file needs a 'leads' and/or a 'deals' section mapping course "
                           "fields to your column names (see instructor/workshop.md).", path=path))
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


def choose_mapping(frames: Iterable[pd.DataFrame]) -> dict[str, Any]:
    """The built-in mapping whose column names the files use most."""
    headers = [set(f.columns) for f in frames]

    def hits(mapping: dict[str, Any]) -> int:
        names = {n for kind in ("leads", "deals") for names in mapping[kind].values() for n in names}
        return sum(len(names & h) for h in headers)

    return max(MAPPINGS.values(), key=hits)


# ---- parsing values -------------------------------------------------------------------------------------

def _lines(mask: pd.Series | np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) + 2 for i in np.flatnonzero(np.asarray(mask)))


def parse_dates(text: pd.Series) -> tuple[pd.Series, pd.Series, str | None]:
    """Dates in the first format that reads every filled cell (ISO, US, European, Chinese…). Returns the
    values, a mask of cells no format reads, and the format chosen."""
    filled = text.notna() & (text != "")
    if not filled.any():
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]"), pd.Series(False, index=text.index), None
    best: tuple[int, pd.Series, str] | None = None
    for fmt in DATE_FORMATS:
        values = pd.to_datetime(text.where(filled), format=fmt, errors="coerce")
        bad = filled & values.isna()
        if best is None or bad.sum() < best[0]:
            best = (int(bad.sum()), values, fmt)
        if not bad.any():
            break
    _count, values, fmt = best
    return values.astype("datetime64[s]"), filled & values.isna(), fmt


_MONEY_NOISE = re.compile(r"[^\d,.\-()]")


def parse_amounts(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Money as numbers: currency symbols and codes dropped, thousands separators understood (1,234.50 and
    1.234,50), accounting negatives (1,234) read as negative. Returns values and a mask of unreadable cells."""
    filled = text.notna() & (text != "")

    def one(cell: str) -> float:
        cleaned = _MONEY_NOISE.sub("", cell)
        negative = cleaned.startswith("(") and cleaned.endswith(")") or cleaned.startswith("-")
        cleaned = cleaned.strip("()-")
        if "," in cleaned and "." in cleaned:
            decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
            cleaned = cleaned.replace("." if decimal == "," else ",", "").replace(",", ".")
        elif "," in cleaned:
            parts = cleaned.split(",")
            thousands = all(len(p) == 3 for p in parts[1:])
            cleaned = cleaned.replace(",", "") if thousands else cleaned.replace(",", ".")
        try:
            value = float(cleaned)
        except ValueError:
            return math.nan
        return -value if negative else value

    values = text.where(filled).map(lambda c: one(c) if isinstance(c, str) else math.nan).astype(float)
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
    values, bad, _fmt = parse_dates(text)
    if bad.any():
        problems.append(Problem(export.path.name, export.columns[field_name], _lines(bad), _(
            "date(s) that cannot be read, such as '{example}'. Use one date format in the whole column, e.g. "
            "2025-03-01 or 03/01/2025 14:30.", example=text[bad].iloc[0])))
    return values


def _ids(export: Export, field_name: str, problems: list[Problem], unique: bool) -> pd.Series:
    values = _column(export, field_name).astype(str).str.strip()
    empty = values == ""
    if empty.any():
        problems.append(Problem(export.path.name, export.columns[field_name], _lines(empty), _(
            "empty identifier(s). Every row needs its record ID: export the report with the ID column filled.")))
    if unique:
        duplicated = values.duplicated(keep=False) & ~empty
        if duplicated.any():
            problems.append(Problem(export.path.name, export.columns[field_name], _lines(duplicated), _(
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
        problems.append(Problem(export.path.name, export.columns[field_name], _lines(unknown), _(
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


def build(exports: Sequence[Export], mapping: dict[str, Any], name: str) -> ImportResult:
    """Map the exports onto the course tables; raise DataValidationError listing every problem."""
    problems: list[Problem] = []
    leads_files = [e for e in exports if e.kind == "leads"]
    deals_files = [e for e in exports if e.kind == "deals"]
    if len(leads_files) != 1 or len(deals_files) > 1:
        problems.append(Problem(", ".join(e.path.name for e in exports), "", (), _(
            "give exactly one leads/contacts export and at most one deals/opportunities export (found {leads} "
            "leads and {deals} deals file(s)).", leads=len(leads_files), deals=len(deals_files))))
        raise DataValidationError(_("your export"), problems)
    lead_export = leads_files[0]
    approximated: list[str] = []
    if not _required(lead_export, mapping, ("lead_id", "created_at"), problems):
        raise DataValidationError(lead_export.path.name, problems)
    index = lead_export.frame.index
    lead_id = _ids(lead_export, "lead_id", problems, unique=True)
    created = _dates(lead_export, "created_at", problems)
    mql = _dates(lead_export, "mql_at", problems) if "mql_at" in lead_export.columns else created.copy()
    if "mql_at" not in lead_export.columns:
        approximated.append("leads.mql_at (every lead counted as an MQL when it was created)")
    sql = _dates(lead_export, "sql_at", problems)
    sal = _dates(lead_export, "sal_at", problems)
    channel = _mapped(lead_export, "channel", {**CHANNELS, **{k.lower(): v for k, v in mapping.get("channels", {}).items()}},
                      schema.CHANNELS, _("lead source(s)"), "channels", problems)
    if channel is not None and (_column(lead_export, "channel") == "").any():
        channel = channel.where(_column(lead_export, "channel") != "", "content")
        approximated.append("leads.channel (empty lead sources set to content)")
    if channel is None:
        channel = pd.Series("content", index=index)
        approximated.append("leads.channel (no lead source in the export: all set to content)")
    score_text = _column(lead_export, "score")
    if score_text is None:
        score = pd.Series(np.where(mql.notna(), 60, 20), index=index)
        approximated.append("leads.score (no score in the export: 60 for MQLs, 20 for the rest)")
    else:
        rated = score_text.str.lower().map(RATINGS)
        numbers, bad = parse_amounts(score_text.where(rated.isna(), ""))
        numbers = numbers.fillna(rated)
        bad = bad & rated.isna()
        if bad.any():
            problems.append(Problem(lead_export.path.name, lead_export.columns["score"], _lines(bad), _(
                "score(s) that are not numbers (or Hot/Warm/Cold), such as '{example}'.", example=score_text[bad].iloc[0])))
        score = numbers.fillna(0).clip(0, 100).round()
    segment = _segment(_column(lead_export, "employees"))
    if segment is None:
        segment = pd.Series("smb", index=index)
        approximated.append("leads.segment (no company size in the export: all set to smb)")
    approximated.append("leads.region (not mapped from an export: all set to north)")
    if "sal_at" not in lead_export.columns:
        approximated.append("leads.sal_at and first_response_minutes (no first-contact date in the export: "
                            "acceptance taken as qualification, response times unknown)")
        sal = sql.copy()
    minutes = ((sal - mql).dt.total_seconds() / 60).where(sal.notna() & ("sal_at" in lead_export.columns))

    deal_frame = None
    if deals_files:
        deal_export = deals_files[0]
        needed = ["opportunity_id", "created_at", "amount", "stage"]
        if "lead_id" not in deal_export.columns and "opportunity_ref" not in lead_export.columns:
            needed.append("lead_id")
        if _required(deal_export, mapping, needed, problems):
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
    approximated.append("campaigns.spend (not in a CRM export: 0, so cost per lead and CAC are not measured)")
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
    approximated.append("accounts (one per won deal; recurring revenue = amount ÷ 12; churn and NPS unknown)")
    tables = {"campaigns": campaigns, "leads": leads, "opportunities": opportunities, "accounts": accounts,
              "employees": employees}
    missing = list(NOT_IN_A_CRM_EXPORT) + ([] if deal_frame is not None else ["opportunities"])
    for table in schema.TABLES:
        tables.setdefault(table, datasets.parse_empty(schema.TABLES[table]))
    params = {"name": name, "kind": _("imported from a {crm} export", crm=mapping.get("name", "CRM")),
              "story": _("Your own company, imported for a workshop."),
              "import": {"mapping": mapping.get("name", "custom"), "files": [e.path.name for e in exports],
                         "missing": missing, "approximated": approximated}}
    return ImportResult({t: tables[t] for t in schema.TABLES}, params)


def _deals(export: Export, lead_export: Export, lead_id: pd.Series, mapping: dict[str, Any],
           problems: list[Problem]) -> pd.DataFrame:
    opportunity_id = _ids(export, "opportunity_id", problems, unique=True)
    created = _dates(export, "created_at", problems)
    closed = _dates(export, "closed_at", problems)
    amount_text = _column(export, "amount")
    amount, bad = parse_amounts(amount_text)
    if bad.any():
        problems.append(Problem(export.path.name, export.columns["amount"], _lines(bad), _(
            "amount(s) that are not numbers, such as '{example}'. Write amounts like 12,500.00 or 12500.",
            example=amount_text[bad].iloc[0])))
    negative = amount < 0
    if negative.any():
        problems.append(Problem(export.path.name, export.columns["amount"], _lines(negative), _(
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
                                _lines(unknown), _(
            "deal(s) whose contact/lead is not in the leads export, such as '{example}'. Export the contacts "
            "of every deal, or remove these deals.", example=(deal_lead[unknown].fillna("(none)")).iloc[0])))
    outcome = stage.map({"closed_won": "won", "closed_lost": "lost"}).fillna("open")
    no_close = (outcome != "open") & closed.isna()
    if no_close.any():
        problems.append(Problem(export.path.name, export.columns.get("closed_at", "Close Date"), _lines(no_close), _(
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
                 name: str | None = None) -> Path:
    """Import a CRM export into a company folder. Raises DataValidationError with every problem (file,
    column, lines, how to fix); writes nothing unless the whole import is valid."""
    out = Path(out)
    datasets.check_writable(out, force)  # before any work: never overwrite a folder by accident
    problems: list[Problem] = []
    frames: list[tuple[Path, pd.DataFrame]] = []
    for file in files:
        frame, found = read_export(file)
        problems += found
        if frame is not None:
            frames.append((Path(file), frame))
    if problems:
        raise DataValidationError(", ".join(Path(f).name for f in files), problems)
    chosen = choose_mapping([f for _p, f in frames]) if str(mapping) == "auto" else load_mapping(mapping)
    exports = []
    for path, frame in frames:
        kind = _kind(frame, chosen)
        if kind is None:
            problems.append(Problem(path.name, "", (), _(
                "neither a leads/contacts nor a deals/opportunities export for the {crm} mapping: too few of its "
                "lead columns (such as '{lead}' and '{created}') and no '{stage}' column. Columns found: {found}.", crm=chosen.get("name"),
                lead=chosen["leads"]["lead_id"][0], created=chosen["leads"]["created_at"][0],
                stage=chosen["deals"]["stage"][0], found=", ".join(frame.columns))))
            continue
        export = Export(path, kind, frame)
        export.columns = {f: c for f, names in chosen[kind].items() if (c := _find(frame, names))}
        exports.append(export)
    if problems:
        raise DataValidationError(", ".join(Path(f).name for f in files), problems)
    result = build(exports, chosen, name or out.name)
    _validate(result, exports)
    return datasets.write_company(result.tables, result.params, out, force=force)


def _validate(result: ImportResult, exports: Sequence[Export]) -> None:
    """The course's own schema check on the mapped tables, with problems told in the export's terms."""
    source = {"leads": next(e.path.name for e in exports if e.kind == "leads"),
              "opportunities": next((e.path.name for e in exports if e.kind == "deals"), "opportunities.csv")}
    problems = []
    for name, frame in result.tables.items():
        table = schema.TABLES[name]
        text = datasets._as_text(table, frame).replace("", np.nan)
        _typed, found = schema.parse_table(table, text)
        problems += [Problem(source.get(name, table.file), p.column, p.rows, p.message) for p in found]
    if problems:
        raise DataValidationError(", ".join(sorted(set(source.values()))), problems)


def describe(company: datasets.Company) -> str:
    """What an imported company lacks, in one paragraph ("" for a course company)."""
    info = company.params.get("import", {})
    if not info:
        return ""
    return _("{name} was imported from a {crm} export. Not in the export, so not analysed here: {missing}. "
             "Approximated: {approximated}.", name=company.name, crm=info.get("mapping", "CRM"),
             missing=", ".join(info.get("missing", [])) or _("nothing"),
             approximated="; ".join(info.get("approximated", [])) or _("nothing"))


def note(company: datasets.Company):  # noqa: ANN201 - an IPython Markdown, or None
    """For a notebook: a visible note on what an imported company lacks; nothing for a course company."""
    text = describe(company)
    if not text:
        return None
    from IPython.display import Markdown

    return Markdown("> **" + _("Your data") + ":** " + text)


def has(company: datasets.Company, table: str) -> bool:
    """Whether the company has data for ``table`` (an imported company lacks what its CRM export lacks)."""
    missing = set(company.params.get("import", {}).get("missing", [])) | set(company.missing)
    return table not in missing and len(company.tables.get(table, ())) > 0


def lacks(company: datasets.Company, table: str):  # noqa: ANN201 - an IPython Markdown
    """For a notebook cell that needs ``table``: say plainly that this company has none."""
    from IPython.display import Markdown

    return Markdown("> " + _("{name} has no {table} data (a CRM export does not hold it), so this step is "
                             "skipped. Run it on a course company to see it.", name=company.name,
                             table=table.replace("_", " ")))


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
        only: Sequence[str] = ()) -> list[Path]:
    """Execute the course notebooks on a company (a course name or an imported folder) and write each as
    HTML into ``out``. ``only`` picks notebooks by their number or name (e.g. "02", "03_funnel_handoff")."""
    from nbconvert import HTMLExporter

    from smarketing import notebooks

    folder = Path(data)
    company = str(folder.resolve()) if folder.is_dir() else str(data)
    datasets.load_company(company)  # refuse bad data before running anything, with the loader's own report
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    chosen = [p for p in parametrised_notebooks(course)
              if not only or any(p.stem == o or p.stem.startswith(f"{o}_") for o in only)]
    written = []
    for path in chosen:
        executed = out / path.name
        notebook, _seconds = notebooks.execute(path, output=executed, cwd=course, env={COMPANY_VARIABLE: company})
        body, _resources = HTMLExporter(template_name="lab").from_notebook_node(notebook)
        html_path = out / f"{path.stem}.html"
        html_path.write_text(body, encoding="utf-8")
        written.append(html_path)
    return written
