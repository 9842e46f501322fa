"""`smarketing grade` end to end, with the real nbgrader: full marks, zero and partial credit for every
assignment, hidden tests that cost points, tampering flagged and worth nothing, feedback without hidden
tests, broken submissions graded and reported without stopping the batch, nbgrader's layout with
timestamps and late penalties, a class zip through the command line, and work never overwritten."""

from __future__ import annotations

import csv
import html
import json
import re
import zipfile
from pathlib import Path

import nbformat
import pytest

from smarketing import grading
from smarketing.exercises import tasks
from smarketing.grading import gradebook
from smarketing.grading.report import cell_means
from tests.conftest import ROOT
from tests.grading.conftest import (
    ASSIGNMENTS,
    HIDDEN,
    cell_points,
    copy_course,
    hand_in,
    release_notebook,
    source_notebook,
)

pytestmark = pytest.mark.sandbox


def _hidden_lines(name: str) -> set[str]:
    lines = set()
    for block in HIDDEN.findall("\n".join(c.source for c in source_notebook(name).cells)):
        lines |= {line.strip() for line in block.splitlines() if len(line.strip()) >= 12}
    return lines


def _leaked_hidden_lines(feedback: Path, name: str) -> list[str]:
    """Hidden-test lines that a feedback page shows, as a reader sees it (highlighting tags and ANSI colours
    of tracebacks removed)."""
    text = html.unescape(re.sub(r"<[^>]+>", "", feedback.read_text(encoding="utf-8")))
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return sorted(line for line in _hidden_lines(name) if line in text)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_grading_full_blank_and_partial(name, course, tmp_path):
    source, release = source_notebook(name), release_notebook(name)
    points = cell_points(source)
    first_answer = next(c.metadata["nbgrader"]["grade_id"] for c in source.cells
                        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code")
    task = first_answer.removesuffix("-answer")
    first_checks = {g: p for g, p in points.items() if re.match(rf"{task}[a-z]?-check$", g)}
    assert first_checks, f"{name}: the first task's check cells are named {task}-check"
    inbox = tmp_path / "inbox"
    hand_in(inbox, "full", grading.answered(release, source))
    hand_in(inbox, "blank", release)
    hand_in(inbox, "partial", grading.answered(release, source, [first_answer]))
    results = {r.student: r for r in grading.grade(name, course, source=inbox, cell_timeout=60)}
    auto_max = sum(points.values())
    assert results["full"].score == auto_max, results["full"]  # the reflection waits for a human
    assert results["full"].max_score == sum(cell_points(source, code_only=False).values())
    assert results["blank"].score == 0
    assert results["partial"].score == sum(first_checks.values())
    assert not results["full"].problems and not results["blank"].problems, (results["full"], results["blank"])
    grades = (course / "grades.csv").read_text()
    assert f"{name},,,full," in grades and (course / "feedback" / "full" / name / f"{name}.html").exists()
    report = (course / "reports" / f"{name}.html").read_text()
    assert report.count("<h2>") >= 2
    assert "vegaEmbed" in report and "https://vega.github.io/schema/vega-lite/" in report  # the Altair chart,
    assert f"{name}: points per graded cell" in report and "Score distribution" in report  # both of its parts,
    spec = json.loads(re.search(r"const spec = (\{.*?\});\n", report, re.DOTALL).group(1))  # with its data
    charted = {row["cell"] for dataset in spec["datasets"].values() for row in dataset if "cell" in row}
    assert charted == set(cell_points(source, code_only=False))
    means = cell_means(list(results.values())).set_index("cell")  # what the chart shows, cell by cell
    assert means["points"].to_dict() == cell_points(source, code_only=False)
    for cell in points:  # full earns each cell, blank none, partial only the first task's
        assert means.loc[cell, "share_earned"] == pytest.approx((2 if cell in first_checks else 1) / 3), cell
    manual = set(cell_points(source, code_only=False)) - set(points)
    assert {c for c in means.index if means.loc[c, "graded"].startswith("by hand")} == manual
    for student in ("full", "blank", "partial"):  # the feedback shows no hidden test, in source or tracebacks
        page = course / "feedback" / student / name / f"{name}.html"
        assert _leaked_hidden_lines(page, name) == [], (student, _leaked_hidden_lines(page, name)[:3])


def _cell(cells, grade_id):
    return next(c for c in cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _variant(inbox: Path, solved: nbformat.NotebookNode, student: str, change) -> None:
    notebook = nbformat.from_dict(json.loads(json.dumps(solved)))
    change(notebook.cells)
    hand_in(inbox, student, notebook)


def _append(grade_id: str, code: str):
    def change(cells):
        _cell(cells, grade_id).source += "\n" + code
    return change


# Per assignment: an answer made slightly inexact (so the visible check still passes and only the hidden
# test notices), and the check cell that must lose its points for it.
CLOSE = {
    "00_start_here": ("q2-answer", "lumen_mql_share = round(lumen_mql_share, 5)", "q2-check"),
    "01_roles": ("q2-answer", "sales_off_share = round(sales_off_share, 6)", "q2-check"),
    "02_kpis": ("q4-answer", "lag_days = round(lag_days, 3)", "q4-check"),
    "03_funnel_handoff": ("q2-answer", 'conversion["rate"] = conversion["rate"].round(6)', "q2b-check"),
    "04_pipeline_forecasting": ("q2-answer", "weighted_forecast = weighted_forecast * (1 + 1e-5)", "q2-check"),
    "05_alignment": ("q4-answer", "by_segment = by_segment.round(6)", "q4a-check"),
    "06_career_paths": ("q3-answer", "function_transitions = function_transitions.round(6)", "q3b-check"),
    "07_capstone": ("q3-answer", "speed_gap = round(speed_gap, 5)", "q3-check"),
}
EXPLOIT = "from smarketing.exercises.task import Task; Task.check = lambda self: print('ok'); expect = lambda *a, **k: None"
WRONG_03 = {  # wrong answers to every task of exercise 03, behind the audit's exploit
    "q1-answer": EXPLOIT + "\nmql_to_sql_rate = 0.5",
    "q2-answer": "conversion = pd.DataFrame({'from_stage': ['lead'], 'to_stage': ['mql'], 'entered': [10], "
                 "'converted': [5], 'rate': [0.5]})",
    "q3-answer": "def leakage_rate(leads, sla_minutes):\n    return 0.1",
    "q4-answer": "def lowest_threshold(leads, opportunities, capacity_per_month):\n    return 40\n\n\nthreshold = 40",
    "q5-answer": "revenue_share_kept = 0.5",
    "q6-answer": "scoring_rule = {'threshold': 0}",  # every lead an MQL: far beyond sales' capacity
}
HARD_CODED_MONTHS = '''def lowest_threshold(leads, opportunities, capacity_per_month):
    tradeoff = funnel.mql_threshold_tradeoff(leads, opportunities, range(101))
    return int(tradeoff.loc[tradeoff["mqls"] / 24 <= capacity_per_month, "threshold"].min())


threshold = lowest_threshold(leads, opportunities, 2 / 3 * leads["mql_at"].notna().sum() / 24)'''


def _broken_class(name: str, inbox: Path) -> None:
    """One endless loop, one exception and one inexact answer per assignment; for exercise 03, every kind of
    broken submission, the audit's exploit and a function that only the hidden test catches."""
    source, release = source_notebook(name), release_notebook(name)
    solved = grading.answered(release, source)
    last_answer = [c.metadata["nbgrader"]["grade_id"] for c in source.cells
                   if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"][-1]
    _variant(inbox, solved, "loops", _append(last_answer, "while True:\n    pass"))
    _variant(inbox, solved, "raises", lambda cells: cells.insert(3, nbformat.v4.new_code_cell("raise RuntimeError('my bug')")))
    answer, code, _check = CLOSE[name]
    _variant(inbox, solved, "close", _append(answer, code))
    if name != "03_funnel_handoff":
        return
    _variant(inbox, solved, "deletes", lambda cells: cells.remove(_cell(cells, "q1-check")))
    _variant(inbox, solved, "nosetup", lambda cells: cells.remove(_cell(cells, "setup")))
    _variant(inbox, solved, "edits", lambda cells: (setattr(_cell(cells, "q1-answer"), "source", "mql_to_sql_rate = 0.5"),
                                                    setattr(_cell(cells, "q1-check"), "source", "pass")))
    _variant(inbox, solved, "dies", _append("q3-answer", "import os\nos._exit(1)"))

    def strip(cells):
        for cell in cells:
            cell.metadata.pop("nbgrader", None)

    _variant(inbox, solved, "nometa", strip)
    _variant(inbox, solved, "cheats", lambda cells: [setattr(_cell(cells, g), "source", code)
                                                     for g, code in WRONG_03.items()])
    _variant(inbox, solved, "hardcodes", lambda cells: setattr(_cell(cells, "q4-answer"), "source", HARD_CODED_MONTHS))
    (inbox / "notes.txt").write_text("not a notebook")


@pytest.fixture(scope="module")
def graded_03(tmp_path_factory):
    """Exercise 03's broken class, graded once for the tests below."""
    folder = tmp_path_factory.mktemp("graded_03")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SMARKETING_DATA", str(ROOT / "datasets"))
        course = copy_course(folder / "course")
        _broken_class("03_funnel_handoff", folder / "inbox")
        ticks = []
        results = {r.student: r for r in grading.grade("03_funnel_handoff", course, source=folder / "inbox",
                                                       cell_timeout=10, progress=lambda *tick: ticks.append(tick))}
    return course, results, ticks


def _check_outputs(course: Path, name: str, student: str, grade_id: str) -> list[dict]:
    graded = nbformat.read(course / "autograded" / student / name / f"{name}.ipynb", as_version=4)
    return _cell(graded.cells, grade_id).get("outputs", [])


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_broken_submissions_are_graded_and_reported(name, tmp_path, monkeypatch, request):
    """An endless loop, an exception and an answer only the hidden test rejects, on every assignment (and
    for 03 the whole set, through the graded_03 fixture): each submission is graded, its problem
    reported, and the batch finishes."""
    if name == "03_funnel_handoff":
        course, results, _ticks = request.getfixturevalue("graded_03")
    else:
        monkeypatch.setenv("SMARKETING_DATA", str(ROOT / "datasets"))
        course = copy_course(tmp_path / "course")
        _broken_class(name, tmp_path / "inbox")
        results = {r.student: r for r in grading.grade(name, course, source=tmp_path / "inbox", cell_timeout=10)}
    points = cell_points(source_notebook(name))
    full = sum(points.values())
    assert "ran longer than 10 s" in " ".join(results["loops"].problems), results["loops"]
    assert results["loops"].score == full  # the answer was set before the loop; later cells still ran
    assert "raised RuntimeError: my bug" in " ".join(results["raises"].problems)
    assert results["raises"].score == full
    # M8: the visible check passed, the hidden test did not, and the task lost its points, nothing else
    _answer, _code, check = CLOSE[name]
    assert results["close"].score == full - points[check], results["close"]
    assert results["close"].task_scores[check] == 0 and not results["close"].problems
    outputs = _check_outputs(course, name, "close", check)  # the judge's verdict alone, with the test's message
    assert [o.get("ename") for o in outputs] == ["AssertionError"] and "close but not exact" in outputs[0]["evalue"]
    rows = {row["student_id"]: row for row in csv.DictReader((course / "grades.csv").open())}
    for student in ("loops", "raises", "close"):
        assert float(rows[student]["score"]) == results[student].score


def test_broken_submissions_of_03_each_say_what_happened(graded_03):
    course, results, _ticks = graded_03
    name = "03_funnel_handoff"
    points = cell_points(source_notebook(name))
    full = sum(points.values())
    assert "cell q1-check was deleted; the grader put it back" in " ".join(results["deletes"].problems)
    assert results["deletes"].score == full  # the check was put back and run
    assert results["nosetup"].problems == ["cell setup was deleted; the grader put it back."]
    assert results["nosetup"].score == full  # the setup cell really was put back: no NameErrors
    assert "locked cell q1-check was edited" in " ".join(results["edits"].problems)
    assert results["edits"].score == full - points["q1-check"]  # the restored check fails 0.5
    died = " ".join(results["dies"].problems)
    assert "the kernel died in cell q3-answer" in died, results["dies"]
    assert results["dies"].score == points["q1-check"] + points["q2a-check"] + points["q2b-check"]  # before it
    assert "this notebook is not the released one: its cells lost their nbgrader ids" in results["nometa"].problems[0]
    assert results["nometa"].score == 0
    assert "not a notebook" in " ".join(results["notes"].problems) and results["notes"].score == 0
    assert set((course / "grades.csv").read_text().split()) >= {f"{name},,,{s},,,,{results[s].score:.1f},0.0,"
                                                                 f"{results[s].score:.1f},{results[s].max_score:.1f}"
                                                                 for s in ("loops", "notes", "nometa", "dies")}


def test_the_audit_exploit_scores_zero_and_is_flagged(graded_03):
    """Task.check patched to print "ok", expect rebound, wrong answers everywhere: 11 of 11 before."""
    _course, results, _ticks = graded_03
    cheat = results["cheats"]
    assert cheat.score == 0 and all(cheat.task_scores[f"{t.name}-check"] == 0 for t in tasks("03_funnel_handoff"))
    flagged = [p for p in cheat.problems if p.startswith("possible tampering with the checks in cell q1-answer: "
                                                         "review by hand")]
    assert flagged and "Task.check" in flagged[0] and "expect" in flagged[0], cheat.problems
    assert not any("tampering" in p for s, r in results.items() if s != "cheats" for p in r.problems)


def test_a_hidden_test_that_fails_costs_the_task_its_points(graded_03):
    """24 months written into task 4's function: right for ferro's two years, so the visible check passes;
    the hidden test gives it ferro's first year alone, and task 4 loses its 2 points under nbgrader."""
    course, results, _ticks = graded_03
    name = "03_funnel_handoff"
    points = cell_points(source_notebook(name))
    namespace = {}
    learner_code = "from smarketing import funnel\n" + HARD_CODED_MONTHS.split("\n\n\nthreshold")[0]
    exec(compile(learner_code, "answer", "exec"), namespace)  # noqa: S102 - the learner's cell, as the kernel runs it
    q4 = next(t for t in tasks(name) if t.name == "q4")
    from smarketing.exercises import ex03_funnel_handoff

    threshold = ex03_funnel_handoff.threshold_within(ex03_funnel_handoff.sales_capacity())
    answers = {"lowest_threshold": namespace["lowest_threshold"], "threshold": threshold}
    assert q4.judge(answers["lowest_threshold"], answers)[0] == "correct"
    assert results["hardcodes"].score == sum(points.values()) - points["q4-check"], results["hardcodes"]
    outputs = _check_outputs(course, name, "hardcodes", "q4-check")
    assert any("count the months of the data you are given" in o.get("evalue", "") for o in outputs), outputs
    feedback = course / "feedback" / "hardcodes" / name / f"{name}.html"
    assert "count the months of the data you are given" in feedback.read_text()  # the learner learns why
    assert _leaked_hidden_lines(feedback, name) == []  # but not how the test is written


def test_the_progress_bar_moves_with_each_notebook(graded_03):
    """Two batches of several notebooks each: one tick per notebook graded, not one per batch."""
    _course, results, ticks = graded_03
    gradable = sum(1 for r in results.values() if r.path is not None)
    assert gradable >= 8
    assert ticks == [(done, gradable) for done in range(1, gradable + 1)]


def test_default_source_is_nbgrader_layout_with_timestamps_and_late_penalties(course):
    """submitted/<student>/<assignment>/ holds every assignment a student handed in: only the one being
    graded is taken, and its timestamp.txt reaches the gradebook, grades.csv and the late penalty."""
    from nbgrader.api import Gradebook

    name = "03_funnel_handoff"
    with (course / "nbgrader_config.py").open("a") as config:
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    solved = grading.answered(release_notebook(name), source_notebook(name))
    for student, when in (("ana", "2025-03-02 09:00:00 UTC"), ("bob", "2025-02-27 18:30:00 UTC")):
        hand_in(course / "submitted" / student / name, name, solved)
        (course / "submitted" / student / name / "timestamp.txt").write_text(when + "\n")
    hand_in(course / "submitted" / "ana" / "02_kpis", "02_kpis", release_notebook("02_kpis"))
    (course / "submitted" / "ana" / "02_kpis" / "timestamp.txt").write_text("2025-01-10 10:00:00 UTC\n")
    gradebook.prepare_gradebook(course, name)
    with Gradebook(gradebook.folders(course).db_url) as book:
        book.update_or_create_assignment(name, duedate="2025-03-01 00:00:00 UTC")
    results = {r.student: r for r in grading.grade(name, course)}
    full = sum(cell_points(source_notebook(name)).values())
    assert sorted(results) == ["ana", "bob"]  # no phantom student "02_kpis"
    assert results["ana"].problems == [f"handed in 33.0 h after the due date; the late penalty took {full:g} of "
                                       f"{full:g} point(s)."], results["ana"]  # with its reason
    assert not results["bob"].problems  # on time: timestamp.txt is no problem
    full = sum(cell_points(source_notebook(name)).values())
    rows = {row["student_id"]: row for row in csv.DictReader((course / "grades.csv").open()) if row["assignment"] == name}
    assert sorted(rows) == ["ana", "bob"]
    assert rows["ana"]["timestamp"].startswith("2025-03-02 09:00:00") and rows["bob"]["timestamp"].startswith("2025-02-27")
    assert float(rows["ana"]["raw_score"]) == full and float(rows["ana"]["late_submission_penalty"]) == full
    assert float(rows["ana"]["score"]) == 0 == results["ana"].score  # late, and the course charges zero
    assert float(rows["bob"]["score"]) == full and float(rows["bob"]["late_submission_penalty"]) == 0


def test_the_grade_command_reads_a_class_zip(course, tmp_path, capsys):
    """`smarketing grade 03_funnel_handoff --from class.zip`, the zip as macOS's Compress makes it: one
    class/ folder around the notebooks, and __MACOSX/ beside it."""
    from smarketing import cli

    name = "03_funnel_handoff"
    archive = tmp_path / "class.zip"
    solved = nbformat.writes(grading.answered(release_notebook(name), source_notebook(name)))
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("class/ana.ipynb", solved)
        zipped.writestr("class/bob.ipynb", nbformat.writes(release_notebook(name)))
        zipped.writestr("class/.DS_Store", "\0")
        zipped.writestr("__MACOSX/class/._ana.ipynb", "resource fork")
    assert cli.main(["grade", name, "--from", str(archive), "--course", str(course), "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    full = sum(cell_points(source_notebook(name)).values())
    total = sum(cell_points(source_notebook(name), code_only=False).values())
    rows = {row["student_id"]: row for row in csv.DictReader((course / "grades.csv").open())}
    assert sorted(rows) == ["ana", "bob"]
    assert (float(rows["ana"]["score"]), float(rows["ana"]["max_score"])) == (full, total)
    assert float(rows["bob"]["score"]) == 0
    assert f"ana: {full:g} / {total:g}" in out and "bob: 0 /" in out and "—" not in out  # no problems reported
    assert (course / "submitted" / "ana" / name / f"{name}.ipynb").exists()


def test_grading_refuses_to_replace_a_different_submission(course, tmp_path):
    name = "03_funnel_handoff"
    inbox = tmp_path / "inbox"
    hand_in(inbox, "ana", release_notebook(name))
    existing = course / "submitted" / "ana" / name
    existing.mkdir(parents=True)
    (existing / f"{name}.ipynb").write_text("{}")
    with pytest.raises(grading.GradingError, match="already exist and differ"):
        grading.grade(name, course, source=inbox)
    assert (existing / f"{name}.ipynb").read_text() == "{}"  # the student's work is untouched
    with pytest.raises(grading.GradingError, match="No assignment 'nope'"):
        grading.grade("nope", course, source=inbox)


def test_honest_oddities_never_cost_a_point(course, tmp_path):
    """A copied answer cell (a repeated grade id), a function that writes to stderr and warns when the check
    calls it, and a byte that is not UTF-8: full marks, each oddity said in one sentence, none for stderr."""
    name = "03_funnel_handoff"
    source, release = source_notebook(name), release_notebook(name)
    solved = grading.answered(release, source)
    inbox = tmp_path / "inbox"

    def copied(cells):  # as Jupyter pastes a cell: the same metadata, a new cell id
        copy = nbformat.from_dict(json.loads(json.dumps(_cell(cells, "q1-answer"))))
        copy["id"] = "pasted-copy"
        cells.insert(next(i for i, c in enumerate(cells) if _grade_id(c) == "q1-answer") + 1, copy)

    _variant(inbox, solved, "copies", copied)
    _variant(inbox, solved, "warns", _append("q3-answer", (
        "import sys, warnings\n_plain = leakage_rate\n\n\ndef leakage_rate(leads, sla_minutes):\n"
        "    print('debug: computing', file=sys.stderr)\n    warnings.warn('a learner warning')\n"
        "    return _plain(leads, sla_minutes)")))
    noted = nbformat.from_dict(json.loads(json.dumps(solved)))
    noted.cells.append(nbformat.v4.new_markdown_cell("My notes: caf\u00e9"))
    encoded = nbformat.writes(noted).encode("utf-8")
    assert encoded.count("caf\u00e9".encode()) == 1
    (inbox / "latin.ipynb").write_bytes(encoded.replace("caf\u00e9".encode(), b"caf\xe9"))  # é saved as Latin-1
    results = {r.student: r for r in grading.grade(name, course, source=inbox, cell_timeout=60)}
    full = sum(cell_points(source).values())
    assert {student: r.score for student, r in results.items()} == dict.fromkeys(("copies", "warns", "latin"), full)
    assert results["copies"].problems == ["cell q1-answer appears more than once (a copied cell?); the first was "
                                          "graded, the copies ran as your own cells."]
    assert results["warns"].problems == []
    assert results["latin"].problems == ['latin.ipynb had 1 byte(s) that are not UTF-8 text; they were read as "�" '
                                         "and the notebook was graded."]


def _grade_id(cell) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")
