"""What data a company has for an analysis. A course company has every table; a company imported from a CRM
export lacks what the export cannot hold (touchpoints, tickets, …) and has stand-ins for some columns (a spend
of 0). A notebook asks here before it computes, and says plainly what it skips instead of failing or showing a
stand-in as a measurement."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

import pandas as pd

from smarketing.datasets.company import Company
from smarketing.messages import _

if TYPE_CHECKING:
    from IPython.display import Markdown

T = TypeVar("T")

# What a notebook needs, in the words of its "skipped" note (anything else: the name with spaces).
NEEDS = {"campaigns.spend": "campaign spend", "accounts.churned_at": "churn dates", "accounts.nps": "NPS answers",
         "accounts.mrr_12_months_ago": "recurring revenue a year ago",
         "leads.disqualification_reason": "disqualification reasons",
         "leads.first_response_minutes": "first-response times", "opportunities": "deals",
         "employees.quarterly_quota": "sales quotas", "leads.mql_at": "MQL dates",
         "leads.sal_at": "first-contact dates", "leads.sql_at": "qualification dates", "leads.score": "lead scores",
         "opportunities.lead_id": "links from deals to their leads",
         "opportunity_history": "the stage history of deals", "employees.hire_date": "hire dates",
         "leads.region": "regions", "opportunities.loss_reason": "loss reasons",
         "opportunities.closed_at": "close dates", "opportunities.bant_need": "qualification checklists",
         "opportunities.discount": "quote discounts"}  # message ids: translated where shown


def describe(company: Company) -> str:
    """What an imported company lacks, in one paragraph ("" for a course company)."""
    info = company.params.get("import", {})
    if not info:
        return ""
    return _("{name} was imported from a {crm} export. Not in the export, so not analysed here: {missing}. "
             "Approximated: {approximated}.", name=company.name, crm=info.get("mapping", "CRM"),
             missing=", ".join(info.get("missing", [])) or _("nothing"),
             approximated="; ".join(info.get("approximated", [])) or _("nothing"))


# Markdown characters that would format, link or typeset (math) a value: written as character references,
# which every renderer (JupyterLab, Voilà, nbconvert) shows as the character itself. MathJax then typesets the
# page's text, so a dollar sign goes as "\$" (its escape there: "$1,200 and $300" is not a formula). An
# underscore inside a word never formats, so support_tickets stays readable in the Markdown source.
_MARKDOWN_SPECIAL = str.maketrans({**{c: f"&#{ord(c)};" for c in "\\`*[]~|"}, "$": "&#92;&#36;"})
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def markdown_text(value: object) -> str:
    """``value`` as plain text inside Markdown: a company's name, an owner or a note from an import is data,
    so ``<img onerror=…>`` must show as those characters, never become an element, a link or a formula."""
    text = " ".join(str(value).split())  # a line break would end the note's quote block
    return _EDGE_UNDERSCORE.sub("&#95;", html.escape(text, quote=False).translate(_MARKDOWN_SPECIAL))


def note(company: Company) -> Markdown | None:
    """For a notebook: a visible note on what an imported company lacks; nothing for a course company."""
    text = describe(company)
    if not text:
        return None
    from IPython.display import Markdown

    checks = "".join(f"\n>\n> {markdown_text(n)}" for n in company.params["import"].get("notes", []))
    return Markdown("> **" + _("Your data") + ":** " + markdown_text(text) + checks)


def has(company: Company, need: str) -> bool:
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


def lacks(company: Company, *needs: str) -> Markdown:
    """For a notebook cell that needs ``needs``: say plainly which of them this company has not, and
    that the step is skipped."""
    from IPython.display import Markdown

    absent = [n for n in needs if not has(company, n)] or list(needs)
    names = [_(NEEDS[n]) if n in NEEDS else n.replace(".", " ").replace("_", " ") for n in absent]
    what = names[0] if len(names) == 1 else _("{some} and {last}", some=", ".join(names[:-1]), last=names[-1])
    return Markdown("> " + markdown_text(_("{name} has no {what} in its data, so this step is skipped. Run it on a "
                                           "course company to see it.", name=company.name, what=what)))


def when(company: Company, need: str | tuple[str, ...], build: Callable[[], T]) -> T | Markdown:
    """What ``build()`` returns if the company has the data it needs, else the note of :func:`lacks`.

    ``need`` is one need as for :func:`has`, or a tuple of needs that must all be there. ``build`` is
    called only when they are, so a notebook cell reads as one line that cannot fail on a company without
    the data: ``availability.when(company, "touchpoints", lambda: alignment.lead_journey(company))``.
    """
    needs = (need,) if isinstance(need, str) else need
    if all(has(company, n) for n in needs):
        return build()
    return lacks(company, *needs)


def measured(company: Company, values: pd.Series | pd.DataFrame,
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
