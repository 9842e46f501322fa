"""Release and grade the exercises with nbgrader: ``smarketing release`` and ``smarketing grade``.

nbgrader grades one notebook after another in one process, with one gradebook. ``grade`` splits the
class into batches, autogrades the batches in parallel (one nbgrader process each, with a private
copy of the gradebook, a per-cell timeout and a wall-clock limit), then writes every grade into the
course's own gradebook with nbgrader's own ``SaveAutoGrades``, so that ``nbgrader formgrader``,
``export`` and ``generate_feedback`` see an ordinary autograded class. A broken submission never
stops the batch: it is graded like any other, and its problem is reported.

Around nbgrader: the submissions are found in a zip or folder however the class was packed; locked cells
that a learner deleted are put back before grading; a kernel that dies costs the cells after it, not the
whole notebook; the learner's code is scanned for tampering with the checks; and the feedback pages are
written without the hidden tests.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
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
    task_max: dict[str, float] = field(default_factory=dict)  # each graded cell's points, from the gradebook
    by_hand: set[str] = field(default_factory=set)  # the cells a person grades (the reflection)
    problems: list[str] = field(default_factory=list)
    timestamp: str | None = None  # nbgrader's timestamp.txt of the submission, when it came with one


def _student_id(raw: str) -> str:
    student = STUDENT_ID.sub("_", raw).strip("._-")
    return student or "unnamed"


def _unpack(source: Path, scratch: Path) -> Path:
    unpacked = scratch / "unpacked"
    with zipfile.ZipFile(source) as archive:
        for member in archive.infolist():  # refuse paths that climb out of the folder
            target = (unpacked / member.filename).resolve()
            if unpacked.resolve() not in target.parents and target != unpacked.resolve():
                raise GradingError(_("{zip}: the entry {entry} points outside the archive; refusing to unpack.",
                                     zip=source, entry=member.filename))
        archive.extractall(unpacked)
    return unpacked


def _is_junk(parts: tuple[str, ...]) -> bool:
    """macOS's __MACOSX/ resource forks, .DS_Store, Jupyter's checkpoints and other hidden files."""
    return any(part == "__MACOSX" or part.startswith(".") for part in parts)


def _common_folders(paths: list[tuple[str, ...]]) -> int:
    """How many leading folders all the paths share and that only wrap the class, as `zip -r class.zip
    class/` and macOS's Compress do: in class/ana.ipynb and class/bob.ipynb, class/ wraps the students ana
    and bob. A shared folder with a single notebook (or folder) beneath it names that one student and stays."""
    depth = 0
    while paths and all(len(p) >= depth + 2 for p in paths) and len({p[depth] for p in paths}) == 1:
        beneath = {p[depth + 1] for p in paths if len(p) >= depth + 3 or p[depth + 1].endswith(".ipynb")}
        if len(beneath) < 2 and not all(len(p) >= depth + 3 for p in paths):
            break
        depth += 1
    return depth


def collect(source: Path, assignment: str, scratch: Path, others: Iterable[str] = (),
            nbgrader_layout: bool = False) -> list[Submission]:
    """Find the submissions in ``source``: nbgrader's submitted/ folder (``<student>/<assignment>/*.ipynb``,
    with its timestamp.txt), a folder of notebooks named by student (``<student>.ipynb`` or
    ``<student>/*.ipynb``), or a zip of either, also inside one folder that wraps them all. Files that are
    not notebooks are reported, not dropped silently; hidden files and __MACOSX/ are ignored.

    ``others`` are the course's other assignments: their folders in nbgrader's layout are skipped, not
    taken for students. With ``nbgrader_layout`` only ``<student>/<assignment>/`` folders count (the
    course's own submitted/ folder, which holds every assignment)."""
    from nbgrader.utils import parse_utc

    if source.is_file() and zipfile.is_zipfile(source):
        source = _unpack(source, scratch)
    if not source.is_dir():
        raise GradingError(_("{source}: not a folder or zip of submissions.", source=source))
    others = set(others) - {assignment}
    found: dict[str, Submission] = {}
    loose = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        parts = path.relative_to(source).parts
        if _is_junk(parts):
            continue
        if len(parts) >= 3 and parts[-2] == assignment:  # nbgrader: <student>/<assignment>/<file>
            _add(found, parts[-3], path, nbgrader=True, parse_utc=parse_utc)
        elif not nbgrader_layout and not (len(parts) >= 3 and parts[-2] in others):
            loose.append((parts, path))
    depth = _common_folders([parts for parts, _path in loose])
    for parts, path in loose:
        parts = parts[depth:]
        _add(found, parts[0] if len(parts) >= 2 else path.stem, path, nbgrader=False, parse_utc=parse_utc)
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


def _add(found: dict[str, Submission], raw: str, path: Path, nbgrader: bool, parse_utc: Callable) -> None:
    student = _student_id(raw)
    entry = found.setdefault(student, Submission(student, None))
    if nbgrader and path.name == "timestamp.txt":  # nbgrader's record of when it was handed in
        text = path.read_text(errors="replace").strip()
        try:
            parse_utc(text)
        except (ValueError, OverflowError):
            entry.problems.append(_("its timestamp.txt holds no date ({text}); graded without a timestamp.",
                                    text=text[:40]))
        else:
            entry.timestamp = text
    elif path.suffix != ".ipynb":
        entry.problems.append(_("{file} is not a notebook (.ipynb); it was not graded.", file=path.name))
    elif entry.path is not None:
        entry.problems.append(_("more than one notebook handed in; graded {kept}, ignored {other}.",
                                kept=entry.path.name, other=path.name))
    else:
        entry.path = path


def _refuse_foreign_notebooks(submissions: list[Submission], release: nbformat.NotebookNode) -> None:
    """A notebook with none of the release's nbgrader ids (made anew, or copied cell by cell through an
    editor that drops metadata) cannot be graded: nbgrader would not find one answer or test in it."""
    released = set(_grade_cells(release))
    for submission in submissions:
        if submission.path is None or not released:
            continue
        if not set(_grade_cells(nbformat.read(submission.path, as_version=4))) & released:
            submission.problems.append(_("this notebook is not the released one: its cells lost their nbgrader "
                                         "ids; ask the student to copy their answers into the released notebook. "
                                         "It earns no points."))
            submission.path = None


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


def restore_locked_cells(notebook: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[str]:
    """Put back, in place, every locked cell of the release that the learner deleted (the setup cell, a
    task's text, a test), each after the release cell that comes before it. nbgrader restores deleted
    grade cells only, and a notebook without its setup cell fails every task with NameErrors; locked
    cells are the course's read-only content. Returns the grade ids put back."""
    present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells}
    restored, anchor = [], None  # anchor: the last release cell found in (or put back into) the notebook
    for cell in release.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not grade_id:
            continue
        if grade_id in present:
            anchor = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
            continue
        if not cell.metadata["nbgrader"].get("locked"):
            continue
        copy = nbformat.from_dict(json.loads(json.dumps(cell)))
        position = 0 if anchor is None else next(i for i, c in enumerate(notebook.cells) if c is anchor) + 1
        notebook.cells.insert(position, copy)
        anchor = copy
        restored.append(grade_id)
    return restored


GRADED_MARK = "smarketing-graded:"  # the worker's line for each notebook done, for a progress bar per notebook


def _autograde_batch(course: Path, assignment: str, batch: list[Submission], workdir: Path, cell_timeout: int,
                     on_graded: Callable[[str], None] = lambda student: None) -> dict[str, dict] | None:
    """Autograde and write feedback for a batch in a private copy of the course (own gradebook), in a
    separate process that a watchdog can stop, reporting each notebook done through ``on_graded``.
    Returns nbgrader's result per student, or None when the batch ran past its time limit."""
    (workdir / "solutions").symlink_to(course / "solutions", target_is_directory=True)
    shutil.copy(course / "gradebook.db", workdir / "gradebook.db")
    released = course / "exercises" / assignment / f"{assignment}.ipynb"
    release = nbformat.read(released, as_version=4) if released.exists() else nbformat.v4.new_notebook()
    cells = 0
    for submission in batch:
        target = workdir / "submitted" / submission.student / assignment
        target.mkdir(parents=True)
        notebook = nbformat.read(submission.path, as_version=4)
        restore_locked_cells(notebook, release)
        nbformat.write(notebook, target / f"{assignment}.ipynb")
        if submission.timestamp:  # nbgrader reads it to record when the work came in, and to charge lateness
            (target / "timestamp.txt").write_text(submission.timestamp + "\n", encoding="utf-8")
        cells = max(cells, len(notebook.cells))
    limit = 60 + len(batch) * (30 + cells * cell_timeout)  # the batch watchdog, on top of the per-cell one
    reported, lines = set(), []
    stopped = threading.Event()
    with open(workdir / "worker.log", "w", encoding="utf-8") as log:  # a file: a full stderr pipe would block it
        worker = subprocess.Popen([sys.executable, "-m", "smarketing.grading", str(course), str(workdir), assignment,
                                   str(cell_timeout)], stdout=subprocess.PIPE, stderr=log, text=True,
                                  env=tools_env(), start_new_session=True)

        def stop() -> None:  # the worker and its kernels: they share the worker's new session
            stopped.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)

        watchdog = threading.Timer(limit, stop)
        watchdog.start()
        try:
            for line in worker.stdout:
                if line.startswith(GRADED_MARK):
                    student = line[len(GRADED_MARK):].strip()
                    reported.add(student)
                    on_graded(student)
                else:
                    lines.append(line)
            worker.wait()
        finally:
            watchdog.cancel()
    for submission in batch:  # the bar reaches its end even when a batch stops early
        if submission.student not in reported:
            on_graded(submission.student)
    if stopped.is_set():
        return None
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        tail = (workdir / "worker.log").read_text(encoding="utf-8", errors="replace")[-2000:]
        return {s.student: {"success": False, "log": tail} for s in batch}


KERNEL_DIED, NOT_RUN = "DeadKernelError", "NotRunKernelDied"  # the error names that the worker's Execute records


def _error_output(name: str, value: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("error", ename=name, evalue=value, traceback=[f"{name}: {value}"])


def _autograde_steps() -> list:
    """nbgrader's autograde preprocessors, with its Execute replaced by one that outlives a dying kernel."""
    from nbclient.exceptions import DeadKernelError
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    class ExecuteUntilTheKernelDies(Execute):
        """nbgrader's Execute, except that a kernel that dies (os._exit, a crash, no memory left) ends the
        run at that cell instead of failing the whole notebook: the cells before it keep their points, the
        dying cell and every later code cell get an error output, so that they earn none."""

        def preprocess(self, nb, resources=None, km=None):
            self.died = False
            return super().preprocess(nb, resources, km)

        def preprocess_cell(self, cell, resources, index):
            if self.died:
                if cell.cell_type == "code":
                    cell.outputs = [_error_output(NOT_RUN, _("not run: the kernel died in an earlier cell."))]
                return cell, resources
            try:
                return super().preprocess_cell(cell, resources, index)
            except DeadKernelError:
                self.died = True
                cell.outputs = [*cell.get("outputs", []),
                                _error_output(KERNEL_DIED, _("the kernel died while running this cell."))]
                return cell, resources

    steps = Autograde.class_traits()["autograde_preprocessors"].default()
    return [ExecuteUntilTheKernelDies if step is Execute else step for step in steps]


def feedback_preprocessors() -> list:
    """nbgrader's feedback preprocessors with the hidden tests taken out: nbgrader's feedback pages show the
    autograded notebook, hidden tests and all. Their source is cut (ClearHiddenTests), and a traceback out of
    a cell that held them (which quotes their lines) shrinks to the error's name and message. For
    ``nbgrader generate_feedback`` alone, put ``c.GenerateFeedback.preprocessors = feedback_preprocessors()``
    into nbgrader_config.py."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.preprocessors import ClearHiddenTests, GetGrades

    class ClearHiddenTestsAndTheirTracebacks(ClearHiddenTests):
        def preprocess_cell(self, cell, resources, index):
            if self._remove_hidden_test_region(cell) and cell.cell_type == "code":
                for output in cell.get("outputs", []):
                    if output.get("output_type") == "error" and output.get("ename") not in ("NotYetCorrect",
                                                                                             "NotAttempted"):
                        output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]
            return cell, resources

    steps = list(GenerateFeedback.class_traits()["preprocessors"].default())
    return [*steps[:steps.index(GetGrades) + 1], ClearHiddenTestsAndTheirTracebacks,
            *steps[steps.index(GetGrades) + 1:]]


def _grade_in_this_process(course: Path, workdir: Path, assignment: str, cell_timeout: int) -> dict[str, dict]:
    """The worker: autograde and write feedback for every student in ``workdir``/submitted."""
    config = _config(course, workdir, **{"Execute.timeout": cell_timeout, "OverwriteCells.add_missing_cells": True,
                                         "CourseDirectory.db_url": f"sqlite:///{workdir / 'gradebook.db'}",
                                         "Autograde.autograde_preprocessors": _autograde_steps(),
                                         "GenerateFeedback.preprocessors": feedback_preprocessors()})
    api = _api(config)
    results = {}
    for student in sorted(p.name for p in (workdir / "submitted").iterdir()):
        graded = api.autograde(assignment, student, force=True, create=True)
        if graded["success"]:
            feedback = api.generate_feedback(assignment, student, force=True)
            graded["success"] = feedback["success"]
            graded["log"] = graded.get("log", "") + feedback.get("log", "")
        results[student] = {"success": graded["success"], "log": (graded.get("error") or "")[-1500:]}
        print(GRADED_MARK + student, flush=True)
    return results


def _grade_cells(notebook: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade_id")}


# ---- tampering: learner code that rebinds or patches the checking machinery ------------------------------

CHECKING_NAMES = frozenset({"Task", "Mistake", "expect", "tasks", "recheck", "NotYetCorrect", "NotAttempted"})
CHECKING_ATTRIBUTES = frozenset({"check", "verdict", "judge", "verify", "looks_like", "recheck", "expect", "tasks",
                                 "namespace", "mistakes"})
TASK_NAME = re.compile(r"q\d+[a-z]?")
INTERPRETER_ATTRIBUTES = frozenset({"user_ns", "user_global_ns", "ast_transformers", "input_transformers_post",
                                    "input_transformers_cleanup", "set_custom_exc", "f_globals", "f_locals", "f_back",
                                    "__dict__", "__builtins__", "__globals__", "__code__", "__defaults__",
                                    "__kwdefaults__"})
PATCHING_CALLS = frozenset({"setattr", "delattr", "exec", "eval", "compile", "__import__"})
MUTATING_METHODS = frozenset({"update", "clear", "pop", "popitem", "setdefault", "__setitem__", "__setattr__"})
PATCHING_MODULES = ("builtins", "ctypes", "gc", "importlib", "unittest.mock", "mock")
ALLOWED_SETTINGS = frozenset({"options", "rcParams"})  # pd.options.display… and plt.rcParams[…] are display settings


def _attribute_chain(node: ast.AST) -> tuple[str | None, list[str]]:
    """The root name and the attribute path of ``a.b.c`` (root None when it starts with a call or the like)."""
    path = []
    while isinstance(node, ast.Attribute):
        path.insert(0, node.attr)
        node = node.value
    return (node.id if isinstance(node, ast.Name) else None), path


class _TamperScan(ast.NodeVisitor):
    """Finds, in one cell, what could change how the checks judge: rebinding a task, ``expect`` or a name the
    hidden tests rely on, patching an attribute of the checking machinery or of an imported module, and the
    tools for doing so indirectly (setattr, exec, the interpreter's namespaces, mock)."""

    def __init__(self, libraries: set[str], builtins_used: set[str]) -> None:
        self.libraries, self.builtins_used, self.found = libraries, builtins_used, []

    def _flag(self, node: ast.AST, what: str) -> None:
        self.found.append(_("{code} (line {line})", code=what[:60], line=getattr(node, "lineno", "?")))

    def _guarded(self, name: str) -> bool:
        return (name in CHECKING_NAMES or name in self.builtins_used or bool(TASK_NAME.fullmatch(name))
                or name in ("builtins", "__builtins__"))

    def _namespace(self, node: ast.AST) -> bool:
        """globals(), vars(…), locals(), sys.modules, anything.__dict__: a way to rebind names indirectly."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return node.func.id in ("globals", "vars", "locals")
        root, path = _attribute_chain(node)
        return bool(path) and (path[-1] in ("__dict__", "user_ns") or (root == "sys" and path[-1] == "modules"))

    def _target(self, target: ast.AST, node: ast.AST) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._target(element, node)
        elif isinstance(target, ast.Starred):
            self._target(target.value, node)
        elif isinstance(target, ast.Name) and self._guarded(target.id):
            self._flag(node, f"{target.id} = …")
        elif isinstance(target, ast.Attribute):
            root, path = _attribute_chain(target)
            if (target.attr in CHECKING_ATTRIBUTES or (root is not None and self._guarded(root))
                    or (root in self.libraries and not ALLOWED_SETTINGS & set(path[:-1]))):
                self._flag(node, ast.unparse(target) + " = …")
        elif isinstance(target, ast.Subscript) and (self._namespace(target.value) or self._library(target.value)):
            self._flag(node, ast.unparse(target) + " = …")

    def _library(self, node: ast.AST) -> bool:
        """Whether ``node`` is an object of an imported library (exercises.ASSIGNMENTS), not a display setting."""
        root, path = _attribute_chain(node)
        return root in self.libraries and not ALLOWED_SETTINGS & set(path)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target, node)
        self.generic_visit(node)

    visit_AnnAssign = visit_AugAssign
    visit_Delete = visit_Assign  # del x: its targets, as an assignment's

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._target(node.target, node)
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self._target(node.target, node)
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._target(item.optional_vars, node)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        if self._guarded(node.name):
            self._flag(node, f"def {node.name}")
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name in PATCHING_MODULES or alias.name.split(".")[0] in ("builtins", "ctypes"):
                self._flag(node, f"import {alias.name}")
            if alias.asname and self._guarded(alias.asname):
                self._flag(node, f"import … as {alias.asname}")
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            bound = alias.asname or alias.name
            if module in PATCHING_MODULES or f"{module}.{alias.name}" in PATCHING_MODULES:
                self._flag(node, f"from {module} import {alias.name}")
            elif self._guarded(bound) and (not module.startswith("smarketing") or bound != alias.name):
                self._flag(node, f"from {module} import {alias.name} as {bound}")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        method = node.func.attr if isinstance(node.func, ast.Attribute) else None
        if (isinstance(node.func, ast.Name) and node.func.id in PATCHING_CALLS) or (
                method in MUTATING_METHODS and (self._namespace(node.func.value) or self._library(node.func.value))):
            self._flag(node, ast.unparse(node))
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        root, path = _attribute_chain(node)
        if node.attr in INTERPRETER_ATTRIBUTES or (root == "sys" and path == ["modules"]) or (
                node.attr == "events" and isinstance(node.value, ast.Call)):
            self._flag(node, ast.unparse(node))
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == "__builtins__":
            self._flag(node, node.id)


def _python(source: str) -> ast.Module | None:
    """A cell's code as Python (IPython's %magics and !commands turned into calls), or None if it does not parse."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def _imported_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def _hidden_builtins(source: nbformat.NotebookNode) -> set[str]:
    """The builtins (all, float, len…) that the hidden tests call: rebinding one could make them pass."""
    used = set()
    for cell in source.cells:
        for block in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", cell.source, re.DOTALL):
            tree = _python(block)
            if tree is not None:
                used |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in vars(builtins)}
    return used


def tampering(handed_in: nbformat.NotebookNode, release: nbformat.NotebookNode,
              source: nbformat.NotebookNode) -> dict[str, list[str]]:
    """Per learner cell (its grade id, or its cell id), the code that could tamper with the checks. Locked
    cells are left out: nbgrader restores them before running anything."""
    library = set()
    for cell in release.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("locked"):
            tree = _python(cell.source)
            library |= _imported_names(tree) if tree is not None else set()
    learner = [(i, c) for i, c in enumerate(handed_in.cells)
               if c.cell_type == "code" and not c.metadata.get("nbgrader", {}).get("locked")]
    trees = [(i, c, _python(c.source)) for i, c in learner]
    for _index, _cell, tree in trees:
        library |= _imported_names(tree) if tree is not None else set()
    hidden = _hidden_builtins(source)
    found = {}
    for index, cell, tree in trees:
        if tree is None:
            continue
        scan = _TamperScan(library, hidden)
        scan.visit(tree)
        if scan.found:
            label = cell.metadata.get("nbgrader", {}).get("grade_id") or cell.get("id") or _(
                "number {number}", number=index + 1)
            found[label] = scan.found
    return found


def _inspect(submission: Submission, release: nbformat.NotebookNode, source: nbformat.NotebookNode,
             graded: nbformat.NotebookNode, cell_timeout: int) -> None:
    """Say what was wrong with a submission: deleted or edited cells, errors, timeouts, a dead kernel, and
    code that may tamper with the checks."""
    from nbgrader import utils

    handed_in_notebook = nbformat.read(submission.path, as_version=4)
    handed_in = _grade_cells(handed_in_notebook)
    originals = _grade_cells(source)
    for grade_id, cell in _grade_cells(release).items():
        nbgrader = cell.metadata["nbgrader"]
        if grade_id not in handed_in:
            if nbgrader.get("locked"):
                message = _("cell {id} was deleted; the grader put it back.", id=grade_id)
            elif nbgrader.get("grade"):
                message = _("cell {id} was deleted; the grader put back an empty one.", id=grade_id)
            else:
                message = _("answer cell {id} was deleted; its task earns no points.", id=grade_id)
            submission.problems.append(message)
            continue
        # A locked cell is intact when it is the released text (or the instructor's source, hidden tests and all).
        intact = {nbgrader.get("checksum")}
        if grade_id in originals:
            intact.add(utils.compute_checksum(originals[grade_id]))
        if nbgrader.get("locked") and utils.compute_checksum(handed_in[grade_id]) not in intact:
            submission.problems.append(_("locked cell {id} was edited; the grader restored the original.",
                                         id=grade_id))
    for cell in graded.cells:
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        where = cell.metadata.get("nbgrader", {}).get("grade_id") or cell.get("id") or _("an ungraded cell")
        if any(o.get("ename") == "CellTimeoutError" for o in errors):  # also shows a KeyboardInterrupt
            submission.problems.append(_("{where} ran longer than {seconds} s and was stopped (an endless loop?).",
                                         where=where, seconds=cell_timeout))
            continue
        if any(o.get("ename") == KERNEL_DIED for o in errors):
            submission.problems.append(_("the kernel died in cell {where} (os._exit, a crash, or out of memory?); "
                                         "the cells after it did not run and earn no points.", where=where))
            continue
        for output in errors:
            if output.get("ename") not in ("NotYetCorrect", "NotAttempted", "NotImplementedError", "AssertionError",
                                           NOT_RUN):
                submission.problems.append(_("{where} raised {error}: {detail}", where=where,
                                             error=output.get("ename"), detail=str(output.get("evalue"))[:120]))
    for where, found in tampering(handed_in_notebook, release, source).items():
        submission.problems.append(_("possible tampering with the checks in cell {where}: review by hand ({found}).",
                                     where=where, found="; ".join(found[:3])))


def grade(assignment: str, course: Path, source: Path | None = None, jobs: int | None = None,
          cell_timeout: int = CELL_TIMEOUT, force: bool = False,
          progress: Callable[[int, int], None] | None = None) -> list[Submission]:
    """Autograde every submission of ``assignment``, write feedback, grades.csv and a report.

    ``source`` is a folder or zip of submissions (default: the course's submitted/ folder, in nbgrader's
    layout); they are copied into submitted/ first, refusing to replace a different existing submission
    unless ``force``. ``progress(done, total)`` is called as each notebook is graded. Returns one
    :class:`Submission` per student, with scores and problems.
    """
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own ORM noise, not the instructor's concern
    course = course.resolve()
    known = assignments(course)
    if assignment not in known:
        raise GradingError(_("No assignment '{name}' in {folder}. Assignments: {known}.", name=assignment,
                             folder=course / "solutions", known=", ".join(known)))
    released = course / "exercises" / assignment / f"{assignment}.ipynb"
    release = nbformat.read(released, as_version=4) if released.exists() else nbformat.v4.new_notebook()
    with tempfile.TemporaryDirectory(prefix="smarketing-grade-") as scratch_name:
        scratch = Path(scratch_name)
        submitted = course / "submitted"
        if source is None:
            submissions = collect(submitted, assignment, scratch, nbgrader_layout=True) if submitted.is_dir() else []
        else:
            submissions = collect(source, assignment, scratch, others=known)
        _refuse_foreign_notebooks(submissions, release)
        if source is not None:
            _copy_into_submitted(submissions, submitted, assignment, force)
        if not submissions:
            raise GradingError(_("No submissions of {name} found in {source}.", name=assignment,
                                 source=source or submitted))
        _prepare_gradebook(course, assignment)
        gradable = [s for s in submissions if s.path is not None]
        workers = max(1, min(jobs or os.cpu_count() or 1, len(gradable) or 1))
        batches = [gradable[i::workers] for i in range(workers) if gradable[i::workers]]
        done, ticking = 0, threading.Lock()

        def graded_one(student: str) -> None:
            nonlocal done
            with ticking:  # the batches report from their own threads
                done += 1
                if progress:
                    progress(done, len(gradable))

        with ThreadPoolExecutor(max_workers=len(batches) or 1) as pool:
            futures = {}
            for number, batch in enumerate(batches):
                workdir = scratch / f"batch-{number}"
                workdir.mkdir()
                futures[pool.submit(_autograde_batch, course, assignment, batch, workdir, cell_timeout,
                                    graded_one)] = (batch, workdir)
            for future in as_completed(futures):
                batch, workdir = futures[future]
                _collect_batch(course, assignment, batch, workdir, future.result(), cell_timeout)
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
        stamp = target.parent / "timestamp.txt"
        if submission.path.resolve() != target.resolve():
            replaced = target.exists() and target.read_bytes() != submission.path.read_bytes()
            shutil.copy(submission.path, target)
            if submission.timestamp:
                stamp.write_text(submission.timestamp + "\n", encoding="utf-8")
            elif replaced and stamp.exists():  # the old submission's time is not the new one's
                stamp.unlink()
        if submission.timestamp is None and stamp.exists():
            submission.timestamp = stamp.read_text(encoding="utf-8").strip() or None
        submission.path = target


def _collect_batch(course: Path, assignment: str, batch: list[Submission], workdir: Path,
                   results: dict[str, dict] | None, cell_timeout: int) -> None:
    """Copy a finished batch's autograded notebooks and feedback into the course and record its grades
    in the course gradebook with nbgrader's own SaveAutoGrades (and its late penalties)."""
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades
    from nbgrader.utils import parse_utc

    released = course / "exercises" / assignment / f"{assignment}.ipynb"
    release = nbformat.read(released, as_version=4) if released.exists() else nbformat.v4.new_notebook()
    source = nbformat.read(course / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    late = AssignLatePenalties(config=_config(course, course))  # the course's LateSubmissionPlugin settings
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
        stamp = {"timestamp": parse_utc(submission.timestamp)} if submission.timestamp else {}
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            gradebook.update_or_create_student(submission.student)
            gradebook.update_or_create_submission(assignment, submission.student, **stamp)
        resources = {"nbgrader": {"notebook": assignment, "assignment": assignment, "student": submission.student,
                                  "db_url": f"sqlite:///{course / 'gradebook.db'}"}}
        SaveAutoGrades().preprocess(graded, resources)
        late.preprocess(graded, resources)
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
            penalty = float(record.late_submission_penalty or 0.0)  # as grades.csv counts it
            submission.score, submission.max_score = max(0.0, float(record.score) - penalty), float(record.max_score)
            for notebook in record.notebooks:
                for grade in notebook.grades:
                    submission.task_scores[grade.name] = float(grade.score or 0.0)
                    submission.task_max[grade.name] = float(grade.max_score)
                    if grade.cell_type == "markdown" or grade.auto_score is None:
                        submission.by_hand.add(grade.name)


# ---- the report ---------------------------------------------------------------------------------------

def scores_table(submissions: list[Submission]) -> pd.DataFrame:
    """One row per student: total, maximum, each graded cell's points, and the problems found."""
    rows = [{"student": s.student, "score": s.score, "max_score": s.max_score, **s.task_scores,
             "problems": " | ".join(s.problems)} for s in sorted(submissions, key=lambda s: s.student)]
    return pd.DataFrame(rows)


def cell_means(submissions: list[Submission]) -> pd.DataFrame:
    """One row per graded cell, in the gradebook's order: the class's mean points, the cell's points, the share
    of them the class earned (so that a 1-point and a 3-point task compare), and who grades it."""
    table = scores_table(submissions)
    cells = [c for c in table.columns if c not in ("student", "score", "max_score", "problems")]
    most = {cell: max((s.task_max.get(cell, 0.0) for s in submissions), default=0.0) for cell in cells}
    by_hand = set().union(*(s.by_hand for s in submissions)) if submissions else set()
    means = pd.DataFrame({"cell": cells, "mean_points": [float(table[c].mean()) for c in cells],
                          "points": [most[c] for c in cells]})
    means["share_earned"] = (means["mean_points"] / means["points"].where(means["points"] > 0)).fillna(0.0)
    means["graded"] = [_("by hand (0 until graded)") if c in by_hand else _("automatically") for c in cells]
    return means


def write_report(course: Path, assignment: str, submissions: list[Submission]) -> Path:
    """reports/<assignment>.html: the share of each graded cell's points the class earned (an Altair chart,
    inlined so it opens offline), the score distribution, and every problem found."""
    import altair as alt

    table = scores_table(submissions)
    means = cell_means(submissions)
    chart = alt.Chart(means).mark_bar().encode(
        y=alt.Y("cell:N", title=_("graded cell"), sort=None),
        x=alt.X("share_earned:Q", title=_("share of the cell's points the class earned"),
                axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("graded:N", title=_("graded")),
        tooltip=[alt.Tooltip("cell:N", title=_("cell")),
                 alt.Tooltip("share_earned:Q", title=_("share earned"), format=".0%"),
                 alt.Tooltip("mean_points:Q", title=_("mean points"), format=".2f"),
                 alt.Tooltip("points:Q", title=_("points of the cell"), format="g"),
                 alt.Tooltip("graded:N", title=_("graded"))],
    ).properties(title=_("{name}: points per graded cell", name=assignment), width=480)
    totals = alt.Chart(table).mark_bar().encode(
        x=alt.X("score:Q", bin=alt.Bin(maxbins=20), title=_("total score (points)")),
        y=alt.Y("count():Q", title=_("students"), axis=alt.Axis(tickMinStep=1, format="d")),
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
