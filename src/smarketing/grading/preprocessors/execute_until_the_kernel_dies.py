"""nbgrader's Execute, except that a kernel that dies ends the run at that cell instead of failing the
whole notebook."""

from __future__ import annotations

import nbformat
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute
from traitlets import Unicode

from smarketing.messages import _

KERNEL_DIED, NOT_RUN = "DeadKernelError", "NotRunKernelDied"  # the error names this step records
STOPPED = "CellTimeoutError"  # as nbgrader names a cell that ran out of time


def error_output(name: str, value: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("error", ename=name, evalue=value, traceback=[f"{name}: {value}"])


class ExecuteUntilTheKernelDies(Execute):
    """A kernel that dies (``os._exit``, a crash, no memory left), or a cell that ignores the interrupt after its
    timeout (its kernel is then stopped), costs the cells from there on, not the whole notebook: the cells
    before keep their outputs and points, that cell and every later code cell get an error output, so that
    they earn none. nbgrader's own Execute fails the notebook, which then earns nothing at all."""

    died_message = Unicode(
        _("the kernel died while running this cell."),
        help="The error message written into the cell during which the kernel died.",
    ).tag(config=True)

    stopped_message = Unicode(
        _("this cell ran past its time limit and did not stop when interrupted, so the kernel was stopped."),
        help="The error message written into a cell that ignored the interrupt after its timeout.",
    ).tag(config=True)

    not_run_message = Unicode(
        _("not run: the kernel died in an earlier cell."),
        help="The error message written into every code cell after the one where the kernel died.",
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self.died = False
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if self.died:
            if cell.cell_type == "code":
                cell.outputs = [error_output(NOT_RUN, self.not_run_message)]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self.died = True
            cell.outputs = [*cell.get("outputs", []), error_output(KERNEL_DIED, self.died_message)]
            return cell, resources
        except CellTimeoutError:  # interrupted after its timeout, and still running: stop the kernel itself
            run_sync(self.km.shutdown_kernel)(now=True)
            self.died = True
            cell.outputs = [*cell.get("outputs", []), error_output(STOPPED, self.stopped_message)]
            return cell, resources
