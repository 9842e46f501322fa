"""Autograding a class in batches that travel by value: a :class:`Parcel` holds everything one batch needs
(the course's configuration files, the assignment's source, a scratch gradebook and the batch's notebooks),
:func:`grade_parcel` grades it on whatever machine it lands on (a thread here, or a Dask worker elsewhere),
in its own process under a watchdog, and returns the graded notebooks and feedback as :class:`Graded`; and
:func:`collect_batch` brings them into the course and records the grades in the course's gradebook, on the
instructor's machine alone. Local and distributed grading run the same three steps, so they grade alike."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from smarketing.grading import gradebook
from smarketing.grading.collect import (
    SECRET,
    Submission,
    deduplicate_grade_ids,
    extract_within,
    restore_locked_cells,
)
from smarketing.grading.report import find_problems
from smarketing.messages import _, language_code

GRADED_MARK = "smarketing-graded:"  # the worker's line for each notebook done, for a progress bar per notebook
# The batch watchdog, on top of nbgrader's per-cell timeout: time to start the worker and open the gradebook,
# then per notebook a kernel start and every cell at its full timeout.
WORKER_START_SECONDS = 60
KERNEL_START_SECONDS = 30
COURSE, CONFIG, GRADEBOOK = "course", "config", "gradebook.db"  # a parcel's layout once unpacked


def _last_error(log: str) -> str:
    """The last error a log names, as one plain line ("KeyError: 'x'"), for the instructor's report."""
    for line in reversed(log.strip().splitlines()):
        match = re.match(r"\s*([\w.]*(?:Error|Exception|Exit)): ?(.*)$", line)
        if match and not match.group(1).endswith("NbGraderException"):
            return f"{match.group(1).rsplit('.', 1)[-1]}: {match.group(2)[:160]}".rstrip(": ")
    return _("no error was recorded")


def batch_time_limit(notebooks: int, cells: int, cell_timeout: int) -> int:
    return WORKER_START_SECONDS + notebooks * (KERNEL_START_SECONDS + cells * cell_timeout)


def _zip(files: dict[str, bytes]) -> bytes:
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(zipfile.ZipInfo(name, (2000, 1, 1, 0, 0, 0)), files[name])
    return sink.getvalue()


