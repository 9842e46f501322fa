"""The Chinese edition (zh_CN/) is built from the English through gettext catalogues, never hand-copied: every
block translated, none stale (an English change turns its entry fuzzy and a test names the cell), every term
as the glossary has it, the built files what the catalogues give, code identical, the library's messages in
Chinese."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from smarketing import translation
from smarketing.messages import LANGUAGES
from smarketing.translation import Source

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE = "zh_CN"
SOURCES = translation.sources(ROOT)
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_blocks_split_at_blank_lines_and_keep_a_fence_whole():
    text = "# Title\n\nOne line\nand the next.\n\n```python\nx = 1\n\ny = 2\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    assert translation.blocks(text) == ["# Title", "One line\nand the next.", "```python\nx = 1\n\ny = 2\n```",
                                        "| a | b |\n|---|---|\n| 1 | 2 |"]
    assert translation.normalise_markdown(text) == text
    assert translation.normalise_markdown("\n\nA  \n\n\n\nB \n") == "A  \n\nB"  # a hard break ("  ") is kept
    assert not translation.translatable("```python\nprint('hi')\n```") and not translation.translatable("</details>")
    assert translation.translatable("<summary>Hint</summary>")


def test_the_english_is_normalised_once_so_round_trips_are_stable():
    for source in SOURCES:
        if source.is_notebook:
            notebook = nbformat.read(ROOT / source.path, as_version=4)
            changed = [c.id for c in notebook.cells
                       if c.cell_type == "markdown" and translation.normalise_markdown(c.source) != c.source]
            assert not changed, (source.path, changed)
        else:
            text = (ROOT / source.path).read_text(encoding="utf-8")
            assert translation.normalise_markdown(text) + "\n" == text, source.path


def test_every_catalogue_is_complete_current_and_consistent():
    """No block untranslated, fuzzy, broken, of another markdown shape or off the glossary; none missing."""
    problems = translation.problems(LANGUAGE, ROOT)
    assert not problems, f"{len(problems)} problems, run `make translations`:\n" + "\n".join(problems[:40])


class OneNotebook:
    """A scratch course holding one English notebook and its Chinese catalogue, and the problems its catalogue
    has beyond those it came with (those are test_every_catalogue_is_complete_current_and_consistent's concern)."""

    def __init__(self, tmp_path: Path, name: str = "course/01_roles.ipynb") -> None:
        self.root, self.source, self.terms = tmp_path, Source(Path(name)), translation.glossary(ROOT)
        for path in (self.source.path, self.source.catalogue(LANGUAGE, Path())):
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / path, tmp_path / path)
        self.baseline = self.problems(translation.update(self.source, LANGUAGE, tmp_path))

    def problems(self, catalogue) -> list[str]:
        found = translation.catalogue_problems(catalogue, translation.template(self.source, self.root), self.terms)
        return [p for p in found if p not in getattr(self, "baseline", [])]


def test_changing_one_english_sentence_names_that_cell_until_it_is_translated_again(tmp_path):
    scratch = OneNotebook(tmp_path)
    root, source = scratch.root, scratch.source
    notebook = nbformat.read(root / source.path, as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "markdown" and c.source.count(". ") >= 2)
    before = translation.translated(source, LANGUAGE, translation.read(source.catalogue(LANGUAGE, root), LANGUAGE),
                                    root)
    first = translation.blocks(cell.source)[-1]
    changed = first.replace(". ", ". Indeed, ", 1)
    cell.source = cell.source.replace(first, changed)
    nbformat.write(notebook, root / source.path)

    catalogue = translation.update(source, LANGUAGE, root)  # what `make translations` runs
    problems = scratch.problems(catalogue)
    assert len(problems) == 1 and problems[0].startswith(cell.id) and "fuzzy" in problems[0], problems
    entry = catalogue.get(changed, context=cell.id)
    assert entry.fuzzy and entry.previous_id == [first] and CJK.search(entry.string)  # the old translation kept
    built = nbformat.reads(translation.translated(source, LANGUAGE, catalogue, root), as_version=4)
    shown = next(c for c in built.cells if c.id == cell.id).source
    assert changed in shown  # the stale translation is not shown: the new English stands until it is checked
    assert before != translation.translated(source, LANGUAGE, catalogue, root)

    entry.flags.discard("fuzzy")  # a translator checked it
    translation.write(catalogue, source.catalogue(LANGUAGE, root))
    assert scratch.problems(translation.update(source, LANGUAGE, root)) == []


