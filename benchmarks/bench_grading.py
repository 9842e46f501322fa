"""Grading a class: `smarketing grade` against plain nbgrader, against the grader of an earlier commit (today's,
before a change) and against the floor of kernel start-up, all in the same run.

    python benchmarks/bench_grading.py [--students 100] [--assignment 03_funnel_handoff] [--jobs N]
                                       [--baseline-rev 7c2d5e5] [--scaling] [--skip-nbgrader]

A class of ``--students`` submissions (60 % solved, 20 % half solved, 20 % blank) of one assignment is graded,
each time in a fresh copy of the course, by:

* plain nbgrader (its own preprocessors, no sandbox, no judge: ``autograde``, ``generate_feedback`` and
  ``export``, one notebook after another);
* the grader of ``--baseline-rev`` (its ``src/`` taken from git, run in a process of its own), in its sandbox;
* ``smarketing grade --no-sandbox`` and ``smarketing grade`` (each kernel in a bubblewrap sandbox, started one
  notebook ahead), and ``smarketing grade --cluster local`` (the same batches on a Dask cluster here).

The floor is what starting one fresh sandboxed kernel per learner costs, spread over the cores: the mean of a few
kernel start-ups × learners ÷ cores. Prints each wall time with its ratio to the floor and to the baseline, and
with ``--scaling`` a table of 1 and 2 workers here and on Dask. Checks that every grader gave every student the
same score (a grader that grades differently is no use) and exits with 1 when they differ.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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
    answers = [c.metadata["nbgrader"]["grade_id"] for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")]
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


def _kernel_start_seconds(times: int = 5) -> float:
    """The mean wall time to start a fresh sandboxed kernel and see it ready (no warm-up)."""
    from smarketing.datasets import datasets_dir
    from smarketing.grading import kernel_pool

    settings = kernel_pool.Settings(data=datasets_dir(), memory_bytes=4 * 1024**3, processes=256,
                                    kernel_name="python3", warm_up="")

    async def ready(started) -> None:
        client = started.manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        client.stop_channels()

    seconds = []
    for _attempt in range(times):
        begun = time.perf_counter()
        started = kernel_pool.start(settings)
        asyncio.run(ready(started))
        seconds.append(time.perf_counter() - begun)
        started.stop()
    return sum(seconds) / len(seconds)


BASELINE = """
import json, sys
from pathlib import Path
from smarketing import grading
course, assignment, inbox, jobs = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
grading.grade(assignment, course, source=inbox, jobs=jobs or None)
"""


# The learners' kernels of the old grader must import the old library too: its sandbox clears the environment
# and binds only the installed Python, so this start-up hook (on the old grader's PYTHONPATH) adds the old src/
# to each kernel's sandbox and path.
OLD_KERNELS = """
import os
OLD = os.environ.get("SMARKETING_BENCH_OLD_SRC")
if OLD:
    import smarketing.grading.sandbox as _sandbox
    _wrap = _sandbox.Sandbox.wrap

    def wrap(self, command):
        wrapped = _wrap(self, command)
        at = wrapped.index("--chdir")
        return [*wrapped[:at], "--ro-bind", OLD, OLD, "--setenv", "PYTHONPATH", OLD, *wrapped[at:]]

    _sandbox.Sandbox.wrap = wrap