def _unzip(raw: bytes, into: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:  # written by this module; checked all the same
        extract_within(archive, into)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


_UNPACKED: dict[str, Path] = {}  # digest → the data unpacked in this process (a Dask worker lives for many batches)


@dataclass(frozen=True)
class Data:
    """The datasets the learners' kernels and the judge read, zipped, named by their digest: sent once to each
    worker and unpacked there once, whatever the number of batches."""

    digest: str
    zipped: bytes

    @classmethod
    def of(cls, folder: Path) -> Data:
        zipped = _zip(_files(folder))
        return cls(hashlib.sha256(zipped).hexdigest()[:16], zipped)

    def folder(self) -> Path:
        """The data unpacked in a private folder of this process (once: a later batch finds it there). Never in
        a shared place by a name others could guess: on a hub, another user could plant data there first."""
        unpacked = _UNPACKED.get(self.digest)
        if unpacked is None or not unpacked.is_dir():
            unpacked = Path(tempfile.mkdtemp(prefix="smarketing-data-"))  # mode 0700
            _unzip(self.zipped, unpacked)
            atexit.register(shutil.rmtree, unpacked, True)
            _UNPACKED[self.digest] = unpacked
        return unpacked


@dataclass
class Parcel:
    """One batch by value: all a worker needs to autograde it, and nothing of the course's other assignments,
    other learners or gradebook."""

    assignment: str
    config_files: list[str]  # the texts of the course's nbgrader_config.py files, the lowest priority first
    source: bytes  # the assignment's source folder (solutions and hidden tests), zipped
    gradebook: bytes  # a scratch SQLite gradebook that knows the assignment and no student
    submissions: dict[str, dict[str, str]]  # student → {file name: text}: the notebook, timestamp.txt, the secret
    cell_timeout: int
    sandboxed: bool
    cells: int = 0  # the longest notebook's cells, for the watchdog
    language: str = "en"  # the edition: its source, the language of the tests' messages and of the feedback

    @property
    def students(self) -> list[str]:
        return sorted(self.submissions)


@dataclass
class Graded:
    """What came back from a parcel: nbgrader's result per student (None when the watchdog stopped the batch)
    and the autograded notebooks and feedback, by ``autograded|feedback/<student>/<file>``."""

    results: dict[str, dict] | None
    files: dict[str, bytes] = field(default_factory=dict)


def edition_folders(course: Path, language: str) -> gradebook.Folders:
    """The folders of the course's ``language`` edition (the course's own for English)."""
    return gradebook.folders(gradebook.edition(course, language))


def pack(course: Path, assignment: str, batch: list[Submission], scratch_gradebook: bytes, cell_timeout: int,
         sandboxed: bool, language: str = "en") -> Parcel:
    """The batch (all of one edition, ``language``) as a :class:`Parcel`, each notebook made gradable first
    (repeated grade ids dropped, deleted locked cells put back): what the learner is told happens here, on
    the instructor's machine."""
    where = edition_folders(course, language)
    release = where.release_notebook(assignment)
    submissions, cells = {}, 0
    for submission in batch:
        notebook = nbformat.read(submission.path, as_version=4)
        for grade_id in deduplicate_grade_ids(notebook):
            submission.problems.append(_("cell {id} appears more than once (a copied cell?); the first was graded, "
                                         "the copies ran as your own cells.", id=grade_id))
        restore_locked_cells(notebook, release)
        files = {f"{assignment}.ipynb": nbformat.writes(notebook)}
        if submission.timestamp:  # nbgrader reads it to record when the work came in
            files["timestamp.txt"] = submission.timestamp + "\n"
        if submission.secret:  # nbgrader carries it into the feedback folder, where release_feedback needs it
            files[SECRET] = submission.secret
        submissions[submission.student] = files
        cells = max(cells, len(notebook.cells))
    configs = [_without_passwords(path.read_text(encoding="utf-8")) for path in gradebook.config_files(course)]
    return Parcel(assignment, configs,
                  _zip(_files(where.source / assignment)), scratch_gradebook, submissions, cell_timeout, sandboxed,
                  cells, language)


def _without_passwords(config_text: str) -> str:
    """A configuration file as it travels to a worker: the password of any address in it (the gradebook's
    ``db_url``) replaced. A worker grades into a scratch gradebook and never needs the course's."""
    return re.sub(r"(://[^:/@\s'\"]+:)[^\s'\"]*@", r"\1***@", config_text)


def _unpack(parcel: Parcel, workdir: Path) -> gradebook.Folders:
    files = []
    for number, text in enumerate(parcel.config_files):
        path = workdir / CONFIG / f"{number:02d}" / "nbgrader_config.py"
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
        files.append(path)
    root = workdir / COURSE
    work = gradebook.folders(root, root, files)
    _unzip(parcel.source, work.source / parcel.assignment)
    (root / GRADEBOOK).write_bytes(parcel.gradebook)
    for student, submitted in parcel.submissions.items():
        target = work.submitted / student / parcel.assignment
        target.mkdir(parents=True)
        for name, text in submitted.items():
            (target / name).write_text(text, encoding="utf-8")
    return work


def _config_files(workdir: Path) -> list[Path]:
    return sorted((workdir / CONFIG).glob("*/nbgrader_config.py"))


def grade_parcel(parcel: Parcel, data: Data, on_graded: Callable[[str], None] = lambda student: None) -> Graded:
    """Autograde a parcel and write its feedback, on this machine, in a scratch folder of its own: in a
    separate process that a watchdog can stop, reporting each notebook done through ``on_graded``. The same
    parcel always gives the same result (a worker lost half-way is simply run again)."""
    from smarketing.grading import sandbox

    if parcel.sandboxed:
        sandbox.require()  # a worker without bubblewrap refuses, whatever the instructor's machine has
    with tempfile.TemporaryDirectory(prefix="smarketing-batch-") as scratch:
        workdir = Path(scratch)
        work = _unpack(parcel, workdir)
        reported, lines = set(), []
        stopped = threading.Event()
        environment = {**gradebook.tools_env(), "SMARKETING_DATA": str(data.folder()),
                       "SMARKETING_LANG": parcel.language}
        with open(workdir / "worker.log", "w", encoding="utf-8") as log:  # a file: a full stderr pipe would block
            worker = subprocess.Popen([sys.executable, "-m", "smarketing.grading", str(workdir), parcel.assignment,
                                       str(parcel.cell_timeout), *([] if parcel.sandboxed else ["--no-sandbox"])],
                                      stdout=subprocess.PIPE, stderr=log, text=True, env=environment,
                                      start_new_session=True)

            def stop() -> None:  # the worker and its kernels: they share the worker's new session
                stopped.set()
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.pid, signal.SIGKILL)

            watchdog = threading.Timer(batch_time_limit(len(parcel.submissions), parcel.cells, parcel.cell_timeout),
                                       stop)
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
        for student in parcel.students:  # the bar reaches its end even when a batch stops early
            if student not in reported:
                on_graded(student)
        files = {}
        for kind, folder in (("autograded", work.autograded), ("feedback", work.feedback)):
            for student in parcel.students:
                origin = folder / student / parcel.assignment
                if origin.is_dir():
                    files.update({f"{kind}/{student}/{name}": raw for name, raw in _files(origin).items()})
        if stopped.is_set():
            return Graded(None, files)
        try:
            return Graded(json.loads(lines[-1]), files)
        except (IndexError, json.JSONDecodeError):
            tail = (workdir / "worker.log").read_text(encoding="utf-8", errors="replace")[-2000:]
            return Graded({student: {"success": False, "log": tail} for student in parcel.students}, files)


