"""The translated editions: built from the English sources through gettext catalogues, never hand-copied.

Each English source (a module's notebook, an assignment's nbgrader source, the facilitator's app, an
instructor guide, the bibliography page) has one catalogue per language,
``locale/<lang>/LC_MESSAGES/<its path>.po``. An entry is one markdown block (a paragraph, a heading, a list
item, a table: text between blank lines, a fenced code block kept whole) with the id of its notebook cell (or
its guide's section) as context. :func:`update` merges a source's blocks into its catalogue like
``msgmerge``: a block whose English changed keeps its old translation marked fuzzy, with the English it was
made from, until a translator checks it. :func:`build` writes the edition, ``<lang>/<the same path>``: the
markdown translated block by block, code cells identical, and the notebooks that are stored executed
(:func:`smarketing.notebooks.course_notebooks`) executed with ``SMARKETING_LANG=<lang>``, so that what the
library prints, draws and checks is in the edition's language too (its catalogue:
``src/smarketing/locale/<lang>/LC_MESSAGES/smarketing.po``, :func:`update_library`).

A translation with a fuzzy, missing or broken entry (a lost placeholder, code span or link) is still built,
with the English block in its place, and :func:`problems` names each one; the tests fail on any.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from smarketing.messages import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = Path(__file__).resolve().parent
LIBRARY_DOMAIN = "smarketing"
LANGUAGE_METADATA = "smarketing"  # notebook metadata key: {"language": "zh_CN", "source": "course/…"}
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_LETTER = re.compile(r"[A-Za-z]")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)  # a code span may run over a line break
_LINK_TARGET = re.compile(r"\]\(([^)\s]+)")
_PLACEHOLDER = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_]*(?:[!:][^{}]*)?\}(?!\})")
_URL = re.compile(r"https?://[^\s)>\]]+")
_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)  # a catalogue's dates: fixed, so that it rewrites the same bytes


def normalise_markdown(text: str) -> str:
    """``text`` with the blank lines between blocks made single and empty, and none at either end: the form in
    which a source is split into blocks and joined again without a change (the English is kept in it)."""
    return "\n\n".join(blocks(text))


def blocks(text: str) -> list[str]:
    """The markdown ``text`` split at blank lines into blocks (a fenced code block is never split)."""
    found: list[str] = []
    current: list[str] = []
    fenced = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        if not line.strip() and not fenced:
            if current:
                found.append("\n".join(current))
                current = []
        else:
            current.append(line.rstrip() if not line.endswith("  ") else line)
    if current:
        found.append("\n".join(current))
    return found


def translatable(block: str) -> bool:
    """Whether a block holds words (a rule, a formula of symbols or a fenced code block does not)."""
    return bool(_LETTER.search(_TAG.sub("", block))) and not _FENCE.match(block)


@dataclass(frozen=True)
class Source:
    """One English source and where its catalogue and its translation live for a language."""

    path: Path  # relative to the repository

    def catalogue(self, language: str, root: Path = ROOT) -> Path:
        return root / "locale" / language / "LC_MESSAGES" / self.path.with_suffix(".po")

    def edition(self, language: str, root: Path = ROOT) -> Path:
        return root / language / self.path

    @property
    def is_notebook(self) -> bool:
        return self.path.suffix == ".ipynb"


def sources(root: Path = ROOT) -> list[Source]:
    """Every English source an edition translates, in the manifest's order: the modules' notebooks, the
    bibliography page, each assignment's nbgrader source, the facilitator's app and the instructor guides."""
    from smarketing import manifest

    course = manifest.load(root)
    found = [p.relative_to(course.root) for p in course.notebooks()]
    found.append(Path("course/bibliography.md"))
    found += [Path("solutions") / m.assignment / f"{m.assignment}.ipynb" for m in course.modules if m.assignment]
    if course.workshop_app:
        found.append(Path(course.workshop_app))
    found += sorted(p.relative_to(root) for p in (root / "instructor").glob("*.md"))
    return [Source(p) for p in found]


def _sections(text: str, name: str) -> Iterator[tuple[str, str]]:
    """(context, block) for every block of a markdown file called ``name``: the context is the heading the block
    is under ("grading.md § Points"), a heading being under itself."""
    heading = "top"
    for block in blocks(text):
        match = _HEADING.match(block.split("\n", 1)[0])
        if match:
            heading = match.group(1)
        yield f"{name} § {heading}", block


def _picked(path: Path, only: Iterable[str]) -> bool:
    """Whether ``path`` is one the command was limited to (``only``: parts of paths; none: every one)."""
    return not only or any(o in path.as_posix() for o in only)


def _units(source: Source, root: Path = ROOT) -> Iterator[tuple[str, str]]:
    """(context, block) for every block of words in ``source``: a notebook's markdown cells by cell id, a
    markdown file's blocks by the heading they are under."""
    if source.is_notebook:
        notebook = nbformat.read(root / source.path, as_version=4)
        units = ((cell.id, block) for cell in notebook.cells if cell.cell_type == "markdown"
                 for block in blocks(cell.source))
    else:
        units = _sections((root / source.path).read_text(encoding="utf-8"), source.path.name)
    yield from ((context, block) for context, block in units if translatable(block))


