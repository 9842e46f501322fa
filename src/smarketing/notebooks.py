"""Run the course notebooks: top to bottom in a fresh kernel, outputs and widget state stored.

Used to store the course notebooks executed (``make notebooks``), by the benchmarks, and to run the
course on any company (:func:`run_on_company`, ``smarketing workshop run``), so that all three execute
a notebook the same way. A stored notebook is normalised
(:func:`normalise`) like nbdev's cleaner does: re-executing an unchanged notebook on an unchanged
library rewrites the same bytes, so a diff shows only what really changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from smarketing.datasets import COMPANIES, check_writable, datasets_dir, load_company
from smarketing.datasets.store import record_written, refuse_foreign
from smarketing.messages import _

KERNEL = "python3"
KERNELSPEC = {"name": KERNEL, "display_name": "Python 3 (ipykernel)", "language": "python"}
CELL_TIMEOUT = 120  # seconds; a course cell takes well under one
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
COMPANY_VARIABLE = "SMARKETING_COMPANY"  # read by the parameters cell of every course notebook
_MODEL_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")  # also inside IPY_MODEL_<id>
_REFERENCE = re.compile(r"IPY_MODEL_([0-9a-f]{32})")
_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]{6,16}\b")


def _model_order(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """Every widget model id with the place it is named from, in an order the kernel cannot shuffle: the
    views in the cells' outputs, each followed by the models its state refers to (children, layouts,
    styles), then any model that nothing displays, in the order the kernel created them."""
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    order: dict[str, str] = {}

    def visit(model_id: str, place: str) -> None:
        if model_id in order:
            return
        order[model_id] = place
        for referenced in _REFERENCE.findall(json.dumps(state.get(model_id, {}), sort_keys=True)):
            visit(referenced, place)

    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view and "model_id" in view:
                visit(view["model_id"], f"cell {number}")
    for model_id in state:
        visit(model_id, "not displayed")
    return list(order.items())


def _coalesced(outputs: list) -> list:
    """Consecutive prints to the same stream as one output: the kernel splits them wherever its flush
    timer happens to fire (nbconvert's ``coalesce_streams`` does the same)."""
    merged: list = []
    for output in outputs:
        if (merged and output.get("output_type") == "stream" and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == output.get("name")):
            merged[-1]["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def normalise(notebook: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The notebook with what changes from run to run made stable: widget model ids derived from the
    notebook's ``name``, the cell that shows them and their rank there (the kernel draws random uuids),
    no execution timings, no Python version, no memory addresses in outputs, and each run of prints as one
    stream output.
    Returns a new notebook."""
    counts: dict[str, int] = {}
    renamed = {}
    for model_id, place in _model_order(notebook):
        rank = counts[place] = counts.get(place, 0) + 1
        renamed[model_id] = hashlib.sha256(f"{name}/{place}/{rank}".encode()).hexdigest()[:32]
    notebook.metadata.get("language_info", {}).pop("version", None)  # the Python that ran it: 3.11.7 or 3.13.0
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if "outputs" in cell:
            cell.outputs = _coalesced(nbformat.from_dict(json.loads(_ADDRESS.sub("at 0x…", json.dumps(cell.outputs)))))
    text = _MODEL_ID.sub(lambda m: renamed.get(m.group(0), m.group(0)), nbformat.writes(notebook))
    return nbformat.reads(text, as_version=4)


def execute(path: str | os.PathLike[str], output: str | os.PathLike[str] | None = None,
            cwd: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None,
            timeout: int = CELL_TIMEOUT) -> tuple[nbformat.NotebookNode, float]:
    """Execute a notebook in a fresh kernel and write it to ``output`` (default: in place).

    Returns the executed notebook, normalised (:func:`normalise`), and the wall time in seconds, kernel
    start included. ``env`` adds environment variables for the kernel (for example ``SMARKETING_DATA``).
    """
    source = Path(path)
    notebook = nbformat.read(source, as_version=4)
    started = time.perf_counter()
    _run(notebook, source, cwd, env, timeout)
    elapsed = time.perf_counter() - started
    notebook = normalise(notebook, source.stem)
    nbformat.write(notebook, Path(output) if output else source)
    return notebook, elapsed


def _run(notebook: nbformat.NotebookNode, source: Path, cwd: str | os.PathLike[str] | None,
         env: dict[str, str] | None, timeout: int) -> None:
    """Execute ``notebook`` (read from ``source``) in place in a fresh kernel; CellExecutionError at the
    first cell that fails, with the outputs up to it kept in ``notebook``."""
    notebook.metadata["kernelspec"] = KERNELSPEC  # opens with the right kernel in JupyterLab
    notebook.metadata.pop("jupytext", None)  # authoring metadata, not the learner's business
    client = NotebookClient(notebook, timeout=timeout, kernel_name=KERNEL, record_timing=False,
                            resources={"metadata": {"path": str(cwd or source.parent)}})
    client.execute(**({"env": {**os.environ, **env}} if env else {}))


def parametrised_notebooks(course: Path) -> list[Path]:
    """The modules' notebooks in ``course`` (the course's notebook folder), in the manifest's order, that have
    a tagged ``parameters`` cell: those that run on any company."""
    from smarketing import manifest

    found = []
    for path in manifest.load(course.parent).notebooks():
        if path.parent.resolve() != course.resolve():
            continue
        notebook = nbformat.read(path, as_version=4)
        if any("parameters" in c.metadata.get("tags", []) for c in notebook.cells):
            found.append(path)
    return found


RUN = "smarketing workshop run"  # the command whose own reports --force may replace (its manifest's "by")


def refuse_course_folder(out: Path, course: Path) -> None:
    """Raise FileExistsError if ``out`` is, or is inside, one of the course's own folders: its notebooks
    (``course``, and every folder course.yml names a notebook or the workshop app in), the datasets, and
    nbgrader's solutions, exercises, submissions and feedback. A run writes ``<module>.ipynb`` files, which
    would overwrite the course's notebooks of the same name; ``--force`` never allows it."""
    from smarketing import manifest

    course = course.resolve()
    listed = manifest.load(course.parent)
    root = listed.root
    app = [root / listed.workshop_app] if listed.workshop_app else []
    folders = {course, datasets_dir(), root / "datasets", *(p.parent for p in [*listed.notebooks(), *app])}
    try:
        from smarketing.grading import gradebook

        graded = gradebook.folders(root)
        folders |= {graded.source, graded.release, graded.submitted, graded.autograded, graded.feedback}
    except Exception:  # noqa: BLE001 - a course nbgrader cannot read still has its graded folders to protect
        folders |= {root / "solutions", root / "exercises"}
    resolved = out.resolve()
    for folder in sorted(folders):
        if resolved.is_relative_to(folder.resolve()):
            raise FileExistsError(_(
                "{out} is inside {folder}, one of the course's own folders: `smarketing workshop run` never writes "
                "there, even with --force, so that no course notebook or data is overwritten. Nothing was written; "
                "choose a folder of its own, such as results/acme.", out=out, folder=folder))


def run_on_company(data: str | os.PathLike[str], out: str | os.PathLike[str], course: Path,
                   only: Sequence[str] = (), force: bool = False, show_code: bool = False) -> list[Path]:
    """Execute the course notebooks on a company (a course name or an imported folder) and write each as
    HTML into ``out``. ``only`` picks notebooks by their number or name (e.g. "02", "03_funnel_handoff");
    ValueError names the available ones when one is unknown. A non-empty ``out`` is only written into with
    ``force``, and then only if it holds nothing but an earlier run's own files (recorded in its manifest,
    :data:`smarketing.datasets.store.WRITTEN`); ``out`` is never one of the course's folders
    (:func:`refuse_course_folder`). FileExistsError otherwise, NotADirectoryError if ``out`` is a file.

    The pages are a report to present (:mod:`smarketing.report`): code hidden unless ``show_code``, learner
    tasks left out, the course's example figures labelled, and a cover page, ``index.html``, with what the
    export held and a link to each module. Returns the modules' pages. A module that stops at an error does
    not stop the others: its page shows how far it got, and :class:`ModulesStopped` is raised once every
    page and the cover are written."""
    from smarketing import report

    available = parametrised_notebooks(course)
    picked = {o: [p for p in available if p.stem == o or p.stem.startswith(f"{o}_")] for o in only}
    unknown = [o for o, found in picked.items() if not found]
    if unknown:
        raise ValueError(_("No course notebook {unknown}. Available: {available} (give the number, e.g. 02, or "
                           "the name).", unknown=", ".join(unknown), available=", ".join(p.stem for p in available)))
    out = Path(out)
    refuse_course_folder(out, course)  # even with --force
    check_writable(out, force, example="results/acme")  # a file, a folder in use without --force, the current folder
    if force:  # only an earlier run's own reports are replaced, never what the facilitator put beside them
        refuse_foreign(out, by=RUN, example="results/acme")
    loaded = load_company(data)  # refuse bad data before running anything, with the loader's own report
    company = str(data) if str(data) in COMPANIES else str(loaded.folder.resolve())
    out.mkdir(parents=True, exist_ok=True)
    written = []
    titles = _module_titles(course)
    pages = []
    for path in [p for p in available if not only or any(p in found for found in picked.values())]:
        executed = out / path.name
        notebook, stopped = _execute_for_report(path, executed, course, {COMPANY_VARIABLE: company})
        title = titles.get(path.resolve(), path.stem)
        html_path = out / f"{path.stem}.html"
        html_path.write_text(report.module_html(notebook, loaded.name, title, show_code=show_code, stopped=stopped),
                             encoding="utf-8")
        written.append(html_path)
        pages.append(report.ModulePage(html_path, title, stopped))
    (out / report.INDEX).write_text(report.cover_html(loaded, pages, out), encoding="utf-8")
    record_written(out, [*written, *(p.with_suffix(".ipynb") for p in written), out / report.INDEX], by=RUN)  # for --force
    if any(page.stopped for page in pages):
        raise ModulesStopped([page.stopped for page in pages if page.stopped], out / report.INDEX)
    return written


class ModulesStopped(RuntimeError):
    """Some modules of a run stopped at an error; every page and the cover page were written all the same."""

    def __init__(self, stops: list[str], cover: Path) -> None:
        self.stops = stops
        super().__init__(_("{stops}\nThe other modules and the cover page {cover} were written. The course "
                           "should run on any imported company: please report this with your company.json "
                           "(it holds no data) so that the module can be fixed; run on a course company (e.g. "
                           "--data lumen) to see the module in full.", stops="\n".join(stops), cover=cover))


def _module_titles(course: Path) -> dict[Path, str]:
    """Each module's notebook with its title as a report names it, e.g. "03 · The funnel and the handoff"."""
    from smarketing import manifest

    loaded = manifest.load(course.parent)
    return {(loaded.root / m.notebook).resolve(): f"{m.id} · {m.title}" for m in loaded.modules}


def _execute_for_report(path: Path, output: Path, cwd: Path, env: dict[str, str]) -> tuple[nbformat.NotebookNode, str]:
    """Execute a module for a report and store it at ``output``. Returns the executed notebook and, if a cell
    failed, a line saying where and why ("" when it ran through): the notebook then holds the outputs up
    to that cell, so that its page shows how far it got instead of a traceback on the terminal."""
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    stopped = ""
    try:
        _run(notebook, path, cwd, env, CELL_TIMEOUT)
    except CellExecutionError as error:
        failed = [n for n, cell in enumerate(notebook.cells)
                  if any(o.get("output_type") == "error" for o in cell.get("outputs", []))]
        stopped = _("{module} stopped at cell {cell} with {error}: {detail}; the cells after it were not run.",
                    module=path.stem, cell=failed[0] + 1 if failed else "?", error=error.ename,
                    detail=str(error.evalue)[:300])
    notebook = normalise(notebook, path.stem)
    nbformat.write(notebook, output)
    return notebook, stopped


def course_notebooks() -> list[Path]:
    """What `make notebooks` stores executed: every module's notebook, in the manifest's order, and the
    facilitator's app."""
    from smarketing import manifest

    course = manifest.load()
    return [*course.notebooks(), *([course.root / course.workshop_app] if course.workshop_app else [])]


if __name__ == "__main__":  # python -m smarketing.notebooks [notebook …]; none: the course's, from course.yml
    import sys

    for name in sys.argv[1:] or course_notebooks():
        print(f"{name}: executed in {execute(name)[1]:.1f} s")
