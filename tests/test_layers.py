"""The engine's structure, read from its source: layers you can see in the tree, and no import cycles.

Every import counts, at module level and inside functions. Each layer (a
sub-package of ``grader/``) says in its docstring what it may import (a
``May import:`` line); these tests hold it to that, hold the child's package
to the standard library and numpy, and hold every shipped course to the
course API (``grader.api``).
"""
from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GRADER = ROOT / "grader"

# what each layer may import of the grader (its own modules always)
ALLOWED = {
    "grader.lang": set(),
    "grader.submission": {"grader.lang"},
    "grader.sandbox": {"grader.lang", "grader.submission", "grader.sandbox.child"},
    "grader.sandbox.child": set(),
    "grader.judge": {"grader.lang", "grader.submission", "grader.sandbox", "grader.sandbox.child"},
    "grader.api": {"grader.lang", "grader.judge"},
    "grader.reports": {"grader.lang", "grader.judge"},
    "grader.platforms": {"grader.lang", "grader.submission", "grader.sandbox", "grader.sandbox.child",
                         "grader.judge", "grader.reports"},
    "grader.cli": {"grader.lang", "grader.submission", "grader.sandbox", "grader.sandbox.child", "grader.judge",
                   "grader.reports", "grader.platforms", "grader.api"},
}
TOP = {"grader"}  # grader/__init__.py: the version, which every layer may read


def _modules(folder: Path, package: str) -> dict[str, Path]:
    found = {}
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(folder).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join([package, *parts])] = path
    return found


MODULES = _modules(GRADER, "grader")


def _imports(module: str, path: Path) -> set[str]:
    """Every module name ``module`` imports, resolved (relative imports included), anywhere in its code."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _grader_module(name: str) -> str | None:
    """The module of the grader that ``name`` is, or is in; None for anything else."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _graph() -> dict[str, set[str]]:
    graph = defaultdict(set)
    for module, path in MODULES.items():
        for name in _imports(module, path):
            target = _grader_module(name)
            if target and target != module:
                graph[module].add(target)
    return graph


def _layer(module: str) -> str:
    """The layer a module of the grader belongs to: the longest entry of ``ALLOWED`` that holds it.

    A ``__main__`` module is a command (``python -m grader.lang extract``): the command line's layer,
    but for the child's own, which is the child.
    """
    if module.endswith(".__main__") and not module.startswith("grader.sandbox.child"):
        return "grader.cli"
    return max((layer for layer in ALLOWED if module == layer or module.startswith(layer + ".")), key=len,
               default=module)


def test_no_module_of_the_grader_is_part_of_an_import_cycle():
    graph, index, low, stack, on_stack, cycles = _graph(), {}, {}, [], set(), []
    sys.setrecursionlimit(10_000)

    def connect(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in MODULES:
        if module not in index:
            connect(module)
    assert cycles == []


def test_each_layer_imports_only_what_it_may():
    wrong = []
    for module, targets in _graph().items():
        mine = _layer(module)
        if module in TOP or mine not in ALLOWED:
            continue
        for target in targets:
            theirs = _layer(target)
            if target not in TOP and theirs != mine and theirs not in ALLOWED[mine]:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_every_module_belongs_to_a_layer():
    assert sorted(m for m in MODULES if m not in TOP and _layer(m) not in ALLOWED) == []


@pytest.mark.parametrize("layer", sorted(layer for layer in ALLOWED if layer != "grader.api"))
def test_each_layer_says_what_it_may_import(layer):
    docstring = ast.get_docstring(ast.parse(MODULES[layer].read_text(encoding="utf-8"))) or ""
    said = next((line for line in docstring.splitlines() if line.startswith("May import:")), "")
    assert said, f"{layer}'s docstring has no 'May import:' line"
    for other in ALLOWED[layer] - {"grader.sandbox.child"}:
        assert other in said or "every layer" in said, (layer, other, said)


def test_the_childs_package_imports_only_the_standard_library_and_numpy():
    child = "grader.sandbox.child"
    outside = []
    for module, path in MODULES.items():
        if module != child and not module.startswith(child + "."):
            continue
        for name in _imports(module, path):
            top = name.split(".")[0]
            if name.startswith(child) or top in sys.stdlib_module_names or top == "numpy":
                continue
            if module.startswith(f"{child}.common"):  # the book's helpers, served to student code as text
                continue
            outside.append(f"{module} imports {name}")
    assert outside == []


def test_every_shipped_course_uses_the_course_api_only():
    courses = ROOT / "courses"
    outside = []
    for path in sorted(courses.rglob("*.py")):
        if "solutions" in path.parts or "mutants" in path.parts:
            continue  # student code, as the students write it
        for name in _imports("course.x", path):
            if name.split(".")[0] == "grader" and name not in ("grader.api",) and not name.startswith("grader.api."):
                outside.append(f"{path.relative_to(ROOT)} imports {name}")
    assert outside == []


def test_the_course_api_declares_what_it_gives():
    import grader.api as api

    assert sorted(api.__all__) == sorted(name for name in vars(api) if not name.startswith("__")
                                         and not isinstance(vars(api)[name], type(sys)))


MODULE_LINES, FUNCTION_LINES = 400, 60  # each module readable in one sitting, each function on one screen


def test_every_module_of_the_engine_reads_in_one_sitting():
    long = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    assert {name: lines for name, lines in long.items() if lines > MODULE_LINES} == {}


def test_every_function_of_the_engine_fits_on_one_screen():
    long = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > FUNCTION_LINES:
                    long.append(f"{name}.{node.name}: {lines} lines")
    assert long == []
