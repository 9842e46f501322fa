"""The gradebook where nbgrader's configuration says it is: a system-wide nbgrader_config.py (a hub's) is read
as nbgrader reads it, grades land in the gradebook its ``db_url`` names, PostgreSQL for a class, and nothing
writes a gradebook of its own beside it."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

from smarketing import grading
from smarketing.grading import gradebook
from tests.conftest import ROOT
from tests.grading.conftest import cell_points, hand_in, release_notebook, source_notebook
from tests.servers import start_postgres

NAME = "00_start_here"


def _class(inbox) -> None:
    hand_in(inbox, "ana", grading.answered(release_notebook(NAME), source_notebook(NAME)))
    hand_in(inbox, "bob", release_notebook(NAME))


def test_the_system_wide_config_is_read_as_nbgrader_reads_it(course, tmp_path, monkeypatch):
    """A hub sets the course id, the exchange and the gradebook in /etc/jupyter/nbgrader_config.py; the
    course's own file still wins where both set an option."""
    system = tmp_path / "etc-jupyter"
    system.mkdir()
    book = tmp_path / "srv" / "class.db"
    book.parent.mkdir()
    (system / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{book}'\n"
        "c.Exchange.root = '/srv/nbgrader/exchange'\n"
        "c.CourseDirectory.course_id = 'overridden-by-the-course'\n")
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(system))
    assert system / "nbgrader_config.py" in gradebook.config_files(course)
    settings = gradebook.config(course, course)
    assert settings.Exchange.root == "/srv/nbgrader/exchange"
    assert settings.CourseDirectory.course_id == "smarketing-lab"  # the course's file comes last
    assert gradebook.folders(course).db_url == f"sqlite:///{book}"

    inbox = tmp_path / "inbox"
    _class(inbox)
    results = {r.student: r.score for r in grading.grade(NAME, course, source=inbox, cell_timeout=60)}
    assert not (course / "gradebook.db").exists()  # no private gradebook beside the configured one
    with gradebook.open_gradebook(f"sqlite:///{book}") as opened:
        stored = {s.student_id: float(s.score) for s in opened.find_assignment(NAME).submissions}
    assert stored == results == {"ana": sum(cell_points(source_notebook(NAME)).values()), "bob": 0.0}


def test_a_class_gradebook_on_postgresql(course, tmp_path):
    """`smarketing grade` merges into the PostgreSQL gradebook of nbgrader_config.py, where `nbgrader export`
    (and so the formgrader) reads the same scores."""
    server = start_postgres()
    try:
        url = server.database("smarketing_lab")
        with (course / "nbgrader_config.py").open("a") as config:
            config.write(f"\nc.CourseDirectory.db_url = {url!r}\n")
        inbox = tmp_path / "inbox"
        _class(inbox)
        results = {r.student: r.score for r in grading.grade(NAME, course, source=inbox, cell_timeout=60)}
        assert results["ana"] > 0 == results["bob"]
        assert not list(course.rglob("*.db"))  # every grade went to PostgreSQL
        exported = tmp_path / "export.csv"
        subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--CsvExportPlugin.to={exported}"], cwd=course,
                       env=gradebook.tools_env(), check=True, capture_output=True, text=True)
        rows = {r["student_id"]: float(r["score"]) for r in csv.DictReader(exported.open()) if r["assignment"] == NAME}
        assert rows == results
        # Grading again (a corrected hidden test, a late notebook) updates the same rows, adds none.
        hand_in(inbox, "cai", release_notebook(NAME))
        grading.grade(NAME, course, source=inbox, cell_timeout=60)
        with gradebook.open_gradebook(url) as opened:
            assert sorted(s.id for s in opened.students) == ["ana", "bob", "cai"]
            assert len(opened.find_assignment(NAME).submissions) == 3
    finally:
        server.stop()


def test_a_gradebook_without_its_driver_says_what_to_install(course, tmp_path):
    with (course / "nbgrader_config.py").open("a") as config:
        config.write("\nc.CourseDirectory.db_url = 'postgresql+pg8000://grader:s3cret@db.example/class'\n")
    with pytest.raises(grading.GradingError, match=r"pg8000.*smarketing\[hub\]") as raised:
        gradebook.prepare_gradebook(course, NAME)
    assert "s3cret" not in str(raised.value)  # the password stays out of the message and the log


def test_an_installed_package_finds_its_data_without_smarketing_data(tmp_path):
    """A hub's learners and a cluster's workers have the package installed, not the repository: the datasets
    come with it (smarketing/data), found from any working folder."""
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w",
                    wheels, ROOT], check=True, capture_output=True, text=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", target,
                    *wheels.glob("*.whl")], check=True, capture_output=True, text=True)
    env = {k: v for k, v in gradebook.tools_env().items() if k != "SMARKETING_DATA"}
    found = subprocess.run([sys.executable, "-c", "from smarketing.datasets import datasets_dir, load_company; "
                            "d = datasets_dir(); print(d); print(len(load_company(d / 'argo').tables['leads']))"],
                           cwd=tmp_path, env={**env, "PYTHONPATH": str(target)}, check=True, capture_output=True,
                           text=True).stdout.split()
    assert found[0] == str(target / "smarketing" / "data")
    assert int(found[1]) > 0
