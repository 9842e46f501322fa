"""The course as nbgrader sees it: its folders (read from nbgrader's ``CourseDirectory``, configured in the
course's nbgrader_config.py), its configuration and API, and its gradebook.

Every other room of the package asks here where the sources, releases, submissions and the gradebook are,
so that renaming a folder in nbgrader_config.py is the only change it takes.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from smarketing.messages import _

if TYPE_CHECKING:
    import nbformat

    from smarketing.grading.collect import Submission

CELL_TIMEOUT = 30  # seconds for one cell; an exercise cell takes about one
CLUSTERS = ("local", "kubernetes", "slurm")  # the Dask clusters `smarketing grade --cluster` starts


class GradingError(RuntimeError):
    """Grading cannot start (no such assignment, submissions that would overwrite others…)."""


def tools_env() -> dict[str, str]:
    """This process's environment with this Python's tools first on the PATH: nbgrader runs ``alembic``
    by name to create a gradebook, which fails when the virtual environment is not activated."""
    tools = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    return {**os.environ, "PATH": path if tools in path.split(os.pathsep) else f"{tools}{os.pathsep}{path}"}


def config_files(course: Path) -> list[Path]:
    """The nbgrader_config.py files nbgrader itself reads for ``course``, the lowest priority first: the
    system-wide and user folders of ``jupyter --paths`` (where a hub sets the exchange, the course id and the
    gradebook's ``db_url``, e.g. /etc/jupyter/nbgrader_config.py), then the course's own."""
    from jupyter_core.paths import jupyter_config_path

    found: list[Path] = []
    for folder in [*reversed(jupyter_config_path()), str(course)]:
        path = Path(folder) / "nbgrader_config.py"
        if path.is_file() and path.resolve() not in {p.resolve() for p in found}:
            found.append(path)
    return found


def config(course: Path, root: Path, files: list[Path] | None = None, **settings: object):
    """The course's nbgrader configuration, rooted at ``root``, as nbgrader merges it (``files``: by default
    :func:`config_files`, the later winning), with ``settings`` ("Section.option": value) on top."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    loaded = Config()
    for path in config_files(course) if files is None else files:
        loaded.merge(PyFileConfigLoader(path.name, path=str(path.parent)).load_config())
    loaded.CourseDirectory.root = str(root)
    for key, value in settings.items():
        section, option = key.split(".")
        setattr(getattr(loaded, section), option, value)
    return loaded


def api(settings):
    """nbgrader's own Python API: one import, many commands, no process start-up per command."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    os.environ["PATH"] = tools_env()["PATH"]
    return NbGraderAPI(coursedir=CourseDirectory(config=settings), config=settings)


def open_gradebook(db_url: str):  # noqa: ANN201 - nbgrader's Gradebook
    """nbgrader's Gradebook at ``db_url``: SQLite on a laptop, PostgreSQL (``postgresql+psycopg://…``) for a
    class. nbgrader creates a new one by running ``alembic`` by name, so this Python's tools go on the PATH."""
    from nbgrader.api import Gradebook

    os.environ["PATH"] = tools_env()["PATH"]
    try:
        return Gradebook(db_url)
    except ModuleNotFoundError as error:  # a PostgreSQL URL without its driver
        raise GradingError(_("The gradebook at {url} needs the Python package {package}. Install it with: "
                             "pip install 'smarketing[hub]'", url=_without_password(db_url),
                             package=error.name)) from None


