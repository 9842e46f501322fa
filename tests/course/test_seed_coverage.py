"""instructor/seed-coverage.md: every section of the two seed articles is mapped to the notebook sections
that teach it, the seed headings are quoted verbatim, and every link names a real `##` heading."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import nbformat
import pytest

from tests.conftest import ROOT, SEEDS

DOC = ROOT / "instructor" / "seed-coverage.md"
COURSE = ROOT / "course"

# The seeds' own section headings, quoted here so that a plain clone can check the doc without the
# articles (a maintainers' test below checks each against the article itself). Each must appear as a
# `###` heading under its seed, so that no section of an article goes unmapped.
SEED_SECTIONS = {
    "000": [
        "Sales和Marketing到底有什么区别",
        "核心答案:创新需求与转化需求的本质差异",
        "比维度",
        "核心目标:根本使命不同",
        "时刻焦点:长期培育与短期转化",
        "覆盖范围:广泛影响与精准触达",
        "客户互动:间接沟通与直接接触",
        "成功度量:品牌指标与销售数据",
        "职能分工:具体职业内容对比",
        "协同策略:从冲突到融合的进化",
        "组织演进:传统分离到现代整合",
        "独家数据视角",
    ],
    "004": [
        "运营和销售的区别",
        "一、工作目标",
        "二、工作内容",
        "三、工作方式",
        "四、工作评价标准",
        "结论",
        "参考文献",
        "运营和销售在具体工作内容上有哪些不同",
        "运营和销售在技能要求上有哪些不同",
        "运营和销售在职业发展路径上有哪些不同",
    ],
}

SEED_H2 = re.compile(r"^## Seed (\d{3})\b")
SEED_H3 = re.compile(r"^### `([^`]+)` — (\S.*)$")
LINK = re.compile(r"\[(\d\d) § ([^\]]+)\]\(\.\./course/([^)]+)\)")


@dataclass
class Section:
    seed: str
    quote: str
    line: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


@dataclass
class Doc:
    sections: list[Section]
    malformed: list[str]
    gaps: list[tuple[int, list[str]]] | None  # None: no "Gaps" section
    gap_header: list[str]
    links: list[tuple[int, str, str, str]]  # line, NN, heading, file


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


@cache
def parse() -> Doc:
    sections: list[Section] = []
    malformed: list[str] = []
    gaps: list[tuple[int, list[str]]] | None = None
    gap_header: list[str] = []
    links = []
    seed = None
    in_gaps = False
    for number, line in enumerate(DOC.read_text(encoding="utf-8").splitlines(), start=1):
        links += [(number, *match.groups()) for match in LINK.finditer(line)]
        if line.startswith("## "):
            match = SEED_H2.match(line)
            seed = match.group(1) if match else None
            in_gaps = line.strip() == "## Gaps"
            if in_gaps:
                gaps = []
            continue
        if line.startswith("### "):
            match = SEED_H3.match(line)
            if seed is None:
                continue
            if not match:
                malformed.append(f"line {number}: {line!r} is not '### `<seed text>` — <translation>'")
                continue
            sections.append(Section(seed, match.group(1), number))
            continue
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = _cells(line)
        if in_gaps:
            if not gap_header:
                gap_header = [cell.lower() for cell in cells]
            else:
                gaps.append((number, cells))
        elif seed is not None and sections and sections[-1].seed == seed:
            if cells[:2] == ["point", "taught in"]:
                continue
            sections[-1].rows.append((number, cells))
    return Doc(sections, malformed, gaps, gap_header, links)


@cache
def notebook_headings(name: str) -> frozenset[str]:
    notebook = nbformat.read(COURSE / name, as_version=4)
    return frozenset(line[3:].strip() for cell in notebook.cells if cell.cell_type == "markdown"
                     for line in cell.source.splitlines() if line.startswith("## "))


def test_doc_has_a_section_per_seed():
    assert DOC.exists(), f"{DOC.relative_to(ROOT)} is missing"
    doc = parse()
    assert not doc.malformed, "malformed seed-section headings:\n" + "\n".join(doc.malformed)
    seeds = {section.seed for section in doc.sections}
    assert seeds >= set(SEED_SECTIONS), f"no '## Seed NNN' section with subsections for: {set(SEED_SECTIONS) - seeds}"


def test_the_doc_quotes_only_the_seeds_own_headings():
    unknown = [f"line {s.line}: seed {s.seed} has no heading `{s.quote}`" for s in parse().sections
               if s.quote not in SEED_SECTIONS.get(s.seed, [])]
    assert not unknown, "headings that are not the seeds' own:\n" + "\n".join(unknown)


@pytest.mark.maintainers
def test_the_quoted_headings_are_verbatim_in_the_articles():
    wrong = []
    for seed, headings in SEED_SECTIONS.items():
        files = sorted(SEEDS.glob(f"{seed}_*.txt"))
        if len(files) != 1:
            wrong.append(f"seed {seed}: expected one file {seed}_*.txt in {SEEDS}, found {len(files)}")
            continue
        text = files[0].read_text(encoding="utf-8")
        wrong += [f"seed {seed}: `{heading}` is not a verbatim substring of {files[0].name}"
                  for heading in headings if heading not in text]
    assert not wrong, "seed headings not found in the seeds:\n" + "\n".join(wrong)


def test_every_seed_section_is_mapped():
    mapped = {(section.seed, section.quote) for section in parse().sections}
    missing = [f"seed {seed}: ### `{quote}`" for seed, quotes in SEED_SECTIONS.items() for quote in quotes
               if (seed, quote) not in mapped]
    assert not missing, "seed sections with no ### subsection in the doc:\n" + "\n".join(missing)


def test_every_section_has_points_taught_somewhere():
    problems = []
    for section in parse().sections:
        if not section.rows:
            problems.append(f"line {section.line}: ### `{section.quote}` has no | point | taught in | row")
        for number, cells in section.rows:
            if len(cells) != 2 or not cells[0]:
                problems.append(f"line {number}: expected '| point | taught in |', got {len(cells)} cells")
                continue
            taught = cells[1]
            if not LINK.search(taught):
                problems.append(f"line {number}: point '{cells[0][:60]}' links to no notebook section")
            elif LINK.sub("", taught).replace(";", "").strip():
                problems.append(f"line {number}: 'taught in' holds text that is not a "
                                f"[NN § heading](../course/file.ipynb) link: {LINK.sub('…', taught)!r}")
    assert not problems, "\n".join(problems)


def test_links_name_existing_notebook_headings():
    doc = parse()
    assert doc.links, "the doc has no [NN § heading](../course/file.ipynb) links"
    broken = []
    for number, module, heading, name in doc.links:
        if not (COURSE / name).exists():
            broken.append(f"line {number}: course/{name} does not exist")
        elif not name.startswith(module):
            broken.append(f"line {number}: link text says module {module} but points to {name}")
        elif heading not in notebook_headings(name):
            broken.append(f"line {number}: course/{name} has no '## {heading}' heading")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_gaps_come_with_proposals():
    """Every point the course names but does not show in data is listed, where it is named, with a proposal."""
    doc = parse()
    assert doc.gaps is not None, "the doc has no '## Gaps' section"
    assert doc.gap_header == ["point", "named in", "proposal"], f"the Gaps table's columns are {doc.gap_header}"
    assert doc.gaps, "the Gaps table has no rows"
    problems = [f"line {number}: '{cells[0][:60]}' needs a point, a [NN § heading](...) link and a proposal"
                for number, cells in doc.gaps
                if len(cells) != 3 or not cells[0] or not LINK.search(cells[1]) or len(cells[2]) < 20]
    assert not problems, "\n".join(problems)
