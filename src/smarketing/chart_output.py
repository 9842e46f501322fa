"""A chart as a notebook's output: the interactive Vega-Lite chart, a plain-text name and a static SVG copy that
says what the chart shows (:func:`bundle`), embedded without vega-embed's unnamed menu (:data:`EMBED`), and followed
by its data as a table wherever IPython displays it (:func:`enable`). :mod:`smarketing.charts` builds the charts.
"""

from __future__ import annotations

import html
from typing import Any

import altair as alt

from smarketing.chart_data import table_output
from smarketing.colours import PALETTE
from smarketing.labels import localised
from smarketing.messages import _, language_code

VEGALITE_MIME = "application/vnd.vegalite.v5+json"
# The Chinese edition's charts name this font (Debian's fonts-noto-cjk; see the README): vl-convert measures and
# draws the static copies with it, and a browser without it falls back to its own Chinese font.
CJK_FONT = "Noto Sans CJK SC"


def _title(chart_or_spec: alt.TopLevelMixin | dict[str, Any]) -> str:
    spec = chart_or_spec if isinstance(chart_or_spec, dict) else chart_or_spec.to_dict(validate=False)
    title = spec.get("title", "")
    return title.get("text", "") if isinstance(title, dict) else str(title)


def bundle(spec: dict[str, Any], static: bool = True) -> dict[str, Any]:
    """The output of one chart: Vega-Lite JSON, a plain-text name, and (``static``) an SVG copy (a quarter
    of a PNG's size; JupyterLab and Voilà prefer the interactive chart, other viewers show the SVG)."""
    spec = localised(spec)  # the data's codes by their labels, in a translated edition
    config = spec.get("config", {})
    config = {**config, "range": {**config.get("range", {}), "category": list(PALETTE)}}
    if language_code().startswith("zh"):
        config["font"] = CJK_FONT
    spec = {**spec, "config": config}
    data: dict[str, Any] = {VEGALITE_MIME: spec, "text/plain": _("<chart: {title}>", title=_title(spec))}
    if static:
        try:
            import vl_convert
        except ImportError:  # in the browser (Pyodide, JupyterLite) vl-convert does not exist: the chart stays live
            return data
        data["image/svg+xml"] = described_svg(vl_convert.vegalite_to_svg(spec), _title(spec),
                                              spec.get("description", ""))
    return data


def described_svg(svg: str, title: str, description: str) -> str:
    """A static chart that says what it shows: an image named by its description (``role="img"``, ``aria-label``),
    with its title and description as the SVG's own ``<title>`` and ``<desc>`` (read out where the SVG is
    inlined, shown as a tooltip where it is an image)."""
    name = html.escape(description or title, quote=True)
    opening = svg.index(">", svg.index("<svg")) + 1
    root = svg[:opening - 1] + f' role="img" aria-label="{name}">'
    return (root + f"<title>{html.escape(title)}</title><desc>{html.escape(description)}</desc>"
            + svg[opening:])


# How JupyterLab and Voilà embed a chart: without vega-embed's "…" menu, whose button has no accessible name (its
# <summary> holds only an icon). What the menu offered stays one step away: the data, in the table under every
# chart; the picture, in the static SVG copy each output stores.
EMBED = {VEGALITE_MIME: {"embed_options": {"actions": False}}}


def _course_renderer(spec: dict[str, Any], **_options: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return bundle(spec, static=True), EMBED


alt.renderers.register("smarketing", _course_renderer)


def _show(chart: alt.TopLevelMixin) -> bool:
    """IPython's display of a chart: the chart (interactive, with its static copy), then its data as a table."""
    from IPython.display import display

    output = bundle(chart.to_dict(validate=False))
    display(output, raw=True, metadata=EMBED)
    table = table_output(output[VEGALITE_MIME])
    display(table["data"], raw=True, metadata=table["metadata"])
    return True


def enable() -> None:
    """Render charts in this notebook with the course renderer: each chart (interactive + static copy) with its
    data as a collapsed table under it."""
    alt.renderers.enable("smarketing")
    try:
        from IPython import get_ipython
    except ImportError:  # no IPython: nothing displays, the renderer alone serves to_dict() and save()
        return
    shell = get_ipython()
    if shell is not None:
        # IPython's own hook for an object that displays itself (as _ipython_display_ would): two outputs.
        shell.display_formatter.ipython_display_formatter.for_type(alt.TopLevelMixin, _show)


def live_bundle(chart: alt.TopLevelMixin, static: bool = False) -> dict[str, Any]:
    """A chart's output for a widget: interactive, plus the SVG copy only when asked (for the first
    drawing, which a notebook stores with its widget state; moves need a live kernel, and an SVG would
    add tens of milliseconds to each)."""
    return bundle(chart.to_dict(validate=False), static=static)
