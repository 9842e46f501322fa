"""smarketing.notebooks: storing an executed notebook normalised, so that `make notebooks` on an unchanged
library changes no byte; and the course run on any company (`smarketing workshop run`,
:func:`smarketing.notebooks.run_on_company`): every module executes on an imported company, even one whose
export holds less than a course company, and says plainly what it cannot show instead of failing; the command
refuses an unknown notebook and a folder in use."""

from __future__ import annotations

import json
import re
from html import unescape

import nbformat
import pandas as pd
import pytest

from smarketing import manifest, notebooks
from smarketing import report as reports
from smarketing.cli import main
from smarketing.datasets import load_company
from smarketing.datasets.crm import import_files
from tests.conftest import ROOT
from tests.datasets.crm.exports import hubspot, partial_imports


@pytest.fixture(scope="module")
def hubspot_files(tmp_path_factory, companies):
    return hubspot(companies["lumen"], tmp_path_factory.mktemp("hubspot"))


@pytest.fixture(scope="module")
def partial(tmp_path_factory, companies):
    return partial_imports(companies["lumen"], tmp_path_factory.mktemp("partial"))


def _errors(path) -> list:
    executed = nbformat.read(path, as_version=4)
    return [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


def _no_owners_no_first_contact(company, folder):
    """A HubSpot export whose contacts have no owner and no first-contact date, imported: the shape that made
    module 03 divide by zero reps and every MQL look "never contacted"."""
    files = hubspot(company, folder / "export")
    contacts = pd.read_csv(files[0], dtype=str, keep_default_na=False)
    contacts["Contact owner"] = ""
    contacts.drop(columns=["First Engagement Date"]).to_csv(files[0], index=False)
    return import_files(files, folder / "acme")


@pytest.fixture(scope="module")
def report(tmp_path_factory, companies):
    """Every module run once on the ownerless HubSpot import; several tests read the same pages."""
    folder = tmp_path_factory.mktemp("report")
    company = _no_owners_no_first_contact(companies["lumen"], folder)
    written = notebooks.run_on_company(company, folder / "results", ROOT / "course")
    return folder / "results", written


@pytest.fixture(scope="module")
def contacts_only_report(tmp_path_factory, partial):
    out = tmp_path_factory.mktemp("contacts-only") / "results"
    notebooks.run_on_company(partial["contacts_only"], out, ROOT / "course")
    return out


@pytest.fixture(scope="module")
def deals_only(tmp_path_factory, companies):
    """A HubSpot deals export alone, imported (#23): a pipeline with no lead history, no campaigns."""
    folder = tmp_path_factory.mktemp("deals-only")
    files = hubspot(companies["lumen"], folder / "export", leads=400)
    return import_files(files[1:], folder / "acme")


@pytest.fixture(scope="module")
def deals_only_report(tmp_path_factory, deals_only):
    out = tmp_path_factory.mktemp("deals-only-report") / "results"
    notebooks.run_on_company(deals_only, out, ROOT / "course")
    return out


def _no_error_anywhere(out):
    executed = sorted(out.glob("*.ipynb"))
    assert len(executed) == len(manifest.load().modules)
    for path in executed:
        errors = _errors(path)
        assert not errors, f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}" if errors else ""
        assert not _has_class((out / f"{path.stem}.html").read_text(), "smarketing-stopped")
    assert len(list(out.glob("*.html"))) == len(manifest.load().modules) + 1  # the modules and the cover page


@pytest.mark.parametrize("which", ["report", "contacts_only_report", "deals_only_report"])
def test_every_module_runs_with_no_error_output(which, request):
    out = request.getfixturevalue(which)
    _no_error_anywhere(out[0] if isinstance(out, tuple) else out)


def test_every_module_runs_on_an_export_with_nothing_won(partial, tmp_path):
    notebooks.run_on_company(partial["nothing_won"], tmp_path / "results", ROOT / "course")
    _no_error_anywhere(tmp_path / "results")


