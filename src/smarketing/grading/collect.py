"""Collecting a class's submissions, however they were packed: nbgrader's submitted/ folder, a folder of
notebooks named by student, or a zip of either (also wrapped in one folder, with macOS's __MACOSX/ and
.DS_Store in it); and putting a notebook back into a gradable state (deleted locked cells restored,
foreign notebooks refused) before anything of the learner's runs."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from smarketing.grading.gradebook import GradingError
from smarketing.messages import _

STUDENT_ID = re.compile(r"[^A-Za-z0-9_.-]+")
SECRET = "submission_secret.txt"


@dataclass
class Submission:
    """One student's notebook and what grading found."""

    student: str
    path: Path | None  # None when nothing gradable was handed in
    score: float = 0.0
    max_score: float = 0.0
    task_scores: dict[str, float] = field(default_factory=dict)
    task_max: dict[str, float] = field(default_factory=dict)  # each graded cell's points, from the gradebook
    by_hand: set[str] = field(default_factory=set)  # the cells a person grades (the reflection)
    problems: list[str] = field(default_factory=list)
    timestamp: str | None = None  # nbgrader's timestamp.txt of the submission, when it came with one
    secret: str | None = None  # nbgrader's submission_secret.txt: release_feedback names the feedback with it
    language: str = "en"  # the edition it was released in (its notebook's metadata); see edition_of


def _student_id(raw: str) -> str:
    student = STUDENT_ID.sub("_", raw).strip("._-")
    return student or "unnamed"


def extract_within(archive: zipfile.ZipFile, into: Path) -> None:
    """Unpack ``archive`` into ``into``, refusing the whole archive if one entry's path climbs out of it
    (raises ValueError with that entry's name)."""
    for member in archive.infolist():
        target = (into / member.filename).resolve()
        if into.resolve() not in target.parents and target != into.resolve():
            raise ValueError(member.filename)
    archive.extractall(into)


def _unpack(source: Path, scratch: Path) -> Path:
    unpacked = scratch / "unpacked"
    with zipfile.ZipFile(source) as archive:
        try:
            extract_within(archive, unpacked)
        except ValueError as entry:
            raise GradingError(_("{zip}: the entry {entry} points outside the archive; refusing to unpack.",
                                 zip=source, entry=entry)) from None
    return unpacked


def _is_junk(parts: tuple[str, ...]) -> bool:
    """macOS's __MACOSX/ resource forks, .DS_Store, Jupyter's checkpoints and other hidden files."""
    return any(part == "__MACOSX" or part.startswith(".") for part in parts)


def _common_folders(paths: list[tuple[str, ...]]) -> int:
    """How many leading folders all the paths share and that only wrap the class, as `zip -r class.zip
    class/` and macOS's Compress do: in class/ana.ipynb and class/bob.ipynb, class/ wraps the students ana
    and bob. A shared folder with a single notebook (or folder) beneath it names that one student and stays."""
    depth = 0
    while paths and all(len(p) >= depth + 2 for p in paths) and len({p[depth] for p in paths}) == 1:
        beneath = {p[depth + 1] for p in paths if len(p) >= depth + 3 or p[depth + 1].endswith(".ipynb")}
        if len(beneath) < 2 and not all(len(p) >= depth + 3 for p in paths):
            break
        depth += 1
    return depth


