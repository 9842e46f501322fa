"""The schema of every table: columns, types, allowed values, keys and date order, in one place.

The same definitions validate data (:func:`validate`, used by :func:`smarketing.load_company` and
``smarketing validate``) and write the data dictionary in ``datasets/README.md``
(:func:`data_dictionary_markdown`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from smarketing.messages import _

Kind = Literal["id", "text", "category", "int", "float", "datetime", "date", "bool"]

SEGMENTS = ("smb", "mid_market", "enterprise")
REGIONS = ("north", "south", "east", "west")
CHANNELS = ("paid_search", "paid_social", "content", "email", "webinar", "events", "partner", "referral")
OTHER = ("other",)
FUNCTIONS = ("marketing", "sales", "operations", "revops")
OPPORTUNITY_STAGES = ("prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost")
OUTCOMES = ("won", "lost", "open")
DISQUALIFICATION_REASONS = ("no_budget", "no_fit", "no_response", "competitor", "timing", "duplicate")
LOSS_REASONS = ("price", "competitor", "no_decision", "timing", "product_fit")
BANT = ("budget", "authority", "need", "timeline")  # the qualification checklist on each deal: bant_<criterion>
TOUCH_TYPES = ("ad_click", "email_click", "content_download", "webinar", "event_visit", "form_fill")
TICKET_CATEGORIES = ("billing", "product", "shipping", "returns", "how_to")
MOVE_TYPES = ("promotion", "function_change")
# The job titles of each function, from the first level to the top: the generator draws careers on them and
# module 06 reads them.
LADDERS: dict[str, tuple[str, ...]] = {
    "marketing": ("Marketing Associate", "Marketing Specialist", "Senior Marketing Specialist",
                  "Marketing Manager", "Marketing Director", "VP Marketing"),
    "sales": ("Sales Rep", "Sales Supervisor", "Sales Manager", "Sales Director", "VP Sales"),
    "operations": ("Junior Operations Specialist", "Senior Operations Specialist", "Operations Manager",
                   "Operations Director"),
    "revops": ("Revenue Operations Analyst", "Revenue Operations Manager", "Head of Revenue Operations"),
}
OPERATIONS_BRANCH = "Product Manager"  # seed 004: operations managers branch into product or ops direction
# Each activity with the function that owns it: module 01 looks for work done by the "wrong" function.
ACTIVITY_OWNERS = {
    "plan campaigns": "marketing", "create content": "marketing", "run events": "marketing",
    "analyse market": "marketing", "nurture leads": "marketing",
    "prospect by phone": "sales", "run demos": "sales", "negotiate contracts": "sales",
    "forecast pipeline": "sales", "manage accounts": "sales",
    "fulfil orders": "operations", "handle tickets": "operations", "improve processes": "operations",
    "maintain CRM": "revops", "build reports": "revops",
}
ACTIVITIES = tuple(ACTIVITY_OWNERS)
TARGET_METRICS = ("mqls", "sqls", "bookings", "new_customers", "csat", "orders", "on_time_delivery")


@dataclass(frozen=True)
class Column:
    """One column: its kind, meaning, unit and the values it may take."""

    name: str
    kind: Kind
    description: str
    unit: str = ""
    nullable: bool = False
    allowed: tuple[str, ...] = ()
    # Values only an imported company has (a lead source the course does not know is "other"): allowed, but a
    # category of the column only where the data holds one, so that no course table shows an empty row of them.
    imported: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    references: str = ""  # "table.column" that this column points to


@dataclass(frozen=True)
class Table:
    """One table (one CSV file): its columns, primary key, and which dates must come in order."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: str
    date_order: tuple[tuple[str, str], ...] = ()
    optional: bool = False
    optional_note: str = ""  # who has the table, when not every company does

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


def _id(name: str, description: str, references: str = "", nullable: bool = False) -> Column:
    return Column(name, "id", description, references=references, nullable=nullable)


