"""Autograding a class in batches: each batch in its own process and private copy of the course (its own
gradebook), under a watchdog, with a line on stdout per notebook done for the progress bar; then the batch's
notebooks, feedback and grades are brought back into the course."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import nbformat

from smarketing.grading import gradebook
from smarketing.grading.collect import Submission, deduplicate_grade_ids, restore_locked_cells, write_secret
from smarketing.grading.report import find_problems
from smarketing.messages import _

GRADED_MARK = "smarketing-graded:"  # the worker's line for each notebook done, for a progress bar per notebook
# The batch watchdog, on top of nbgrader's per-cell timeout: time to start the worker and open the gradebook,
# then per notebook a kernel start and every cell at its full timeout.
WORKER_START_SECONDS = 60
KERNEL_START_SECONDS = 30


def _last_error(log: str) -> str:
    """The last error a log names, as one plain line ("KeyError: 'x'"), for the instructor's report."""
    for line in reversed(log.strip().splitlines()):
        match = re.match(r"\s*([\w.]*(?:Error|Exception|Exit)): ?(.*)$", line)
        if match and not match.group(1).endswith("NbGraderException"):
            return f"{match.group(1).rsplit('.', 1)[-1]}: {match.group(2)[:160]}".rstrip(": ")
    return _("no error was recorded")


def private_gradebook(workdir: Path) -> Path:
    """A batch's own copy of the course gradebook: batches never write to one database at the same time."""
    return workdir / "gradebook.db"


def batch_time_limit(notebooks: int, cells: int, cell_timeout: int) -> int:
    return WORKER_START_SECONDS + notebooks * (KERNEL_START_SECONDS + cells * cell_timeout)


def autograde_batch(course: Path, assignment: str, batch: list[Submission], workdir: Path, cell_timeout: int,
                    on_graded: Callable[[str], None] = lambda student: None,
                    sandboxed: bool = True) -> dict[str, dict] | None:
    """Autograde and write feedback for a batch in a private copy of the course (own gradebook), in a
    separate process that a watchdog can stop, reporting each notebook done through ``on_graded``.
    Returns nbgrader's result per student, or None when the batch ran past its time limit."""
    course_folders, work = gradebook.folders(course), gradebook.folders(course, workdir)
    work.source.parent.mkdir(parents=True, exist_ok=True)
    work.source.symlink_to(course_folders.source, target_is_directory=True)
    shutil.copy(course_folders.db_url.removeprefix("sqlite:///"), private_gradebook(workdir))
    release = course_folders.release_notebook(assignment)
    cells = 0
    for submission in batch:
        target = work.submitted / submission.student / assignment
        target.mkdir(parents=True)
        notebook = nbformat.read(submission.path, as_version=4)
        for grade_id in deduplicate_grade_ids(notebook):
            submission.problems.append(_("cell {id} appears more than once (a copied cell?); the first was graded, "
                                         "the copies ran as your own cells.", id=grade_id))
        restore_locked_cells(notebook, release)
        nbformat.write(notebook, target / f"{assignment}.ipynb")
        if submission.timestamp:  # nbgrader reads it to record when the work came in, and to charge lateness
            (target / "timestamp.txt").write_text(submission.timestamp + "\n", encoding="utf-8")
        write_secret(submission, target)
        cells = max(cells, len(notebook.cells))
    reported, lines = set(), []
    stopped = threading.Event()
    with open(workdir / "worker.log", "w", encoding="utf-8") as log:  # a file: a full stderr pipe would block it
        worker = subprocess.Popen([sys.executable, "-m", "smarketing.grading", str(course), str(workdir), assignment,
                                   str(cell_timeout), *([] if sandboxed else ["--no-sandbox"])], stdout=subprocess.PIPE,
                                  stderr=log, text=True, env=gradebook.tools_env(), start_new_session=True)

        def stop() -> None:  # the worker and its kernels: they share the worker's new session
            stopped.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)

        watchdog = threading.Timer(batch_time_limit(len(batch), cells, cell_timeout), stop)
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


