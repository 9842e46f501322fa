"""smarketing.notebooks: storing an executed notebook normalised, so that `make notebooks` on an unchanged
library changes no byte; and the course run on any company (`smarketing workshop run`,
:func:`smarketing.notebooks.run_on_company`): every module executes on an imported company, even one whose
export holds less than a course company, and says plainly what it cannot show instead of failing; the command
refuses an unknown notebook and a folder in use."""

from __future__ import annotations

import re

import nbformat
import pytest

from smarketing import notebooks
from smarketing.cli import main
from smarketing.datasets.crm import import_files
from tests.conftest import ROOT
from tests.datasets.crm.exports import hubspot, partial_imports, salesforce


@pytest.fixture(scope="module")
def hubspot_files(tmp_path_factory, companies):
    return hubspot(companies["lumen"], tmp_path_factory.mktemp("hubspot"))


@pytest.fixture(scope="module")
def partial(tmp_path_factory, companies):
    return partial_imports(companies["lumen"], tmp_path_factory.mktemp("partial"))


def _errors(path) -> list:
    executed = nbformat.read(path, as_version=4)
    return [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


@pytest.mark.parametrize("which", ["contacts_only", "nothing_won"])
def test_every_module_runs_on_a_partial_export(which, partial, tmp_path):
    notebooks.run_on_company(partial[which], tmp_path / "results", ROOT / "course")
    for path in sorted((tmp_path / "results").glob("*.ipynb")):
        errors = _errors(path)
        assert not errors, f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}" if errors else ""
    assert len(list((tmp_path / "results").glob("*.html"))) == 7
    if which == "contacts_only":
        html = (tmp_path / "results" / "03_funnel_handoff.html").read_text()
        assert "has no deals in its data, so this step is skipped" in html
        assert "has no touchpoints in its data" in (tmp_path / "results" / "04_alignment.html").read_text()


@pytest.mark.parametrize("crm", ["hubspot", "salesforce"])
def test_imported_company_runs_modules_02_and_03(crm, hubspot_files, tmp_path, companies):
    files = hubspot_files if crm == "hubspot" else salesforce(companies["lumen"], tmp_path / "export")
    folder = import_files(files, tmp_path / "acme")
    written = notebooks.run_on_company(folder, tmp_path / "results", ROOT / "course", only=["02", "03"])
    assert [p.name for p in written] == ["02_kpis.html", "03_funnel_handoff.html"]
    for name in ("02_kpis", "03_funnel_handoff"):
        errors = _errors(tmp_path / "results" / f"{name}.ipynb")
        assert not errors, errors[0]["evalue"] if errors else ""
        html = (tmp_path / "results" / f"{name}.html").read_text()
        assert f"acme was imported from a {crm} export" in html  # the notebook says what is missing


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
    assert main(["workshop", "run", "--data", "lumen", "--out", str(tmp_path / "r"), "--notebooks", "07"]) == 1
    err = capsys.readouterr().err
    assert "No course notebook 07. Available: 00_start_here, 01_roles, 02_kpis, 03_funnel_handoff" in err
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "02_kpis.html").write_text("last quarter's results")
    assert main(["workshop", "run", "--data", "lumen", "--out", str(tmp_path / "r"), "--notebooks", "02"]) == 1
    assert "already exists and is not empty" in capsys.readouterr().err
    assert (tmp_path / "r" / "02_kpis.html").read_text() == "last quarter's results"


def test_parametrised_notebooks_are_the_modules():
    assert [p.stem for p in notebooks.parametrised_notebooks(ROOT / "course")] == [
        "00_start_here", "01_roles", "02_kpis", "03_funnel_handoff", "04_alignment", "05_career_paths", "06_capstone"]


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

    committed = ROOT / "course" / "05_career_paths.ipynb"
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

    stored = nbformat.read(ROOT / "course" / "05_career_paths.ipynb", as_version=4)
    state = stored.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    fresh = {old: f"{i:032x}"[::-1] for i, old in enumerate(state)}  # as a new kernel would: other ids
    text = nbformat.writes(stored)
    for old, new in fresh.items():
        text = text.replace(old, new)
    again = notebooks.normalise(nbformat.reads(text, as_version=4), "05_career_paths")
    assert nbformat.writes(again) == nbformat.writes(stored)
