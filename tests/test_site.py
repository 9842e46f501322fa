"""The course as a website (smarketing.site): its contents come from the manifest, its pages from the course's
files; the real Jupyter Book build of both editions passes with warnings as errors, and Chromium follows its
table of contents through every page (titles, SVG charts, no error output, every link resolves, launch links),
saving screenshots to test-artifacts/."""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import threading
import urllib.parse
from pathlib import Path

import nbformat
import pytest

from smarketing import manifest, site
from tests import axe
from tests.conftest import ROOT

HUB = "https://hub.example.edu"
REPOSITORY = "https://github.com/smarketing-lab/smarketing-lab"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
COURSE = manifest.load(ROOT)


def _toc_files(toc: dict) -> list[str]:
    files = []

    def walk(entries):
        for entry in entries:
            files.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc["parts"]:
        walk(part["chapters"])
    return files


@pytest.mark.parametrize("edition", site.EDITIONS)
def test_contents_are_the_manifests_modules_each_with_its_exercise(edition):
    toc = site.toc(COURSE, edition)
    modules = toc["parts"][0]["chapters"]
    assert [m["file"] for m in modules] == [m.notebook.removesuffix(".ipynb") for m in COURSE.modules]
    assert [m["sections"][0]["file"] for m in modules] == \
        [f"exercises/{m.assignment}/{m.assignment}" for m in COURSE.modules]
    pages = site.pages(COURSE, edition)
    assert sorted(_toc_files(toc) + ["index"]) == sorted(p.path.rsplit(".", 1)[0] for p in pages)
    assert all(p.source is None or p.source.exists() for p in pages)


def test_a_module_added_to_the_manifest_is_a_page_of_the_site(tmp_path):
    import dataclasses

    extra = dataclasses.replace(COURSE.modules[0], id="99", notebook="course/99_new.ipynb", assignment="99_new")
    course = dataclasses.replace(COURSE, modules=(*COURSE.modules, extra))
    files = _toc_files(site.toc(course, "en"))
    assert "course/99_new" in files and "exercises/99_new/99_new" in files


def test_config_is_the_books_with_what_differs_per_edition():
    english, chinese = site.config(COURSE, "en"), site.config(COURSE, "zh_CN", hub=HUB + "/")
    assert english["execute"]["execute_notebooks"] == "off"
    assert "dollarmath" not in english["parse"]["myst_enable_extensions"]  # "$150–300" is money, not maths
    assert english["sphinx"]["config"]["language"] == "en" and chinese["sphinx"]["config"]["language"] == "zh_CN"
    assert english["repository"]["path_to_book"] == "" and chinese["repository"]["path_to_book"] == "zh_CN"
    assert english["launch_buttons"]["binderhub_url"] and english["launch_buttons"]["jupyterhub_url"] == ""
    assert chinese["launch_buttons"]["jupyterhub_url"] == HUB
    assert chinese["title"] != english["title"] and "Smarketing Lab" in chinese["title"]


def test_links_to_pages_stay_and_links_to_other_files_go_to_the_repository():
    book = {p.path: p for p in site.pages(COURSE, "en")}
    relink = site._relinker(book["course/03_funnel_handoff.ipynb"], book, ROOT, site.config(COURSE, "en")["repository"])
    text = ("[next](04_pipeline_forecasting.ipynb) [ex](../exercises/03_funnel_handoff/03_funnel_handoff.ipynb) "
            "[data](../datasets/lumen/leads.csv) [lib](../src/smarketing/funnel.py#L1) [web](https://example.org) "
            "[here](#Setup)")
    relinked = relink(text)
    repository = "https://github.com/smarketing-lab/smarketing-lab"
    assert "[next](04_pipeline_forecasting.ipynb)" in relinked
    assert "(../exercises/03_funnel_handoff/03_funnel_handoff.ipynb)" in relinked
    assert f"[data]({repository}/blob/main/datasets/lumen/leads.csv)" in relinked
    assert f"[lib]({repository}/blob/main/src/smarketing/funnel.py#L1)" in relinked
    assert "[web](https://example.org)" in relinked and "[here](#Setup)" in relinked
    assert relink("[gone](no_such_file.md)") == "[gone](no_such_file.md)"  # left for Sphinx to report