def grade_in_this_process(course: Path, workdir: Path, assignment: str, cell_timeout: int,
                          sandboxed: bool = True) -> dict[str, dict]:
    """The worker: autograde and write feedback for every student in ``workdir``'s submitted folder, with the
    course's nbgrader_config.py (and so its preprocessors), rooted at ``workdir``."""
    from smarketing.grading.preprocessors import (
        autograde_preprocessors,
        feedback_preprocessors,
    )

    work = gradebook.folders(course, workdir)
    # The course's steps are set here too, not only in its nbgrader_config.py: an older copy of that file
    # must not cost a learner the cells before a dying kernel, nor show them the hidden tests.
    settings = gradebook.config(course, workdir, **{"Execute.timeout": cell_timeout,
                                                    "OverwriteCells.add_missing_cells": True,
                                                    "CourseDirectory.db_url": f"sqlite:///{private_gradebook(workdir)}",
                                                    "Autograde.autograde_preprocessors": autograde_preprocessors(),
                                                    "JudgedExecute.sandboxed": sandboxed,
                                                    "GenerateFeedback.preprocessors": feedback_preprocessors()})
    api = gradebook.api(settings)
    results = {}
    for student in sorted(p.name for p in work.submitted.iterdir()):
        graded = api.autograde(assignment, student, force=True, create=True)
        if graded["success"]:
            feedback = api.generate_feedback(assignment, student, force=True)
            graded["success"] = feedback["success"]
            graded["log"] = graded.get("log", "") + feedback.get("log", "")
        results[student] = {"success": graded["success"], "log": (graded.get("error") or "")[-1500:]}
        print(GRADED_MARK + student, flush=True)
    return results


def collect_batch(course: Path, assignment: str, batch: list[Submission], workdir: Path,
                  results: dict[str, dict] | None, cell_timeout: int) -> None:
    """Copy a finished batch's autograded notebooks and feedback into the course and record its grades
    in the course gradebook with nbgrader's own SaveAutoGrades (and its late penalties)."""
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades
    from nbgrader.utils import parse_utc

    course_folders, work = gradebook.folders(course), gradebook.folders(course, workdir)
    release = course_folders.release_notebook(assignment)
    source = course_folders.source_notebook(assignment)
    late = AssignLatePenalties(config=gradebook.config(course, course))  # the course's LateSubmissionPlugin
    for submission in batch:
        graded_path = work.autograded / submission.student / assignment / f"{assignment}.ipynb"
        if results is None:
            submission.problems.append(_("grading stopped: the batch ran past its time limit."))
        if not graded_path.exists():
            reason = _last_error((results or {}).get(submission.student, {}).get("log", ""))
            submission.problems.append(_("nbgrader could not grade this notebook ({reason}); it earns no points.",
                                         reason=reason))
            gradebook.record_missing(course, assignment, [submission.student])
            continue
        for origin_root, destination_root in ((work.autograded, course_folders.autograded),
                                              (work.feedback, course_folders.feedback)):
            origin = origin_root / submission.student / assignment
            if origin.exists():
                destination = destination_root / submission.student / assignment
                if destination.exists():
                    shutil.rmtree(destination)
                shutil.copytree(origin, destination)
        graded = nbformat.read(graded_path, as_version=4)
        stamp = {"timestamp": parse_utc(submission.timestamp)} if submission.timestamp else {}
        with Gradebook(course_folders.db_url) as book:
            book.update_or_create_student(submission.student)
            book.update_or_create_submission(assignment, submission.student, **stamp)
        resources = {"nbgrader": {"notebook": assignment, "assignment": assignment, "student": submission.student,
                                  "db_url": course_folders.db_url}}
        SaveAutoGrades().preprocess(graded, resources)
        late.preprocess(graded, resources)
        find_problems(submission, release, source, graded, cell_timeout)