def _touch_columns(when: str) -> tuple[Column, ...]:
    """The columns of a table of marketing touches (``touchpoints``, ``later_touchpoints``)."""
    return (
        _id("touchpoint_id", "Touchpoint identifier."),
        _id("lead_id", "Lead touched.", references="leads.lead_id"),
        Column("touched_at", "datetime", when),
        Column("channel", "category", "Channel of the interaction.", allowed=CHANNELS),
        _id("campaign_id", "Campaign behind it.", references="campaigns.campaign_id"),
        Column("touch_type", "category", "Kind of interaction.", allowed=TOUCH_TYPES),
    )


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "campaigns", "Marketing campaigns and what they cost.",
            (
                _id("campaign_id", "Campaign identifier."),
                Column("name", "text", "Campaign name."),
                Column("channel", "category", "Marketing channel (`other` only in an imported company: a lead "
                       "source the course does not know).", allowed=CHANNELS, imported=OTHER),
                Column("start_date", "date", "First day of the campaign."),
                Column("end_date", "date", "Last day of the campaign."),
                Column("spend", "float", "Money spent on the campaign.", unit="currency", minimum=0),
            ),
            key="campaign_id", date_order=(("start_date", "end_date"),),
        ),
        Table(
            "leads", "Every lead, with the time it reached each funnel stage (NaT: never reached).",
            (
                _id("lead_id", "Lead identifier."),
                Column("created_at", "datetime", "When the lead came in."),
                _id("campaign_id", "Campaign that brought the lead in.", references="campaigns.campaign_id"),
                Column("channel", "category", "Channel of that campaign (`other` only in an imported company).",
                       allowed=CHANNELS, imported=OTHER),
                Column("segment", "category", "Company size of the lead's organisation.", allowed=SEGMENTS),
                Column("region", "category", "Sales region.", allowed=REGIONS),
                Column("score", "int", "Lead score (fit + engagement).", unit="points", minimum=0, maximum=100),
                Column("mql_at", "datetime", "Became a marketing-qualified lead.", nullable=True),
                Column("sal_at", "datetime", "Accepted by sales for follow-up; in the synthetic companies a rep "
                       "accepts a lead at its first contact.", nullable=True),
                Column("sql_at", "datetime", "Qualified by sales as a real opportunity.", nullable=True),
                Column("first_response_minutes", "float", "Minutes from MQL to sales' first contact; empty if "
                       "never contacted.", unit="minutes", nullable=True, minimum=0),
                _id("owner_id", "Sales rep who owns the lead: in the synthetic companies, a rep of the lead's region "
                "already hired when it became an MQL, where the region had one.", references="employees.employee_id",
                nullable=True),
                Column("disqualification_reason", "category", "Why sales turned the lead down.", nullable=True,
                       allowed=DISQUALIFICATION_REASONS),
            ),
            key="lead_id", date_order=(("created_at", "mql_at"), ("mql_at", "sal_at"), ("sal_at", "sql_at")),
        ),
        Table(
            "touchpoints", "Marketing and sales interactions of each lead (for attribution).",
            _touch_columns("When the interaction happened."),
            key="touchpoint_id",
        ),
        Table(
            "later_touchpoints", "Marketing touches after a sales-qualified lead was created, up to its opportunity "
            "and while its deal is worked (nurture e-mails, webinars, content): with `touchpoints`, the whole journey "
            "that W-shaped attribution credits. Their identifiers follow on from those of `touchpoints`.",
            _touch_columns("When the interaction happened (after the lead was created)."),
            key="touchpoint_id", optional=True,
            optional_note="Not in most CRM exports, nor in a folder written before the table existed.",
        ),
        Table(
            "opportunities", "Deals that sales opened from qualified leads.",
            (
                _id("opportunity_id", "Opportunity identifier."),
                _id("lead_id", "Lead the deal came from (empty only in an imported company whose deals are not "
                    "linked to its leads).", references="leads.lead_id", nullable=True),
                _id("account_id", "Customer account, once the deal is won.", references="accounts.account_id",
                    nullable=True),
                _id("owner_id", "Sales rep who owns the deal.", references="employees.employee_id"),
                Column("created_at", "datetime", "When the opportunity was opened."),
                Column("amount", "float", "Deal value (annual contract value); empty only in an imported company "
                       "whose export left it out.", unit="currency", minimum=0, nullable=True),
                Column("stage", "category", "Current stage.", allowed=OPPORTUNITY_STAGES),
                Column("closed_at", "datetime", "When the deal was won or lost; empty while open.", nullable=True),
                Column("outcome", "category", "won, lost or still open.", allowed=OUTCOMES),
                Column("loss_reason", "category", "Why the deal was lost.", nullable=True, allowed=LOSS_REASONS),
                *(Column(f"bant_{criterion}", "bool", f"Qualification checklist (BANT), ticked by the rep when the "
                         f"deal was opened: {meaning}. Empty in an imported company whose export has no checklist.",
                         nullable=True)
                  for criterion, meaning in zip(BANT, ("the buyer has a budget for it",
                                                       "the person who decides is involved",
                                                       "the buyer confirmed the problem the product solves",
                                                       "the buyer has a date to decide by"), strict=True)),
                Column("discount", "float", "Discount off the list price in the deal's final quote (0.12 = 12 %; "
                       "amount is the price after it); empty if the deal never reached a proposal.", unit="share",
                       minimum=0, maximum=1, nullable=True),
            ),
            key="opportunity_id", date_order=(("created_at", "closed_at"),),
        ),
        Table(
            "opportunity_history", "Every change of a deal, as a CRM's opportunity history keeps it: a row when the "
            "deal is opened and one each time it moves to another stage, with the amount and the expected close date "
            "the rep gave then.",
            (
                _id("history_id", "Row identifier."),
                _id("opportunity_id", "The deal that changed.", references="opportunities.opportunity_id"),
                Column("changed_at", "datetime", "When the deal entered this stage."),
                Column("stage", "category", "The stage it entered.", allowed=OPPORTUNITY_STAGES),
                Column("amount", "float", "The deal's value as the rep gave it then.", unit="currency", minimum=0),
                Column("close_date", "date", "The close date the rep expected then; for a closed deal, the day it "
                       "closed."),
            ),
            key="history_id",
        ),
        Table(
            "accounts", "Customers won, what they pay, whether they stayed, and how they rate us.",
            (
                _id("account_id", "Account identifier."),
                Column("segment", "category", "Company size.", allowed=SEGMENTS),
                Column("region", "category", "Region.", allowed=REGIONS),
                Column("start_date", "date", "First day as a customer."),
                Column("starting_mrr", "float", "Monthly recurring revenue at the start.", unit="currency per month",
                       minimum=0),
                Column("current_mrr", "float", "Monthly recurring revenue at the end of the data (0 if churned).",
                       unit="currency per month", minimum=0),
                Column("mrr_12_months_ago", "float", "Monthly recurring revenue twelve months before the end of the "
                       "data; empty if not a customer then. Net and gross revenue retention start from it.",
                       unit="currency per month", nullable=True, minimum=0),
                Column("churned_at", "date", "Day the customer left; empty if still a customer.", nullable=True),
                Column("nps", "int", "Answer to 'how likely are you to recommend us?'.", unit="0–10",
                       nullable=True, minimum=0, maximum=10),
            ),
            key="account_id", date_order=(("start_date", "churned_at"),),
        ),
        Table(
            "support_tickets", "Customer support requests and how well they were handled.",
            (
                _id("ticket_id", "Ticket identifier."),
                _id("account_id", "Account that asked (B2B).", references="accounts.account_id", nullable=True),
                _id("order_id", "Order concerned (e-commerce).", references="orders.order_id", nullable=True),
                Column("opened_at", "datetime", "When the ticket was opened."),
                Column("resolved_at", "datetime", "When it was resolved; empty if still open.", nullable=True),
                Column("category", "category", "Topic.", allowed=TICKET_CATEGORIES),
                Column("csat", "int", "Customer satisfaction rating; empty if not answered.", unit="1–5",
                       nullable=True, minimum=1, maximum=5),
                Column("cost", "float", "Cost of handling the ticket.", unit="currency", minimum=0),
            ),
            key="ticket_id", date_order=(("opened_at", "resolved_at"),),
        ),
        Table(
            "orders", "Online orders and their fulfilment (e-commerce companies only).",
            (
                _id("order_id", "Order identifier."),
                _id("customer_id", "Shopper identifier."),
                _id("campaign_id", "Campaign that acquired the shopper, if known.",
                    references="campaigns.campaign_id", nullable=True),
                Column("ordered_at", "datetime", "When the order was placed."),
                Column("promised_by", "date", "Delivery date promised at checkout."),
                Column("shipped_at", "datetime", "When it left the warehouse."),
                Column("delivered_at", "datetime", "When it reached the shopper."),
                Column("value", "float", "Order value.", unit="currency", minimum=0),
                Column("items", "int", "Number of items.", minimum=1),
                Column("returned", "bool", "Whether the order was sent back."),
            ),
            key="order_id", date_order=(("ordered_at", "shipped_at"), ("shipped_at", "delivered_at")),
            optional=True, optional_note="Only for e-commerce companies (bloom).",
        ),
        Table(
            "employees", "Staff of the go-to-market functions.",
            (
                _id("employee_id", "Employee identifier."),
                Column("name", "text", "Synthetic name."),
                Column("function", "category", "Function.", allowed=FUNCTIONS),
                Column("title", "text", "Job title."),
                Column("level", "int", "Level on the function's ladder (1 = entry).", minimum=1, maximum=7),
                Column("hire_date", "date", "First day at the company."),
                _id("manager_id", "Line manager.", references="employees.employee_id", nullable=True),
                Column("region", "category", "Region.", allowed=REGIONS),
                Column("quarterly_quota", "float", "Bookings quota per quarter (sales reps only).",
                       unit="currency per quarter", nullable=True, minimum=0),
            ),
            key="employee_id",
        ),
        Table(
            "career_moves", "Promotions and moves between roles.",
            (
                _id("move_id", "Move identifier."),
                _id("employee_id", "Who moved.", references="employees.employee_id"),
                Column("moved_at", "date", "Date of the move."),
                Column("from_role", "text", "Role before."),
                Column("from_level", "int", "Level before.", minimum=1, maximum=7),
                Column("to_role", "text", "Role after."),
                Column("to_level", "int", "Level after.", minimum=1, maximum=7),
                Column("move_type", "category", "Kind of move.", allowed=MOVE_TYPES),
            ),
            key="move_id",
        ),
        Table(
            "activities", "Time sheets: who really does what, in hours per week.",
            (
                _id("activity_id", "Row identifier."),
                _id("employee_id", "Who did the work.", references="employees.employee_id"),
                Column("week", "date", "Monday of the week."),
                Column("activity", "category", "What the time went to.", allowed=ACTIVITIES),
                Column("hours", "float", "Hours spent that week.", unit="hours", minimum=0, maximum=80),
            ),
            key="activity_id",
        ),
        Table(
            "targets", "Quarterly targets per function.",
            (
                _id("target_id", "Row identifier."),
                Column("quarter", "text", "Quarter, e.g. 2025Q1."),
                Column("function", "category", "Function that owns the target.", allowed=FUNCTIONS),
                Column("metric", "category", "What is measured.", allowed=TARGET_METRICS),
                Column("target", "float", "Target value for the quarter.", minimum=0),
            ),
            key="target_id",
        ),
    )
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, with where it is and how to fix it."""

    file: str
    column: str
    rows: tuple[int, ...]  # line numbers in the CSV file (the header is line 1)
    message: str

    def __str__(self) -> str:
        where = self.file + (f", column '{self.column}'" if self.column else "")
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:5])
            more = _(" and {count} more", count=len(self.rows) - 5) if len(self.rows) > 5 else ""
            where += _(", line(s) {lines}{more}", lines=shown, more=more)
        return f"{where}: {self.message}"


def require_columns(frame: pd.DataFrame, table: str, *columns: str) -> None:
    """Refuse, in plain words, a table that lacks columns a computation needs."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(_("The {table} table is missing column(s) {columns}; load it with "
                           "smarketing.load_company or check your export's headers.", table=table,
                           columns=", ".join(missing)))


