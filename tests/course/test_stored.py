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

from smarketing import charts, manifest
from tests.conftest import ROOT

NOTEBOOKS = manifest.load(ROOT).notebooks()


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
