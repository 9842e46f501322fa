"""The course as a website: a Jupyter Book 1 built from the course's own files, one book per edition.

``python -m smarketing.site`` (``make site``) stages each edition's pages in ``build/site/src/<edition>`` and
builds them with ``jupyter-book build -W`` into ``build/site/html`` (English) and ``build/site/html/zh_CN``:

* the table of contents is made from ``course.yml`` (:func:`toc`): each module's notebook with its graded
  exercise under it, then the glossary, the data dictionary and the sources, then the instructors' guides;
* ``book/_config.yml`` is the book's configuration; the builder sets only what differs per edition (title,
  language, the edition's folder for launch links) and the class's JupyterHub, if one is given;
* pages show the outputs stored in the repository, never run again; a chart is its stored SVG copy, and an app
  (an ipywidgets output, which needs a kernel) is its first drawing with a note on how to launch it;
* a link to a file of the repository that is not a page goes to the file in the repository.
"""

from __future__ import annotations

import base64
import copy
import html
import os
import posixpath
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import yaml
from babel import Locale

from smarketing.manifest import Course, load
from smarketing.messages import LANGUAGES, _, speaking

EDITIONS = ("en", *LANGUAGES)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
VEGALITE = "application/vnd.vegalite.v5+json"
# An inline link's target, or a reference definition's: [text](target "title"), [label]: target.
LINK = re.compile(r"(?P<lead>\]\(<?|^\s{0,3}\[[^\]]+\]:\s+<?)(?P<target>[^\s)>]+)", re.MULTILINE)

HEADING = re.compile(r'^#{1,6}\s+(?:<a id="(?P<id>[^"]+)"></a>)?(?P<text>.*)$')


class SiteError(RuntimeError):
    """The site could not be built; the message says what failed and where the build's log is."""


@dataclass(frozen=True)
class Page:
    path: str  # where the page sits in the book (and in its edition's folder of the repository)
    source: Path | None  # the file it is made from; None for a page the builder writes (index, glossary)


def edition_root(course: Course, edition: str) -> Path:
    """The folder of an edition: the repository for English, ``zh_CN/`` for Chinese."""
    return course.root if edition == "en" else course.root / edition


def exercise(module_assignment: str) -> str:
    """A module's released exercise notebook, relative to its edition's folder."""
    return f"exercises/{module_assignment}/{module_assignment}.ipynb"


def guides(course: Course, edition: str) -> list[Page]:
    """The instructors' guides of an edition, then the deployment guide (English only)."""
    root = edition_root(course, edition)
    found = [Page(f"instructor/{p.name}", p) for p in sorted((root / "instructor").glob("*.md"))]
    return [*found, Page("deploy/README.md", course.root / "deploy" / "README.md")]


def parts(course: Course, edition: str) -> list[tuple[str, list[tuple[Page, list[Page]]]]]:
    """The book's parts, from the manifest (no second list of modules): each part's caption and its chapters, a
    chapter with the pages under it (a module's notebook, with its released exercise)."""
    root = edition_root(course, edition)
    with speaking(edition):
        return [
            (_("Modules"), [(Page(m.notebook, root / m.notebook),
                             [Page(exercise(m.assignment), root / exercise(m.assignment))]) for m in course.modules]),
            (_("Reference"), [(Page("glossary.md", None), []),
                              (Page("datasets/README.md", course.root / "datasets" / "README.md"), []),
                              (Page("course/bibliography.md", root / "course" / "bibliography.md"), [])]),
            (_("For instructors"), [(guide, []) for guide in guides(course, edition)]),
        ]


def toc(course: Course, edition: str) -> dict[str, Any]:
    """The book's table of contents (Jupyter Book's ``_toc.yml``): the front page, then :func:`parts`."""
    def entry(page: Page, under: list[Page]) -> dict[str, Any]:
        return {"file": _stem(page.path), **({"sections": [{"file": _stem(p.path)} for p in under]} if under else {})}

    return {"format": "jb-book", "root": "index",
            "parts": [{"caption": caption, "chapters": [entry(page, under) for page, under in chapters]}
                      for caption, chapters in parts(course, edition)]}


def pages(course: Course, edition: str) -> list[Page]:
    """Every page of an edition's book, in the order of its table of contents."""
    listed = [Page("index.md", None)]
    for _caption, chapters in parts(course, edition):
        for page, under in chapters:
            listed += [page, *under]
    return listed