def test_a_deals_less_import_says_what_it_skips(contacts_only_report):
    html = (contacts_only_report / "03_funnel_handoff.html").read_text()
    assert "has no deals in its data, so this step is skipped" in html
    assert "has no touchpoints in its data" in (contacts_only_report / "05_alignment.html").read_text()
    cover = (contacts_only_report / "index.html").read_text()
    assert "opportunities" in cover.split("Missing")[1]  # the deals the export lacked, listed as missing


def _shown(notebook, source: str) -> str:
    """The plain text that the one code cell containing ``source`` shows."""
    cells = [c for c in notebook.cells if c.cell_type == "code" and source in c.source]
    assert len(cells) == 1, source
    return "\n".join(o.get("text", "") or o.get("data", {}).get("text/markdown", "") or
                     o.get("data", {}).get("text/plain", "") for o in cells[0].outputs)


def _row(table: str, label: str) -> str:
    """The last line of a printed table that holds ``label`` (pandas wraps: a company's block is the last)."""
    return [line for line in table.splitlines() if label in line][-1].rstrip()


def test_a_deals_only_import_shows_the_pipeline_and_says_the_leads_are_not_in_its_data(deals_only_report):
    """#23: the pipeline's figures are measured from the deals; every figure that needs leads says so, never a
    made-up 0, 100 % or nan."""
    skipped = "acme has no leads in its data, so this step is skipped"
    kpis_nb = nbformat.read(deals_only_report / "02_kpis.ipynb", as_version=4)
    selling = _shown(kpis_nb, '"win rate": kpis.win_rate(len(won), len(lost))')
    for label, number in (("bookings", r"[\d,]+"), ("win rate", r"0\.\d{3}"), ("average deal", r"[\d,]+"),
                          ("sales cycle (median days)", r"\d+\.\d{3}")):
        assert re.fullmatch(rf"{re.escape(label)}\s+{number}", _row(selling, label)), _row(selling, label)
    assert _row(selling, "quota attainment").endswith("not in your data")  # no quotas in a CRM export
    for source, labels in (('"MQLs": leads["mql_at"].notna().sum()', ("leads", "MQLs")),
                           ('"SQLs": leads["sql_at"].notna().sum()', ("SQLs", "lead → customer"))):
        shown = _shown(kpis_nb, source)
        for label in labels:
            assert _row(shown, label).endswith("not in your data"), _row(shown, label)
    assert skipped in _shown(kpis_nb, "alignment.closed_loop_report(leads")
    assert skipped in _shown(kpis_nb, "funnel.revenue_lag(c.leads")
    quarterly = _shown(kpis_nb, "dashboard.quarterly_kpis(focus)")
    assert re.search(r"2024Q2( +not in your data){3}", quarterly) and "NaN" not in quarterly
    scorecard = _shown(kpis_nb, "dashboard.scorecard(compared)")
    for kpi in ("win_rate", "average_deal_size", "sales_cycle_days", "bookings"):
        assert re.search(r"\s[\d,]+(\.\d+)?$", _row(scorecard, kpi)), _row(scorecard, kpi)
    for kpi in ("lead_to_mql_rate", "mql_to_sql_rate", "cost_per_lead", "lead_leakage_rate"):
        assert _row(scorecard, kpi).endswith("not in your data"), _row(scorecard, kpi)

    funnel_nb = nbformat.read(deals_only_report / "03_funnel_handoff.ipynb", as_version=4)
    for source in ("funnel.stage_conversion(company.leads", "company.opportunities, range(0, 101, 10))",
                   "funnel.reverse_funnel(target", "widgets.FunnelSimulator.from_company(company)",
                   "widgets.ThresholdExplorer(company)", 'mqls = int(company.leads["mql_at"]'):
        shown = _shown(funnel_nb, source)
        assert skipped in shown and "NaN" not in shown and "0 MQLs" not in shown, (source, shown)
    assert "acme" not in _shown(funnel_nb, "funnel.observed_rates(c.leads")  # not a column of nan
    assert re.search(r"acme\s+[\d.]+$", _shown(funnel_nb, "pipeline_velocity_from(").strip())  # from the deals
    alignment_nb = nbformat.read(deals_only_report / "05_alignment.ipynb", as_version=4)
    assert skipped in _shown(alignment_nb, "alignment.meeting_scorecard(company.leads")
    assert "Your data cannot measure the rate into" in _shown(alignment_nb, "widgets.SLAPlanner.from_company")
    capstone = nbformat.read(deals_only_report / "07_capstone.ipynb", as_version=4)
    assert skipped in _shown(capstone, "alignment.handoff_scorecard([company])")
    cover = _text((deals_only_report / "index.html").read_text())
    assert "leads" in cover.split("Missing")[1] and "hubspot-deals.csv" in cover


