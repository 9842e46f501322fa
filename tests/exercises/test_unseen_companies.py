"""Graded work tests transfer, not recall: every auto-graded task runs on a company that no course notebook
analyses, so no expected answer of the committed cohort is printed anywhere in `course/`.

The expected answers are what the solution notebook computes: it is executed here, and each task's answer is
read from its kernel as data (the grader's own codec)."""

from __future__ import annotations

import json
import math
import re
import sys
from functools import cache

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from smarketing import manifest
from smarketing.exercises import tasks
from smarketing.grading import codec
from tests.conftest import ROOT

ASSIGNMENTS = manifest.load(ROOT).assignments()
GRADED_NAMES = ("argo", "vela", "tide")
COURSE_NAMES = ("lumen", "ferro", "bloom")


def solution_answers(assignment: str, env: dict[str, str] | None = None) -> dict[str, object]:
    """Each task's answer as the solution notebook computes it (functions left out: they print nothing)."""
    source = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    names = sorted({t.variable for t in tasks(assignment)})
    source.cells.append(nbformat.v4.new_code_cell(
        f"import smarketing.grading.codec as _codec\nprint(_codec.export_names({names!r}, globals()))"))
    client = NotebookClient(source, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "solutions" / assignment)}})
    client.execute(**({"env": env} if env else {}))
    exported = json.loads(source.cells[-1].outputs[0]["text"])
    return {name: codec.decode(tree) for name, tree in exported.items()
            if "missing" not in tree and "function" not in tree}


