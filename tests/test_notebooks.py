"""The course notebooks as stored: executed, without errors, each with its parts, and nbval able to
catch a figure that drifts."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from tests.conftest import ROOT
from smarketing import charts

NOTEBOOKS = sorted((ROOT / "course").glob("*.ipynb"))


def test_the_six_modules_are_there():
    assert [p.name[:2] for p in NOTEBOOKS] == ["00", "01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_executed_with_its_parts(path):
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "store the notebook executed (make notebooks)"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for part in ("Learning objectives", "Summary", "Check yourself"):
        assert part in text, f"{path.name} has no '{part}' section"
    assert "Why it matters" in text
    charts_out = [o for c in code for o in c.outputs if charts.VEGALITE_MIME in o.get("data", {})]
    assert all("image/svg+xml" in o["data"] for o in charts_out), "every chart keeps a static copy"
    widgets = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    assert widgets.get("state"), "widget state is stored, so widgets show without a kernel"
    in_widgets = [o for model in widgets["state"].values() for o in model["state"].get("outputs", [])
                  if charts.VEGALITE_MIME in o.get("data", {})]
    assert all("image/svg+xml" in o["data"] for o in in_widgets), "an app's stored chart keeps a static copy"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_module_takes_a_company_parameter(path):
    """One tagged cell sets COMPANY (papermill can override it; so can SMARKETING_COMPANY)."""
    notebook = nbformat.read(path, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert re.search(r'^COMPANY = os\.environ\.get\("SMARKETING_COMPANY", "(lumen|ferro|bloom)"\)$', tagged[0].source, re.M)


def test_nbval_fails_when_a_figure_drifts(tmp_path):
    """Change one number in a stored table: nbval must report the cell."""
    copy = tmp_path / "drift.ipynb"
    shutil.copy(ROOT / "course" / "00_start_here.ipynb", copy)
    notebook = json.loads(copy.read_text())
    table = next(o for c in notebook["cells"] if c["cell_type"] == "code" for o in c["outputs"]
                 if "text/plain" in o.get("data", {}) and "10000" in "".join(o["data"]["text/plain"]))
    table["data"]["text/plain"] = [line.replace("10000", "10001") for line in table["data"]["text/plain"]]
    copy.write_text(json.dumps(notebook))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(copy),
                             "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml")],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 1 and "1 failed" in result.stdout, result.stdout[-2000:]


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