def _imports(work: gradebook.Folders, assignment: str) -> str:
    """The import statements of the assignment's setup cell, from its source (the instructor's, never a
    learner's): what a kernel started ahead runs before the learner's notebook."""
    import ast

    source = work.source_notebook(assignment)
    setup = next((c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"), "")
    try:
        tree = ast.parse(setup)
    except SyntaxError:
        return ""
    return "\n".join(ast.unparse(node) for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom))


def grade_in_this_process(workdir: Path, assignment: str, cell_timeout: int, sandboxed: bool = True) -> dict[str, dict]:
    """The worker: autograde and write feedback for every student of the unpacked parcel in ``workdir``, with
    the course's configuration (and so its preprocessors) and the parcel's scratch gradebook."""
    from smarketing.grading.preprocessors import (
        autograde_preprocessors,
        feedback_preprocessors,
    )

    root, files = workdir / COURSE, _config_files(workdir)
    work = gradebook.folders(root, root, files)
    # The course's steps are set here too, not only in its nbgrader_config.py: an older copy of that file
    # must not cost a learner the cells before a dying kernel, nor show them the hidden tests.
    settings = gradebook.config(root, root, files, **{"Execute.timeout": cell_timeout,
                                                      "OverwriteCells.add_missing_cells": True,
                                                      "CourseDirectory.db_url": f"sqlite:///{root / GRADEBOOK}",
                                                      "Autograde.autograde_preprocessors": autograde_preprocessors(),
                                                      "JudgedExecute.sandboxed": sandboxed,
                                                      "JudgedExecute.data_directory": os.environ["SMARKETING_DATA"],
                                                      "JudgedExecute.warm_up": _imports(work, assignment),
                                                      "GenerateFeedback.preprocessors": feedback_preprocessors()})
    api = gradebook.api(settings)
    results = {}
    for student in sorted(p.name for p in work.submitted.iterdir()):
        graded = api.autograde(assignment, student, force=True, create=True)
        # nbgrader logs what went wrong and then raises "see the error log above": keep both, the log first.
        problem = "" if graded["success"] else (graded.get("log") or "") + (graded.get("error") or "")
        results[student] = {"success": graded["success"], "log": problem[-4000:]}
        print(GRADED_MARK + student, flush=True)
    # The feedback pages in one run for the batch: one HTML exporter and its templates, not one per learner.
    # nbgrader goes on past a notebook it cannot convert; whose page is missing is read from the folder.
    feedback = api.generate_feedback(assignment, force=True)
    language = language_code()
    if language != "en":  # nbgrader's own labels on the pages, in the edition's language
        from smarketing.grading.feedback_pages import translate_folder

        translate_folder(work.feedback, language)
    for student, result in results.items():
        if result["success"] and not (work.feedback / student / assignment / f"{assignment}.html").exists():
            result["success"] = False
            result["log"] = (feedback.get("error") or feedback.get("log") or "")[-1500:]
    return results


def collect_batch(course: Path, assignment: str, batch: list[Submission], graded: Graded, cell_timeout: int,
                  language: str = "en") -> None:
    """Write a finished batch's autograded notebooks and feedback into the course and record its grades in the
    course's gradebook with nbgrader's own SaveAutoGrades (and its late penalties). ``language``: the batch's
    edition, whose release and source its notebooks are checked against."""
    from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades
    from nbgrader.utils import parse_utc

    course_folders = gradebook.folders(course)
    release = edition_folders(course, language).release_notebook(assignment)
    source = edition_folders(course, language).source_notebook(assignment)
    late = AssignLatePenalties(config=gradebook.config(course, course))  # the course's LateSubmissionPlugin
    for submission in batch:
        notebook_name = f"autograded/{submission.student}/{assignment}.ipynb"
        if graded.results is None:
            submission.problems.append(_("grading stopped: the batch ran past its time limit."))
        if notebook_name not in graded.files:
            reason = _last_error((graded.results or {}).get(submission.student, {}).get("log", ""))
            submission.problems.append(_("nbgrader could not grade this notebook ({reason}); it earns no points.",
                                         reason=reason))
            gradebook.record_missing(course, assignment, [submission.student])
            continue
        for kind, destination_root in (("autograded", course_folders.autograded),
                                       ("feedback", course_folders.feedback)):
            prefix = f"{kind}/{submission.student}/"
            files = {name.removeprefix(prefix): raw for name, raw in graded.files.items() if name.startswith(prefix)}
            destination = destination_root / submission.student / assignment
            if files and destination.exists():
                shutil.rmtree(destination)
            for name, raw in files.items():
                (destination / name).parent.mkdir(parents=True, exist_ok=True)
                (destination / name).write_bytes(raw)
        notebook = nbformat.reads(graded.files[notebook_name].decode("utf-8"), as_version=4)
        stamp = {"timestamp": parse_utc(submission.timestamp)} if submission.timestamp else {}
        with gradebook.open_gradebook(course_folders.db_url) as book:
            book.update_or_create_student(submission.student)
            book.update_or_create_submission(assignment, submission.student, **stamp)
        resources = {"nbgrader": {"notebook": assignment, "assignment": assignment, "student": submission.student,
                                  "db_url": course_folders.db_url}}
        SaveAutoGrades().preprocess(notebook, resources)
        late.preprocess(notebook, resources)
        find_problems(submission, release, source, notebook, cell_timeout)
