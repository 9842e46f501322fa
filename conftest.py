"""Hooks for the whole suite: nbval over the released exercises, where a learner has not answered yet, so answer
and check cells may raise (NotImplementedError, "not attempted yet") while every other cell must still run
cleanly; the translated editions' notebooks run with their language (SMARKETING_LANG), as they were stored;
and how `make test` shares the tests among its workers (pytest-xdist)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smarketing.messages import LANGUAGES, speaking

ROOT = Path(__file__).parent
EDITIONS = {ROOT / language: language for language in LANGUAGES}  # zh_CN/ → "zh_CN"
RELEASES = [ROOT / "exercises", *(edition / "exercises" for edition in EDITIONS)]
# Test files whose every test is an independent run of the whole course (minutes each): spread one by one.
SPREAD = ("tests/test_notebooks_on_imports.py",)


def pytest_collection_modifyitems(items):
    for item in items:
        cell = getattr(item, "cell", None)
        if cell is None or not set(RELEASES) & set(Path(str(item.fspath)).parents):
            continue
        nbgrader = cell.metadata.get("nbgrader", {})
        if nbgrader.get("solution") or nbgrader.get("grade"):
            item.options["check_exception"] = True


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_setup(item):
    """A notebook of an edition gets its kernel (started as its first cell is set up) in its language."""
    parents = set(Path(str(item.fspath)).parents)
    language = next((lang for folder, lang in EDITIONS.items() if folder in parents), None)
    if language is None or getattr(item, "cell", None) is None:
        yield
        return
    with speaking(language):
        yield


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: nothing to do without it
def pytest_xdist_make_scheduler(config, log):
    """Workers take a whole file at a time: a notebook's cells share one kernel, in order, and a test file's
    module-scoped fixtures (a class graded, the course run on an import) are built once. Only the tests of
    SPREAD go one by one, so that their long runs share the workers."""
    from xdist.scheduler import LoadScopeScheduling

    class ByFile(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return nodeid if path in SPREAD else path

    return ByFile(config, log)
