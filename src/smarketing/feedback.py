"""Learner self-check for the graded exercises, in the spirit of Kaggle Learn's ``q1.check()``.

Every auto-graded task of an exercise notebook has a :class:`Task` (``q1``, ``q2``…). In the visible
test cell, ``q1.check()`` looks up the learner's answer by name and says in plain words whether it
is correct, wrong (what is wrong, with a targeted message for common mistakes) or not attempted
yet. It never reveals the expected value. When the answer is not right, ``check()`` raises
:class:`NotYetCorrect`, whose display in Jupyter is the friendly message alone (no traceback), and
which makes nbgrader give the cell zero points. Hidden tests, added only at grading time, check
more; a passing visible check says so instead of claiming that everything passed.

``q1.hint()`` gives a hint. ``q1.solution()`` shows the solution only in self-study mode (the
environment variable ``SMARKETING_SELF_STUDY=1`` and the course repository's ``solutions/`` folder
at hand); a graded release never contains solutions, and its refusal does not say how to switch the
mode on (instructor/grading.md does, for those who study on their own).

Hidden tests do not trust anything a learner can rebind in the notebook (``q1``, ``Task.check``,
``expect``): they re-run a task's own verifier on fresh objects (:meth:`Task.judge`, through
:func:`smarketing.exercises.recheck`) and assert on the result.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from smarketing.messages import _

SELF_STUDY_VARIABLE = "SMARKETING_SELF_STUDY"


class NotYetCorrect(AssertionError):
    """A self-check that did not pass. Shown in Jupyter as its message only, without a traceback."""

    def _render_traceback_(self) -> list[str]:  # IPython's hook for custom error display
        return [str(self)]


class NotAttempted(NotYetCorrect):
    """The answer has not been written yet."""


@dataclass(frozen=True)
class Mistake:
    """A common mistake: how to recognise it in an answer, and what to tell the learner."""

    looks_like: Callable[[Any], bool]
    message: str


def _namespace() -> dict[str, Any]:
    """The learner's variables: IPython's user namespace, or ``__main__`` outside IPython."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        shell = None
    return shell.user_ns if shell is not None else vars(sys.modules["__main__"])


@dataclass
class Task:
    """One auto-graded task: where its answer lives, how to check it, a hint, and its solution's place.

    ``verify(answer)`` returns None when the answer passes, else a sentence saying what is wrong
    (never the expected value). ``mistakes`` are tried first, for targeted messages. A task that builds
    on earlier answers names them in ``given`` (task 5 checks the share at the learner's own threshold
    of task 4): ``verify`` and each mistake's ``looks_like`` then also receive them, by name, as keyword
    arguments (None when the learner has not defined them).
    """

    name: str
    variable: str
    verify: Callable[[Any], str | None]
    hint_text: str
    mistakes: Sequence[Mistake] = ()
    assignment: str = ""
    has_hidden_tests: bool = True
    given: tuple[str, ...] = ()
    namespace: Callable[[], dict[str, Any]] = field(default=_namespace, repr=False)

    def verdict(self) -> tuple[str, str]:
        """("correct" | "incorrect" | "not attempted", message) for the learner's current answer."""
        space = self.namespace()
        return self.judge(space.get(self.variable), {name: space.get(name) for name in self.given})

    def judge(self, answer: Any, given: dict[str, Any] | None = None,
              mistakes: bool = True) -> tuple[str, str]:
        """The verdict on ``answer`` (and the earlier answers ``given``), wherever they come from. Hidden
        tests call it without ``mistakes``: a targeted message only explains an answer that ``verify``
        rejects anyway."""
        given = {name: (given or {}).get(name) for name in self.given}
        given = {name: None if value is Ellipsis else value for name, value in given.items()}
        if answer is None or answer is Ellipsis:
            return "not attempted", _("{name}: not attempted yet. Write your answer in the cell above so that it "
                                      "defines `{variable}`, run that cell, then run this one again.",
                                      name=self.name, variable=self.variable)
        for mistake in self.mistakes if mistakes else ():
            try:
                matched = bool(mistake.looks_like(answer, **given))  # a table's == is no verdict: bool() it here
            except Exception:  # noqa: BLE001 - a mistake detector must never crash the check
                matched = False
            if matched:
                return "incorrect", _("{name}: not yet. {message}", name=self.name, message=mistake.message)
        try:
            problem = self.verify(answer, **given)
        except Exception as error:  # noqa: BLE001 - the learner's object may break in any way
            problem = _("checking your answer raised {error}: {detail}. Look at the type and shape of "
                        "`{variable}`.", error=type(error).__name__, detail=str(error)[:200], variable=self.variable)
        if problem:
            return "incorrect", _("{name}: not yet. {problem}", name=self.name, problem=problem)
        more = _(" More checks run at grading.") if self.has_hidden_tests else ""
        return "correct", _("{name}: correct, the visible checks passed.{more}", name=self.name, more=more)

    def check(self) -> None:
        """Print the verdict; raise :class:`NotYetCorrect` (or :class:`NotAttempted`) unless correct."""
        status, message = self.verdict()
        if status == "correct":
            print("✔ " + message)
            return
        hint = _(" For a hint, run {name}.hint().", name=self.name)
        if status == "not attempted":
            raise NotAttempted("… " + message)
        raise NotYetCorrect("✘ " + message + hint)

    def hint(self) -> None:
        print(_("Hint for {name}: {hint}", name=self.name, hint=self.hint_text))

    def solution(self) -> None:
        """The solution, in self-study mode only."""
        print(solution_text(self.assignment, self.name))