def template(source: Source, root: Path = ROOT) -> Catalog:
    """The catalogue template (a ``.pot``) of ``source``: every block of words, in order."""
    catalogue = Catalog(project="Smarketing Lab", fuzzy=False)
    for context, block in _units(source, root):
        catalogue.add(block, context=context, locations=[(str(source.path), 0)])
    return catalogue


def read(path: Path, language: str) -> Catalog:
    """The catalogue at ``path``; an empty one for ``language`` if there is none yet."""
    if not path.exists():
        return Catalog(locale=language, project="Smarketing Lab", fuzzy=False)
    with path.open("rb") as stream:
        return read_po(stream, locale=language)


def write(catalogue: Catalog, path: Path) -> None:
    """Write ``catalogue`` as a ``.po`` file with no date or line positions in it, so that an unchanged
    catalogue rewrites the same bytes."""
    catalogue.creation_date = catalogue.revision_date = _EPOCH
    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=0, omit_header=False, include_lineno=False, sort_output=False,
             include_previous=True, ignore_obsolete=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != buffer.getvalue():
        path.write_bytes(buffer.getvalue())


def merged(old: Catalog, new: Catalog) -> Catalog:
    """``old`` brought up to ``new`` like msgmerge: entries of blocks that changed are fuzzy, with their
    earlier English kept as the previous id; entries of blocks that are gone are dropped."""
    old.update(new, update_header_comment=False, update_creation_date=False)
    old.obsolete.clear()
    return old


def update(source: Source, language: str, root: Path = ROOT) -> Catalog:
    """Merge ``source``'s blocks into its catalogue for ``language`` and write it. Returns the catalogue."""
    path = source.catalogue(language, root)
    catalogue = merged(read(path, language), template(source, root))
    write(catalogue, path)
    return catalogue


def _lookup(catalogue: Catalog, context: str, block: str) -> str | None:
    message = catalogue.get(block, context=context)
    if message is None or not message.string or message.fuzzy or _broken(block, message.string):
        return None
    return message.string


def translate_markdown(text: str, context: str | None, catalogue: Catalog, file_heading: str | None = None) -> str:
    """``text`` with each block of words replaced by its translation (the English where there is none yet).
    ``context`` is the cell id; for a markdown file (``file_heading`` given: its name) the context follows its
    headings."""
    units = _sections(text, file_heading) if file_heading is not None else ((context or "", b) for b in blocks(text))
    return "\n\n".join((_lookup(catalogue, where, block) or block) if translatable(block) else block
                       for where, block in units)