def collect(source: Path, assignment: str, scratch: Path, others: Iterable[str] = (),
            nbgrader_layout: bool = False) -> list[Submission]:
    """Find the submissions in ``source``: nbgrader's submitted/ folder (``<student>/<assignment>/*.ipynb``,
    with its timestamp.txt), a folder of notebooks named by student (``<student>.ipynb`` or
    ``<student>/*.ipynb``), or a zip of either, also inside one folder that wraps them all. Files that are
    not notebooks are reported, not dropped silently; hidden files and __MACOSX/ are ignored.

    ``others`` are the course's other assignments: their folders in nbgrader's layout are skipped, not
    taken for students. With ``nbgrader_layout`` only ``<student>/<assignment>/`` folders count (the
    course's own submitted/ folder, which holds every assignment)."""
    from nbgrader.utils import parse_utc

    if source.is_file() and zipfile.is_zipfile(source):
        source = _unpack(source, scratch)
    if not source.is_dir():
        raise GradingError(_("{source}: not a folder or zip of submissions.", source=source))
    others = set(others) - {assignment}
    found: dict[str, Submission] = {}
    loose = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        parts = path.relative_to(source).parts
        if _is_junk(parts):
            continue
        if len(parts) >= 3 and parts[-2] == assignment:  # nbgrader: <student>/<assignment>/<file>
            _file_under_student(found, parts[-3], path, nbgrader=True, parse_utc=parse_utc)
        elif not nbgrader_layout and not (len(parts) >= 3 and parts[-2] in others):
            loose.append((parts, path))
    depth = _common_folders([parts for parts, _path in loose])
    for parts, path in loose:
        parts = parts[depth:]
        student = parts[0] if len(parts) >= 2 else path.stem
        _file_under_student(found, student, path, nbgrader=False, parse_utc=parse_utc)
    for entry in found.values():
        if entry.path is None:
            continue
        try:
            try:
                nbformat.read(entry.path, as_version=4)
            except UnicodeDecodeError:
                _repair_encoding(entry, scratch)
        except Exception as error:  # noqa: BLE001 - any unreadable file is reported the same way
            entry.problems.append(_("{file} is not a readable notebook ({detail}); it earns no points.",
                                    file=entry.path.name, detail=str(error).splitlines()[0][:120]))
            entry.path = None
    return list(found.values())


def _repair_encoding(entry: Submission, scratch: Path) -> None:
    """A notebook with bytes that are not UTF-8 (an editor that saved a character in another encoding) is graded
    with those bytes read as "�", from a repaired copy, and the learner is told; only what still is not a
    notebook is refused."""
    raw = entry.path.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    bad = len(raw) - len(raw.decode("utf-8", errors="ignore").encode("utf-8"))
    notebook = nbformat.reads(text, as_version=4)  # raises as before when it is no notebook at all
    repaired = scratch / "repaired" / entry.student / entry.path.name
    repaired.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, repaired)
    entry.problems.append(_("{file} had {count} byte(s) that are not UTF-8 text; they were read as \"�\" and the "
                            "notebook was graded.", file=entry.path.name, count=bad))
    entry.path = repaired


def deduplicate_grade_ids(notebook: nbformat.NotebookNode) -> list[str]:
    """Keep the first cell of each grade id; a later copy (a copied and pasted cell) runs as the learner's own
    cell, without nbgrader's metadata, which would otherwise stop nbgrader on the whole notebook. Returns the
    ids that were repeated."""
    seen, repeated = set(), []
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not grade_id:
            continue
        if grade_id in seen:
            del cell.metadata["nbgrader"]
            if grade_id not in repeated:
                repeated.append(grade_id)
        seen.add(grade_id)
    return repeated


def _file_under_student(found: dict[str, Submission], raw: str, path: Path, nbgrader: bool,
                        parse_utc: Callable) -> None:
    student = _student_id(raw)
    entry = found.setdefault(student, Submission(student, None))
    if nbgrader and path.name == "timestamp.txt":  # nbgrader's record of when it was handed in
        text = path.read_text(errors="replace").strip()
        try:
            parse_utc(text)
        except (ValueError, OverflowError):
            entry.problems.append(_("its timestamp.txt holds no date ({text}); graded without a timestamp.",
                                    text=text[:40]))
        else:
            entry.timestamp = text
    elif nbgrader and path.name == SECRET:  # written by `nbgrader submit`, read by release_feedback
        entry.secret = path.read_text(errors="replace").strip() or None
    elif path.suffix != ".ipynb":
        entry.problems.append(_("{file} is not a notebook (.ipynb); it was not graded.", file=path.name))
    elif entry.path is not None:
        entry.problems.append(_("more than one notebook handed in; graded {kept}, ignored {other}.",
                                kept=entry.path.name, other=path.name))
    else:
        entry.path = path


