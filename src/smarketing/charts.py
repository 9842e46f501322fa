"""Altair chart builders for the course: every chart titled, with units on its axes and tooltips.

Each builder takes a small, already aggregated table (the result of a function in ``funnel``,
``kpis``, ``attribution``, ``alignment``, ``careers`` or ``roles``), never raw rows: a chart carries its
data inside the notebook, and Altair refuses more than 5,000 rows.

:func:`enable` (from :mod:`smarketing.chart_output`) switches on the course renderer: the interactive Vega-Lite
chart (tooltips, rendered by JupyterLab and Voilà without internet) plus a static SVG made by vl-convert, so that a
notebook opened without a kernel, or in a viewer that does not run Vega, still shows its charts.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from smarketing import descriptions

# Re-exported: apps and tests read the charts' colours, data tables and output as charts.PALETTE, charts.bundle …
from smarketing.chart_data import data_frame, data_table, table_output  # noqa: F401
from smarketing.chart_output import (  # noqa: F401
    CJK_FONT,
    EMBED,
    VEGALITE_MIME,
    _title,
    bundle,
    described_svg,
    enable,
    live_bundle,
)
from smarketing.colours import FUNCTION_COLORS, GREY, HEAT, PALETTE, contrast, heat_colour, label_ink  # noqa: F401
from smarketing.messages import N_, _

STAGE_LABELS = {"lead": N_("Lead"), "mql": N_("MQL"), "sal": N_("SAL"), "sql": N_("SQL"),
                "opportunity": N_("Opportunity"), "won": N_("Won")}
WIDTH = 420


def stage_label(stage: str) -> str:
    """A funnel stage as charts and apps name it, in the learner's language ("lead" → "Lead")."""
    return _(STAGE_LABELS[stage]) if stage in STAGE_LABELS else stage


def _given(text: str | None) -> str | None:
    """A title or unit a notebook passes in, in the learner's language: the course's notebooks are the same code in
    every edition, and their chart words are in the library's catalogue (see smarketing.translation)."""
    return _(text) if text else text


def _percent_axis(title: str) -> alt.Axis:
    return alt.Axis(title=title, format="%")


# Colour is never the only key (WCAG 1.4.1): lines differ in dash and point shape too; bars side by side are named on
# the bar; stacked parts become panels named in their header.

def _named_lines(base: alt.Chart, field: str, title: str | None, points: bool = True, size: int = 50
                 ) -> list[alt.Chart]:
    """One line per value of ``field`` on ``base`` (which encodes x, y and the tooltip), told apart by colour, dash
    and (``points``) point shape, with one legend that shows all three. Not names at the lines' ends: the course's
    lines often end together (every company's revenue reaches 100 %), and their names would overprint."""
    if not points:  # the lines carry the legend: colour and dash
        return [base.mark_line().encode(color=alt.Color(f"{field}:N", title=title),
                                        strokeDash=alt.StrokeDash(f"{field}:N", title=title))]
    lines = base.mark_line().encode(color=alt.Color(f"{field}:N", legend=None),
                                    strokeDash=alt.StrokeDash(f"{field}:N", legend=None))
    # Fill as well as colour, and no custom sort: only then does Vega-Lite merge the colour and shape legends of a
    # line layer and a point layer into one with coloured symbols (otherwise its symbols come out black).
    return [lines, base.mark_point(size=size, filled=True, opacity=1).encode(
        color=alt.Color(f"{field}:N", title=title), fill=alt.Fill(f"{field}:N", title=title),
        shape=alt.Shape(f"{field}:N", title=title))]


def _bar_names(bars: alt.Chart, field: str, horizontal: bool) -> alt.Chart:
    """The name of each bar's series (``field``) written at the end of its bar (``bars`` encodes the bars' position):
    after it (``horizontal``), or up from its top."""
    if horizontal:
        text = bars.mark_text(align="left", baseline="middle", dx=3, fontSize=10, color="#333333")
    else:
        text = bars.mark_text(align="left", baseline="middle", angle=270, dx=3, fontSize=10, color="#333333")
    return text.encode(text=f"{field}:N", color=alt.value("#333333"))  # the series' colour may be pale on white


# ---- module 01 ---------------------------------------------------------------------------------------

