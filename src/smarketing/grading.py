"""Release and grade the exercises with nbgrader: ``smarketing release`` and ``smarketing grade``.

nbgrader grades one notebook after another in one process, with one gradebook. ``grade`` splits the
class into batches, autogrades the batches in parallel (one nbgrader process each, with a private
copy of the gradebook, a per-cell timeout and a wall-clock limit), then writes every grade into the
course's own gradebook with nbgrader's own ``SaveAutoGrades``, so that ``nbgrader formgrader``,
``export`` and ``generate_feedback`` see an ordinary autograded class. A broken submission never
stops the batch: it is graded like any other, and its problem is reported.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pandas as pd

from smarketing.messages import _

CELL_TIMEOUT = 30  # seconds for one cell; an exercise cell takes about one
STUDENT_ID = re.compile(r"[^A-Za-z0-9_.-]+")


class GradingError(RuntimeError):
    """Grading cannot start (no such assignment, submissions that would overwrite others…)."""


def tools_env() -> dict[str, str]:
    """This process's environment with this Python's tools first on the PATH: nbgrader runs ``alembic``
    by name to create a gradebook, which fails when the virtual environment is not activated."""
    tools = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    return {**os.environ, "PATH": path if tools in path.split(os.pathsep) else f"{tools}{os.pathsep}{path}"}


def assignments(course: Path) -> list[str]:
    """The assignments of the course: one folder per module in solutions/."""
    return sorted(p.name for p in (course / "solutions").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def release(course: Path, names: Iterable[str] | None = None) -> list[Path]:
    """Generate exercises/<assignment>/ from solutions/<assignment>/ with ``nbgrader generate_assignment``
    (solutions and hidden tests removed, cells locked, checksums recorded)."""
    api = _api(_config(course, course))
    released = []
    for name in names or assignments(course):
        result = api.generate_assignment(name, force=True, create=True)
        if not result["success"]:
            raise GradingError(_("nbgrader could not release {name}:\n{log}", name=name,
                                 log=result.get("error") or result.get("log", "")))
        released.append(course / "exercises" / name)
    return released


def answered(release_notebook: nbformat.NotebookNode, source_notebook: nbformat.NotebookNode,
             answers: Iterable[str] | None = None) -> nbformat.NotebookNode:
    """A copy of the released notebook with the source's solutions written into its answer cells, as a
    student who solved them would hand it in. ``answers`` limits this to some grade ids (the rest stay
    blank): a partly solved submission. Used by the tests and the grading benchmark."""
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source_notebook.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    chosen = set(solutions) if answers is None else set(answers)
    notebook = nbformat.from_dict(json.loads(json.dumps(release_notebook)))
    markers = re.compile(r"^\s*(#\s*)?### (BEGIN|END) SOLUTION\s*$\n?", re.MULTILINE)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in chosen and grade_id in solutions:
            cell.source = markers.sub("", solutions[grade_id]).strip("\n")
    return notebook


# ---- collecting submissions ----------------------------------------------------------------------------

@dataclass
class Submission:
    """One student's notebook and what grading found."""

    student: str
    path: Path | None  # None when nothing gradable was handed in
    score: float = 0.0
    max_score: float = 0.0
    task_scores: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _student_id(raw: str) -> str:
    student = STUDENT_ID.sub("_", raw).strip("._-")
    return student or "unnamed"


