"""A hostile class, graded in one batch with honest learners after it: every attack of the class-scale trial
as a submitted notebook, made here in code. Each hostile notebook earns exactly what it truly answered (task 1
of exercise 03, or nothing), no file of the course, the data, the library or another submission changes, no
process outlives the grading, and the honest learners graded after it earn full marks.

The last test grades one attack without the sandbox, on throwaway copies, to show that the attack is real:
the sandbox is what stops it."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from smarketing import grading
from tests.conftest import ROOT
from tests.grading.conftest import cell_points, copy_course, hand_in, release_notebook, source_notebook

pytestmark = pytest.mark.sandbox

NAME = "03_funnel_handoff"
MARKER = "smarketing-hostile-marker-7f3a"  # in the command line of every process an attack leaves behind

# Finds the course, the data and the gradebooks as the trial's kernel did: from every process's command line
# and working folder, and from the folders above its own. It acts only inside CONFINE, the test's own folder
# (set when the notebook is made): should the sandbox fail, the attack wrecks the test's copies, never the
# repository it runs from.
FIND = r'''
import glob, os
CONFINE = "{confine}"
def _places():
    found = {os.getcwd()}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            found |= {p.decode(errors="ignore") for p in open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")}
            found.add(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            pass
    roots = set()
    for place in found:
        if not place.startswith("/"):
            continue
        for parent in [place, *[str(p) for p in __import__("pathlib").Path(place).parents]]:
            if os.path.isfile(os.path.join(parent, "nbgrader_config.py")) or \
                    os.path.isfile(os.path.join(parent, "gradebook.db")):
                roots.add(parent)
    return {root for root in roots if root.startswith(CONFINE)}
ROOTS = _places()
DATA = os.environ.get("SMARKETING_DATA", "") if os.environ.get("SMARKETING_DATA", "").startswith(CONFINE) else ""
'''

ATTACKS = {
    # Gives itself every point in each gradebook it can open, with nbgrader's own API.
    "gradebook": FIND + r'''
from nbgrader.api import Gradebook
for root in ROOTS:
    for db in glob.glob(os.path.join(root, "**", "gradebook.db"), recursive=True):
        try:
            with Gradebook("sqlite:///" + db) as book:
                for student in book.students:
                    for grade in book.find_submission("03_funnel_handoff", student.id).notebooks[0].grades:
                        grade.manual_score = grade.max_score
                book.db.commit()
        except Exception:
            pass
''',
    # A process that outlives the kernel in a session of its own, and rewrites the autograded notebooks later.
    "detached": FIND + rf'''
import subprocess, sys
script = ("import glob, time; time.sleep(8); [open(p, 'w').write('{{}}') for p in glob.glob("
          + repr(CONFINE + "/**/autograded/**/*.ipynb") + ", recursive=True)]")
subprocess.Popen([sys.executable, "-c", script, "{MARKER}"], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:  # and a double-forked daemon
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["/bin/sleep", "300", "{MARKER}"])
    os._exit(0)
''',
    # Publishes a result before every later cell runs: nbgrader read it as the check cell's partial credit.
    "displayhook": r'''
import sys
get_ipython().events.register("pre_run_cell", lambda *args: sys.displayhook(1e9))
''',
    # The four tricks that passed the tampering scan, behind wrong answers.
    "aliases": r'''
import math, sys
run = exec
run("q2a = q3 = None")
type.__setattr__(type(q1), "check", lambda self: print("ok"))
object.__setattr__(math, "isclose", lambda *a, **k: True)
modules = sys.modules
modules["smarketing.exercises"].recheck = lambda *a, **k: None
print.__self__.__import__ = __import__
mql_to_sql_rate = 0.5
''',
    # Damages the course: deletes a dataset file, overwrites the other submissions, plants a package that
    # nbgrader would copy into every later learner's folder, and reads the hidden tests into its feedback.
    "vandal": FIND + r'''
import shutil
for data in [DATA, *[os.path.join(r, "datasets") for r in ROOTS]]:
    for victim in glob.glob(os.path.join(data, "*", "leads.csv")):
        try:
            os.remove(victim)
        except OSError:
            pass
for root in ROOTS:
    for other in glob.glob(os.path.join(root, "**", "submitted", "*", "03_funnel_handoff", "*.ipynb"), recursive=True):
        try:
            open(other, "w").write("{}")
        except OSError:
            pass
    for source in glob.glob(os.path.join(root, "**", "solutions", "03_funnel_handoff"), recursive=True):
        try:
            os.makedirs(os.path.join(source, "evil"), exist_ok=True)
            open(os.path.join(source, "evil", "__init__.py"), "w").write("raise SystemExit('planted')")
        except OSError:
            pass
        for notebook in glob.glob(os.path.join(source, "*.ipynb")):
            try:
                print(open(notebook).read())  # the hidden tests, into its own outputs and feedback
            except OSError:
                pass
''',
    # A loop that ignores the interrupt after its timeout: its kernel is stopped, what ran before keeps its points.
    "stubborn": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n",
    # A right answer to task 1 with a rebinding the tampering scan flags, in the same cell: the task earns nothing
    # until a person reviews it.
    "flagged": "\nexpect = print\n",
    # Reads the expected values out of the checker in its own kernel.
    "closures": r'''
try:
    mql_to_sql_rate = [c.cell_contents for c in q1.verify.__closure__ or ()][0]()
except Exception:
    mql_to_sql_rate = 0.5
''',
}


def _hostile(release, solved, attack: str, confine: Path) -> nbformat.NotebookNode:
    """The release with task 1 answered (as an honest learner would) and the attack in task 2's answer cell (the
    flagged rebinding goes into task 1's)."""
    notebook = nbformat.from_dict(json.loads(json.dumps(release)))
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solved.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "q1-answer":
            cell.source = answers["q1-answer"] + (ATTACKS[attack] if attack == "flagged" else "")
        elif grade_id == "q2-answer" and attack != "flagged":
            cell.source = ATTACKS[attack].replace("{confine}", str(confine.resolve()))
    return notebook


