"""The graded exercises, with the real nbgrader: release in sync, nothing leaked, sources valid,
blank stubs failing, and a grading round trip per assignment (full marks, zero, partial credit, and
broken submissions that are graded and reported without stopping the batch)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT
from smarketing import grading

ASSIGNMENTS = grading.assignments(ROOT)
SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)


def _source(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)


def _release(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "exercises" / name / f"{name}.ipynb", as_version=4)


def _points(notebook: nbformat.NotebookNode, code_only: bool = True) -> dict[str, float]:
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"]) for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade") and (c.cell_type == "code" or not code_only)}


def test_there_is_an_assignment_per_module():
    modules = sorted(p.stem for p in (ROOT / "course").glob("0[1-5]_*.ipynb"))
    assert ASSIGNMENTS == modules or set(ASSIGNMENTS) <= set(modules) and ASSIGNMENTS


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_assignment_has_four_autograded_tasks_and_a_rubric(name):
    source = _source(name)
    answers = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    manual = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")
              and c.metadata["nbgrader"].get("solution") and c.cell_type == "markdown"]
    assert len(answers) >= 4, "at least four auto-graded tasks"
    assert len(manual) >= 1, "a reflection graded by hand"
    assert any("rubric" in c.source.lower() for c in source.cells if c.cell_type == "markdown")
    checks = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert all(re.search(r"\bq\d+[a-z]?\.check\(\)", c.source) for c in checks), "every graded cell has a self-check"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_is_what_nbgrader_generates(name, tmp_path):
    """exercises/ is never hand-edited: regenerating it gives the committed notebook."""
    config = grading._config(ROOT, ROOT, **{"CourseDirectory.release_directory": str(tmp_path / "release"),
                                            "CourseDirectory.db_url": f"sqlite:///{tmp_path / 'gradebook.db'}"})
    result = grading._api(config).generate_assignment(name, force=True, create=True)
    assert result["success"], result.get("error")
    fresh = json.loads((tmp_path / "release" / name / f"{name}.ipynb").read_text())
    committed = json.loads((ROOT / "exercises" / name / f"{name}.ipynb").read_text())
    assert fresh == committed, f"exercises/{name} is out of date: run `make release`"


def _secret_lines(text: str) -> set[str]:
    lines = set()
    for block in SOLUTION.findall(text) + HIDDEN.findall(text):
        for line in block.splitlines():
            line = line.strip().lstrip("#").strip()
            if len(line) >= 12:
                lines.add(line)
    return lines


def test_no_solution_or_hidden_test_appears_in_the_release():
    released = "\n".join(p.read_text(errors="replace") for p in (ROOT / "exercises").rglob("*") if p.is_file())
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in released
    for name in ASSIGNMENTS:
        source = "\n".join(c.source for c in _source(name).cells)
        secrets = _secret_lines(source)
        assert secrets, f"{name} has solutions and hidden tests to keep secret"
        visible = "\n".join(json.loads(json.dumps(c.source)) for c in _release(name).cells)
        leaked = sorted(s for s in secrets if s in visible or json.dumps(s)[1:-1] in released)
        assert not leaked, f"{name}: the release shows {leaked[:3]}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_nbgrader_validate_passes_the_solution_and_fails_the_blank_release(name):
    from nbgrader.validator import Validator

    solved = Validator().validate(str(ROOT / "solutions" / name / f"{name}.ipynb"))
    assert not solved.get("failed") and not solved.get("type_changed") and not solved.get("changed"), solved
    # --invert: the blank release passes validation when no test cell passes (results list what did)
    blank = Validator(invert=True).validate(str(ROOT / "exercises" / name / f"{name}.ipynb"))
    assert blank == {}, f"these tests pass without an answer: {blank}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_blank_release_says_not_attempted_and_nothing_else_fails(name):
    """Run as a learner would before answering: only stubs and 'not attempted yet' checks raise."""
    notebook = _release(name)
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(ROOT / "exercises" / name)}}).execute()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                assert output["ename"] in ("NotImplementedError", "NotAttempted"), (cell.source, output["evalue"])
                if output["ename"] == "NotAttempted":
                    assert "not attempted yet" in output["evalue"]


# ---- the grading round trip ----------------------------------------------------------------------------

@pytest.fixture()
def course(tmp_path, monkeypatch):
    """A copy of the course's grading files (solutions, exercises, config) in a scratch folder."""
    copy = tmp_path / "course"
    copy.mkdir()
    for part in ("solutions", "exercises"):
        shutil.copytree(ROOT / part, copy / part)
    shutil.copy(ROOT / "nbgrader_config.py", copy)
    monkeypatch.setenv("SMARKETING_DATA", str(ROOT / "datasets"))
    return copy