def self_study() -> bool:
    return os.environ.get(SELF_STUDY_VARIABLE, "") == "1"


def _solutions_dir() -> Path | None:
    from smarketing.datasets import datasets_dir

    folder = datasets_dir().parent / "solutions"
    return folder if folder.is_dir() else None


def solution_text(assignment: str, task: str) -> str:
    """The solution code of ``task`` from the assignment's source notebook, in self-study mode only."""
    if not self_study():  # says nothing of how to turn self-study on: that would unlock a graded release
        return _("Solutions are not shown in a graded release. Use {task}.hint(), and ask your instructor after "
                 "the deadline.", task=task)
    folder = _solutions_dir()
    source = folder / assignment / f"{assignment}.ipynb" if folder else None
    if source is None or not source.exists():
        return _("No solutions folder was found beside the datasets: self-study needs the course repository.")
    import nbformat

    notebook = nbformat.read(source, as_version=4)
    answer_ids = {f"{task}-answer", f"{task.rstrip('abcdefgh')}-answer"}  # q2a and q2b share q2's answer cell
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in answer_ids and "BEGIN SOLUTION" in cell.source:
            body = cell.source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
            return _("A solution for {task}:\n{code}", task=task, code=body.strip("\n"))
    return _("No solution is recorded for {task}.", task=task)


def expect(condition: bool, message: str) -> None:
    """For hidden tests: fail with a plain sentence (shown in the feedback), not a bare AssertionError."""
    if not condition:
        raise NotYetCorrect("✘ " + message)


# ---- verifiers: what is wrong with an answer, in words, without the expected value -------------------

def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def number(expected: Callable[[], float], tolerance: float = 1e-3, share: bool = False) -> Callable[[Any], str | None]:
    """A verifier for a single number, within a relative ``tolerance``. ``share`` means a rate from 0
    to 1: an answer given in percent gets its own message."""

    def verify(answer: Any) -> str | None:
        if isinstance(answer, pd.Series | pd.DataFrame | np.ndarray | list | tuple):
            return _("your answer is a {kind}; this task asks for one number. Take a single value out of it "
                     "(for example with .iloc[0] or float(...)).", kind=type(answer).__name__)
        if not _is_number(answer):
            return _("your answer is a {kind}, not a number.", kind=type(answer).__name__)
        if math.isnan(answer):
            return _("your answer is nan (not a number): a division by zero, or an empty selection?")
        target = expected()
        if share and not 0 <= answer <= 1 and math.isclose(answer, 100 * target, rel_tol=tolerance):
            return _("this looks like a percentage. Give the rate as a share between 0 and 1 (write 0.3 for 30 %).")
        if share and not 0 <= answer <= 1:
            return _("a rate is a share between 0 and 1; yours is {answer:g}.", answer=answer)
        if not math.isclose(answer, target, rel_tol=tolerance, abs_tol=1e-12):
            return _("your answer, {answer:.4g}, is not the right value yet.", answer=answer)
        return None

    return verify


