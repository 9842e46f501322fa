"""The tampering scan: learner code that rebinds or patches the checking machinery.

Every learner cell of a submission is parsed (IPython's magics turned into calls first) and walked for
what could change how the checks judge: rebinding a task, ``expect`` or a name the hidden tests rely on,
patching an attribute of the checking machinery or of an imported module, and the tools for doing so
indirectly (setattr, exec, the interpreter's namespaces, mock). What it finds is flagged for a person to
review; it never changes a score by itself.
"""

from __future__ import annotations

import ast
import builtins
import re

import nbformat

from smarketing.messages import _

CHECKING_NAMES = frozenset({"Task", "Mistake", "expect", "tasks", "recheck", "NotYetCorrect", "NotAttempted"})
CHECKING_ATTRIBUTES = frozenset({"check", "verdict", "judge", "verify", "looks_like", "recheck", "expect", "tasks",
                                 "namespace", "mistakes"})
TASK_NAME = re.compile(r"q\d+[a-z]?")
INTERPRETER_ATTRIBUTES = frozenset({"user_ns", "user_global_ns", "ast_transformers", "input_transformers_post",
                                    "input_transformers_cleanup", "set_custom_exc", "f_globals", "f_locals", "f_back",
                                    "__dict__", "__builtins__", "__globals__", "__code__", "__defaults__",
                                    "__kwdefaults__"})
PATCHING_CALLS = frozenset({"setattr", "delattr", "exec", "eval", "compile", "__import__"})
MUTATING_METHODS = frozenset({"update", "clear", "pop", "popitem", "setdefault", "__setitem__", "__setattr__"})
PATCHING_MODULES = ("builtins", "ctypes", "gc", "importlib", "unittest.mock", "mock")
ALLOWED_SETTINGS = frozenset({"options", "rcParams"})  # pd.options.display… and plt.rcParams[…] are display settings


def _attribute_chain(node: ast.AST) -> tuple[str | None, list[str]]:
    """The root name and the attribute path of ``a.b.c`` (root None when it starts with a call or the like)."""
    path = []
    while isinstance(node, ast.Attribute):
        path.insert(0, node.attr)
        node = node.value
    return (node.id if isinstance(node, ast.Name) else None), path


