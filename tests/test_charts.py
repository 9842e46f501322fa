"""Charts: titled, units on axes, tooltips, small data, and a static copy for kernel-less viewers."""

from __future__ import annotations

import re
import sys

import pandas as pd
import pytest

from smarketing import alignment, attribution, careers, charts, dashboard, funnel, roles


def _charts(companies):
    lumen, ferro = companies["lumen"], companies["ferro"]
    quarterly = dashboard.quarterly_kpis(lumen)
    return {
        "time_allocation": charts.time_allocation_chart(roles.time_allocation(lumen.activities, lumen.employees)),
        "kpi_trend": charts.kpi_trend_chart(quarterly[quarterly["kpi"] == "mqls"], "MQLs", "MQLs", "2025Q1"),
        "revenue_lag": charts.revenue_lag_chart(funnel.revenue_lag(lumen.leads, lumen.opportunities)
                                                .assign(company="lumen")),
        "funnel": charts.funnel_chart(funnel.stage_counts(lumen.leads, lumen.opportunities)),
        "response_time": charts.response_time_chart(funnel.conversion_by_response_time(ferro.leads)),
        "threshold": charts.threshold_chart(funnel.mql_threshold_tradeoff(lumen.leads, lumen.opportunities), 55),
        "attribution": charts.attribution_chart(attribution.credit_by_channel(lumen.touchpoints, lumen.opportunities)),
        "segments": charts.segment_conversion_chart(alignment.conversion_by_segment([lumen, ferro])),
        "claim": charts.claim_chart(alignment.claim_table(lumen, ferro)),
        "promotion": charts.promotion_chart(careers.time_to_promotion(ferro.career_moves, ferro.employees)),
        "transitions": charts.transition_heatmap(careers.transition_matrix(ferro.career_moves)),
        "skills": charts.skills_fit_chart(careers.skills_fit({"negotiation": 5})),
        "activity_split": charts.activity_split_chart(roles.activity_split(ferro.activities, ferro.employees), "ferro"),
        "delivery_effect": charts.delivery_effect_chart(dashboard.delivery_effects(companies["bloom"].orders)),
        "cohort_naive": charts.cohort_naive_chart(funnel.cohort_vs_naive(lumen.leads, lumen.opportunities, "lead", "won")),
        "score_band": charts.score_band_chart(funnel.outcomes_by_score_band(lumen.leads, lumen.opportunities)
                                              .assign(company="lumen")),
        # the course companies stand in for the simulated what-ifs: the chart only needs the table's shape
        "gap": charts.gap_chart(alignment.gap_decomposition(ferro, lumen, ferro, lumen, lumen)),
        "promotion_pace": charts.promotion_pace_chart(careers.promotion_pace(careers.promotion_durations(
            careers.stack_companies(companies, "career_moves"), careers.stack_companies(companies, "employees")))),
    }


def _walk(spec):
    yield spec
    for value in spec.values() if isinstance(spec, dict) else spec if isinstance(spec, list) else ():
        if isinstance(value, dict | list):
            yield from _walk(value)


def test_every_chart_is_titled_labelled_and_small(companies):
    for name, chart in _charts(companies).items():
        spec = chart.to_dict()  # validates against the Vega-Lite schema
        titles = [s["title"] for s in _walk(spec) if isinstance(s, dict) and "title" in s and "text" not in s]
        assert spec.get("title") or any(isinstance(t, str) for t in titles), name
        encodings = [s["encoding"] for s in _walk(spec) if isinstance(s, dict) and "encoding" in s]
        assert any("tooltip" in e for e in encodings), f"{name} has no tooltip"
        quantitative_axes = [e[ch] for e in encodings for ch in ("x", "y")
                             if ch in e and isinstance(e[ch], dict) and e[ch].get("type") == "quantitative"]
        assert all(a.get("title") or a.get("axis", {}).get("title") for a in quantitative_axes), name
        rows = sum(len(v) for v in spec.get("datasets", {}).values())
        assert 0 < rows <= 500, f"{name} carries {rows} rows: aggregate before plotting"


