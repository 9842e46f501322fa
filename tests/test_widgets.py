"""Every app built without a browser: controls are set in code, and the figures shown must change
as the course formulas say."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from tests.conftest import moved_in_time
from tests.datasets.crm.exports import partial_imports
from smarketing import alignment, careers, charts, dashboard, funnel, load_company, roles, widgets


def _numbers(html: str) -> list[float]:
    """The bold figures of a summary line, as numbers."""
    return [float(x.replace(",", "").rstrip("%")) for x in re.findall(r"<b>([\d,.]+%?)</b>", html)]


def _chart_data(app: widgets.App) -> list[dict]:
    spec = app.chart.outputs[0]["data"][charts.VEGALITE_MIME]
    return [row for rows in spec["datasets"].values() for row in rows]


def test_role_sorter_scores_and_explains():
    app = widgets.RoleSorter()
    assert "0 of 11 answered" in app.summary.value and app.table.value == ""
    for task, choice in zip(app.tasks, app.choices, strict=True):
        choice.value = task.owner
    app.choices[0].value = "sales"  # one wrong answer: a marketing task
    assert "11 of 11 answered" in app.summary.value  # no verdict before the button
    app.check.click()
    assert re.search(r"<b>(\d+) of (\d+) right", app.summary.value).groups() == ("10", "11")
    assert "Not quite: this is Marketing work" in app.table.value
    assert app.table.value.count("✔") == 10


def test_kpi_dashboard_shows_the_quarterly_table(companies):
    app = widgets.KPIDashboard(companies)
    expected = dashboard.quarterly_kpis(companies["ferro"]).set_index(["quarter", "kpi"])
    app.company.value, app.quarter.value, app.function.value = "ferro", "2025Q2", "sales"
    shown = app.result.set_index("kpi")
    assert shown.loc["win_rate", "value"] == expected.loc[("2025Q2", "win_rate"), "value"]
    assert shown.loc["win_rate", "previous"] == expected.loc[("2025Q1", "win_rate"), "value"]
    assert widgets.format_value(shown.loc["bookings", "value"], "currency") in app.table.value
    app.function.value = "operations"
    assert app.kpi.value == "tickets" and "on_time_delivery" not in app.kpi.options
    app.company.value = "bloom"
    assert "on_time_delivery" in app.kpi.options
    app.kpi.value = "on_time_delivery"
    assert app.spec["title"] == "on time delivery"


def test_kpi_dashboard_recomputes_once_per_move(companies, monkeypatch):
    app = widgets.KPIDashboard(companies)
    updates = []
    original = app.update
    monkeypatch.setattr(app, "update", lambda: updates.append(1) or original())
    for control, value in ((app.function, "operations"), (app.company, "bloom"), (app.quarter, "2024Q3"),
                           (app.kpi, "csat")):
        updates.clear()
        control.value = value
        assert len(updates) == 1, control.description
    assert app.spec["title"] == "csat" and app.result["quarter"].eq("2024Q3").all()


def test_kpi_dashboard_follows_each_company_s_quarters(companies):
    later = moved_in_time(companies["ferro"], 2)
    app = widgets.KPIDashboard({"lumen": companies["lumen"], later.name: later})
    assert app.quarter.value == "2025Q4"
    app.company.value = later.name
    assert app.quarter.options[0] == "2026Q1" and app.quarter.value == "2027Q4"
    expected = dashboard.quarterly_kpis(later).set_index(["quarter", "kpi"])
    app.quarter.value = "2026Q3"
    shown = app.result.set_index("kpi")
    assert shown.loc["leads", "value"] == expected.loc[("2026Q3", "leads"), "value"] > 0
    assert shown.loc["leads", "previous"] == expected.loc[("2026Q2", "leads"), "value"]
    app.company.value = "lumen"
    assert app.quarter.value == "2025Q4"  # lumen has no 2026Q3: its latest quarter


def test_funnel_simulator_follows_the_formula():
    rates = {"mql": 0.5, "sal": 0.8, "sql": 0.5, "opportunity": 0.5, "won": 0.25}
    app = widgets.FunnelSimulator(rates, 40_000, leads_per_month=1000, response_minutes=60)
    assert app.revenue == pytest.approx(1000 * 0.5 * 0.8 * 0.5 * 0.5 * 0.25 * 40_000)
    assert _numbers(app.summary.value) == [25, 1_000_000]
    app.leads.value = 2000
    assert app.revenue == pytest.approx(2_000_000)
    app.response.value = 240  # (60 / 240) ** 0.5 halves qualification
    assert app.revenue == pytest.approx(1_000_000)
    app.rates["won"].value = 0.5
    assert app.revenue == pytest.approx(2_000_000)
    won_bar = [row for row in _chart_data(app) if row["stage"] == "won"]
    assert won_bar[0]["count"] == pytest.approx(50)


def test_funnel_simulator_from_a_company(companies):
    ferro = companies["ferro"]
    app = widgets.FunnelSimulator.from_company(ferro)
    assert app.response.value == 120  # ferro's median first response, 123 min, to the nearest choice
    assert app.rates["mql"].value == pytest.approx(funnel.observed_rates(ferro.leads, ferro.opportunities)["mql"],
                                                   abs=0.005)
    before = app.revenue
    app.response.value = 30
    assert app.revenue == pytest.approx(before / funnel.response_effect(120))


def test_threshold_explorer_reads_the_tradeoff(companies):
    lumen = companies["lumen"]
    app = widgets.ThresholdExplorer(lumen)
    assert app.threshold.value == lumen.params["mql_threshold"]
    app.threshold.value = 70
    row = funnel.mql_threshold_tradeoff(lumen.leads, lumen.opportunities, [70]).iloc[0]
    for figure in (widgets.format_value(row["mqls"] / 24, "MQLs"), widgets.format_value(row["share_of_leads"], "share"),
                   widgets.format_value(row["share_of_won_revenue"], "share")):
        assert figure in app.summary.value
    assert "within capacity" in app.summary.value
    app.capacity.value = 10
    assert "over capacity" in app.summary.value
    rule = [row for row in _chart_data(app) if set(row) == {"threshold"}]
    assert rule == [{"threshold": 70}]


def test_sla_planner_matches_sla_plan(companies):
    app = widgets.SLAPlanner.from_company(companies["lumen"])
    rates = {stage: w.value for stage, w in app.rates.items()}
    app.target.value, app.reps.value = 2_000_000, 20
    plan = alignment.sla_plan(2_000_000, app.average_deal.value, rates, reps=20)
    assert _numbers(app.summary.value)[0] == pytest.approx(round(plan.mqls_per_week, 1))
    app.target.value = 4_000_000
    doubled = alignment.sla_plan(4_000_000, app.average_deal.value, rates, reps=20)
    assert app.result.needed("mql") == doubled.needed("mql") > 1.9 * plan.needed("mql")
    app.reps.value = 40
    assert app.result.follow_ups_per_rep_week == pytest.approx(doubled.follow_ups_per_rep_week / 2)


def test_skills_assessment_points_to_the_best_path():
    app = widgets.SkillsAssessment()
    for skill, slider in app.ratings.items():
        slider.value = 5 if skill in careers.SKILL_WEIGHTS["operations"] and careers.SKILL_WEIGHTS["operations"][skill] == 3 else 1
    assert app.result["path"].iloc[0] == "operations"
    assert roles.FUNCTION_LABELS["operations"] in app.summary.value
    assert "creative planning" in app.summary.value  # the operations skill with most room to grow


def test_format_value():
    assert widgets.format_value(0.1234, "share") == "12.3%"
    assert widgets.format_value(1234567.8, "currency") == "1,234,568"
    assert widgets.format_value(float("nan"), "days") == "—"
    assert widgets.format_value(3.25, "days") == "3.2"


def test_apps_say_which_rates_are_assumed(companies):
    lumen = companies["lumen"]
    opportunities = lumen.opportunities.assign(outcome=lumen.opportunities["outcome"].replace("won", "lost"))
    nothing_won = replace(lumen, tables={**lumen.tables, "opportunities": opportunities})
    for app in (widgets.SLAPlanner.from_company(nothing_won), widgets.FunnelSimulator.from_company(nothing_won)):
        assert app.rates["won"].value == funnel.TYPICAL_RATES["won"]
        assert "cannot measure the rate into Won" in app.summary.value
    assert "cannot measure" not in widgets.SLAPlanner.from_company(lumen).summary.value
    simulator = widgets.FunnelSimulator.from_company(nothing_won)
    simulator.rates["won"].value = 0.5  # the facilitator's own estimate doubles the expected revenue
    assert simulator.revenue == pytest.approx(2 * widgets.FunnelSimulator.from_company(nothing_won).revenue)


def test_sla_planner_by_hand():
    rates = {"mql": 0.25, "sal": 0.8, "sql": 0.5, "opportunity": 0.5, "won": 0.25}
    app = widgets.SLAPlanner(rates, 50_000, revenue_target=1_000_000, reps=5)
    app.attempts.value = 4
    # 1,000,000 ÷ 50,000 = 20 won ← 80 opportunities ← 160 SQLs ← 320 SALs ← 400 MQLs, over 13 weeks
    assert _numbers(app.summary.value) == [pytest.approx(30.8), pytest.approx(24.6)]  # 400 ÷ 13; 400 × 4 ÷ (13 × 5)
    shown = {row["stage"]: row["count"] for row in _chart_data(app)}
    assert shown == {"lead": 1600, "mql": 400, "sal": 320, "sql": 160, "opportunity": 80, "won": 20}
    app.rates["sal"].value = 1.0  # sales accepts every MQL: 320 MQLs are enough
    assert _numbers(app.summary.value)[0] == pytest.approx(24.6)


def test_kpi_dashboard_table_shows_the_formulas_by_hand(companies):
    """The displayed win rate of a quarter, recounted from the deals closed in it."""
    ferro = companies["ferro"]
    app = widgets.KPIDashboard(companies)
    app.company.value, app.quarter.value, app.function.value = "ferro", "2025Q2", "sales"
    closed = ferro.opportunities[(ferro.opportunities["closed_at"] >= "2025-04-01")
                                 & (ferro.opportunities["closed_at"] < "2025-07-01")]
    won, lost = (closed["outcome"] == "won").sum(), (closed["outcome"] == "lost").sum()
    row = re.search(r"<td[^>]*>win rate</td><td[^>]*>([\d.]+)%</td>", app.table.value)
    assert float(row.group(1)) == pytest.approx(100 * won / (won + lost), abs=0.05)


def test_the_facilitator_app_on_a_partial_export(companies, tmp_path_factory):
    partial = partial_imports(companies["lumen"], tmp_path_factory.mktemp("partial"))
    tabs = widgets.facilitator_app(load_company(partial["contacts_only"]), list(companies.values()))
    assert "has no deals in its data" in tabs.children[0].value
    assert isinstance(tabs.children[2], widgets.KPIDashboard)
    simulator = widgets.facilitator_app(load_company(partial["nothing_won"]), []).children[0]
    assert isinstance(simulator, widgets.FunnelSimulator) and "cannot measure the rate into Won" in simulator.summary.value


def test_a_company_name_is_text_in_the_dashboard_not_markup(companies):
    hostile = replace(companies["ferro"], name="Smith & <EMEA> <img src=x onerror=alert(1)>")
    app = widgets.KPIDashboard([hostile, companies["lumen"]])
    assert app.summary.value.startswith("<b>Smith &amp; &lt;EMEA&gt; &lt;img src=x onerror=alert(1)&gt;</b>, ")
    assert "<img" not in app.summary.value and "<EMEA>" not in app.summary.value
    assert repr(app).startswith("<KPIDashboard: KPI dashboard> Smith & <EMEA> <img src=x onerror=alert(1)>, ")
    assert hostile.name in app.company.options  # a Dropdown shows its options as text


def test_capacity_planner_by_hand():
    """Two reps of 100 a quarter: one on board all along, one hired on the quarter's first day. With a 90-day ramp
    the new one carries the mean of 0/90 … 91/90 capped at 1 over 2025Q4's 92 days; a target 50 % above last
    year's 400 is 600, and today's team at 80 % books 4 × 200 × 0.8 = 640: no rep to add. At 40 %, 320 of it: the
    gap of 280 over 4 × 100 × 0.4 = 160 a rep needs 2."""
    employees = pd.DataFrame({"employee_id": ["E1", "E2"], "region": ["north", "south"],
                              "hire_date": pd.to_datetime(["2020-01-01", "2025-10-01"]),
                              "quarterly_quota": [100.0, 100.0]})
    app = widgets.CapacityPlanner(employees, "2025Q4", booked_last_year=400, ramp_days=90, attainment=0.8,
                                  growth=0.5)
    ramp = (sum(range(90)) / 90 + 2) / 92
    assert app.result["team"]["capacity"].sum() == pytest.approx(100 + 100 * ramp)
    assert app.result["target"] == pytest.approx(600) and app.result["reps"] == 0
    app.attainment.value = 0.4
    assert app.result["reps"] == 2
    assert "needs this many more fully ramped reps: 2." in repr(app)
    app.ramp.value = 0
    assert app.result["team"]["capacity"].sum() == pytest.approx(200)
    assert {row["region"] for row in app.spec["datasets"][next(iter(app.spec["datasets"]))]} == {"north", "south"}
