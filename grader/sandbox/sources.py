"""What a ``load`` request carries: the submission's files and the book's ``common`` modules.

Each file's code travels as a wire buffer (``$text``), never inside the JSON
header, so the header stays small (its bound protects the judge from forged
replies) whatever the size of the code; the loader bounds the code of a
whole submission (``submission.MAX_CODE_BYTES``) well inside the wire's
``MAX_TOTAL_BYTES``. The child rebuilds the files in ``child.Session._op_load``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from grader.submission.source import ModuleSource
import grader.sandbox.child.wire as wire

_COMMON = Path(__file__).parent / "child" / "common"
BOOK_MODULES = [
    {"name": name, "filename": f"common/{file}", "text": (_COMMON / file).read_text(), "student": False}
    for name, file in [("common", "__init__.py"), ("common.util", "util.py"), ("common.functions", "functions.py")]
]


def load_modules(sources, buffers: list) -> list[dict]:
    """The ``modules`` of a load request for every readable file of ``sources`` and the book's modules."""
    modules = [module_request(s, buffers) for s in sources if s.text is not None and s.problem is None]
    return modules + [dict(book, text=wire.encode_text(book["text"], buffers)) for book in BOOK_MODULES]


def module_request(source: ModuleSource, buffers: list) -> dict:
    """One student file, its code appended to ``buffers``.

    A notebook's cells travel as their sources back to back (one ``$text``)
    and an int64 table of rows ``(number, In [n] or -1, length in
    characters)``, so the header is the same size however many cells and
    characters the notebook has.
    """
    request = {"name": source.name, "filename": source.filename, "student": True}
    if source.marimo:
        request["marimo"] = True
    if not source.cells:
        request["text"] = wire.encode_text(source.text, buffers)
        return request
    request["text"] = wire.encode_text("".join(c.source for c in source.cells), buffers)
    table = np.array([(c.number, -1 if c.count is None else c.count, len(c.source)) for c in source.cells],
                     dtype=np.int64)
    request["cells"] = wire.encode_value(table, buffers, _refuse)
    return request


def _refuse(value):
    raise TypeError(f"a cell table cannot hold {type(value).__name__}")