def test_course_renderer_adds_a_static_svg(companies):
    chart = charts.funnel_chart(funnel.stage_counts(companies["lumen"].leads, companies["lumen"].opportunities))
    output = charts.bundle(chart.to_dict())
    assert output["image/svg+xml"].lstrip().startswith("<svg") and "Won" in output["image/svg+xml"]
    assert output["text/plain"] == "<chart: The demand waterfall>"
    live = charts.live_bundle(chart)
    assert set(live) == {charts.VEGALITE_MIME, "text/plain"}  # a move redraws without the SVG's cost
    assert "image/svg+xml" in charts.live_bundle(chart, static=True)  # an app's first drawing keeps a copy
    charts.enable()
    import altair as alt
    assert alt.renderers.active == "smarketing"


def test_without_vl_convert_a_chart_stays_live_with_no_static_copy(companies, monkeypatch):
    """In the browser (Pyodide: JupyterLite) vl-convert cannot be installed; the course must still draw."""
    monkeypatch.setitem(sys.modules, "vl_convert", None)  # `import vl_convert` now raises ImportError
    chart = charts.funnel_chart(funnel.stage_counts(companies["lumen"].leads, companies["lumen"].opportunities))
    output = charts.bundle(chart.to_dict())
    assert set(output) == {charts.VEGALITE_MIME, "text/plain"}
    assert output[charts.VEGALITE_MIME]["title"]


def test_a_charts_data_is_a_table_named_and_formatted_as_the_chart_shows_it(companies):
    from smarketing import funnel as funnel_module

    chart = charts.response_time_chart(funnel_module.conversion_by_response_time(companies["ferro"].leads))
    table = charts.data_table(charts.bundle(chart.to_dict())[charts.VEGALITE_MIME])
    assert table.startswith('<details class="smarketing-chart-data"><summary>The chart as a table</summary>')
    headers = re.findall(r"<th>(.*?)</th>", table)
    assert headers == ["first response", "MQLs", "MQL → SQL"], headers  # the tooltip's names, in its order
    assert "32.4%" in table and "under 5 min" in table  # as the tooltip shows it, not 0.3244
    output = charts.table_output(chart.to_dict())
    assert output["metadata"]["smarketing"]["chart_data"] and output["data"]["text/html"].startswith("<details")


def test_facet_funnel_by_company(companies):
    counts = pd.concat([funnel.stage_counts(c.leads, c.opportunities).assign(company=n) for n, c in companies.items()])
    spec = charts.funnel_chart(counts).to_dict()
    assert spec["facet"]["row"]["field"] == "company"


@pytest.mark.parametrize("percent_unit", ["share", "share per quarter"])
def test_share_kpis_get_percent_axes(percent_unit):
    table = pd.DataFrame({"quarter": ["2025Q1", "2025Q2"], "value": [0.2, 0.3]})
    spec = charts.kpi_trend_chart(table, "win rate", percent_unit).to_dict()
    axis = spec["layer"][0]["encoding"]["y"]["axis"]
    assert axis["format"] == "%" and axis["title"].endswith("(%)")


def test_the_backtest_chart_keys_each_method_by_shape_as_well_as_colour():
    from smarketing import forecasting

    table = pd.DataFrame({"quarter": ["2025Q1", "2025Q2"], "booked": [100.0, 200.0],
                          **{f"{m}_error": [0.1 * i, -0.2] for i, m in enumerate(forecasting.METHODS)}})
    spec = charts.backtest_chart(table).to_dict()
    points = spec["layer"][2]
    assert points["encoding"]["shape"]["field"] == "method" and points["encoding"]["color"]["field"] == "method"
    values = [row for data in spec["datasets"].values() for row in data if "method" in row]
    assert sorted({row["method"] for row in values}) == ["best case", "commit", "run rate", "weighted pipeline"]