def _lines(mask: pd.Series | np.ndarray) -> tuple[int, ...]:
    """CSV line numbers of the rows where ``mask`` is true (header on line 1, first row on line 2)."""
    return tuple(int(i) + 2 for i in np.flatnonzero(np.asarray(mask)))


def parse_table(table: Table, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn a table read as text into typed columns; report every value that does not fit the schema."""
    problems: list[Problem] = []
    missing = [c.name for c in table.columns if c.name not in raw.columns]
    if missing:
        problems.append(Problem(table.file, ", ".join(missing), (), _(
            "required column(s) missing. Add them with exactly these names (see datasets/README.md); "
            "columns found: {found}.", found=", ".join(map(str, raw.columns)) or _("none"))))
        return raw, problems
    typed: dict[str, pd.Series] = {}
    for column in table.columns:
        text = raw[column.name]
        empty = text.isna() | (text.astype("string").str.strip() == "")
        problems += _unfilled(table, column, empty)
        values, bad = _convert(column, text.where(~empty))
        if bad.any():
            problems.append(Problem(table.file, column.name, _lines(bad), _(
                "value(s) that are not {kind} (e.g. '{example}'). {hint}", kind=_KIND_NAMES[column.kind],
                example=text[bad].iloc[0], hint=_KIND_HINTS[column.kind])))
        typed[column.name] = values
    frame = pd.DataFrame(typed, index=raw.index)
    problems += check_categories(table, raw, frame)
    problems += _check_values(table, frame)
    return frame, problems


def _unfilled(table: Table, column: Column, empty: pd.Series) -> list[Problem]:
    """A problem for the empty cells of a column that must always be filled."""
    if column.nullable or not empty.any():
        return []
    return [Problem(table.file, column.name, _lines(empty), _(
        "empty value(s) in a column that must always be filled. Fill them in or drop those rows."))]


def check_typed(table: Table, frame: pd.DataFrame) -> list[Problem]:
    """The checks of :func:`parse_table` on a table built with its types already (as a CRM import builds one):
    every required value filled, every category known, ranges, unique keys and dates in order. Lines count as in
    the CSV file the table is written to (its first row on line 2)."""
    problems: list[Problem] = []
    typed = frame.copy(deep=False)
    for column in table.columns:
        values = frame[column.name]
        empty = values.isna()
        if column.kind in ("id", "text", "category"):
            empty |= values.astype("string").str.strip().fillna("") == ""
        problems += _unfilled(table, column, empty)
        if column.kind == "category":
            typed[column.name] = values.where(values.astype("string").isin((*column.allowed, *column.imported)))
    return problems + check_categories(table, frame, typed) + _check_values(table, typed)


_KIND_NAMES = {
    "id": "identifiers", "text": "text", "category": "known categories", "int": "whole numbers",
    "float": "numbers", "datetime": "date-times", "date": "dates", "bool": "true/false values",
}
_KIND_HINTS = {
    "id": "", "text": "",
    "category": "",
    "int": "Write whole numbers without units or separators, e.g. 42.",
    "float": "Write plain numbers without currency symbols or thousands separators, e.g. 1234.5.",
    "datetime": "Write date-times in ISO 8601, e.g. 2025-03-01T09:30 or 2025-03-01 09:30:00.",
    "date": "Write dates as YYYY-MM-DD, e.g. 2025-03-01.",
    "bool": "Write true or false.",
}


def _convert(column: Column, text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Convert one text column to its kind; return the values and a mask of unconvertible cells."""
    present = text.notna()
    if column.kind in ("int", "float"):
        numbers = pd.to_numeric(text, errors="coerce")
        bad = present & numbers.isna()
        if column.kind == "int":
            whole = numbers.dropna() % 1 == 0
            bad |= present & ~whole.reindex(text.index, fill_value=True)
            return numbers.round().astype("Int64"), bad
        return numbers.astype("float64"), bad
    if column.kind in ("datetime", "date"):
        moments = pd.to_datetime(text, errors="coerce", format="ISO8601")
        return moments.astype("datetime64[s]"), present & moments.isna()
    if column.kind == "bool":
        lowered = text.astype("string").str.strip().str.lower()
        mapped = lowered.map({"true": True, "false": False, "1": True, "0": False})
        return mapped.astype("boolean"), present & mapped.isna()
    if column.kind == "category":
        values = text.astype("string").str.strip()
        held = [v for v in column.imported if (values == v).any()]
        known = values.where(values.isin((*column.allowed, *held)))  # unknown values are reported by check_categories
        return known.astype(pd.CategoricalDtype([*column.allowed, *held])), pd.Series(False, index=text.index)
    return text.astype("string").str.strip(), pd.Series(False, index=text.index)


def _check_values(table: Table, frame: pd.DataFrame) -> list[Problem]:
    """Range, allowed-value, uniqueness and date-order checks on a typed table."""
    problems: list[Problem] = []
    for column in table.columns:
        values = frame[column.name]
        if column.minimum is not None and column.kind in ("int", "float"):
            below = (values < column.minimum).fillna(False).astype(bool)
            if below.any():
                if column.minimum == 0:
                    message = _("negative value(s) (e.g. {example}); {column} cannot be below zero. Check for "
                                "refunds, credit notes or typos.", example=values[below].iloc[0],
                                column=column.name)
                else:
                    message = _("value(s) below the minimum {minimum} (e.g. {example}).",
                                minimum=column.minimum, example=values[below].iloc[0])
                problems.append(Problem(table.file, column.name, _lines(below), message))
        if column.maximum is not None and column.kind in ("int", "float"):
            above = (values > column.maximum).fillna(False).astype(bool)
            if above.any():
                problems.append(Problem(table.file, column.name, _lines(above), _(
                    "value(s) above the maximum {maximum} (e.g. {example}).", maximum=column.maximum,
                    example=values[above].iloc[0])))
    key = frame[table.key]
    duplicated = key.duplicated(keep=False) & key.notna()
    if duplicated.any():
        problems.append(Problem(table.file, table.key, _lines(duplicated), _(
            "duplicate identifier(s) (e.g. '{example}'); every row needs its own. Remove the duplicates.",
            example=key[duplicated].iloc[0])))
    for earlier, later in table.date_order:
        before = (frame[later] < frame[earlier]).fillna(False).astype(bool)
        if before.any():
            problems.append(Problem(table.file, later, _lines(before), _(
                "dates out of order: {later} comes before {earlier}. Check the two dates on these lines "
                "(day and month swapped?).", later=later, earlier=earlier)))
    return problems


def check_categories(table: Table, raw: pd.DataFrame, frame: pd.DataFrame) -> list[Problem]:
    """Values of category columns that are not in the allowed list (they would silently become empty)."""
    problems = []
    for column in table.columns:
        if column.kind != "category" or column.name not in raw.columns:
            continue
        given = raw[column.name].astype("string").str.strip()
        unknown = given.notna() & (given != "") & frame[column.name].isna()
        if unknown.any():
            problems.append(Problem(table.file, column.name, _lines(unknown), _(
                "unknown value(s) such as '{example}'. Allowed: {allowed}.", example=given[unknown].iloc[0],
                allowed=", ".join((*column.allowed, *column.imported)))))
    return problems


def check_references(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Every foreign key must point to an existing row of the table it references."""
    problems = []
    for name, frame in tables.items():
        for column in TABLES[name].columns:
            if not column.references:
                continue
            target_table, target_column = column.references.split(".")
            if target_table not in tables:
                continue
            values = frame[column.name]
            dangling = values.notna() & ~values.isin(tables[target_table][target_column])
            if dangling.any():
                problems.append(Problem(TABLES[name].file, column.name, _lines(dangling), _(
                    "value(s) such as '{example}' not found in {target}. Fix the identifier or add the "
                    "missing row to {target_file}.", example=values[dangling].iloc[0], target=column.references,
                    target_file=TABLES[target_table].file)))
    return problems


def data_dictionary_markdown() -> str:
    """The data dictionary of every table, as Markdown (written to datasets/README.md)."""
    parts = []
    for table in TABLES.values():
        note = " " + _(table.optional_note) if table.optional_note else ""
        parts.append(f"### `{table.file}`\n\n{table.description}{note} Key: `{table.key}`.\n")
        parts.append("| column | type | unit | empty allowed | allowed values / range | meaning |")
        parts.append("|---|---|---|---|---|---|")
        for c in table.columns:
            if c.allowed:
                values = ", ".join(f"`{v}`" for v in c.allowed)
            elif c.minimum is not None or c.maximum is not None:
                low = "" if c.minimum is None else f"{c.minimum:g}"
                high = "" if c.maximum is None else f"{c.maximum:g}"
                values = f"{low}–{high}" if high else f"≥ {low}"
            elif c.references:
                values = f"→ `{c.references}`"
            else:
                values = ""
            parts.append(f"| `{c.name}` | {c.kind} | {c.unit} | {'yes' if c.nullable else 'no'} | {values} | "
                         f"{c.description} |")
        if table.date_order:
            order = "; ".join(f"`{a}` ≤ `{b}`" for a, b in table.date_order)
            parts.append(f"\nDates in order: {order}.")
        parts.append("")
    return "\n".join(parts)