def test_the_voila_app_runs_on_a_deals_only_import(deals_only, tmp_path):
    """The facilitator's app on a pipeline without leads: the SLA planner plans from its deals (saying which
    rates are typical), the funnel simulator says why it cannot start, and no cell fails."""
    executed, _seconds = notebooks.execute(ROOT / "workshop" / "app.ipynb", output=tmp_path / "app.ipynb",
                                           cwd=ROOT / "workshop", env={notebooks.COMPANY_VARIABLE: str(deals_only)})
    assert not _errors(tmp_path / "app.ipynb")
    state = json.dumps(executed.metadata["widgets"])
    assert "acme has no leads in its data, so the funnel simulator" in state
    assert "Marketing owes" in state and "Your data cannot measure the rate into" in state


def _has_class(html: str, name: str) -> bool:
    """Whether an element of the page has the class ``name`` (the page's style sheet names every class)."""
    return re.search(rf'class="[^"]*\b{name}\b', html) is not None


def _text(html: str) -> str:
    """The visible text of a page, roughly: tags and the scripts' and styles' contents left out."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_report_hides_code_and_learner_tasks_and_labels_the_course_examples(report):
    out, written = report
    page = (out / "03_funnel_handoff.html").read_text()
    for hidden in ("jp-InputArea-editor", "jp-InputPrompt", "jp-OutputPrompt"):  # code and prompts
        assert not _has_class(page, hidden), hidden
    assert "mql_outcomes" not in _text(page)  # no code, not even in a hidden block
    assert "Check yourself" not in _text(page)  # a learner's questions are not presented
    assert "Course example (lumen and ferro), not acme&#x27;s data" in page or \
        "Course example (lumen and ferro), not acme's data" in _text(page)
    assert '<a href="index.html">' in page  # back to the cover
    assert [p.name for p in written] == [f"{p.stem}.html" for p in notebooks.parametrised_notebooks(ROOT / "course")]


def test_show_code_shows_it(report):
    out, _written = report
    notebook = nbformat.read(out / "03_funnel_handoff.ipynb", as_version=4)
    shown = reports.module_html(notebook, "acme", "03 · The funnel and the handoff", show_code=True)
    assert _has_class(shown, "jp-InputArea-editor") and "mql_outcomes" in _text(shown)


def test_unmeasured_figures_say_so_and_no_made_up_figure_appears(report):
    out, _written = report
    funnel_page, kpis_page = (_text((out / f"{name}.html").read_text()) for name in ("03_funnel_handoff", "02_kpis"))
    assert "not in your data" in funnel_page and "not in your data" in kpis_page
    assert "acme was imported from a hubspot export" in funnel_page and "acme was imported from a hubspot" in kpis_page
    assert "has no first-response times in its data" in funnel_page  # where the MQLs went: not "never contacted"
    assert "new MQLs per rep per week: not in your data" in funnel_page
    assert "share 1.000" not in funnel_page and "1.000" not in funnel_page.split("Leakage")[1].split("Speed to lead")[0]
    executed = nbformat.read(out / "02_kpis.ipynb", as_version=4)
    scorecard = next(c for c in executed.cells if "dashboard.scorecard(" in c.source)
    table = scorecard.outputs[0]["data"]["text/plain"]
    for kpi in ("lead_leakage_rate", "speed_to_lead_minutes", "cost_per_lead", "customer_acquisition_cost"):
        row = [line for line in table.splitlines() if kpi in line][-1]  # pandas wraps: acme's block is the last
        assert row.rstrip().endswith("not in your data"), row


def test_module_03_compares_the_company_with_the_three(report):
    out, _written = report
    executed = nbformat.read(out / "03_funnel_handoff.ipynb", as_version=4)
    for source in ("funnel.stage_counts(c.leads", "funnel.observed_rates(c.leads", "handoff_speed(c)",
                   "pipeline_velocity_from("):
        cell = next(c for c in executed.cells if source in c.source)
        shown = json.dumps([o.get("data", {}) for o in cell.outputs])
        assert "acme" in shown and "ferro" in shown, source


def test_the_cover_page_says_what_the_export_held_and_what_was_set_aside(report):
    out, _written = report
    cover = (out / "index.html").read_text()
    text = _text(cover)
    assert "Workshop report: acme" in text and "hubspot-contacts.csv" in text and "hubspot-deals.csv" in text
    assert re.search(r"leads 400 \d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d", text)
    for section in ("Approximated", "Missing", "Unmeasured", "touchpoints", "campaigns.spend"):
        assert section in text
    links = re.findall(r'<li><a href="([^"]+)"', cover)
    assert links == [f"{p.stem}.html" for p in notebooks.parametrised_notebooks(ROOT / "course")]


def test_the_cover_page_escapes_the_name_and_renders_any_list(report, hubspot_files, tmp_path):
    folder = import_files(hubspot_files, tmp_path / "smith", name="Smith & <EMEA> <img src=x onerror=alert(1)>")
    company = load_company(folder)
    company.params["import"]["set_aside"] = [{"file": "deals.csv", "reason": "<b>no close date</b>", "lines": [3, 5]},
                                             {"file": "contacts.csv", "reason": "a total row", "lines": [401]}]
    company.params["import"]["pseudonymised"] = ["leads.owner_id", "<script>x</script>"]
    cover = reports.cover_html(company, [reports.ModulePage(tmp_path / "03.html", "03 · Funnel")], tmp_path)
    assert "<img" not in cover and "<script>x" not in cover and "<b>no close" not in cover
    assert "Smith &amp; &lt;EMEA&gt;" in cover
    text = _text(cover)
    assert "deals.csv <b>no close date</b> 3, 5" in text and "contacts.csv a total row 401" in text
    assert "Pseudonymised" in text and "<script>x</script>" in text
    executed = nbformat.read(report[0] / "03_funnel_handoff.ipynb", as_version=4)
    page = reports.module_html(executed, company.name, "03 · Funnel")
    assert "<img src=x" not in page and "not Smith &amp; &lt;EMEA&gt;" in page


def test_a_module_that_fails_stops_alone_and_the_run_says_where(tmp_path, monkeypatch):
    """A cell that raises does not stop the other modules: its page shows how far it got, the cover marks it,
    and the command prints one line per stopped module, never nbclient's traceback."""
    course = tmp_path / "course"
    course.mkdir()
    (tmp_path / "course.yml").write_text(
        "title: t\nmodules:\n"
        + "".join(f'  - {{id: "0{i}", title: M{i}, notebook: course/0{i}_m.ipynb, assignment: a{i}, checks: c{i}, '
                  f"apps: [], minutes: 1, exercise_minutes: 1, learn: x}}\n" for i in (1, 2)))
    for i, code in ((1, "1 / 0"), (2, "print('fine')")):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("COMPANY = 'lumen'", metadata={"tags": ["parameters"]}),
                                             nbformat.v4.new_code_cell(code)])
        nbformat.write(nb, course / f"0{i}_m.ipynb")
    with pytest.raises(notebooks.ModulesStopped, match=r"01_m stopped at cell 2 with ZeroDivisionError"):
        notebooks.run_on_company("lumen", tmp_path / "out", course)
    assert "fine" in (tmp_path / "out" / "02_m.html").read_text()
    assert "stopped at an error" in (tmp_path / "out" / "index.html").read_text()
    assert "ZeroDivisionError" in (tmp_path / "out" / "01_m.html").read_text()