def translated(source: Source, language: str, catalogue: Catalog, root: Path = ROOT) -> str:
    """The text of ``source`` in ``language``: a notebook as nbformat JSON (its outputs still the English run's,
    until it is executed), marked with its language and source. Its links to other sources need no change:
    the edition mirrors the repository's folders."""
    if not source.is_notebook:
        text = (root / source.path).read_text(encoding="utf-8")
        return translate_markdown(text, None, catalogue, file_heading=source.path.name) + "\n"
    notebook = nbformat.read(root / source.path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = translate_markdown(cell.source, cell.id, catalogue)
    notebook.metadata[LANGUAGE_METADATA] = {"language": language, "source": source.path.as_posix()}
    return nbformat.writes(notebook) + "\n"


def build(language: str, root: Path = ROOT, execute: bool = True, only: Iterable[str] = (),
          merge: bool = True) -> list[Path]:
    """Update every catalogue of ``language`` (unless not ``merge``), write the edition's files and execute
    those stored executed (unless not ``execute``: then only a notebook whose text changed is written, without
    outputs). ``only`` limits the build to sources whose path holds one of its strings. Returns what it wrote."""
    from smarketing import notebooks

    if merge:
        update_library(language)
    stored_executed = {p.resolve() for p in notebooks.course_notebooks()}
    written = []
    for source in sources(root):
        if not _picked(source.path, only):
            continue
        catalogue = update(source, language, root) if merge else read(source.catalogue(language, root), language)
        target = source.edition(language, root)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = translated(source, language, catalogue, root)
        previous = target.read_text(encoding="utf-8") if target.exists() else None
        if source.is_notebook and (root / source.path).resolve() in stored_executed:
            if previous is not None and _unexecuted(previous) == _unexecuted(text) and not execute:
                continue
            target.write_text(text, encoding="utf-8")
            if execute:
                notebooks.execute(target, env={"SMARKETING_LANG": language})
        elif previous != text:
            target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def _unexecuted(text: str) -> str:
    notebook = nbformat.reads(text, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    notebook.metadata.pop("widgets", None)
    return json.dumps(notebook, sort_keys=True)


# The library's own messages (smarketing.messages._) --------------------------------------------------------

def library_catalogue(language: str) -> Path:
    return LIBRARY / "locale" / language / "LC_MESSAGES" / f"{LIBRARY_DOMAIN}.po"


def library_template() -> Catalog:
    """Every message the library passes through ``_()``, extracted from its source like ``pybabel extract``."""
    from babel.messages.extract import extract_from_dir

    catalogue = Catalog(project="Smarketing Lab", fuzzy=False)
    # Babel warns on stderr of f-strings inside _(): here they are only the values of placeholders.
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        for filename, _line, message, comments, context in extract_from_dir(
                LIBRARY, method_map=[("**.py", "python")], keywords={"_": None, "N_": None},
                comment_tags=("TRANSLATORS:",)):
            catalogue.add(message, locations=[(f"src/smarketing/{filename}", 0)], auto_comments=comments,
                          context=context)
    for source in sources():
        if source.is_notebook:
            for text in chart_words(nbformat.read(ROOT / source.path, as_version=4)):
                catalogue.add(text, locations=[(source.path.as_posix(), 0)],
                              auto_comments=["a chart's title or unit, given in the notebook's code"])
    return catalogue


def chart_words(notebook: nbformat.NotebookNode) -> list[str]:
    """The strings a notebook's code passes to the chart builders (``charts.funnel_chart(counts, "…")``): the
    builders translate them, as the code is the same in every edition."""
    import ast

    found = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func).startswith("charts."):
                # words, not a company's or a column's name (those stay as the data has them)
                values = [*node.args, *(k.value for k in node.keywords if k.arg in ("title", "unit"))]
                found += [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)
                          and _LETTER.search(v.value) and " " in v.value]
    return list(dict.fromkeys(found))


