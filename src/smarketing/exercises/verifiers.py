"""Verifiers: what is wrong with an answer, in words, without the expected value.

A verifier takes the learner's answer and returns None when it passes, else one sentence for the
learner. :func:`number`, :func:`frame`, :func:`function` and :func:`choice` make the common ones; an
assignment's own verifiers (in ``ex01_roles.py`` …) use :func:`is_number` and :func:`not_a_data_frame`
so that every task says the same thing about the same kind of wrong answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from smarketing.messages import _


def is_number(value: Any) -> bool:
    """Whether ``value`` is one plain number (a Python or numpy int or float). A bool is not: ``True``
    is an answer to a yes/no question, and it must not pass as 1."""
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def not_a_data_frame(answer: Any) -> str | None:
    """The message for an answer that is not a pandas DataFrame where a task asks for one, else None."""
    if isinstance(answer, pd.DataFrame):
        return None
    return _("your answer is a {kind}; this task asks for a pandas DataFrame.", kind=type(answer).__name__)


def number(expected: Callable[[], float], tolerance: float = 1e-3, share: bool = False) -> Callable[[Any], str | None]:
    """A verifier for a single number, within a relative ``tolerance``. ``share`` means a rate from 0
    to 1: an answer given in percent gets its own message."""

    def verify(answer: Any) -> str | None:
        if isinstance(answer, pd.Series | pd.DataFrame | np.ndarray | list | tuple):
            return _("your answer is a {kind}; this task asks for one number. Take a single value out of it "
                     "(for example with .iloc[0] or float(...)).", kind=type(answer).__name__)
        if not is_number(answer):
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
        if problem := not_a_data_frame(answer):
            return problem
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
        if is_number(want):
            return is_number(got) and math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9)
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


class Choices:
    """The options of a multiple-choice task, lettered in an order drawn from the cohort and the task.

    Each option has a stable id (what the checks and mistakes name) and a text. The order is a permutation
    seeded by ``key()`` (the cohort the graded companies were drawn for, with the task's name), so each
    cohort's learners see the options lettered differently: last term's letter is not this term's answer, and
    the right option sits at no fixed place. The learner reads them with ``q5a.options()`` and answers with the
    letter shown; the checks translate it back to the id, in the learner's kernel and in the grader alike,
    since both read the same data."""

    def __init__(self, options: dict[str, str], key: Callable[[], str]) -> None:
        self.options = dict(options)
        self.key = key

    def order(self) -> list[str]:
        import hashlib

        seed = int.from_bytes(hashlib.sha256(self.key().encode("utf-8")).digest()[:8], "big")
        ids = list(self.options)
        return [ids[i] for i in np.random.default_rng(seed).permutation(len(ids))]

    def letters(self) -> dict[str, str]:
        """Letter shown → option id."""
        return {chr(ord("A") + position): option for position, option in enumerate(self.order())}

    def id_of(self, answer: Any) -> str | None:
        """The option a learner's letter stands for (None for anything that is not a shown letter)."""
        if not isinstance(answer, str):
            return None
        return self.letters().get(answer.strip().upper())

    def listing(self) -> str:
        return "\n".join(f"{letter}. {self.options[option]}" for letter, option in self.letters().items())


def shuffled_choice(correct: Iterable[str], choices: Choices) -> Callable[[Any], str | None]:
    """A verifier for a multiple-choice task whose options are lettered per cohort: any of the option ids
    ``correct`` passes, whatever letter it carries in this cohort."""
    right = set(correct)

    def verify(answer: Any) -> str | None:
        chosen = choices.id_of(answer)
        if chosen is None:
            return _("answer with one letter of the options, as a string: {letters} (run the task's .options() to "
                     "see them).", letters=", ".join(repr(letter) for letter in choices.letters()))
        return None if chosen in right else _("that is not the best choice; look at the numbers again.")

    return verify


def chose(choices: Choices, option: str) -> Callable[..., bool]:
    """A mistake detector: the learner picked ``option`` (an id), under whatever letter this cohort shows it."""
    return lambda answer, **given: choices.id_of(answer) == option
