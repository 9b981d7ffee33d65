"""What a submission's files are once read: module sources and a notebook's cells (never run by the judge)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """One code cell of a notebook, as Jupyter shows it."""

    number: int  # its place among the notebook's code cells, from 1
    count: int | None  # its In [n] execution count, when the notebook was run
    source: str


@dataclass(frozen=True)
class ModuleSource:
    """One file of a submission, read (but never run) by the judge."""

    name: str  # the module name in the child: the assignment ("gates") for its module file, else the stem
    filename: str  # what the student knows it as: "gates.py", "ch05.ipynb", "hw/Gates.py"
    text: str | None = None  # Python source (a notebook's cells joined, to look at); None when unreadable
    problem: str | None = None  # why it could not be read (not UTF-8, corrupt notebook...)
    notes: tuple[str, ...] = ()  # things worth telling the student (encoding, ...)
    cells: tuple[Cell, ...] = ()  # a notebook's code cells: run one by one instead of ``text``
    marimo: bool = False  # a marimo notebook: ``text`` is split into cells and run as a notebook in the child