def test_an_english_page_of_the_chinese_edition_links_to_the_translated_section():
    book = {p.path: p for p in site.pages(COURSE, "zh_CN")}
    deploy = book["deploy/README.md"]
    relink = site._relinker(deploy, book, ROOT, site.config(COURSE, "zh_CN")["repository"], english_only=True)
    relinked = relink("[LMS](../instructor/grading.md#6--grades-to-the-lms)")
    from myst_parser.mdit_to_docutils.base import default_slugify

    chinese = site._headings((ROOT / "zh_CN/instructor/grading.md").read_text(encoding="utf-8"))
    anchor = relinked.split("#", 1)[1].rstrip(")")
    assert anchor != "6--grades-to-the-lms" and anchor in {default_slugify(h) for h in chinese}


def test_a_static_page_shows_each_app_as_its_first_drawing_with_its_controls():
    notebook = nbformat.read(ROOT / "course/03_funnel_handoff.ipynb", as_version=4)
    apps = sum(site.WIDGET_VIEW in o.get("data", {}) for c in notebook.cells for o in c.get("outputs", []))
    static = site.static_notebook(notebook)
    outputs = [o for c in static.cells for o in c.get("outputs", [])]
    assert apps >= 2 and "widgets" not in static.metadata
    assert not any(site.WIDGET_VIEW in o.get("data", {}) or site.VEGALITE in o.get("data", {}) for o in outputs)
    notes = [o["data"]["text/html"] for o in outputs if "smarketing-app-note" in o.get("data", {}).get("text/html", "")]
    assert len(notes) == apps
    # The funnel simulator's first drawing: its sliders as shown (52%, not 0.52) and its chart's SVG copy.
    assert "Lead → MQL 52%" in notes[0] and "leads a month 420" in notes[0]
    figures = [o["data"]["text/html"] for o in outputs if 'class="smarketing-chart"' in o.get("data", {}).get(
        "text/html", "")]
    assert len(figures) == _stored_svgs(notebook) and not any("image/svg+xml" in o.get("data", {}) for o in outputs)
    # Each chart: an image named by its description (with its figures), and its data one click away after it.
    assert re.search(r'<img class="smarketing-chart" src="data:image/svg\+xml;base64,[^"]+" alt="[^"]*\d', figures[0])
    html_outputs = [o.get("data", {}).get("text/html", "") for o in outputs]
    after = [html_outputs[i + 1] for i, h in enumerate(html_outputs) if 'class="smarketing-chart"' in h]
    assert all('<details class="smarketing-chart-data"><summary>The chart as a table</summary>' in t for t in after)


def _stored_svgs(notebook) -> int:
    """The SVG copies a notebook stores: its charts', and those in its apps' first drawings."""
    state = notebook.metadata.get("widgets", {}).get(site.WIDGET_STATE, {}).get("state", {})
    in_apps = sum("image/svg+xml" in o.get("data", {}) for m in state.values()
                  if m["model_name"] == "OutputModel" for o in m["state"].get("outputs", []))
    in_cells = sum("image/svg+xml" in o.get("data", {}) for c in notebook.cells for o in c.get("outputs", []))
    return in_cells + in_apps


