"""The steps the course adds to nbgrader's pipelines, one class per file as in nbgrader's own
``preprocessors`` package, and the pipelines with them in place. nbgrader_config.py names both pipelines, so
that ``nbgrader autograde`` and ``nbgrader generate_feedback`` run alone behave as ``smarketing grade``."""

from __future__ import annotations

from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.preprocessors import Execute, GetGrades

from smarketing.grading.preprocessors.clear_hidden_tests_and_tracebacks import (
    ClearHiddenTestsAndTracebacks,
)
from smarketing.grading.preprocessors.execute_until_the_kernel_dies import (
    KERNEL_DIED,
    NOT_RUN,
    ExecuteUntilTheKernelDies,
)
from smarketing.grading.preprocessors.judged_execute import TAMPERED, JudgedExecute


def autograde_preprocessors() -> list:
    """nbgrader's autograde steps with its Execute replaced by :class:`JudgedExecute` (a sandboxed kernel, hidden
    tests judged outside it, and a dying kernel that costs only the cells from there on)."""
    steps = Autograde.class_traits()["autograde_preprocessors"].default()
    return [JudgedExecute if step is Execute else step for step in steps]


def feedback_preprocessors() -> list:
    """nbgrader's feedback steps with :class:`ClearHiddenTestsAndTracebacks` right after the grades are read:
    nbgrader's feedback pages otherwise show the autograded notebook, hidden tests and all, and a learner
    who reads them must not learn the tests that a later class is graded with."""
    steps = list(GenerateFeedback.class_traits()["preprocessors"].default())
    after = steps.index(GetGrades) + 1
    return [*steps[:after], ClearHiddenTestsAndTracebacks, *steps[after:]]


__all__ = ["KERNEL_DIED", "NOT_RUN", "TAMPERED", "ClearHiddenTestsAndTracebacks", "ExecuteUntilTheKernelDies",
           "JudgedExecute", "autograde_preprocessors", "feedback_preprocessors"]
