"""The self-checks of the graded exercises: for each assignment, its tasks ``q1``, ``q2``…

An exercise notebook's setup cell binds them, e.g. ``q1, q2a, q2b, q3, q4, q5 = tasks("03_funnel_handoff")``;
each visible test cell runs ``q1.check()``. Expected answers are computed with the library's own
formulas (``kpis``, ``funnel``, …): the exercises check exactly what the course teaches.

The checking core is :mod:`~smarketing.exercises.task` (``Task``, ``expect``…) with
:mod:`~smarketing.exercises.verifiers`; each assignment has its own module, named like its folder in
``solutions/`` (``ex03_funnel_handoff`` for ``03_funnel_handoff``), whose ``tasks()`` builds its tasks.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from smarketing.exercises.ex00_start_here import leads_per_customer
from smarketing.exercises.ex01_roles import company_excess_hours, weekly_hours
from smarketing.exercises.ex03_funnel_handoff import ferro_threshold
from smarketing.exercises.ex04_pipeline_forecasting import best_box, four_boxes_win_rate, share_given_away
from smarketing.exercises.ex05_alignment import (
    adjusted_rates,
    as_labelled,
    linear_credit,
    position_based_shares,
    segment_table,
    sla_exercise_plan,
    sla_givens,
)
from smarketing.exercises.ex05_alignment.after_the_sale import cohort_retained, health_auc
from smarketing.exercises.ex05_alignment.holdout import holdout_caused_share, holdout_lift, regression_per_thousand
from smarketing.exercises.ex05_alignment.journey import w_shaped_share
from smarketing.exercises.ex05_alignment.pay_plans import shared_threshold, sql_gain
from smarketing.exercises.ex06_career_paths import SAM, pooled
from smarketing.exercises.shared import company
from smarketing.exercises.task import Task
from smarketing.messages import _


def _assignment_modules() -> dict[str, Callable[[], tuple[Task, ...]]]:
    """Each assignment's ``tasks``, found by the module's name (``ex03_funnel_handoff`` checks
    ``03_funnel_handoff``), in the order of the names: course.yml lists the modules, so no list here can
    drift from it (tests/test_manifest.py checks the two agree). Found, not listed, because a class's hub
    may install this package without a copy of the course."""
    found = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if re.fullmatch(r"ex\d\d_\w+", module.name):
            found[module.name.removeprefix("ex")] = importlib.import_module(f"{__name__}.{module.name}").tasks
    return found


ASSIGNMENTS: dict[str, Callable[[], tuple[Task, ...]]] = _assignment_modules()
GRADING_VARIABLE = "SMARKETING_GRADING"  # set by the grader's sandbox (smarketing.grading.sandbox)


def tasks(assignment: str) -> tuple[Task, ...]:
    """The tasks of an assignment, in order, each knowing its assignment (for ``solution()``)."""
    if assignment not in ASSIGNMENTS:
        raise ValueError(_("Unknown assignment '{name}'. Assignments: {known}.", name=assignment,
                           known=", ".join(ASSIGNMENTS)))
    built = tuple(replace(task, assignment=assignment) for task in ASSIGNMENTS[assignment]())
    if os.environ.get(GRADING_VARIABLE) == "1":  # inside the grader's sandbox: no expected value in the kernel
        return tuple(task.for_the_grader() for task in built)
    return built


def find_task(assignment: str, task: str) -> Task:
    """The task named ``task`` (``"q2b"``) of an assignment, built afresh."""
    chosen = next((t for t in tasks(assignment) if t.name == task), None)
    if chosen is None:
        raise ValueError(_("Unknown task '{task}' of {assignment}.", task=task, assignment=assignment))
    return chosen


def recheck(assignment: str, task: str, answer: Any, **given: Any) -> str | None:
    """For hidden tests: what is wrong with ``answer`` by the task's own verifier, or None when it passes.

    A hidden test calls this under a private import (``from smarketing import exercises as _ex``) rather
    than trusting ``q1.check()``: the tasks are built afresh here, so rebinding ``q1``, ``expect`` or
    ``Task.check`` in the notebook changes nothing. ``given`` holds the earlier answers a task builds on."""
    status, message = find_task(assignment, task).judge(answer, given, mistakes=False)
    return None if status == "correct" else message


# The names that released notebooks and their locked hidden tests use (`from smarketing.exercises import
# tasks, SAM`, `_ex.recheck(...)`, `_ex.linear_credit()`…): renaming one breaks a checksummed notebook, and
# tests/exercises/test_init.py holds this list to the notebooks. Besides them: ASSIGNMENTS, which grading's
# tamper scan guards; ferro_threshold and company_excess_hours, which the formula tests pin; find_task.
__all__ = [
    "ASSIGNMENTS",
    "SAM",
    "adjusted_rates",
    "as_labelled",
    "best_box",
    "company",
    "company_excess_hours",
    "ferro_threshold",
    "find_task",
    "four_boxes_win_rate",
    "cohort_retained",
    "health_auc",
    "holdout_caused_share",
    "holdout_lift",
    "leads_per_customer",
    "linear_credit",
    "regression_per_thousand",
    "pooled",
    "position_based_shares",
    "recheck",
    "segment_table",
    "share_given_away",
    "shared_threshold",
    "sla_exercise_plan",
    "sla_givens",
    "sql_gain",
    "tasks",
    "w_shaped_share",
    "weekly_hours",
]
