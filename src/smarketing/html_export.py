"""The course's HTML export: ``jupyter nbconvert --to html`` in the repository (and ``--to smarketing``
anywhere) writes a page that passes WCAG 2.1 AA and loads nothing from outside.

nbconvert's own page ("lab" template) greys its prompts below AA contrast, tells links from text by colour alone,
loads require.js, MathJax and the widget manager from a CDN (so an offline page's apps never draw), typesets the
course's dollar amounts as maths, and sets ``lang="en"`` on a Chinese notebook. The ``smarketing`` template
(``templates/smarketing``) mends the page; :class:`StaticPage` mends the notebook first, as the site does
(:func:`smarketing.site.static_notebook`): each app becomes its first drawing with its controls as set, each chart
an image whose text alternative is its description, followed by its data as a table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import default

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "smarketing"


class StaticPage(Preprocessor):
    """A notebook as a static page shows it (:func:`smarketing.site.static_notebook`)."""

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        from smarketing import site  # the site's builder imports more than an export needs; only here

        return site.static_notebook(nb, where="export"), resources


class CourseHTMLExporter(HTMLExporter):
    """``jupyter nbconvert --to smarketing``: the HTML export with the course's template, wherever it runs (JupyterLab
    lists it by its entry point's name, "Smarketing", in File → Save and Export Notebook As)."""

    @default("template_name")
    def _course_template(self) -> str:
        return TEMPLATE

    @default("extra_template_basedirs")
    def _course_templates(self) -> list[str]:
        return [str(TEMPLATES)]
