"""The course's interactive apps (ipywidgets 8), one per module.

Each app is a thin shell around pure, tested functions of the domain modules: a control changes,
:meth:`App.update` recomputes with those functions, and the summary line, table and chart are
redrawn. The apps keep their last result in ``result`` and their chart in ``spec``, so tests (and the
benchmarks) drive them without a browser by setting ``control.value``. Heavy work (sorting leads,
quarterly aggregates) happens once when the app is built, so that moving a control stays fast even
for a million leads.
"""

from __future__ import annotations

import contextlib
import html
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from itertools import pairwise
from typing import Any

import altair as alt
import ipywidgets as widgets
import pandas as pd

from smarketing import (
    alignment,
    careers,
    charts,
    controls,
    dashboard,
    funnel,
    kpis,
    planning,
    roles,
)
from smarketing.datasets import Company, availability
from smarketing.messages import _

RESPONSE_CHOICES = (5, 15, 30, 60, 120, 240, 480, 1440, 2880)  # minutes


def format_value(value: float, unit: str) -> str:
    """A KPI value as a learner reads it: shares as %, money and counts with thousands separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit.startswith("share"):
        return f"{value:.1%}"
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"


def _table_html(frame: pd.DataFrame) -> str:
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(f"<td style='padding:2px 8px'>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


class App(widgets.VBox):
    """Controls above, then a summary, a table and a chart, recomputed whenever a control changes."""

    def __init__(self, title: str, controls: Sequence[widgets.Widget], **kwargs: Any):
        self.title = title
        self.controls = list(controls)
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.chart = widgets.Output()
        self.result: Any = None
        self.spec: dict[str, Any] = {}
        self.heading = widgets.HTML()
        self.heading_level = 3
        super().__init__([self.heading, widgets.VBox(self.controls), self.summary, self.table, self.chart], **kwargs)
        for control in self.controls:
            if hasattr(control, "value"):
                control.observe(lambda _change: self._held or self.update(), names="value")
        self.update()

    _held = False

    @property
    def heading_level(self) -> int:
        """The level of the app's title: 3, under the ``##`` section of a course notebook that shows it; the
        facilitator's app, under the page's ``#``, uses 2 (a skipped level loses a screen reader's outline)."""
        return self._heading_level

    @heading_level.setter
    def heading_level(self, level: int) -> None:
        self._heading_level = level
        self.heading.value = f"<h{level}>{html.escape(self.title)}</h{level}>"

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Set controls that follow another control without a recompute each: the control that was
        moved recomputes once, after them (its observer runs after those registered before it)."""
        self._held = True
        try:
            yield
        finally:
            self._held = False

    def __repr__(self) -> str:
        """The widget's plain-text output, which nbval checks: its title and summary line, so that the
        starting figures a notebook's text quotes are tested like any other output."""
        summary = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", self.summary.value))).strip()
        summary = re.sub(r" ([.,;:)])", r"\1", summary)
        return f"<{type(self).__name__}: {self.title}> {summary}".rstrip()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        data = super()._repr_mimebundle_(**kwargs)
        if data:
            data["text/plain"] = repr(self)  # whole: ipywidgets cuts it at 110 characters
        return data

    def compute(self) -> Any:
        raise NotImplementedError

    def render(self, result: Any) -> tuple[str, str, alt.TopLevelMixin | None]:
        """Summary HTML, table HTML and chart for a result."""
        raise NotImplementedError

    def update(self) -> None:
        self.result = self.compute()
        summary, table, chart = self.render(self.result)
        self.summary.value, self.table.value = summary, table
        if chart is not None:
            output = charts.live_bundle(chart, static=not self.spec)  # the first drawing gets an SVG copy
            self.spec = output[charts.VEGALITE_MIME]
            # Setting the Output widget's outputs directly works with and without a kernel (tests). The chart's data
            # follows it as a table, as under every chart of the course.
            self.chart.outputs = ({"output_type": "display_data", "data": output, "metadata": charts.EMBED},
                                  charts.table_output(self.spec))


def _assumed_note(stages: Sequence[str]) -> str:
    if not stages:
        return ""
    names = ", ".join(charts.stage_label(s) for s in stages)
    return "<br><i>" + html.escape(_("Your data cannot measure the rate into {stages} (no leads, no deals, or "
                                     "none won yet): it starts at a typical benchmark value (grade C). Set it to your "
                                     "own estimate.", stages=names)) + "</i>"