def time_allocation_chart(allocation: pd.DataFrame, company: str = "") -> alt.FacetChart:
    """Stacked bars: how each function's hours split over the functions that own the work
    (``roles.time_allocation``)."""
    data = allocation.reset_index().melt(id_vars="function", var_name="owner", value_name="share")
    owners = list(FUNCTION_COLORS)[:4]
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("function:N", title=_("people in"), sort=list(allocation.index)),
        x=alt.X("share:Q", axis=_percent_axis(_("share of hours (%)"))),  # short: four panels side by side
        color=alt.Color("owner:N", legend=None,
                        scale=alt.Scale(domain=owners, range=list(FUNCTION_COLORS.values())[:4])),
        tooltip=[alt.Tooltip("function:N", title=_("people in")), alt.Tooltip("owner:N", title=_("work owned by")),
                 alt.Tooltip("share:Q", title=_("share of hours"), format=".1%")],
    ).properties(width=120, height=140).facet(
        column=alt.Column("owner:N", sort=owners, title=_("work owned by")),
    ).properties(title=_("Who does whose work? {company}", company=company).strip(),
                 description=descriptions.time_allocation(allocation))


def activity_split_chart(split: pd.DataFrame, company: str = "") -> alt.FacetChart:
    """Stacked bars, one per activity: hours a week the people of each function spend on it
    (``roles.activity_split``); the label names the function that owns the activity."""
    functions = [f for f in FUNCTION_COLORS if f in split.columns]
    labels = [f"{activity} ({owner})" for activity, owner in split["owner"].items()]
    data = (split[functions].set_axis(labels).rename_axis("activity").reset_index()
            .melt(id_vars="activity", var_name="done_by", value_name="hours"))
    data = data[data["hours"] > 0]
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("activity:N", sort=labels, title=_("activity (the function that owns it)")),
        x=alt.X("hours:Q", title=_("hours a week (h)")),  # short: four panels side by side
        color=alt.Color("done_by:N", legend=None,
                        scale=alt.Scale(domain=functions, range=[FUNCTION_COLORS[f] for f in functions])),
        tooltip=[alt.Tooltip("activity:N", title=_("activity")), alt.Tooltip("done_by:N", title=_("done by")),
                 alt.Tooltip("hours:Q", title=_("hours a week"), format=",.0f")],
    ).properties(width=110, height=300).facet(
        column=alt.Column("done_by:N", sort=functions, title=_("done by, hours a week across the whole company")),
    ).properties(title=_("Who does each activity? {company}", company=company).strip(),
                 description=descriptions.activity_split(split, functions))


# ---- module 02 ---------------------------------------------------------------------------------------

def kpi_trend_chart(table: pd.DataFrame, title: str, unit: str, highlight: str | None = None) -> alt.LayerChart:
    """A KPI over the quarters (columns quarter, value, optional target and company), with the target as
    dashes and one quarter (``highlight``) marked."""
    title = _given(title)
    unit = _given(unit)
    percent = unit.startswith("share")
    axis = alt.Axis(title=f"{unit} (%)" if percent else unit, format="%" if percent else ",.0f")
    fmt = ".1%" if percent else ",.1f"
    base = alt.Chart(table).encode(x=alt.X("quarter:O", title=_("quarter"), axis=alt.Axis(labelAngle=0)))
    values = base.encode(
        y=alt.Y("value:Q", axis=axis),
        tooltip=[alt.Tooltip("quarter:O", title=_("quarter")), alt.Tooltip("value:Q", title=unit, format=fmt)]
        + ([alt.Tooltip("company:N", title=_("company"))] if "company" in table else []))
    layers: list[alt.Chart] = (_named_lines(values, "company", _("company")) if "company" in table
                               else [values.mark_line(point=True, color=FUNCTION_COLORS["shared"])])
    if "target" in table and table["target"].notna().any():
        layers.append(base.mark_line(strokeDash=[4, 3], color="gray").encode(
            y=alt.Y("target:Q", axis=axis), tooltip=[alt.Tooltip("target:Q", title=_("target"), format=fmt)]))
    if highlight is not None:
        layers.append(alt.Chart(pd.DataFrame({"quarter": [highlight]})).mark_rule(color="black", opacity=0.3,
                                                                                   size=14).encode(x="quarter:O"))
    return alt.layer(*layers).properties(title=title, width=WIDTH, height=200,
                                         description=descriptions.kpi_trend(table, unit, percent))


def revenue_lag_chart(lag: pd.DataFrame) -> alt.LayerChart:
    """Cumulative share of won revenue against months since the lead came in (``funnel.revenue_lag``),
    one line per company."""
    base = alt.Chart(lag).encode(
        x=alt.X("months_after_lead:Q", title=_("months after the lead came in")),
        y=alt.Y("share_of_revenue:Q", axis=_percent_axis(_("won revenue closed so far (%)"))),
        tooltip=[alt.Tooltip("company:N", title=_("company")),
                 alt.Tooltip("months_after_lead:Q", title=_("months after lead")),
                 alt.Tooltip("share_of_revenue:Q", title=_("revenue closed"), format=".0%")])
    return alt.layer(*_named_lines(base, "company", _("company"))).properties(
        title=_("Marketing's lag: when a lead's revenue arrives"), width=WIDTH, height=220,
        description=descriptions.revenue_lag(lag))


