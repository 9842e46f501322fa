"""course.yml is the one list of modules: everything that names the modules agrees with it, and a broken
manifest says what is wrong."""

from __future__ import annotations

import importlib
import re

import nbformat
import pytest

from smarketing import manifest, widgets
from smarketing.grading import gradebook
from tests.conftest import ROOT

COURSE = manifest.load(ROOT)


def test_the_course_folder_holds_exactly_the_modules_notebooks_in_order():
    assert sorted((ROOT / "course").glob("*.ipynb")) == sorted(COURSE.notebooks())
    assert [m.id for m in COURSE.modules] == sorted(m.id for m in COURSE.modules)
    for module in COURSE.modules:
        assert (ROOT / module.notebook).name.startswith(f"{module.id}_"), module
        assert module.assignment.startswith(f"{module.id}_") and module.checks == f"ex{module.assignment}", module
    assert (ROOT / COURSE.workshop_app).is_file()


def test_every_assignment_has_its_source_and_release_folders():
    folders = gradebook.folders(ROOT)
    assert gradebook.assignments(ROOT) == COURSE.assignments()
    assert sorted(p.name for p in folders.release.iterdir() if p.is_dir()) == COURSE.assignments()


def test_every_module_has_its_checks_module():
    from smarketing import exercises

    assert list(exercises.ASSIGNMENTS) == COURSE.assignments()
    for module in COURSE.modules:
        checks = importlib.import_module(f"smarketing.exercises.{module.checks}")
        assert exercises.tasks(module.assignment) and callable(checks.tasks), module.checks


def test_the_apps_exist_and_the_notebook_shows_them():
    for module in COURSE.modules:
        source = "\n".join(c.source for c in nbformat.read(ROOT / module.notebook, as_version=4).cells)
        for app in module.apps:
            assert isinstance(getattr(widgets, app, None), type), f"{module.id}: no widgets.{app}"
            assert f"widgets.{app}" in source, f"{module.notebook} does not show widgets.{app}"


def test_the_times_are_measured_and_announced():
    """Each module's and exercise's time is measured from its notebook (words at a learner's pace, its code cells
    and tasks), written in the manifest, and announced in the module's introduction with a link to the exercise."""
    for module in COURSE.modules:
        notebook = nbformat.read(ROOT / module.notebook, as_version=4)
        exercise = nbformat.read(ROOT / "exercises" / module.assignment / f"{module.assignment}.ipynb", as_version=4)
        assert (module.minutes, module.exercise_minutes) == (manifest.measured_minutes(notebook),
                                                             manifest.measured_minutes(exercise)), module.id
        intro = notebook.cells[0].source
        assert f"**Time:** about {module.minutes} minutes to read and try, and about {module.exercise_minutes} " \
               f"for its graded exercise ([`exercises/{module.assignment}`]" in intro, module.notebook
    total = sum(m.minutes + m.exercise_minutes for m in COURSE.modules) / 60
    # A term's course (about 14 weeks of 1–1½ hours), not an afternoon's, and not more than a term holds.
    assert 10 < total < 24, f"{total:.1f} hours: a term's course, not an afternoon's"


def test_each_exercise_links_back_to_its_module():
    for module in COURSE.modules:
        exercise = nbformat.read(ROOT / "exercises" / module.assignment / f"{module.assignment}.ipynb", as_version=4)
        assert f"(../../{module.notebook})" in exercise.cells[0].source, module.assignment


def test_the_readme_table_is_the_manifest():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d\d) ([^|]+?) \| ([^|]+?) \|$", readme, re.M)
    assert rows == [(m.id, m.title, m.learn) for m in COURSE.modules]


def test_the_grading_guide_has_a_row_per_assignment():
    guide = (ROOT / "instructor" / "grading.md").read_text(encoding="utf-8")
    assert re.findall(r"^\| `(\d\d_[a-z_]+)` \|", guide, re.M) == COURSE.assignments()


@pytest.mark.parametrize(("text", "message"), [
    ("modules: []\n", "needs a list 'modules:'"),
    ("modules:\n  - id: '00'\n    title: Start\n", "module 1 lacks notebook, assignment, checks, apps, minutes, exercise_minutes, learn"),
    ("modules: [\n", "not valid YAML"),
])
def test_a_broken_manifest_says_what_is_wrong(tmp_path, text, message):
    (tmp_path / "course.yml").write_text(text, encoding="utf-8")
    with pytest.raises(manifest.ManifestError, match=re.escape(message)):
        manifest.load(tmp_path)


def test_a_missing_manifest_says_where_it_was_looked_for(tmp_path, monkeypatch):
    monkeypatch.setenv(manifest.ROOT_VARIABLE, str(tmp_path))
    with pytest.raises(manifest.ManifestError, match="cannot be read"):
        manifest.load()


def test_the_modules_command_lists_the_manifest(capsys):
    from smarketing import cli

    assert cli.main(["modules", "--course", str(ROOT)]) == 0
    lines = capsys.readouterr().out.splitlines()
    hours, exercises = (sum(m.minutes for m in COURSE.modules) / 60, sum(m.exercise_minutes for m in COURSE.modules) / 60)
    assert lines[0] == (f"{COURSE.title}: {len(COURSE.modules)} modules, about {hours:.1f} hours, and "
                        f"{exercises:.1f} more for their exercises")
    assert [line.split()[0] for line in lines[1:]] == [m.id for m in COURSE.modules]
    assert all(m.notebook in line and m.assignment in line for m, line in zip(COURSE.modules, lines[1:], strict=True))
