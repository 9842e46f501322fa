"""The self-check machinery (``smarketing.exercises.task``): right, wrong (with targeted messages) and
unattempted answers, progressive hints, the assertions the checkers' tests use, and the solution reveal
that only self-study mode allows."""

from __future__ import annotations

import math
import shutil

import nbformat
import pandas as pd
import pytest

from smarketing.exercises.task import (
    SELF_STUDY_VARIABLE,
    Mistake,
    NotAttempted,
    NotYetCorrect,
    Task,
    expect,
    solution_text,
)
from smarketing.exercises.verifiers import number
from tests.conftest import ROOT

HINTS = ("Divide SQLs by MQLs.", "Count the leads with an sql_at among those with an mql_at.")


def _task(space, verify, mistakes=(), hidden=True, hints=HINTS):
    return Task("q1", "rate", verify, hints, mistakes=mistakes, assignment="03_funnel",
                has_hidden_tests=hidden, namespace=lambda: space)


def test_correct_answer_says_more_checks_follow(capsys):
    _task({"rate": 0.25}, number(lambda: 0.25, share=True)).check()
    assert capsys.readouterr().out == "✔ q1: correct, the visible checks passed. More checks run at grading.\n"
    _task({"rate": 0.25}, number(lambda: 0.25), hidden=False).check()
    assert capsys.readouterr().out == "✔ q1: correct, the visible checks passed.\n"


@pytest.mark.parametrize("space", [{}, {"rate": None}, {"rate": ...}])
def test_unattempted_answer(space):
    with pytest.raises(NotAttempted, match="not attempted yet.*defines `rate`") as caught:
        _task(space, number(lambda: 0.25)).check()
    assert "hint" not in str(caught.value)  # nothing to hint at before a first try


@pytest.mark.parametrize(("answer", "message"), [
    (25.0, "looks like a percentage"),
    (1.5, "a rate is a share between 0 and 1"),
    (0.3, "is not the right value yet"),
    ("0.25", "is a str, not a number"),
    (pd.Series([0.25]), "asks for one number"),
    (math.nan, "nan"),
    (True, "is a bool, not a number"),
])
def test_wrong_numbers_get_plain_messages_without_the_expected_value(answer, message):
    with pytest.raises(NotYetCorrect, match=message) as caught:
        _task({"rate": answer}, number(lambda: 0.25, share=True)).check()
    text = str(caught.value)
    assert "0.25" not in text  # never the expected value
    assert text.endswith(" For a hint, run q1.hint(); for a more specific one, q1.hint(2).")
    assert caught.value._render_traceback_() == [text]  # Jupyter shows the message, not a traceback


def test_the_failure_offers_a_second_hint_only_where_there_is_one():
    with pytest.raises(NotYetCorrect) as caught:
        _task({"rate": 0.3}, number(lambda: 0.25), hints=("Divide SQLs by MQLs.",)).check()
    assert str(caught.value).endswith(" For a hint, run q1.hint().")


def test_targeted_mistake_comes_first():
    all_leads = Mistake(lambda a: math.isclose(a, 0.05), "You divided by all leads; divide by the MQLs.")
    with pytest.raises(NotYetCorrect, match="q1: not yet. You divided by all leads"):
        _task({"rate": 0.05}, number(lambda: 0.25), [all_leads]).check()
    broken = Mistake(lambda a: a.nonexistent, "never shown")
    with pytest.raises(NotYetCorrect, match="not the right value"):
        _task({"rate": 0.05}, number(lambda: 0.25), [broken]).check()
    compares_a_table = Mistake(lambda a: a == 0.05, "never shown either")  # a Series, whose truth is ambiguous
    with pytest.raises(NotYetCorrect, match="asks for one number"):
        _task({"rate": pd.Series([0.05, 0.1])}, number(lambda: 0.25), [compares_a_table]).check()