def delivery_effect_chart(effects: pd.DataFrame) -> alt.LayerChart:
    """Returns and repeat purchases after on-time and late deliveries (``dashboard.delivery_effects``):
    two groups of bars, one bar per kind of delivery."""
    labels = {"on_time": _("on time"), "late": _("late")}
    measures = {"returned_rate": _("order sent back"), "repeat_rate": _("shopper ordered again")}
    data = effects.reset_index().melt(id_vars=["delivery", "orders"], value_vars=list(measures),
                                      var_name="measure", value_name="share")
    data["delivery"], data["measure"] = data["delivery"].map(labels), data["measure"].map(measures)
    bars = alt.Chart(data).encode(
        x=alt.X("measure:N", sort=list(measures.values()), title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("delivery:N", sort=list(labels.values())),
        y=alt.Y("share:Q", axis=_percent_axis(_("share of orders (%)"))),
        color=alt.Color("delivery:N", sort=list(labels.values()), title=_("delivery"),
                        scale=alt.Scale(range=[PALETTE[2], PALETTE[5]])),
        tooltip=[alt.Tooltip("delivery:N", title=_("delivery")), alt.Tooltip("measure:N", title=_("measure")),
                 alt.Tooltip("share:Q", title=_("share of orders"), format=".1%"),
                 alt.Tooltip("orders:Q", title=_("orders"), format=",")])
    return (bars.mark_bar() + _bar_names(bars, "delivery", horizontal=False)).properties(
        title=_("What a late delivery costs"), width=WIDTH, height=220,
        description=descriptions.delivery_effect(effects))


# ---- module 03 ---------------------------------------------------------------------------------------

def funnel_chart(counts: pd.DataFrame, title: str | None = None, value: str = "count") -> alt.Chart:
    """The demand waterfall as horizontal bars, widest at the top (columns stage and ``value``; an
    optional company column makes one row of bars per company)."""
    title = _given(title)
    data = counts.assign(stage_label=counts["stage"].map(stage_label))
    order = [stage_label(s) for s in STAGE_LABELS if s in set(counts["stage"])]
    bars = alt.Chart(data).mark_bar(color=FUNCTION_COLORS["marketing"]).encode(
        y=alt.Y("stage_label:N", sort=order, title=_("stage")),
        x=alt.X(f"{value}:Q", title=_("leads (count)")),
        tooltip=[alt.Tooltip("stage_label:N", title=_("stage")), alt.Tooltip(f"{value}:Q", title=_("count"),
                                                                               format=",.0f")],
    )
    labels = bars.mark_text(align="left", dx=3).encode(text=alt.Text(f"{value}:Q", format=",.0f"))
    chart = alt.layer(bars, labels, data=data).properties(width=WIDTH, height=170)
    if "company" in counts:
        chart = chart.facet(row=alt.Row("company:N", title=None))
    return chart.properties(title=title or _("The demand waterfall"),
                            description=descriptions.funnel(counts, value, list(STAGE_LABELS), stage_label))


def response_time_chart(table: pd.DataFrame) -> alt.Chart | alt.LayerChart:
    """MQL → SQL conversion by how fast sales first answered (``funnel.conversion_by_response_time``),
    grouped by company when a company column is present."""
    order = list(dict.fromkeys(table["response_time"]))
    encoding: dict[str, Any] = {}
    if "company" in table:
        encoding = {"xOffset": "company:N", "color": alt.Color("company:N", title=_("company"))}
    bars = alt.Chart(table).encode(
        x=alt.X("response_time:N", sort=order, title=_("sales' first response to the MQL"),
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sql_rate:Q", axis=_percent_axis(_("MQLs that became SQLs (%)"))),
        tooltip=[alt.Tooltip("response_time:N", title=_("first response")), alt.Tooltip("mqls:Q", title=_("MQLs")),
                 alt.Tooltip("sql_rate:Q", title=_("MQL → SQL"), format=".1%")]
        + ([alt.Tooltip("company:N", title=_("company"))] if "company" in table else []),
        **encoding)
    chart = bars.mark_bar() + _bar_names(bars, "company", horizontal=False) if encoding else bars.mark_bar()
    return chart.properties(title=_("Speed to lead: slow answers lose qualified buyers"), width=WIDTH, height=220,
                            description=descriptions.response_time(table))


def threshold_chart(tradeoff: pd.DataFrame, threshold: int | None = None) -> alt.LayerChart:
    """The MQL-threshold trade-off (``funnel.mql_threshold_tradeoff``): share of leads sales must work
    and share of won revenue those leads hold, by threshold; a rule marks the chosen threshold."""
    data = tradeoff.melt(id_vars="threshold", value_vars=["share_of_leads", "share_of_won_revenue"],
                         var_name="measure", value_name="share")
    data["measure"] = data["measure"].map({"share_of_leads": _("leads sales must work"),
                                           "share_of_won_revenue": _("won revenue they hold")})
    base = alt.Chart(data).encode(
        x=alt.X("threshold:Q", title=_("MQL threshold (lead score, points)")),
        y=alt.Y("share:Q", axis=_percent_axis(_("share (%)"))),
        tooltip=[alt.Tooltip("threshold:Q", title=_("threshold")), alt.Tooltip("measure:N", title=_("measure")),
                 alt.Tooltip("share:Q", title=_("share"), format=".1%")],
    )
    layers: list[alt.Chart] = _named_lines(base, "measure", None, points=False)  # 101 thresholds: points would blur
    if threshold is not None:
        layers.append(alt.Chart(pd.DataFrame({"threshold": [threshold]})).mark_rule(strokeDash=[4, 3]).encode(
            x=alt.X("threshold:Q", title=_("MQL threshold (lead score, points)"))))
    return alt.layer(*layers).properties(title=_("The MQL threshold: workload against revenue"), width=WIDTH,
                                         height=220, description=descriptions.threshold(tradeoff, threshold))


def cohort_naive_chart(table: pd.DataFrame, title: str | None = None, company: str | None = None) -> alt.LayerChart:
    """A conversion per period measured two ways (``funnel.cohort_vs_naive``): the same cohort of
    leads, and the naive "reached this period ÷ entered this period". ``company`` names it in the title."""
    title = _given(title) or (_("{company}: lead → won, two ways", company=company) if company else None)
    data = table.melt(id_vars=["period", "entered"], value_vars=["cohort_rate", "naive_rate"], var_name="measure",
                      value_name="rate")
    data["measure"] = data["measure"].map({"cohort_rate": _("same cohort of leads"),
                                           "naive_rate": _("naive: this period ÷ this period")})
    base = alt.Chart(data).encode(
        x=alt.X("period:O", title=_("period the leads entered the stage"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("rate:Q", axis=_percent_axis(_("conversion (%)"))),
        tooltip=[alt.Tooltip("period:O", title=_("period")), alt.Tooltip("measure:N", title=_("measure")),
                 alt.Tooltip("rate:Q", title=_("conversion"), format=".1%"),
                 alt.Tooltip("entered:Q", title=_("entered the stage"), format=",")])
    return alt.layer(*_named_lines(base, "measure", None)).properties(
        title=title or _("Cohort conversion against the naive monthly ratio"), width=WIDTH, height=220,
        description=descriptions.cohort_naive(table))


def score_band_chart(table: pd.DataFrame, measure: str = "sql_rate") -> alt.Chart | alt.LayerChart:
    """Bars per lead-score band (``funnel.outcomes_by_score_band``): the share of contacted leads that
    became SQL (``measure="sql_rate"``) or were won (``"won_rate"``); bands nobody contacted have no
    bar. A company column puts the companies side by side."""
    label = {"sql_rate": _("contacted leads that became SQL (%)"),
             "won_rate": _("contacted leads that were won (%)")}[measure]
    encoding: dict[str, Any] = {"color": alt.value(FUNCTION_COLORS["shared"])}
    if "company" in table:
        encoding = {"xOffset": "company:N", "color": alt.Color("company:N", title=_("company"))}
    bars = alt.Chart(table).encode(
        x=alt.X("band:N", sort=list(dict.fromkeys(table["band"])), title=_("lead score band (points)"),
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{measure}:Q", axis=_percent_axis(label)),
        tooltip=[alt.Tooltip("band:N", title=_("score band")), alt.Tooltip("leads:Q", title=_("leads"), format=","),
                 alt.Tooltip("contacted:Q", title=_("contacted by sales"), format=","),
                 alt.Tooltip(f"{measure}:Q", title=_("rate"), format=".1%")]
        + ([alt.Tooltip("company:N", title=_("company"))] if "company" in table else []),
        **encoding)
    chart = bars.mark_bar() + _bar_names(bars, "company", horizontal=False) if "company" in table else bars.mark_bar()
    return chart.properties(title=_("Does the lead score separate good leads from bad?"), width=WIDTH, height=220,
                            description=descriptions.score_band(table, measure))


# ---- module 04 ---------------------------------------------------------------------------------------

def backtest_chart(backtest: pd.DataFrame, title: str | None = None, company: str | None = None) -> alt.LayerChart:
    """Each forecasting method's error per quarter (``forecasting.backtest``): (forecast − booked) ÷ booked, with
    the zero line of a perfect forecast. Each method has its own colour, point shape and dash, so the lines stay
    apart without colour. ``company`` names it in the title."""
    title = _given(title) or (_("{company}: how far each forecast was from what was booked", company=company)
                              if company else None)
    from smarketing.forecasting import METHOD_NAMES, METHODS

    data = backtest.melt(id_vars=["quarter", "booked"], value_vars=[f"{m}_error" for m in METHODS],
                         var_name="method", value_name="error")
    names = {m: _(name) for m, name in METHOD_NAMES.items()}
    data["method"] = data["method"].str.removesuffix("_error").map(names)
    base = alt.Chart(data).encode(
        x=alt.X("quarter:O", title=_("quarter forecast on its first day"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("error:Q", axis=_percent_axis(_("forecast error: (forecast − booked) ÷ booked"))),
        tooltip=[alt.Tooltip("quarter:O", title=_("quarter")), alt.Tooltip("method:N", title=_("method")),
                 alt.Tooltip("error:Q", title=_("error"), format="+.0%"),
                 alt.Tooltip("booked:Q", title=_("booked"), format=",.0f")],
    )
    lines, points = _named_lines(base, "method", _("method"), size=70)
    zero = alt.Chart(pd.DataFrame({"error": [0.0]})).mark_rule(color="#333333").encode(y="error:Q")
    return (zero + lines + points).properties(title=title or _("How far each forecast was from what was booked"),
                                              width=WIDTH, height=240, description=descriptions.backtest(data))


def capacity_chart(by_region: pd.DataFrame, title: str | None = None) -> alt.LayerChart:
    """Each region's quota capacity with the ramp of new reps (bars) against its full quota (a tick): the gap is
    what the reps still ramping cannot carry yet. Bar and tick are different marks, so no colour is needed."""
    title = _given(title)
    base = alt.Chart(by_region).encode(
        y=alt.Y("region:N", title=_("region")),
        tooltip=[alt.Tooltip("region:N", title=_("region")),
                 alt.Tooltip("capacity:Q", title=_("capacity with the ramp"), format=",.0f"),
                 alt.Tooltip("quota:Q", title=_("full quota"), format=",.0f")])
    bars = base.mark_bar(color=FUNCTION_COLORS["sales"]).encode(
        x=alt.X("capacity:Q", title=_("quota a quarter (bar: with the ramp; tick: full quota)"),
                scale=alt.Scale(domain=[0, 1.1 * float(by_region["quota"].max() or 1)])))
    ticks = base.mark_tick(color="#333333", thickness=3, size=22).encode(x="quota:Q")
    return (bars + ticks).properties(title=title or _("Capacity with the ramp, by region"), width=WIDTH, height=160,
                                     description=descriptions.capacity(by_region))


# ---- module 05 ---------------------------------------------------------------------------------------

def attribution_chart(credit: pd.DataFrame) -> alt.LayerChart:
    """Share of won revenue each channel gets under each model (``attribution.credit_by_channel``)."""
    shares = credit.div(credit.sum(axis=0), axis=1)
    data = shares.reset_index().melt(id_vars="channel", var_name="model", value_name="share")
    bars = alt.Chart(data).encode(
        y=alt.Y("channel:N", sort=list(shares.index), title=_("channel")),
        x=alt.X("share:Q", axis=_percent_axis(_("share of won revenue credited (%)"))),
        yOffset=alt.YOffset("model:N", sort=list(shares.columns)),
        color=alt.Color("model:N", sort=list(shares.columns), title=_("attribution model")),
        tooltip=[alt.Tooltip("channel:N", title=_("channel")), alt.Tooltip("model:N", title=_("model")),
                 alt.Tooltip("share:Q", title=_("credit"), format=".1%")])
    return (bars.mark_bar() + _bar_names(bars, "model", horizontal=True)).properties(
        title=_("Which channel works? It depends on the rule"), width=WIDTH, height=520,
        description=descriptions.attribution(shares))


def geo_test_chart(test: Any, title: str | None = None) -> alt.LayerChart:
    """A geo holdout (``measurement.geo_test``): weekly leads per region in the holdout and the control regions,
    before and during the test (shaded, as the subtitle says). Each line is named at its end and differs in dash
    and point shape as well as colour (a legend merged from layers loses its colours, so there is none)."""
    title = _given(title)
    names = {"holdout": _("holdout"), "control": _("control")}
    data = test.weekly.melt(id_vars=["week", "period"], value_vars=["holdout", "control"], var_name="group",
                            value_name="leads")
    data["group"] = data["group"].map(names)
    order = list(names.values())
    weeks = test.weekly.loc[test.weekly["period"] == "test", "week"]
    shade = alt.Chart(pd.DataFrame({"start": [weeks.min()], "end": [weeks.max() + pd.Timedelta(days=7)]})).mark_rect(
        color="#e4e4e4").encode(x="start:T", x2="end:T")
    color = alt.Color("group:N", sort=order, legend=None)
    base = alt.Chart(data).encode(
        x=alt.X("week:T", title=_("week")),
        y=alt.Y("leads:Q", title=_("leads a week, per region")),
        tooltip=[alt.Tooltip("week:T", title=_("week")), alt.Tooltip("group:N", title=_("group")),
                 alt.Tooltip("leads:Q", title=_("leads per region"), format=",.1f")])
    lines = base.mark_line().encode(color=color, strokeDash=alt.StrokeDash("group:N", sort=order, legend=None))
    points = base.mark_point(size=30, filled=True, opacity=1).encode(
        color=color, shape=alt.Shape("group:N", sort=order, legend=None))
    ends = base.transform_filter(alt.datum.week == alt.expr.toDate(str(test.weekly["week"].max()))).mark_text(
        align="left", dx=8, fontWeight="bold", color="#333333").encode(text="group:N")
    subtitle = [_("holdout: {holdout} (solid line, circles); control: {control} (dashed line, squares)",
                  holdout=", ".join(test.holdout), control=", ".join(test.control)),
                _("shaded: the test weeks, the channel paused in the holdout")]
    return (shade + lines + points + ends).properties(
        title=alt.TitleParams(title or _("Leads a week: holdout against control"), subtitle=subtitle),
        width=WIDTH, height=240, description=descriptions.geo_test(test.weekly))


def retention_chart(curves: pd.DataFrame, title: str | None = None) -> alt.LayerChart:
    """Retention curves (``retention.retention_curves``): the share of each cohort that had ordered again, by days
    since the first order. Each cohort has its own dash and point shape as well as colour, and is named at its
    last point (a legend merged from layers loses its colours)."""
    title = _given(title)
    cohorts = sorted(curves["cohort"].unique())
    data = curves.dropna(subset=["retained"])
    color = alt.Color("cohort:N", sort=cohorts, legend=None)
    base = alt.Chart(data).encode(
        x=alt.X("days:Q", title=_("days since the first order")),
        y=alt.Y("retained:Q", axis=_percent_axis(_("ordered again (% of the cohort)"))),
        tooltip=[alt.Tooltip("cohort:N", title=_("first order in")), alt.Tooltip("days:Q", title=_("days")),
                 alt.Tooltip("retained:Q", title=_("ordered again"), format=".1%"),
                 alt.Tooltip("customers:Q", title=_("customers"), format=",")])
    lines = base.mark_line().encode(color=color, strokeDash=alt.StrokeDash("cohort:N", sort=cohorts, legend=None))
    points = base.mark_point(size=40, filled=True, opacity=1).encode(
        color=color, shape=alt.Shape("cohort:N", sort=cohorts, legend=None))
    last = data.loc[data.groupby("cohort")["days"].idxmax()]
    ends = alt.Chart(last).mark_text(align="left", dx=8, fontWeight="bold", color="#333333").encode(
        x="days:Q", y="retained:Q", text="cohort:N")
    return (lines + points + ends).properties(
        title=alt.TitleParams(title or _("Customers who came back, by days since their first order"),
                              subtitle=_("one line per cohort: the customers whose first order fell in that period")),
        width=WIDTH, height=240, description=descriptions.retention(data))


def segment_conversion_chart(by_segment: pd.DataFrame) -> alt.HConcatChart:
    """Two panels (``alignment.conversion_by_segment``): each company's segment mix, and its MQL → SQL
    conversion within each segment. Together they show the confounder."""
    segments = ["smb", "mid_market", "enterprise"]
    tooltip = [alt.Tooltip("company:N", title=_("company")), alt.Tooltip("segment:N", title=_("segment")),
               alt.Tooltip("share_of_leads:Q", title=_("share of leads"), format=".0%"),
               alt.Tooltip("mql_to_sql_rate:Q", title=_("MQL → SQL"), format=".1%")]
    base = alt.Chart(by_segment).encode(
        x=alt.X("segment:N", sort=segments, title=_("segment"), axis=alt.Axis(labelAngle=0)),
        xOffset="company:N", color=alt.Color("company:N", title=_("company")), tooltip=tooltip)
    mix = base.encode(y=alt.Y("share_of_leads:Q", axis=_percent_axis(_("share of the company's leads (%)"))))
    mix = mix.mark_bar() + _bar_names(mix, "company", horizontal=False)
    rate = base.encode(y=alt.Y("mql_to_sql_rate:Q", axis=_percent_axis(_("MQL → SQL within segment (%)"))))
    rate = rate.mark_bar() + _bar_names(rate, "company", horizontal=False)
    return alt.hconcat(mix.properties(title=_("Who they sell to"), width=260, height=220),
                       rate.properties(title=_("How well they convert, segment by segment"), width=260, height=220)
                       ).properties(title=_("Segment mix and conversion within each segment"),
                                    description=descriptions.segment_conversion(by_segment, segments))


def claim_chart(claim: pd.DataFrame) -> alt.LayerChart:
    """Observed against claimed relative differences (``alignment.claim_table``)."""
    data = claim.melt(id_vars="metric", value_vars=["observed_difference", "claimed_difference"],
                      var_name="source", value_name="difference")
    data["source"] = data["source"].map({"observed_difference": _("observed in our companies"),
                                         "claimed_difference": _("claimed in seed 000")})
    bars = alt.Chart(data).encode(
        y=alt.Y("metric:N", title=None),
        x=alt.X("difference:Q", axis=_percent_axis(_("aligned vs misaligned, relative difference (%)"))),
        yOffset="source:N", color=alt.Color("source:N", title=None),
        tooltip=[alt.Tooltip("metric:N", title=_("metric")), alt.Tooltip("source:N", title=_("source")),
                 alt.Tooltip("difference:Q", title=_("difference"), format="+.0%")])
    return (bars.mark_bar() + _bar_names(bars, "source", horizontal=True)).properties(
        title=_("The claim against the data"), width=WIDTH, height=200, description=descriptions.claim(claim))


def gap_chart(decomposition: pd.DataFrame, title: str | None = None) -> alt.Chart:
    """Where a gap in MQL → SQL conversion comes from (``alignment.gap_decomposition``): one bar per
    part, in percentage points; the whole gap last, in grey."""
    title = _given(title)
    order = list(decomposition["part"])
    whole = order[-1]
    return alt.Chart(decomposition).mark_bar().encode(
        y=alt.Y("part:N", sort=order, title=None),
        x=alt.X("percentage_points:Q", title=_("MQL → SQL rate gained (percentage points)")),
        color=alt.condition(alt.datum.part == whole, alt.value(GREY), alt.value(FUNCTION_COLORS["shared"])),
        tooltip=[alt.Tooltip("part:N", title=_("part")),
                 alt.Tooltip("percentage_points:Q", title=_("points"), format=".1f"),
                 alt.Tooltip("share_of_gap:Q", title=_("share of the gap"), format=".0%")],
    ).properties(title=title or _("Where the conversion gap comes from"), width=WIDTH, height=170,
                 description=descriptions.gap(decomposition))


# ---- module 06 ---------------------------------------------------------------------------------------

def promotion_chart(promotions: pd.DataFrame) -> alt.LayerChart:
    """Median years at each level before promotion, by function (``careers.time_to_promotion``)."""
    bars = alt.Chart(promotions).encode(
        x=alt.X("from_level:O", title=_("level before the promotion"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("median_years:Q", title=_("median years at that level")),
        xOffset="function:N",
        color=alt.Color("function:N", title=_("function"),
                        scale=alt.Scale(domain=list(FUNCTION_COLORS)[:4], range=list(FUNCTION_COLORS.values())[:4])),
        tooltip=[alt.Tooltip("function:N", title=_("function")), alt.Tooltip("from_level:O", title=_("level")),
                 alt.Tooltip("median_years:Q", title=_("median years"), format=".1f"),
                 alt.Tooltip("promotions:Q", title=_("promotions seen"))])
    return (bars.mark_bar() + _bar_names(bars, "function", horizontal=False)).properties(
        title=_("How long until the next step?"), width=WIDTH, height=220,
        description=descriptions.promotion(promotions))


def transition_heatmap(matrix: pd.DataFrame, counts: pd.DataFrame | None = None) -> alt.LayerChart:
    """A transition matrix (``careers.transition_matrix``) as a heatmap: rows where people come from,
    columns where they go, colour and label the share of moves. Axes keep the matrix's order (the
    ladder order); ``counts`` (the same matrix with ``normalize=False``) adds the number of moves to
    the tooltip."""
    data = matrix.stack().rename("share").reset_index()
    data.columns = ["from", "to", "share"]
    tooltip = [alt.Tooltip("from:N", title=_("from")), alt.Tooltip("to:N", title=_("to")),
               alt.Tooltip("share:Q", title=_("share of moves"), format=".0%")]
    if counts is not None:
        data["moves"] = counts.stack().reindex(pd.MultiIndex.from_frame(data[["from", "to"]])).to_numpy()
        tooltip.append(alt.Tooltip("moves:Q", title=_("moves seen")))
    data = data[data["share"] > 0]
    data = data.assign(ink=[label_ink(heat_colour(v)) for v in data["share"]])
    base = alt.Chart(data).encode(
        x=alt.X("to:N", title=_("moves to"), sort=[str(c) for c in matrix.columns]),
        y=alt.Y("from:N", title=_("moves from"), sort=[str(i) for i in matrix.index]))
    cells = base.mark_rect().encode(
        color=alt.Color("share:Q", title=_("share of moves"),
                        scale=alt.Scale(range=list(HEAT), domain=[0, 1], interpolate="rgb"),
                        legend=alt.Legend(format="%")),
        tooltip=tooltip)
    labels = base.mark_text(fontSize=10).encode(
        text=alt.Text("share:Q", format=".0%"),
        color=alt.Color("ink:N", scale=None))  # black or white, whichever reads better on the cell
    # The labels' colours are their own (black, white), not points on the cells' scale.
    return alt.layer(cells, labels).resolve_scale(color="independent").properties(
        title=_("Where people move next"), width=WIDTH, height=WIDTH, description=descriptions.transition(data))


def promotion_pace_chart(pace: pd.DataFrame) -> alt.LayerChart:
    """Median years before a promotion, early and later in the ladder, with a 95 % interval for the
    median (``careers.promotion_pace``): a short bar is a precise median, a long one a guess."""
    data = pace.assign(label=pace["function"].astype(str) + " · " + pace["stage"].astype(str))
    order = [f"{f} · {s}" for f in FUNCTION_COLORS for s in ("early", "later") if f"{f} · {s}" in set(data["label"])]
    base = alt.Chart(data).encode(y=alt.Y("label:N", sort=order, title=_("function · stage of the ladder")))
    color = alt.Color("function:N", title=_("function"),
                      scale=alt.Scale(domain=list(FUNCTION_COLORS)[:4], range=list(FUNCTION_COLORS.values())[:4]))
    tooltip = [alt.Tooltip("function:N", title=_("function")), alt.Tooltip("stage:N", title=_("stage")),
               alt.Tooltip("promotions:Q", title=_("promotions seen")),
               alt.Tooltip("median_years:Q", title=_("median years"), format=".2f"),
               alt.Tooltip("low:Q", title=_("95 % interval from"), format=".2f"),
               alt.Tooltip("high:Q", title=_("95 % interval to"), format=".2f")]
    years = _("years at a level before the promotion")
    interval = base.mark_rule(strokeWidth=3, opacity=0.5).encode(
        x=alt.X("low:Q", title=years), x2="high:Q", color=color, tooltip=tooltip)
    # the same title on both layers: else Vega-Lite joins "median_years" to the shared axis title
    # The function is also each row's label and the median's shape: never told by colour alone.
    median = base.mark_point(filled=True, size=80).encode(
        x=alt.X("median_years:Q", title=years), color=color, tooltip=tooltip,
        shape=alt.Shape("function:N", title=_("function"), scale=alt.Scale(domain=list(FUNCTION_COLORS)[:4])))
    return alt.layer(interval, median).properties(
        title=_("Time before a promotion, with the uncertainty of the median"), width=WIDTH, height=200,
        description=descriptions.promotion_pace(pace))


def skills_fit_chart(fit: pd.DataFrame) -> alt.Chart:
    """Fit with each career path, 0–100 (``careers.skills_fit``)."""
    return alt.Chart(fit).mark_bar().encode(
        y=alt.Y("path:N", sort=list(fit["path"]), title=_("career path")),
        x=alt.X("fit:Q", title=_("fit with your self-assessment (0–100)"), scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("path:N", legend=None,
                        scale=alt.Scale(domain=list(FUNCTION_COLORS)[:4], range=list(FUNCTION_COLORS.values())[:4])),
        tooltip=[alt.Tooltip("path:N", title=_("path")), alt.Tooltip("fit:Q", title=_("fit"), format=".0f")],
    ).properties(title=_("Which path fits your skills today?"), width=WIDTH, height=150,
                 description=descriptions.skills_fit(fit))