def test_the_course_tags_every_learner_task():
    for path in notebooks.parametrised_notebooks(ROOT / "course"):
        for cell in nbformat.read(path, as_version=4).cells:
            task = cell.cell_type == "markdown" and cell.source.lstrip().startswith(("✍️", "## ✅"))
            assert task == (reports.LEARNER_TAG in cell.metadata.get("tags", [])), (path.name, cell.source[:60])


def test_papermill_sets_the_company_parameter(hubspot_files, tmp_path):
    """The tagged parameters cell is what papermill overrides: module 00 run on an import shows it."""
    import papermill

    folder = import_files(hubspot_files, tmp_path / "acme")
    out = tmp_path / "00.ipynb"
    papermill.execute_notebook(str(ROOT / "course" / "00_start_here.ipynb"), str(out), parameters={"COMPANY": str(folder)},
                               cwd=str(ROOT / "course"), progress_bar=False, kernel_name="python3")
    executed = nbformat.read(out, as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and str(folder) in injected[0].source
    overview = next(c for c in executed.cells if "datasets.overview(companies)" in c.source)
    shown = [o["data"] for o in overview.outputs if o.get("output_type") in ("display_data", "execute_result")]
    assert shown[0]["text/markdown"].startswith("> **Your data:** acme was imported from a hubspot export.")
    rows = [line.split()[0] for line in shown[1]["text/plain"].splitlines()
            if line.split()[:1] and line.split()[0] in ("lumen", "ferro", "bloom", "acme")]
    assert rows[:4] == ["lumen", "ferro", "bloom", "acme"]  # the company joins the three in the overview


def test_workshop_run_refuses_an_unknown_notebook_and_a_used_folder(tmp_path, capsys):
    assert main(["workshop", "run", "--data", "lumen", "--out", str(tmp_path / "r"), "--notebooks", "09"]) == 1
    err = capsys.readouterr().err
    assert "No course notebook 09. Available: 00_start_here, 01_roles, 02_kpis, 03_funnel_handoff" in err
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "02_kpis.html").write_text("last quarter's results")
    assert main(["workshop", "run", "--data", "lumen", "--out", str(tmp_path / "r"), "--notebooks", "02"]) == 1
    assert "already exists and is not empty" in capsys.readouterr().err
    assert (tmp_path / "r" / "02_kpis.html").read_text() == "last quarter's results"


