"""The figures that the course text reads off its apps after a learner moves them ("Answers" of the
"Your turn" questions): replayed here through the apps, so that a change to the data or the formulas
that moves a figure fails the build instead of leaving the text wrong. (The apps' starting figures are
in their plain-text output, which nbval checks.)"""

from __future__ import annotations

import re

import nbformat
import pytest

from tests.conftest import ROOT
from smarketing import careers, widgets


def _markdown(notebook: str, phrase: str) -> str:
    cells = nbformat.read(ROOT / "course" / notebook, as_version=4).cells
    found = [c.source for c in cells if c.cell_type == "markdown" and phrase in c.source]
    assert len(found) == 1, f"{notebook}: {len(found)} markdown cells hold {phrase!r}"
    return " ".join(found[0].split())  # lines wrap anywhere


def _quoted(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


def assert_quoted(text: str, value: float, relative: float = 0.003) -> None:
    """The text quotes ``value``, rounded as a writer would (within ``relative`` of it)."""
    near = [n for n in _quoted(text) if abs(n - value) <= relative * abs(value)]
    assert near, f"{value:,.1f} is not quoted in: {text[:300]}…"


def test_funnel_simulator_answers(companies):
    text = _markdown("03_funnel_handoff.ipynb", "Cut the first response from 2 h to 30 min")
    simulator = widgets.FunnelSimulator.from_company(companies["ferro"])
    start = simulator.revenue
    assert simulator.leads.value == 420 and simulator.response.value == 120
    simulator.response.value = 30
    faster = simulator.revenue
    simulator.response.value = 120
    called = simulator.rates["sal"].value
    simulator.rates["sal"].value = 0.88
    every_mql = simulator.rates["sal"].value and simulator.revenue
    simulator.response.value = 30
    both = simulator.revenue
    simulator.response.value, simulator.rates["sal"].value, simulator.leads.value = 120, called, 600
    more_leads = simulator.revenue
    for value in (start, faster, faster - start, every_mql, both, more_leads):
        assert_quoted(text, value)
    assert_quoted(text, 100 * (faster / start - 1), relative=0.03)  # "+41 %"


def test_threshold_explorer_answers(companies):
    text = _markdown("03_funnel_handoff.ipynb", "Raise `ferro`'s threshold from 40 to 50")
    explorer = widgets.ThresholdExplorer(companies["ferro"])
    for threshold in (40, 50, 30, 52):
        explorer.threshold.value = threshold
        per_month, share = (float(n.replace(",", "")) for n in re.findall(r"<b>([\d,.]+)%?</b>", explorer.summary.value)[:2])
        assert_quoted(text, per_month, relative=0)
        if threshold in (50, 52):
            assert f"**{share:.1f} %**" in text


def test_sla_planner_starting_figure(companies):
    text = _markdown("05_alignment.ipynb", "At `lumen`'s starting values the planner says")
    planner = widgets.SLAPlanner.from_company(companies["lumen"])
    assert f"**{planner.result.mqls_per_week:.1f}**" in text
    assert f"{planner.average_deal.value:,}" in text


def test_skills_assessment_answer():
    cells = nbformat.read(ROOT / "course" / "06_career_paths.ipynb", as_version=4).cells
    definition = next(c.source for c in cells if c.cell_type == "code" and c.source.startswith("people_person ="))
    namespace = {"careers": careers}
    exec(definition.rsplit("\n", 1)[0], namespace)  # the profiles, without the cell's table
    text = _markdown("06_career_paths.ipynb", "With the people person's ratings, the app names")
    assessment = widgets.SkillsAssessment(namespace["people_person"])
    best = assessment.result.iloc[0]
    assert f"**{best['path']}** ({best['fit']:.0f}/100)" in text
    gaps = careers.skill_gaps(namespace["people_person"], best["path"])
    assert f"**{gaps[0]}, {gaps[1]} and {gaps[2]}**" in text


@pytest.mark.parametrize("fit, ratings", [(0, 1), (50, 3), (100, 5)])
def test_skills_assessment_shows_the_fit_formula(fit, ratings):
    """Fit = 100 × (weighted mean rating − 1) ÷ 4: all 1s give 0, all 3s 50, all 5s 100, on every path."""
    assessment = widgets.SkillsAssessment(dict.fromkeys(careers.SKILLS, ratings))
    shown = {row["path"]: row["fit"] for rows in assessment.spec["datasets"].values() for row in rows}
    assert shown == dict.fromkeys(careers.PATHS, pytest.approx(fit))
    assert f"({fit}/100)" in assessment.summary.value


def test_the_holdout_section_quotes_its_own_test_and_the_truth(companies):
    """Module 05's geo holdout at ferro: every figure of its text, recomputed."""
    from smarketing import measurement
    from smarketing.datasets.generator import experiments

    ferro, regions, start, end = companies["ferro"], ("north", "east"), "2025-07-01", "2026-01-01"
    paused = experiments.geo_holdout(ferro, "events", regions, start, end)
    test = measurement.geo_test(paused.leads, regions, start, end)
    gaps = test.weekly.groupby("period")["gap"].mean()
    text = _markdown("05_alignment.ipynb", "In the 52 weeks before the test")
    assert test.before_weeks == 52 and test.test_weeks == 26
    assert_quoted(text, -gaps["before"], relative=0.15)  # "−0.4", one decimal
    for value in (-test.lift_per_week, test.leads_lost, *test.interval):
        assert_quoted(text, value, relative=0.01)
    truth = experiments.channel_truth(ferro)
    text = _markdown("05_alignment.ipynb", "The test's **")
    assert_quoted(text, len(ferro.leads) - len(paused.leads), relative=0)
    assert_quoted(text, truth["caused_leads"].sum(), relative=0)
    for channel in ("paid_search", "email", "referral", "paid_social"):
        assert_quoted(text, 100 * truth.loc[channel, "caused_share"], relative=0.02)
    for column in ("last_touch_revenue", "caused_revenue"):
        assert_quoted(text, truth.loc["paid_search", column], relative=0)
    romi = measurement.romi_by_channel(truth, 0.35)
    text = _markdown("05_alignment.ipynb", "On last-touch revenue")
    for channel in ("paid_search", "email"):
        for column in romi.columns:
            assert f"**{'−' if romi.loc[channel, column] < 0 else ''}{abs(romi.loc[channel, column]):.2f}**" in text
    text = _markdown("05_alignment.ipynb", "run the same test for `paid_search`")
    for channel, lost in (("paid_search", 150), ("email", 90)):  # the answer of "Your turn"
        world = experiments.geo_holdout(ferro, channel, regions, start, end)
        other = measurement.geo_test(world.leads, regions, start, end)
        assert abs(other.leads_lost - lost) < 1 and other.interval[0] < 0 < other.interval[1]
        low, high = (f"{'−' if x < 0 else ''}{abs(round(x)):,}" for x in other.interval)
        assert f"**{low} to {high}**" in text
        if channel == "paid_search":
            assert_quoted(text, measurement.last_touch_leads(ferro.leads, channel, regions, start, end), relative=0)
            assert_quoted(text, len(ferro.leads) - len(world.leads), relative=0)
    truth_text = _markdown("05_alignment.ipynb", "## ✅ Check yourself")
    for column in ("last_touch_leads", "caused_leads"):
        assert_quoted(truth_text, truth.loc["paid_search", column], relative=0)


def test_the_customer_success_section_quotes_bloom_s_own_cohorts_and_health_checks(companies):
    from smarketing import retention

    bloom = companies["bloom"]
    first = retention.first_orders(bloom.orders, bloom.support_tickets)
    table = retention.retention_curves(first).pivot(index="cohort", columns="days", values="retained")
    text = _markdown("05_alignment.ipynb", "About a fifth of each quarter's new shoppers")
    for cohort, days in (("2024Q1", 30), ("2024Q1", 360), ("2025Q1", 180), ("2025Q2", 180), ("2025Q4", 30)):
        assert_quoted(text, 100 * table.loc[cohort, days], relative=0.005)
    for days, low, high in ((90, 35, 40), (180, 41, 46)):
        assert low <= 100 * table[days].min() and 100 * table[days].max() <= high + 0.5
        assert f"**{low} to {high} %**" in text
    signs = retention.signal_table(first)
    text = _markdown("05_alignment.ipynb", "Of the shoppers whose first parcel came on time")
    for value in (signs.loc["late", "came_back_without_it"], signs.loc["late", "came_back_with_it"],
                  -signs.loc["returned", "difference"], -signs.loc["ticket", "difference"]):
        assert_quoted(text, 100 * value, relative=0.01)
    text = _markdown("05_alignment.ipynb", "Lateness alone ranks the shoppers")
    for weights in ({"late": -1}, {"late": -1, "returned": -1, "ticket": -1}):
        assert f"**{retention.health_check(first, weights).auc:.3f}**" in text
    text = _markdown("05_alignment.ipynb", "How often\ndid shoppers with a ticket")
    by_score = retention.health_check(first, {"late": -2, "ticket": -1}).by_score["came_back"]
    assert_quoted(text, 100 * by_score.loc[-1.0], relative=0.005)
    assert_quoted(text, 100 * by_score.loc[0.0], relative=0.005)


def test_the_spend_regression_quotes_its_own_fit(companies):
    from smarketing import measurement
    from smarketing.datasets.generator import experiments

    ferro = companies["ferro"]
    truth = experiments.channel_truth(ferro).loc["paid_search"]
    fit = measurement.spend_response(measurement.monthly_spend_and_leads(ferro.campaigns, ferro.leads, "paid_search"),
                                     "paid_search", lags=2)
    text = _markdown("05_alignment.ipynb", "The line fits almost perfectly")
    assert f"**{fit.r_squared:.2f}**" in text
    for value in (fit.leads_per_thousand, 1000 * truth["last_touch_leads"] / truth["spend"],
                  1000 * truth["caused_leads"] / truth["spend"]):
        assert f"**{value:.2f}**" in text


def test_the_sales_craft_sections_quote_their_own_tables(companies):
    from smarketing import selling

    for name, phrase in (("lumen", "At `lumen` every box tells winners"), ("ferro", "Less well. `ferro`'s gaps")):
        text = _markdown("04_pipeline_forecasting.ipynb", phrase)
        checklist = selling.checklist_win_rates(companies[name].opportunities)
        assert f"**{100 * checklist['difference'].min():.0f}**" in text
        if name == "lumen":
            assert f"**{100 * checklist['difference'].max():.0f}**" in text
            for column in ("win_rate_ticked", "win_rate_not_ticked"):
                assert f"**{100 * checklist[column].min():.0f} to {100 * checklist[column].max():.0f} %**" in text
        else:
            assert f"to **{100 * checklist['difference'].max():.0f}** (authority)" in text
            assert_quoted(text, 100 * checklist.loc["authority", "win_rate_not_ticked"])
            assert_quoted(text, 100 * selling.win_rates_by_boxes(companies[name].opportunities).loc[4, "win_rate"])
    boxes = selling.win_rates_by_boxes(companies["lumen"].opportunities)
    text = _markdown("04_pipeline_forecasting.ipynb", "With all four boxes `lumen` won")
    for count in (4, 3, 2):
        assert_quoted(text, 100 * boxes.loc[count, "win_rate"], relative=0.005)
    weak = boxes.loc[[0, 1, 2]]
    assert f"{int(weak[['won', 'lost']].sum().sum())} deals of two boxes or fewer" in text
    assert f"only {int(weak['won'].sum())} wins" in text

    lumen = companies["lumen"].opportunities
    bands = selling.discount_bands(lumen)
    text = _markdown("04_pipeline_forecasting.ipynb", "At `lumen` deals quoted at 0–5 %")
    for band in ("0–5 %", "5–10 %", "20 % or more"):
        assert_quoted(text, 100 * bands.loc[band, "win_rate"])
    lost = lumen[lumen["outcome"].astype(str) == "lost"]
    assert_quoted(text, 100 * lost.loc[lost["loss_reason"] == "price", "discount"].mean(), relative=0.005)
    assert_quoted(text, 100 * lumen.loc[lumen["outcome"].astype(str) == "won", "discount"].mean(), relative=0.01)
    for name, phrase in (("lumen", "Deals that closed in the last 14 days"), ("ferro", "More: **")):
        deals = companies[name].opportunities
        text = _markdown("04_pipeline_forecasting.ipynb", phrase)
        late = selling.quarter_end_discounts(deals)
        for value in (*late["median_discount"], *late["win_rate"]):
            assert_quoted(text, 100 * value)
        cost = selling.given_away(deals).loc["all"]
        assert_quoted(text, 100 * cost["share_given_away"], relative=0.01)
        assert f"{int(cost['deals'])} " in text


def test_the_pay_plans_section_quotes_its_own_simulation(companies):
    from smarketing.datasets.generator import pay

    ferro = pay.pay_plans(companies["ferro"])
    text = _markdown("05_alignment.ipynb", "Paying `ferro`'s marketing per SQL changes nothing")
    per_mql, shared = ferro.loc["per_mql"], ferro.loc["shared_revenue"]
    assert ferro.loc["per_sql", "threshold"] == per_mql["threshold"]  # the claim "changes nothing"
    assert f"(**{int(per_mql['threshold'])}**)" in text and f"threshold of **{int(shared['threshold'])}**" in text
    for value in (100 * per_mql["never_contacted_share"], shared["mqls"], 100 * shared["never_contacted_share"],
                  shared["sqls"]):
        assert_quoted(text, value, relative=0.01)
    for whole in (per_mql["median_response_minutes"], shared["median_response_minutes"],
                  100 * (shared["sqls"] / per_mql["sqls"] - 1)):
        assert f"**{round(whole)}**" in text or f"**{round(whole)} %**" in text, whole
    lumen = pay.pay_plans(companies["lumen"])
    text = _markdown("05_alignment.ipynb", "Marketing would lower its threshold from 55 to 40")
    for value in (lumen.loc["per_mql", "mqls"], lumen.loc["per_sql", "mqls"], pay.capacity(companies["lumen"]),
                  100 * lumen.loc["per_mql", "never_contacted_share"], lumen.loc["per_sql", "sqls"],
                  lumen.loc["per_mql", "sqls"]):
        assert_quoted(text, value, relative=0.005)
    summary = _markdown("05_alignment.ipynb", "**Pay is an instruction.**")
    assert f"{int(shared['sqls'])} SQLs" in summary and f"instead of {int(per_mql['sqls'])}" in summary


def test_the_w_shaped_section_quotes_its_own_journeys(companies):
    from smarketing import attribution

    def shares(company):
        table = attribution.journey_credit_by_channel(company.touchpoints, company.later_touchpoints,
                                                      company.opportunities)
        return table / table.sum()

    lumen = companies["lumen"]
    whole = shares(lumen)
    journeys = attribution.won_journeys(lumen.touchpoints, lumen.later_touchpoints, lumen.opportunities)
    text = _markdown("05_alignment.ipynb", "A `lumen` customer's journey to its opportunity")
    assert f"**{journeys.groupby('lead_id').size().median():.0f}** touches ({len(journeys)} over " \
           f"{journeys['lead_id'].nunique()} customers)" in text
    for channel, model in (("webinar", "w_shaped"), ("webinar", "first_touch"), ("webinar", "last_touch"),
                           ("email", "w_shaped"), ("email", "first_touch"), ("paid_search", "first_touch"),
                           ("paid_search", "w_shaped")):
        assert_quoted(text, 100 * whole.loc[channel, model], relative=0.005)
    ferro = companies["ferro"]
    whole = shares(ferro)
    at_lead = attribution.credit_by_channel(ferro.touchpoints, ferro.opportunities)
    at_lead = at_lead / at_lead.sum()
    gain = whole["last_touch"] - at_lead["last_touch"]
    assert gain.idxmax() == "events" and gain.idxmin() == "paid_search"
    text = _markdown("05_alignment.ipynb", "**Events** gain most")
    for value in (at_lead.loc["events", "last_touch"], whole.loc["events", "last_touch"],
                  whole.loc["events", "w_shaped"], at_lead.loc["paid_search", "last_touch"],
                  whole.loc["paid_search", "last_touch"]):
        assert_quoted(text, 100 * value, relative=0.01)
