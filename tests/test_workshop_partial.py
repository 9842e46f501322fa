"""A company's own export that holds less than the course companies: contacts without deals, deals none
of which is won yet. Every course notebook and the facilitator's app must run on it and say plainly what
it cannot show, instead of failing or showing a stand-in (a spend of 0, an unknown churn) as a figure."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest
from tests.crm_exports import hubspot

from tests.conftest import ROOT
from smarketing import dashboard, load_company, widgets, workshop


@pytest.fixture(scope="module")
def export(tmp_path_factory, companies):
    return hubspot(companies["lumen"], tmp_path_factory.mktemp("export"), leads=300)


@pytest.fixture(scope="module")
def contacts_only(export, tmp_path_factory):
    return workshop.import_files(export[:1], tmp_path_factory.mktemp("imports") / "contacts-only")


@pytest.fixture(scope="module")
def nothing_won(export, tmp_path_factory):
    folder = tmp_path_factory.mktemp("spoiled")
    deals = export[1].read_text(encoding="utf-8-sig").replace("Closed Won", "Closed Lost")
    (folder / "deals.csv").write_text(deals, encoding="utf-8")
    return workshop.import_files([export[0], folder / "deals.csv"], tmp_path_factory.mktemp("imports") / "no-wins")


@pytest.mark.parametrize("which", ["contacts_only", "nothing_won"])
def test_every_module_runs_on_a_partial_export(which, request, tmp_path):
    folder = request.getfixturevalue(which)
    workshop.run(folder, tmp_path / "results", ROOT / "course")
    for path in sorted((tmp_path / "results").glob("*.ipynb")):
        executed = nbformat.read(path, as_version=4)
        errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}" if errors else ""
    assert len(list((tmp_path / "results").glob("*.html"))) == 6
    if which == "contacts_only":
        html = (tmp_path / "results" / "03_funnel_handoff.html").read_text()
        assert "has no deals in its data, so this step is skipped" in html
        assert "has no touchpoints in its data" in (tmp_path / "results" / "04_alignment.html").read_text()


def test_the_facilitator_app_on_a_partial_export(contacts_only, nothing_won, companies):
    tabs = widgets.facilitator_app(load_company(contacts_only), list(companies.values()))
    assert "has no deals in its data" in tabs.children[0].value
    assert isinstance(tabs.children[2], widgets.KPIDashboard)
    simulator = widgets.facilitator_app(load_company(nothing_won), []).children[0]
    assert isinstance(simulator, widgets.FunnelSimulator) and "cannot measure the rate into Won" in simulator.summary.value


def test_has_tables_and_columns(contacts_only, companies):
    acme = load_company(contacts_only)
    assert workshop.has(acme, "leads") and workshop.has(acme, "leads.mql_at")
    for need in ("opportunities", "touchpoints", "campaigns.spend", "accounts.churned_at", "leads.disqualification_reason"):
        assert not workshop.has(acme, need), need
    lumen = companies["lumen"]
    assert all(workshop.has(lumen, n) for n in ("touchpoints", "campaigns.spend", "accounts.nps"))
    assert not workshop.has(lumen, "orders")  # a course company without an online shop
    assert not workshop.has(lumen, "leads.no_such_column")
    note = workshop.lacks(acme, "leads", "campaigns.spend", "opportunities").data  # names only what it lacks
    assert f"{acme.name} has no campaign spend and deals in its data, so this step is skipped" in note


def test_measured_shows_what_cannot_be_measured(contacts_only, companies):
    acme = load_company(contacts_only)
    values = pd.Series({"leads": 300.0, "cost per lead": 0.0})
    shown = workshop.measured(acme, values, {"cost per lead": "campaigns.spend"})
    assert shown["leads"] == 300 and shown["cost per lead"] == "not in your data"
    assert workshop.measured(companies["lumen"], values, {"cost per lead": "campaigns.spend"}) is values
    frame = pd.DataFrame({"channel": ["email"], "spend": [0.0]})
    assert workshop.measured(acme, frame, {"spend": "campaigns.spend"})["spend"].tolist() == ["not in your data"]


def test_the_dashboard_leaves_unmeasured_kpis_blank(nothing_won):
    table = dashboard.quarterly_kpis(load_company(nothing_won)).set_index(["quarter", "kpi"])["value"]
    first = table.index[0][0]
    assert table.loc[(first, "leads")] > 0
    for kpi in ("marketing_spend", "cost_per_lead", "customer_acquisition_cost", "tickets", "churn_rate"):
        assert pd.isna(table.loc[(first, kpi)]), kpi


def test_papermill_sets_the_company_parameter(export, tmp_path):
    """The tagged parameters cell is what papermill overrides: module 00 run on an import shows it."""
    import papermill

    folder = workshop.import_files(export, tmp_path / "acme")
    out = tmp_path / "00.ipynb"
    papermill.execute_notebook(str(ROOT / "course" / "00_start_here.ipynb"), str(out), parameters={"COMPANY": str(folder)},
                               cwd=str(ROOT / "course"), progress_bar=False, kernel_name="python3")
    executed = nbformat.read(out, as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and str(folder) in injected[0].source
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("data", {}).get("text/markdown", ""))
                     for c in executed.cells for o in c.get("outputs", []))
    assert "acme was imported from a hubspot export" in text and "acme" in text.split("lumen", 1)[1]
