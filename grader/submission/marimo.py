"""marimo notebooks as submissions, read as text (the judge never parses or runs student code).

A marimo notebook is a ``.py`` file that imports marimo and holds its cells
as functions decorated ``@app.cell`` (classes defined inside and returned),
an optional ``with app.setup:`` block, and classes and functions at the top
level under ``@app.class_definition`` / ``@app.function``. Such a file is
graded as a notebook: the child splits it into cells and runs them in
marimo's order (``grader/sandbox/child/marimo_cells.py``). Here it is only
recognised, and its graded classes found with the cell that defines each,
counted in file order from 1 as the child counts them.
"""
from __future__ import annotations

import re

_IMPORTS_MARIMO = re.compile(r"^(?:import[ \t]+marimo\b|from[ \t]+marimo\b)", re.MULTILINE)
_CELL_START = re.compile(r"^(?:@\w+\.(?:cell|class_definition|function)\b|with[ \t]+\w+\.setup\b)", re.MULTILINE)
# a definition at the top level (under @app.class_definition / @app.function) or in a cell's body (4 spaces in)
_DEFINITION = re.compile(r"^(?: {4}|\t)?(?:class|def)[ \t]+(\w+)", re.MULTILINE)
_CELL_FUNCTION = re.compile(r"_+")


def is_marimo(text: str) -> bool:
    """Whether ``text`` is a marimo notebook: it imports marimo and has at least one of its cells."""
    return bool(_IMPORTS_MARIMO.search(text) and _CELL_START.search(text))


def marimo_definitions(text: str) -> dict[str, tuple[int, int]]:
    """The last definition of every class and function of the notebook: ``{name: (cell number, offset)}``."""
    starts = [match.start() for match in _CELL_START.finditer(text)]
    found = {}
    for match in _DEFINITION.finditer(text):
        name = match.group(1)
        cell = sum(1 for start in starts if start <= match.start())
        if cell and not _CELL_FUNCTION.fullmatch(name):
            found[name] = (cell, match.end())
    return found
