"""One list of sources, one grading scale: every source has a full reference, the learners' page is written from
the list, and no notebook gives a source another grade than the list does."""

from __future__ import annotations

import re

import nbformat
import pytest

from smarketing import bibliography, manifest
from tests.conftest import ROOT

BIB = bibliography.load(ROOT)
NOTEBOOKS = [ROOT / m.notebook for m in manifest.load(ROOT).modules]
GRADE_CELL = re.compile(r"\|\s*\**([A-D])\**\s*\|\s*$")  # a table row whose last cell is one grade
GRADE_IN_PROSE = re.compile(r"grade \**([A-D][−+-]?)(?![\w/])")


def _markdown(path):
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


def test_every_source_has_a_full_reference_and_a_grade_on_the_scale():
    assert len(BIB.sources) >= 10
    for source in BIB.sources:
        assert source.authors and source.title and source.venue and source.year
        assert source.doi or source.url.startswith("http") or source.location, source.key
        assert source.grade in bibliography.GRADES
        assert re.search(source.cited_as, source.reference() + " " + source.title) or source.cited_as, source.key


def test_an_incomplete_entry_is_refused(tmp_path):
    (tmp_path / bibliography.FILE).write_text(
        "scale: {A: a, B: b, C: c, D: d}\nsources:\n  - {key: x, cited_as: X, authors: Someone, year: 2020,"
        " title: T, venue: V, grade: A, method: m}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="doi, url or location"):
        bibliography.load(tmp_path)
    (tmp_path / bibliography.FILE).write_text(
        "scale: {A: a, B: b, C: c, D: d}\nsources:\n  - {key: x, cited_as: X, authors: Someone, year: 2020,"
        " title: T, venue: V, grade: A-, method: m, url: 'https://example.org'}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="grade A-"):
        bibliography.load(tmp_path)


def test_the_page_is_written_from_the_list():
    page = (ROOT / bibliography.PAGE).read_text(encoding="utf-8")
    assert page == bibliography.markdown(BIB), "run `make bibliography` and commit course/bibliography.md"
    for source in BIB.sources:
        assert f'id="{source.key}"' in page


def test_module_00_teaches_the_same_scale():
    text = "\n".join(_markdown(ROOT / "course" / "00_start_here.ipynb"))
    for grade, meaning in BIB.scale.items():
        assert f"| **{grade}** | {meaning} |" in text, f"module 00's scale table differs from bibliography.yml at {grade}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_sources_table_links_the_bibliography(path):
    sources = [s for s in _markdown(path) if s.startswith("## Sources")]
    if sources:
        assert "(bibliography.md)" in sources[0], f"{path.name}: its Sources table does not link the bibliography"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_source_has_one_grade_everywhere(path):
    wrong = []
    for text in _markdown(path):
        for line in text.splitlines():
            row = GRADE_CELL.search(line)
            if row:
                for source in BIB.sources:
                    if re.search(source.cited_as, line) and row.group(1) != source.grade:
                        wrong.append(f"{source.key} graded {row.group(1)} in: {line[:90]}")
        for sentence in re.split(r"(?<=[.;:])\s", text):
            for grade in GRADE_IN_PROSE.finditer(sentence):
                named = [s for s in BIB.sources if re.search(s.cited_as, sentence[:grade.start()][-140:])]
                if len(named) == 1 and grade.group(1) != named[0].grade:
                    wrong.append(f"{named[0].key} graded {grade.group(1)} in: {sentence[:90]}")
    assert not wrong, f"{path.name}: {wrong}"


def test_the_check_catches_a_second_grade():
    line = "| four stages | Kotler, Rackham & Krishnaswamy, *HBR* 2006 | A |"
    row = GRADE_CELL.search(line)
    assert row and row.group(1) == "A" and BIB["kotler2006"].grade != "A"
