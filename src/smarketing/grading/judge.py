"""The judge: a task's hidden tests run in the grader's own process, on the learner's answers read from their
kernel as data.

A check cell's hidden tests never enter the learner's kernel. When the run reaches the check cell, the judge
reads from the kernel the names those tests use (each answer as data, :mod:`smarketing.grading.codec`),
binds a learner's function to a :class:`RemoteFunction` that calls it in the kernel on inputs the judge
sends, and runs the tests here, where every expected value is computed from the library. The kernel can
hand over any answer it likes; it can never hand over a verdict.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from smarketing.grading import codec
from smarketing.messages import _

CODEC = "__import__('smarketing.grading.codec', fromlist=['codec'])"


class KernelSilent(Exception):
    """The kernel did not answer the judge in time, or died."""


@dataclass(frozen=True)
class Verdict:
    passed: bool
    ename: str = ""
    evalue: str = ""


def free_names(block: str) -> list[str]:
    """The names a block of hidden tests reads without defining them (the learner's answers), in order."""
    tree = ast.parse(block)
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            bound.add(node.name)
    loaded: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in bound \
                and node.id not in vars(builtins) and node.id not in loaded:
            loaded.append(node.id)
    return loaded


class Kernel:
    """The learner's kernel as the judge sees it: an expression evaluated there, its text value brought back.
    ``evaluate`` is given by the executing preprocessor (it owns the kernel client)."""

    def __init__(self, evaluate: Callable[[str], str | None]) -> None:
        self._evaluate = evaluate

    def text(self, expression: str) -> str:
        shown = self._evaluate(expression)
        if shown is None:
            raise KernelSilent(_("the kernel did not answer in time"))
        try:
            value = ast.literal_eval(shown)  # the repr of a str: data, never code
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = None
        if not isinstance(value, str):
            raise ValueError("the kernel's answer is not text")
        return value

    def answers(self, names: list[str]) -> dict[str, Any]:
        """The values of ``names`` in the learner's namespace; a name the learner has not defined is left out."""
        text = self.text(f"{CODEC}.export_names({names!r}, get_ipython().user_ns)")
        trees = json.loads(text)
        values = {}
        for name in names:
            tree = trees.get(name) if isinstance(trees, dict) else None
            if not isinstance(tree, dict) or tree.get("missing") is True:
                continue
            try:
                values[name] = _library_function(tree) or codec.decode(
                    tree, function=lambda called: RemoteFunction(self, called))
            except ValueError:
                values[name] = codec._opaque("unreadable")  # noqa: SLF001 - the codec's own stand-in
        return values


def _library_function(tree: dict) -> Any:
    """The library's own function when the learner's answer is one (``net_promoter_score =
    kpis.net_promoter_score``), so that a hidden test's ``is not`` still tells a copy from a formula of one's
    own. The kernel may claim anything here; a false claim only swaps the learner's function for the library's,
    which such a test then rejects."""
    module, qualname = tree.get("module"), tree.get("qualname")
    if "function" not in tree or not isinstance(module, str) or not isinstance(qualname, str):
        return None
    if not module.startswith("smarketing.") or not all(part.isidentifier() for part in qualname.split(".")):
        return None
    import importlib

    try:
        found: Any = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError):
        return None
    return found if callable(found) else None


class RemoteFunction:
    """A learner's function, called in their kernel: the arguments go there as data, the result (or the
    exception it raised, by name and message) comes back as data."""

    def __init__(self, kernel: Kernel, name: str) -> None:
        self.kernel, self.__name__ = kernel, name

    def __call__(self, *args: Any) -> Any:
        arguments = codec.dumps(tuple(args))
        reply = json.loads(self.kernel.text(f"{CODEC}.call({self.__name__!r}, {arguments!r}, get_ipython().user_ns)"))
        if isinstance(reply, dict) and "result" in reply:
            return codec.decode(reply["result"], function=lambda called: RemoteFunction(self.kernel, called))
        name, message = reply.get("raised", ["Exception", "?"]) if isinstance(reply, dict) else ["Exception", "?"]
        raise codec.remote_error(str(name), str(message))

    def __repr__(self) -> str:
        return f"<function {self.__name__}>"


def judge(block: str, kernel: Kernel, label: str) -> Verdict:
    """Run one block of hidden tests on the learner's answers. A test that fails, raises, or needs an answer the
    learner has not defined costs the task; the verdict's message is the test's own (never its code)."""
    try:
        names = free_names(block)
    except SyntaxError as error:  # the instructor's source, not the learner's: say so plainly
        return Verdict(False, "SyntaxError", _("the hidden tests of {label} do not parse: {detail}", label=label,
                                                 detail=error.msg))
    try:
        namespace: dict[str, Any] = {"__builtins__": builtins, "__name__": "__hidden_tests__",
                                     **kernel.answers(names)}
    except KernelSilent as error:
        return Verdict(False, "KernelSilent", str(error))
    except (ValueError, TypeError) as error:
        return Verdict(False, "UnreadableAnswer", _("the answers could not be read from the kernel ({detail}).",
                                                      detail=str(error)[:120]))
    missing = [name for name in names if name not in namespace]
    if missing:
        return Verdict(False, "NotAttempted", _("{label}: not attempted yet ({names} not defined).", label=label,
                                                 names=", ".join(f"`{name}`" for name in missing)))
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(block, f"<hidden tests of {label}>", "exec"), namespace)  # noqa: S102 - the instructor's tests
    except KernelSilent as error:
        return Verdict(False, "KernelSilent", str(error))
    except Exception as error:  # noqa: BLE001 - any failure of a test costs the task, with its message
        return Verdict(False, type(error).__name__, str(error)[:500])
    return Verdict(True)
