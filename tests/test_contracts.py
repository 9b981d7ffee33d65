"""Code written for the book's other chapter API loses its points, with a hint saying what the contract expects."""
from __future__ import annotations

import textwrap

from grader.judge.engine import grade_submission

BOOK_CH05 = textwrap.dedent('''
    import numpy as np
    from common.functions import softmax, cross_entropy_error


    class Affine:
        def __init__(self, W, b):
            self.W, self.b = W, b

        def forward(self, x):  # chapter 5's first version: no flattening
            self.x = x
            return np.dot(x, self.W) + self.b

        def backward(self, dout):
            dx = np.dot(dout, self.W.T)
            self.dW = np.dot(self.x.T, dout)
            self.db = np.sum(dout, axis=0)
            return dx


    class SoftmaxWithLoss:
        def forward(self, x, t):
            self.t = t
            self.y = softmax(x)
            self.loss = cross_entropy_error(self.y, self.t)
            return self.loss

        def backward(self, dout=1):  # one-hot labels only
            batch_size = self.t.shape[0]
            return (self.y - self.t) / batch_size
''')


def _messages(report, layer):
    return [t["message"] for t in report["tests"] if t["layer"] == layer and t["status"] != "passed"]


def test_api_deviations_get_the_contract_next_to_the_numpy_error(tmp_path):
    (tmp_path / "affine_softmax.py").write_text(BOOK_CH05, encoding="utf-8")
    report = grade_submission(tmp_path, assignments=["affine_softmax"], seed=5)
    affine = _messages(report, "Affine")
    assert affine and all("not aligned" in m for m in affine)
    assert all(m.count("the layer flattens x of shape (N, ...) to (N, -1) first") == 1 for m in affine)
    softmax = _messages(report, "SoftmaxWithLoss")
    assert any("could not be broadcast" in m and "integer class indices" in m for m in softmax)
    assert all(m.count("Hint: the labels t were integer") <= 1 for m in softmax)
    passed = [t for t in report["tests"] if t["status"] == "passed"]
    assert any(t["layer"] == "Affine" for t in passed)  # 2-D inputs still pass: only the deviation costs


def test_a_constructor_with_other_arguments_is_told_the_expected_signature(tmp_path):
    source = BOOK_CH05.replace("def __init__(self, W, b):", "def __init__(self, W, b, activation):")
    (tmp_path / "affine_softmax.py").write_text(source, encoding="utf-8")
    report = grade_submission(tmp_path, assignments=["affine_softmax"], seed=5)
    messages = _messages(report, "Affine")
    assert messages and all("The expected constructor is Affine(W, b)." in m for m in messages)
