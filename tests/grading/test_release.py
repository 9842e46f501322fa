"""The graded assignments and their release, with the real nbgrader: one assignment per module, every check
backed by a hidden test, points stated where instructors and learners read them, the release in sync with
its source and leaking nothing, the source valid and the blank release failing."""

from __future__ import annotations

import ast
import json
import re

import pytest
from nbclient import NotebookClient

from smarketing.exercises import tasks
from smarketing.grading import gradebook
from smarketing.messages import LANGUAGES
from tests.conftest import ROOT
from tests.grading.conftest import (
    ASSIGNMENTS,
    FOLDERS,
    HIDDEN,
    SOLUTION,
    cell_points,
    release_notebook,
    source_notebook,
)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_check_has_hidden_tests_and_the_task_says_so(name):
    """A check cell without a hidden block would let a patched q1.check() pass a wrong answer, and the
    learner's "More checks run at grading" must be true."""
    checks = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source_notebook(name).cells
              if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}
    assert all(HIDDEN.search(source) for source in checks.values()), [g for g, s in checks.items() if not HIDDEN.search(s)]
    for task in tasks(name):
        assert f"{task.name}-check" in checks, task.name
        assert task.has_hidden_tests == bool(HIDDEN.search(checks[f"{task.name}-check"])), task.name
    assert sorted(checks) == sorted(f"{t.name}-check" for t in tasks(name))
    setup = ast.parse(next(c.source for c in source_notebook(name).cells if c.metadata["nbgrader"]["grade_id"] == "setup"))
    setup_names = {n.id for n in ast.walk(setup) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} | {
        alias.asname or alias.name.split(".")[0] for n in ast.walk(setup) if isinstance(n, ast.Import | ast.ImportFrom)
        for alias in n.names}
    assert {t.name for t in tasks(name)} <= setup_names, "the setup cell binds every task of the assignment"
    for grade_id, source in checks.items():  # hidden tests trust no name the learner's cells could rebind
        block = HIDDEN.search(source).group(1)
        assert "expect(" not in block and "_ex.recheck(" in block, grade_id
        used = {n.id for n in ast.walk(ast.parse(block)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        assert not used & (setup_names | {"expect"}), (grade_id, used & setup_names)


def _auto_and_manual(name: str) -> tuple[float, float]:
    points = cell_points(source_notebook(name), code_only=False)
    auto = sum(cell_points(source_notebook(name)).values())
    return auto, sum(points.values()) - auto


def test_grading_guide_and_intros_state_the_points_of_the_notebooks():
    guide = (ROOT / "instructor" / "grading.md").read_text()
    for name in ASSIGNMENTS:
        auto, manual = _auto_and_manual(name)
        row = f"| `{name}` | {auto:g} | {manual:g} | {auto + manual:g} |"
        assert row in guide, row
        intro = source_notebook(name).cells[0].source
        assert f"**Points:** {auto + manual:g} " in intro, name


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_assignment_has_four_autograded_tasks_and_a_rubric(name):
    source = source_notebook(name)
    answers = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    manual = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")
              and c.metadata["nbgrader"].get("solution") and c.cell_type == "markdown"]
    assert len(answers) >= 4, "at least four auto-graded tasks"
    assert len(manual) >= 1, "a reflection graded by hand"
    assert any("rubric" in c.source.lower() for c in source.cells if c.cell_type == "markdown")
    checks = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert all(re.search(r"\bq\d+[a-z]?\.check\(\)", c.source) for c in checks), "every graded cell has a self-check"


@pytest.mark.parametrize("edition", ["", *LANGUAGES])
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_is_what_nbgrader_generates(name, edition, tmp_path):
    """exercises/ (and zh_CN/exercises/) is never hand-edited: regenerating it gives the committed notebook."""
    course = ROOT / edition if edition else ROOT
    config = gradebook.config(course, course, **{"CourseDirectory.release_directory": str(tmp_path / "release"),
                                                 "CourseDirectory.db_url": f"sqlite:///{tmp_path / 'gradebook.db'}"})
    result = gradebook.api(config).generate_assignment(name, force=True, create=True)
    assert result["success"], result.get("error")
    fresh = json.loads((tmp_path / "release" / name / f"{name}.ipynb").read_text())
    committed = json.loads((gradebook.folders(course).release / name / f"{name}.ipynb").read_text())
    assert fresh == committed, f"{edition or '.'}/exercises/{name} is out of date: run `make release`"


def _secret_lines(text: str) -> set[str]:
    lines = set()
    for block in SOLUTION.findall(text) + HIDDEN.findall(text):
        for line in block.splitlines():
            line = line.strip().lstrip("#").strip()
            if len(line) >= 12:
                lines.add(line)
    return lines


def test_no_solution_or_hidden_test_appears_in_the_release():
    released = "\n".join(p.read_text(errors="replace") for p in FOLDERS.release.rglob("*") if p.is_file())
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in released
    for name in ASSIGNMENTS:
        source = "\n".join(c.source for c in source_notebook(name).cells)
        secrets = _secret_lines(source)
        assert secrets, f"{name} has solutions and hidden tests to keep secret"
        visible = "\n".join(json.loads(json.dumps(c.source)) for c in release_notebook(name).cells)
        leaked = sorted(s for s in secrets if s in visible or json.dumps(s)[1:-1] in released)
        assert not leaked, f"{name}: the release shows {leaked[:3]}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_nbgrader_validate_passes_the_solution_and_fails_the_blank_release(name):
    from nbgrader.validator import Validator

    solved = Validator().validate(str(FOLDERS.source / name / f"{name}.ipynb"))
    assert not solved.get("failed") and not solved.get("type_changed") and not solved.get("changed"), solved
    # --invert: the blank release passes validation when no test cell passes (results list what did)
    blank = Validator(invert=True).validate(str(FOLDERS.release / name / f"{name}.ipynb"))
    assert blank == {}, f"these tests pass without an answer: {blank}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_blank_release_says_not_attempted_and_nothing_else_fails(name):
    """Run as a learner would before answering: only stubs and 'not attempted yet' checks raise."""
    notebook = release_notebook(name)
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(FOLDERS.release / name)}}).execute()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                assert output["ename"] in ("NotImplementedError", "NotAttempted"), (cell.source, output["evalue"])
                if output["ename"] == "NotAttempted":
                    assert "not attempted yet" in output["evalue"]
