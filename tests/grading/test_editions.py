"""The Chinese edition is graded into the course's one gradebook: a class may hand in both editions of an
assignment. Each notebook is graded against its own edition's release and source (the same grade ids, tests and
points), its hidden tests' messages and its feedback in its language, with no hidden test shown."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest

from smarketing import grading
from smarketing.grading import gradebook
from tests.conftest import ROOT
from tests.grading.conftest import cell_points, copy_course, hand_in
from tests.grading.test_grade import _leaked_hidden_lines

NAME = "03_funnel_handoff"
EDITION = ROOT / "zh_CN"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("SMARKETING_DATA", str(ROOT / "datasets"))
    monkeypatch.delenv("SMARKETING_LANG", raising=False)  # the instructor's own language is English
    scratch = tmp_path_factory.mktemp("editions")
    course = copy_course(scratch / "course")
    shutil.copytree(EDITION / "solutions", course / "zh_CN" / "solutions")
    shutil.copytree(EDITION / "exercises", course / "zh_CN" / "exercises")
    shutil.copy(EDITION / "nbgrader_config.py", course / "zh_CN")
    where, chinese = gradebook.folders(course), gradebook.folders(course / "zh_CN")
    inbox = scratch / "inbox"
    zh_release, zh_source = chinese.release_notebook(NAME), chinese.source_notebook(NAME)
    en_release, en_source = where.release_notebook(NAME), where.source_notebook(NAME)
    hand_in(inbox, "zh-full", grading.answered(zh_release, zh_source))
    hand_in(inbox, "zh-blank", zh_release)
    hand_in(inbox, "en-full", grading.answered(en_release, en_source))
    claimed = grading.answered(en_release, en_source, answers=[])  # a blank English notebook claiming Chinese
    claimed.metadata["smarketing"] = {"language": "zh_CN"}
    hand_in(inbox, "claims-zh", claimed)
    results = {r.student: r for r in grading.grade(NAME, course, source=inbox, cell_timeout=60)}
    yield course, results
    monkeypatch.undo()


def test_one_gradebook_grades_both_editions_alike(graded):
    course, results = graded
    points = sum(cell_points(gradebook.folders(course).source_notebook(NAME)).values())
    assert results["zh-full"].score == results["en-full"].score == points
    assert results["zh-blank"].score == 0 and results["claims-zh"].score == 0
    assert {r.language for r in results.values()} == {"zh_CN", "en"}
    assert results["zh-full"].language == "zh_CN" and results["en-full"].language == "en"
    assert not results["zh-full"].problems and not results["zh-blank"].problems, results
    grades = (course / "grades.csv").read_text(encoding="utf-8")
    assert all(f"{NAME},,,{student}," in grades for student in results)


def test_the_chinese_feedback_is_chinese_and_hides_the_tests(graded):
    course, _ = graded
    autograded = nbformat.read(course / "autograded" / "zh-blank" / NAME / f"{NAME}.ipynb", as_version=4)
    locked = [c for c in autograded.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("locked")]
    assert locked and all(CJK.search(c.source) for c in locked[:3])  # put back from the Chinese source
    checks = [c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade")
              and not c.metadata["nbgrader"].get("solution") and c.cell_type == "code"]
    failures = [o for c in checks for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert failures and all(CJK.search(o["evalue"]) for o in failures), [o["evalue"][:80] for o in failures[:3]]
    english = nbformat.read(course / "autograded" / "claims-zh" / NAME / f"{NAME}.ipynb", as_version=4)
    assert any(CJK.search(o.get("evalue", "")) for c in english.cells for o in c.get("outputs", []))
    for student in ("zh-full", "zh-blank"):
        page = course / "feedback" / student / NAME / f"{NAME}.html"
        text = page.read_text(encoding="utf-8")
        assert CJK.search(text) and '<html lang="zh-CN"' in text and "得分：" in text and "(Score:" not in text
        assert _leaked_hidden_lines(page, NAME) == []
    english = (course / "feedback" / "en-full" / NAME / f"{NAME}.html").read_text(encoding="utf-8")
    assert "(Score:" in english and "得分" not in english  # an English learner's page is nbgrader's own