def frame(expected: Callable[[], pd.DataFrame], key: str | None = None, tolerance: float = 1e-6,
          check_order: bool = False) -> Callable[[Any], str | None]:
    """A verifier for a DataFrame: the expected columns (extra columns are allowed), the same rows
    (matched on ``key`` when given), and values equal within ``tolerance``. Says which column or row
    is wrong, never what it should be."""

    def verify(answer: Any) -> str | None:
        if not isinstance(answer, pd.DataFrame):
            return _("your answer is a {kind}; this task asks for a pandas DataFrame.", kind=type(answer).__name__)
        target = expected()
        missing = [c for c in target.columns if c not in answer.columns]
        if missing:
            return _("your table lacks the column(s) {columns}. Columns found: {found}.",
                     columns=", ".join(map(str, missing)), found=", ".join(map(str, answer.columns)) or _("none"))
        if len(answer) != len(target):
            return _("your table has {got} row(s); it should have {want}.", got=len(answer), want=len(target))
        mine, theirs = answer[list(target.columns)], target
        if key is not None:
            if not check_order:  # sort on the key as text: a categorical key sorts by category order otherwise
                mine = mine.iloc[np.argsort(mine[key].astype(str).to_numpy(), kind="stable")]
                theirs = theirs.iloc[np.argsort(theirs[key].astype(str).to_numpy(), kind="stable")]
            if mine[key].astype(str).tolist() != theirs[key].astype(str).tolist():
                return _("the values of `{key}` are not the expected ones (check for missing or extra rows).", key=key)
        for column in target.columns:
            a, b = mine[column].reset_index(drop=True), theirs[column].reset_index(drop=True)
            if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
                a_num = pd.to_numeric(a, errors="coerce").astype(float).to_numpy()
                b_num = b.astype(float).to_numpy()
                wrong = ~np.isclose(a_num, b_num, rtol=tolerance, atol=1e-9, equal_nan=True)
            else:
                wrong = (a.astype(str) != b.astype(str)).to_numpy()
            if wrong.any():
                where = mine[key].iloc[int(np.flatnonzero(wrong)[0])] if key else int(np.flatnonzero(wrong)[0])
                return _("column `{column}` is not right in {count} row(s) (the first at {key} {where}).",
                         column=column, count=int(wrong.sum()), key=key or _("position"), where=where)
        return None

    return verify


def function(cases: Callable[[], Iterable[tuple[tuple, Any]]], compare: Callable[[Any, Any], bool] | None = None,
             describe: Callable[[tuple], str] = lambda args: "") -> Callable[[Any], str | None]:
    """A verifier for a function: called on each case's arguments, it must return the case's expected
    result (``compare`` decides equality; default: numbers within 1e-6, else ``==``)."""

    def same(got: Any, want: Any) -> bool:
        if compare is not None:
            return compare(got, want)
        if _is_number(want):
            return _is_number(got) and math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9)
        return bool(got == want)

    def verify(answer: Any) -> str | None:
        if not callable(answer):
            return _("your answer is a {kind}; this task asks for a function (def ...).", kind=type(answer).__name__)
        for number_of_case, (args, want) in enumerate(cases(), start=1):
            try:
                got = answer(*args)
            except Exception as error:  # noqa: BLE001 - the learner's function may fail in any way
                return _("your function raised {error} ({detail}) on test case {case}{described}.",
                         error=type(error).__name__, detail=str(error)[:120], case=number_of_case,
                         described=describe(args))
            if not same(got, want):
                return _("your function gives a wrong result on test case {case}{described}.", case=number_of_case,
                         described=describe(args))
        return None

    return verify


def choice(correct: Iterable[str], options: Iterable[str]) -> Callable[[Any], str | None]:
    """A verifier for picking one of ``options``; any of ``correct`` passes (case-insensitive)."""
    right = {c.lower() for c in correct}
    allowed = list(options)

    def verify(answer: Any) -> str | None:
        if not isinstance(answer, str) or answer.lower() not in {o.lower() for o in allowed}:
            return _("answer with one of: {options}.", options=", ".join(repr(o) for o in allowed))
        return None if answer.lower() in right else _("that is not the best choice; look at the numbers again.")

    return verify