# ---- module 01: who owns this task? -------------------------------------------------------------------

class RoleSorter(App):
    """For each task, pick the function that owns it; "Check my answers" gives feedback on each."""

    def __init__(self, tasks: Sequence[roles.Task] = roles.TASKS):
        self.tasks = list(tasks)
        options = [(_("— choose —"), "")] + [(label, key) for key, label in roles.FUNCTION_LABELS.items()]
        self.choices = [widgets.Dropdown(options=options, value="", description=task.text,
                                         style={"description_width": "420px"}, layout=widgets.Layout(width="640px"))
                        for task in self.tasks]
        self.check = widgets.Button(description=_("Check my answers"), button_style="primary")
        self.checked = False
        super().__init__(_("Who owns this task?"), [*self.choices, self.check])
        self.check.on_click(self._on_check)

    def _on_check(self, _button: widgets.Button) -> None:
        self.checked = True
        self.update()

    def compute(self) -> list[roles.Verdict]:
        return [roles.check_owner(task, choice.value) for task, choice in zip(self.tasks, self.choices, strict=True)]

    def render(self, verdicts: list[roles.Verdict]) -> tuple[str, str, None]:
        answered = sum(bool(choice.value) for choice in self.choices)
        if not self.checked:
            return _("{answered} of {total} answered. Press <b>Check my answers</b> when you are ready.",
                     answered=answered, total=len(self.tasks)), "", None
        right = sum(v.correct for v in verdicts)
        rows = pd.DataFrame({_("task"): [t.text for t in self.tasks],
                             _("feedback"): [("✔ " if v.correct else "✘ ") + v.message for v in verdicts]})
        return _("<b>{right} of {total} right.</b>", right=right, total=len(self.tasks)), _table_html(rows), None


# ---- module 02: the KPI dashboard ---------------------------------------------------------------------

class KPIDashboard(App):
    """Pick a company, a quarter and a function: its KPIs against target and the previous quarter, and
    the trend of one KPI."""

    def __init__(self, companies: Mapping[str, Company] | Sequence[Company]):
        items = companies.values() if isinstance(companies, Mapping) else companies
        self.kpis = {c.name: dashboard.quarterly_kpis(c) for c in items}  # the heavy part, once
        self.quarters = {name: list(dict.fromkeys(table["quarter"])) for name, table in self.kpis.items()}
        self.company = widgets.Dropdown(options=list(self.kpis), description=_("company"))
        first = self.quarters[self.company.value]
        self.quarter = widgets.Dropdown(options=first, value=first[-1], description=_("quarter"))
        self.function = controls.Choice(_("function"), ["marketing", "sales", "operations", "shared"])
        self.kpi = widgets.Dropdown(description=_("trend of"))
        self._sync_kpi_options()
        for control in (self.company, self.function):
            control.observe(lambda _change: self._sync_kpi_options(), names="value")
        self.company.observe(lambda _change: self._sync_quarter_options(), names="value")
        super().__init__(_("KPI dashboard"), [self.company, self.quarter, self.function, self.kpi])

    def _sync_kpi_options(self) -> None:
        table = self.kpis[self.company.value]
        options = list(dict.fromkeys(table.loc[table["function"] == self.function.value, "kpi"]))
        if list(self.kpi.options) != options:
            with self.held():
                self.kpi.options = options
                self.kpi.value = options[0]

    def _sync_quarter_options(self) -> None:
        """Companies may cover different quarters (an import spans what its export spans): keep the
        quarter when the new company has it, else show its latest."""
        options = self.quarters[self.company.value]
        if list(self.quarter.options) != options:
            keep = self.quarter.value if self.quarter.value in options else options[-1]
            with self.held():
                self.quarter.options = options
                self.quarter.value = keep

    def compute(self) -> pd.DataFrame:
        table = self.kpis[self.company.value]
        rows = table[table["function"] == self.function.value]
        quarters = self.quarters[self.company.value]
        position = quarters.index(self.quarter.value)
        now = rows[rows["quarter"] == self.quarter.value].set_index("kpi")
        if position:
            before = rows[rows["quarter"] == quarters[position - 1]].set_index("kpi")["value"]
            now = now.assign(previous=before)
        else:
            now = now.assign(previous=math.nan)
        return now.reset_index()

    def render(self, now: pd.DataFrame) -> tuple[str, str, alt.TopLevelMixin | None]:
        def typical(kpi: str) -> str:
            info = kpis.KPI_CATALOG.get(kpi)
            return f"{info.typical_range} ({info.source_grade})" if info and info.typical_range != "—" else ""

        shown = pd.DataFrame({
            _("KPI"): now["kpi"].str.replace("_", " "),
            _("value"): [format_value(v, u) for v, u in zip(now["value"], now["unit"], strict=True)],
            _("unit"): now["unit"],
            _("target"): [format_value(v, u) for v, u in zip(now["target"], now["unit"], strict=True)],
            _("previous quarter"): [format_value(v, u) for v, u in zip(now["previous"], now["unit"], strict=True)],
            _("typical range (source grade)"): [typical(k) for k in now["kpi"]],
        })
        # The company's name is the facilitator's --name or folder name: text, never markup.
        summary = _("<b>{company}</b>, {quarter}, {function}: {count} KPIs.", company=html.escape(self.company.value),
                    quarter=html.escape(str(self.quarter.value)), function=html.escape(self.function.value),
                    count=len(now))
        chart = None
        if self.kpi.value:
            table = self.kpis[self.company.value]
            trend = table[table["kpi"] == self.kpi.value]
            chart = charts.kpi_trend_chart(trend, self.kpi.value.replace("_", " "), trend["unit"].iloc[0],
                                           highlight=self.quarter.value)
        return summary, _table_html(shown), chart


