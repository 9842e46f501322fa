"""A hostile company in a real browser: an import named ``<img src=x onerror=alert(1)>`` (the facilitator's
--name, or a folder name) is shown by the Voilà app as those characters, and no script of it runs. Playwright
drives Debian's Chromium, as in test_browser.py; the screenshot goes to test-artifacts/."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from tests.course.test_browser import ARTIFACTS, _server, browser  # noqa: F401 - browser is a fixture
from tests.datasets.crm.exports import OWNERS, hubspot
from smarketing.datasets.crm import import_files

HOSTILE = "<img src=x onerror=alert(1)>"
FORMULA_OWNER = '=HYPERLINK("http://x","<img src=y onerror=alert(2)>")'


def test_a_hostile_company_name_is_shown_as_text_and_runs_nothing(browser, tmp_path, free_port, companies):  # noqa: F811
    files = hubspot(companies["lumen"], tmp_path / "export", leads=300)
    for path in files:  # an owner whose name is a formula as well: the CSV note then shows in the app too
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        owner = next(c for c in frame.columns if c.endswith("owner"))
        frame[owner] = frame[owner].replace(OWNERS[0], FORMULA_OWNER)
        frame.to_csv(path, index=False, encoding="utf-8")
    folder = import_files(files, tmp_path / "acme", name=HOSTILE, keep_names=True)  # real names reach the CSV
    voila = [str(Path(sys.executable).parent / "voila"), "workshop/app.ipynb", f"--port={free_port}", "--no-browser",
             "--Voila.ip=127.0.0.1"]
    with _server(voila, f"http://127.0.0.1:{free_port}/", tmp_path / "voila.log",
                 env={"SMARKETING_COMPANY": str(folder), "JUPYTER_RUNTIME_DIR": str(tmp_path)}):
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"http://127.0.0.1:{free_port}/", timeout=120_000)
        page.locator(".lm-TabBar-tab, .p-TabBar-tab", has_text="KPI dashboard").first.click(timeout=180_000)
        summary = page.locator(".widget-html", has_text="KPIs.").first
        summary.wait_for(timeout=60_000)
        page.wait_for_timeout(1000)  # an onerror fires as soon as the broken image would load: give it time
        page.screenshot(path=str(ARTIFACTS / "voila-hostile-name.png"), full_page=True)
        assert dialogs == []
        assert summary.inner_text().startswith(HOSTILE + ", ")  # the KPI dashboard's summary line, as text
        note = page.locator(".jp-RenderedMarkdown", has_text="was imported from a hubspot export").first
        assert note.inner_text().startswith(f"Your data: {HOSTILE} was imported")  # the app's Markdown note
        assert "in employees.csv, column name" in note.inner_text()  # the formula owner, quoted in the CSV
        assert page.locator("img[src='x'], img[src='y']").count() == 0  # no element was made of the data
        options = page.locator("select").first.inner_text().replace("\xa0", " ")  # ipywidgets keeps spaces so
        assert options.startswith(HOSTILE + "\n")  # the company dropdown, as text
