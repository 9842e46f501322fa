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

One room per step, like nbgrader's and otter-grader's own packages: ``gradebook`` (the course's folders by
nbgrader's CourseDirectory, its configuration and gradebook), ``collect`` (finding submissions),
``preprocessors`` (the steps added to nbgrader's pipelines, one class per file), ``batches`` (parallel
autograding under a watchdog; ``python -m smarketing.grading`` is its worker), ``tamper`` (the scan of
learner code) and ``report`` (problems, scores and the HTML report).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING

from smarketing.grading import gradebook
from smarketing.grading.gradebook import CELL_TIMEOUT, CLUSTERS, GradingError, assignments
from smarketing.messages import _

if TYPE_CHECKING:  # the rooms that import nbgrader load when grading starts, not with the command line
    import nbformat

    from smarketing.grading.collect import Submission


def release(course: Path, names: Iterable[str] | None = None) -> list[Path]:
    """Generate the release folder of each assignment (exercises/<assignment>/) from its source (solutions/)
    with ``nbgrader generate_assignment``: solutions and hidden tests removed, cells locked, checksums recorded."""
    api = gradebook.api(gradebook.config(course, course))
    released = []
    for name in names or assignments(course):
        result = api.generate_assignment(name, force=True, create=True)
        if not result["success"]:
            raise GradingError(_("nbgrader could not release {name}:\n{log}", name=name,
                                 log=result.get("error") or result.get("log", "")))
        released.append(gradebook.folders(course).release / name)
    return released


def answered(release_notebook: nbformat.NotebookNode, source_notebook: nbformat.NotebookNode,
             answers: Iterable[str] | None = None) -> nbformat.NotebookNode:
    """A copy of the released notebook with the source's solutions written into its answer cells, as a
    student who solved them would hand it in. ``answers`` limits this to some grade ids (the rest stay
    blank): a partly solved submission. Used by the tests and the grading benchmark."""
    import nbformat

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


def grade(assignment: str, course: Path, source: Path | None = None, jobs: int | None = None,
          cell_timeout: int = CELL_TIMEOUT, force: bool = False,
          progress: Callable[[int, int], None] | None = None, sandboxed: bool = True, scheduler: str | None = None,
          cluster: str | None = None) -> list[Submission]:
    """Autograde every submission of ``assignment``, write feedback, grades.csv and a report.

    Args:
        assignment: the assignment's folder name in the course's source folder, e.g. ``"03_funnel_handoff"``.
        course: the course folder, the one with nbgrader_config.py.
        source: a folder or zip of submissions, copied into the course's submitted folder first (default:
            that folder itself, in nbgrader's ``<student>/<assignment>/`` layout).
        jobs: how many batches grade in parallel (default: one per core, at most one per notebook).
        cell_timeout: seconds one cell may run before nbgrader stops it and the cell earns nothing.
        force: replace an existing, different submission of the same student (refused otherwise).
        progress: called as ``progress(done, total)`` each time a notebook is graded.
        sandboxed: run each learner's kernel in a bubblewrap sandbox (refused where there is none); False only
            for a class you trust completely.
        scheduler: the address of a running Dask scheduler (``tcp://host:8786``) to grade on.
        cluster: a Dask cluster to start for grading, with ``jobs`` workers: ``"local"``, ``"kubernetes"`` or
            ``"slurm"`` (see :mod:`smarketing.grading.cluster`). Without either, batches grade in threads here.

    Returns:
        One :class:`Submission` per student, with scores, per-cell points and the problems found, in the
        order they were collected.

    Raises:
        GradingError: no such assignment, no submissions, or submissions that would overwrite others.
    """
    import nbformat
    from sqlalchemy.exc import SAWarning

    from smarketing.grading import sandbox
    from smarketing.grading.batches import Data, collect_batch, edition_folders, grade_parcel, pack
    from smarketing.grading.collect import collect, copy_into_submitted, edition_of, refuse_foreign_notebooks
    from smarketing.grading.report import write_report

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own ORM noise, not the instructor's concern
    distributed = bool(scheduler or cluster)
    if sandboxed and not distributed:
        sandbox.require()  # before anything is copied or graded (a cluster's workers check their own)
    course = course.resolve()
    where = gradebook.folders(course)
    known = assignments(course)
    if assignment not in known:
        raise GradingError(_("No assignment '{name}' in {folder}. Assignments: {known}.", name=assignment,
                             folder=where.source, known=", ".join(known)))
    with tempfile.TemporaryDirectory(prefix="smarketing-grade-") as scratch_name, \
            _executor(scheduler, cluster, jobs) as connected:
        scratch = Path(scratch_name)
        submitted = where.submitted
        if source is None:
            submissions = collect(submitted, assignment, scratch, nbgrader_layout=True) if submitted.is_dir() else []
        else:
            submissions = collect(source, assignment, scratch, others=known)
        for submission in submissions:  # each graded against its own edition's release and source
            if submission.path is not None:
                submission.language = edition_of(nbformat.read(submission.path, as_version=4), course, assignment)
        for language in {s.language for s in submissions}:
            refuse_foreign_notebooks([s for s in submissions if s.language == language],
                                     edition_folders(course, language).release_notebook(assignment))
        if source is not None:
            copy_into_submitted(submissions, submitted, assignment, force)
        if not submissions:
            raise GradingError(_("No submissions of {name} found in {source}.", name=assignment,
                                 source=source or submitted))
        gradebook.prepare_gradebook(course, assignment)
        data = Data.of(_data_folder(course))
        gradable = [s for s in submissions if s.path is not None]
        batches: list[list[Submission]] = []
        parcels = []
        for language in sorted({s.language for s in gradable}):
            # A scratch gradebook of the edition's own source: what nbgrader puts back into locked cells.
            gradebook.scratch_gradebook(gradebook.edition(course, language), assignment,
                                        scratch / f"gradebook-{language}.db")
            blank_book = (scratch / f"gradebook-{language}.db").read_bytes()
            for batch in _batches([s for s in gradable if s.language == language], jobs, connected):
                batches.append(batch)
                parcels.append(pack(course, assignment, batch, blank_book, cell_timeout, sandboxed, language))
        done, ticking = 0, threading.Lock()

        def graded_one(student: str) -> None:
            nonlocal done
            with ticking:  # the batches report from their own threads
                done += 1
                if progress:
                    progress(done, len(gradable))

        if connected is not None:
            from smarketing.grading.cluster import grade_parcels

            for number, graded in grade_parcels(connected, parcels, data):
                for student in parcels[number].students:
                    graded_one(student)
                collect_batch(course, assignment, batches[number], graded, cell_timeout, parcels[number].language)
        else:
            with ThreadPoolExecutor(max_workers=len(parcels) or 1) as pool:
                futures = {pool.submit(grade_parcel, parcel, data, graded_one): number
                           for number, parcel in enumerate(parcels)}
                for future in as_completed(futures):
                    number = futures[future]
                    collect_batch(course, assignment, batches[number], future.result(), cell_timeout,
                                  parcels[number].language)
        gradebook.record_missing(course, assignment, [s.student for s in submissions if s.path is None])
        gradebook.export_grades(course)
        gradebook.read_scores(course, assignment, submissions)
        write_report(course, assignment, submissions)
    return submissions


CLUSTER_BATCH = 10  # notebooks per batch on a cluster: small enough to spread the class over many workers


@contextlib.contextmanager
def _executor(scheduler: str | None, cluster: str | None, jobs: int | None) -> Iterator:
    """A Dask client when grading on a cluster, else None (batches grade in threads on this machine)."""
    if not (scheduler or cluster):
        yield None
        return
    from smarketing.grading.cluster import client

    with client(scheduler, cluster, jobs) as connected:
        yield connected


def _batches(gradable: list[Submission], jobs: int | None, connected: object) -> list[list[Submission]]:
    """Here, one batch per parallel grader (one nbgrader process each); on a cluster, batches of at most
    :data:`CLUSTER_BATCH` notebooks, at least two per worker, so that a slow batch does not hold up the class."""
    if connected is None:
        count = max(1, min(jobs or os.cpu_count() or 1, len(gradable) or 1))
    else:
        from smarketing.grading.cluster import workers

        size = max(1, min(CLUSTER_BATCH, -(-len(gradable) // (2 * workers(connected)))))
        count = max(1, -(-len(gradable) // size))
    return [gradable[i::count] for i in range(count) if gradable[i::count]]


def _data_folder(course: Path) -> Path:
    """The datasets the learners' kernels read: the course's ``JudgedExecute.data_directory``, else the library's."""
    from smarketing.datasets import datasets_dir

    configured = gradebook.config(course, course).JudgedExecute.get("data_directory")
    return Path(configured) if configured else datasets_dir()


__all__ = ["CELL_TIMEOUT", "CLUSTERS", "GradingError", "answered", "assignments", "grade", "release"]