def _rows(value: object) -> list[list[float]]:
    """An answer's numbers, row by row: a table gives one list per row, anything else one list per number."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [[float(value)]] if math.isfinite(value) else []
    if isinstance(value, pd.Series):
        return _rows(value.to_frame())
    if isinstance(value, pd.DataFrame):
        numeric = [c for c in value.columns
                   if pd.api.types.is_numeric_dtype(value[c]) and not pd.api.types.is_bool_dtype(value[c])]
        return [[float(v) for v in row if pd.notna(v)] for row in value[numeric].itertuples(index=False)]
    if isinstance(value, dict):
        return [row for v in value.values() for row in _rows(v)]
    if isinstance(value, list | tuple):
        return [row for v in value for row in _rows(v)]
    return []


SIGNIFICANT = 3  # the precision the tasks ask for, and at which the course prints its figures


def _written(number: float) -> set[str]:
    """The ways a notebook prints ``number`` at the precision a task asks (three significant digits, or a
    percentage with one decimal), keeping only forms of three digits or more: "0.5" or "12" say nothing."""
    if not math.isfinite(number) or number == 0:
        return set()
    forms = {f"{number:.{SIGNIFICANT}g}"}
    if number == int(number):
        forms |= {f"{int(number)}", f"{int(number):,}"}
    if 0 < abs(number) < 1:
        forms |= {f"{100 * number:.{SIGNIFICANT - 2}f}", f"{number:.{SIGNIFICANT}f}"}
    return {form for form in forms if len(re.sub(r"\D", "", form).lstrip("0")) >= SIGNIFICANT}


def _learner_visible(notebook: dict) -> list[tuple[int, bool, str]]:
    """What a learner reads in a notebook, piece by piece: each cell's source (markdown or code) and each output
    shown as text or a table (text/plain, text/markdown, text/html), with whether the piece *stands out*: prose
    and code always, an output when it shows five numbers or fewer (a result, not a table to search). Charts
    (SVG, Vega) and widget state are left out: their numbers are coordinates, styles and ids."""
    pieces = []
    for number, cell in enumerate(notebook["cells"]):
        pieces.append((number, True, "".join(cell["source"])))
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            kinds = ("text/html", "text/markdown", "text/plain")  # one rendering of each output, the richest
            text = "".join(output.get("text", "")) or next(("".join(data[k]) for k in kinds if k in data), "")
            plain = "".join(output.get("text", "")) or "".join(data.get("text/plain", ""))
            pieces.append((number, len(re.findall(r"\d+(?:[.,]\d+)*", plain)) <= 5, text))
    return pieces


@cache
def course_pieces() -> tuple[tuple[str, bool, str], ...]:
    """Every piece of course/, named "<notebook> cell <n>"."""
    return tuple((f"{path.stem} cell {number}", stands_out, text) for path in sorted((ROOT / "course").glob("*.ipynb"))
                 for number, stands_out, text in _learner_visible(json.loads(path.read_text(encoding="utf-8"))))


def _printed(number: float, text: str) -> bool:
    # not inside a longer number: 123 is not in 1234, 0.134 is not in 0.1345
    return any(re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d]|[.,]\d)", text) for form in _written(number))


def printed_answers(answers: dict[str, object]) -> list[tuple[str, str, str]]:
    """The answers that `course/` gives away: a number stated in prose or code, or shown as a result of a few
    numbers; a row of a table when all its numbers appear in one output (a copied table). One number of a
    wide table of course figures that happens to equal an answer at three digits is chance: the course never
    loads a graded company (tested below), and six notebooks of figures hold most three-digit numbers."""
    found = []
    for name, value in answers.items():
        for row in _rows(value):
            row = [n for n in row if _written(n)]
            for where, stands_out, text in course_pieces():
                if row and (stands_out or len(row) > 1) and all(_printed(n, text) for n in row):
                    found.append((name, where, ", ".join(f"{n:.{SIGNIFICANT}g}" for n in row[:4])))
    return sorted(set(found))


def test_the_search_finds_a_copied_answer(monkeypatch):
    """The search is not blind: the old leaks (module 03's threshold answers in prose, a copied table) are found,
    and a chance match inside a wide table of course figures is not."""
    assert _printed(0.7153, "holding **71.5 %** of the won revenue") and _printed(1631.0, "**1,631** leads")
    assert not _printed(0.7153, "71.56 %") and not _printed(735.0, "7,350 leads") and not _printed(1234.0, "12345")
    wide = "\n".join(f"row{i}  0.{100 + 7 * i}  {1000 + 13 * i}" for i in range(12))
    pieces = (("03 cell 1", True, "A threshold of **52** gives **146** a month, holding **71.5 %**."),
              ("02 cell 2", False, wide), ("04 cell 3", False, "| 0.451 | 1,204 |"))
    monkeypatch.setattr(sys.modules[__name__], "course_pieces", lambda: pieces)
    answers = {"kept": 0.7153, "mqls": 146.0, "in_wide_table": 0.107,
               "table": pd.DataFrame({"rate": [0.4512], "leads": [1204]})}
    assert [name for name, _where, _value in printed_answers(answers)] == ["kept", "mqls", "table"]


# Chance matches of the committed cohort (2026-autumn), each read and explained: the course figure is another
# quantity of a course company that happens to share three digits with the answer. Any match not listed fails,
# and a listed one that no longer occurs must be removed (a new cohort starts with an empty list).
CHANCE = {
    ("02_kpis", "lag_days", "01_roles cell 41"):
        "ferro's marketers write 107 hours of content a week; argo's lag is 107.1 days",
    ("03_funnel_handoff", "mql_to_sql_rate", "01_roles cell 30"):
        "lumen's revops spends 10.8 % of its time on process improvement",
    ("03_funnel_handoff", "mql_to_sql_rate", "05_alignment cell 41"):
        "W-shaped gives e-mail 10.8 % of lumen's won revenue over the whole journey",
    ("05_alignment", "sla", "04_pipeline_forecasting cell 48"):
        "lumen's northern deals are won 26.0 % of the time; the model SLA's lead-value minimum is an MQL → SQL of 0.26",
}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_graded_answer_is_printed_in_the_course(assignment):
    answers = solution_answers(assignment)
    assert answers, f"{assignment}: the solution computed no answer to look for"
    printed = printed_answers(answers)
    unexplained = [(name, where, value) for name, where, value in printed if (assignment, name, where) not in CHANCE]
    assert not unexplained, f"{assignment}: answers printed in course/: {unexplained[:8]}"
    listed = {(a, name, where) for a, name, where in CHANCE if a == assignment}
    stale = listed - {(assignment, name, where) for name, where, _value in printed}
    assert not stale, f"{assignment}: no longer a chance match, remove from CHANCE: {sorted(stale)}"


def test_no_course_notebook_analyses_a_graded_company():
    """The guarantee behind the search above: a graded company's figures can reach course/ only by chance. (The
    capstone's introduction may name its company; no code cell loads it.)"""
    for path in sorted((ROOT / "course").glob("*.ipynb")):
        code = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                         if c["cell_type"] == "code")
        named = [name for name in GRADED_NAMES if re.search(rf"\b{name}\b", code)]
        assert not named, f"{path.name} analyses the graded companies {named}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_graded_work_uses_the_graded_companies(assignment):
    source = (ROOT / "solutions" / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8")
    loaded = set(re.findall(r'load_company\(\\"(\w+)\\"\)', source)) | set(re.findall(r'company\(\\"(\w+)\\"\)', source))
    assert loaded and loaded <= set(GRADED_NAMES), f"{assignment} loads {sorted(loaded)}"
