"""What the assignments' tests share: the graded companies of other cohorts, for checks that must hold for any
draw."""

from __future__ import annotations

import pytest

from smarketing.datasets import GRADED_COMPANIES, generate_company, write_company

COHORTS = (None, "2027-spring", "2030-autumn")  # None: the committed cohort


@pytest.fixture(scope="session")
def cohort_data(tmp_path_factory):
    """The graded companies of the other cohorts, drawn once for the session, each cohort in a folder of its own."""
    folders = {}
    for cohort in COHORTS[1:]:
        folders[cohort] = tmp_path_factory.mktemp(cohort)
        for name in GRADED_COMPANIES:
            write_company(*generate_company(name, cohort=cohort), folders[cohort] / name)
    return folders


@pytest.fixture(params=COHORTS, ids=lambda cohort: cohort or "committed")
def cohort(request, cohort_data, monkeypatch):
    """Runs a test on the committed cohort and on two others. A module opts in with
    ``pytestmark = pytest.mark.usefixtures("cohort")`` and defines ``forget_loaded_companies()``, which clears
    whatever its checks cached from the data."""
    if request.param is not None:
        monkeypatch.setenv("SMARKETING_DATA", str(cohort_data[request.param]))
    request.module.forget_loaded_companies()
    yield request.param
    request.module.forget_loaded_companies()
