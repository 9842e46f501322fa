"""`make lab` serves JupyterLab: started headless, the server answers on its port with the course."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.parse
import urllib.request

from tests.conftest import ROOT


def test_make_lab_serves_jupyterlab_on_its_port(tmp_path, free_port):
    port, token = free_port, "smarketing-test"
    lab_args = f"--no-browser --ServerApp.ip=127.0.0.1 --IdentityProvider.token={token}"
    log = (tmp_path / "lab.log").open("w")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    server = subprocess.Popen(["make", "-s", "lab", f"PORT={port}", f"LAB_ARGS={lab_args}"], cwd=ROOT,
                              stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline, last_error = time.monotonic() + 120, None
        while time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "lab.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=5) as r:
                    listing = json.load(r)
                break
            except OSError as error:
                last_error = error
                time.sleep(1)
        else:
            raise AssertionError(f"JupyterLab did not answer on port {port}: {last_error}")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=10) as page:
            assert page.status == 200 and b"JupyterLab" in page.read()
        # The learner sees the course and the exercises, and the lab opens on module 00.
        names = {item["name"] for item in listing["content"]}
        assert {"course", "exercises", "datasets"} <= names
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token={token}", timeout=10) as first:
            assert urllib.parse.urlparse(first.url).path == "/lab/tree/course/00_start_here.ipynb"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def test_make_lab_lang_zh_cn_opens_the_chinese_edition_in_chinese():
    """`make lab LANG=zh_CN` chooses the language once: the Chinese module 00 opens, the kernels inherit
    SMARKETING_LANG, and the programs keep a working UTF-8 locale (LANG=zh_CN names no locale)."""
    dry = subprocess.run(["make", "-n", "lab", "LANG=zh_CN"], cwd=ROOT, capture_output=True, text=True, check=True)
    command = [line for line in dry.stdout.splitlines() if "jupyter lab" in line or "default_url" in line]
    joined = " ".join(command)
    assert "SMARKETING_LANG=zh_CN" in joined and "/lab/tree/zh_CN/course/00_start_here.ipynb" in joined, dry.stdout
    assert (ROOT / "zh_CN" / "course" / "00_start_here.ipynb").is_file()
    env = subprocess.run(["make", "-s", "--eval", "show-lang:\n\t@echo $$LANG", "show-lang", "LANG=zh_CN"], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    assert env.stdout.strip() == "C.UTF-8"
    english = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "SMARKETING_LANG=en" in english and "/lab/tree/course/00_start_here.ipynb" in english
