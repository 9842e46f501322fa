"""`smarketing export --lms canvas|moodle`: the gradebook's scores as each platform's import file, matched on
nbgrader's lms_user_id, on a small gradebook built with nbgrader's own API (no grading runs)."""

from __future__ import annotations

import contextlib
import csv
import locale

import pytest

from smarketing.cli import main
from smarketing.grading import GradingError, gradebook, lms

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's own ORM noise

# Two graded assignments (points per cell) and one released that nobody handed in.
CELLS = {"01_roles": {"q1": 4.0, "q2": 6.0}, "02_kpis": {"q1": 5.0, "q2": 7.5}}
# ana: both, 02_kpis handed in late (penalty 1); bob: 01_roles only, a penalty larger than his score; cai: no
# lms_user_id. Each: (assignment, {cell: points}, late penalty).
HANDED_IN = {
    "ana": [("01_roles", {"q1": 4.0, "q2": 3.5}, 0.0), ("02_kpis", {"q1": 5.0, "q2": 2.125}, 1.0)],
    "bob": [("01_roles", {"q1": 2.5, "q2": 0.0}, 5.0)],
    "cai": [("01_roles", {"q1": 4.0, "q2": 6.0}, 0.0), ("02_kpis", {"q1": 1.0, "q2": 1.0}, 0.0)],
}
# By hand: ana 7.5, and 5 + 2.125 - 1 = 6.125 → 6.13 (two decimals, half up); bob max(0, 2.5 - 5) = 0, a real zero,
# and no 02_kpis at all: an empty cell in Canvas, "-" in Moodle.
CANVAS = ("Student,ID,SIS User ID,SIS Login ID,Section,01_roles,02_kpis\r\n"
          "Points Possible,,,,,10,12.5\r\n"
          '"Alves, Ana",,S-1001,,,7.5,6.13\r\n'
          '"Berg, Bob",,S-1002,,,0,\r\n')
MOODLE = ("lms_user_id,01_roles,02_kpis\r\n"
          "S-1001,7.5,6.13\r\n"
          "S-1002,0,-\r\n")


@pytest.fixture(scope="module")
def blank_book(tmp_path_factory) -> bytes:
    """An empty gradebook, made once: nbgrader makes a new one with alembic, seconds each time."""
    path = tmp_path_factory.mktemp("blank") / "gradebook.db"
    with gradebook.open_gradebook(f"sqlite:///{path}"):
        pass
    return path.read_bytes()


def _class(course, blank: bytes, lms_ids=None) -> None:
    lms_ids = {"ana": "S-1001", "bob": "S-1002", "cai": None} if lms_ids is None else lms_ids
    names = {"ana": ("Ana", "Alves"), "bob": ("Bob", "Berg"), "cai": ("Cai", "Chen")}
    url = f"sqlite:///{course / 'gradebook.db'}"
    assert gradebook.folders(course).db_url == url  # the gradebook the export reads, by nbgrader_config.py
    (course / "gradebook.db").write_bytes(blank)
    with gradebook.open_gradebook(url) as book:
        for name, cells in CELLS.items():
            book.add_assignment(name)
            book.add_notebook(name, name)
            for cell, points in cells.items():
                book.add_grade_cell(cell, name, name, max_score=points, cell_type="code")
        book.add_assignment("03_funnel_handoff")  # released, nothing handed in: no column
        for student, (first, last) in names.items():
            book.add_student(student, first_name=first, last_name=last, lms_user_id=lms_ids[student])
        for student, submissions in HANDED_IN.items():
            for name, points, penalty in submissions:
                submission = book.add_submission(name, student)
                for cell, score in points.items():
                    book.find_grade(cell, name, name, student).auto_score = score
                submission.notebooks[0].late_submission_penalty = penalty
        book.db.commit()


@pytest.fixture()
def graded(course, blank_book):
    _class(course, blank_book)
    return course


def test_canvas_file_has_canvas_columns_points_and_empty_cells_for_missing_work(graded, tmp_path):
    result = lms.export(graded, "canvas", tmp_path / "canvas.csv")
    assert (tmp_path / "canvas.csv").read_bytes().decode("utf-8") == CANVAS
    assert (result.lms, result.students, result.assignments, result.unmatched) == (
        "canvas", 2, ["01_roles", "02_kpis"], ["cai"])


def test_moodle_file_has_one_identifier_column_and_a_dash_for_missing_work(graded, tmp_path):
    result = lms.export(graded, "moodle", tmp_path / "moodle.csv")
    assert (tmp_path / "moodle.csv").read_bytes().decode("utf-8") == MOODLE
    assert result.unmatched == ["cai"]
    assert result.path == tmp_path / "moodle.csv"


