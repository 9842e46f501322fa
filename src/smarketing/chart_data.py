"""A chart's data as a table: what a reader who cannot see the chart (or wants its exact figures) gets one click
under it, named and formatted as the chart's tooltip shows it. :func:`smarketing.charts.enable` shows it under every
chart, the apps under theirs, and the site keeps it."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from smarketing.labels import spec_nodes
from smarketing.messages import _


def data_frame(spec: dict[str, Any]) -> pd.DataFrame:
    """The data a chart plots, as a table reads it: its largest dataset (the marks', not a rule's one row), the
    columns it encodes named and formatted as its tooltip shows them."""
    datasets = spec.get("datasets") or {}
    if not datasets:
        return pd.DataFrame()
    frame = pd.DataFrame(max(datasets.values(), key=len))
    # The columns the chart encodes (the rest is the builder's own), named and formatted as its tooltip shows them,
    # in the tooltip's order; then any other encoded field, by name, with its axis title. Only lists keep their
    # order in a stored notebook (its JSON sorts objects' keys), so nothing here depends on an object's order.
    tips = [t for node in spec_nodes(spec) if isinstance(node.get("tooltip"), list) for t in node["tooltip"]
            if isinstance(t, dict) and t.get("field") in frame]
    titles: dict[str, str] = {}
    formats: dict[str, str] = {}
    for tip in tips:
        titles.setdefault(tip["field"], tip.get("title") if isinstance(tip.get("title"), str) else tip["field"])
        if isinstance(tip.get("format"), str):
            formats.setdefault(tip["field"], tip["format"])
    others = sorted({n["field"] for n in spec_nodes(spec) if isinstance(n.get("field"), str) and n["field"] in frame}
                    - set(titles))
    for field in others:
        named = sorted(n["title"] for n in spec_nodes(spec)
                       if n.get("field") == field and isinstance(n.get("title"), str))
        titles[field] = named[0] if named else field
    for field, fmt in formats.items():  # 52.3%, 1,229: d3's formats read as Python's
        frame[field] = frame[field].map(lambda v, fmt=fmt: _formatted(v, fmt))
    return frame[list(titles)].rename(columns=titles) if titles else frame


def data_table(spec: dict[str, Any]) -> str:
    """The data a chart plots (:func:`data_frame`) as a collapsed HTML table, one click under the chart."""
    frame = data_frame(spec)
    if frame.empty:
        return ""
    table = frame.to_html(index=False, border=0, classes="smarketing-chart-data", na_rep="",
                          float_format=lambda v: f"{v:,.4g}")
    summary = html.escape(_("The chart as a table"))
    return f'<details class="smarketing-chart-data"><summary>{summary}</summary>{table}</details>'


def _formatted(value: Any, fmt: str) -> Any:
    if value is None or value != value:  # missing (None, NaN): an empty cell, as the chart draws no mark
        return ""
    try:
        return format(value, fmt)
    except (TypeError, ValueError):
        return value


def table_output(spec: dict[str, Any]) -> dict[str, Any]:
    """The output that follows a chart: its data as a collapsed table (:func:`data_table`)."""
    # As plain text too, for a viewer without HTML (and a table of figures reads as one, not as a result).
    plain = data_frame(spec).to_string(index=False, na_rep="", float_format=lambda v: f"{v:,.4g}")
    return {"output_type": "display_data", "data": {"text/html": data_table(spec), "text/plain": plain},
            "metadata": {"smarketing": {"chart_data": True}}}


__all__ = ["data_frame", "data_table", "table_output"]