def edition_of(notebook: nbformat.NotebookNode, course: Path, assignment: str) -> str:
    """The edition a notebook was released in ("zh_CN" for the Chinese one, whose release records it in the
    notebook's metadata), if the course has that edition of ``assignment``; else "en". It only chooses the
    language of the text put back into locked cells, of the hidden tests' messages and of the feedback: both
    editions have the same grade ids, tests and points, so a learner gains nothing by claiming another."""
    from smarketing.grading import gradebook
    from smarketing.messages import LANGUAGES

    recorded = notebook.metadata.get("smarketing")
    language = recorded.get("language") if isinstance(recorded, dict) else None
    if language not in LANGUAGES:
        return "en"
    edition = gradebook.edition(course, language)
    has_it = (edition / "nbgrader_config.py").is_file() and (gradebook.folders(edition).source / assignment).is_dir()
    return language if has_it else "en"


def refuse_foreign_notebooks(submissions: list[Submission], release: nbformat.NotebookNode) -> None:
    """A notebook with none of the release's nbgrader ids (made anew, or copied cell by cell through an
    editor that drops metadata) cannot be graded: nbgrader would not find one answer or test in it."""
    released = set(grade_cells(release))
    for submission in submissions:
        if submission.path is None or not released:
            continue
        if not set(grade_cells(nbformat.read(submission.path, as_version=4))) & released:
            submission.problems.append(_("this notebook is not the released one: its cells lost their nbgrader "
                                         "ids; ask the student to copy their answers into the released notebook. "
                                         "It earns no points."))
            submission.path = None


def restore_locked_cells(notebook: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[str]:
    """Put back, in place, every locked cell of the release that the learner deleted (the setup cell, a
    task's text, a test), each after the release cell that comes before it. nbgrader restores deleted
    grade cells only, and a notebook without its setup cell fails every task with NameErrors; locked
    cells are the course's read-only content. Returns the grade ids put back."""
    present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells}
    restored, anchor = [], None  # anchor: the last release cell found in (or put back into) the notebook
    for cell in release.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not grade_id:
            continue
        if grade_id in present:
            anchor = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
            continue
        if not cell.metadata["nbgrader"].get("locked"):
            continue
        copy = nbformat.from_dict(json.loads(json.dumps(cell)))
        position = 0 if anchor is None else next(i for i, c in enumerate(notebook.cells) if c is anchor) + 1
        notebook.cells.insert(position, copy)
        anchor = copy
        restored.append(grade_id)
    return restored


def copy_into_submitted(submissions: list[Submission], submitted: Path, assignment: str, force: bool) -> None:
    clashes = []
    for submission in submissions:
        if submission.path is None:
            continue
        target = submitted / submission.student / assignment / f"{assignment}.ipynb"
        if target.exists() and target.read_bytes() != submission.path.read_bytes() and not force:
            clashes.append(str(target))
    if clashes:
        raise GradingError(_("These submissions already exist and differ from the new ones; nothing was "
                             "copied or graded. Pass --force to replace them:\n  {files}",
                             files="\n  ".join(clashes)))
    for submission in submissions:
        if submission.path is None:
            continue
        target = submitted / submission.student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        stamp = target.parent / "timestamp.txt"
        if submission.path.resolve() != target.resolve():
            replaced = target.exists() and target.read_bytes() != submission.path.read_bytes()
            shutil.copy(submission.path, target)
            if submission.timestamp:
                stamp.write_text(submission.timestamp + "\n", encoding="utf-8")
            elif replaced and stamp.exists():  # the old submission's time is not the new one's
                stamp.unlink()
        if submission.timestamp is None and stamp.exists():
            submission.timestamp = stamp.read_text(encoding="utf-8").strip() or None
        write_secret(submission, target.parent)
        if submission.secret is None and (target.parent / SECRET).exists():
            submission.secret = (target.parent / SECRET).read_text(encoding="utf-8").strip() or None
        submission.path = target


def write_secret(submission: Submission, folder: Path) -> None:
    """Put the submission's secret beside its notebook, where nbgrader carries it into the autograded and
    feedback folders: `nbgrader release_feedback` cannot release feedback without it."""
    if submission.secret:
        (folder / SECRET).write_text(submission.secret, encoding="utf-8")


def grade_cells(notebook: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade_id")}