def update_library(language: str) -> Catalog:
    """Merge the library's messages into its catalogue for ``language``, write it and compile its ``.mo``."""
    path = library_catalogue(language)
    catalogue = merged(read(path, language), library_template())
    write(catalogue, path)
    compile_library(language, catalogue)
    return catalogue


def compile_library(language: str, catalogue: Catalog | None = None) -> Path:
    """Write the ``.mo`` file gettext reads, leaving out fuzzy and broken entries (they stay English)."""
    catalogue = catalogue or read(library_catalogue(language), language)
    usable = Catalog(locale=language, fuzzy=False, creation_date=_EPOCH, revision_date=_EPOCH)  # same bytes each time
    for message in catalogue:
        if message.id and message.string and not message.fuzzy and not _broken(message.id, message.string):
            usable.add(message.id, message.string, context=message.context)
    buffer = io.BytesIO()
    write_mo(buffer, usable)
    path = library_catalogue(language).with_suffix(".mo")
    if not path.exists() or path.read_bytes() != buffer.getvalue():
        path.write_bytes(buffer.getvalue())
    return path


# What a translation must keep ------------------------------------------------------------------------------

def _kept(english: str) -> list[str]:
    """What a translation must carry over as it is: ``{placeholders}``, code spans, link targets and URLs."""
    # a code span that runs over a line break is the same code on one line (CommonMark reads the break as a space)
    return sorted([*_PLACEHOLDER.findall(english),
                   *(re.sub(r"\s*\n\s*", " ", m.group(0)) for m in _CODE_SPAN.finditer(english)),
                   *_LINK_TARGET.findall(english), *_URL.findall(english)])


def _broken(english: str | tuple, translation: str | tuple) -> list[str]:
    """What ``translation`` lost or added of what must be kept (:func:`_kept`)."""
    need, have = _kept(_text(english)), _kept(_text(translation))
    lost = [k for k in need if need.count(k) > have.count(k)]
    added = [k for k in have if have.count(k) > need.count(k) and (k.startswith("{") or k.startswith("http"))]
    return sorted(set(lost + added))


@dataclass(frozen=True)
class Term:
    """A glossary entry: the English term, its one translation and the variants accepted for it."""

    en: str
    zh: str
    also: tuple[str, ...] = ()
    note: str = ""
    exact: bool = False  # matched in its own case only ("Smarketing", not the package smarketing)

    @property
    def pattern(self) -> re.Pattern[str]:
        # Not inside a name of code, a path or a placeholder (smarketing.funnel, $SMARKETING_DATA, exercises/,
        # {channel}): prose only.
        return re.compile(rf"(?<![A-Za-z\-_./${{]){re.escape(self.en)}(?:s|es)?(?![A-Za-z\-_/\[(}}])",
                          0 if self.exact else re.IGNORECASE)

    def kept_in(self, translation: str) -> bool:
        return any(t in translation for t in (self.zh, *self.also))


def glossary(root: Path = ROOT) -> list[Term]:
    """The course's bilingual glossary (``glossary.yml``), longest English terms first."""
    import yaml

    terms = yaml.safe_load((root / "glossary.yml").read_text(encoding="utf-8"))["terms"]
    loaded = [Term(t["en"], t["zh"], tuple(t.get("also", ())), t.get("note", ""), bool(t.get("exact"))) for t in terms]
    return sorted(loaded, key=lambda t: -len(t.en))


def glossary_table(root: Path = ROOT):
    """The glossary as module 00 shows it in both editions: each English term (alphabetical), its one Chinese
    translation and the variants accepted for it."""
    import pandas as pd

    terms = sorted(glossary(root), key=lambda t: t.en.lower())
    return pd.DataFrame({"English": [t.en for t in terms], "中文": [t.zh for t in terms],
                         "also / 也作": [", ".join(t.also) for t in terms]}).set_index("English")


