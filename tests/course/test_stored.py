"""The course notebooks as stored: executed, without errors, each with its parts, and nbval able to
catch a figure that drifts."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from smarketing import charts, manifest
from smarketing.messages import LANGUAGES
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


def _stored_charts(notebook) -> list[dict]:
    """Every chart a notebook stores: in its outputs and in its apps' first drawings (the widget state)."""
    state = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    outputs = [o for c in notebook.cells for o in c.get("outputs", [])]
    outputs += [o for model in state.get("state", {}).values() for o in model["state"].get("outputs", [])]
    return [o["data"] for o in outputs if charts.VEGALITE_MIME in o.get("data", {})]


@pytest.mark.parametrize("path", [*NOTEBOOKS, ROOT / "workshop" / "app.ipynb"], ids=lambda p: p.stem)
def test_every_stored_chart_has_its_data_as_a_table_under_it(path):
    notebook = nbformat.read(path, as_version=4)
    state = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    runs = [c.get("outputs", []) for c in notebook.cells]
    runs += [model["state"].get("outputs", []) for model in state.get("state", {}).values()]
    charts_seen = 0
    for outputs in runs:
        for i, output in enumerate(outputs):
            if charts.VEGALITE_MIME in output.get("data", {}):
                charts_seen += 1
                table = outputs[i + 1] if i + 1 < len(outputs) else {}
                assert table.get("metadata", {}).get("smarketing", {}).get("chart_data"), \
                    f"{path.name}: a chart without its table (charts.enable() shows both)"
                assert table["data"]["text/html"] == charts.data_table(output["data"][charts.VEGALITE_MIME])
    assert charts_seen


def _figures(values) -> set[str]:
    """How a description may write the numbers of a chart's data: whole, to one decimal, or as percentages."""
    shown = set()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        for number in (value, value * 100):
            shown |= {f"{number:.0f}", f"{number:.1f}", f"{abs(number):.0f}", f"{abs(number):.1f}"}
    return shown


DESCRIBED = [*NOTEBOOKS, ROOT / "workshop" / "app.ipynb"]
DESCRIBED += [ROOT / language / p.relative_to(ROOT) for language in LANGUAGES for p in DESCRIBED]


@pytest.mark.parametrize("path", DESCRIBED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_stored_chart_says_what_it_shows_with_a_figure_of_its_data(path):
    notebook = nbformat.read(path, as_version=4)
    stored = _stored_charts(notebook)
    assert stored, f"{path.name} stores no chart"
    chinese = path.is_relative_to(ROOT / "zh_CN")
    for data in stored:
        spec = data[charts.VEGALITE_MIME]
        title, description = charts._title(spec), spec.get("description", "")
        assert description and description != title, f"a chart of {path.name} has no description: {title!r}"
        numbers = {n.replace(",", "").lstrip("+-") for n in re.findall(r"[-+]?\d[\d,]*(?:\.\d+)?", description)}
        values = [v for rows in spec.get("datasets", {}).values() for row in rows for v in row.values()]
        assert numbers & _figures(values), f"{title!r}: {description!r} names no figure of its data"
        assert bool(re.search(r"[\u4e00-\u9fff]", description)) == chinese, description
        svg = data["image/svg+xml"]
        assert 'role="img"' in svg[:svg.index(">") + 1], "the static copy is an image with a name"
        assert f"<desc>{html.escape(description)}</desc>" in svg and 'aria-label="' in svg[:svg.index(">") + 1]
