"""Grading a class: `smarketing grade` against nbgrader's plain sequential autograde, in the same run.

    python benchmarks/bench_grading.py [--students 100] [--assignment 03_funnel_handoff] [--jobs N]

A class of ``--students`` submissions (60 % solved, 20 % half solved, 20 % blank) of one assignment is
graded twice, each time in a fresh copy of the course: once by nbgrader alone (``autograde``, then
``generate_feedback`` and ``export``, one notebook after another), once by ``smarketing grade``
(parallel batches, same outputs plus a report). Prints both wall times and their ratio, and checks that
both gave every student the same score: a faster grader that grades differently is no use. Exits with 1
when they differ.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from smarketing import grading
from smarketing.grading import gradebook

ROOT = Path(__file__).resolve().parents[1]


def _course(folder: Path) -> Path:
    for part in ("solutions", "exercises"):
        shutil.copytree(ROOT / part, folder / part)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    return folder


def _class(assignment: str, students: int, inbox: Path) -> None:
    source = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    release = nbformat.read(ROOT / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)
    answers = [c.metadata["nbgrader"]["grade_id"] for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")]
    variants = {"solved": grading.answered(release, source), "half": grading.answered(release, source,
                                                                                        answers[: len(answers) // 2]),
                "blank": release}
    for number in range(students):
        kind = "solved" if number % 5 < 3 else ("half" if number % 5 == 3 else "blank")
        folder = inbox / f"student{number:03d}" / assignment
        folder.mkdir(parents=True)
        nbformat.write(variants[kind], folder / f"{assignment}.ipynb")


def _scores(course: Path, assignment: str) -> dict[str, float]:
    """Each student's score in a course's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {s.student_id: float(s.score) for s in gradebook.find_assignment(assignment).submissions}


def _nbgrader(args: list[str], course: Path) -> None:
    subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=gradebook.tools_env(), check=True,
                   capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--assignment", default="03_funnel_handoff")
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, {os.cpu_count()} cores; {args.students} submissions of "
          f"{args.assignment}")
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        baseline = _course(scratch_path / "nbgrader")
        _class(args.assignment, args.students, baseline / "submitted")
        gradebook.prepare_gradebook(baseline, args.assignment)  # set-up, as an instructor's release did
        started = time.perf_counter()
        _nbgrader(["autograde", args.assignment, "--create", "--force", "--Execute.timeout=30",
                   "--OverwriteCells.add_missing_cells=True"], baseline)
        autograde_only = time.perf_counter() - started
        _nbgrader(["generate_feedback", args.assignment, "--force"], baseline)
        _nbgrader(["export"], baseline)
        sequential = time.perf_counter() - started

        ours = _course(scratch_path / "smarketing")
        inbox = scratch_path / "inbox"
        _class(args.assignment, args.students, inbox)
        gradebook.prepare_gradebook(ours, args.assignment)
        started = time.perf_counter()
        results = grading.grade(args.assignment, ours, source=inbox, jobs=args.jobs)
        parallel = time.perf_counter() - started
        graded = sum(1 for r in results if not r.problems)
        theirs, mine = _scores(baseline, args.assignment), _scores(ours, args.assignment)
        differ = sorted(s for s in theirs.keys() | mine.keys() if theirs.get(s) != mine.get(s))

    print(f"nbgrader autograde alone (sequential)       {autograde_only:8.1f} s")
    print(f"nbgrader autograde + feedback + export      {sequential:8.1f} s")
    print(f"smarketing grade (parallel, same + report)  {parallel:8.1f} s   ({graded} graded without problems)")
    print(f"ratio, nbgrader sequential / smarketing grade: {sequential / parallel:.2f}x")
    if differ:
        print(f"DIFFERENT SCORES for {len(differ)} of {len(theirs)} students, e.g. "
              + ", ".join(f"{s}: nbgrader {theirs.get(s)}, smarketing {mine.get(s)}" for s in differ[:5]))
        return 1
    print(f"same scores: all {len(theirs)} students graded alike ({sum(mine.values()):g} points in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