# ---- module 03: funnel simulator and MQL threshold -----------------------------------------------------

class FunnelSimulator(App):
    """Leads a month, stage rates, average deal and sales' response time → customers and revenue."""

    def __init__(self, rates: Mapping[str, float], average_deal: float, leads_per_month: int = 1000,
                 response_minutes: int = 30, response_decay: float = 0.5, assumed: Sequence[str] = ()):
        self.response_decay = response_decay
        self.assumed = list(assumed)
        self.leads = controls.Slider(_("leads a month"), leads_per_month, 0, max(5000, 2 * leads_per_month),
                                     _step(leads_per_month, 50))
        self.rates = {stage: controls.Slider(_("{before} → {after}", before=charts.stage_label(before),
                                               after=charts.stage_label(stage)),
                                             round(float(rates[stage]), 2), 0.0, 1.0, 0.01, percent=True)
                      for before, stage in pairwise(funnel.STAGES)}
        self.average_deal = controls.Slider(_("average deal"), int(round(average_deal, -2)), 0,
                                            int(max(4 * average_deal, 1000)), 100)
        nearest = min(RESPONSE_CHOICES, key=lambda m: abs(m - response_minutes))
        self.response = controls.SelectionSlider(_("first response"),
                                                 [(_minutes_label(m), m) for m in RESPONSE_CHOICES], nearest)
        super().__init__(_("Funnel simulator"), [self.leads, *self.rates.values(), self.average_deal, self.response])

    @classmethod
    def from_company(cls, company: Company) -> FunnelSimulator:
        """Start from a company's own numbers: its within-the-hour stage rates, average won deal, leads
        per month and median speed to lead. Stages the data cannot measure (no deals, none won yet)
        start at typical rates (:func:`smarketing.funnel.plannable_rates`), and the summary says so."""
        leads, opportunities = company.leads, company.opportunities
        decay = float(company.params.get("response_decay", 0.5))
        won = opportunities[opportunities["outcome"] == "won"]
        deals = won if len(won) else opportunities
        response = funnel.speed_to_lead_minutes(leads)
        rates, assumed = funnel.plannable_rates(funnel.within_hour_rates(leads, opportunities, decay))
        return cls(rates, kpis.average_deal_size(float(deals["amount"].sum()), len(deals)) if len(deals) else 10_000,
                   leads_per_month=int(round(len(leads) / company.quarters.months, -1)),
                   response_minutes=30 if math.isnan(response) else int(response), response_decay=decay,
                   assumed=assumed)

    def compute(self) -> pd.DataFrame:
        return funnel.simulate_funnel(self.leads.value, {s: w.value for s, w in self.rates.items()},
                                      self.average_deal.value, self.response.value, self.response_decay)

    @property
    def revenue(self) -> float:
        return float(self.result["revenue"].iloc[-1])

    def render(self, result: pd.DataFrame) -> tuple[str, str, alt.TopLevelMixin]:
        won = float(result["count"].iloc[-1])
        summary = _("Expected each month: <b>{customers}</b> new customers and <b>{revenue}</b> of revenue "
                    "(first response {response}: SAL → SQL × {effect:.2f}).", customers=format_value(won, "customers"),
                    revenue=format_value(self.revenue, "currency"), response=_minutes_label(self.response.value),
                    effect=funnel.response_effect(self.response.value, self.response_decay))
        return summary + _assumed_note(self.assumed), "", charts.funnel_chart(result, _("Your funnel, a month"))


