"""Hints that say what the layer contract expects, next to the raw numpy error.

Code written for another chapter or another edition of the book breaks the
contract in a few typical ways, and numpy's own words ("shapes (2,3,2,2) and
(12,4) not aligned", "operands could not be broadcast together") do not say
which. These hints do, from what the grader passed in and how the code
failed, naming no layer: an input of more than two dimensions that was not
flattened to ``(N, -1)``; integer labels ``(N,)`` where one-hot labels were
assumed; a constructor that does not take the arguments the grader passes (the
expected signature is read from the course's own code, never the student's).
"""
from __future__ import annotations

import re

import numpy as np

from grader.lang import _

_SHAPE_ERRORS = re.compile(r"not aligned|matmul|mismatch in its core dimension|cannot reshape|shapes? \(", re.I)
_LABEL_ERRORS = re.compile(r"broadcast|index|indices|not aligned|shape", re.I)


def call_hint(kind: str, message: str, arguments: list) -> str:
    """A hint for an exception raised by a method the grader called with ``arguments`` (this call's and earlier)."""
    if kind not in ("ValueError", "IndexError", "TypeError"):
        return ""
    arrays = [a for a in arguments if isinstance(a, np.ndarray)]
    labels = [a for a in arrays if a.ndim == 1 and a.dtype.kind in "iu"]
    if labels and _LABEL_ERRORS.search(message):
        n = labels[0].shape[0]
        return "\n" + _("Hint: the labels t were integer class indices of shape ({n},), which the contract allows "
                         "as well as one-hot (N, K): handle both, e.g. turn integers into one-hot with np.eye(K)[t], "
                         "or pick the right scores with y[np.arange(N), t].").format(n=n)
    wide = [a for a in arrays if a.ndim > 2]
    if wide and _SHAPE_ERRORS.search(message):
        shape = wide[0].shape
        return "\n" + _("Hint: x had shape {shape}; the contract says the layer flattens x of shape (N, ...) to "
                         "(N, -1) first (x.reshape(x.shape[0], -1)) and returns dx in x's original shape.").format(
            shape=shape)
    return ""


class Contracts:
    """The hints a course's contract gives (``call_hint``, and the expected constructors read from its code)."""

    def __init__(self, course):
        self._folders = (course.solutions, course.root / course.release_folder.name, course.release_folder)
        self._constructors: dict[str, str] = {}

    call_hint = staticmethod(call_hint)

    def constructor_hint(self, class_name: str) -> str:
        signature = self.expected_constructor(class_name)
        return "\n" + _("The expected constructor is {signature}.").format(signature=signature) if signature else ""

    def expected_constructor(self, class_name: str) -> str:
        """``Affine(W, b)``: the course's own ``__init__`` of ``class_name``, or "" when the course has none."""
        if class_name not in self._constructors:
            self._constructors[class_name] = _read_constructor(self._folders, class_name)
        return self._constructors[class_name]


def _read_constructor(folders, class_name: str) -> str:
    pattern = re.compile(rf"^class {re.escape(class_name)}\b.*?^    def __init__\(self,? ?([^)]*)\)", re.M | re.S)
    for folder in folders:
        try:
            files = sorted(folder.glob("*.py"))
        except OSError:
            continue
        for path in files:
            try:
                match = pattern.search(path.read_text(encoding="utf-8"))
            except OSError:
                continue
            if match:
                return f"{class_name}({match.group(1).strip()})"
    return ""
