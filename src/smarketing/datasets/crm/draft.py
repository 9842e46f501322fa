"""A mapping file drafted from an export's own headers and values (`smarketing workshop mapping --init`): for
each file, which kind it is, which of its columns most likely holds each course field, and how its lead
sources, stages and loss reasons translate; every guess marked, every field it could not find listed, so a
facilitator checks and edits it in minutes instead of writing it."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from smarketing import schema
from smarketing.datasets.company import DataValidationError
from smarketing.datasets.crm.build import stage_of
from smarketing.datasets.crm.mapping_file import column_named
from smarketing.datasets.crm.mappings import (
    CHANNELS,
    FIELDS,
    LOSS_REASONS,
    MAPPINGS,
    STAGES,
)
from smarketing.datasets.crm.read import Export, read_export
from smarketing.messages import _

# Words a column's header uses for each course field, in any CRM (checked after the built-in mappings' names).
HINTS = {
    "leads": {
        "lead_id": r"^(lead|contact|person|record)?[\s_-]*id$|^(lead|contact|record)[\s_]id\b|线索\s*id|^id$",
        "created_at": r"creat|创建",
        "channel": r"source|channel|来源|渠道",
        "score": r"score|rating|评分",
        "mql_at": r"marketing qualified|\bmql\b",
        "sal_at": r"first (engagement|response|activity|contact)|accepted",
        "sql_at": r"sales qualified|\bsql\b|converted (date|time)|转化",
        "owner": r"owner|负责人|所有者",
        "employees": r"employees|company size|员工",
        "opportunity_ref": r"converted (opportunity|deal)",
    },
    "deals": {
        "opportunity_id": (r"^(deal|opportunity|potential|record)?[\s_-]*id$|^(deal|opportunity|potential|record)[\s_]id\b"
                           r"|商机\s*id|^id$"),
        "lead_id": r"(contact|lead|person).*id|联系人",
        "created_at": r"creat|创建",
        "amount": r"amount|value|revenue|金额",  # close_value, Est. Revenue
        "stage": r"^(?!.*lifecycle).*(stage|phase)|阶段",  # HubSpot contacts' Lifecycle Stage is no deal stage
        "status": r"^(deal\s*-\s*)?status$|状态",
        "closed_at": r"clos|won time|赢单日期|关闭",
        "loss_reason": r"los[st] reason|丢单原因",
        "owner": r"owner|sales[\s_]agent|负责人|所有者",
    },
}
NEEDED = {"leads": ("lead_id", "created_at"), "deals": ("opportunity_id", "created_at", "amount", "stage")}
# Each translated column: its kind and field, the known values, the course's, and where an unknown one goes (as
# the import would place it; None: left for the facilitator).
TRANSLATED: dict[str, tuple[str, str, dict[str, str], tuple[str, ...], Callable[[str], str] | None]] = {
    "channels": ("leads", "channel", CHANNELS, (*schema.CHANNELS, *schema.OTHER), lambda _value: "other"),
    "stages": ("deals", "stage", STAGES, schema.OPPORTUNITY_STAGES, stage_of),
    "loss_reasons": ("deals", "loss_reason", LOSS_REASONS, schema.LOSS_REASONS, None)}
SHOWN_VALUES = 40  # distinct values listed per translated column


def _guess(frame: pd.DataFrame, kind: str, field: str, taken: set[str]) -> str | None:
    """The column most likely to hold ``field``: one a built-in mapping names, else one whose header has the
    field's words; never a column already taken by another field."""
    free = frame.loc[:, [c for c in frame.columns if c not in taken]]
    named = column_named(free, [n for m in MAPPINGS.values() for n in m[kind].get(field, [])])
    if named:
        return named
    pattern = re.compile(HINTS[kind].get(field, "$^"), re.IGNORECASE)
    return next((c for c in free.columns if pattern.search(str(c).strip())), None)


def _kind(frame: pd.DataFrame) -> str:
    """"deals" when a column names a deal stage; otherwise "leads" (a lead export may have an amount, such as
    Salesforce's Annual Revenue)."""
    deals = re.compile(HINTS["deals"]["stage"], re.IGNORECASE)
    return "deals" if any(deals.search(str(c)) for c in frame.columns) else "leads"


