"""The steps the course adds to nbgrader, one by one against fixture notebooks in files/ (as nbgrader tests
its own preprocessors), and the pipelines that nbgrader_config.py names."""

from __future__ import annotations

import json

import nbformat
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.preprocessors import ClearHiddenTests, Execute, GetGrades

from smarketing.grading import gradebook
from smarketing.grading.preprocessors import (
    KERNEL_DIED,
    NOT_RUN,
    ClearHiddenTestsAndTracebacks,
    ExecuteUntilTheKernelDies,
    JudgedExecute,
    autograde_preprocessors,
    feedback_preprocessors,
)
from tests.conftest import ROOT
from tests.grading.conftest import FILES


def _fixture(name: str) -> nbformat.NotebookNode:
    return nbformat.read(FILES / name, as_version=4)


def _errors(cell) -> list[str]:
    return [o["ename"] for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def test_a_dying_kernel_costs_the_cells_from_there_on_not_the_ones_before(tmp_path):
    """Are the cells before a kernel death kept, the dying one and every later code cell marked?"""
    notebook = _fixture("kernel-dies.ipynb")
    step = ExecuteUntilTheKernelDies(timeout=60)
    notebook, _resources = step.preprocess(notebook, {"metadata": {"path": str(tmp_path)}})
    first, dying, text, after = notebook.cells
    assert _errors(first) == [] and first.execution_count == 1
    assert _errors(dying) == [KERNEL_DIED]
    assert "outputs" not in text
    assert _errors(after) == [NOT_RUN] and after.outputs[0]["evalue"] == step.not_run_message


def test_the_messages_of_a_dying_kernel_are_configurable():
    from traitlets.config import Config

    config = Config()
    config.ExecuteUntilTheKernelDies.not_run_message = "skipped"
    assert ExecuteUntilTheKernelDies(config=config).not_run_message == "skipped"


def test_feedback_cuts_hidden_tests_and_the_tracebacks_that_quote_them():
    """Is a hidden test gone from the source and from its traceback, while the self-check's verdict stays?"""
    notebook = _fixture("hidden-tests-failed.ipynb")
    hidden, verdict, plain = notebook.cells
    step = ClearHiddenTestsAndTracebacks()
    for index, cell in enumerate(notebook.cells):
        step.preprocess_cell(cell, {}, index)
    assert "secret_case" not in json.dumps(hidden) and hidden.source == "q1.check()"
    assert hidden.outputs[0]["traceback"] == ["AssertionError: task 1: count the months"]  # the message teaches
    assert "other_secret" not in json.dumps(verdict)
    assert verdict.outputs[0]["traceback"] == ["✘ q2: not yet. your answer is a str."]  # kept: it is the feedback
    assert plain.outputs[0]["traceback"] == ["----> 1 q3.check()", "ValueError: bad"]  # no hidden test to hide


def test_the_pipelines_put_the_course_steps_where_nbgrader_had_its_own():
    autograde = autograde_preprocessors()
    nbgraders = Autograde.class_traits()["autograde_preprocessors"].default()
    assert autograde == [JudgedExecute if step is Execute else step for step in nbgraders]
    assert Execute not in autograde and issubclass(JudgedExecute, ExecuteUntilTheKernelDies)
    feedback = feedback_preprocessors()
    assert feedback[feedback.index(GetGrades) + 1] is ClearHiddenTestsAndTracebacks
    assert issubclass(ClearHiddenTestsAndTracebacks, ClearHiddenTests)
    assert len(feedback) == len(GenerateFeedback.class_traits()["preprocessors"].default()) + 1


def test_the_course_configuration_names_both_steps_for_nbgrader_run_alone():
    config = gradebook.config(ROOT, ROOT)
    assert JudgedExecute in config.Autograde.autograde_preprocessors
    assert ClearHiddenTestsAndTracebacks in config.GenerateFeedback.preprocessors