def test_parametrised_notebooks_are_the_modules():
    assert [p.stem for p in notebooks.parametrised_notebooks(ROOT / "course")] == [
        "00_start_here", "01_roles", "02_kpis", "03_funnel_handoff", "04_pipeline_forecasting", "05_alignment",
        "06_career_paths", "07_capstone"]


# ---- storing a notebook ------------------------------------------------------------------------------

def _without_static_charts(text: str) -> str:
    # The SVG copies are drawn with the machine's fonts: the one part of a stored notebook another
    # machine may legitimately draw differently (nbval never compares them either).
    return re.sub(r'"image/svg\+xml": "(?:[^"\\]|\\.)*"', '"image/svg+xml": "SVG"',
                  re.sub(r'"image/svg\+xml": \[(?:[^\]"]|"(?:[^"\\]|\\.)*")*\]', '"image/svg+xml": "SVG"', text))


def test_storing_an_executed_notebook_twice_writes_the_same_bytes(tmp_path):
    """`make notebooks` on an unchanged library leaves git clean: widget ids, stream chunks and timings
    are normalised when a notebook is stored, so a diff shows only what changed."""
    from smarketing import notebooks

    committed = ROOT / "course" / "06_career_paths.ipynb"
    first, second = tmp_path / "first.ipynb", tmp_path / "second.ipynb"
    for out in (first, second):
        notebooks.execute(committed, output=out, cwd=committed.parent)
    assert first.read_bytes() == second.read_bytes()
    stored = committed.read_text(encoding="utf-8")
    assert re.findall(r"[0-9a-f]{32}", stored), "the module stores widget models, so ids are exercised"
    assert _without_static_charts(first.read_text(encoding="utf-8")) == _without_static_charts(stored), \
        "course/05 is not stored as `make notebooks` writes it: run `make notebooks`"