def _digest(*folders: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for folder in folders for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def _left_behind() -> list[str]:
    listing = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if MARKER in line and "ps -eo" not in line]


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "tmp").mkdir()
    data = folder / "datasets"
    shutil.copytree(ROOT / "datasets", data)
    course = copy_course(folder / "course")
    release, source = release_notebook(NAME), source_notebook(NAME)
    solved = grading.answered(release, source)
    inbox = folder / "inbox"
    for attack in ATTACKS:
        hand_in(inbox, f"h_{attack}", _hostile(release, solved, attack, folder))
    for honest in ("z_ana", "z_bob"):  # graded after the attacks, in the same batch
        hand_in(inbox, honest, solved)
    protected = (course / "solutions", course / "exercises", data, ROOT / "src")
    before = _digest(*protected)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SMARKETING_DATA", str(data))
        patch.setattr("tempfile.tempdir", str(folder / "tmp"))  # the batches' private copies, inside the confine
        results = {r.student: r for r in grading.grade(NAME, course, source=inbox, jobs=1, cell_timeout=30)}
    return course, results, before, _digest(*protected), _left_behind()


def test_each_hostile_notebook_earns_only_what_it_answered(graded_class):
    _course, results, *_rest = graded_class
    points = cell_points(source_notebook(NAME))
    for attack in ATTACKS:
        result = results[f"h_{attack}"]
        earned = 0 if attack == "flagged" else points["q1-check"]
        assert result.score == earned, (attack, result.score, result.task_scores, result.problems)
        assert result.task_scores["reflection"] == 0, attack  # the gradebook attack gave itself the reflection too


def test_the_honest_learners_graded_after_them_earn_full_marks(graded_class):
    _course, results, *_rest = graded_class
    full = sum(cell_points(source_notebook(NAME)).values())
    for honest in ("z_ana", "z_bob"):
        assert results[honest].score == full and not results[honest].problems, results[honest]


def test_nothing_of_the_course_the_data_the_library_or_the_others_changed(graded_class):
    course, _results, before, after, _left = graded_class
    assert after == before, sorted(set(after.items()) ^ set(before.items()))[:5]
    assert not (course / "solutions" / NAME / "evil").exists()
    submitted = sorted((course / "submitted").glob(f"*/{NAME}/{NAME}.ipynb"))
    assert len(submitted) == len(ATTACKS) + 2 and all(nbformat.read(p, as_version=4).cells for p in submitted)


def test_no_process_outlives_the_grading(graded_class):
    *_rest, left = graded_class
    assert left == []


def test_the_feedback_shows_no_hidden_test(graded_class):
    course, *_rest = graded_class
    page = (course / "feedback" / "h_vandal" / NAME / f"{NAME}.html").read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in page and "_ex.recheck" not in page


def test_the_tricks_are_flagged_for_review(graded_class):
    course, results, *_rest = graded_class
    for student in ("h_aliases", "h_flagged"):
        assert "possible tampering" in " ".join(results[student].problems), results[student].problems
    graded = nbformat.read(course / "autograded" / "h_flagged" / NAME / f"{NAME}.ipynb", as_version=4)
    check = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1-check")
    assert [o.get("ename") for o in check.outputs] == ["TamperingFlagged"]


def test_without_the_sandbox_the_same_attack_does_harm(tmp_path, monkeypatch):
    """The vandal, graded with --no-sandbox on throwaway copies: the attack is real, so the tests above can
    fail; it is the sandbox that stops it. (Batches grade on copies of the data and the assignment's source,
    so even here the harm lands on the copies, and the hidden tests in the vandal's feedback.)"""
    data = tmp_path / "datasets"
    shutil.copytree(ROOT / "datasets", data)
    course = copy_course(tmp_path / "course")
    release, source = release_notebook(NAME), source_notebook(NAME)
    hand_in(tmp_path / "inbox", "h_vandal", _hostile(release, grading.answered(release, source), "vandal", tmp_path))
    monkeypatch.setenv("SMARKETING_DATA", str(data))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr("smarketing.grading.batches._UNPACKED", {})  # unpacked anew, here, not found from a test before
    with contextlib.suppress(Exception):  # it also wrecked its own submission, which the report then reads
        grading.grade(NAME, course, source=tmp_path / "inbox", jobs=1, cell_timeout=30, sandboxed=False)
    copies = list((tmp_path / "tmp").glob("smarketing-data-*"))
    feedback = course / "feedback" / "h_vandal" / NAME / f"{NAME}.html"
    harmed = [bool(copies) and not (copies[0] / "ferro" / "leads.csv").exists(),
              feedback.exists() and "BEGIN HIDDEN TESTS" in feedback.read_text(encoding="utf-8")]
    assert all(harmed), harmed
