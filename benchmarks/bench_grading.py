"""Grading a class: `smarketing grade` in its sandbox, against the same grader without the sandbox and against
nbgrader's plain sequential autograde, in the same run.

    python benchmarks/bench_grading.py [--students 100] [--assignment 03_funnel_handoff] [--jobs N]

A class of ``--students`` submissions (60 % solved, 20 % half solved, 20 % blank) of one assignment is
graded three times, each time in a fresh copy of the course: by plain nbgrader (its own preprocessors, no
sandbox, no judge: ``autograde``, ``generate_feedback`` and ``export``, one notebook after another), by
``smarketing grade --no-sandbox`` (parallel batches, the judge, a report) and by ``smarketing grade`` (the
same, each kernel in a bubblewrap sandbox). Prints the wall times, the sandbox's cost as a ratio to the
unsandboxed grader, and the ratio to nbgrader; checks that all three gave every student the same score (a
grader that grades differently is no use) and exits with 1 when they differ.
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


PLAIN_CONFIG = """c = get_config()
c.CourseDirectory.course_id = "smarketing-lab"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
"""


def _course(folder: Path, plain: bool = False) -> Path:
    """A copy of the course's grading files; ``plain``: with nbgrader's own steps only, as nbgrader ships."""
    for part in ("solutions", "exercises"):
        shutil.copytree(ROOT / part, folder / part)
    if plain:
        (folder / "nbgrader_config.py").write_text(PLAIN_CONFIG, encoding="utf-8")
    else:
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

    with Gradebook(gradebook.folders(course).db_url) as book:
        return {s.student_id: float(s.score) for s in book.find_assignment(assignment).submissions}


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
        baseline = _course(scratch_path / "nbgrader", plain=True)
        _class(args.assignment, args.students, baseline / "submitted")
        gradebook.prepare_gradebook(baseline, args.assignment)  # set-up, as an instructor's release did
        started = time.perf_counter()
        _nbgrader(["autograde", args.assignment, "--create", "--force", "--Execute.timeout=30",
                   "--OverwriteCells.add_missing_cells=True"], baseline)
        autograde_only = time.perf_counter() - started
        _nbgrader(["generate_feedback", args.assignment, "--force"], baseline)
        _nbgrader(["export"], baseline)
        sequential = time.perf_counter() - started

        timings, scores, clean = {}, {"nbgrader": _scores(baseline, args.assignment)}, {}
        for label, sandboxed in (("unsandboxed", False), ("sandboxed", True)):
            ours = _course(scratch_path / label)
            inbox = scratch_path / f"inbox-{label}"
            _class(args.assignment, args.students, inbox)
            gradebook.prepare_gradebook(ours, args.assignment)
            started = time.perf_counter()
            results = grading.grade(args.assignment, ours, source=inbox, jobs=args.jobs, sandboxed=sandboxed)
            timings[label] = time.perf_counter() - started
            clean[label] = sum(1 for r in results if not r.problems)
            scores[label] = _scores(ours, args.assignment)

    print(f"nbgrader autograde alone (sequential, plain)     {autograde_only:8.1f} s")
    print(f"nbgrader autograde + feedback + export (plain)   {sequential:8.1f} s")
    print(f"smarketing grade --no-sandbox (parallel, judged) {timings['unsandboxed']:8.1f} s   "
          f"({clean['unsandboxed']} graded without problems)")
    print(f"smarketing grade (parallel, judged, sandboxed)   {timings['sandboxed']:8.1f} s   "
          f"({clean['sandboxed']} graded without problems)")
    print(f"the sandbox's cost: {timings['sandboxed'] / timings['unsandboxed']:.2f}x the unsandboxed grader "
          f"({100 * (timings['sandboxed'] / timings['unsandboxed'] - 1):+.0f} %)")
    print(f"ratio, nbgrader sequential / smarketing grade in its sandbox: {sequential / timings['sandboxed']:.2f}x")
    reference = scores["nbgrader"]
    differ = sorted({s for label in ("unsandboxed", "sandboxed") for s in reference.keys() | scores[label].keys()
                     if reference.get(s) != scores[label].get(s)})
    if differ:
        print(f"DIFFERENT SCORES for {len(differ)} of {len(reference)} students, e.g. "
              + ", ".join(f"{s}: nbgrader {reference.get(s)}, unsandboxed {scores['unsandboxed'].get(s)}, "
                          f"sandboxed {scores['sandboxed'].get(s)}" for s in differ[:5]))
        return 1
    print(f"same scores: all {len(reference)} students graded alike by the three "
          f"({sum(scores['sandboxed'].values()):g} points in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