# The real build of both editions by `make site`, once for this file (which runs on one worker), with a hub.
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(["make", "-s", "site", f"SITE={out}", f"HUB={HUB}"], cwd=ROOT, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "html"


def _html(built: Path, edition: str, page: site.Page) -> Path:
    folder = built if edition == "en" else built / edition
    return folder / str(Path(page.path).with_suffix(".html"))


@pytest.mark.parametrize("edition", site.EDITIONS)
def test_every_page_is_built_with_warnings_as_errors(built, edition):
    log = (built.parent / f"build-{edition}.log").read_text(encoding="utf-8")
    assert "build succeeded" in log and "WARNING" not in log
    missing = [p.path for p in site.pages(COURSE, edition) if not _html(built, edition, p).exists()]
    assert not missing
    index = (built if edition == "en" else built / edition) / "index.html"
    assert f'lang="{edition.replace("_", "-")}"' in index.read_text(encoding="utf-8")[:400]


@pytest.mark.parametrize("edition", site.EDITIONS)
def test_notebook_pages_launch_on_binder_and_on_the_class_hub(built, edition):
    prefix = "" if edition == "en" else f"{edition}/"
    for page in site.pages(COURSE, edition):
        if not page.path.endswith(".ipynb"):
            continue
        text = _html(built, edition, page).read_text(encoding="utf-8")
        binder = f"https://mybinder.org/v2/gh/smarketing-lab/smarketing-lab/main?urlpath=lab/tree/{prefix}{page.path}"
        assert binder in text, f"{page.path}: no Binder launch link"
        hub = _hub_link(text)
        assert hub, f"{page.path}: no JupyterHub launch link"
        query = urllib.parse.parse_qs(urllib.parse.urlparse(hub).query)
        assert hub.startswith(f"{HUB}/hub/user-redirect/git-pull?")
        assert query["repo"] == ["https://github.com/smarketing-lab/smarketing-lab"] and query["branch"] == ["main"]
        opened = query["urlpath"][0].removeprefix("lab/tree/smarketing-lab/")
        assert (ROOT / opened).exists() and opened == f"{prefix}{page.path}"


def _hub_link(text: str) -> str:
    import html
    import re

    match = re.search(r'href="([^"]*git-pull\?[^"]*)"', text)
    return html.unescape(match[1]) if match else ""


# Chromium walks the site as a learner would, over HTTP.
@pytest.fixture(scope="module")
def served(built):
    handler = functools.partial(_QuietHandler, directory=str(built))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test reports what matters
        pass


@pytest.fixture(scope="module")
def page():
    if not CHROMIUM.exists():
        if os.environ.get("SMARKETING_REQUIRE_BROWSER"):
            raise RuntimeError("Chromium is required here: apt-get install -y chromium chromium-driver")
        pytest.skip("Chromium is not installed (apt-get install -y chromium chromium-driver)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:"))
                else None)
        page.outside = outside
        yield page
        browser.close()


def _expected_title(edition: str, item: site.Page) -> str:
    if item.path.endswith(".ipynb"):
        return site._first_heading(nbformat.read(item.source, as_version=4))
    if item.source is None:
        return "Smarketing Lab" if item.path == "index.md" else ""
    return next(line[2:].strip() for line in item.source.read_text(encoding="utf-8").splitlines()
                if line.startswith("# "))


