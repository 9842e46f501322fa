"""The course's manifest, ``course.yml`` at the root of the course: its modules in order, each with its
notebook, graded assignment, self-checks, apps, time and what a learner learns there.

It is the one list of modules (as QuantEcon's lectures keep theirs in ``_toc.yml``): the README's table, the
tests, ``smarketing modules``, ``smarketing workshop run`` and ``make notebooks`` all read it here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from smarketing.messages import _

MANIFEST = "course.yml"
# How long a module or an exercise takes, measured from its notebook rather than guessed: reading at a
# learner's pace, running and reading each code cell, and the work each task asks for.
WORDS_PER_MINUTE = 130
MINUTES_PER_CODE_CELL = 0.5  # most are two or three lines; a check cell counts with its task
MINUTES_PER_YOUR_TURN = 5  # a "✍️ Your turn" exercise in a module
MINUTES_PER_APP = 5  # trying an interactive app
MINUTES_PER_GRADED_TASK = 6  # an auto-graded task: write, run, check, fix
MINUTES_PER_WRITTEN_ANSWER = 15  # a reflection or a design deliverable, graded by hand
ROOT_VARIABLE = "SMARKETING_COURSE"  # a course folder elsewhere (a copy on a hub, a translated course)
FIELDS = ("id", "title", "notebook", "assignment", "checks", "apps", "minutes", "exercise_minutes", "learn")


class ManifestError(ValueError):
    """course.yml is missing, unreadable, or a module lacks a field."""


@dataclass(frozen=True)
class Module:
    id: str  # "03": the notebook's and the assignment's prefix
    title: str
    notebook: str  # relative to the course root, e.g. course/03_funnel_handoff.ipynb
    assignment: str  # the folder in solutions/ and exercises/
    checks: str  # the module of self-checks in smarketing.exercises
    apps: tuple[str, ...]  # classes of smarketing.widgets the notebook shows
    minutes: int  # the module's notebook, measured (measured_minutes)
    exercise_minutes: int  # its graded exercise, measured
    learn: str  # what a learner learns, in the README's words


@dataclass(frozen=True)
class Course:
    root: Path
    title: str
    modules: tuple[Module, ...]
    workshop_app: str | None

    def notebooks(self) -> list[Path]:
        return [self.root / module.notebook for module in self.modules]

    def assignments(self) -> list[str]:
        return [module.assignment for module in self.modules]

    def table(self) -> Any:
        """The modules as a table for learners (module 00 shows it): title, what you learn, and the minutes of
        the notebook and of its graded exercise, as measured."""
        import pandas as pd

        return pd.DataFrame([{"module": m.id, "title": m.title, "what you learn": m.learn, "minutes": m.minutes,
                              "exercise minutes": m.exercise_minutes} for m in self.modules]).set_index("module")

    def module(self, key: str) -> Module:
        """A module by its id ("03") or its assignment ("03_funnel_handoff")."""
        for module in self.modules:
            if key in (module.id, module.assignment):
                return module
        raise ManifestError(_("No module '{key}' in {file}; modules: {known}.", key=key, file=self.root / MANIFEST,
                              known=", ".join(m.id for m in self.modules)))


def course_root() -> Path:
    """The folder with course.yml: $SMARKETING_COURSE, else the first one at or above the current folder or
    this package (an editable install in the course's repository)."""
    if os.environ.get(ROOT_VARIABLE):
        return Path(os.environ[ROOT_VARIABLE])
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / MANIFEST).is_file():
                return folder
    raise ManifestError(_("No {file} found here or above, nor beside the smarketing package: run this inside the "
                          "course's folder, or set {variable} to it.", file=MANIFEST, variable=ROOT_VARIABLE))


def load(root: Path | None = None) -> Course:
    """The course at ``root`` (default: :func:`course_root`), read and checked."""
    return _load((root or course_root()).resolve())


@cache
def _load(root: Path) -> Course:
    path = root / MANIFEST
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ManifestError(_("{file}: cannot be read ({detail}).", file=path, detail=error.strerror)) from None
    except yaml.YAMLError as error:
        raise ManifestError(_("{file}: not valid YAML: {detail}", file=path, detail=error)) from None
    entries = data.get("modules") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ManifestError(_("{file}: needs a list 'modules:' with one entry per module.", file=path))
    modules = []
    for number, entry in enumerate(entries, start=1):
        missing = [name for name in FIELDS if not isinstance(entry, dict) or name not in entry]
        if missing:
            raise ManifestError(_("{file}: module {number} lacks {fields}.", file=path, number=number,
                                  fields=", ".join(missing)))
        modules.append(Module(id=str(entry["id"]), title=str(entry["title"]), notebook=str(entry["notebook"]),
                              assignment=str(entry["assignment"]), checks=str(entry["checks"]),
                              apps=tuple(str(app) for app in entry["apps"] or ()), minutes=int(entry["minutes"]),
                              exercise_minutes=int(entry["exercise_minutes"]), learn=str(entry["learn"])))
    ids = [m.id for m in modules]
    if len(set(ids)) != len(ids):
        raise ManifestError(_("{file}: module ids repeat: {ids}.", file=path, ids=", ".join(ids)))
    return Course(root, str(data.get("title", "")), tuple(modules), data.get("workshop_app"))


def measured_minutes(notebook: Any) -> int:
    """The minutes a learner needs for a notebook (a module or an exercise), rounded up to 5: its words at
    :data:`WORDS_PER_MINUTE`, half a minute per code cell, and the work of each "Your turn", app, auto-graded task
    and answer written for a person to grade."""
    import re

    words = code = turns = graded = written = apps = 0
    for cell in notebook.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown":
            words += len(re.findall(r"[\w'’-]+", cell.source))
            turns += cell.source.count("Your turn")
            written += bool(nbgrader.get("solution") and nbgrader.get("grade"))
        elif cell.cell_type == "code" and not nbgrader.get("grade"):
            code += 1
            apps += len(re.findall(r"\bwidgets\.[A-Z]\w+", cell.source))
            graded += bool(nbgrader.get("solution"))
    minutes = (words / WORDS_PER_MINUTE + code * MINUTES_PER_CODE_CELL + turns * MINUTES_PER_YOUR_TURN
               + apps * MINUTES_PER_APP + graded * MINUTES_PER_GRADED_TASK + written * MINUTES_PER_WRITTEN_ANSWER)
    return int(-(-minutes // 5) * 5)
