"""Execute a submission in a sandboxed kernel, and judge its check cells outside it."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import nbformat
from nbclient.exceptions import DeadKernelError
from traitlets import Bool, Integer, Unicode

from smarketing.grading import judge, kernel_pool, sandbox
from smarketing.grading.preprocessors.execute_until_the_kernel_dies import (
    KERNEL_DIED,
    NOT_RUN,
    ExecuteUntilTheKernelDies,
    error_output,
)
from smarketing.grading.tamper import tampering
from smarketing.messages import _

BEGIN, END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"  # nbgrader's delimiters
TAMPERED = "TamperingFlagged"
CHECK = re.compile(r"(q\d+)[a-z]?-check")


def split_hidden(source: str) -> tuple[str, list[str]]:
    """A check cell's source without its hidden tests, and the hidden blocks."""
    visible: list[str] = []
    blocks: list[list[str]] = []
    inside = False
    for line in source.splitlines():
        if BEGIN in line:
            inside = True
            blocks.append([])
        elif END in line and inside:
            inside = False
        else:
            (blocks[-1] if inside else visible).append(line)
    return "\n".join(visible).rstrip("\n"), [textwrap.dedent("\n".join(block)) for block in blocks]


def _grade_id(cell: nbformat.NotebookNode) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


def touched_checks(found: dict[str, list[str]], checks: list[str]) -> set[str]:
    """The check cells whose points flagged code touches: an answer cell's own task (``q3-answer`` →
    ``q3-check``, ``q3a-check``…) and every task the code names; code in any other cell may patch anything,
    so it touches every check."""
    touched = set()
    for where, lines in found.items():
        answer = re.fullmatch(r"(q\d+)[a-z]?-answer", where)
        named = set(re.findall(r"\b(q\d+)[a-z]?\b", " ".join(lines)))
        tasks = named | ({answer.group(1)} if answer else set())
        if not answer and not named:
            return set(checks)
        touched |= {c for c in checks if (m := CHECK.fullmatch(c)) and m.group(1) in tasks}
    return touched


class JudgedExecute(ExecuteUntilTheKernelDies):
    """Run a submission as nbgrader's Execute does, with two differences that make its points its own.

    The kernel runs in a :mod:`sandbox <smarketing.grading.sandbox>`: it cannot reach the course, the
    gradebook, the hidden tests or any other submission. And a check cell's hidden tests never enter it:
    the kernel runs the cell's visible part, then :mod:`the judge <smarketing.grading.judge>` runs the
    hidden tests in the grader's process on the learner's answers read from the kernel as data, and the
    cell's outputs become the judge's verdict alone (nbgrader then scores the cell from them). What the
    kernel printed, published or raised in a check cell cannot earn a point, and a task whose cells the
    tampering scan flags earns none until a person reviews it.
    """

    sandboxed = Bool(True, help="Run each kernel in a bubblewrap sandbox (refuse to grade where there is none)."
                     ).tag(config=True)
    memory_limit = Integer(4 * 1024**3, help="Bytes of address space a sandboxed kernel may use.").tag(config=True)
    process_limit = Integer(256, help="Processes a sandboxed kernel may run at once.").tag(config=True)
    data_directory = Unicode("", help="The datasets a sandboxed kernel reads, read-only (default: the library's "
                                      "datasets folder).").tag(config=True)
    warm_up = Unicode("", help="Code each fresh kernel runs, silently, before the learner's notebook: the course's own "
                               "imports (from the assignment's source), so that a kernel started ahead has them "
                               "loaded. Never learner code.").tag(config=True)
    start_ahead = Bool(True, help="Start each sandboxed kernel while the previous notebook runs (a kernel is never "
                                  "reused: each notebook gets a fresh one).").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._assignment = (resources or {}).get("nbgrader", {}).get("assignment", "")
        self._hidden: dict[int, tuple[str, list[str]]] = {}
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade") and BEGIN in cell.source:
                visible, blocks = split_hidden(cell.source)
                self._hidden[index] = (cell.source, blocks)
                cell.source = visible
        checks = [_grade_id(nb.cells[i]) for i in self._hidden]
        self._zeroed = touched_checks(tampering(nb, nb, nb), checks)
        started = None
        if self.sandboxed:
            sandbox.require()
            from smarketing.datasets import datasets_dir

            settings = kernel_pool.Settings(
                data=Path(self.data_directory) if self.data_directory else datasets_dir(),
                memory_bytes=self.memory_limit, processes=self.process_limit,
                kernel_name=self.kernel_name or nb.metadata.get("kernelspec", {}).get("name") or "python3",
                warm_up=self.warm_up, extra_arguments=(f"--HistoryManager.hist_file={self.ipython_hist_file}",))
            started = kernel_pool.POOL.take(settings, self.config) if self.start_ahead else \
                kernel_pool.start_with_retry(settings, self.config)
            km = started.manager
        try:
            return super().preprocess(nb, resources, km)
        finally:
            for index, (source, _blocks) in self._hidden.items():
                nb.cells[index].source = source  # the autograded notebook keeps the source, as nbgrader wrote it
            if started is not None:
                started.stop()  # this learner's kernel and sandbox, now: never left running beside the next one

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        if index not in self._hidden:
            return cell, resources
        label = _grade_id(cell).removesuffix("-check")
        if any(o.get("ename") in (KERNEL_DIED, NOT_RUN) for o in cell.get("outputs", [])):
            return cell, resources  # the kernel is gone: nothing to judge, and the cell earns nothing
        if _grade_id(cell) in self._zeroed:
            cell.outputs = [error_output(TAMPERED, _("{label}: code in this notebook changes the checking machinery; "
                                                     "this task earns no points until your instructor reviews it.",
                                                     label=label))]
            return cell, resources
        kernel = judge.Kernel(self._evaluate)
        verdict = judge.Verdict(True)
        try:
            for block in self._hidden[index][1]:
                verdict = judge.judge(block, kernel, label)
                if not verdict.passed:
                    verdict = judge.Verdict(False, verdict.ename, self._teaching(label, kernel) or verdict.evalue)
                    break
        except DeadKernelError:
            self.died = True
            verdict = judge.Verdict(False, KERNEL_DIED, self.died_message)
        if verdict.passed:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                   text=_("✔ {label}: correct, judged by the grader.\n", label=label))]
        else:
            cell.outputs = [error_output(verdict.ename, verdict.evalue)]
        return cell, resources

    def _teaching(self, label: str, kernel: judge.Kernel) -> str | None:
        """What the task's own check says of the answer, targeted mistakes included, computed here from the
        library (the feedback a learner reads); None when it has nothing to add to the hidden test's message."""
        from smarketing.exercises import find_task

        try:
            task = find_task(self._assignment, label)
            values = kernel.answers([task.variable, *task.given])
        except (ValueError, judge.KernelSilent):
            return None
        status, message = task.judge(values.get(task.variable), {name: values.get(name) for name in task.given})
        return message if status == "incorrect" else None

    def _evaluate(self, expression: str) -> str | None:
        """``expression`` evaluated in the learner's namespace, as its text representation (None: no reply)."""
        msg_id = self.kc.execute("", silent=True, store_history=False, user_expressions={"value": expression})
        reply = self.wait_for_reply(msg_id)
        if reply is None:
            return None
        result = reply["content"].get("user_expressions", {}).get("value", {})
        if result.get("status") != "ok":
            raise ValueError(f"{result.get('ename')}: {result.get('evalue')}")
        return result.get("data", {}).get("text/plain")