class ThresholdExplorer(App):
    """Move the MQL threshold: how many leads sales must work, and how much won revenue they hold."""

    def __init__(self, company: Company, capacity_per_month: int | None = None):
        self.tradeoff = funnel.mql_threshold_tradeoff(company.leads, company.opportunities, range(101))
        self.months = company.quarters.months
        current = int(company.params.get("mql_threshold", 50))
        per_month = self.tradeoff.set_index("threshold")["mqls"] / self.months
        self.threshold = controls.Slider(_("MQL threshold"), current, 0, 100)
        self.capacity = controls.Slider(_("sales can work (MQLs a month)"),
                                        capacity_per_month or math.ceil(per_month.loc[current]), 0,
                                        math.ceil(per_month.max()))
        self.company_name = company.name
        super().__init__(_("The MQL threshold"), [self.threshold, self.capacity])

    def compute(self) -> pd.Series:
        return self.tradeoff.set_index("threshold").loc[self.threshold.value]

    def render(self, row: pd.Series) -> tuple[str, str, alt.TopLevelMixin]:
        per_month = row["mqls"] / self.months
        load = _("within capacity") if per_month <= self.capacity.value else _(
            "<b>over capacity</b>: {extra} MQLs a month will wait or leak", extra=format_value(
                per_month - self.capacity.value, "MQLs"))
        summary = _("At a threshold of {threshold}, sales must work <b>{mqls}</b> MQLs a month ({share} of leads), "
                    "which hold <b>{revenue}</b> of the won revenue; {load}.", threshold=self.threshold.value,
                    mqls=format_value(per_month, "MQLs"), share=format_value(row["share_of_leads"], "share"),
                    revenue=format_value(row["share_of_won_revenue"], "share"), load=load)
        return summary, "", charts.threshold_chart(self.tradeoff, self.threshold.value)


# ---- module 04: the capacity planner ------------------------------------------------------------------

class CapacityPlanner(App):
    """A quarter's capacity with the ramp of new reps, and the reps a growth target needs
    (:func:`smarketing.planning.capacity`, :func:`smarketing.planning.reps_needed`)."""

    def __init__(self, employees: pd.DataFrame, quarter: str | pd.Period, booked_last_year: float,
                 ramp_days: int = planning.DEFAULT_RAMP_DAYS, attainment: float = 0.8, growth: float = 0.2):
        self.employees, self.quarter, self.booked = employees, pd.Period(quarter, freq="Q"), float(booked_last_year)
        quotas = employees["quarterly_quota"].dropna()
        self.yearly_quota = 4 * float(quotas.median()) if len(quotas) else 0.0
        self.ramp = controls.Slider(_("days a new rep takes to ramp"), ramp_days, 0, 360, _step(ramp_days, 15))
        self.attainment = controls.Slider(_("share of quota reps reach"), attainment, 0.3, 1.5, 0.05, percent=True)
        self.growth = controls.Slider(_("growth target over last year"), growth, 0.0, 1.0, 0.05, percent=True)
        super().__init__(_("Capacity planner"), [self.ramp, self.attainment, self.growth])

    @classmethod
    def from_company(cls, company: Company, quarter: str | pd.Period) -> CapacityPlanner:
        """Start from a company's reps in ``quarter`` and the bookings of the four quarters that end with it."""
        period = pd.Period(quarter, freq="Q")
        won = company.opportunities[company.opportunities["outcome"].astype(str) == "won"]
        last_year = won["closed_at"].between((period - 3).start_time, (period + 1).start_time, inclusive="left")
        return cls(company.employees, period, float(won.loc[last_year, "amount"].sum()))

    def compute(self) -> dict[str, Any]:
        team = planning.capacity(self.employees, self.quarter, self.ramp.value)
        full_year = 4 * float(self.employees["quarterly_quota"].sum())
        target = self.booked * (1 + self.growth.value)
        reps = planning.reps_needed(target, self.yearly_quota, self.attainment.value, full_year) \
            if self.yearly_quota > 0 else 0
        return {"team": team, "target": target, "reps": reps, "full_year": full_year}

    def render(self, result: dict[str, Any]) -> tuple[str, str, alt.TopLevelMixin]:
        team = result["team"]
        summary = _("With a {ramp}-day ramp, the {reps} reps with a quota can carry <b>{capacity}</b> in {quarter}, "
                    "against a full quota of {quota}. A target of <b>{target}</b> a year (last year's {booked} + "
                    "{growth}), if every rep reaches {attainment} of quota, needs this many more fully ramped reps: "
                    "<b>{needed}</b>.",
                    ramp=self.ramp.value, reps=len(team), capacity=format_value(team["capacity"].sum(), ""),
                    quarter=str(self.quarter), quota=format_value(team["quota"].sum(), ""),
                    target=format_value(result["target"], ""), booked=format_value(self.booked, ""),
                    growth=format_value(self.growth.value, "share"), needed=result["reps"],
                    attainment=format_value(self.attainment.value, "share"))
        by_region = team.groupby("region")[["quota", "capacity"]].sum().reset_index()
        return summary, "", charts.capacity_chart(by_region, _("Capacity with the ramp, by region, in {quarter}",
                                                               quarter=str(self.quarter)))