def config(course: Course, edition: str, hub: str = "") -> dict[str, Any]:
    """``book/_config.yml`` with what differs per edition: title, language, the edition's folder, the hub."""
    book = yaml.safe_load((course.root / "book" / "_config.yml").read_text(encoding="utf-8"))
    with speaking(edition):
        book["title"] = _("{title}: Sales, Marketing and Operations", title=course.title)
    book["repository"]["path_to_book"] = "" if edition == "en" else edition
    book["launch_buttons"]["jupyterhub_url"] = hub.rstrip("/")
    book.setdefault("sphinx", {}).setdefault("config", {})["language"] = edition
    return book


def stage(course: Course, edition: str, folder: Path, hub: str = "") -> Path:
    """Write an edition's book source into ``folder`` (emptied first): configuration, contents and pages."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    listed = pages(course, edition)
    book_pages = {p.path: p for p in listed}
    book = config(course, edition, hub)
    (folder / "_config.yml").write_text(yaml.safe_dump(book, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (folder / "_toc.yml").write_text(yaml.safe_dump(toc(course, edition), allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
    with speaking(edition):
        for page in listed:
            target = folder / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            if page.source is None:
                text = index_page(course, edition) if page.path == "index.md" else glossary_page(course)
                target.write_text(text, encoding="utf-8")
                continue
            english_only = edition != "en" and not page.source.is_relative_to(edition_root(course, edition))
            relink = _relinker(page, book_pages, course.root, book["repository"], english_only)
            if page.path.endswith(".ipynb"):
                notebook = static_notebook(nbformat.read(page.source, as_version=4), relink)
                nbformat.write(notebook, target)
            else:
                text = page.source.read_text(encoding="utf-8")
                target.write_text(relink(_english_only(text) if english_only else text), encoding="utf-8")
    return folder


def build(editions: tuple[str, ...] = EDITIONS, out: Path | None = None, hub: str = "",
          course: Course | None = None) -> Path:
    """Stage and build every edition; return the site's folder (``<out>/html``, Chinese in ``html/zh_CN``)."""
    course = course or load()
    out = out or course.root / "build" / "site"
    site = out / "html"
    if site.exists():
        shutil.rmtree(site)
    for edition in editions:
        source = stage(course, edition, out / "src" / edition, hub)
        # Jupyter Book 1 has no `python -m` entry point; its command is called from this Python, whatever PATH says.
        result = subprocess.run(
            [sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(source),
             "--path-output", str(out / "books" / edition), "--builder", "html", "-W", "-n", "--keep-going"],
            capture_output=True, text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning", "NO_COLOR": "1"})
        # The staged pages mirror the edition's folder: name them by their path there, as an author knows them.
        output = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr).replace(f"{source}/", "")
        log = out / f"build-{edition}.log"
        log.write_text(output, encoding="utf-8")
        if result.returncode != 0:
            warnings = [line for line in output.splitlines() if "WARNING" in line or "ERROR" in line]
            raise SiteError(f"the {edition} edition of the site did not build ({len(warnings)} warnings are errors "
                            f"here); the whole log is {log}:\n" + "\n".join(warnings[:30] or _last_lines(output)))
        pages = site if edition == "en" else site / edition
        shutil.copytree(out / "books" / edition / "_build" / "html", pages)
        with speaking(edition):
            for page in pages.glob("**/*.html") if edition != "en" else _english_pages(site):
                page.write_text(mend_theme(page.read_text(encoding="utf-8")), encoding="utf-8")
    return site


def _english_pages(site: Path) -> list[Path]:
    return [page for page in site.glob("**/*.html") if page.relative_to(site).parts[0] not in LANGUAGES]


# The theme's (pydata-sphinx-theme 0.15) failures of WCAG 2.1 A, found by axe-core on every page.
_SECTION_TOGGLE = re.compile(
    r'(<a class="[^"]*reference internal[^"]*" href="[^"]*">(?P<title>[^<]*)</a><details[^>]*>)<summary>')