def glossary_problems(english: str, translation: str, terms: list[Term], exempt: Iterable[str] = ()) -> list[str]:
    """The glossary terms ``english`` uses that ``translation`` renders another way. A longer term that
    matched (e.g. "sales qualified lead") hides the shorter ones inside it ("lead"); code, link targets and
    URLs are not prose. ``exempt``: terms the translator marked as used in another sense here (a translator
    comment ``glossary: lead`` for "the supervisor leads a team")."""
    found = []
    rest = _URL.sub(" ", _LINK_TARGET.sub("](", _CODE_SPAN.sub(" ", english)))
    exempt = {e.strip().lower() for e in exempt}
    for term in terms:
        if term.en.lower() in exempt:
            rest = term.pattern.sub(" ", rest)
            continue
        if term.pattern.search(rest):
            if not term.kept_in(translation):
                found.append(f"{term.en} → {term.zh}")
            rest = term.pattern.sub(" ", rest)
    return found


def problems(language: str, root: Path = ROOT, only: Iterable[str] = ()) -> list[str]:
    """Every entry of ``language``'s catalogues that an edition cannot use as it stands (see
    :func:`catalogue_problems`). ``only``: catalogues whose path holds one of these strings."""
    terms = glossary(root)
    catalogues = [(s.catalogue(language, root), lambda s=s: template(s, root)) for s in sources(root)]
    catalogues.append((library_catalogue(language), library_template))
    found = []
    for path, expected in catalogues:
        if _picked(path, only):  # a template is made (notebooks read, the library scanned) only for these
            where = path.relative_to(root) if path.is_relative_to(root) else path
            problems_here = catalogue_problems(read(path, language), expected(), terms,
                                               markdown=path != library_catalogue(language))
            found += [f"{where}: {problem}" for problem in problems_here]
    return found


def catalogue_problems(catalogue: Catalog, expected: Catalog, terms: list[Term], markdown: bool = True) -> list[str]:
    """What keeps ``catalogue`` from translating all of ``expected`` (its source's template): an entry not
    merged yet, not translated, fuzzy (its English changed: the cell or section is named), broken
    (:func:`_broken`), of another markdown shape (``markdown``: :func:`_shape_problem`), or with a glossary
    term translated another way."""
    found = []
    have = {(m.id, m.context) for m in catalogue if m.id}
    for message in expected:
        if message.id and (message.id, message.context) not in have:
            found.append(f"{message.context} {_short(message.id)}: not merged yet (run `make translations`)")
    for message in catalogue:
        if not message.id:
            continue
        label = f"{message.context or ''} {_short(message.id)}".strip()
        if message.fuzzy:
            found.append(f"{label}: fuzzy — its English changed; check the translation and remove the flag")
        elif not message.string:
            found.append(f"{label}: not translated")
        elif lost := _broken(message.id, message.string):
            found.append(f"{label}: the translation does not keep {', '.join(lost)}")
        elif shape := _shape_problem(_text(message.id), _text(message.string), markdown):
            found.append(f"{label}: {shape}")
        elif other := glossary_problems(_text(message.id), _text(message.string), terms, _exempt(message)):
            found.append(f"{label}: glossary term translated another way ({'; '.join(other)})")
    return found


def _exempt(message: Message) -> list[str]:
    """The terms a translator comment (``# glossary: lead, deal``) marks as used in another sense."""
    return [term for comment in message.user_comments if comment.strip().lower().startswith("glossary:")
            for term in comment.split(":", 1)[1].split(",")]


# A line break between two Chinese characters inside a paragraph: browsers show it as a space.
_CJK = "[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’—…]"
_SOFT_BREAK = re.compile(rf"(?<={_CJK})\n *(?![*\-+] |\d+\. |\||>|#)(?={_CJK})")
_SHAPE = ("heading_open", "bullet_list_open", "ordered_list_open", "list_item_open", "table_open", "tr_open",
          "th_open", "td_open", "blockquote_open", "fence", "code_block", "strong_open", "em_open", "code_inline",
          "link_open", "image", "math_inline", "math_block")