def test_hints_go_one_step_at_a_time(capsys):
    task = _task({}, number(lambda: 0.25))
    task.hint()
    assert capsys.readouterr().out == "Hint for q1: Divide SQLs by MQLs.\n"
    task.hint(1)
    assert capsys.readouterr().out == "Hint for q1: Divide SQLs by MQLs.\n"
    task.hint(2)
    assert capsys.readouterr().out == "Hint 2 for q1: Count the leads with an sql_at among those with an mql_at.\n"
    for beyond in (3, 0, -1, 2.5, "2"):
        task.hint(beyond)
        assert capsys.readouterr().out == "q1 has 2 hints: run q1.hint() for the first, q1.hint(2) for the last.\n"
    single = _task({}, number(lambda: 0.25), hints="Divide SQLs by MQLs.")  # a lone string is one hint
    assert single.hints == ("Divide SQLs by MQLs.",)
    single.hint(2)
    assert capsys.readouterr().out == "q1 has one hint: run q1.hint().\n"


def test_checker_assertions_say_what_the_verdict_was():
    task = _task({}, number(lambda: 0.25, share=True),
                 [Mistake(lambda a: math.isclose(a, 0.05), "You divided by all leads.")])
    assert task.assert_check_passed(0.25) == "q1: correct, the visible checks passed. More checks run at grading."
    assert task.assert_check_failed(0.05, "divided by all leads") == "q1: not yet. You divided by all leads."
    assert task.assert_check_failed(0.3) == "q1: not yet. your answer, 0.3, is not the right value yet."
    with pytest.raises(AssertionError, match="expected a pass, got incorrect: q1: not yet. You divided by all leads"):
        task.assert_check_passed(0.05)
    with pytest.raises(AssertionError, match="expected a failed check, got correct"):
        task.assert_check_failed(0.25)
    with pytest.raises(AssertionError, match="expected a failed check, got not attempted"):
        task.assert_check_failed(None)
    with pytest.raises(AssertionError, match="'by the MQLs' is not in the message: q1: not yet. You divided"):
        task.assert_check_failed(0.05, "by the MQLs")


def test_checker_assertions_hand_the_earlier_answers_on():
    def at_threshold(answer, threshold=None):
        return None if threshold is not None and answer == threshold / 100 else "not at your threshold"

    task = Task("q5", "share", at_threshold, HINTS, given=("threshold",))
    task.assert_check_passed(0.52, threshold=52)
    task.assert_check_failed(0.52, "not at your threshold", threshold=50)
    task.assert_check_failed(0.52, "not at your threshold", threshold=...)  # an unanswered task 4


def test_expect_raises_a_readable_error():
    expect(True, "never shown")
    with pytest.raises(NotYetCorrect, match="the ferro case is wrong"):
        expect(False, "the ferro case is wrong")


def test_solution_only_in_self_study(monkeypatch, tmp_path):
    monkeypatch.delenv(SELF_STUDY_VARIABLE, raising=False)
    assert "not shown in a graded release" in solution_text("03_funnel", "q1")
    source = tmp_path / "solutions" / "03_funnel"
    source.mkdir(parents=True)
    cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nrate = sqls / mqls\n### END SOLUTION")
    cell.metadata["nbgrader"] = {"grade_id": "q1-answer", "solution": True}
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), source / "03_funnel.ipynb")
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)  # where the course keeps its sources
    monkeypatch.setenv("SMARKETING_COURSE", str(tmp_path))
    monkeypatch.setenv(SELF_STUDY_VARIABLE, "1")
    assert solution_text("03_funnel", "q1") == "A solution for q1:\nrate = sqls / mqls"
    assert solution_text("03_funnel", "q1b") == "A solution for q1b:\nrate = sqls / mqls"  # a part of task 1
    assert solution_text("03_funnel", "q9") == "No solution is recorded for q9."


def test_the_refusal_to_show_a_solution_does_not_say_how_to_unlock_it(monkeypatch):
    monkeypatch.delenv(SELF_STUDY_VARIABLE, raising=False)
    text = solution_text("03_funnel_handoff", "q1")
    assert "not shown in a graded release" in text and "q1.hint()" in text
    for clue in (SELF_STUDY_VARIABLE, "=1", "environment", "variable", "repository", "self-study"):
        assert clue.lower() not in text.lower(), clue
    monkeypatch.setenv(SELF_STUDY_VARIABLE, "1")  # self-study, in this repository: the solution
    assert "mql_to_sql_rate" in solution_text("03_funnel_handoff", "q1")
