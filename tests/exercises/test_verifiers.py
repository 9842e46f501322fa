"""The verifiers (``smarketing.exercises.verifiers``): what is wrong with an answer, in words, never with the
expected value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smarketing.exercises.verifiers import choice, frame, function, is_number, not_a_data_frame, number


@pytest.mark.parametrize("value", [3, 0.25, np.int64(3), np.float32(0.5), float("nan")])
def test_plain_numbers_are_numbers(value):
    assert is_number(value)


@pytest.mark.parametrize("value", [True, False, np.bool_(True), "3", None, [3], pd.Series([3]), 1j])
def test_booleans_and_containers_are_not_numbers(value):
    assert not is_number(value)


def test_one_message_for_an_answer_that_should_be_a_table():
    assert not_a_data_frame(pd.DataFrame({"a": [1]})) is None
    assert not_a_data_frame(pd.Series([1])) == "your answer is a Series; this task asks for a pandas DataFrame."
    assert not_a_data_frame({"a": [1]}) == "your answer is a dict; this task asks for a pandas DataFrame."


def test_number_verifier_takes_no_bool_for_a_number():
    verify = number(lambda: 1.0)
    assert verify(1) is None and verify(np.float64(1.0)) is None
    assert verify(True) == "your answer is a bool, not a number."


def test_frame_verifier_names_the_wrong_column_and_row():
    expected = pd.DataFrame({"stage": ["mql", "sql"], "rate": [0.5, 0.25]})
    verify = frame(lambda: expected, key="stage")
    assert verify(expected.iloc[::-1]) is None  # row order does not matter with a key
    assert verify(expected.assign(extra=1)) is None
    assert verify(expected.drop(columns="rate")) == "your table lacks the column(s) rate. Columns found: stage."
    assert verify(expected.head(1)) == "your table has 1 row(s); it should have 2."
    message = verify(expected.assign(rate=[0.5, 0.3]))
    assert message == "column `rate` is not right in 1 row(s) (the first at stage sql)." and "0.25" not in message
    assert verify([1, 2]) == "your answer is a list; this task asks for a pandas DataFrame."
    categorical = expected.assign(stage=pd.Categorical(expected["stage"], categories=["sql", "mql"]))
    assert verify(categorical) is None  # a categorical key (a groupby result) is compared by its text
    assert verify(expected.assign(stage=["mql", "won"])) == ("the values of `stage` are not the expected ones "
                                                             "(check for missing or extra rows).")


def test_frame_verifier_in_order_points_at_the_first_wrong_position():
    expected = pd.DataFrame({"step": ["a", "b", "c"]})
    verify = frame(lambda: expected, check_order=True)
    assert verify(expected) is None
    assert verify(expected.iloc[::-1]) == "column `step` is not right in 2 row(s) (the first at position 0)."


def test_function_verifier_runs_cases():
    verify = function(lambda: [((10, 40), 0.25), ((0, 0), 0.0)], describe=lambda args: f" {args}")
    assert verify(lambda a, b: a / b if b else 0.0) is None
    assert verify(lambda a, b: a / b) == ("your function raised ZeroDivisionError (division by zero) on test case "
                                          "2 (0, 0).")
    assert verify(lambda a, b: b / a) == "your function gives a wrong result on test case 1 (10, 40)."
    assert verify(lambda a, b: a / b == 0.25 if b else False) == ("your function gives a wrong result on test "
                                                                   "case 1 (10, 40).")  # True is not 0.25
    assert verify(0.25) == "your answer is a float; this task asks for a function (def ...)."


def test_choice_verifier():
    verify = choice(["ferro"], ["lumen", "ferro", "bloom"])
    assert verify("Ferro") is None
    assert verify("lumen") == "that is not the best choice; look at the numbers again."
    assert verify("acme") == "answer with one of: 'lumen', 'ferro', 'bloom'."
    assert verify(2) == "answer with one of: 'lumen', 'ferro', 'bloom'."


def test_shuffled_choices_letter_the_options_per_cohort():
    from smarketing.exercises.verifiers import Choices, chose, shuffled_choice

    options = {"mix": "the segment mix", "speed": "response speed", "luck": "luck", "size": "company size"}
    cohorts = [f"{year}-{term}" for year in range(2026, 2031) for term in ("spring", "autumn")]
    letters_of_right = set()
    for cohort in cohorts:
        choices = Choices(options, lambda cohort=cohort: f"{cohort}:q5a")
        assert choices.order() == choices.order()  # the same cohort always letters them alike
        assert sorted(choices.order()) == sorted(options)
        right = next(letter for letter, option in choices.letters().items() if option == "speed")
        letters_of_right.add(right)
        verify = shuffled_choice(["speed"], choices)
        assert verify(right) is None and verify(right.lower()) is None
        wrong = next(letter for letter in choices.letters() if letter != right)
        assert verify(wrong) == "that is not the best choice; look at the numbers again."
        assert chose(choices, choices.letters()[wrong])(wrong)
        assert "one letter of the options" in verify("E") and "one letter" in verify(2)
        assert choices.listing().splitlines()[0].startswith("A. ")
    assert len(letters_of_right) >= 3, "the right option must not keep its letter from cohort to cohort"
