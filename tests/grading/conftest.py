"""Shared by the grading tests: the course's assignment notebooks, their points, and a scratch copy of the
course to grade in (grading writes a gradebook, submitted/, autograded/, feedback/ and reports/)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from smarketing.grading import gradebook
from tests.conftest import ROOT

ASSIGNMENTS = gradebook.assignments(ROOT)
FOLDERS = gradebook.folders(ROOT)
SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)
FILES = Path(__file__).parent / "files"  # fixture notebooks, as nbgrader's own preprocessor tests keep them
collect_ignore = ["files"]  # inputs of the tests, not notebooks for nbval to run (one kills its kernel)


def source_notebook(name: str) -> nbformat.NotebookNode:
    return FOLDERS.source_notebook(name)


def release_notebook(name: str) -> nbformat.NotebookNode:
    return FOLDERS.release_notebook(name)


def cell_points(notebook: nbformat.NotebookNode, code_only: bool = True) -> dict[str, float]:
    """Each graded cell's points; ``code_only`` leaves out the reflections a person grades."""
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"]) for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade") and (c.cell_type == "code" or not code_only)}


def copy_course(folder: Path) -> Path:
    """A copy of the course's grading files (sources, releases, config) in a scratch folder."""
    folder.mkdir()
    for part in (FOLDERS.source, FOLDERS.release):
        shutil.copytree(part, folder / part.name)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    return folder


def hand_in(folder: Path, student: str, notebook: nbformat.NotebookNode) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / f"{student}.ipynb")


@pytest.fixture()
def course(tmp_path, monkeypatch):
    monkeypatch.setenv("SMARKETING_DATA", str(ROOT / "datasets"))
    return copy_course(tmp_path / "course")