def _hand_in(folder: Path, student: str, notebook: nbformat.NotebookNode) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / f"{student}.ipynb")


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_grading_full_blank_and_partial(name, course, tmp_path):
    source, release = _source(name), _release(name)
    points = _points(source)
    first_answer = next(c.metadata["nbgrader"]["grade_id"] for c in source.cells
                        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code")
    task = first_answer.removesuffix("-answer")
    first_checks = {g: p for g, p in points.items() if re.match(rf"{task}[a-z]?-check$", g)}
    assert first_checks, f"{name}: the first task's check cells are named {task}-check"
    inbox = tmp_path / "inbox"
    _hand_in(inbox, "full", grading.answered(release, source))
    _hand_in(inbox, "blank", release)
    _hand_in(inbox, "partial", grading.answered(release, source, [first_answer]))
    results = {r.student: r for r in grading.grade(name, course, source=inbox, cell_timeout=60)}
    auto_max = sum(points.values())
    assert results["full"].score == auto_max, results["full"]  # the reflection waits for a human
    assert results["full"].max_score == sum(_points(source, code_only=False).values())
    assert results["blank"].score == 0
    assert results["partial"].score == sum(first_checks.values())
    assert not results["full"].problems and not results["blank"].problems, (results["full"], results["blank"])
    grades = (course / "grades.csv").read_text()
    assert f"{name},,,full," in grades and (course / "feedback" / "full" / name / f"{name}.html").exists()
    assert (course / "reports" / f"{name}.html").read_text().count("<h2>") >= 2


def test_broken_submissions_are_graded_and_reported(course, tmp_path):
    """An endless loop, an exception, a deleted test cell and an edited locked cell: each submission is
    graded, its problem reported, and the batch finishes."""
    name = "03_funnel_handoff"
    source, release = _source(name), _release(name)
    solved = grading.answered(release, source)
    inbox = tmp_path / "inbox"

    def variant(student, change):
        notebook = nbformat.from_dict(json.loads(json.dumps(solved)))
        change(notebook.cells)
        _hand_in(inbox, student, notebook)

    def cell(cells, grade_id):
        return next(c for c in cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)

    variant("loops", lambda cells: setattr(cell(cells, "q4-answer"), "source", "threshold = 52\nwhile True:\n    pass"))
    variant("raises", lambda cells: cells.insert(3, nbformat.v4.new_code_cell("raise RuntimeError('my bug')")))
    variant("deletes", lambda cells: cells.remove(cell(cells, "q1-check")))
    variant("edits", lambda cells: (setattr(cell(cells, "q1-answer"), "source", "mql_to_sql_rate = 0.5"),
                                    setattr(cell(cells, "q1-check"), "source", "pass")))
    (inbox / "notes.txt").write_text("not a notebook")
    results = {r.student: r for r in grading.grade(name, course, source=inbox, cell_timeout=10)}
    full = sum(_points(source).values())
    assert "ran longer than 10 s" in " ".join(results["loops"].problems)
    assert results["loops"].score == full  # the answer was set before the loop; later cells still ran
    assert "raised RuntimeError: my bug" in " ".join(results["raises"].problems)
    assert results["raises"].score == full
    assert "cell q1-check was deleted" in " ".join(results["deletes"].problems)
    assert results["deletes"].score == full  # the check was put back and run
    assert "locked cell q1-check was edited" in " ".join(results["edits"].problems)
    assert results["edits"].score == full - _points(source)["q1-check"]  # the restored check fails 0.5
    assert "not a notebook" in " ".join(results["notes"].problems) and results["notes"].score == 0
    assert set((course / "grades.csv").read_text().split()) >= {f"{name},,,{s},,,,{results[s].score:.1f},0.0,"
                                                                 f"{results[s].score:.1f},{results[s].max_score:.1f}"
                                                                 for s in ("loops", "notes")}


def test_grading_refuses_to_replace_a_different_submission(course, tmp_path):
    name = "03_funnel_handoff"
    inbox = tmp_path / "inbox"
    _hand_in(inbox, "ana", _release(name))
    existing = course / "submitted" / "ana" / name
    existing.mkdir(parents=True)
    (existing / f"{name}.ipynb").write_text("{}")
    with pytest.raises(grading.GradingError, match="already exist and differ"):
        grading.grade(name, course, source=inbox)
    assert (existing / f"{name}.ipynb").read_text() == "{}"  # the student's work is untouched
    with pytest.raises(grading.GradingError, match="No assignment 'nope'"):
        grading.grade("nope", course, source=inbox)
