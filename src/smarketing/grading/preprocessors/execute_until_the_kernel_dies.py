"""nbgrader's Execute, except that a kernel that dies ends the run at that cell instead of failing the
whole notebook."""

from __future__ import annotations

import nbformat
from nbclient.exceptions import DeadKernelError
from nbgrader.preprocessors import Execute
from traitlets import Unicode

from smarketing.messages import _

KERNEL_DIED, NOT_RUN = "DeadKernelError", "NotRunKernelDied"  # the error names this step records


def error_output(name: str, value: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("error", ename=name, evalue=value, traceback=[f"{name}: {value}"])


class ExecuteUntilTheKernelDies(Execute):
    """A kernel that dies (``os._exit``, a crash, no memory left) costs the cells from there on, not the whole
    notebook: the cells before it keep their outputs and points, the dying cell and every later code cell
    get an error output, so that they earn none. nbgrader's own Execute fails the notebook, which then
    earns nothing at all."""

    died_message = Unicode(
        _("the kernel died while running this cell."),
        help="The error message written into the cell during which the kernel died.",
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
