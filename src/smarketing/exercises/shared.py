"""What the assignments' checks share: the course companies, loaded once, number comparisons, and answers
of several parts (a dictionary of grades in 00, of owners in 01) that earn a point when enough parts are
right."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from smarketing.datasets import Company, load_company
from smarketing.exercises.verifiers import is_number
from smarketing.messages import _

Verifier = Callable[[Any], str | None]
PartsCount = Callable[[Any], tuple[int, str | None]]


@cache
def company(name: str) -> Company:
    """A course company, loaded once per kernel."""
    return load_company(name)


SHOWN_PROBLEMS = 3  # the problems of a design that one check names; the rest are counted


def design_verdict(problems: list[str], design: str) -> str | None:
    """A design deliverable's verdict from the library's list of its problems: None when it meets every rule,
    else the first few problems in words and how many more there are (``design`` names it: "RACI", "plan")."""
    if not problems:
        return None
    if len(problems) == 1:
        return problems[0]
    more = len(problems) - SHOWN_PROBLEMS
    return _("your {design} has {count} problems. {shown}{more}", design=design, count=len(problems),
             shown=" ".join(problems[:SHOWN_PROBLEMS]),
             more=_(" … and {more} more: fix these first, then check again.", more=more) if more > 0 else "")


def cohort() -> str:
    """The cohort the graded companies were drawn for (``smarketing release --cohort``), as their data says."""
    return str(company("argo").params.get("cohort", ""))


def close(answer: Any, value: float) -> bool:
    """Whether ``answer`` is a number within 0.1 % of ``value``: how a mistake detector recognises the
    number that a mistake gives."""
    return is_number(answer) and math.isclose(answer, value, rel_tol=1e-3)


def mistaken(right: Callable[[], float], wrong: Callable[[], float]) -> Callable[..., bool]:
    """A mistake detector for a number task: the answer is the number that the mistake gives (``wrong()``),
    and never the right one. The graded companies are drawn anew for each cohort, so a mistake's number can
    fall within the check's tolerance of the right one: then only the mistake's exact number is taken for
    it, and when the two are the same the mistake cannot be told and is never reported."""

    def looks_like(answer: Any, **given: Any) -> bool:
        if not is_number(answer):
            return False
        want, got_wrong = right(), wrong()
        if math.isclose(got_wrong, want, rel_tol=1e-9):
            return False
        if close(answer, want):
            return math.isclose(answer, got_wrong, rel_tol=1e-9) and not math.isclose(answer, want, rel_tol=1e-9)
        return close(answer, got_wrong)

    return looks_like


def same_or_nan(got: Any, want: float) -> bool:
    """Whether a learner's function returned ``want`` (within 1e-6), where a nan is only matched by a nan:
    a rate of nothing is not defined, and 0 would hide that."""
    if not is_number(got):
        return False
    if math.isnan(want):
        return math.isnan(got)
    return math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9)


def enough_right(count: PartsCount, needed: int, too_few: Callable[[int], str]) -> Verifier:
    """A verifier for an answer of several parts (a dictionary of owners, of grades) that passes when at
    least ``needed`` parts are right: ``count`` gives how many are (or what is wrong with the answer's
    form), ``too_few(right)`` says so in words, never which part is wrong."""

    def verify(answer: Any) -> str | None:
        right, problem = count(answer)
        if problem:
            return problem
        return too_few(right) if right < needed else None

    return verify


def dictionary_parts(expected: Callable[[], Mapping[str, str]], read: Callable[[str], str | None], value: str,
                     values: str, options: Iterable[str]) -> PartsCount:
    """How many values of a dictionary answer are right, for :func:`enough_right`: the answer must be a
    dictionary with every key of ``expected()``, and ``read`` turns each value (as stripped text) into
    the form ``expected`` uses, or None when it is none of ``options``. ``value`` and ``values`` name
    one and several of them in the messages ("grade", "grades")."""
    shown = ", ".join(repr(option) for option in options)

    def count(answer: Any) -> tuple[int, str | None]:
        right = expected()
        if not isinstance(answer, dict):
            return 0, _("your answer is a {kind}; this task asks for a dictionary {{key: {value}}}.",
                        kind=type(answer).__name__, value=value)
        missing = [key for key in right if key not in answer]
        if missing:
            return 0, _("your dictionary lacks the key(s) {keys}.", keys=", ".join(missing))
        chosen = {key: read(str(answer[key]).strip()) for key in right}
        unknown = [key for key, read_value in chosen.items() if read_value is None]
        if unknown:
            return 0, _("the value(s) for {keys} are not {values}: write one of {known}.", keys=", ".join(unknown),
                        values=values, known=shown)
        return sum(chosen[key] == value_right for key, value_right in right.items()), None

    return count


def half_then_all(count: PartsCount, total: int, things: str) -> tuple[Verifier, Verifier]:
    """The two verifiers of a task in two points: the first passes with at least half of the ``total``
    parts right, the second with all of them. Their messages say how many ``things`` are right."""
    half = enough_right(count, math.ceil(total / 2), lambda right: _(
        "{right} of the {total} {things} are right; half of them earn this point.", right=right, total=total,
        things=things))
    every = enough_right(count, total, lambda right: _(
        "{right} of the {total} {things} are right.", right=right, total=total, things=things))
    return half, every