def test_a_new_block_is_untranslated_and_a_lost_code_span_or_term_is_named(tmp_path):
    scratch = OneNotebook(tmp_path)
    root, source = scratch.root, scratch.source
    notebook = nbformat.read(root / source.path, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("A brand-new paragraph about the funnel."))
    nbformat.write(notebook, root / source.path)
    catalogue = translation.update(source, LANGUAGE, root)

    def new_problems() -> list[str]:
        return scratch.problems(catalogue)

    problems = new_problems()
    assert len(problems) == 1 and "not translated" in problems[0] and notebook.cells[-1].id in problems[0]
    entry = catalogue.get("A brand-new paragraph about the funnel.", context=notebook.cells[-1].id)
    entry.string = "一个关于转化的新段落。"  # 漏斗 (funnel) translated another way
    assert "funnel → 漏斗" in new_problems()[0]
    entry.string = "一个关于漏斗的新段落。"
    assert new_problems() == []
    assert translation._broken("Call `funnel.stage_counts(leads)` for {company}.", "调用 funnel.stage_counts(leads)。")
    assert translation._shape_problem("**Time:** about", "**时间：**大约", True)  # CommonMark leaves it unbolded
    assert not translation._shape_problem("**Time:** about", "**时间**：大约", True)


def test_the_glossary_gives_each_term_one_translation():
    terms = translation.glossary(ROOT)
    english = [t.en.lower() for t in terms]
    chinese = [t.zh for t in terms]
    assert len(set(english)) == len(english) and len(set(chinese)) == len(chinese)
    variants = [v for t in terms for v in t.also if CJK.search(v)]
    assert not set(variants) & set(chinese), set(variants) & set(chinese)  # no variant is another term's word


def test_a_placeholder_is_not_prose_for_the_glossary():
    terms = translation.glossary(ROOT)
    assert translation.glossary_problems("The rule matters most for {channel}.", "规则对{channel}影响最大。", terms) == []
    assert translation.glossary_problems("The channel matters.", "这个来源很重要。", terms)  # prose still checked


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.path.as_posix())
def test_the_edition_is_what_the_catalogues_build(source):
    """zh_CN/ is never hand-edited: each file is its source's translation, code cells identical, the notebooks
    marked with their language; an executed notebook differs from the build only by its outputs."""
    catalogue = translation.read(source.catalogue(LANGUAGE, ROOT), LANGUAGE)
    built = translation.translated(source, LANGUAGE, catalogue, ROOT)
    committed = source.edition(LANGUAGE, ROOT).read_text(encoding="utf-8")
    hint = f"{source.edition(LANGUAGE, Path())} is out of date: run `make notebooks` (or `make release`)"
    if not source.is_notebook:
        assert committed == built, hint
        return
    assert translation._unexecuted(committed) == translation._unexecuted(built), hint
    english = nbformat.read(ROOT / source.path, as_version=4)
    chinese = nbformat.reads(committed, as_version=4)
    assert [c.source for c in chinese.cells if c.cell_type == "code"] == [
        c.source for c in english.cells if c.cell_type == "code"]
    assert [c.metadata for c in chinese.cells] == [c.metadata for c in english.cells]
    assert chinese.metadata["smarketing"] == {"language": LANGUAGE, "source": source.path.as_posix()}
    words = [c for c in chinese.cells if c.cell_type == "markdown" and translation.translatable(c.source)]
    assert words and all(CJK.search(c.source) for c in words), [c.id for c in words if not CJK.search(c.source)]


