"""The judge, on a kernel stand-in: hidden tests read the learner's answers as data, call their functions back,
fail with their own message, and never see the tests' code reach the learner."""

from __future__ import annotations

import json

from smarketing.grading import codec, judge


class FakeKernel(judge.Kernel):
    """A learner's namespace, reached as the real kernel is: through expressions that return text."""

    def __init__(self, namespace: dict) -> None:
        self.namespace, self.expressions = namespace, []

        def evaluate(expression: str) -> str:
            self.expressions.append(expression)
            return repr(eval(expression, {"get_ipython": lambda: type("Shell", (), {"user_ns": namespace})()}))

        super().__init__(evaluate)


def test_free_names_are_the_learners_answers():
    block = ("import math as _m\nfrom smarketing import exercises as _ex\n_p = _ex.recheck('x', 'q1', rate)\n"
             "try:\n    _v = leakage(frame, 5)\nexcept Exception as _e:\n    _v = _e\n"
             "assert all(_m.isclose(a, b) for a, b in zip(shares, [1]))")
    assert judge.free_names(block) == ["rate", "leakage", "frame", "shares"]


def test_a_passing_and_a_failing_test_with_its_message():
    kernel = FakeKernel({"rate": 0.25})
    assert judge.judge("assert rate == 0.25, 'task 1: no'", kernel, "q1").passed
    verdict = judge.judge("assert rate == 0.5, 'task 1: count the MQLs first'", kernel, "q1")
    assert (verdict.passed, verdict.ename, verdict.evalue) == (False, "AssertionError", "task 1: count the MQLs first")


def test_a_missing_answer_is_not_attempted():
    verdict = judge.judge("assert rate > 0", FakeKernel({}), "q1")
    assert (verdict.ename, verdict.evalue) == ("NotAttempted", "q1: not attempted yet (`rate` not defined).")


def test_a_learners_function_is_called_in_the_kernel_on_the_judges_inputs():
    kernel = FakeKernel({"double": lambda values: [2 * v for v in values]})
    assert judge.judge("assert double([1, 2]) == [2, 4]", kernel, "q3").passed
    assert any(".call('double'" in e for e in kernel.expressions)  # called there, not here
    failing = judge.judge("double(None)", kernel, "q3")
    assert (failing.passed, failing.ename) == (False, "TypeError")


def test_the_librarys_own_function_is_told_from_a_copy():
    from smarketing import kpis

    kernel = FakeKernel({"nps": kpis.net_promoter_score})
    verdict = judge.judge("from smarketing import kpis as _k\nassert nps is not _k.net_promoter_score, 'write it'",
                          kernel, "q3")
    assert (verdict.passed, verdict.evalue) == (False, "write it")


def test_an_answer_that_is_not_data_is_its_type_name_and_a_silent_kernel_costs_the_task():
    kernel = judge.Kernel(lambda expression: repr(json.dumps({"rate": {"opaque": "generator"}})))
    verdict = judge.judge("assert isinstance(rate, float), type(rate).__name__", kernel, "q1")
    assert (verdict.passed, verdict.evalue) == (False, "generator")
    silent = judge.judge("assert rate", judge.Kernel(lambda expression: None), "q1")
    assert (silent.passed, silent.ename) == (False, "KernelSilent")
    assert isinstance(codec.Opaque(), codec.Opaque)