def collect(source: Path, assignment: str, scratch: Path) -> list[Submission]:
    """Find the submissions in ``source``: nbgrader's submitted/ folder (``<student>/<assignment>/*.ipynb``),
    a folder of notebooks named by student (``<student>.ipynb`` or ``<student>/*.ipynb``), or a zip of
    either. Files that are not notebooks are reported, not dropped silently."""
    if source.is_file() and zipfile.is_zipfile(source):
        unpacked = scratch / "unpacked"
        with zipfile.ZipFile(source) as archive:
            for member in archive.infolist():  # refuse paths that climb out of the folder
                target = (unpacked / member.filename).resolve()
                if unpacked.resolve() not in target.parents and target != unpacked.resolve():
                    raise GradingError(_("{zip}: the entry {entry} points outside the archive; refusing to unpack.",
                                         zip=source, entry=member.filename))
            archive.extractall(unpacked)
        source = unpacked
    if not source.is_dir():
        raise GradingError(_("{source}: not a folder or zip of submissions.", source=source))
    found: dict[str, Submission] = {}
    for path in sorted(p for p in source.rglob("*") if p.is_file() and "__MACOSX" not in p.parts
                       and ".ipynb_checkpoints" not in p.parts and not p.name.startswith(".")):
        parts = path.relative_to(source).parts
        if len(parts) >= 3 and parts[-2] == assignment:  # submitted/<student>/<assignment>/<file>
            raw = parts[-3]
        elif len(parts) >= 2:  # <student>/<file>
            raw = parts[-2]
        else:  # <student>.ipynb
            raw = path.stem
        student = _student_id(raw)
        entry = found.setdefault(student, Submission(student, None))
        if path.suffix != ".ipynb":
            entry.problems.append(_("{file} is not a notebook (.ipynb); it was not graded.", file=path.name))
        elif entry.path is not None:
            entry.problems.append(_("more than one notebook handed in; graded {kept}, ignored {other}.",
                                    kept=entry.path.name, other=path.name))
        else:
            entry.path = path
    for entry in found.values():
        if entry.path is None:
            continue
        try:
            nbformat.read(entry.path, as_version=4)
        except Exception as error:  # noqa: BLE001 - any unreadable file is reported the same way
            entry.problems.append(_("{file} is not a readable notebook ({detail}); it earns no points.",
                                    file=entry.path.name, detail=str(error).splitlines()[0][:120]))
            entry.path = None
    return list(found.values())


# ---- grading ------------------------------------------------------------------------------------------

def _config(course: Path, root: Path, **settings: object):  # noqa: ANN202 - a traitlets Config
    """The course's nbgrader_config.py, rooted at ``root``, with ``settings`` ("Section.option": value)."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(root)
    for key, value in settings.items():
        section, option = key.split(".")
        setattr(getattr(config, section), option, value)
    return config


def _api(config):  # noqa: ANN001, ANN202 - traitlets objects
    """nbgrader's own Python API: one import, many commands, no process start-up per command."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    os.environ["PATH"] = tools_env()["PATH"]
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _prepare_gradebook(course: Path, assignment: str) -> None:
    """Make sure the course gradebook knows the assignment (its cells and points), without touching
    the committed release: generate it into a scratch release folder if needed."""
    from nbgrader.api import Gradebook, MissingEntry

    db = course / "gradebook.db"
    if db.exists():
        with Gradebook(f"sqlite:///{db}") as gradebook:
            with contextlib.suppress(MissingEntry):
                if gradebook.find_assignment(assignment).notebooks:
                    return
    with tempfile.TemporaryDirectory() as scratch:
        config = _config(course, course, **{"CourseDirectory.release_directory": scratch,
                                            "CourseDirectory.db_url": f"sqlite:///{db}"})
        result = _api(config).generate_assignment(assignment, force=True, create=True)
    if not result["success"]:
        raise GradingError(_("nbgrader could not read the assignment {name}:\n{log}", name=assignment,
                             log=result.get("error") or result.get("log", "")))


def _autograde_batch(course: Path, assignment: str, batch: list[Submission], workdir: Path,
                     cell_timeout: int) -> dict[str, dict] | None:
    """Autograde and write feedback for a batch in a private copy of the course (own gradebook), in a
    separate process that a watchdog can stop. Returns nbgrader's result per student, or None when
    the batch ran past its time limit."""
    (workdir / "solutions").symlink_to(course / "solutions", target_is_directory=True)
    shutil.copy(course / "gradebook.db", workdir / "gradebook.db")
    for submission in batch:
        target = workdir / "submitted" / submission.student / assignment
        target.mkdir(parents=True)
        shutil.copy(submission.path, target / f"{assignment}.ipynb")
    cells = max(len(nbformat.read(s.path, as_version=4).cells) for s in batch)
    limit = 60 + len(batch) * (30 + cells * cell_timeout)  # the batch watchdog, on top of the per-cell one
    try:
        result = subprocess.run([sys.executable, "-m", "smarketing.grading", str(course), str(workdir), assignment,
                                 str(cell_timeout)], capture_output=True, text=True, timeout=limit, env=tools_env(),
                                check=False)
    except subprocess.TimeoutExpired:
        return None
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {s.student: {"success": False, "log": result.stderr[-2000:]} for s in batch}