_SEARCH_NAME = re.compile(r'(<button class="[^"]*search-button__button[^"]*"[^>]*?) aria-label="[^"]*"')
_MODE_ICON = re.compile(r'<i class="theme-switch (?P<rest>[^"]*" data-mode="[^"]*")\s+title="[^"]*"')
_SCROLLING_CODE = re.compile(r'<pre(?=[ >])(?![^>]*tabindex)')
_DATA_FRAME = re.compile(r'<div class="output text_html">(?=\s*<div>\s*<style scoped)')


def mend_theme(page: str) -> str:
    """A built page, mended where the theme fails WCAG 2.1 A:

    * the sidebar's section toggles (a ``<summary>`` holding only an icon) get a name, "the pages under 01 · Roles";
    * the search button loses its ``aria-label`` "Search", which differs from the text shown ("Search Ctrl+K"), so
      that a speech-input user can say what they see: its name is that text;
    * the colour-mode button's icons lose their titles ("Light", "Dark"), which Font Awesome turns into text of
      the button that differs from its name, "Color mode";
    * code blocks and pandas tables can take the keyboard's focus, so that one wider than the page (a table with
      Chinese column names) scrolls without a mouse."""
    page = _SECTION_TOGGLE.sub(lambda m: m[1] + '<summary aria-label="{}">'.format(
        html.escape(_("the pages under {title}", title=html.unescape(m["title"])), quote=True)), page)
    page = _SEARCH_NAME.sub(r"\1", page)
    page = _MODE_ICON.sub(r'<i aria-hidden="true" class="theme-switch \g<rest>', page)
    page = _DATA_FRAME.sub('<div class="output text_html" tabindex="0">', page)
    return _SCROLLING_CODE.sub('<pre tabindex="0"', page)


def static_notebook(notebook: nbformat.NotebookNode, relink=lambda text: text,
                    where: str = "site") -> nbformat.NotebookNode:
    """A notebook as a static page shows it: links relinked, each app's output replaced by its first drawing
    and a note on how to use it live (``where`` the page is read: on the ``"site"``, or an ``"export"`` of the
    notebook), and no widget state (so the page loads no widget scripts)."""
    notebook = copy.deepcopy(notebook)
    state = notebook.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    wanted = {m["target"][1:] for c in notebook.cells if c.cell_type == "markdown" for m in LINK.finditer(c.source)
              if m["target"].startswith("#")}
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = _targets(relink(cell.source), wanted)
        elif cell.cell_type == "code":
            outputs = []
            for output in cell.outputs:
                view = output.get("data", {}).get(WIDGET_VIEW)
                outputs += app_outputs(view["model_id"], state, where) if view else [output]
            cell.outputs = [static_chart(o) for o in outputs]
    return notebook


