"""The face of ``smarketing.exercises``: one module per assignment behind ``tasks()``, ``recheck()`` for the
hidden tests, a public surface that holds every name the course's notebooks use, and what every task of
every assignment owes a learner (a verdict before any answer, two hints that give nothing away)."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re

import nbformat
import pytest

from smarketing import exercises
from smarketing.exercises import ASSIGNMENTS, find_task, recheck, tasks
from smarketing.exercises.task import NotAttempted, NotYetCorrect
from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "solutions").glob("*/*.ipynb")) + sorted((ROOT / "exercises").glob("*/*.ipynb"))
EVERY_TASK = [(assignment, task.name) for assignment in ASSIGNMENTS for task in tasks(assignment)]
SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)


def _names_the_notebooks_use() -> set[str]:
    """``_ex.<name>`` (hidden tests) and ``from smarketing.exercises import <names>`` (setup cells)."""
    names = set()
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            names |= set(re.findall(r"\b_ex\.([A-Za-z_]\w*)", cell.source))
            for imported in re.findall(r"from smarketing\.exercises import ([\w ,]+)", cell.source):
                names |= {name.strip() for name in imported.split(",")}
    return names


def test_every_name_the_notebooks_use_is_public_and_importable():
    used = _names_the_notebooks_use()
    assert {"tasks", "SAM", "recheck", "company", "linear_credit", "pooled"} <= used  # the notebooks were read
    assert used <= set(exercises.__all__), sorted(used - set(exercises.__all__))
    for name in exercises.__all__:
        assert getattr(exercises, name) is not None, name


def test_an_assignment_is_a_module_named_like_its_folder():
    assert sorted(ASSIGNMENTS) == sorted(path.name for path in (ROOT / "solutions").iterdir() if path.is_dir())
    for assignment, build in ASSIGNMENTS.items():
        assert build is importlib.import_module(f"smarketing.exercises.ex{assignment}").tasks


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_tasks_know_their_assignment_and_have_distinct_names(assignment):
    built = tasks(assignment)
    assert {task.assignment for task in built} == {assignment}
    assert len({task.name for task in built}) == len(built)


def test_unknown_assignments_and_tasks_are_refused():
    with pytest.raises(ValueError, match="Unknown assignment '06_pricing'. Assignments: 00_start_here, 01_roles"):
        tasks("06_pricing")
    with pytest.raises(ValueError, match="Unknown task 'q9' of 03_funnel_handoff"):
        recheck("03_funnel_handoff", "q9", 0.5)


def test_recheck_judges_with_the_verifier_alone():
    from smarketing.exercises.ex05_alignment import VERDICT_CHOICES

    letter = {option: shown for shown, option in VERDICT_CHOICES.letters().items()}  # lettered per cohort
    assert recheck("05_alignment", "q5a", letter["cannot_test"]) is None
    # a hidden test needs no targeted message: the mistake's explanation is for the learner's own check
    find_task("05_alignment", "q5a").assert_check_failed(letter["measures"], "the two firms differ in much more")
    assert recheck("05_alignment", "q5a", letter["measures"]) == \
        "q5a: not yet. that is not the best choice; look at the numbers again."
    assert recheck("03_funnel_handoff", "q5", 0.5).endswith("store your threshold (a number from 0 to 100) in "
                                                            "`threshold` first, then run this check again.")
    assert recheck("03_funnel_handoff", "q5", 0.5, threshold=52) == \
        "q5: not yet. your answer, 0.5, is not the right value yet."


@pytest.mark.parametrize(("assignment", "name"), EVERY_TASK)
def test_an_unattempted_task_says_so(assignment, name):
    task = find_task(assignment, name)
    empty = dataclasses.replace(task, namespace=dict)  # a notebook in which nothing is defined yet
    status, text = empty.verdict()
    assert status == "not attempted"
    assert text == (f"{name}: not attempted yet. Write your answer in the cell above so that it defines "
                    f"`{task.variable}`, run that cell, then run this one again.")
    assert task.judge(None) == task.judge(...) == (status, text)
    with pytest.raises(NotAttempted):
        empty.check()


@pytest.mark.parametrize(("assignment", "name"), EVERY_TASK)
def test_a_wrong_answer_points_to_both_hints(assignment, name):
    task = find_task(assignment, name)
    wrong = dataclasses.replace(task, namespace=lambda: {task.variable: object()})
    with pytest.raises(NotYetCorrect) as caught:
        wrong.check()
    assert str(caught.value).endswith(f" For a hint, run {name}.hint(); for a more specific one, {name}.hint(2).")


def _solution_lines(assignment: str) -> set[str]:
    """The lines of an assignment's solutions long enough to be code, less those whose code (the right side
    of an assignment) its task texts show anyway: what a hint must not hand out."""
    notebook = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    shown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    lines = {line.strip() for cell in notebook.cells if cell.cell_type == "code"
             for block in SOLUTION.findall(cell.source) for line in block.splitlines()}
    return {line for line in lines if len(line) >= 16 and line.split(" = ", 1)[-1] not in shown}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_task_has_two_hints_that_give_no_solution_away(assignment):
    solutions = _solution_lines(assignment)
    assert len(solutions) >= 4, "the solutions were read"
    for task in tasks(assignment):
        assert len(task.hints) == 2 and len(set(task.hints)) == 2, task.name
        assert all(len(hint) > 60 for hint in task.hints), task.name  # a sentence of method, not a word
        for hint in task.hints:
            assert not [line for line in solutions if line in hint], (task.name, hint)


def test_the_exercises_use_the_domain_formulas_and_keep_no_copies():
    source = "".join(inspect.getsource(importlib.import_module(f"smarketing.exercises.ex{name}"))
                     for name in exercises.ASSIGNMENTS)
    for copy in ("MONTHS_OF_DATA", "def role_exit_share", "def capacity_threshold", "/ 24"):
        assert copy not in source, copy
    for call in ("funnel.capacity_threshold(", "funnel.months_of_data(", "careers.role_exit_share(",
                 "roles.company_excess_hours("):
        assert call in source, call
    assert exercises.ferro_threshold() == 52
    assert exercises.company_excess_hours().idxmax() == "sales: create content"