class _TamperScan(ast.NodeVisitor):
    """Finds, in one cell, what could change how the checks judge: rebinding a task, ``expect`` or a name the
    hidden tests rely on, patching an attribute of the checking machinery or of an imported module, and the
    tools for doing so indirectly (setattr, exec, the interpreter's namespaces, mock)."""

    def __init__(self, libraries: set[str], builtins_used: set[str]) -> None:
        self.libraries, self.builtins_used, self.found = libraries, builtins_used, []

    def _flag(self, node: ast.AST, what: str) -> None:
        self.found.append(_("{code} (line {line})", code=what[:60], line=getattr(node, "lineno", "?")))

    def _guarded(self, name: str) -> bool:
        return (name in CHECKING_NAMES or name in self.builtins_used or bool(TASK_NAME.fullmatch(name))
                or name in ("builtins", "__builtins__"))

    def _namespace(self, node: ast.AST) -> bool:
        """globals(), vars(…), locals(), sys.modules, anything.__dict__: a way to rebind names indirectly."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return node.func.id in ("globals", "vars", "locals")
        root, path = _attribute_chain(node)
        return bool(path) and (path[-1] in ("__dict__", "user_ns") or (root == "sys" and path[-1] == "modules"))

    def _target(self, target: ast.AST, node: ast.AST) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._target(element, node)
        elif isinstance(target, ast.Starred):
            self._target(target.value, node)
        elif isinstance(target, ast.Name) and self._guarded(target.id):
            self._flag(node, f"{target.id} = …")
        elif isinstance(target, ast.Attribute):
            root, path = _attribute_chain(target)
            if (target.attr in CHECKING_ATTRIBUTES or (root is not None and self._guarded(root))
                    or (root in self.libraries and not ALLOWED_SETTINGS & set(path[:-1]))):
                self._flag(node, ast.unparse(target) + " = …")
        elif isinstance(target, ast.Subscript) and (self._namespace(target.value) or self._library(target.value)):
            self._flag(node, ast.unparse(target) + " = …")

    def _library(self, node: ast.AST) -> bool:
        """Whether ``node`` is an object of an imported library (exercises.ASSIGNMENTS), not a display setting."""
        root, path = _attribute_chain(node)
        return root in self.libraries and not ALLOWED_SETTINGS & set(path)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target, node)
        self.generic_visit(node)

    visit_AnnAssign = visit_AugAssign
    visit_Delete = visit_Assign  # del x: its targets, as an assignment's

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._target(node.target, node)
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self._target(node.target, node)
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._target(item.optional_vars, node)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        if self._guarded(node.name):
            self._flag(node, f"def {node.name}")
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name in PATCHING_MODULES or alias.name.split(".")[0] in ("builtins", "ctypes"):
                self._flag(node, f"import {alias.name}")
            if alias.asname and self._guarded(alias.asname):
                self._flag(node, f"import … as {alias.asname}")
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            bound = alias.asname or alias.name
            if module in PATCHING_MODULES or f"{module}.{alias.name}" in PATCHING_MODULES:
                self._flag(node, f"from {module} import {alias.name}")
            elif self._guarded(bound) and (not module.startswith("smarketing") or bound != alias.name):
                self._flag(node, f"from {module} import {alias.name} as {bound}")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        method = node.func.attr if isinstance(node.func, ast.Attribute) else None
        if (isinstance(node.func, ast.Name) and node.func.id in PATCHING_CALLS) or (
                method in MUTATING_METHODS and (self._namespace(node.func.value) or self._library(node.func.value))):
            self._flag(node, ast.unparse(node))
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        root, path = _attribute_chain(node)
        if node.attr in INTERPRETER_ATTRIBUTES or (root == "sys" and path == ["modules"]) or (
                node.attr == "events" and isinstance(node.value, ast.Call)):
            self._flag(node, ast.unparse(node))
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == "__builtins__":
            self._flag(node, node.id)


def _python(source: str) -> ast.Module | None:
    """A cell's code as Python (IPython's %magics and !commands turned into calls), or None if it does not parse."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def _imported_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def _hidden_builtins(source: nbformat.NotebookNode) -> set[str]:
    """The builtins (all, float, len…) that the hidden tests call: rebinding one could make them pass."""
    used = set()
    for cell in source.cells:
        for block in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", cell.source, re.DOTALL):
            tree = _python(block)
            if tree is not None:
                used |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in vars(builtins)}
    return used


def tampering(handed_in: nbformat.NotebookNode, release: nbformat.NotebookNode,
              source: nbformat.NotebookNode) -> dict[str, list[str]]:
    """Per learner cell (its grade id, or its cell id), the code that could tamper with the checks. Locked
    cells are left out: nbgrader restores them before running anything."""
    library = set()
    for cell in release.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("locked"):
            tree = _python(cell.source)
            library |= _imported_names(tree) if tree is not None else set()
    learner = [(i, c) for i, c in enumerate(handed_in.cells)
               if c.cell_type == "code" and not c.metadata.get("nbgrader", {}).get("locked")]
    trees = [(i, c, _python(c.source)) for i, c in learner]
    for _index, _cell, tree in trees:
        library |= _imported_names(tree) if tree is not None else set()
    hidden = _hidden_builtins(source)
    found = {}
    for index, cell, tree in trees:
        if tree is None:
            continue
        scan = _TamperScan(library, hidden)
        scan.visit(tree)
        if scan.found:
            label = cell.metadata.get("nbgrader", {}).get("grade_id") or cell.get("id") or _(
                "number {number}", number=index + 1)
            found[label] = scan.found
    return found