def _without_password(db_url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", db_url)


@dataclass(frozen=True)
class Folders:
    """Where nbgrader keeps each part of a course rooted at ``root``."""

    root: Path
    source: Path  # the assignments with solutions and hidden tests (solutions/)
    release: Path  # what learners get (exercises/)
    submitted: Path
    autograded: Path
    feedback: Path
    db_url: str

    def source_notebook(self, assignment: str) -> nbformat.NotebookNode:
        import nbformat

        return nbformat.read(self.source / assignment / f"{assignment}.ipynb", as_version=4)

    def release_notebook(self, assignment: str) -> nbformat.NotebookNode:
        """The released notebook, or an empty one before the first release."""
        import nbformat

        path = self.release / assignment / f"{assignment}.ipynb"
        return nbformat.read(path, as_version=4) if path.exists() else nbformat.v4.new_notebook()


def edition(course: Path, language: str) -> Path:
    """The course folder of ``course``'s ``language`` edition: the course itself for English, ``<course>/zh_CN``
    (its own nbgrader_config.py, sources and releases, the same grade ids and points) for a translation."""
    return course if language == "en" else course / language


def folders(course: Path, root: Path | None = None, files: list[Path] | None = None) -> Folders:
    """The folders of ``course`` by its configuration (``files``: see :func:`config`), for a copy of it rooted at
    ``root`` (default: itself)."""
    from nbgrader.coursedir import CourseDirectory

    directory = CourseDirectory(config=config(course, root or course, files))
    base = Path(directory.root)
    return Folders(base, base / directory.source_directory, base / directory.release_directory,
                   base / directory.submitted_directory, base / directory.autograded_directory,
                   base / directory.feedback_directory, directory.db_url)


def assignments(course: Path) -> list[str]:
    """The assignments of the course: one folder with a notebook per module in the source folder."""
    source = folders(course).source
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def prepare_gradebook(course: Path, assignment: str) -> None:
    """Make sure the course gradebook (wherever nbgrader_config.py's ``db_url`` puts it) knows the assignment
    (its cells and points), without touching the committed release."""
    from nbgrader.api import MissingEntry

    db_url = folders(course).db_url
    database = Path(db_url.removeprefix("sqlite:///")) if db_url.startswith("sqlite:///") else None
    if database is None or database.exists():  # opening a missing SQLite file would create it for nothing
        with open_gradebook(db_url) as gradebook, contextlib.suppress(MissingEntry):
            if gradebook.find_assignment(assignment).notebooks:
                return
    _register(course, assignment, db_url)


def scratch_gradebook(course: Path, assignment: str, path: Path) -> None:
    """A private SQLite gradebook at ``path`` that knows ``assignment`` (the source cells nbgrader puts back
    into a learner's locked cells, and the points) and no student: what a batch autogrades into, on whatever
    machine it runs. Grades are recorded in the course's own gradebook alone."""
    _register(course, assignment, f"sqlite:///{path}")


def _register(course: Path, assignment: str, db_url: str) -> None:
    """Record the assignment in the gradebook at ``db_url`` by generating it into a scratch release folder."""
    with tempfile.TemporaryDirectory() as scratch:
        settings = config(course, course, **{"CourseDirectory.release_directory": scratch,
                                             "CourseDirectory.db_url": db_url})
        result = api(settings).generate_assignment(assignment, force=True, create=True)
    if not result["success"]:
        raise GradingError(_("nbgrader could not read the assignment {name}:\n{log}", name=assignment,
                             log=result.get("error") or result.get("log", "")))


def export_grades(course: Path) -> Path:
    """grades.csv of the course's graded assignments, by nbgrader's own CSV exporter."""
    from nbgrader.plugins import CsvExportPlugin

    path = course / "grades.csv"
    with open_gradebook(folders(course).db_url) as gradebook:
        # Only assignments that something was handed in for: releasing puts every assignment into the gradebook,
        # and nbgrader would list each with a 0 for every student.
        handed_in = [a.name for a in gradebook.assignments if a.submissions]
        plugin = CsvExportPlugin(config=config(course, course, **{"CsvExportPlugin.to": str(path),
                                                                  "CsvExportPlugin.assignment": handed_in}))
        plugin.export(gradebook)
    return path


def record_missing(course: Path, assignment: str, students: list[str]) -> None:
    """Students with nothing gradable still appear in the gradebook (and so in grades.csv, with 0)."""
    with open_gradebook(folders(course).db_url) as gradebook:
        for student in students:
            gradebook.update_or_create_student(student)
            gradebook.update_or_create_submission(assignment, student)


def read_scores(course: Path, assignment: str, submissions: list[Submission]) -> None:
    """Fill each submission's total, maximum and per-cell points from the gradebook, late penalty deducted
    as grades.csv deducts it; cells without an automatic score are the ones a person grades."""
    from nbgrader.api import MissingEntry

    with open_gradebook(folders(course).db_url) as gradebook:
        for submission in submissions:
            try:
                record = gradebook.find_submission(assignment, submission.student)
            except MissingEntry:
                continue
            penalty = float(record.late_submission_penalty or 0.0)
            submission.score, submission.max_score = max(0.0, float(record.score) - penalty), float(record.max_score)
            if penalty > 0:  # the instructor sees why a score is lower than its points
                submission.problems.append(_(
                    "handed in {hours:.1f} h after the due date; the late penalty took {penalty:g} of {points:g} "
                    "point(s).", hours=float(record.total_seconds_late or 0) / 3600, penalty=penalty,
                    points=float(record.score)))
            for notebook in record.notebooks:
                for grade in notebook.grades:
                    submission.task_scores[grade.name] = float(grade.score or 0.0)
                    submission.task_max[grade.name] = float(grade.max_score)
                    if grade.cell_type == "markdown" or grade.auto_score is None:
                        submission.by_hand.add(grade.name)