def test_normalising_renames_every_widget_model_and_keeps_the_references():
    from smarketing import notebooks

    stored = nbformat.read(ROOT / "course" / "06_career_paths.ipynb", as_version=4)
    state = stored.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    fresh = {old: f"{i:032x}"[::-1] for i, old in enumerate(state)}  # as a new kernel would: other ids
    text = nbformat.writes(stored)
    for old, new in fresh.items():
        text = text.replace(old, new)
    again = notebooks.normalise(nbformat.reads(text, as_version=4), "06_career_paths")
    assert nbformat.writes(again) == nbformat.writes(stored)


# ---- where a run may write: never the course's folders, and with --force only over its own files ----------

def _hashes(*folders) -> dict:
    import hashlib

    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for f in folders for p in sorted(f.rglob("*")) if p.is_file()}


def test_workshop_run_never_writes_into_the_course_nor_onto_a_file(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)  # `--out course` as a facilitator types it at the course's root

    def never(data):  # were a folder accepted, fail here, before anything runs or is written
        raise RuntimeError("the output folder was accepted")

    monkeypatch.setattr(notebooks, "load_company", never)
    kept = [ROOT / name for name in ("course", "datasets", "solutions", "exercises")]
    before = _hashes(*kept)
    for out in ("course", "datasets/x", "solutions/01_roles", "exercises/new"):
        assert main(["workshop", "run", "--data", "lumen", "--out", out, "--notebooks", "01", "--force"]) == 1
        err = capsys.readouterr().err
        assert f"{out} is inside " in err and "one of the course's own folders" in err and "even with --force" in err
    assert not (ROOT / "datasets" / "x").exists() and not (ROOT / "exercises" / "new").exists()
    assert _hashes(*kept) == before
    (tmp_path / "results.html").write_text("last quarter's report")
    assert main(["workshop", "run", "--data", "lumen", "--out", str(tmp_path / "results.html"), "--force"]) == 1
    assert "results.html is a file, not a folder; nothing was written. Choose a folder, such as results/acme." in (
        capsys.readouterr().err)
    assert (tmp_path / "results.html").read_text() == "last quarter's report"


def test_workshop_run_force_replaces_only_an_earlier_runs_own_files(tmp_path, capsys, monkeypatch):
    from smarketing.datasets import store

    out = tmp_path / "results"
    notebooks.run_on_company("lumen", out, ROOT / "course", only=["01"])
    recorded = json.loads((out / store.WRITTEN).read_text())
    assert recorded["by"] == "smarketing workshop run"
    assert set(recorded["files"]) == {p.name for p in out.iterdir()} - {store.WRITTEN}
    assert {"01_roles.html", "01_roles.ipynb", "index.html"} <= set(recorded["files"])
    (out / "notes.txt").write_text("what the room said")
    before = _hashes(out)
    assert main(["workshop", "run", "--data", "lumen", "--out", str(out), "--notebooks", "01", "--force"]) == 1
    assert "holds 1 file(s) that `smarketing workshop run` did not write (notes.txt)" in capsys.readouterr().err
    assert _hashes(out) == before
    (out / "notes.txt").unlink()

    def checks_passed(data):  # the folder was accepted: stop before running the module a second time
        raise RuntimeError("the output folder was accepted")

    monkeypatch.setattr(notebooks, "load_company", checks_passed)
    with pytest.raises(RuntimeError, match="accepted"):
        notebooks.run_on_company("lumen", out, ROOT / "course", only=["01"], force=True)
