"""Run the course notebooks: top to bottom in a fresh kernel, outputs and widget state stored.

Used to store the course notebooks executed (``make notebooks``), by the benchmarks, and by the
workshop runner, so that all three execute a notebook the same way.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNEL = "python3"
KERNELSPEC = {"name": KERNEL, "display_name": "Python 3 (ipykernel)", "language": "python"}
CELL_TIMEOUT = 120  # seconds; a course cell takes well under one


def execute(path: str | os.PathLike[str], output: str | os.PathLike[str] | None = None,
            cwd: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None,
            timeout: int = CELL_TIMEOUT) -> tuple[nbformat.NotebookNode, float]:
    """Execute a notebook in a fresh kernel and write it to ``output`` (default: in place).

    Returns the executed notebook and the wall time in seconds, kernel start included. Cell timings
    are not recorded, so that re-running an unchanged notebook rewrites the same bytes. ``env`` adds
    environment variables for the kernel (for example ``SMARKETING_DATA``).
    """
    source = Path(path)
    notebook = nbformat.read(source, as_version=4)
    notebook.metadata["kernelspec"] = KERNELSPEC  # opens with the right kernel in JupyterLab
    notebook.metadata.pop("jupytext", None)  # authoring metadata, not the learner's business
    started = time.perf_counter()
    client = NotebookClient(notebook, timeout=timeout, kernel_name=KERNEL, record_timing=False,
                            resources={"metadata": {"path": str(cwd or source.parent)}})
    client.execute(**({"env": {**os.environ, **env}} if env else {}))
    elapsed = time.perf_counter() - started
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, Path(output) if output else source)
    return notebook, elapsed


if __name__ == "__main__":  # python -m smarketing.notebooks course/*.ipynb
    import sys

    for name in sys.argv[1:]:
        print(f"{name}: executed in {execute(name)[1]:.1f} s")
