"""Grading on Dask (smarketing.grading.cluster): the same class graded here and on a local Dask cluster gives the
same grades.csv, scores per task, problems and feedback; a batch travels by value and grades alike twice; and
what cannot work says so."""

from __future__ import annotations

import csv
import json
import shutil
import socket

import nbformat
import pytest

from smarketing import grading
from smarketing.grading import batches, gradebook
from smarketing.grading.collect import Submission, collect
from tests.grading.conftest import copy_course, hand_in, release_notebook, source_notebook

pytest.importorskip("distributed", reason="Dask is the optional extra smarketing[cluster]")

NAME = "03_funnel_handoff"


def _class(inbox) -> None:
    """Six learners, each a different path through the grader: solved, blank, half, a cell that raises, a
    deleted setup cell (put back), a copied grade cell (a problem reported) and one late hand-in's timestamp."""
    source, release = source_notebook(NAME), release_notebook(NAME)
    solved = grading.answered(release, source)
    answers = [c.metadata["nbgrader"]["grade_id"] for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")]
    hand_in(inbox, "ana", solved)
    hand_in(inbox, "bob", release)
    hand_in(inbox, "cai", grading.answered(release, source, answers[: len(answers) // 2]))
    raising = nbformat.from_dict(json.loads(json.dumps(solved)))
    next(c for c in raising.cells if c.metadata.get("nbgrader", {}).get("solution")).source += "\nraise KeyError('x')"
    hand_in(inbox, "dee", raising)
    no_setup = nbformat.from_dict(json.loads(json.dumps(solved)))
    no_setup.cells = [c for c in no_setup.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "setup"]
    hand_in(inbox, "eve", no_setup)
    copied = nbformat.from_dict(json.loads(json.dumps(solved)))
    copied.cells.append(nbformat.from_dict(json.loads(json.dumps(copied.cells[-1]))))
    hand_in(inbox, "fay", copied)


def _untimed(raw: bytes) -> dict:
    """A graded notebook without the times nbclient records for each cell (when it ran differs, nothing else)."""
    notebook = json.loads(raw)
    for cell in notebook["cells"]:
        cell["metadata"].pop("execution", None)
    return notebook


def _outcome(course, results):
    rows = sorted(csv.DictReader((course / "grades.csv").open()), key=lambda r: r["student_id"])
    files = {}
    for kind in ("feedback", "autograded"):
        for path in sorted((course / kind).rglob("*")):
            if path.is_file():
                raw = path.read_bytes()
                files[path.relative_to(course).as_posix()] = _untimed(raw) if path.suffix == ".ipynb" else raw
    per_learner = {r.student: (r.score, r.max_score, r.task_scores, sorted(r.problems)) for r in results}
    return rows, per_learner, files


def test_a_class_graded_on_dask_gets_what_it_gets_here(tmp_path, monkeypatch):
    from tests.conftest import ROOT

    monkeypatch.setenv("SMARKETING_DATA", str(ROOT / "datasets"))
    inbox = tmp_path / "inbox"
    _class(inbox)
    here, there = copy_course(tmp_path / "here"), copy_course(tmp_path / "there")
    graded_here = grading.grade(NAME, here, source=inbox, jobs=2, cell_timeout=60)
    graded_there = grading.grade(NAME, there, source=inbox, jobs=2, cell_timeout=60, cluster="local")
    rows_here, learners_here, feedback_here = _outcome(here, graded_here)
    rows_there, learners_there, feedback_there = _outcome(there, graded_there)
    assert learners_there == learners_here
    assert rows_there == rows_here
    assert sorted(feedback_there) == sorted(feedback_here) and len(feedback_here) >= 12
    assert feedback_there == feedback_here  # the feedback pages and the autograded notebooks
    # The class is not a trivial one: full marks, zero, something between, and problems reported.
    scores = {student: score for student, (score, *_rest) in learners_here.items()}
    assert scores["ana"] > scores["cai"] > scores["bob"] == 0
    assert any(problems for *_rest, problems in learners_here.values())


def test_a_parcel_graded_twice_gives_the_same_files(tmp_path, monkeypatch):
    """What makes retries=1 safe: a batch lost with its worker is graded again from the same parcel."""
    from tests.conftest import ROOT

    course = copy_course(tmp_path / "course")
    inbox = tmp_path / "inbox"
    hand_in(inbox, "ana", grading.answered(release_notebook(NAME), source_notebook(NAME)))
    submissions = collect(inbox, NAME, tmp_path)
    gradebook.prepare_gradebook(course, NAME)
    gradebook.scratch_gradebook(course, NAME, tmp_path / "blank.db")
    parcel = batches.pack(course, NAME, submissions, (tmp_path / "blank.db").read_bytes(), 60, True)
    data = batches.Data.of(ROOT / "datasets")
    first, second = batches.grade_parcel(parcel, data), batches.grade_parcel(parcel, data)
    assert first.results == second.results and first.results["ana"]["success"]
    assert first.files.keys() == second.files.keys()
    assert {n: _untimed(r) if n.endswith(".ipynb") else r for n, r in first.files.items()} == \
        {n: _untimed(r) if n.endswith(".ipynb") else r for n, r in second.files.items()}
    assert {name.split("/")[0] for name in first.files} == {"autograded", "feedback"}


def test_a_parcel_carries_no_other_learner_and_no_gradebook_entry(tmp_path):
    course = copy_course(tmp_path / "course")
    (course / "submitted" / "zed" / NAME).mkdir(parents=True)
    shutil.copy(course / "exercises" / NAME / f"{NAME}.ipynb", course / "submitted" / "zed" / NAME)
    inbox = tmp_path / "inbox"
    hand_in(inbox, "ana", release_notebook(NAME))
    gradebook.scratch_gradebook(course, NAME, tmp_path / "blank.db")
    parcel = batches.pack(course, NAME, collect(inbox, NAME, tmp_path), (tmp_path / "blank.db").read_bytes(), 60, True)
    assert parcel.students == ["ana"]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{tmp_path / 'blank.db'}") as book:
        assert [a.name for a in book.assignments] == [NAME] and book.students == []
        assert book.find_assignment(NAME).max_score > 0  # it knows the points, and no one's grades


def test_a_parcel_carries_no_gradebook_password(tmp_path):
    """Workers grade into a scratch gradebook: the course's address travels, its password does not."""
    course = copy_course(tmp_path / "course")
    with (course / "nbgrader_config.py").open("a") as config:
        config.write("\nc.CourseDirectory.db_url = 'postgresql+psycopg://grader:s3cr@t-pw@db.local/class'\n")
    inbox = tmp_path / "inbox"
    hand_in(inbox, "ana", release_notebook(NAME))
    parcel = batches.pack(course, NAME, collect(inbox, NAME, tmp_path), b"", 60, True)
    sent = "\n".join(parcel.config_files)
    assert "s3cr" not in sent and "t-pw" not in sent
    assert "postgresql+psycopg://grader:***@db.local/class" in sent


def test_the_data_is_unpacked_once_per_worker_in_a_private_folder(tmp_path):
    folder = tmp_path / "data"
    (folder / "lumen").mkdir(parents=True)
    (folder / "lumen" / "company.json").write_text("{}")
    data = batches.Data.of(folder)
    assert data.digest == batches.Data.of(folder).digest  # the same bytes, the same name
    first = data.folder()
    try:
        assert (first / "lumen" / "company.json").read_text() == "{}"
        assert first.stat().st_mode & 0o777 == 0o700  # no other user of a hub can plant or read data there
        (first / "marker").write_text("kept")
        assert data.folder() == first and (first / "marker").exists()  # found, not unpacked again
        shutil.rmtree(first)
        assert (data.folder() / "lumen" / "company.json").exists()  # unpacked again once removed
    finally:
        shutil.rmtree(data.folder())


def test_a_worker_without_a_sandbox_refuses_to_grade(tmp_path, monkeypatch):
    from smarketing.grading import sandbox

    monkeypatch.setattr(sandbox, "available", lambda: False)
    parcel = batches.Parcel(NAME, [], b"", b"", {"ana": {}}, 60, True)
    with pytest.raises(grading.GradingError, match="bubblewrap"):
        batches.grade_parcel(parcel, batches.Data("0", b""))


def test_no_scheduler_at_the_address_says_how_to_start_one(tmp_path, monkeypatch):
    from tests.conftest import ROOT

    monkeypatch.setenv("SMARKETING_DATA", str(ROOT / "datasets"))
    course = copy_course(tmp_path / "course")
    inbox = tmp_path / "inbox"
    hand_in(inbox, "ana", release_notebook(NAME))
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(grading.GradingError, match="dask scheduler"):
        grading.grade(NAME, course, source=inbox, scheduler=f"tcp://127.0.0.1:{port}")
    assert not (course / "grades.csv").exists()


def test_batches_on_a_cluster_are_small_and_cover_the_class():
    class Cluster:
        def nthreads(self):
            return {"a": 1, "b": 1, "c": 1}

    class_of = [Submission(f"s{n:03d}", None) for n in range(95)]
    cut = grading._batches(class_of, None, Cluster())
    assert sorted(s.student for batch in cut for s in batch) == sorted(s.student for s in class_of)
    assert max(len(b) for b in cut) <= grading.CLUSTER_BATCH and len(cut) >= 2 * 3
    assert len(grading._batches(class_of, 4, None)) == 4  # here: one batch per parallel grader
