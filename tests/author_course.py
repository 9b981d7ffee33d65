"""A second course, written as a course author would from docs/authoring.md: the book's chapter 6
layers Dropout (randomness: the mask is read back) and BatchNormalization (learned gamma and beta).

``write(folder)`` makes it with ``grader new-course`` and ``grader new-exercise`` and fills in the TODOs;
the ``plant_*`` functions spoil it the ways an author can.
"""
from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from grader.cli import grader

DROPOUT = '''\
"""regularization.py: Dropout switches units off at random while training."""
import numpy as np


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        ### BEGIN SOLUTION
        ### TODO: Dropout.backward: return dx: dout where the unit was kept (self.mask), 0 where it was dropped.
        return dout * self.mask
        ### END SOLUTION
'''

BATCH_NORM = '''\
"""normalization.py: batch normalization, with the learned scale gamma and shift beta."""
import numpy as np


class BatchNormalization:
    def __init__(self, gamma, beta):
        self.gamma, self.beta = gamma, beta
        self.dgamma = self.dbeta = None
        self.xc = self.xn = self.std = None

    def forward(self, x):
        self.xc = x - x.mean(axis=0)
        self.std = np.sqrt(np.mean(self.xc ** 2, axis=0) + 1e-7)
        self.xn = self.xc / self.std
        return self.gamma * self.xn + self.beta

    def backward(self, dout):
        ### BEGIN SOLUTION
        ### TODO: BatchNormalization.backward: set self.dbeta and self.dgamma (shaped like beta and gamma),
        ###   return dx, shaped like x.
        n = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / n) * self.xc * dvar
        return dxc - np.sum(dxc, axis=0) / n
        ### END SOLUTION
'''

REFERENCE = '''

def dropout(x, mask):
    """Dropout's forward pass in training, with the mask the layer drew (read back by the tests)."""
    return x * mask


def batch_normalization(x, gamma, beta):
    """Batch normalization's forward pass in training: the batch's own mean and variance."""
    xc = x - x.mean(axis=0)
    return gamma * xc / np.sqrt(np.mean(xc ** 2, axis=0) + 1e-7) + beta
'''

DROPOUT_TESTS = '''\
"""{visibility} tests for regularization.py: the mask drawn in forward is read back for the reference."""
from grader.api import check, check_layer

from course import reference as ref


@check("Dropout", points={points}, kind="numeric")
def numeric_{lower}(student, rng):
    """Gradient check of dx with the layer's own mask, on a batch of {rows} samples of {columns} features."""
    check_layer(student, rng, "Dropout", ref.dropout, rng.standard_normal(({rows}, {columns})), read_back=("mask",),
                check_output=True)
'''

BATCH_NORM_TESTS = '''\
"""{visibility} tests for normalization.py: dx, dgamma and dbeta."""
from grader.api import check, check_layer

from course import reference as ref


@check("BatchNormalization", points={points}, kind="numeric")
def numeric_{lower}(student, rng):
    """Gradient check of dx, dgamma and dbeta on a batch of {rows} samples of {columns} features."""
    params = {{"gamma": rng.uniform(0.5, 2.0, {columns}), "beta": rng.standard_normal({columns})}}
    check_layer(student, rng, "BatchNormalization", ref.batch_normalization, rng.standard_normal(({rows}, {columns})),
                params=params, check_output=True)
'''


def cli(*args: str, expect: int | None = 0):
    result = CliRunner().invoke(grader, [str(a) for a in args])
    if expect is not None:
        assert result.exit_code == expect, (args, result.output, result.exception)
    return result


def write(folder: Path) -> Path:
    """The chapter 6 course in ``folder``, as its author writes it with the grader's commands."""
    cli("new-course", folder, "--title", "Chapter 6: training techniques")
    cli("--course", folder, "new-exercise", "regularization", "--names", "Dropout", "--random")
    cli("--course", folder, "new-exercise", "normalization", "--names", "BatchNormalization", "-p", "gamma",
        "-p", "beta")
    (folder / "solutions" / "regularization.py").write_text(DROPOUT, encoding="utf-8")
    (folder / "solutions" / "normalization.py").write_text(BATCH_NORM, encoding="utf-8")
    reference = (folder / "reference.py").read_text(encoding="utf-8")
    reference = reference[:reference.index("\n\ndef dropout(")] + "\n" + REFERENCE
    (folder / "reference.py").write_text(reference, encoding="utf-8")
    for visibility, points, shapes in (("public", 4, ((4, 5), (5, 4))), ("hidden", 6, ((6, 5), (6, 3)))):
        fields = {"visibility": visibility.capitalize(), "lower": visibility, "points": points}
        (folder / "tests" / visibility / "regularization.py").write_text(DROPOUT_TESTS.format(
            **fields, rows=shapes[0][0], columns=shapes[0][1]), encoding="utf-8")
        (folder / "tests" / visibility / "normalization.py").write_text(BATCH_NORM_TESTS.format(
            **fields, rows=shapes[1][0], columns=shapes[1][1]), encoding="utf-8")
    return folder


def plant_reference_bug(folder: Path) -> None:
    """The reference's variance divided by N - 1: every right solution now loses points."""
    path = folder / "reference.py"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("np.mean(xc ** 2, axis=0)", "np.sum(xc ** 2, axis=0) / (len(x) - 1)"),
                    encoding="utf-8")


def plant_points_not_adding_up(folder: Path) -> None:
    """The hidden Dropout test worth 5 instead of 6: Dropout's tests add up to 9 of its 10 points."""
    path = folder / "tests" / "hidden" / "regularization.py"
    path.write_text(re.sub(r"points=6", "points=5", path.read_text(encoding="utf-8")), encoding="utf-8")


FORWARD_ONLY = '''

@check("BatchNormalization", points=1, kind="numeric")
def forward_only(student, rng):
    """The forward pass (given to the students) on a small batch."""
    x = rng.standard_normal((4, 3))
    gamma, beta = rng.uniform(0.5, 2.0, 3), rng.standard_normal(3)
    expect_close("forward", student.new("BatchNormalization", gamma, beta).forward(x),
                 ref.batch_normalization(x, gamma, beta))
'''


def plant_free_points(folder: Path) -> None:
    """A forward-only test (1 of BatchNormalization's points moved to it): the stub earns that point."""
    path = folder / "tests" / "hidden" / "normalization.py"
    text = path.read_text(encoding="utf-8").replace("points=6", "points=5")
    text = text.replace("from grader.api import check, check_layer", "from grader.api import check, check_layer, expect_close")
    path.write_text(text + FORWARD_ONLY, encoding="utf-8")
