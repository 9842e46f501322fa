"""The facilitator's report of ``smarketing workshop run``: each executed module as an HTML page a
facilitator can present, and a cover page (``index.html``) that says what the company's export held.

A presented page differs from a learner's notebook in three ways, all decided here and none by editing the
course's prose:

* code is hidden (``show_code`` shows it), and so are the prompts (``In [3]:``);
* cells tagged ``learner-task`` (the "✍️ Your turn" tasks and the "✅ Check yourself" questions, which ask a
  learner to edit a cell or answer alone) are left out, and so is any cell tagged ``remove-cell``;
* a markdown cell that quotes one of the course's example companies (it names ``ferro``, ``lumen`` or
  ``bloom``) carries a visible label, "Course example (ferro and lumen), not acme's data", so that nobody in
  the room reads the course's figures as their own.

Every value that comes from the data (the company's name, file names, notes of the import) is HTML-escaped.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from smarketing.datasets import COMPANIES, Company
from smarketing.messages import _

LEARNER_TAG = "learner-task"  # a task or question for a learner alone: left out of a presented report
HIDDEN_TAGS = frozenset({LEARNER_TAG, "remove-cell"})
INDEX = "index.html"
LABEL_CLASS = "smarketing-course-example"

_STYLE = f"""<style>
.smarketing-nav {{ font: 14px/1.4 system-ui, sans-serif; padding: 8px 16px; margin: 0 0 8px 0;
  border-bottom: 1px solid #ddd; background: #f7f7f9; }}
.smarketing-nav a {{ color: #1a5fb4; text-decoration: none; }}
.smarketing-nav a:hover {{ text-decoration: underline; }}
.{LABEL_CLASS} {{ display: inline-block; font: 600 12px/1.4 system-ui, sans-serif; color: #6b4e00;
  background: #fff4cf; border: 1px solid #e6c35c; border-radius: 4px; padding: 2px 8px; margin: 0 0 6px 0; }}
.smarketing-stopped {{ font: 14px/1.4 system-ui, sans-serif; color: #8a1c1c; background: #fdecec;
  border: 1px solid #e5a3a3; border-radius: 4px; padding: 8px 12px; margin: 8px 16px; }}
</style>"""


@dataclass(frozen=True)
class ModulePage:
    """One module of a report: its page, its title, and the error it stopped at ("" when it ran through)."""

    path: Path
    title: str
    stopped: str = ""


def course_examples(text: str, company: str) -> list[str]:
    """The course's example companies a markdown cell quotes, in the order of :data:`COMPANIES`: those it
    names, as a word (``ferro``, `` `ferro` ``, ``ferro's``), other than ``company`` itself."""
    return [name for name in COMPANIES if name != company and re.search(rf"(?<![\w/.-]){name}(?![\w/-])", text)]


def example_label(names: Sequence[str], company: str) -> str:
    """The label above prose that quotes the course's example companies, e.g. "Course example (ferro and
    lumen), not acme's data"."""
    which = names[0] if len(names) == 1 else _("{some} and {last}", some=", ".join(names[:-1]), last=names[-1])
    return _("Course example ({which}), not {company}'s data", which=which, company=company)


def presented(notebook: nbformat.NotebookNode, company: str) -> nbformat.NotebookNode:
    """A copy of an executed ``notebook`` as a report presents it: learner tasks left out, prose that quotes
    the course's example companies labelled as such (for a run on ``company``)."""
    shown = copy.deepcopy(notebook)
    cells = []
    for cell in notebook.cells:
        if HIDDEN_TAGS & set(cell.metadata.get("tags", [])):
            continue
        cell = nbformat.from_dict(dict(cell))
        names = course_examples(cell.source, company) if cell.cell_type == "markdown" else []
        if names:
            # An HTML block of its own (a blank line follows): Markdown leaves the escaped text inside as it is.
            label = html.escape(example_label(names, company))
            cell.source = f'<div class="{LABEL_CLASS}">{label}</div>\n\n{cell.source}'
        cells.append(cell)
    shown.cells = cells
    return shown


def _with_nav(body: str, nav: str) -> str:
    """The exported page with the report's style in its head and ``nav`` at the top of its body."""
    body = body.replace("</head>", _STYLE + "\n</head>", 1)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + nav, body, count=1)


def module_html(notebook: nbformat.NotebookNode, company: str, title: str, show_code: bool = False,
                stopped: str = "") -> str:
    """One executed module as a page of the report: code hidden unless ``show_code``, no prompts, a link
    back to the cover page, and, if the module ``stopped`` at an error, a visible line saying so."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="lab", exclude_input=not show_code, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_TAGS)), enabled=True)
    page_title = _("{title} — {company}", title=title, company=company)
    body, _resources = exporter.from_notebook_node(presented(notebook, company),
                                                   resources={"metadata": {"name": page_title}})
    # Babel finds no _() inside an f-string: every message is made first, then placed.
    back = html.escape(_("Report on {company}", company=company))
    nav = f'<nav class="smarketing-nav"><a href="{INDEX}">← {back}</a> · {html.escape(title)}</nav>'
    if stopped:
        nav += f'\n<div class="smarketing-stopped">{html.escape(stopped)}</div>'
    return _with_nav(body, nav)


# ---- the cover page ----------------------------------------------------------------------------------

# The import entry's keys that the cover page names in words; any other key is shown under its own name.
SECTIONS = {"set_aside": "Set aside", "approximated": "Approximated", "missing": "Missing (not in a CRM export)",
            "unmeasured": "Unmeasured (a stand-in, not a measurement)", "notes": "Notes of the import"}
_NOT_SHOWN = {"files", "mapping"}  # shown in "What the export held"


def _cell(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        shown = [str(v) for v in value]
        text = ", ".join(shown[:20]) + (_(" and {more} more", more=len(shown) - 20) if len(shown) > 20 else "")
        return html.escape(text)
    if isinstance(value, Mapping):
        return html.escape("; ".join(f"{k}: {v}" for k, v in value.items()))
    return html.escape(str(value))


def _items(value: Any) -> str:
    """Any value of the import entry as HTML: a list of texts as a list, a list of records as a table with
    the union of their keys as columns, a mapping as a definition list, anything else as text."""
    if isinstance(value, (list, tuple)):
        if not value:
            return f"<p class=\"none\">{html.escape(_('nothing'))}</p>"
        if all(isinstance(v, Mapping) for v in value):
            keys: list[str] = []
            for record in value:
                keys += [str(k) for k in record if str(k) not in keys]
            head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
            rows = "".join("<tr>" + "".join(f"<td>{_cell(r.get(k, ''))}</td>" for k in keys) + "</tr>" for r in value)
            return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        return "<ul>" + "".join(f"<li>{_cell(v)}</li>" for v in value) + "</ul>"
    if isinstance(value, Mapping):
        return "<dl>" + "".join(f"<dt>{html.escape(str(k))}</dt><dd>{_cell(v)}</dd>" for k, v in value.items()) + "</dl>"
    return f"<p>{_cell(value)}</p>"


def _date_range(moments: pd.Series) -> str:
    moments = pd.to_datetime(moments, errors="coerce").dropna()
    if not len(moments):
        return _("no dates")
    return f"{moments.min():%Y-%m-%d} – {moments.max():%Y-%m-%d}"


def held(company: Company) -> list[tuple[str, int, str]]:
    """What the company's data holds: (table, rows, date range) for each table with rows; leads by their
    creation dates, deals by their creation and close dates."""
    ranges = {"leads": ("created_at",), "opportunities": ("created_at", "closed_at")}
    rows = []
    for table, frame in company.tables.items():
        if frame is None or not len(frame):
            continue
        columns = [c for c in ranges.get(table, ()) if c in frame.columns]
        span = _date_range(pd.concat([frame[c] for c in columns])) if columns else ""
        rows.append((table, len(frame), span))
    return rows


def cover_html(company: Company, pages: Iterable[ModulePage], out: Path) -> str:
    """The cover page of a report on ``company``: what its export held, what the import set aside,
    approximated or could not find, and a link to each module's page (``pages``, in the course's order)."""
    name = html.escape(company.name)
    info = dict(company.params.get("import", {}))
    # Babel finds no _() inside an f-string: every message is made first, then placed.
    heading = _("Workshop report: {company}", company=company.name)
    if info:
        origin = _("Imported from a {crm} export.", crm=str(info.get("mapping", "CRM")))
    else:
        origin = _("{company} is a course company: synthetic data, every table complete.", company=company.name)
    parts = [f"<h1>{html.escape(heading)}</h1>", f"<p>{html.escape(origin)}</p>"]
    parts.append("{modules}")  # the links come first: what a facilitator opens
    parts.append("<h2>" + html.escape(_("What the export held")) + "</h2>")
    if info.get("files"):
        files = _("Files")
        parts.append(f"<h3>{html.escape(files)}</h3>" + _items(info["files"]))
    table_rows = "".join(f"<tr><td>{html.escape(t)}</td><td class=\"n\">{n:,}</td><td>{html.escape(span)}</td></tr>"
                         for t, n, span in held(company))
    held_title, table_word, rows_word, dates_word = _("Tables and rows"), _("table"), _("rows"), _("dates")
    parts.append(f"<h3>{html.escape(held_title)}</h3><table><thead><tr><th>{html.escape(table_word)}</th>"
                 f"<th>{html.escape(rows_word)}</th><th>{html.escape(dates_word)}</th></tr></thead>"
                 f"<tbody>{table_rows}</tbody></table>")
    known = [k for k in SECTIONS if k in info]  # the known sections in their order, then any the import adds
    for key, value in [(k, info[k]) for k in known] + [(k, v) for k, v in info.items() if k not in SECTIONS]:
        if key in _NOT_SHOWN:
            continue
        title = _(SECTIONS[key]) if key in SECTIONS else str(key).replace("_", " ").capitalize()
        parts.append(f'<section class="import-{html.escape(str(key))}"><h2>{html.escape(title)}</h2>{_items(value)}</section>')
    links = []
    stopped_note = _("stopped at an error")
    for page in pages:
        status = f' <span class="stopped">{html.escape(stopped_note)}</span>' if page.stopped else ""
        links.append(f'<li><a href="{html.escape(page.path.relative_to(out).as_posix())}">{html.escape(page.title)}</a>'
                     f"{status}</li>")
    modules = f"<h2>{html.escape(_('Modules'))}</h2><ol class=\"modules\">{''.join(links)}</ol>"
    parts[parts.index("{modules}")] = modules
    title = html.escape(_("Workshop report: {company}", company=company.name))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 960px; margin: 32px auto; padding: 0 24px; color: #222; }}
h1 {{ font-size: 28px; margin-bottom: 4px; }} h2 {{ margin-top: 32px; border-bottom: 1px solid #ddd; }}
table {{ border-collapse: collapse; margin: 8px 0; }}
th, td {{ border: 1px solid #ccc; padding: 4px 10px; text-align: left; vertical-align: top; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
.modules li {{ margin: 4px 0; }} .stopped {{ color: #8a1c1c; font-weight: 600; }} .none {{ color: #777; }}
a {{ color: #1a5fb4; }}
</style></head>
<body data-company="{name}">
{chr(10).join(parts)}
</body></html>
"""
