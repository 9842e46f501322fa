"""Binder: repo2docker reads binder/ (the runtime environment, then postBuild) and would build an image from it.
`--no-build` writes the Dockerfile it would use without Docker, which is what can be checked here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def _repo2docker() -> str:
    found = Path(sys.executable).with_name("jupyter-repo2docker")
    return str(found) if found.exists() else shutil.which("jupyter-repo2docker") or "jupyter-repo2docker"


def test_repo2docker_builds_from_binders_environment_and_post_build():
    result = subprocess.run([_repo2docker(), "--no-build", "--debug", str(ROOT)], capture_output=True, text=True,
                            timeout=300)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "Building conda environment for python=3.11" in log, log[:2000]
    assert '--file "binder/environment.yml"' in log, "repo2docker must install binder/environment.yml"
    assert "RUN ./binder/postBuild" in log
    # binder/ wins over the root's environment.yml (the whole lock, with the test tools) and any requirements.
    assert '--file "environment.yml"' not in log and "requirements.txt" not in log
