"""What the assignments share (``smarketing.exercises.shared``): the companies loaded once, the number
comparisons of the mistake detectors, and the answers of several parts that earn a point by halves."""

from __future__ import annotations

import math

import numpy as np
import pytest

from smarketing.exercises.shared import close, company, dictionary_parts, half_then_all, same_or_nan

GRADES = {"study": "A", "slide": "D"}


def test_a_company_is_loaded_once():
    assert company("ferro") is company("ferro")
    assert company("ferro").name == "ferro"


def test_close_is_within_a_tenth_of_a_percent_and_only_for_numbers():
    assert close(100.05, 100) and close(np.int64(100), 100.0)
    assert not close(100.2, 100)
    assert not close(True, 1.0)  # a yes/no answer is no number, however close
    assert not close("100", 100)


def test_same_or_nan_matches_a_nan_only_with_a_nan():
    assert same_or_nan(math.nan, math.nan) and same_or_nan(np.float64(0.25), 0.25)
    assert not same_or_nan(0.0, math.nan)
    assert not same_or_nan(math.nan, 0.0)
    assert not same_or_nan(True, 1.0) and not same_or_nan(None, math.nan)
    assert not same_or_nan(0.2501, 0.25)


@pytest.fixture
def grades():
    count = dictionary_parts(lambda: GRADES, lambda text: text.upper() if text.upper() in "ABCD" else None,
                             "grade", "grades", "ABCD")
    return half_then_all(count, len(GRADES), "grades")


def test_parts_answers_earn_half_then_all(grades):
    half, every = grades
    assert half(GRADES) is None and every({"study": " a", "slide": "d "}) is None  # case and spaces do not matter
    assert half({"study": "A", "slide": "C"}) is None
    assert every({"study": "A", "slide": "C"}) == "1 of the 2 grades are right."
    assert half({"study": "B", "slide": "C"}) == "0 of the 2 grades are right; half of them earn this point."


def test_parts_answers_of_the_wrong_form_say_what_is_wrong(grades):
    half, _every = grades
    assert half(["A", "D"]) == "your answer is a list; this task asks for a dictionary {key: grade}."
    assert half({"study": "A"}) == "your dictionary lacks the key(s) slide."
    assert half({"study": "E", "slide": 4}) == ("the value(s) for study, slide are not grades: write one of 'A', 'B', "
                                                "'C', 'D'.")
