"""The gradebook's scores as the CSV file a learning platform imports: ``smarketing export --lms canvas|moodle``.

Students are matched on nbgrader's ``lms_user_id`` (a column of nbgrader's Student table: ``nbgrader db student add
ID --lms-user-id=…``, or ``nbgrader db student import students.csv`` with an ``lms_user_id`` column). A student
without one cannot be matched by the platform: they are left out of the file and reported, never written as a row
with an empty identifier.

Scores are the ones grades.csv gives (nbgrader's own CSV export): the submission's score minus its late penalty,
floored at 0, one column per assignment that something was handed in for. A student with no submission of an
assignment has no grade there, which is not a 0: Canvas gets an empty cell, Moodle gets ``-`` (why: see
:func:`moodle_csv`). Numbers are written with a dot, no thousands separator and at most two decimals, whatever the
locale.

The formats, from the platforms' own importers:

* Canvas, Grades > Import (``GradebookImporter`` in instructure/canvas-lms, app/models/gradebook_importer.rb): a
  header ``Student, ID, SIS User ID, SIS Login ID, Section`` and then one column per assignment; a row whose first
  cell says ``Points Possible`` gives each assignment's points. A student is matched by the Canvas user id in ``ID``,
  else by ``SIS User ID``, else by ``SIS Login ID``, else by name. An assignment column is matched by
  ``Title (canvas id)``, else by its title alone; any other column creates a new assignment.
* Moodle, Grades > Import > CSV file (gradeimport_csv, grade/import/csv/classes/load_data.php): a header row and one
  row per student; the import form maps one column to the user ("Map from") and says which user field it holds
  ("Map to": username, ID number, email address or user id), and maps each other column to a grade item or a new one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from smarketing.grading import gradebook
from smarketing.grading.gradebook import GradingError
from smarketing.messages import _

LMS = ("canvas", "moodle")
CANVAS_ID_COLUMNS = ("SIS User ID", "ID", "SIS Login ID")  # the columns Canvas matches a student on, besides the name
CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_ID_COLUMN = "lms_user_id"
MOODLE_NO_GRADE = "-"


@dataclass(frozen=True)
class StudentRow:
    """One student the platform can match: nbgrader's id, the LMS's id, a name, and a score per assignment handed
    in (an assignment missing from ``scores`` has no submission)."""

    student: str
    lms_id: str
    name: str
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Grades:
    """What an export writes: the graded assignments with their points, the students the platform can match, and
    the nbgrader ids of those it cannot (no ``lms_user_id``)."""

    assignments: list[str]
    points: dict[str, float]
    students: list[StudentRow]
    unmatched: list[str]


@dataclass(frozen=True)
class ExportResult:
    """The file written, for which platform, what is in it, and the students left out for want of an
    ``lms_user_id``."""

    path: Path
    lms: str
    students: int
    assignments: list[str]
    unmatched: list[str]


def number(value: float) -> str:
    """``value`` with a dot, no thousands separator and at most two decimals (half up), trailing zeros dropped:
    ``7.125`` → ``7.13``, ``9.0`` → ``9``. The same in every locale."""
    text = format(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def read_grades(book) -> Grades:  # noqa: ANN001 - nbgrader's Gradebook, opened by the caller
    """The scores of an open nbgrader gradebook, as grades.csv computes them (score minus late penalty, at least 0),
    for every assignment with at least one submission.

    Raises:
        GradingError: nothing handed in yet, nobody has an ``lms_user_id``, or two students share one.
    """
    graded = sorted((a for a in book.assignments if a.submissions), key=lambda a: a.name)
    if not graded:
        raise GradingError(_("Nothing has been graded yet, so there is nothing to export. Grade an assignment "
                             "first: smarketing grade <assignment>."))
    scores: dict[str, dict[str, float]] = {}
    for assignment in graded:
        for submission in assignment.submissions:
            penalty = float(submission.late_submission_penalty or 0.0)
            scores.setdefault(submission.student_id, {})[assignment.name] = max(0.0, float(submission.score) - penalty)
    students, unmatched, owners = [], [], {}
    for student in sorted(book.students, key=lambda s: s.id):
        lms_id = (student.lms_user_id or "").strip()
        if not lms_id:
            unmatched.append(student.id)
            continue
        if lms_id in owners:
            raise GradingError(_("Students {first} and {second} have the same lms_user_id {lms_id}: the platform would "
                                 "give one of them the other's grades. Correct it with: nbgrader db student add "
                                 "<id> --lms-user-id=<their LMS id>.", first=owners[lms_id], second=student.id,
                                 lms_id=lms_id))
        owners[lms_id] = student.id
        names = [n.strip() for n in (student.last_name, student.first_name) if n and n.strip()]
        students.append(StudentRow(student.id, lms_id, ", ".join(names) or student.id, scores.get(student.id, {})))
    if not students:
        raise GradingError(_(
            "No student in the gradebook has an lms_user_id, so the platform could match none of them. Set it from "
            "the platform's roster: nbgrader db student import students.csv (a CSV file with the columns id and "
            "lms_user_id), or one student at a time: nbgrader db student add <id> --lms-user-id=<their LMS id>."))
    return Grades([a.name for a in graded], {a.name: float(a.max_score) for a in graded}, students, unmatched)


def _write(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def canvas_csv(grades: Grades, id_column: str = "SIS User ID") -> str:
    """The CSV file Canvas imports in Grades > Import.

    Columns ``Student, ID, SIS User ID, SIS Login ID, Section``, then one per assignment named as in nbgrader: Canvas
    updates the assignment with that title, or creates it on the first import. The second row, ``Points Possible``,
    gives each assignment nbgrader's points. Each student's ``lms_user_id`` goes in ``id_column``: ``SIS User ID``
    (the default; the institution's student id), ``ID`` (Canvas's own number for the user) or ``SIS Login ID``; the
    other two stay empty, and ``Student`` holds "Last, First" (Canvas's last resort when no id matches).

    A student with no submission of an assignment gets an empty cell there, as in Canvas's own export: no grade,
    not a 0.
    """
    if id_column not in CANVAS_ID_COLUMNS:
        raise GradingError(_("Canvas matches students on {columns}, not on '{column}'.",
                             columns=", ".join(CANVAS_ID_COLUMNS), column=id_column))
    where = CANVAS_STUDENT_COLUMNS.index(id_column)
    rows = [[*CANVAS_STUDENT_COLUMNS, *grades.assignments],
            ["Points Possible", "", "", "", "", *(number(grades.points[a]) for a in grades.assignments)]]
    for student in grades.students:
        cells = [student.name, "", "", "", ""]
        cells[where] = student.lms_id
        rows.append(cells + [number(student.scores[a]) if a in student.scores else "" for a in grades.assignments])
    return _write(rows)


def moodle_csv(grades: Grades) -> str:
    """The CSV file Moodle imports in Grades > Import > CSV file.

    A header ``lms_user_id`` and one column per assignment, named as in nbgrader; one row per student, no other
    rows (Moodle reads every row under the header as a student). In the import form, map from ``lms_user_id`` to the
    user field the ids are (username, ID number or email address) and each assignment to its grade item (a new grade
    item the import makes is out of 100).

    A student with no submission of an assignment gets ``-``, which is what Moodle's own export writes for "no
    grade" and what its import reads as no grade both for an existing grade item and a new one. An empty cell would
    not do: for a new grade item Moodle stores it as a value, and its database layer turns an empty number into 0.
    """
    rows = [[MOODLE_ID_COLUMN, *grades.assignments]]
    for student in grades.students:
        rows.append([student.lms_id, *(number(student.scores[a]) if a in student.scores else MOODLE_NO_GRADE
                                       for a in grades.assignments)])
    return _write(rows)


def export(course: Path, lms: str, to: Path | None = None, id_column: str | None = None) -> ExportResult:
    """Write the course gradebook's scores as ``lms``'s import file (``canvas`` or ``moodle``).

    Args:
        course: the course folder, the one with nbgrader_config.py; its gradebook is wherever that configuration's
            ``db_url`` says (SQLite or PostgreSQL).
        lms: ``"canvas"`` or ``"moodle"``.
        to: the file to write (default: ``grades-<lms>.csv`` in the course folder); replaced if it exists.
        id_column: Canvas only: the column the ``lms_user_id`` goes in (see :func:`canvas_csv`; default
            ``SIS User ID``). Moodle's import form chooses the user field itself.

    Returns:
        The file, the number of students written, the assignments, and the nbgrader ids of the students left out
        for want of an ``lms_user_id`` (the caller says so).

    Raises:
        GradingError: an unknown platform, no gradebook or nothing graded yet, nobody with an ``lms_user_id``, or
            two students with the same one.
    """
    if lms not in LMS:
        raise GradingError(_("No export for '{lms}'. Platforms: {known}.", lms=lms, known=", ".join(LMS)))
    if lms == "moodle" and id_column is not None:
        raise GradingError(_("The id column is for Canvas; in Moodle, the import form says which user field the "
                             "lms_user_id column holds."))
    course = course.resolve()
    db_url = gradebook.folders(course).db_url
    if db_url.startswith("sqlite:///") and not Path(db_url.removeprefix("sqlite:///")).exists():
        # Opening a missing SQLite file would create an empty gradebook.
        raise GradingError(_("There is no gradebook at {path} yet. Grade an assignment first: smarketing grade "
                             "<assignment>.", path=db_url.removeprefix("sqlite:///")))
    with gradebook.open_gradebook(db_url) as book:
        grades = read_grades(book)
    text = canvas_csv(grades, id_column or "SIS User ID") if lms == "canvas" else moodle_csv(grades)
    path = to if to is not None else course / f"grades-{lms}.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return ExportResult(path, lms, len(grades.students), grades.assignments, grades.unmatched)
