"""The sandbox a learner's kernel runs in: it sees the Python environment and the data read-only, its own
scratch folder, and nothing of the course; it has no network; every process it starts dies with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smarketing.grading import sandbox
from tests.conftest import DATASETS, ROOT

pytestmark = pytest.mark.sandbox

PROBE = r"""
import os, socket, subprocess, sys
print("course", os.path.exists(sys.argv[1] + "/solutions"), os.path.exists(sys.argv[1] + "/nbgrader_config.py"))
print("data", os.path.exists(sys.argv[2] + "/ferro/leads.csv"))
try:
    open(sys.argv[2] + "/ferro/leads.csv", "a")
    print("data writable")
except OSError:
    print("data read-only")
try:
    socket.create_connection(("1.1.1.1", 80), timeout=2)
    print("network")
except OSError:
    print("no network")
print("user", os.getuid())
subprocess.Popen(["sleep", "300", "smarketing-sandbox-probe"], start_new_session=True)
"""


def test_a_sandboxed_process_sees_no_course_and_no_network_and_leaves_nothing(tmp_path):
    box = sandbox.Sandbox(data=DATASETS)
    try:
        done = subprocess.run(box.wrap([sys.executable, "-c", PROBE, str(ROOT), str(DATASETS)]),
                              capture_output=True, text=True, timeout=120)
    finally:
        box.close()
    assert done.stdout.splitlines() == ["course False False", "data True", "data read-only", "no network",
                                        "user 65534"], done.stderr
    left = subprocess.run(["pgrep", "-f", "smarketing-sandbox-probe"], capture_output=True, text=True).stdout
    assert left == ""
    assert not box.scratch.exists()


def test_the_command_names_its_limits():
    box = sandbox.Sandbox(data=DATASETS, memory_bytes=123_456_789, processes=42)
    try:
        command = box.wrap(["python"])
    finally:
        box.close()
    assert "--as=123456789" in command and "--unshare-all" in command and "--die-with-parent" in command
    assert command[-1] == "python" and str(Path(box.scratch)) in command
    assert (box.cgroup is not None) or "--nproc=42" in command