# ---- module 05: the SLA planner -----------------------------------------------------------------------

class SLAPlanner(App):
    """A quarter's revenue target and the funnel's rates → what marketing and sales owe each other."""

    def __init__(self, rates: Mapping[str, float], average_deal: float, revenue_target: float = 1_000_000,
                 reps: int = 10, assumed: Sequence[str] = ()):
        self.assumed = list(assumed)
        self.target = controls.Slider(_("revenue target a quarter"), int(revenue_target), 0,
                                      int(max(5 * revenue_target, 1e6)), _step(int(revenue_target), 50_000))
        # At least 100, the slider's start, as ipywidgets used to clamp it: a deal that rounds to 0 plans nothing.
        self.average_deal = controls.Slider(_("average deal"), max(int(round(average_deal, -2)), 100), 100,
                                            int(max(4 * average_deal, 1000)), 100)
        self.rates = {stage: controls.Slider(_("{before} → {after}", before=charts.stage_label(before),
                                               after=charts.stage_label(stage)),
                                             min(max(round(float(rates[stage]), 2), 0.01), 1.0), 0.01, 1.0, 0.01,
                                             percent=True)
                      for before, stage in pairwise(funnel.STAGES)}
        self.reps = controls.Slider(_("sales reps"), reps, 1, 100)
        self.attempts = controls.Slider(_("attempts per MQL"), alignment.SLA_ATTEMPTS, 1, 12)
        super().__init__(_("SLA planner"), [self.target, self.average_deal, *self.rates.values(), self.reps,
                                            self.attempts])

    @classmethod
    def from_company(cls, company: Company) -> SLAPlanner:
        """Start from a company's own numbers (:func:`smarketing.alignment.sla_start`): observed rates,
        average won deal, number of reps and a target of a quarter's average bookings plus 20 %."""
        inputs, assumed = alignment.sla_start(company)
        return cls(inputs["rates"], inputs["average_deal"], revenue_target=inputs["revenue_target"],
                   reps=inputs["reps"], assumed=assumed)

    def compute(self) -> alignment.SLAPlan:
        return alignment.sla_plan(self.target.value, self.average_deal.value,
                                  {s: w.value for s, w in self.rates.items()}, reps=self.reps.value,
                                  attempts_per_mql=self.attempts.value)

    def render(self, plan: alignment.SLAPlan) -> tuple[str, str, alt.TopLevelMixin]:
        summary = _("Marketing owes <b>{mqls}</b> MQLs a week; sales owes a first call within {hours} h on each, "
                    "and <b>{per_rep}</b> follow-up attempts a week per rep.",
                    mqls=format_value(plan.mqls_per_week, "MQLs"), hours=format_value(plan.response_hours, "hours"),
                    per_rep=format_value(plan.follow_ups_per_rep_week, "attempts"))
        table = plan.commitments()
        shown = table.assign(per_period=[format_value(v, "") for v in table["per_period"]],
                             per_week=[format_value(v, "") for v in table["per_week"]])
        shown.columns = [_("owner"), _("commitment"), _("this quarter"), _("per week")]
        return summary + _assumed_note(self.assumed), _table_html(shown), charts.funnel_chart(
            plan.funnel.rename(columns={"needed": "count"}), _("What the target needs, stage by stage"))


