"""A marimo notebook in the child: its cells found with ``ast``, put in marimo's order, run as Jupyter's are.

A marimo notebook is a ``.py`` file: ``import marimo``, ``app = marimo.App()``,
an optional ``with app.setup:`` block, then one function per cell decorated
``@app.cell`` (or ``@app.cell(hide_code=True)``), whose parameters are the
names the cell uses and whose returned tuple the names it defines (``def
_(np):`` ... ``return (MulLayer,)``; older files ``def __(np):`` ...
``return MulLayer,``), and classes and functions defined at the top level
under ``@app.class_definition`` / ``@app.function``. marimo itself is never
imported here (it is a stand-in like any plotting library): the file is
parsed, never run as a whole, so ``app.run()`` under ``if __name__ ==
"__main__":`` never runs. Each cell's body runs in the module's namespace as
a Jupyter cell does (``cells.run_notebook``: the same bounds and notes),
except a cell whose body starts with the comment ``# not graded`` or carries
the tag ``not-graded`` (``# Cell tags: not-graded``, as ``marimo convert``
writes a Jupyter cell's tags): as in a Jupyter notebook, it is not run. Setup
first, then every cell after the cells defining what it uses, in file
order otherwise. A cell is numbered by its place in the file, from 1; its
code keeps the file's line numbers, so a traceback's line is the file's.
"""
import ast
import heapq
import linecache
import re

from .cells import _cell_note, cell_label, defined_lines

MAX_CELLS = 5000
_UNNAMED = re.compile(r"_+")
_NOT_GRADED = re.compile(r"^\s*#\s*(?:not[- ]graded\b|cell tags:.*\bnot-graded\b)", re.IGNORECASE)


def marimo_cells(text, filename):
    """The cells of the marimo notebook ``text`` in the order to run them; raises SyntaxError for a broken file.

    Each cell is a dict: ``number`` (in file order), ``count`` (None), ``name``
    (the cell function's, when the author gave one), ``body`` (statements),
    ``uses`` and ``defines`` (names).
    """
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    tree = ast.parse(text, filename)
    app = _app_name(tree)
    cells = [cell for cell in (_cell(node, app) for node in tree.body) if cell is not None][:MAX_CELLS]
    for number, cell in enumerate(cells, start=1):
        cell["number"] = number
    lines = text.splitlines()
    return _ordered([cell for cell in cells if not _not_graded(cell, lines)])


def _not_graded(cell, lines):
    """Whether the cell's body starts with a ``# not graded`` comment or a ``not-graded`` tag (above its code)."""
    if cell["kind"] != "cell":
        return False
    first = cell["body"][0]
    start = min([first.lineno] + [d.lineno for d in getattr(first, "decorator_list", ())]) - 1
    comments = [line for line in lines[cell["header"]:start] if line.lstrip().startswith("#")]
    return bool(comments) and bool(_NOT_GRADED.match(comments[0]))


def prepare_marimo(run, cell, namespace):
    """``(label, code, {name: line})`` of a marimo cell for ``cells.run_notebook``, or None with a note."""
    label = cell_label(run.filename, cell["number"], None, cell.get("name"))
    linecache.cache[label] = linecache.cache.get(run.filename, (0, None, [], label))
    try:
        code = compile(ast.Module(body=cell["body"], type_ignores=[]), label, "exec", dont_inherit=True)
    except SyntaxError as error:
        line = error.lineno if isinstance(error.lineno, int) else None
        shown = error.text.strip() if isinstance(error.text, str) and error.text.strip() else None
        run.notes.append(_cell_note("cell_not_python", cell, run.filename, message=str(error.msg), line=line,
                                    text=shown, python2=False))
        return None
    except (ValueError, TypeError, MemoryError, RecursionError) as error:
        run.notes.append(_cell_note("cell_not_compiled", cell, run.filename, error=type(error).__name__))
        return None
    return label, code, defined_lines(cell["body"])


def _app_name(tree):
    """The name the file binds to ``marimo.App(...)`` (``app`` in every file marimo writes)."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and _dotted(node.value.func).endswith("App"):
            return node.targets[0].id
    return "app"


def _dotted(node):
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def _cell(node, app):
    """The cell ``node`` is (setup block, ``@app.cell`` function, top-level definition), or None."""
    if isinstance(node, ast.With) and len(node.items) == 1 and _dotted(node.items[0].context_expr) == f"{app}.setup":
        return {"kind": "setup", "name": None, "body": node.body, "uses": set(),
                "defines": set(defined_lines(node.body))}
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return None
    kinds = [_dotted(d).rpartition(".")[2] for d in node.decorator_list if _dotted(d).startswith(f"{app}.")]
    if "cell" in kinds and not isinstance(node, ast.ClassDef):
        return _function_cell(node)
    if "class_definition" in kinds or "function" in kinds:
        node.decorator_list = [d for d in node.decorator_list if not _dotted(d).startswith(f"{app}.")]
        uses = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        return {"kind": "definition", "name": None, "body": [node], "uses": uses - {node.name},
                "defines": {node.name}}
    return None


def _function_cell(node):
    """An ``@app.cell`` function: its body without the final ``return``, what it uses and defines."""
    body, returned = list(node.body), set()
    if body and isinstance(body[-1], ast.Return):
        value = body.pop().value
        items = value.elts if isinstance(value, (ast.Tuple, ast.List)) else [value] if value is not None else []
        returned = {item.id for item in items if isinstance(item, ast.Name)}
    if not body:
        body = [ast.Pass(lineno=node.lineno, col_offset=0)]
    arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
    defines = returned | {name for name in defined_lines(body) if not name.startswith("_")}
    name = None if _UNNAMED.fullmatch(node.name) else node.name
    return {"kind": "cell", "name": name, "body": body, "uses": {a.arg for a in arguments}, "defines": defines,
            "header": node.lineno}


def _ordered(cells):
    """The cells in marimo's order: setup first, each after the cells defining what it uses, else file order.

    A cycle (which marimo refuses to run) is broken by file order.
    """
    defined_by = {}
    for cell in cells:
        for name in cell["defines"]:
            defined_by.setdefault(name, []).append(cell["number"])
    setup = [c["number"] for c in cells if c["kind"] == "setup"][:1]
    waits = {c["number"]: {d for name in c["uses"] for d in defined_by.get(name, ())} - {c["number"]} for c in cells}
    for cell in cells:
        if cell["kind"] != "setup":
            waits[cell["number"]].update(setup)
    waited_by = {number: [] for number in waits}
    for number, before in waits.items():
        for other in before:
            waited_by[other].append(number)
    by_number = {c["number"]: c for c in cells}
    ready = [number for number, before in waits.items() if not before]
    heapq.heapify(ready)
    order, done = [], set()
    while len(order) < len(cells):
        if not ready:  # a cycle: the first cell left in the file goes next
            ready = [min(n for n in by_number if n not in done)]
        number = heapq.heappop(ready)
        if number in done:
            continue
        done.add(number)
        order.append(by_number[number])
        for other in waited_by[number]:
            waits[other].discard(number)
            if not waits[other] and other not in done:
                heapq.heappush(ready, other)
    return order
