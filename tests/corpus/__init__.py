"""Realistic student submissions, built from the correct solutions wrapped in real-world habits.

Each habit is how people really write and hand in their work while following
the book: chapter notebooks holding several assignments' classes, Colab
notebooks with ``drive.mount`` and shell lines, stray imports, Windows
encodings, near-miss file names. :data:`HABITS` maps a habit's name to a
function that writes its files into a folder and returns the path to give to
``grade --submission``; every habit is a correct submission.
:func:`with_bug` makes the same files with one real bug in one class.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

SOLUTIONS = Path(__file__).resolve().parents[2] / "courses" / "backprop" / "solutions"
ASSIGNMENT_OF = {
    "MulLayer": "gates", "AddLayer": "gates", "Relu": "activations", "Sigmoid": "activations",
    "Affine": "affine_softmax", "SoftmaxWithLoss": "affine_softmax", "Convolution": "conv_pool", "Pooling": "conv_pool",
    "numerical_gradient": "learning", "gradient_descent": "learning", "SigmoidWithLoss": "learning",
}
# One typo per class, in backward, as students really make them: (correct text, buggy text).
BUGS = {
    "MulLayer": ("dx = dout * self.y", "dx = dout * self.yy"),
    "AddLayer": ("dy = dout * 1", "dy = dout * l"),
    "Relu": ("dx = np.where(self.mask, 0.0, dout)", "dx = np.where(self.masks, 0.0, dout)"),
    "Sigmoid": ("dx = dout * (1.0 - self.out) * self.out", "dx = dout * (1.0 - self.output) * self.out"),
    "Affine": ("self.dW = np.dot(self.x.T, dout)", "self.dW = np.dot(self.X.T, dout)"),
    "SoftmaxWithLoss": ("batch_size = self.y.shape[0]", "batch_size = self.Y.shape[0]"),
    "Convolution": ("self.db = np.sum(dout, axis=0)", "self.db = np.sum(d_out, axis=0)"),
    "Pooling": ("dmax = np.zeros((dout.size, pool_size))", "dmax = np.zeros((dout.size, poolsize))"),
}


def _solution(assignment: str) -> str:
    text = (SOLUTIONS / f"{assignment}.py").read_text(encoding="utf-8")
    text = re.sub(r'^""".*?"""\n', "", text, flags=re.S)  # the module docstring
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith("###")) + "\n"


def _blocks(assignment: str) -> dict[str, str]:
    """Top-level ``def``/``class`` blocks of a solution, by name."""
    text = _solution(assignment)
    starts = [(m.start(), m.group(2)) for m in re.finditer(r"^(def|class) (\w+)", text, re.M)]
    blocks = {}
    for (start, name), following in zip(starts, starts[1:] + [(len(text), None)]):
        blocks[name] = text[start:following[0]].rstrip() + "\n"
    return blocks


_BUGGY: set[str] = set()


def code(name: str) -> str:
    """The code of one class or helper function: correct, unless :func:`with_bug` is building."""
    text = _blocks(ASSIGNMENT_OF[name] if name in ASSIGNMENT_OF else _helper_home(name))[name]
    if name in _BUGGY:
        right, wrong = BUGS[name]
        assert right in text, (name, right)
        text = text.replace(right, wrong, 1)
    return text


def bugged(text: str) -> str:
    """``text`` (a file holding the solutions' code as it is) with the bug :func:`with_bug` is building, if any."""
    for name in _BUGGY:
        right, wrong = BUGS[name]
        assert right in text, (name, right)
        text = text.replace(right, wrong, 1)
    return text


def with_bug(build, folder, target: str):
    """Build a habit's files with one real bug (a typo in ``target``'s backward)."""
    _BUGGY.add(target)
    try:
        return build(folder)
    finally:
        _BUGGY.discard(target)


def _helper_home(name: str) -> str:
    for assignment in ("affine_softmax", "conv_pool", "learning"):
        if name in _blocks(assignment):
            return assignment
    raise KeyError(name)


def module(*names: str, header: str = "import numpy as np\n") -> str:
    return header + "\n\n" + "\n\n".join(code(n) for n in names)


def notebook(*cells, colab: bool = False) -> str:
    """A notebook: each cell is code text, or ("markdown", text), or (text, {"tags": [...]})."""
    built, count = [], 0
    for cell in cells:
        if isinstance(cell, tuple) and cell[0] == "markdown":
            built.append({"cell_type": "markdown", "metadata": {}, "source": cell[1].splitlines(True)})
            continue
        text, metadata = (cell if isinstance(cell, tuple) else (cell, {}))
        count += 1
        built.append({"cell_type": "code", "execution_count": count, "metadata": metadata, "outputs": [],
                      "source": text.splitlines(True)})
    metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    if colab:
        metadata["colab"] = {"provenance": []}
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": built}, ensure_ascii=False,
                      indent=1)
