"""Which mapping reads an export: a built-in one (HubSpot, Salesforce, Zoho, Dynamics 365, Pipedrive) chosen by the
column names the files use, or a user's YAML mapping file for any other CRM, refused with the line of every mistake
in it."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from smarketing import schema
from smarketing.datasets.company import DataValidationError
from smarketing.datasets.crm.mappings import FIELDS, MAPPINGS
from smarketing.messages import _
from smarketing.schema import Problem

MAPPING_KEYS = ("name", "leads", "deals", "channels", "stages", "loss_reasons")
# A mapping file is a page of text. Bounds on its size and on YAML aliases (&a … *a, which can expand
# without end: the "billion laughs") keep a hostile or mistaken file from exhausting memory.
MAX_BYTES = 1_000_000
MAX_ALIASES = 100
SHOWN_CHARS = 80  # of a wrong value, in a message
TRANSLATED = {"channels": (*schema.CHANNELS, *schema.OTHER), "stages": schema.OPPORTUNITY_STAGES,
              "loss_reasons": schema.LOSS_REASONS}


def _shown(value: Any) -> str:
    """A value as a message shows it: its repr, cut short."""
    return _cut(repr(value))


def _cut(text: str) -> str:
    """A text cut to what a message may show."""
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def _bounded(path: Path) -> str:
    """The text of a mapping file, refused (before YAML builds anything) when it is too large or uses too
    many aliases."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DataValidationError(path.name, [Problem(path.name, "", (), _(
            "this mapping file is {size:,} bytes; a mapping is a page of text (at most {limit:,} bytes). Is it the "
            "export itself? Pass the export files first and the mapping with --mapping.", size=size,
            limit=MAX_BYTES))])
    text = path.read_text(encoding="utf-8-sig")
    aliases = 0
    for event in yaml.parse(text):
        aliases += isinstance(event, yaml.AliasEvent)
        if aliases > MAX_ALIASES:
            raise DataValidationError(path.name, [Problem(path.name, "", (event.start_mark.line + 1,), _(
                "this mapping file uses more than {limit} YAML aliases (*name), which can expand without end. "
                "Write each column name out instead.", limit=MAX_ALIASES))])
    return text


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
    """Every mistake of a mapping file as loaded, each at the line of its key."""
    def problem(key: str, message: str) -> Problem:
        return Problem(file, "", (lines[key],) if key in lines else (), message)

    if not isinstance(loaded, dict) or not ({"leads", "deals"} & set(loaded)):
        return [problem("", _("a mapping file needs a 'leads' and/or a 'deals' section mapping course fields to "
                              "your column names, e.g. 'leads:' and below it '  lead_id: Kontakt-ID' (see "
                              "instructor/workshop.md)."))]
    problems = [problem(str(key), _("unknown key '{key}'. A mapping file has: {keys}.", key=_cut(str(key)),
                                    keys=", ".join(MAPPING_KEYS))) for key in loaded if key not in MAPPING_KEYS]
    for kind in ("leads", "deals"):
        section = loaded.get(kind) or {}
        if not isinstance(section, dict):
            problems.append(problem(kind, _("'{kind}' should map course fields to your column names, e.g. "
                                            "'{kind}:' and below it '  {example}'.", kind=kind,
                                            example={"leads": "lead_id: Kontakt-ID", "deals": "amount: Betrag"}[kind])))
            continue
        known = set(FIELDS[kind])
        for name, columns in section.items():
            key = f"{kind}.{name}"
            if name not in known:
                problems.append(problem(key, _("'{key}' is not a course field. The {kind} fields are: {fields}.",
                                               key=_cut(key), kind=kind, fields=", ".join(sorted(known)))))
            elif not (isinstance(columns, str) or isinstance(columns, list) and columns
                      and all(isinstance(c, str) for c in columns)):
                problems.append(problem(key, _(
                    "'{key}' should be a column name or a list of column names, not {value}: e.g. '{name}: Record "
                    "ID' or '{name}: [Record ID, Contact ID]' (quote a name that looks like a number: '{name}: \"5\"').",
                    key=key, value=_shown(columns), name=name)))
    for key, allowed in TRANSLATED.items():
        table = loaded.get(key) or {}
        if not isinstance(table, dict):
            problems.append(problem(key, _("'{key}' should map your values to the course's, one per line, e.g. "
                                           "'{key}:' and below it '  Messe: {first}'. Allowed: {allowed}.", key=key,
                                           first="events" if key == "channels" else allowed[0], allowed=", ".join(allowed))))
            continue
        problems += [problem(f"{key}.{value}", _("'{key}.{value}' is '{target}', which the course does not know. "
                                                 "Use one of: {allowed}.", key=key, value=_cut(str(value)), target=_cut(str(target)),
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
        raise ValueError(_("Unknown mapping '{mapping}'. Use auto, {builtin}, or a YAML mapping file.",
                           mapping=mapping, builtin=", ".join(MAPPINGS)))
    try:
        text = _bounded(path)
        loaded, lines = yaml.safe_load(text), _key_lines(text)
    except (UnicodeDecodeError, yaml.YAMLError, ValueError) as error:  # ValueError: a number too long to read
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


def column_named(frame: pd.DataFrame, candidates: Sequence[str]) -> str | None:
    """The frame's column for the first of ``candidates`` it has, compared case-insensitively; None if none."""
    lowered = {c.lower(): c for c in frame.columns}
    return next((lowered[c.lower()] for c in candidates if c.lower() in lowered), None)


def export_kind(frame: pd.DataFrame, mapping: dict[str, Any]) -> str | None:
    """"deals" or "leads": which export of ``mapping`` the frame's columns show; None if neither."""
    if column_named(frame, mapping["deals"].get("stage", [])) or column_named(frame, mapping["deals"].get("amount", [])):
        return "deals"
    lead_fields = [f for f in mapping["leads"] if f not in ("owner", "employees")]
    found = sum(1 for f in lead_fields if column_named(frame, mapping["leads"][f]))
    return "leads" if found >= min(2, len(lead_fields)) else None  # e.g. the ID and one date: a missing one is reported


def columns_matched(mapping: dict[str, Any], frames: Iterable[pd.DataFrame]) -> int:
    """How many columns of the frames ``mapping`` names exactly: which CRM the files come from."""
    names = {n for kind in ("leads", "deals") for names in mapping[kind].values() for n in names}
    return sum(len(names & set(f.columns)) for f in frames)


def choose_mapping(frames: Iterable[pd.DataFrame]) -> dict[str, Any]:
    """The built-in mapping whose column names the files use most."""
    frames = list(frames)
    return max(MAPPINGS.values(), key=lambda m: columns_matched(m, frames))
