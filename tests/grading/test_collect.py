"""Collecting a class before nbgrader runs: the students in a zip or folder (a wrapping class/ folder, macOS
junk, nbgrader's layout with several assignments and timestamps), foreign notebooks refused with a reason,
and deleted locked cells put back where they were."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat

from smarketing.grading.collect import Submission, collect, refuse_foreign_notebooks, restore_locked_cells
from tests.grading.conftest import ASSIGNMENTS, release_notebook

NAME = "03_funnel_handoff"


def _write(folder: Path, files: dict[str, str | nbformat.NotebookNode]) -> None:
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content)
        else:
            nbformat.write(content, path)


def _students(found: list[Submission]) -> dict[str, Submission]:
    return {s.student: s for s in found}


CLASS = {"class/ana.ipynb": release_notebook(NAME), "class/bob.ipynb": release_notebook(NAME), "class/.DS_Store": "\0\0",
         "__MACOSX/class/._ana.ipynb": "resource fork", "class/.ipynb_checkpoints/ana-checkpoint.ipynb": "{}"}


def test_a_zip_with_one_top_level_folder_is_a_class_not_a_student(tmp_path):
    _write(tmp_path / "made", CLASS)
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zipped:  # as `zip -r class.zip class/` or macOS's Compress make it
        for path in sorted((tmp_path / "made").rglob("*")):
            zipped.write(path, path.relative_to(tmp_path / "made"))
    found = _students(collect(archive, NAME, tmp_path / "scratch"))
    assert sorted(found) == ["ana", "bob"]
    assert all(s.path is not None and not s.problems for s in found.values()), found


def test_a_folder_with_one_top_level_folder_is_a_class_too(tmp_path):
    _write(tmp_path / "downloads", CLASS)
    assert sorted(_students(collect(tmp_path / "downloads", NAME, tmp_path / "scratch"))) == ["ana", "bob"]
    # students in folders of their own inside the wrapping folder
    _write(tmp_path / "nested", {"class/ana/work.ipynb": release_notebook(NAME), "class/bob/03.ipynb": release_notebook(NAME),
                                 "class/bob/notes.txt": "my notes"})
    found = _students(collect(tmp_path / "nested", NAME, tmp_path / "scratch2"))
    assert sorted(found) == ["ana", "bob"]
    assert "notes.txt is not a notebook" in " ".join(found["bob"].problems)
    # a single student's folder stays that student's, even with a note beside the notebook
    _write(tmp_path / "single", {"ana/03_funnel_handoff.ipynb": release_notebook(NAME), "ana/readme.txt": "hi"})
    assert sorted(_students(collect(tmp_path / "single", NAME, tmp_path / "scratch3"))) == ["ana"]


def test_nbgrader_layout_takes_only_the_assignment_being_graded_and_keeps_the_timestamp(tmp_path):
    submitted = tmp_path / "submitted"
    _write(submitted, {"ana/02_kpis/02_kpis.ipynb": release_notebook("02_kpis"), "ana/02_kpis/timestamp.txt": "2025-01-10",
                       f"ana/{NAME}/{NAME}.ipynb": release_notebook(NAME), f"ana/{NAME}/timestamp.txt": "2025-03-01 10:15:00.5 UTC\n",
                       f"bob/{NAME}/{NAME}.ipynb": release_notebook(NAME), "bob/stray.txt": "outside any assignment"})
    found = _students(collect(submitted, NAME, tmp_path / "scratch", nbgrader_layout=True))
    assert sorted(found) == ["ana", "bob"]  # no phantom student "02_kpis"
    assert found["ana"].timestamp == "2025-03-01 10:15:00.5 UTC" and not found["ana"].problems
    assert found["bob"].timestamp is None and not found["bob"].problems
    # the same tree zipped and handed to --from: the other assignment's folders are skipped there too
    archive = tmp_path / "submitted.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(submitted.rglob("*")):
            zipped.write(path, Path("submitted") / path.relative_to(submitted))
    found = _students(collect(archive, NAME, tmp_path / "scratch2", others=ASSIGNMENTS))
    assert {"ana", "bob"} <= set(found) and "02_kpis" not in found
    assert found["ana"].timestamp == "2025-03-01 10:15:00.5 UTC"


def test_an_unreadable_timestamp_is_reported_and_left_out(tmp_path):
    _write(tmp_path / "submitted", {f"ana/{NAME}/{NAME}.ipynb": release_notebook(NAME), f"ana/{NAME}/timestamp.txt": "yesterday"})
    ana, = collect(tmp_path / "submitted", NAME, tmp_path / "scratch", nbgrader_layout=True)
    assert ana.timestamp is None and "timestamp.txt holds no date" in ana.problems[0]


def test_a_notebook_that_lost_its_nbgrader_ids_is_refused_with_a_reason(tmp_path):
    stripped = nbformat.from_dict(json.loads(json.dumps(release_notebook(NAME))))
    for cell in stripped.cells:
        cell.metadata.pop("nbgrader", None)
    _write(tmp_path / "inbox", {"ana.ipynb": stripped, "bob.ipynb": release_notebook(NAME)})
    found = _students(collect(tmp_path / "inbox", NAME, tmp_path / "scratch"))
    refuse_foreign_notebooks(list(found.values()), release_notebook(NAME))
    assert found["ana"].path is None and "this notebook is not the released one" in found["ana"].problems[0]
    assert found["bob"].path is not None and not found["bob"].problems


def test_deleted_locked_cells_are_put_back_where_they_were():
    release = release_notebook(NAME)
    order = [c.metadata["nbgrader"]["grade_id"] for c in release.cells]
    notebook = nbformat.from_dict(json.loads(json.dumps(release)))
    deleted = {"setup", "q1-check", "task-2", "q5-check", "q2-answer"}
    notebook.cells = [c for c in notebook.cells if c.metadata["nbgrader"]["grade_id"] not in deleted]
    learner = nbformat.v4.new_code_cell("print('my own cell')")
    notebook.cells.insert(3, learner)
    restored = restore_locked_cells(notebook, release)
    assert restored == ["setup", "q1-check", "task-2", "q5-check"]  # an answer cell is not locked: not restored
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells]
    assert [i for i in ids if i] == [i for i in order if i != "q2-answer"]
    assert notebook.cells[1].source == release.cells[1].source  # the setup, released text
    assert learner in notebook.cells
    assert restore_locked_cells(notebook, release) == []
