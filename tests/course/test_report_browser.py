"""The facilitator's report as a person sees it: Playwright opens the cover page and module 03 of a report
on an imported company from file:// in Debian's Chromium, checks what they show, and saves full-page
screenshots to test-artifacts/ (report-cover.png, report-module-03.png) for a person to look at."""

from __future__ import annotations

import pandas as pd
import pytest

from smarketing import notebooks
from smarketing.datasets.crm import import_files
from tests.conftest import ROOT
from tests.course.test_browser import ARTIFACTS, browser  # noqa: F401 - browser is a fixture; Chromium or skip
from tests.datasets.crm.exports import hubspot

NAME = "Smith & <EMEA>"  # HTML in a name must show as text


@pytest.fixture(scope="module")
def report(tmp_path_factory, companies):
    """Module 03 run on a HubSpot import with no lead owners and no first-contact dates."""
    folder = tmp_path_factory.mktemp("report")
    files = hubspot(companies["lumen"], folder / "export")
    contacts = pd.read_csv(files[0], dtype=str, keep_default_na=False)
    contacts["Contact owner"] = ""
    contacts.drop(columns=["First Engagement Date"]).to_csv(files[0], index=False)
    company = import_files(files, folder / "acme", name=NAME)
    notebooks.run_on_company(company, folder / "results", ROOT / "course", only=["03"])
    return folder / "results"


def test_the_cover_page_and_module_03_render(browser, report):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto((report / "index.html").as_uri())
    assert page.title() == f"Workshop report: {NAME}"
    assert page.locator("h1").inner_text() == f"Workshop report: {NAME}"
    assert page.locator("section.import-missing li").count() >= 5
    page.screenshot(path=str(ARTIFACTS / "report-cover.png"), full_page=True)

    page.click("text=03 · The funnel and the handoff")
    page.wait_for_load_state("load")
    assert page.title() == f"03 · The funnel and the handoff — {NAME}"
    assert page.locator(".jp-InputArea-editor").count() == 0  # code hidden
    assert page.locator("[data-mime-type='application/vnd.jupyter.stderr'], .jp-RenderedText[data-mime-type*=error]"
                        ).count() == 0
    assert page.locator(".smarketing-stopped").count() == 0
    assert page.locator(".smarketing-course-example").first.inner_text().endswith(f"not {NAME}'s data")
    assert "not in your data" in page.locator("body").inner_text()
    page.screenshot(path=str(ARTIFACTS / "report-module-03.png"), full_page=True)
    page.click(f"text=← Report on {NAME}")
    assert page.title() == f"Workshop report: {NAME}"
    assert not dialogs
