"""Bring your own CRM export: read a HubSpot, Salesforce, Zoho, Dynamics 365 or Pipedrive export (CSV or Excel), or any
other with a mapping file, map it onto the course schema, validate it, and write it as a company folder the
notebooks can load.

The steps, in the order an import runs them: :mod:`.read` reads each file as text (with :mod:`.encoding`
for CSV and :mod:`.workbook` for Excel), :mod:`.mapping_file` chooses or loads the mapping (:mod:`.mappings`
holds the built-in ones, :mod:`.draft` drafts one from the files), :mod:`.values` reads dates and amounts, :mod:`.date_order` decides day-first or month-first per file,
:mod:`.rows` keeps what is set aside, and :mod:`.build` maps the export onto the course tables and checks them.

What an export holds becomes the ``leads`` and ``opportunities`` tables; ``campaigns`` (one per
channel), ``employees`` (the owners) and ``accounts`` (the won deals) are derived from them. What an
export cannot hold (touchpoints, tickets, orders, time sheets, careers, targets) is written as an
empty table and listed in ``company.json`` under ``"missing"``, with the columns that had to be
approximated under ``"approximated"``: the notebooks read both and say so plainly.

Ordinary mess is read: rows that cannot be used are set aside, impossible values left empty, unknown lead
sources counted as "other", each with a note (its file, column and lines) that every notebook shows. Only
what makes the export unusable is refused (a required column missing, more than half of a file's rows
unusable, a file that is not a table), with every problem and how to fix it, and nothing is written;
``strict`` refuses every unusable row too. ``force`` only ever replaces the folder of an earlier import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from smarketing.datasets.company import DataValidationError
from smarketing.datasets.crm.build import ImportResult, map_export
from smarketing.datasets.crm.mapping_file import (
    choose_mapping,
    column_named,
    columns_matched,
    export_kind,
    load_mapping,
)
from smarketing.datasets.crm.read import Export, read_export
from smarketing.datasets.store import check_writable, write_company
from smarketing.messages import _
from smarketing.schema import Problem

__all__ = ["ImportResult", "draft_hint", "import_files"]


def draft_hint(files: Sequence[str | os.PathLike[str]]) -> str:
    """The end of every refusal a mapping file can fix: the command that drafts one from the files."""
    return _("A mapping file tells the import which column is which: draft one from your files with "
             "`smarketing workshop mapping --init {files}`, check it, and import with --mapping my-crm.yaml.",
             files=" ".join(str(f) for f in files))


def import_files(files: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str],
                 mapping: str | os.PathLike[str] | Mapping[str, Any] = "auto", force: bool = False,
                 name: str | None = None, dayfirst: bool | None = None, strict: bool = False,
                 keep_names: bool = False) -> Path:
    """Import a CRM export into a company folder, or refuse it with every problem and write nothing.

    Args:
        files: the export's files: one leads/contacts export and at most one deals/opportunities export,
            each CSV or Excel.
        out: the company folder to write, e.g. ``datasets/acme``.
        mapping: ``"auto"`` (the built-in mapping whose column names the files use most), ``"hubspot"``,
            ``"salesforce"``, a YAML mapping file for any other CRM, or a mapping of the same shape.
        force: whether ``out`` may be replaced; only ever the folder of an earlier import
            (see :func:`smarketing.datasets.check_writable`).
        name: the company's name (default: the folder's name).
        dayfirst: how dates like 01/02/2025 are read: True for 1 February, False for 2 January (default:
            decided from each file's own dates).
        strict: refuse the import for any row that cannot be used, instead of setting it aside with a note
            (rows without an ID or a readable creation date, impossible dates, negative amounts, unknown
            lead sources or stages).
        keep_names: keep the owners' real names; by default they become stable pseudonyms ("Rep 3F2A1C"), as
            workshop results are shown to a room. No other personal data (contact names, e-mails, phones,
            deal names) is ever read.

    Returns:
        The company folder written, ready for :func:`smarketing.load_company`.

    Raises:
        DataValidationError: a file, the mapping or the data does not fit, with every problem (file,
            column, lines, how to fix).
        ValueError: an unknown built-in mapping and no such mapping file.
        OSError: ``out`` may not be written (see :func:`smarketing.datasets.check_writable`).
    """
    out = Path(out)
    check_writable(out, force, imported=True, inputs=tuple(files))  # before any work
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
    hint = None if columns_matched(best, frames) <= columns_matched(chosen, frames) else Problem(source, "", (), _(
        "these files look like a {crm} export (their column names match it better than the {chosen} mapping): "
        "try --mapping {crm}, or leave --mapping out to detect it.", crm=best["name"], chosen=chosen.get("name")))
    try:
        for export in exports:
            export.kind = export_kind(export.frame, chosen) or ""
            if not export.kind:
                first = {f: (chosen[k].get(f) or [f])[0] for k, f in (("leads", "lead_id"), ("leads", "created_at"),
                                                                       ("deals", "stage"))}
                recognised = (_("its columns look most like a {crm} export", crm=best["name"])
                              if columns_matched(best, [export.frame]) else _("its columns match no CRM the course knows"))
                problems.append(Problem(export.path.name, "", (), _(
                    "neither a leads/contacts nor a deals/opportunities export for the {crm} mapping ({recognised}): "
                    "too few of its lead columns (such as '{lead}' and '{created}') and no '{stage}' column. Columns "
                    "found: {found}. {draft}", crm=chosen.get("name"), recognised=recognised, lead=first["lead_id"],
                    created=first["created_at"], stage=first["stage"], found=", ".join(export.frame.columns),
                    draft=draft_hint(files))))
                continue
            export.columns = {f: c for f, names in chosen[export.kind].items() if (c := column_named(export.frame, names))}
        if problems:
            raise DataValidationError(source, problems)
        result = map_export(exports, chosen, name or out.name, dayfirst, strict=strict,
                            draft=draft_hint(files), keep_names=keep_names)
    except DataValidationError as error:
        if hint is None:
            raise
        raise DataValidationError(error.source, [*error.problems, hint]) from None
    return write_company(result.tables, result.params, out, force=force, inputs=tuple(files))

