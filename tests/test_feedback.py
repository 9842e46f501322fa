"""The self-check machinery: right, wrong (with targeted messages) and unattempted answers, and the
solution reveal that only self-study mode allows."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from smarketing import feedback


def _task(space, verify, mistakes=(), hidden=True):
    return feedback.Task("q1", "rate", verify, "Divide SQLs by MQLs.", mistakes=mistakes, assignment="03_funnel",
                         has_hidden_tests=hidden, namespace=lambda: space)


def test_correct_answer_says_more_checks_follow(capsys):
    task = _task({"rate": 0.25}, feedback.number(lambda: 0.25, share=True))
    task.check()
    out = capsys.readouterr().out
    assert "correct, the visible checks passed" in out and "More checks run at grading" in out
    _task({"rate": 0.25}, feedback.number(lambda: 0.25), hidden=False).check()
    assert "More checks" not in capsys.readouterr().out


@pytest.mark.parametrize("space", [{}, {"rate": None}, {"rate": ...}])
def test_unattempted_answer(space):
    with pytest.raises(feedback.NotAttempted, match="not attempted yet.*defines `rate`"):
        _task(space, feedback.number(lambda: 0.25)).check()


@pytest.mark.parametrize(("answer", "message"), [
    (25.0, "looks like a percentage"),
    (1.5, "a rate is a share between 0 and 1"),
    (0.3, "is not the right value yet"),
    ("0.25", "is a str, not a number"),
    (pd.Series([0.25]), "asks for one number"),
    (math.nan, "nan"),
    (True, "not a number"),
])
def test_wrong_numbers_get_plain_messages_without_the_expected_value(answer, message):
    with pytest.raises(feedback.NotYetCorrect, match=message) as caught:
        _task({"rate": answer}, feedback.number(lambda: 0.25, share=True)).check()
    text = str(caught.value)
    assert "0.25" not in text  # never the expected value
    assert "q1.hint()" in text
    assert caught.value._render_traceback_() == [text]  # Jupyter shows the message, not a traceback


def test_targeted_mistake_comes_first():
    all_leads = feedback.Mistake(lambda a: math.isclose(a, 0.05), "You divided by all leads; divide by the MQLs.")
    with pytest.raises(feedback.NotYetCorrect, match="divided by all leads"):
        _task({"rate": 0.05}, feedback.number(lambda: 0.25), [all_leads]).check()
    broken = feedback.Mistake(lambda a: a.nonexistent, "never shown")
    with pytest.raises(feedback.NotYetCorrect, match="not the right value"):
        _task({"rate": 0.05}, feedback.number(lambda: 0.25), [broken]).check()
    compares_a_table = feedback.Mistake(lambda a: a == 0.05, "never shown either")  # a Series, whose truth is ambiguous
    with pytest.raises(feedback.NotYetCorrect, match="asks for one number"):
        _task({"rate": pd.Series([0.05, 0.1])}, feedback.number(lambda: 0.25), [compares_a_table]).check()


def test_frame_verifier_names_the_wrong_column_and_row():
    expected = pd.DataFrame({"stage": ["mql", "sql"], "rate": [0.5, 0.25]})
    verify = feedback.frame(lambda: expected, key="stage")
    assert verify(expected.iloc[::-1]) is None  # row order does not matter with a key
    assert verify(expected.assign(extra=1)) is None
    assert "lacks the column(s) rate" in verify(expected.drop(columns="rate"))
    assert "has 1 row(s)" in verify(expected.head(1))
    message = verify(expected.assign(rate=[0.5, 0.3]))
    assert "column `rate` is not right in 1 row(s)" in message and "stage sql" in message and "0.25" not in message
    assert "asks for a pandas DataFrame" in verify([1, 2])
    categorical = expected.assign(stage=pd.Categorical(expected["stage"], categories=["sql", "mql"]))
    assert verify(categorical) is None  # a categorical key (a groupby result) is compared by its text


def test_function_verifier_runs_cases():
    verify = feedback.function(lambda: [((10, 40), 0.25), ((0, 0), 0.0)], describe=lambda args: f" {args}")
    assert verify(lambda a, b: a / b if b else 0.0) is None
    assert "raised ZeroDivisionError" in verify(lambda a, b: a / b)
    assert "wrong result on test case 1 (10, 40)" in verify(lambda a, b: b / a)
    assert "asks for a function" in verify(0.25)


def test_expect_raises_a_readable_error():
    feedback.expect(True, "never shown")
    with pytest.raises(feedback.NotYetCorrect, match="the ferro case is wrong"):
        feedback.expect(False, "the ferro case is wrong")


def test_choice_verifier():
    verify = feedback.choice(["ferro"], ["lumen", "ferro", "bloom"])
    assert verify("Ferro") is None
    assert "not the best choice" in verify("lumen")
    assert "answer with one of" in verify("acme")


def test_solution_only_in_self_study(monkeypatch, tmp_path):
    import nbformat

    monkeypatch.delenv(feedback.SELF_STUDY_VARIABLE, raising=False)
    assert "not shown in a graded release" in feedback.solution_text("03_funnel", "q1")
    source = tmp_path / "solutions" / "03_funnel"
    source.mkdir(parents=True)
    cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nrate = sqls / mqls\n### END SOLUTION")
    cell.metadata["nbgrader"] = {"grade_id": "q1-answer", "solution": True}
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), source / "03_funnel.ipynb")
    (tmp_path / "datasets").mkdir()
    monkeypatch.setenv("SMARKETING_DATA", str(tmp_path / "datasets"))
    monkeypatch.setenv(feedback.SELF_STUDY_VARIABLE, "1")
    assert feedback.solution_text("03_funnel", "q1").endswith("rate = sqls / mqls")
    assert feedback.solution_text("03_funnel", "q1b").endswith("rate = sqls / mqls")  # a part of task 1
    assert "No solution is recorded for q9" in feedback.solution_text("03_funnel", "q9")