@pytest.mark.parametrize("edition", site.EDITIONS)
def test_chromium_follows_the_contents_through_every_page(served, page, edition):
    root = served + ("/" if edition == "en" else f"/{edition}/")
    page.goto(root + "index.html")
    sidebar = page.eval_on_selector_all("nav.bd-docs-nav a.reference.internal", "els => els.map(e => e.href)")
    expected = site.pages(COURSE, edition)  # the front page first
    assert [urllib.parse.urlparse(u).path for u in sidebar] == \
        [urllib.parse.urlparse(root).path + str(Path(p.path).with_suffix(".html")) for p in expected]
    checked_links, problems, inaccessible = set(), [], {}
    for url, item in zip(sidebar, expected, strict=True):
        page.goto(url)
        title = page.locator("main h1").first.inner_text().strip().rstrip("#").strip()
        wanted = _expected_title(edition, item)
        if wanted:
            assert _plain(title) == _plain(wanted), f"{item.path}: the page's title is {title!r}"
        if item.path.endswith(".ipynb"):
            stored = _stored_svgs(nbformat.read(item.source, as_version=4))
            shown = page.eval_on_selector_all(
                "main img.smarketing-chart", "els => els.filter(e => e.naturalWidth > 0 && /\\d/.test(e.alt)).length")
            assert shown == stored, f"{item.path}: {shown} charts drawn with a description, {stored} stored"
            tables = page.locator("main details.smarketing-chart-data table").count()
            assert tables == stored, f"{item.path}: {tables} charts have their data as a table"
        errors = page.locator("main .output.traceback, main .output.error, main .output.stderr").count()
        assert errors == 0, f"{item.path}: {errors} error outputs"
        found = axe.findings(page)  # WCAG 2.0/2.1 A and AA: none critical, none serious
        if found:
            inaccessible[item.path] = axe.described(found)
        for link in page.eval_on_selector_all("main a[href]", "els => els.map(e => e.href)"):
            if link in checked_links:
                continue
            checked_links.add(link)
            if link.startswith(served):
                problems += _unresolved(page, link)
            elif link.startswith(REPOSITORY + "/"):  # a file of the repository: it must exist in this one
                path = urllib.parse.unquote(link.split("#")[0]).split("/", 7)[-1]
                if not (ROOT / path).exists():
                    problems.append(f"{item.path}: {link} names no file of the repository")
        if "03_funnel_handoff" in item.path and "exercises" not in item.path or item.path == "glossary.md":
            name = f"site-{edition}-{Path(item.path).stem}.png"
            if item.path == "glossary.md":
                page.locator("main table").first.scroll_into_view_if_needed()
            else:  # a chart with its table open
                summary = page.locator("main details.smarketing-chart-data summary").first
                summary.click()
                page.locator("main figure.smarketing-chart").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / name))
    assert not problems, "\n".join(problems)
    assert not inaccessible, "\n\n".join(f"{path}:\n{text}" for path, text in inaccessible.items())
    assert len(checked_links) > 50
    assert not page.outside, f"the site asked outside for: {sorted(set(page.outside))[:5]}"
    page.goto(root + "index.html")
    page.screenshot(path=str(ARTIFACTS / f"site-{edition}-index.png"))


def _plain(text: str) -> str:
    return " ".join(text.replace("`", "").replace("*", "").split())


def _unresolved(page, link: str) -> list[str]:
    """A link of the site that does not resolve: its page is missing, or the section its #anchor names."""
    address, _, anchor = link.partition("#")
    response = page.request.get(address)
    if not response.ok:
        return [f"{link}: {response.status}"]
    if anchor and address.endswith(".html"):
        target = urllib.parse.unquote(anchor)
        if f'id="{target}"' not in response.text():
            return [f"{link}: no section {target!r}"]
    return []


def test_a_broken_link_fails_the_build_with_a_message_that_names_it(tmp_path):
    """Warnings are errors: a link to a page that does not exist stops the build, and the error says where to
    read why (the log names the file and the link)."""
    import dataclasses
    import shutil

    module = COURSE.modules[0]
    for path in ("book/_config.yml", "glossary.yml", module.notebook, site.exercise(module.assignment)):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, tmp_path / path)
    for path, text in {"datasets/README.md": "# Datasets\n", "course/bibliography.md": "# Sources\n",
                       "deploy/README.md": "# Deploy\n",
                       "instructor/guide.md": "# A guide\n\nSee [the missing page](missing.md).\n"}.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    course = dataclasses.replace(COURSE, root=tmp_path, modules=(module,))
    with pytest.raises(site.SiteError) as failed:
        site.build(("en",), out=tmp_path / "out", course=course)
    message = str(failed.value)
    assert "the en edition of the site did not build" in message and "build-en.log" in message
    assert "instructor/guide.md:3: WARNING: 'myst' cross-reference target not found: 'missing.md'" in message
    assert "\x1b[" not in message and str(tmp_path / "out" / "src") not in message
