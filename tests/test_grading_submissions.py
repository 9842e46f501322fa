"""What `smarketing grade` does to submissions before and around nbgrader, without running it: finding the
students in a zip or folder (a wrapping class/ folder, macOS junk, nbgrader's layout with several
assignments and timestamps), putting back deleted locked cells, spotting code that tampers with the
checks, and the feedback steps that take the hidden tests out."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT
from smarketing import grading

NAME = "03_funnel_handoff"


def _release(name: str = NAME) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "exercises" / name / f"{name}.ipynb", as_version=4)


def _source(name: str = NAME) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)


def _write(folder: Path, files: dict[str, str | nbformat.NotebookNode]) -> None:
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content)
        else:
            nbformat.write(content, path)


def _students(found: list[grading.Submission]) -> dict[str, grading.Submission]:
    return {s.student: s for s in found}


# ---- collecting ---------------------------------------------------------------------------------------

CLASS = {"class/ana.ipynb": _release(), "class/bob.ipynb": _release(), "class/.DS_Store": "\0\0",
         "__MACOSX/class/._ana.ipynb": "resource fork", "class/.ipynb_checkpoints/ana-checkpoint.ipynb": "{}"}


def test_a_zip_with_one_top_level_folder_is_a_class_not_a_student(tmp_path):
    _write(tmp_path / "made", CLASS)
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zipped:  # as `zip -r class.zip class/` or macOS's Compress make it
        for path in sorted((tmp_path / "made").rglob("*")):
            zipped.write(path, path.relative_to(tmp_path / "made"))
    found = _students(grading.collect(archive, NAME, tmp_path / "scratch"))
    assert sorted(found) == ["ana", "bob"]
    assert all(s.path is not None and not s.problems for s in found.values()), found


def test_a_folder_with_one_top_level_folder_is_a_class_too(tmp_path):
    _write(tmp_path / "downloads", CLASS)
    assert sorted(_students(grading.collect(tmp_path / "downloads", NAME, tmp_path / "scratch"))) == ["ana", "bob"]
    # students in folders of their own inside the wrapping folder
    _write(tmp_path / "nested", {"class/ana/work.ipynb": _release(), "class/bob/03.ipynb": _release(),
                                 "class/bob/notes.txt": "my notes"})
    found = _students(grading.collect(tmp_path / "nested", NAME, tmp_path / "scratch2"))
    assert sorted(found) == ["ana", "bob"]
    assert "notes.txt is not a notebook" in " ".join(found["bob"].problems)
    # a single student's folder stays that student's, even with a note beside the notebook
    _write(tmp_path / "single", {"ana/03_funnel_handoff.ipynb": _release(), "ana/readme.txt": "hi"})
    assert sorted(_students(grading.collect(tmp_path / "single", NAME, tmp_path / "scratch3"))) == ["ana"]


def test_nbgrader_layout_takes_only_the_assignment_being_graded_and_keeps_the_timestamp(tmp_path):
    submitted = tmp_path / "submitted"
    _write(submitted, {"ana/02_kpis/02_kpis.ipynb": _release("02_kpis"), "ana/02_kpis/timestamp.txt": "2025-01-10",
                       f"ana/{NAME}/{NAME}.ipynb": _release(), f"ana/{NAME}/timestamp.txt": "2025-03-01 10:15:00.5 UTC\n",
                       f"bob/{NAME}/{NAME}.ipynb": _release(), "bob/stray.txt": "outside any assignment"})
    found = _students(grading.collect(submitted, NAME, tmp_path / "scratch", nbgrader_layout=True))
    assert sorted(found) == ["ana", "bob"]  # no phantom student "02_kpis"
    assert found["ana"].timestamp == "2025-03-01 10:15:00.5 UTC" and not found["ana"].problems
    assert found["bob"].timestamp is None and not found["bob"].problems
    # the same tree zipped and handed to --from: the other assignment's folders are skipped there too
    archive = tmp_path / "submitted.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(submitted.rglob("*")):
            zipped.write(path, Path("submitted") / path.relative_to(submitted))
    found = _students(grading.collect(archive, NAME, tmp_path / "scratch2", others=grading.assignments(ROOT)))
    assert {"ana", "bob"} <= set(found) and "02_kpis" not in found
    assert found["ana"].timestamp == "2025-03-01 10:15:00.5 UTC"


def test_an_unreadable_timestamp_is_reported_and_left_out(tmp_path):
    _write(tmp_path / "submitted", {f"ana/{NAME}/{NAME}.ipynb": _release(), f"ana/{NAME}/timestamp.txt": "yesterday"})
    ana, = grading.collect(tmp_path / "submitted", NAME, tmp_path / "scratch", nbgrader_layout=True)
    assert ana.timestamp is None and "timestamp.txt holds no date" in ana.problems[0]


def test_a_notebook_that_lost_its_nbgrader_ids_is_refused_with_a_reason(tmp_path):
    stripped = nbformat.from_dict(json.loads(json.dumps(_release())))
    for cell in stripped.cells:
        cell.metadata.pop("nbgrader", None)
    _write(tmp_path / "inbox", {"ana.ipynb": stripped, "bob.ipynb": _release()})
    found = _students(grading.collect(tmp_path / "inbox", NAME, tmp_path / "scratch"))
    grading._refuse_foreign_notebooks(list(found.values()), _release())
    assert found["ana"].path is None and "this notebook is not the released one" in found["ana"].problems[0]
    assert found["bob"].path is not None and not found["bob"].problems


# ---- deleted locked cells -----------------------------------------------------------------------------

def test_deleted_locked_cells_are_put_back_where_they_were():
    release = _release()
    order = [c.metadata["nbgrader"]["grade_id"] for c in release.cells]
    notebook = nbformat.from_dict(json.loads(json.dumps(release)))
    deleted = {"setup", "q1-check", "task-2", "q5-check", "q2-answer"}
    notebook.cells = [c for c in notebook.cells if c.metadata["nbgrader"]["grade_id"] not in deleted]
    learner = nbformat.v4.new_code_cell("print('my own cell')")
    notebook.cells.insert(3, learner)
    restored = grading.restore_locked_cells(notebook, release)
    assert restored == ["setup", "q1-check", "task-2", "q5-check"]  # an answer cell is not locked: not restored
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells]
    assert [i for i in ids if i] == [i for i in order if i != "q2-answer"]
    assert notebook.cells[1].source == release.cells[1].source  # the setup, released text
    assert learner in notebook.cells
    assert grading.restore_locked_cells(notebook, release) == []


# ---- tampering ----------------------------------------------------------------------------------------

EXPLOIT = "from smarketing.feedback import Task\nTask.check = lambda self: print('ok')\nexpect = lambda *a, **k: None"


def _scan(code: str, name: str = NAME) -> dict[str, list[str]]:
    release = _release(name)
    notebook = nbformat.from_dict(json.loads(json.dumps(release)))
    answer = next(c for c in notebook.cells if c.metadata["nbgrader"].get("solution") and c.cell_type == "code")
    answer.source = code
    return grading.tampering(notebook, release, _source(name))


def test_the_audit_exploit_is_flagged():
    found = _scan(EXPLOIT)
    assert list(found) == ["q1-answer"]
    assert any("Task.check" in f for f in found["q1-answer"]) and any("expect" in f for f in found["q1-answer"])


@pytest.mark.parametrize("code", [
    "q1 = None",
    "q2a.verify = lambda answer: None",
    "import smarketing.exercises as ex\nex.recheck = lambda *a, **k: None",
    "from smarketing import exercises\nexercises.tasks = None",
    "from smarketing import feedback\nsetattr(feedback.Task, 'check', print)",
    "globals()['expect'] = print",
    "import math\nmath.isclose = lambda *a, **k: True",
    "import sys\nsys.modules['smarketing.exercises'].recheck = print",
    "from unittest import mock",
    "get_ipython().events.register('pre_run_cell', print)",
    "import builtins",
    "exec('q1.check = print')",
    "def tasks(name):\n    return ()",
    "for q5 in range(3):\n    pass",
    "from smarketing.exercises import ASSIGNMENTS\nASSIGNMENTS['03_funnel_handoff'] = tuple",
    "from smarketing import exercises\nexercises.ASSIGNMENTS.update({'03_funnel_handoff': tuple})",
    "import smarketing.feedback\nsmarketing.feedback.Task.__setattr__ = object.__setattr__",
    "del q1",
])
def test_ways_of_patching_the_checks_are_flagged(code):
    assert _scan(code), code


def test_a_rebound_builtin_is_flagged_where_the_hidden_tests_rely_on_it():
    assert _scan("all = lambda *args: True", "04_alignment")  # the hidden tests of 04 call all(...)


@pytest.mark.parametrize("code", [
    "%timeit x = 1\nmql_to_sql_rate = 0.12",
    "!ls\nimport pandas as pd\npd.options.display.max_rows = 5",
    "table = leads.copy()\ntable.columns = [str(c) for c in table.columns]\ntable.index.name = 'row'",
    "import matplotlib.pyplot as plt\nplt.rcParams['figure.dpi'] = 120",
    "def helper(leads):\n    leads = leads.copy()\n    leads['x'] = 1\n    return leads",
    "from smarketing.feedback import Task\nhelp(Task)",
    "import pandas as pd\ntable = pd.DataFrame({'a': [1]})\ntable['b'] = 2\nstore = {}\nstore.update(a=1)",
    "this is not python (",
])
def test_ordinary_learner_code_is_not_flagged(code):
    assert _scan(code) == {}


@pytest.mark.parametrize("name", grading.assignments(ROOT))
def test_the_solutions_are_not_flagged(name):
    assert grading.tampering(grading.answered(_release(name), _source(name)), _release(name), _source(name)) == {}


# ---- feedback without hidden tests ---------------------------------------------------------------------

def test_the_feedback_steps_cut_hidden_tests_and_their_tracebacks():
    from nbgrader.preprocessors import ClearHiddenTests, GetGrades

    steps = grading.feedback_preprocessors()
    assert steps[0] is GetGrades and issubclass(steps[1], ClearHiddenTests)
    cell = nbformat.v4.new_code_cell("q1.check()\n### BEGIN HIDDEN TESTS\nassert secret_case(), 'task 1'\n"
                                     "### END HIDDEN TESTS")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "q1-check", "points": 1, "solution": False,
                                 "locked": True, "schema_version": 3}
    cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="task 1",
                                           traceback=["----> 3 assert secret_case(), 'task 1'", "AssertionError: task 1"])]
    steps[1]().preprocess_cell(cell, {}, 0)
    assert "secret_case" not in json.dumps(cell)
    assert cell.source == "q1.check()" and cell.outputs[0]["traceback"] == ["AssertionError: task 1"]


# ---- solutions stay out of a graded release ------------------------------------------------------------

def test_the_refusal_to_show_a_solution_does_not_say_how_to_unlock_it(monkeypatch):
    from smarketing import feedback

    monkeypatch.delenv(feedback.SELF_STUDY_VARIABLE, raising=False)
    text = feedback.solution_text(NAME, "q1")
    assert "not shown in a graded release" in text and "q1.hint()" in text
    for clue in (feedback.SELF_STUDY_VARIABLE, "=1", "environment", "variable", "repository", "self-study"):
        assert clue.lower() not in text.lower(), clue
    monkeypatch.setenv(feedback.SELF_STUDY_VARIABLE, "1")  # self-study, in this repository: the solution
    assert "mql_to_sql_rate" in feedback.solution_text(NAME, "q1")
