"""Real-browser tests: Playwright drives Debian's Chromium (installed by .ci/run). The Voilà app renders
and its funnel simulator answers a slider; JupyterLab opens a course notebook, runs it, and a widget
appears. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

if not CHROMIUM.exists():
    if os.environ.get("SMARKETING_REQUIRE_BROWSER"):
        raise RuntimeError("Chromium is required here: apt-get install -y chromium chromium-driver")
    pytest.skip("Chromium is not installed (apt-get install -y chromium chromium-driver)", allow_module_level=True)


@contextmanager
def _server(command: list[str], url: str, log: Path, env: dict[str, str] | None = None):
    """Start a server, wait until ``url`` answers, stop it afterwards (with everything it started)."""
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {})}, start_new_session=True)
        try:
            deadline = time.monotonic() + 180
            while True:
                assert process.poll() is None, log.read_text()[-3000:]
                try:
                    with urllib.request.urlopen(url, timeout=5):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise AssertionError(f"{url} did not answer:\n{log.read_text()[-3000:]}") from None
                    time.sleep(1)
            yield process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def _lab_running_all(browser, notebook: Path, tmp_path: Path, port: int, env: dict[str, str] | None = None):
    """JupyterLab on a copy of ``notebook``'s folder, the notebook opened with nothing stored (no outputs, no
    widget state: what shows can only come from running it) and Run All clicked once its kernel is ready.
    Yields the page."""
    token = "smarketing-browser-test"
    workdir = tmp_path / "lab"
    shutil.copytree(notebook.parent, workdir)  # run a copy: the committed notebooks stay as they are
    blank = nbformat.read(workdir / notebook.name, as_version=4)
    for cell in blank.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    blank.metadata.pop("widgets", None)
    nbformat.write(blank, workdir / notebook.name)
    lab = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={workdir}",
           "--allow-root", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.expose_app_in_browser=True"]  # window.jupyterapp, to ask for the kernel's state
    env = {"JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "SMARKETING_DATA": str(ROOT / "datasets"), **(env or {})}
    with _server(lab, f"http://127.0.0.1:{port}/api/status?token={token}", tmp_path / "lab.log", env=env):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"http://127.0.0.1:{port}/lab/tree/{notebook.name}?token={token}", timeout=120_000)
        page.locator(".jp-Notebook").first.wait_for(timeout=120_000)
        # Run All before the kernel is connected would queue nothing: wait for the notebook's own kernel,
        # connected and idle (the status bar can say idle earlier).
        page.wait_for_function("""() => {
            const kernel = window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel;
            return kernel?.connectionStatus === 'connected' && kernel?.status === 'idle';
        }""", timeout=120_000)
        page.locator("li.lm-MenuBar-item", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        yield page


def _revenue(text: str) -> float:
    match = re.search(r"new customers and ([\d,]+) of revenue", text)
    assert match, text
    return float(match.group(1).replace(",", ""))


@contextmanager
def _voila_app(browser, tmp_path: Path, port: int):
    """The facilitator's app (``make workshop``) on ferro, served by Voilà; yields the page once the funnel
    simulator has drawn."""
    voila = [str(Path(sys.executable).parent / "voila"), "workshop/app.ipynb", f"--port={port}", "--no-browser",
             "--Voila.ip=127.0.0.1"]
    with _server(voila, f"http://127.0.0.1:{port}/", tmp_path / "voila.log",
                 env={"SMARKETING_COMPANY": "ferro", "JUPYTER_RUNTIME_DIR": str(tmp_path)}):
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
        page.locator("text=Expected each month").first.wait_for(timeout=180_000)
        yield page


def test_voila_app_renders_and_the_funnel_slider_changes_revenue(browser, tmp_path, free_port):
    with _voila_app(browser, tmp_path, free_port) as page:
        summary = page.locator("text=Expected each month").first
        before = _revenue(summary.inner_text())
        page.screenshot(path=str(ARTIFACTS / "voila-before.png"), full_page=True)
        handle = page.get_by_role("slider", name="leads a month")
        handle.focus()
        for _step in range(10):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => !document.body.innerText.includes({summary.inner_text()!r})",
                               timeout=30_000)
        after = _revenue(page.locator("text=Expected each month").first.inner_text())
        page.screenshot(path=str(ARTIFACTS / "voila-after.png"), full_page=True)
        assert after > before  # more leads a month, more revenue
        assert page.locator(".p-TabBar-tab, .lm-TabBar-tab, .widget-tab").count() >= 3  # three simulators


def test_jupyterlab_opens_runs_a_course_notebook_and_shows_a_widget(browser, tmp_path, free_port):
    with _lab_running_all(browser, ROOT / "course" / "00_start_here.ipynb", tmp_path, free_port) as page:
        # The slider appears once the kernel has built the app. JupyterLab skips the layout of cells out of
        # view (content-visibility), and Run All leaves the view at the last cell: wait for the slider to be
        # in the page, then bring it into view.
        try:
            page.locator(".smarketing-slider").first.wait_for(state="attached", timeout=180_000)
            page.locator(".smarketing-slider").first.scroll_into_view_if_needed()
            page.locator(".smarketing-slider").first.wait_for(state="visible", timeout=30_000)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-00-failed.png"), full_page=True)  # what the page showed
            prompts = page.locator(".jp-InputPrompt").all_inner_texts()
            outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
            raise AssertionError(f"no slider; prompts {prompts}; outputs {[o[:200] for o in outputs]}") from None
        page.wait_for_function("() => [...document.querySelectorAll('.jp-InputPrompt')]"
                               ".some(p => /\\[\\d+\\]/.test(p.textContent))", timeout=60_000)
        page.locator(".smarketing-slider").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "jupyterlab-00.png"))
        assert page.locator(".smarketing-slider").count() >= 5  # the funnel simulator's sliders


def test_jupyterlab_runs_the_chinese_edition_in_chinese(browser, tmp_path, free_port):
    """`make lab LANG=zh_CN`: the Chinese module 00 opens, runs in a kernel that speaks Chinese, and shows its
    chart with a Chinese title and axes (drawn in the Noto CJK font where the browser has it)."""
    with _lab_running_all(browser, ROOT / "zh_CN" / "course" / "00_start_here.ipynb", tmp_path, free_port,
                          env={"SMARKETING_LANG": "zh_CN"}) as page:  # what `make lab LANG=zh_CN` sets
        chart = page.locator(".vega-embed").first
        try:
            chart.wait_for(state="attached", timeout=180_000)
            chart.scroll_into_view_if_needed()
            chart.wait_for(state="visible", timeout=30_000)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-zh-failed.png"), full_page=True)
            outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
            raise AssertionError(f"no Chinese chart; outputs {[o[:200] for o in outputs]}") from None
        page.wait_for_timeout(1000)  # the chart's fonts settle
        page.screenshot(path=str(ARTIFACTS / "jupyterlab-zh-chart.png"))
        headings = page.locator(".jp-MarkdownOutput h2").all_inner_texts()
        assert sum(bool(re.search(r"[\u4e00-\u9fff]", h)) for h in headings) >= 5, headings
        outputs = page.evaluate("""() => {
            const cells = window.jupyterapp.shell.currentWidget.content.model.cells, found = [];
            for (let i = 0; i < cells.length; i++) found.push(JSON.stringify(cells.get(i).toJSON().outputs || []));
            return found.join("\\n");
        }""")
        specs = [json.loads(o)["data"]["application/vnd.vegalite.v5+json"] for o in _outputs_with_charts(outputs)]
        titles = [str(spec.get("title", "")) for spec in specs]
        assert titles and all(re.search(r"[\u4e00-\u9fff]", t) for t in titles), titles[:5]
        assert all(spec["config"]["font"] == "Noto Sans CJK SC" for spec in specs)


def _outputs_with_charts(outputs: str) -> list[str]:
    """The outputs (JSON, one cell's list per line) that hold a Vega-Lite chart."""
    return [json.dumps(o) for line in outputs.splitlines() for o in json.loads(line)
            if "application/vnd.vegalite.v5+json" in o.get("data", {})]


# ---- accessibility: axe-core over every tab of the app, and a keyboard walk through its controls ----------------

_FOCUSED = """() => {
    const el = document.activeElement;
    const controls = el.closest('.widget-vbox');
    const app = controls?.parentElement;
    const readout = el.parentElement?.querySelector('.smarketing-readout');
    return {tag: el.tagName, type: el.type || '', role: el.getAttribute('role') || '',
            label: el.labels?.[0]?.textContent ?? '',
            legend: el.closest('fieldset')?.querySelector('legend')?.textContent ?? '',
            optionLabel: el.closest('label')?.textContent ?? '',
            valuetext: el.getAttribute('aria-valuetext') ?? '', readout: readout?.textContent ?? '',
            checked: el.checked ?? null, value: el.value ?? '',
            output: app ? [...app.children].slice(2).map(c => c.textContent).join('|') : ''};
}"""


def _accessible(page, role: str) -> list[dict]:
    """What Chromium's accessibility tree holds for the nodes of ``role``: name, value and description, as a screen
    reader is told them."""
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    found = []
    for node in nodes:
        if node.get("ignored") or node.get("role", {}).get("value") != role:
            continue
        announced = {key: node.get(key, {}).get("value", "") for key in ("role", "name", "value", "description")}
        announced |= {p["name"]: p["value"].get("value") for p in node.get("properties", [])
                      if p["name"] in ("valuetext", "roledescription")}
        found.append(announced)
    session.detach()
    return found


def _walk_controls(page, key: str, want: int) -> list[dict]:
    """Tab from the selected tab through the app's controls; at each slider or radio group press ``key`` and check
    what it announces and that the app's output changes. Returns what each control announced."""
    visited: list[dict] = []
    for _press in range(60):
        page.keyboard.press("Tab")
        before = page.evaluate(_FOCUSED)
        if before["type"] not in ("range", "radio"):
            if visited and before["tag"] != "SELECT":
                break  # past the controls
            continue
        if before["type"] == "range":
            # The name is the visible label; the value is announced as the readout shows it.
            assert before["label"].strip() and before["valuetext"] == before["readout"], before
        else:
            assert before["legend"].strip() and before["checked"], before  # the focused radio is the selected one
        page.keyboard.press(key)
        page.wait_for_function(f"() => ({_FOCUSED})().output !== {json.dumps(before['output'])}", timeout=30_000)
        after = page.evaluate(_FOCUSED)
        if after["type"] == "range":
            assert after["valuetext"] == after["readout"] != before["readout"], (before, after)
        else:
            assert after["checked"] and after["value"] != before["value"], (before, after)
        visited.append({"name": before["label"] or before["legend"], "before": before["valuetext"] or
                        before["optionLabel"], "after": after["valuetext"] or after["optionLabel"]})
    assert len(visited) == want, visited
    return visited


def test_voila_app_passes_axe_on_every_tab_and_its_controls_speak_and_answer_the_keyboard(browser, tmp_path,
                                                                                          free_port):
    from tests import axe

    with _voila_app(browser, tmp_path, free_port) as page:
        tabs = page.get_by_role("tab")
        names = tabs.all_inner_texts()
        assert len(names) == 3, names
        failures = {}
        for number, name in enumerate(names):
            tabs.nth(number).click()
            page.get_by_role("heading", name=name, level=2).wait_for(timeout=30_000)  # the app's title, under h1
            page.wait_for_timeout(500)  # its chart drawn
            found = axe.findings(page)
            if found:
                failures[name] = axe.described(found)
        assert not failures, "\n\n".join(f"{tab}:\n{text}" for tab, text in failures.items())

        tabs.nth(0).click()
        tabs.nth(0).focus()
        funnel = _walk_controls(page, "ArrowRight", want=8)
        sliders = _accessible(page, "slider")
        charts = [n for n in _accessible(page, "graphics-document") + _accessible(page, "image") if n["name"]]
        page.get_by_role("slider", name="leads a month").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "voila-keyboard.png"), full_page=True)
        tabs.nth(1).click()
        tabs.nth(1).focus()
        sla = _walk_controls(page, "ArrowLeft", want=9)
        tabs.nth(2).click()
        tabs.nth(2).focus()
        kpi = _walk_controls(page, "ArrowRight", want=1)  # its choice of function (its three lists are selects)
        (ARTIFACTS / "voila-accessibility.json").write_text(json.dumps(
            {"sliders": sliders, "charts": charts, "walked": {"funnel": funnel, "sla": sla, "kpi": kpi}},
            ensure_ascii=False, indent=2), encoding="utf-8")
        # What a screen reader is told: the slider's visible label and its value as shown; the chart's description.
        share = next(s for s in sliders if s["name"] == "Lead → MQL")
        assert re.fullmatch(r"\d+%", share["valuetext"]), share  # "53%", never 0.5299999713897705
        assert any(re.search(r"\d", c["name"] + c["description"]) and "Lead" in c["name"] + c["description"]
                   for c in charts), charts