"""


def _baseline(rev: str, scratch: Path, assignment: str, students: int, jobs: int | None) -> tuple[float, dict]:
    """Grade the class with the grader of commit ``rev``, its src/ from git, in a process of its own (its
    workers and its learners' kernels running that src/ too)."""
    old = scratch / f"src-{rev}"
    old.mkdir()
    archive = subprocess.run(["git", "-C", ROOT, "archive", rev, "src"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
    hook = scratch / f"hook-{rev}"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(OLD_KERNELS, encoding="utf-8")
    course = _course(scratch / f"baseline-{rev}")
    inbox = scratch / f"inbox-{rev}"
    _class(assignment, students, inbox)
    gradebook.prepare_gradebook(course, assignment)
    env = {**gradebook.tools_env(), "PYTHONPATH": f"{hook}{os.pathsep}{old / 'src'}", "SMARKETING_DATA":
           str(ROOT / "datasets"), "SMARKETING_BENCH_OLD_SRC": str(old / "src")}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", BASELINE, course, assignment, inbox, str(jobs or 0)], check=True, env=env,
                   capture_output=True, text=True)
    return time.perf_counter() - started, _scores(course, assignment)


def _ours(scratch: Path, label: str, assignment: str, students: int, **options) -> tuple[float, dict, int]:
    course = _course(scratch / label)
    inbox = scratch / f"inbox-{label}"
    _class(assignment, students, inbox)
    gradebook.prepare_gradebook(course, assignment)
    started = time.perf_counter()
    results = grading.grade(assignment, course, source=inbox, **options)
    return time.perf_counter() - started, _scores(course, assignment), sum(1 for r in results if not r.problems)


def _plain_nbgrader(scratch_path: Path, args: argparse.Namespace, timings: dict, scores: dict) -> None:
    """nbgrader as it ships: autograde, generate_feedback and export, one notebook after another."""
    plain = _course(scratch_path / "nbgrader", plain=True)
    _class(args.assignment, args.students, plain / "submitted")
    gradebook.prepare_gradebook(plain, args.assignment)  # set-up, as an instructor's release did
    started = time.perf_counter()
    _nbgrader(["autograde", args.assignment, "--create", "--force", "--Execute.timeout=30",
               "--OverwriteCells.add_missing_cells=True"], plain)
    _nbgrader(["generate_feedback", args.assignment, "--force"], plain)
    _nbgrader(["export"], plain)
    timings["nbgrader, sequential, no sandbox"] = time.perf_counter() - started
    scores["nbgrader, sequential, no sandbox"] = _scores(plain, args.assignment)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--assignment", default="03_funnel_handoff")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--baseline-rev", default="7c2d5e5", help="the commit whose grader is today's (default: the "
                        "last before the kernel pool and the parcels)")
    parser.add_argument("--scaling", action="store_true", help="also grade with 1 and 2 workers, here and on Dask")
    parser.add_argument("--skip-nbgrader", action="store_true", help="leave out plain nbgrader (the slowest run)")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    os.environ.setdefault("SMARKETING_DATA", str(ROOT / "datasets"))
    print(f"python {platform.python_version()}, {cores} cores; {args.students} submissions of {args.assignment}")
    kernel = _kernel_start_seconds()
    floor = kernel * args.students / cores
    print(f"one sandboxed kernel starts in {kernel:.2f} s: the floor is {floor:.1f} s ({args.students} kernels on "
          f"{cores} cores)")
    timings, scores = {}, {}
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        if not args.skip_nbgrader:
            _plain_nbgrader(scratch_path, args, timings, scores)

        label = f"smarketing grade at {args.baseline_rev} (today's)"
        timings[label], scores[label] = _baseline(args.baseline_rev, scratch_path, args.assignment, args.students,
                                                  args.jobs)
        runs = {"smarketing grade --no-sandbox": {"sandboxed": False, "jobs": args.jobs},
                "smarketing grade": {"jobs": args.jobs},
                "smarketing grade --cluster local": {"jobs": args.jobs, "cluster": "local"}}
        if args.scaling:
            runs |= {f"smarketing grade --jobs {n}": {"jobs": n} for n in (1, 2)}
            runs |= {f"smarketing grade --cluster local --jobs {n}": {"jobs": n, "cluster": "local"} for n in (1, 2)}
        clean = {}
        for label, options in runs.items():
            timings[label], scores[label], clean[label] = _ours(scratch_path, label.replace(" ", "_"), args.assignment,
                                                                args.students, **options)
    baseline = timings[f"smarketing grade at {args.baseline_rev} (today's)"]
    print("\n| grader | wall (s) | × floor | × today's |\n|---|---:|---:|---:|")
    for label, seconds in timings.items():
        print(f"| {label} | {seconds:.1f} | {seconds / floor:.2f} | {seconds / baseline:.2f} |")
    print(f"| floor: kernel start-up × learners ÷ cores | {floor:.1f} | 1.00 | {floor / baseline:.2f} |")
    reference = scores.get("nbgrader, sequential, no sandbox") or scores["smarketing grade"]
    differ = sorted({s for label in scores for s in reference.keys() | scores[label].keys()
                     if reference.get(s) != scores[label].get(s)})
    if differ:
        print(f"DIFFERENT SCORES for {len(differ)} of {len(reference)} students: "
              + json.dumps({label: {s: scores[label].get(s) for s in differ[:3]} for label in scores}))
        return 1
    print(f"\nsame scores: all {len(reference)} students graded alike by every grader "
          f"({sum(reference.values()):g} points in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