def test_the_stored_chinese_outputs_were_made_in_chinese():
    """The course's Chinese notebooks were executed with SMARKETING_LANG=zh_CN: chart titles, tables of the
    library and messages carry Chinese (nbval then checks every output against a fresh run)."""
    for source in SOURCES:
        if source.is_notebook and source.path.parts[0] == "course":
            notebook = nbformat.read(source.edition(LANGUAGE, ROOT), as_version=4)
            outputs = json.dumps([c.get("outputs", []) for c in notebook.cells], ensure_ascii=False)
            charts = re.findall(r'"title": "([^"]*)"', outputs)
            assert CJK.search(outputs) and (not charts or any(CJK.search(t) for t in charts)), source.path


def test_the_library_catalogue_is_compiled_from_its_po(tmp_path, monkeypatch):
    compiled = translation.library_catalogue(LANGUAGE).with_suffix(".mo")
    committed = compiled.read_bytes()
    monkeypatch.setattr(translation, "library_catalogue", lambda language: tmp_path / "smarketing.po")
    shutil.copy(ROOT / "src/smarketing/locale" / LANGUAGE / "LC_MESSAGES/smarketing.po", tmp_path / "smarketing.po")
    assert translation.compile_library(LANGUAGE).read_bytes() == committed, "run `make translations`"


def test_the_library_speaks_the_learners_language(monkeypatch):
    from smarketing.messages import _, language_code

    message = "No course notebook {unknown}. Available: {available} (give the number, e.g. 02, or the name)."
    monkeypatch.delenv("SMARKETING_LANG", raising=False)
    assert language_code() == "en" and _(message, unknown="99", available="00").startswith("No course notebook 99")
    for spelled in ("zh_CN", "zh-CN", "zh_CN.UTF-8"):
        monkeypatch.setenv("SMARKETING_LANG", spelled)
        assert language_code() == "zh_CN"
        chinese = _(message, unknown="99", available="00")
        assert CJK.search(chinese) and "99" in chinese
    assert CJK.search(_(" More checks run at grading."))  # what every self-check adds
    monkeypatch.setenv("SMARKETING_LANG", "xx")
    assert language_code() == "en"


def test_speaking_a_language_for_a_while_puts_back_what_was_there(monkeypatch):
    from smarketing.messages import language_code, speaking

    monkeypatch.delenv("SMARKETING_LANG", raising=False)
    with speaking("zh_CN"):
        assert language_code() == "zh_CN"
    assert "SMARKETING_LANG" not in os.environ
    monkeypatch.setenv("SMARKETING_LANG", "zh_CN")
    with pytest.raises(RuntimeError), speaking("en"):
        assert language_code() == "en"
        raise RuntimeError("an edition's build failed")
    assert os.environ["SMARKETING_LANG"] == "zh_CN"


def test_every_language_has_an_edition_folder():
    for language in LANGUAGES:
        assert (ROOT / language / "nbgrader_config.py").is_file()
        assert sorted(p.relative_to(ROOT / language) for p in (ROOT / language).rglob("*.ipynb")
                      if ".ipynb_checkpoints" not in p.parts and "exercises" not in p.parts) == sorted(
            s.path for s in SOURCES if s.is_notebook)


def test_every_message_of_the_library_is_in_its_catalogue():
    """Babel's extractor misses a _() inside an f-string or inside another _()'s arguments: such a message would be
    shown in English in every edition, silently. Every literal _() and N_() of the package must be extracted."""
    import ast

    extracted = {m.id for m in translation.library_template() if m.id}
    missed = []
    for path in sorted((ROOT / "src" / "smarketing").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                    and node.args[0].value not in extracted):
                missed.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.args[0].value[:60]!r}")
    assert not missed, "\n".join(missed)
