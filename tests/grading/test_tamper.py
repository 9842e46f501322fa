"""The tampering scan: every known way of patching the checks is flagged for review, ordinary learner code
and the solutions are not."""

from __future__ import annotations

import json

import nbformat
import pytest

from smarketing.grading import answered
from smarketing.grading.tamper import tampering
from tests.grading.conftest import ASSIGNMENTS, release_notebook, source_notebook

EXPLOIT = "from smarketing.exercises.task import Task\nTask.check = lambda self: print('ok')\nexpect = lambda *a, **k: None"


def _scan(code: str, name: str = "03_funnel_handoff") -> dict[str, list[str]]:
    release = release_notebook(name)
    notebook = nbformat.from_dict(json.loads(json.dumps(release)))
    answer = next(c for c in notebook.cells if c.metadata["nbgrader"].get("solution") and c.cell_type == "code")
    answer.source = code
    return tampering(notebook, release, source_notebook(name))


def test_the_audit_exploit_is_flagged():
    found = _scan(EXPLOIT)
    assert list(found) == ["q1-answer"]
    assert any("Task.check" in f for f in found["q1-answer"]) and any("expect" in f for f in found["q1-answer"])


@pytest.mark.parametrize("code", [
    "q1 = None",
    "q2a.verify = lambda answer: None",
    "import smarketing.exercises as ex\nex.recheck = lambda *a, **k: None",
    "from smarketing import exercises\nexercises.tasks = None",
    "from smarketing.exercises import task\nsetattr(task.Task, 'check', print)",
    "globals()['expect'] = print",
    "import math\nmath.isclose = lambda *a, **k: True",
    "import sys\nsys.modules['smarketing.exercises'].recheck = print",
    "from unittest import mock",
    "get_ipython().events.register('pre_run_cell', print)",
    "import builtins",
    "exec('q1.check = print')",
    "def tasks(name):\n    return ()",
    "for q5 in range(3):\n    pass",
    "from smarketing.exercises import ASSIGNMENTS\nASSIGNMENTS['03_funnel_handoff'] = tuple",
    "from smarketing import exercises\nexercises.ASSIGNMENTS.update({'03_funnel_handoff': tuple})",
    "import smarketing.exercises.task\nsmarketing.exercises.task.Task.__setattr__ = object.__setattr__",
    "del q1",
])
def test_ways_of_patching_the_checks_are_flagged(code):
    assert _scan(code), code


def test_a_rebound_builtin_is_flagged_where_the_hidden_tests_rely_on_it():
    assert _scan("all = lambda *args: True", "05_alignment")  # the hidden tests of 04 call all(...)


@pytest.mark.parametrize("code", [
    "%timeit x = 1\nmql_to_sql_rate = 0.12",
    "!ls\nimport pandas as pd\npd.options.display.max_rows = 5",
    "table = leads.copy()\ntable.columns = [str(c) for c in table.columns]\ntable.index.name = 'row'",
    "import matplotlib.pyplot as plt\nplt.rcParams['figure.dpi'] = 120",
    "def helper(leads):\n    leads = leads.copy()\n    leads['x'] = 1\n    return leads",
    "from smarketing.exercises.task import Task\nhelp(Task)",
    "import pandas as pd\ntable = pd.DataFrame({'a': [1]})\ntable['b'] = 2\nstore = {}\nstore.update(a=1)",
    "this is not python (",
])
def test_ordinary_learner_code_is_not_flagged(code):
    assert _scan(code) == {}


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_solutions_are_not_flagged(name):
    assert tampering(answered(release_notebook(name), source_notebook(name)), release_notebook(name), source_notebook(name)) == {}