def _grade_in_this_process(course: Path, workdir: Path, assignment: str, cell_timeout: int) -> dict[str, dict]:
    """The worker: autograde and write feedback for every student in ``workdir``/submitted."""
    config = _config(course, workdir, **{"Execute.timeout": cell_timeout, "OverwriteCells.add_missing_cells": True,
                                         "CourseDirectory.db_url": f"sqlite:///{workdir / 'gradebook.db'}"})
    api = _api(config)
    results = {}
    for student in sorted(p.name for p in (workdir / "submitted").iterdir()):
        graded = api.autograde(assignment, student, force=True, create=True)
        if graded["success"]:
            feedback = api.generate_feedback(assignment, student, force=True)
            graded["success"] = feedback["success"]
            graded["log"] = graded.get("log", "") + feedback.get("log", "")
        results[student] = {"success": graded["success"], "log": (graded.get("error") or "")[-1500:]}
    return results


def _grade_cells(notebook: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade_id")}


def _inspect(submission: Submission, release: nbformat.NotebookNode, source: nbformat.NotebookNode,
             graded: nbformat.NotebookNode, cell_timeout: int) -> None:
    """Say what was wrong with a submission: edited locked cells, deleted cells, errors, timeouts."""
    from nbgrader import utils

    handed_in = _grade_cells(nbformat.read(submission.path, as_version=4))
    originals = _grade_cells(source)
    for grade_id, cell in _grade_cells(release).items():
        if grade_id not in handed_in:
            submission.problems.append(_("cell {id} was deleted; the grader put it back.", id=grade_id))
            continue
        # A locked cell is intact when it is the released text (or the instructor's source, hidden tests and all).
        intact = {cell.metadata["nbgrader"].get("checksum")}
        if grade_id in originals:
            intact.add(utils.compute_checksum(originals[grade_id]))
        if cell.metadata["nbgrader"].get("locked") and utils.compute_checksum(handed_in[grade_id]) not in intact:
            submission.problems.append(_("locked cell {id} was edited; the grader restored the original.",
                                         id=grade_id))
    for cell in graded.cells:
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        where = cell.metadata.get("nbgrader", {}).get("grade_id") or _("an ungraded cell")
        if any(o.get("ename") == "CellTimeoutError" for o in errors):  # also shows a KeyboardInterrupt
            submission.problems.append(_("{where} ran longer than {seconds} s and was stopped (an endless loop?).",
                                         where=where, seconds=cell_timeout))
            continue
        for output in errors:
            if output.get("ename") not in ("NotYetCorrect", "NotAttempted", "NotImplementedError", "AssertionError"):
                submission.problems.append(_("{where} raised {error}: {detail}", where=where,
                                             error=output.get("ename"), detail=str(output.get("evalue"))[:120]))


def grade(assignment: str, course: Path, source: Path | None = None, jobs: int | None = None,
          cell_timeout: int = CELL_TIMEOUT, force: bool = False,
          progress: Callable[[int, int], None] | None = None) -> list[Submission]:
    """Autograde every submission of ``assignment``, write feedback, grades.csv and a report.

    ``source`` is a folder or zip of submissions (default: the course's submitted/ folder); they are
    copied into submitted/ first, refusing to replace a different existing submission unless
    ``force``. Returns one :class:`Submission` per student, with scores and problems.
    """
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own ORM noise, not the instructor's concern
    course = course.resolve()
    if assignment not in assignments(course):
        raise GradingError(_("No assignment '{name}' in {folder}. Assignments: {known}.", name=assignment,
                             folder=course / "solutions", known=", ".join(assignments(course))))
    with tempfile.TemporaryDirectory(prefix="smarketing-grade-") as scratch_name:
        scratch = Path(scratch_name)
        submitted = course / "submitted"
        submissions = collect(source or submitted, assignment, scratch)
        if source is not None:
            _copy_into_submitted(submissions, submitted, assignment, force)
        if not submissions:
            raise GradingError(_("No submissions of {name} found in {source}.", name=assignment,
                                 source=source or submitted))
        _prepare_gradebook(course, assignment)
        gradable = [s for s in submissions if s.path is not None]
        workers = max(1, min(jobs or os.cpu_count() or 1, len(gradable) or 1))
        batches = [gradable[i::workers] for i in range(workers) if gradable[i::workers]]
        done = 0
        with ThreadPoolExecutor(max_workers=len(batches) or 1) as pool:
            futures = {}
            for number, batch in enumerate(batches):
                workdir = scratch / f"batch-{number}"
                workdir.mkdir()
                futures[pool.submit(_autograde_batch, course, assignment, batch, workdir, cell_timeout)] = (batch,
                                                                                                          workdir)
            for future in as_completed(futures):
                batch, workdir = futures[future]
                _collect_batch(course, assignment, batch, workdir, future.result(), cell_timeout)
                done += len(batch)
                if progress:
                    progress(done, len(gradable))
        _record_missing(course, assignment, [s for s in submissions if s.path is None])
        export_grades(course)
        _scores(course, assignment, submissions)
        write_report(course, assignment, submissions)
    return submissions


def _copy_into_submitted(submissions: list[Submission], submitted: Path, assignment: str, force: bool) -> None:
    clashes = []
    for submission in submissions:
        if submission.path is None:
            continue
        target = submitted / submission.student / assignment / f"{assignment}.ipynb"
        if target.exists() and target.read_bytes() != submission.path.read_bytes() and not force:
            clashes.append(str(target))
    if clashes:
        raise GradingError(_("These submissions already exist and differ from the new ones; nothing was "
                             "copied or graded. Pass --force to replace them:\n  {files}",
                             files="\n  ".join(clashes)))
    for submission in submissions:
        if submission.path is None:
            continue
        target = submitted / submission.student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        if submission.path.resolve() != target.resolve():
            shutil.copy(submission.path, target)
        submission.path = target


def _collect_batch(course: Path, assignment: str, batch: list[Submission], workdir: Path,
                   results: dict[str, dict] | None, cell_timeout: int) -> None:
    """Copy a finished batch's autograded notebooks and feedback into the course and record its grades
    in the course gradebook with nbgrader's own SaveAutoGrades."""
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import SaveAutoGrades

    released = course / "exercises" / assignment / f"{assignment}.ipynb"
    release = nbformat.read(released, as_version=4) if released.exists() else nbformat.v4.new_notebook()
    source = nbformat.read(course / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    for submission in batch:
        graded_dir = workdir / "autograded" / submission.student / assignment
        graded_path = graded_dir / f"{assignment}.ipynb"
        if results is None:
            submission.problems.append(_("grading stopped: the batch ran past its time limit."))
        if not graded_path.exists():
            log = (results or {}).get(submission.student, {}).get("log", "").strip().splitlines()[-3:]
            submission.problems.append(_("nbgrader could not grade this notebook; it earns no points. {log}",
                                         log=" ".join(log)))
            _record_missing(course, assignment, [submission])
            continue
        for kind in ("autograded", "feedback"):
            origin = workdir / kind / submission.student / assignment
            if origin.exists():
                destination = course / kind / submission.student / assignment
                if destination.exists():
                    shutil.rmtree(destination)
                shutil.copytree(origin, destination)
        graded = nbformat.read(graded_path, as_version=4)
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            gradebook.update_or_create_student(submission.student)
            gradebook.update_or_create_submission(assignment, submission.student)
        SaveAutoGrades().preprocess(graded, {"nbgrader": {"notebook": assignment, "assignment": assignment,
                                                          "student": submission.student,
                                                          "db_url": f"sqlite:///{course / 'gradebook.db'}"}})
        _inspect(submission, release, source, graded, cell_timeout)


def export_grades(course: Path) -> Path:
    """grades.csv of the whole course, by nbgrader's own CSV exporter."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    path = course / "grades.csv"
    plugin = CsvExportPlugin(config=_config(course, course, **{"CsvExportPlugin.to": str(path)}))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        plugin.export(gradebook)
    return path


def _record_missing(course: Path, assignment: str, submissions: list[Submission]) -> None:
    """Students with nothing gradable still appear in the gradebook (and so in grades.csv, with 0)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for submission in submissions:
            gradebook.update_or_create_student(submission.student)
            gradebook.update_or_create_submission(assignment, submission.student)


def _scores(course: Path, assignment: str, submissions: list[Submission]) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for submission in submissions:
            try:
                record = gradebook.find_submission(assignment, submission.student)
            except MissingEntry:
                continue
            submission.score, submission.max_score = float(record.score), float(record.max_score)
            for notebook in record.notebooks:
                for grade in notebook.grades:
                    submission.task_scores[grade.name] = float(grade.score or 0.0)


# ---- the report ---------------------------------------------------------------------------------------

def scores_table(submissions: list[Submission]) -> pd.DataFrame:
    """One row per student: total, maximum, each graded cell's points, and the problems found."""
    rows = [{"student": s.student, "score": s.score, "max_score": s.max_score, **s.task_scores,
             "problems": " | ".join(s.problems)} for s in sorted(submissions, key=lambda s: s.student)]
    return pd.DataFrame(rows)


def write_report(course: Path, assignment: str, submissions: list[Submission]) -> Path:
    """reports/<assignment>.html: the class's mean score per graded cell (an Altair chart, inlined so it
    opens offline), the score distribution, and every problem found."""
    import altair as alt

    table = scores_table(submissions)
    cells = [c for c in table.columns if c not in ("student", "score", "max_score", "problems")]
    means = table[cells].mean().rename("mean_points").rename_axis("cell").reset_index() if cells else pd.DataFrame(
        {"cell": [], "mean_points": []})
    chart = alt.Chart(means).mark_bar().encode(
        y=alt.Y("cell:N", title=_("graded cell")), x=alt.X("mean_points:Q", title=_("mean points of the class")),
        tooltip=[alt.Tooltip("cell:N", title=_("cell")),
                 alt.Tooltip("mean_points:Q", title=_("mean points"), format=".2f")],
    ).properties(title=_("{name}: points per graded cell", name=assignment), width=480)
    totals = alt.Chart(table).mark_bar().encode(
        x=alt.X("score:Q", bin=alt.Bin(maxbins=20), title=_("total score (points)")),
        y=alt.Y("count():Q", title=_("students")),
        tooltip=[alt.Tooltip("count():Q", title=_("students"))],
    ).properties(title=_("Score distribution"), width=480)
    folder = course / "reports"
    folder.mkdir(exist_ok=True)
    chart_file = folder / f"{assignment}-chart.html"
    alt.vconcat(chart, totals).save(chart_file, inline=True)
    problems = table[table["problems"] != ""][["student", "score", "problems"]]
    body = chart_file.read_text(encoding="utf-8")
    listing = problems.to_html(index=False, escape=True) if len(problems) else "<p>" + html.escape(
        _("No problems found.")) + "</p>"
    summary = _("{count} submission(s); mean score {mean:.1f} of {max:g}.", count=len(table),
                mean=table["score"].mean() if len(table) else 0.0,
                max=table["max_score"].max() if len(table) else 0)
    report = body.replace("<body>", f"<body><h1>{html.escape(assignment)}</h1><p>{html.escape(summary)}</p>"
                          f"<h2>{html.escape(_('Problems'))}</h2>{listing}<h2>{html.escape(_('Scores'))}</h2>", 1)
    path = folder / f"{assignment}.html"
    path.write_text(report, encoding="utf-8")
    chart_file.unlink()
    table.to_csv(folder / f"{assignment}-scores.csv", index=False)
    (folder / f"{assignment}-problems.json").write_text(json.dumps(
        {s.student: s.problems for s in submissions if s.problems}, indent=2, sort_keys=True), encoding="utf-8")
    return path


if __name__ == "__main__":  # the worker of _autograde_batch: course, workdir, assignment, cell timeout
    course_arg, workdir_arg, assignment_arg, timeout_arg = sys.argv[1:5]
    print(json.dumps(_grade_in_this_process(Path(course_arg), Path(workdir_arg), assignment_arg, int(timeout_arg))))