def static_chart(output: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A chart as a static page shows it: its stored SVG copy as an image whose text alternative is the chart's
    description. Any other output is kept as it is."""
    data = output.get("data", {})
    if "image/svg+xml" not in data:
        return output
    spec = data.get(VEGALITE, {})
    description = spec.get("description") or data.get("text/plain", "")
    encoded = base64.b64encode(data["image/svg+xml"].encode("utf-8")).decode("ascii")
    # An <img> of a data URI rather than inline SVG: two charts' inline ids (clip paths) would collide on a page.
    image = (f'<img class="smarketing-chart" src="data:image/svg+xml;base64,{encoded}" '
             f'alt="{html.escape(description, quote=True)}">')
    # The chart's data follows it as its own output (charts.table_output), in the notebook as on the page.
    return _html_output(f'<figure class="smarketing-chart">{image}</figure>')


def _targets(markdown: str, wanted: set[str]) -> str:
    """Give a heading that a link of its notebook points to (``#A-pandas-primer``: JupyterLab's anchor, its text
    with hyphens, or an ``<a id>`` in it) a MyST target of that name, which Sphinx resolves."""
    lines = []
    for line in markdown.splitlines():
        heading = HEADING.match(line)
        if heading:
            anchor = heading["id"] or heading["text"].strip().replace(" ", "-")
            if anchor in wanted or heading["id"]:
                lines += [f"({anchor})=", ""]
            if heading["id"]:
                # The target replaces the inline <a id>: Sphinx would name the heading in the page's contents by
                # the raw HTML's empty text (a link with no name), not by its words.
                line = line[:line.index("<a id=")] + heading["text"]
        lines.append(line)
    return "\n".join(lines)


def app_outputs(model_id: str, state: dict[str, Any], where: str = "site") -> list[nbformat.NotebookNode]:
    """An app's stored first drawing as static outputs: a note (the app is live only in a running notebook) with
    its controls' values as first shown, then its texts and charts in the order the app lays them out."""
    controls: list[str] = []
    shown: list[nbformat.NotebookNode] = []

    def walk(model: str) -> None:
        entry = state.get(model.removeprefix("IPY_MODEL_"))
        if entry is None:
            return
        name, values = entry["model_name"], entry["state"]
        if name == "OutputModel":
            shown.extend(nbformat.from_dict(o) for o in values.get("outputs", []))
        elif name in ("HTMLModel", "HTMLMathModel") and values.get("value"):
            shown.append(_html_output(values["value"]))
        elif values.get("description") and "value" in values or "index" in values:
            controls.append(_control_text(values))
        for child in values.get("children", []):
            walk(child)

    walk(model_id)
    if where == "site":
        note = _("<strong>An app.</strong> Its controls move only in a running notebook: launch this page (the rocket "
                 "button at the top) on Binder or your class's JupyterHub. Below is its first drawing.")
    else:
        note = _("<strong>An app.</strong> Its controls move only in a running notebook: open the notebook in "
                 "JupyterLab. Below is its first drawing.")
    if controls:
        note += " " + _("Its controls as first set: {controls}.", controls="; ".join(html.escape(c) for c in controls))
    return [_html_output(f'<div class="smarketing-app-note" role="note"><p>{note}</p></div>'), *shown]


def _control_text(values: dict[str, Any]) -> str:
    description = values.get("description", "")
    if values.get("value_text"):  # the course's own controls (smarketing.controls) store the value as shown
        return f"{description} {values['value_text']}".strip()
    if "_options_labels" in values and values.get("index") is not None:
        return f"{description} {values['_options_labels'][values['index']]}".strip()
    value = values.get("value")
    shown = value
    fmt = values.get("readout_format")
    if fmt and isinstance(value, int | float):
        try:
            shown = format(value, fmt)
        except ValueError:  # a d3 format Python does not read: show the number as stored
            shown = value
    return f"{description} {shown}".strip()


def _html_output(markup: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data={"text/html": markup, "text/plain": ""})


def _relinker(page: Page, book: dict[str, Page], root: Path, repository: dict[str, str], english_only: bool = False):
    """A function that rewrites a page's relative links: to a page of the book, kept (on an English page of a
    translated edition, a section's anchor becomes the translated heading's); to another file of the
    repository, to that file in the repository; anything else is left for Sphinx to report."""
    folder = posixpath.dirname(page.path)
    base = page.source.parent if page.source else root

    def target(match: re.Match[str]) -> str:
        link = match["target"]
        if re.match(r"^(?:[a-z][a-z+.-]*:|#|/)", link):
            return match[0]
        path, _, anchor = link.partition("#")
        linked = book.get(posixpath.normpath(posixpath.join(folder, path)))
        if linked is not None:
            english = (base / path).resolve()
            if english_only and anchor and linked.source and linked.source != english and english.exists():
                return match["lead"] + f"{path}#{_same_section(anchor, english, linked.source)}"
            return match[0]
        real = (base / path).resolve()
        if real.exists() and real.is_relative_to(root):
            kind = "tree" if real.is_dir() else "blob"
            url = f"{repository['url']}/{kind}/{repository['branch']}/{real.relative_to(root).as_posix()}"
            return match["lead"] + url + (f"#{anchor}" if anchor else "")
        return match[0]

    return lambda text: LINK.sub(target, text)


def _headings(markdown: str) -> list[str]:
    """The text of a markdown file's headings, in order, outside fenced code."""
    found, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and (heading := HEADING.match(line)):
            found.append(re.sub(r"[`*_]", "", heading["text"]).strip())
    return found


def _same_section(anchor: str, english: Path, translated: Path) -> str:
    """The anchor of the translated heading at the place of the English heading ``anchor`` names: a translated
    guide keeps the English one's headings, in their order."""
    from myst_parser.mdit_to_docutils.base import default_slugify

    source = _headings(english.read_text(encoding="utf-8"))
    target = _headings(translated.read_text(encoding="utf-8"))
    slugs = [default_slugify(h) for h in source]
    if anchor in slugs and len(source) == len(target):
        return default_slugify(target[slugs.index(anchor)])
    return anchor


def index_page(course: Course, edition: str) -> str:
    """The book's front page: what the course is, its modules with their time, how to launch it, the other
    editions."""
    root = edition_root(course, edition)
    # Babel finds no _() inside an f-string: the words are translated first, then placed.
    exercise_word = _("exercise")
    header = "| " + " | ".join([_("Module"), _("Notebook"), _("Graded exercise"), _("Time")]) + " |"
    rows = []
    for module in course.modules:
        notebook = nbformat.read(root / module.notebook, as_version=4)
        title = _first_heading(notebook) or module.title
        minutes = _("{minutes} min", minutes=module.minutes + module.exercise_minutes)
        rows.append(f"| {module.id} | [{title}]({module.notebook}) | [{exercise_word}]({exercise(module.assignment)}) "
                    f"| {minutes} |")
    others = [e for e in EDITIONS if e != edition]
    switch = " · ".join(f'<a href="{_edition_href(edition, other)}" lang="{other.replace("_", "-")}">'
                        f"{Locale.parse(other).get_language_name(other)}</a>" for other in others)
    return "\n".join([
        f"# {course.title}",
        "",
        _("A course in {count} modules on how Sales, Marketing and Operations differ and how they work together: "
          "roles, KPIs, the marketing-to-sales handoff, alignment and careers, taught with the data of synthetic "
          "companies.", count=len(course.modules)),
        "",
        _("The modules and exercises are the course's notebooks, with the outputs they store. To run one, press "
          "the rocket button at the top of the page: Binder starts it in your browser with nothing to install, and a "
          "class's JupyterHub (if your instructor set one) copies the course into your account. To work on "
          "your own computer, clone the repository and run `make lab`."),
        "",
        header,
        "|---|---|---|---|",
        *rows,
        "",
        _("Other editions: {links}", links=switch),
        "",
    ])


def _edition_href(edition: str, other: str) -> str:
    # Each edition is a book of its own: English at the site's root, the others in their folder beside it.
    up = "" if edition == "en" else "../"
    return f"{up}{'' if other == 'en' else other + '/'}index.html"


def glossary_page(course: Course) -> str:
    """The bilingual glossary (``glossary.yml``) as a page: each term, its one Chinese translation, the variants
    accepted and its note."""
    from smarketing.translation import glossary

    terms = sorted(glossary(course.root), key=lambda t: t.en.lower())
    rows = [f"| {t.en} | {t.zh} | {', '.join(t.also)} | {t.note} |" for t in terms]
    header = "| " + " | ".join(["English", "中文", _("also"), _("note")]) + " |"
    return "\n".join([
        "# " + _("Glossary"),
        "",
        _("The course's terms and the one Chinese word for each, as the Chinese edition uses them "
          "(`glossary.yml`; the translation checks hold every catalogue to it)."),
        "",
        header,
        "|---|---|---|---|",
        *rows,
        "",
    ])


def _english_only(text: str) -> str:
    note = _("*This page is in English only.*")
    lines = text.splitlines()
    heading = next((i for i, line in enumerate(lines) if line.startswith("# ")), -1)
    return "\n".join([*lines[: heading + 1], "", note, "", *lines[heading + 1:]]) + "\n"


def _first_heading(notebook: nbformat.NotebookNode) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def _stem(path: str) -> str:
    return str(Path(path).with_suffix("").as_posix())


def _last_lines(text: str, count: int = 30) -> list[str]:
    return text.splitlines()[-count:]


def main(argv: list[str] | None = None) -> int:
    """``python -m smarketing.site``: build the course's website into ``build/site/html``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m smarketing.site", description=main.__doc__)
    parser.add_argument("--edition", choices=EDITIONS, action="append", help="build only these (default: all)")
    parser.add_argument("--out", type=Path, help="where to build (default: build/site)")
    parser.add_argument("--hub", default="", help="a class's JupyterHub, for its launch links (nbgitpuller)")
    args = parser.parse_args(argv)
    try:
        site = build(tuple(args.edition or EDITIONS), args.out, args.hub)
    except SiteError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"the site is in {site}: open {site / 'index.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
