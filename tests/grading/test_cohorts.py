"""Released for another cohort: the graded companies are drawn anew, so the expected answers change, and the
released notebooks do not (they name the companies, not their numbers): the solution still earns full marks
and the blank release zero, with the real nbgrader."""

from __future__ import annotations

import shutil

import pytest

from smarketing import grading
from smarketing.datasets import GRADED_COMPANIES, generate_company, write_company
from tests.conftest import DATASETS
from tests.exercises.test_unseen_companies import ASSIGNMENTS, solution_answers
from tests.grading.conftest import cell_points, copy_course, hand_in, release_notebook, source_notebook

pytestmark = pytest.mark.sandbox

COHORT = "2027-spring"


@pytest.fixture(scope="module")
def spring_data(tmp_path_factory):
    """The course companies as committed, and the graded companies drawn for another cohort."""
    data = tmp_path_factory.mktemp("spring") / "datasets"
    shutil.copytree(DATASETS, data, ignore=shutil.ignore_patterns(*GRADED_COMPANIES))
    for name in GRADED_COMPANIES:
        write_company(*generate_company(name, cohort=COHORT), data / name)
    return data


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_another_cohort_changes_the_answers_and_the_solution_still_earns_full_marks(assignment, spring_data,
                                                                                     tmp_path, monkeypatch):
    import os

    autumn = solution_answers(assignment)
    spring = solution_answers(assignment, env={**os.environ, "SMARKETING_DATA": str(spring_data)})
    changed = [name for name in autumn if repr(autumn[name]) != repr(spring.get(name))]
    assert changed, f"{assignment}: another cohort gives the same answers"
    monkeypatch.setenv("SMARKETING_DATA", str(spring_data))
    course = copy_course(tmp_path / "course")
    release, source = release_notebook(assignment), source_notebook(assignment)
    hand_in(tmp_path / "inbox", "solved", grading.answered(release, source))
    hand_in(tmp_path / "inbox", "blank", release)
    results = {r.student: r for r in grading.grade(assignment, course, source=tmp_path / "inbox", jobs=2)}
    assert results["solved"].score == sum(cell_points(source).values()), results["solved"]
    assert results["blank"].score == 0
