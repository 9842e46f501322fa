"""The course's HTML export (smarketing.html_export): `jupyter nbconvert --to smarketing` over every course notebook
of both editions writes pages that load nothing from outside, speak their edition's language, keep the heading
outline, show every chart as an image named by its description with its data, typeset no dollar amount as maths,
and pass axe-core's WCAG 2.0/2.1 A and AA rules with no critical or serious finding."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from smarketing import site
from smarketing.manifest import load
from tests import axe
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
EDITIONS = {"en": "en", "zh_CN": "zh-CN"}


def _notebooks(edition: str) -> list[Path]:
    course = load()
    return [site.edition_root(course, edition) / module.notebook for module in course.modules]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[tuple[str, str], str]:
    """Every course notebook of each edition exported as a learner or instructor would, in the repository."""
    out = tmp_path_factory.mktemp("export")
    pages = {}
    for edition in EDITIONS:
        notebooks = _notebooks(edition)
        result = subprocess.run([str(Path(sys.executable).parent / "jupyter"), "nbconvert", "--to", "smarketing",
                                 *map(str, notebooks), "--output-dir", str(out / edition)],
                                cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
        assert result.returncode == 0, result.stderr[-3000:]
        # nbconvert warns when an image has no alternative text: the course's charts all have one.
        assert "Alternative text is missing" not in result.stderr, result.stderr[-3000:]
        for notebook in notebooks:
            pages[edition, notebook.stem] = (out / edition / f"{notebook.stem}.html").read_text(encoding="utf-8")
    return pages


def test_every_course_notebook_is_exported_in_both_editions(exported):
    assert len(exported) == 2 * len(load().modules) == 16


def test_an_exported_page_speaks_its_edition_and_loads_nothing_from_outside(exported):
    for (edition, name), page in exported.items():
        assert re.search(rf'<html lang="{EDITIONS[edition]}">', page), (edition, name)
        assert not re.search(r"<script[^>]+src=", page), (edition, name)  # no require.js, MathJax or widget manager
        assert not re.search(r'(?:src|href)="(?:https?:)?//', page), (edition, name)
        assert "application/vnd.jupyter.widget-state+json" not in page, (edition, name)


def test_dollar_amounts_stay_text(exported):
    """Module 02 quotes cost per lead in dollars ("$150–300; e-commerce ~US$90"): without MathJax it is read as
    written, not as an equation."""
    page = exported["en", "02_kpis"]
    assert "MathJax" not in page and "mathjax" not in page
    assert "US$150–300" in html.unescape(page)


def test_headings_never_skip_a_level(exported):
    """An app's title sits one level under the notebook's section that shows it (h3 under h2)."""
    for (edition, name), page in exported.items():
        levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", page)]
        skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        assert levels[0] == 1 and not skips, (edition, name, skips)


def test_every_chart_is_an_image_named_by_its_description_and_followed_by_its_data(exported):
    for edition in EDITIONS:
        for notebook in _notebooks(edition):
            page = exported[edition, notebook.stem]
            static = site.static_notebook(nbformat.read(notebook, as_version=4), where="export")
            stored = sum('class="smarketing-chart"' in o.get("data", {}).get("text/html", "")
                         for c in static.cells if c.cell_type == "code" for o in c.outputs)
            # nbconvert's HTML sanitiser orders an element's attributes: read them in any order.
            tags = [t for t in re.findall(r"<img\b[^>]*>", page) if 'class="smarketing-chart"' in t]
            images = [html.unescape(m[1]) for t in tags if (m := re.search(r'\balt="([^"]*)"', t))]
            assert len(images) == len(tags), (edition, notebook.stem)
            assert len(images) == stored > 0, (edition, notebook.stem)
            assert all(re.search(r"\d", alt) for alt in images), (edition, notebook.stem)  # a figure of its data
            assert page.count('class="smarketing-chart-data"') >= len(images), (edition, notebook.stem)
            assert not re.search(r"<img(?![^>]*\balt=)", page), (edition, notebook.stem)


@pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("SMARKETING_REQUIRE_BROWSER"),
                    reason="Chromium is not installed (apt-get install -y chromium chromium-driver)")
def test_every_exported_page_passes_axe(exported, tmp_path):
    from playwright.sync_api import sync_playwright

    failures, outside = {}, []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        for (edition, name), markup in exported.items():
            path = tmp_path / edition / f"{name}.html"
            path.parent.mkdir(exist_ok=True)
            path.write_text(markup, encoding="utf-8")
            page.goto(path.as_uri(), wait_until="load")
            found = axe.findings(page)
            if found:
                failures[f"{edition}/{name}"] = axe.described(found)
        browser.close()
    assert not failures, "\n\n".join(f"{page}:\n{text}" for page, text in failures.items())
    assert not outside, outside[:5]
