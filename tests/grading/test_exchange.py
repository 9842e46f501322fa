"""The cycle of instructor/grading.md through nbgrader's own exchange, with its own commands: release_assignment,
fetch_assignment, submit, collect, `smarketing grade`, generate_feedback, release_feedback, fetch_feedback. The
learner gets their feedback, with their score and without the hidden tests."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from smarketing import grading
from smarketing.grading import gradebook
from tests.grading.conftest import cell_points, copy_course, release_notebook, source_notebook

pytestmark = pytest.mark.sandbox

NAME = "03_funnel_handoff"
COURSE_ID = "smarketing-lab"


def _nbgrader(folder: Path, exchange: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args, f"--Exchange.root={exchange}"], cwd=folder,
                          capture_output=True, text=True, env=gradebook.tools_env(), timeout=600)
    assert done.returncode == 0, f"nbgrader {' '.join(args)}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def test_the_exchange_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("SMARKETING_DATA", str(Path(__file__).resolve().parents[2] / "datasets"))
    course = copy_course(tmp_path / "course")
    exchange, home = tmp_path / "exchange", tmp_path / "learner"
    exchange.mkdir(mode=0o777)
    home.mkdir()
    student = os.environ.get("USER") or __import__("getpass").getuser()

    grading.release(course)  # every assignment into the gradebook, as `make release` does on the hub
    _nbgrader(course, exchange, "release_assignment", NAME, "--force")
    _nbgrader(home, exchange, "fetch_assignment", NAME, f"--course={COURSE_ID}")
    fetched = next(home.rglob(f"{NAME}.ipynb"))
    nbformat.write(grading.answered(nbformat.read(fetched, as_version=4), source_notebook(NAME)), fetched)
    _nbgrader(fetched.parent.parent, exchange, "submit", NAME, f"--course={COURSE_ID}")
    _nbgrader(course, exchange, "collect", NAME)
    submitted = course / "submitted" / student / NAME
    assert {p.name for p in submitted.iterdir()} >= {f"{NAME}.ipynb", "timestamp.txt", "submission_secret.txt"}

    results = grading.grade(NAME, course)
    full = sum(cell_points(source_notebook(NAME)).values())
    assert [(r.student, r.score, r.problems) for r in results] == [(student, full, [])]
    assert (course / "feedback" / student / NAME / "submission_secret.txt").exists()
    log = _nbgrader(course, exchange, "generate_feedback", NAME, "--force")
    assert "display_data_priority" not in log
    _nbgrader(course, exchange, "release_feedback", NAME)
    _nbgrader(fetched.parent.parent, exchange, "fetch_feedback", NAME, f"--course={COURSE_ID}")
    feedback = next(home.rglob(f"feedback/*/{NAME}.html")).read_text(encoding="utf-8")
    assert f"Score: {full:g}" in feedback or f"{full:g} / " in feedback or f"({full:g}" in feedback
    assert "BEGIN HIDDEN TESTS" not in feedback and "_ex.recheck" not in feedback
    rows = list(csv.DictReader((course / "grades.csv").open()))
    assert {row["assignment"] for row in rows} == {NAME}, "grades.csv lists only the assignments graded"
    assert release_notebook(NAME).cells  # the committed release is untouched by the cycle