def _shape(text: str) -> dict[str, int]:
    """How many of each markdown element ``text`` renders to (headings, list items, table cells, bold,
    italics, code, links), as CommonMark reads it."""
    from markdown_it import MarkdownIt

    counts: dict[str, int] = {}

    def walk(tokens: list) -> None:
        depth = 0  # bold or italics inside bold or italics: markers CommonMark paired otherwise than meant
        for token in tokens:
            if token.type == "text" and "*" in token.content:  # a marker CommonMark did not pair: shown as is
                counts["literal *"] = counts.get("literal *", 0) + token.content.count("*")
            if token.type in _SHAPE:
                key = f"{token.type}:{token.tag}" if token.type == "heading_open" else token.type
                if token.type in ("strong_open", "em_open") and depth:
                    key += " nested"
                counts[key] = counts.get(key, 0) + 1
            depth += token.type in ("strong_open", "em_open")
            depth -= token.type in ("strong_close", "em_close")
            if token.children:
                walk(token.children)

    walk(MarkdownIt("commonmark").enable("table").parse(text))
    return counts


def _shape_problem(english: str, translation: str, markdown: bool) -> str:
    """How the translation renders differently from the English (e.g. bold whose closing ``**`` follows a
    full-width colon, which CommonMark does not close), or "" when it renders alike."""
    if not markdown:
        return ""
    if _SOFT_BREAK.search(translation):
        return "a line break between two Chinese characters shows as a space: join the lines"
    want, have = _shape(english), _shape(translation)
    if want == have:
        return ""
    differ = sorted(k for k in set(want) | set(have) if want.get(k, 0) != have.get(k, 0))
    return "renders differently: " + ", ".join(f"{k} {want.get(k, 0)}→{have.get(k, 0)}" for k in differ) + (
        " (put full-width punctuation outside **…** and *…*)" if any(k in ("strong_open", "em_open") for k in differ)
        else "")


def _text(text: str | tuple) -> str:
    return text if isinstance(text, str) else text[0]


def _short(text: str | tuple) -> str:
    text = _text(text)
    line = text.split("\n", 1)[0]
    return repr(line[:60] + ("…" if len(line) > 60 or "\n" in text else ""))


def main(argv: list[str] | None = None) -> int:
    """``python -m smarketing.translation``: ``update`` the catalogues from the English, ``build`` the editions
    (catalogues updated, notebooks executed), or list the catalogues' ``problems`` (``check``)."""
    import argparse
    import sys
    parser = argparse.ArgumentParser(prog="python -m smarketing.translation", description=main.__doc__)
    parser.add_argument("action", choices=["update", "build", "check"])
    parser.add_argument("only", nargs="*", help="sources or catalogues whose path holds one of these")
    parser.add_argument("--language", choices=LANGUAGES, action="append")
    parser.add_argument("--no-execute", action="store_true", help="build without executing the notebooks")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in ("update", "build", "check", "-h", "--help"):
        argv.insert(0, "check")  # python -m smarketing.translation course/03: the check of those catalogues
    args = parser.parse_args(argv)
    status = 0
    for language in args.language or LANGUAGES:
        if args.action == "update":
            update_library(language)
            for source in sources():
                if _picked(source.path, args.only):
                    update(source, language)
        elif args.action == "build":
            for path in build(language, execute=not args.no_execute, only=args.only):
                print(f"{language}: {path.relative_to(ROOT)}")
        else:
            listed = problems(language, only=args.only)
            print("\n".join(listed) or f"{language}: no problems")
            status = 1 if listed else status
    return status


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["LANGUAGES", "Source", "Term", "blocks", "build", "catalogue_problems", "chart_words", "compile_library",
           "glossary", "glossary_problems", "glossary_table", "library_catalogue", "library_template", "main",
           "normalise_markdown", "problems", "read", "sources", "template", "translatable", "translate_markdown",
           "translated", "update", "update_library", "write"]
