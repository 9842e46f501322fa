"""Learner self-check for the graded exercises, in the spirit of Kaggle Learn's ``q1.check()``.

Every auto-graded task of an exercise notebook has a :class:`Task` (``q1``, ``q2``…). In the visible
test cell, ``q1.check()`` looks up the learner's answer by name and says in plain words whether it
is correct, wrong (what is wrong, with a targeted message for common mistakes) or not attempted
yet. It never reveals the expected value. When the answer is not right, ``check()`` raises
:class:`NotYetCorrect`, whose display in Jupyter is the friendly message alone (no traceback), and
which makes nbgrader give the cell zero points. Hidden tests, added only at grading time, check
more; a passing visible check says so instead of claiming that everything passed.

``q1.hint()`` gives a first hint, ``q1.hint(2)`` a second one, a step closer to the method (never to
the answer). ``q1.solution()`` shows the solution only in self-study mode (the environment variable
``SMARKETING_SELF_STUDY=1`` and the course repository's ``solutions/`` folder at hand); a graded release
never contains solutions, and its refusal does not say how to switch the mode on (instructor/grading.md
does, for those who study on their own).

Hidden tests do not trust anything a learner can rebind in the notebook (``q1``, ``Task.check``,
``expect``): they re-run a task's own verifier on fresh objects (:meth:`Task.judge`, through
:func:`smarketing.exercises.recheck`) and assert on the result.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

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


def learner_namespace() -> dict[str, Any]:
    """The learner's variables: IPython's user namespace, or ``__main__`` outside IPython."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        shell = None
    return shell.user_ns if shell is not None else vars(sys.modules["__main__"])


@dataclass
class Task:
    """One auto-graded task: where its answer lives, how to check it, its hints, and its solution's place.

    ``verify(answer)`` returns None when the answer passes, else a sentence saying what is wrong
    (never the expected value). ``mistakes`` are tried first, for targeted messages. ``hints`` go from
    general to specific: ``hint()`` shows the first, ``hint(2)`` the second. A task that builds on
    earlier answers names them in ``given`` (task 5 checks the share at the learner's own threshold
    of task 4): ``verify`` and each mistake's ``looks_like`` then also receive them, by name, as keyword
    arguments (None when the learner has not defined them). ``assignment`` is filled in by
    :func:`smarketing.exercises.tasks`, which knows which assignment it builds.
    """

    name: str
    variable: str
    verify: Callable[[Any], str | None]
    hints: tuple[str, ...]
    mistakes: Sequence[Mistake] = ()
    assignment: str = ""
    has_hidden_tests: bool = True
    given: tuple[str, ...] = ()
    namespace: Callable[[], dict[str, Any]] = field(default=learner_namespace, repr=False)
    judged_by_the_grader: bool = False  # at grading: the judge decides, outside the learner's kernel
    choices: Any = None  # a multiple-choice task's options (verifiers.Choices), lettered per cohort

    def __post_init__(self) -> None:
        # A lone string would otherwise be taken apart letter by letter: hint(2) would print its second letter.
        self.hints = (self.hints,) if isinstance(self.hints, str) else tuple(self.hints)

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

    def for_the_grader(self) -> Task:
        """This task as the learner's kernel holds it while a notebook is graded: no verifier and no mistakes, so
        that nothing in the kernel knows an expected value; the grader's judge decides, outside the kernel."""
        return replace(self, verify=_judged_elsewhere, mistakes=(), judged_by_the_grader=True)

    def check(self) -> None:
        """Print the verdict; raise :class:`NotYetCorrect` (or :class:`NotAttempted`) unless correct."""
        if self.judged_by_the_grader:
            print(_("… {name}: handed to the grader, which judges it outside this notebook.", name=self.name))
            return
        status, message = self.verdict()
        if status == "correct":
            print("✔ " + message)
            return
        if status == "not attempted":
            raise NotAttempted("… " + message)
        if len(self.hints) > 1:
            hint = _(" For a hint, run {name}.hint(); for a more specific one, {name}.hint(2).", name=self.name)
        else:
            hint = _(" For a hint, run {name}.hint().", name=self.name)
        raise NotYetCorrect("✘ " + message + hint)

    def options(self) -> None:
        """Print a multiple-choice task's options, lettered as this cohort's data letters them."""
        if self.choices is None:
            print(_("{name} is not a multiple-choice task: it has no options to show.", name=self.name))
            return
        print(self.choices.listing())

    def hint(self, number: int = 1) -> None:
        """Print hint ``number`` (1, the first, by default); past the last, say how many there are."""
        if not isinstance(number, int) or not 1 <= number <= len(self.hints):
            if len(self.hints) == 1:
                print(_("{name} has one hint: run {name}.hint().", name=self.name))
            else:
                print(_("{name} has {count} hints: run {name}.hint() for the first, {name}.hint({count}) for the "
                        "last.", name=self.name, count=len(self.hints)))
        elif number == 1:
            print(_("Hint for {name}: {hint}", name=self.name, hint=self.hints[0]))
        else:
            print(_("Hint {number} for {name}: {hint}", number=number, name=self.name, hint=self.hints[number - 1]))

    def solution(self) -> None:
        """The solution, in self-study mode only."""
        print(solution_text(self.assignment, self.name))

    def assert_check_passed(self, answer: Any, **given: Any) -> str:
        """For the checker's own tests: fail unless ``answer`` (with the earlier answers ``given``) passes
        the check as a learner's would; return the verdict's message."""
        status, message = self.judge(answer, given)
        if status != "correct":
            raise AssertionError(f"{self.assignment} {self.name}: expected a pass, got {status}: {message}")
        return message

    def assert_check_failed(self, answer: Any, message_part: str | None = None, **given: Any) -> str:
        """For the checker's own tests: fail unless ``answer`` is judged incorrect, with ``message_part`` in
        the message when given; return the verdict's message."""
        status, message = self.judge(answer, given)
        if status != "incorrect":
            raise AssertionError(f"{self.assignment} {self.name}: expected a failed check, got {status}: {message}")
        if message_part is not None and message_part not in message:
            raise AssertionError(f"{self.assignment} {self.name}: {message_part!r} is not in the message: {message}")
        return message


def _judged_elsewhere(answer: Any, **given: Any) -> str | None:
    return _("checked by the grader, not here.")


def self_study() -> bool:
    """Whether self-study mode is on (``SMARKETING_SELF_STUDY=1``): only then does ``solution()`` answer."""
    return os.environ.get(SELF_STUDY_VARIABLE, "") == "1"


def _solutions_dir() -> Path | None:
    """The course's nbgrader source folder (solutions/), where nbgrader_config.py puts it, or None outside a
    copy of the course."""
    from smarketing import manifest
    from smarketing.grading import gradebook

    try:
        folder = gradebook.folders(manifest.course_root()).source
    except (manifest.ManifestError, OSError):
        return None
    return folder if folder.is_dir() else None


def solution_text(assignment: str, task: str) -> str:
    """The solution code of ``task`` from the assignment's source notebook, in self-study mode only."""
    if not self_study():  # says nothing of how to turn self-study on: that would unlock a graded release
        return _("Solutions are not shown in a graded release. Use {task}.hint(), and ask your instructor after "
                 "the deadline.", task=task)
    folder = _solutions_dir()
    source = folder / assignment / f"{assignment}.ipynb" if folder else None
    if source is None or not source.exists():
        return _("No solutions folder was found in this course: self-study needs a copy of the course repository.")
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