def test_scores_are_the_ones_grades_csv_gives(graded, tmp_path):
    """The same total as nbgrader's own export (score minus late penalty, at least 0), to two decimals."""
    lms.export(graded, "moodle", tmp_path / "moodle.csv")
    exported = {(row["lms_user_id"], a): row[a] for row in csv.DictReader((tmp_path / "moodle.csv").open())
                for a in CELLS}
    ids = {"ana": "S-1001", "bob": "S-1002"}
    nbgrader = {(r["student_id"], r["assignment"]): float(r["score"])
                for r in csv.DictReader(gradebook.export_grades(graded).open())}
    compared = 0
    for student, submissions in HANDED_IN.items():
        for name, _points, _penalty in submissions:
            if student in ids:
                assert float(exported[ids[student], name]) == pytest.approx(nbgrader[student, name], abs=0.005)
                compared += 1
    assert compared == 3
    assert nbgrader["bob", "02_kpis"] == 0.0 and exported["S-1002", "02_kpis"] == "-"  # grades.csv: 0; here: none


def test_the_canvas_id_column_can_be_canvas_own_user_id(graded, tmp_path):
    lms.export(graded, "canvas", tmp_path / "canvas.csv", id_column="ID")
    rows = list(csv.reader((tmp_path / "canvas.csv").open()))
    assert rows[2][:5] == ["Alves, Ana", "S-1001", "", "", ""]
    with pytest.raises(GradingError, match="Canvas matches students on"):
        lms.export(graded, "canvas", tmp_path / "x.csv", id_column="Email")
    with pytest.raises(GradingError, match="import form"):
        lms.export(graded, "moodle", tmp_path / "x.csv", id_column="ID")


def test_the_locale_does_not_change_the_numbers(graded, tmp_path):
    saved = locale.setlocale(locale.LC_ALL)
    try:
        try:
            locale.setlocale(locale.LC_ALL, "de_DE.UTF-8")
        except locale.Error:
            pytest.skip("no de_DE.UTF-8 locale on this machine")
        assert locale.localeconv()["decimal_point"] == ","  # a locale that would write 6,13
        lms.export(graded, "canvas", tmp_path / "canvas.csv")
        lms.export(graded, "moodle", tmp_path / "moodle.csv")
    finally:
        locale.setlocale(locale.LC_ALL, saved)
    assert (tmp_path / "canvas.csv").read_text(encoding="utf-8") == CANVAS.replace("\r\n", "\n")
    assert (tmp_path / "moodle.csv").read_text(encoding="utf-8") == MOODLE.replace("\r\n", "\n")


def test_numbers_have_a_dot_and_at_most_two_decimals():
    assert [lms.number(v) for v in (0.0, -0.0, 9.0, 10.0, 7.125, 1 / 3, 0.1 + 0.2, 1234.5, 1e-9)] == [
        "0", "0", "9", "10", "7.13", "0.33", "0.3", "1234.5", "0"]


def test_the_cli_writes_the_file_and_names_the_students_left_out(graded, tmp_path, capsys):
    out = tmp_path / "grades-canvas.csv"
    assert main(["export", "--lms", "canvas", "--to", str(out), "--course", str(graded)]) == 0
    assert out.read_bytes().decode("utf-8") == CANVAS
    printed = capsys.readouterr()
    assert "cai" in printed.err and "lms_user_id" in printed.err and "cai" not in printed.out
    assert str(out) in printed.out and "2 student(s)" in printed.out
    assert main(["export", "--lms", "moodle", "--course", str(graded)]) == 0  # default: in the course folder
    assert (graded / "grades-moodle.csv").read_bytes().decode("utf-8") == MOODLE


def test_the_cli_fails_with_how_to_set_lms_user_id_when_nobody_has_one(course, blank_book, tmp_path, capsys):
    _class(course, blank_book, lms_ids={"ana": None, "bob": "  ", "cai": None})
    out = tmp_path / "grades-canvas.csv"
    assert main(["export", "--lms", "canvas", "--to", str(out), "--course", str(course)]) == 1
    err = capsys.readouterr().err
    assert "No student in the gradebook has an lms_user_id" in err
    assert "nbgrader db student import students.csv" in err and "nbgrader db student add" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_two_students_with_one_lms_id_are_refused(course, blank_book, tmp_path):
    _class(course, blank_book, lms_ids={"ana": "S-1001", "bob": "S-1001", "cai": None})
    with pytest.raises(GradingError, match="ana and bob have the same lms_user_id S-1001"):
        lms.export(course, "canvas", tmp_path / "canvas.csv")
    assert not (tmp_path / "canvas.csv").exists()


def test_no_gradebook_yet_is_said_and_none_is_created(course, tmp_path, capsys):
    assert main(["export", "--lms", "moodle", "--course", str(course)]) == 1
    assert "no gradebook" in capsys.readouterr().err
    assert not (course / "gradebook.db").exists()
    with contextlib.suppress(GradingError):
        lms.export(course, "canvas")
    assert not (course / "gradebook.db").exists() and not (course / "grades-canvas.csv").exists()