def _quoted(text: str) -> str:
    """A YAML scalar for any text (JSON's double-quoted strings are YAML's)."""
    return json.dumps(str(text), ensure_ascii=False)


def _example(frame: pd.DataFrame, column: str) -> str:
    filled = frame[column][frame[column].str.strip() != ""]
    return _("e.g. {value}", value=_quoted(filled.iloc[0][:40])) if len(filled) else _("all empty")


def draft_mapping(files: Sequence[str | os.PathLike[str]], name: str = "my-crm",
                  path: str | os.PathLike[str] = "my-crm.yaml") -> tuple[str, list[str]]:
    """The text of a commented mapping file for ``files`` (every guess marked for checking, every field not
    found listed), and the needed fields it could not find, as "leads.lead_id". Raises DataValidationError
    when a file cannot be read at all."""
    exports: list[Export] = []
    for file in files:
        export, problems = read_export(file)
        if problems:
            raise DataValidationError(Path(file).name, problems)
        exports.append(export)
    by_kind: dict[str, Export] = {}
    for export in exports:
        by_kind.setdefault(_kind(export.frame), export)
    lines = [_("# A mapping for `smarketing workshop import`, drafted from {files}.", files=", ".join(
                 e.path.name for e in exports)),
             _("# Each course field names the column of your export that holds it. Check every line marked "
               "'guessed',"),
             _("# fill in the fields marked 'needed' (the import refuses without them), then import with"),
             _("#   smarketing workshop import {files} --out datasets/acme --mapping {path}", files=" ".join(
                 str(e.path) for e in exports), path=path),
             f"name: {_quoted(name)}"]
    chosen: dict[str, dict[str, str]] = {}
    needed: list[str] = []
    for kind in ("leads", "deals"):
        export = by_kind.get(kind)
        if export is None:
            lines += ["", _("# {kind}: none of the files looks like a {kind} export; add one if you have it.",
                            kind=kind)]
            continue
        lines += ["", f"{kind}:" + _("  # from {file} ({rows:,} rows)", file=export.path.name,
                                       rows=len(export.frame))]
        taken: set[str] = set()
        for field in FIELDS[kind]:
            column = _guess(export.frame, kind, field, taken)
            if column is None:
                state = _("needed") if field in NEEDED[kind] else _("optional, not found")
                needed += [f"{kind}.{field}"] if field in NEEDED[kind] else []
                lines.append(f"  # {field}:" + _("  # {state}", state=state))
                continue
            taken.add(column)
            chosen.setdefault(kind, {})[field] = column
            lines.append(f"  {field}: {_quoted(column)}" + _("  # guessed; {example}",
                                                            example=_example(export.frame, column)))
        unused = [c for c in export.frame.columns if c not in taken]
        if unused:
            lines.append(_("  # not read (the course never uses them): {columns}", columns=", ".join(
                _quoted(c) for c in unused[:30]) + (" …" if len(unused) > 30 else "")))
    for key, (kind, field, known, allowed, fallback) in TRANSLATED.items():
        column = chosen.get(kind, {}).get(field)
        if column is None:
            continue
        counts = by_kind[kind].frame[column].str.strip()
        counts = counts[counts != ""].value_counts().head(SHOWN_VALUES)
        lines += ["", f"{key}:" + _("  # the values of '{column}', each onto one of: {allowed}",
                                    column=column, allowed=", ".join(allowed))]
        for value, count in counts.items():
            target = known.get(value.lower(), value.lower() if value.lower() in allowed else None)
            if target is not None:
                lines.append(f"  {_quoted(value)}: {target}" + _("  # {count} row(s)", count=count))
            elif fallback is None:
                lines.append(f"  # {_quoted(value)}: ?" + _("  # {count} row(s); not known: choose one or leave it "
                                                            "out (left empty)", count=count))
            else:
                lines.append(f"  {_quoted(value)}: {fallback(value)}" + _("  # {count} row(s); not known: check "
                                                                        "this", count=count))
    return "\n".join(lines) + "\n", needed