# ---- module 06: skills self-assessment ----------------------------------------------------------------

class SkillsAssessment(App):
    """Rate yourself from 1 to 5 on each skill: fit with each career path, and what to work on.

    Sliders start at ``ratings`` where given and at 3, the middle, elsewhere (``careers.skills_fit``
    itself counts a skill left out as 1: the widget always passes every skill)."""

    def __init__(self, ratings: Mapping[str, int] | None = None):
        start = dict(ratings or {})
        self.ratings = {skill: controls.Slider(skill, int(start.get(skill, 3)), 1, 5) for skill in careers.SKILLS}
        super().__init__(_("Skills self-assessment"), list(self.ratings.values()))

    def compute(self) -> pd.DataFrame:
        return careers.skills_fit({skill: w.value for skill, w in self.ratings.items()})

    def render(self, fit: pd.DataFrame) -> tuple[str, str, alt.TopLevelMixin]:
        best = fit["path"].iloc[0]
        gaps = careers.skill_gaps({skill: w.value for skill, w in self.ratings.items()}, best)
        summary = _("Closest fit today: <b>{path}</b> ({fit:.0f}/100). To grow on that path, work on: {gaps}.",
                    path=roles.FUNCTION_LABELS[best], fit=fit["fit"].iloc[0],
                    gaps=", ".join(gaps) if gaps else _("nothing: you rated every skill 5"))
        return summary, "", charts.skills_fit_chart(fit)


def _step(start: int, preferred: int) -> int:
    """A slider's step that its start is on: ``preferred``, or the largest step that divides both (420 leads with a
    preferred 50 → 10), so that the slider shows the start it was given (controls.Slider refuses any other)."""
    return math.gcd(int(start), preferred) or preferred


def _minutes_label(minutes: float) -> str:
    if minutes < 60:
        return _("{n:g} min", n=minutes)
    if minutes < 1440:
        return _("{n:g} h", n=minutes / 60)
    return _("{n:g} days", n=minutes / 1440)


# ---- the facilitator's app (Voilà) ---------------------------------------------------------------------

def facilitator_app(company: Company, others: Sequence[Company] = ()) -> widgets.Tab:
    """The three simulators a workshop facilitator presents, as tabs: the funnel simulator and the SLA
    planner on ``company``, and the KPI dashboard on ``company`` beside ``others``."""
    dashboard_app = KPIDashboard([company, *[c for c in others if c.name != company.name]])
    if availability.has(company, "opportunities") and availability.has(company, "leads"):
        apps: list[tuple[str, widgets.Widget]] = [(a.title, a) for a in (FunnelSimulator.from_company(company),
                                                                          SLAPlanner.from_company(company))]
    elif availability.has(company, "opportunities"):  # a deals-only export: no lead volume to simulate from
        planner = SLAPlanner.from_company(company)  # its own deals and reps; typical rates, which it says
        note = widgets.HTML("<p>" + html.escape(_("{name} has no leads in its data, so the funnel simulator has no "
                                                  "lead volume or stage rates to start from. Import the leads "
                                                  "(contacts) export too, or present a course company.",
                                                  name=company.name)) + "</p>")
        apps = [(_("Funnel simulator"), note), (planner.title, planner)]
    else:  # a contacts-only export: no deal to plan revenue with, so the two simulators say so
        note = widgets.HTML("<p>" + html.escape(_("{name} has no deals in its data, so the funnel simulator and the "
                                                  "SLA planner cannot turn leads into revenue. Import the deals "
                                                  "export too, or present a course company.", name=company.name))
                            + "</p>")
        apps = [(_("Funnel simulator"), note), (_("SLA planner"), note)]
    apps.append((dashboard_app.title, dashboard_app))
    for _title, app in apps:
        if isinstance(app, App):
            app.heading_level = 2  # under the page's title
    tabs = widgets.Tab(children=[app for _title, app in apps])
    for number, (title, _app) in enumerate(apps):
        tabs.set_title(number, title)
    return tabs
