"""Jupyter notebooks as submissions, and the public tests from inside Jupyter.

A notebook is graded as Jupyter runs it: code cell by code cell, in the
child process (``sandbox/child/cells.py``), so a cell that fails (a plot without
matplotlib, a self-test, a cell that is not Python 3) is a note naming the
cell, and everything defined in the other cells is graded. Here, in the
judge, the notebook is only read: as plain JSON (no Jupyter package
needed), defensively (bounded size, nesting, cell count and cell size; every
field's type checked), and never compiled. Formats 4 (today's) and 3
(IPython 2 era) are read. The outputs stored in the notebook are never
looked at, so a notebook is graded on its code, not on what it printed.

Cells the student marks as not graded are not run: those tagged
``not-graded`` (the examples and the test cell of the released notebooks),
and those whose first line is the comment ``# not graded``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from grader.lang import _
from grader.submission.source import Cell

NOT_GRADED_TAG = "not-graded"
MAX_CELLS = 5000
MAX_CELL_CHARS = 2 << 20  # a cell may hold as much as a .py file (textfile.MAX_SOURCE_BYTES)
_NOT_GRADED_LINE = re.compile(r"^\s*#\s*not[- ]graded\b", re.IGNORECASE)


def read_notebook(raw: bytes, filename: str) -> tuple[tuple[Cell, ...], tuple[str, ...]]:
    """The code cells of the notebook ``raw`` to run, in order, and notes for the student.

    Raises ``ValueError`` with a message for the student when ``raw`` is not a
    notebook the grader can read.
    """
    cells = tuple(_code_cells(_load(raw, filename), filename))
    notes = () if cells else (_("{file} has no code cells to grade.").format(file=filename),)
    return cells, notes


def cells_text(cells) -> str:
    """The cells joined, for looking at (class names, TODOs), never for running."""
    return "\n".join(f"# cell {c.number}\n{c.source}\n" for c in cells)


def _load(raw: bytes, filename: str) -> dict:
    advice = _("Open {file} in Jupyter to check it; if Jupyter cannot open it either, "
               "copy your code into a .py file and submit that.").format(file=filename)
    try:
        notebook = json.loads(raw)
    except UnicodeDecodeError:
        raise ValueError(_("{file} is not a Jupyter notebook: it is not text.").format(file=filename)
                         + " " + advice) from None
    except json.JSONDecodeError as error:
        raise ValueError(_("{file} is not a valid notebook: its JSON is broken at line {line}, column {column} "
                           "({error}).").format(file=filename, line=error.lineno, column=error.colno, error=error.msg)
                         + " " + advice) from None
    except (RecursionError, MemoryError):
        raise ValueError(_("{file} is not a valid notebook: its JSON is nested too deeply.").format(file=filename)
                         + " " + advice) from None
    if not isinstance(notebook, dict) or "nbformat" not in notebook:
        raise ValueError(_("{file} is JSON but not a Jupyter notebook (it has no nbformat version).").format(
            file=filename) + " " + advice)
    return notebook


def _code_cells(notebook: dict, filename: str) -> list[Cell]:
    """Every code cell to run, numbered from 1 among the notebook's code cells (as a student counts them)."""
    version = notebook.get("nbformat")
    if version == 4:
        cells, key = notebook.get("cells"), "source"
    elif version == 3:  # cells live in worksheets and keep their code under "input"
        worksheets = notebook.get("worksheets")
        if not isinstance(worksheets, list):
            worksheets = []
        cells = [c for w in worksheets if isinstance(w, dict) and isinstance(w.get("cells"), list)
                 for c in w["cells"]]
        key = "input"
    else:
        shown = version if isinstance(version, (int, float)) and not isinstance(version, bool) else "unknown"
        raise ValueError(_("{file} uses notebook format {version}, which the grader cannot read (it reads "
                           "formats 3 and 4). Open it in a current Jupyter, save it, and submit it again.").format(
            file=filename, version=repr(shown)))
    if not isinstance(cells, list):
        raise ValueError(_("{file} is not a valid notebook: it has no list of cells.").format(file=filename))
    if len(cells) > MAX_CELLS:
        raise ValueError(_("{file} has {count} cells, more than the {limit} the grader reads.").format(
            file=filename, count=len(cells), limit=MAX_CELLS))

    found, number = [], 0
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        number += 1
        source = cell.get(key, "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise ValueError(_("{file} is not a valid notebook: code cell {number} has no readable source.").format(
                file=filename, number=number))
        if len(source) > MAX_CELL_CHARS:
            raise ValueError(_("{file}: code cell {number} holds {count} characters, more than the {limit} the "
                               "grader reads.").format(file=filename, number=number, count=len(source),
                                                       limit=MAX_CELL_CHARS))
        metadata = cell.get("metadata")
        tags = metadata.get("tags") if isinstance(metadata, dict) else None
        if (isinstance(tags, list) and NOT_GRADED_TAG in tags) or _NOT_GRADED_LINE.match(source):
            continue
        count = cell.get("execution_count", cell.get("prompt_number"))
        count = count if isinstance(count, int) and not isinstance(count, bool) and 0 <= count < 10**9 else None
        found.append(Cell(number, count, source.replace("\r\n", "\n").replace("\r", "\n")))
    return found
