"""What the layer under test saw during one test: the batch size, a loss-like output, the upstream gradient."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

_test: ContextVar[dict | None] = ContextVar("what_the_test_saw", default=None)


@contextmanager
def observing():
    """What one test's layers see, kept for the diagnoses of that test only (the engine wraps each test)."""
    token = _test.set({})
    try:
        yield
    finally:
        _test.reset(token)


class _Seen:
    """Reading what the running test saw (nothing, outside a test)."""

    def get(self, key, default=None):
        seen = _test.get()
        return default if seen is None else seen.get(key, default)

    def __setitem__(self, key, value):
        seen = _test.get()
        if seen is not None:
            seen[key] = value


_seen = _Seen()


def forward_facts(args: tuple, result) -> dict:
    """What a forward call says about the layer: the batch size and shape of its input (``batch``,
    ``input_shape``, when the input is a batch) and whether its output was one number (``scalar_output``)."""
    first = next((a for a in args if isinstance(a, np.ndarray)), None)
    loss = isinstance(result, (int, float, np.generic)) or (isinstance(result, np.ndarray) and result.ndim == 0)
    facts = {}
    if first is not None and (first.ndim >= 2 or (first.ndim == 1 and loss)):
        facts["batch"], facts["input_shape"] = int(first.shape[0]), tuple(first.shape)
    facts["scalar_output"] = np.ndim(result) == 0 if isinstance(result, (int, float, np.ndarray, np.generic)) else False
    return facts


def note_forward(args: tuple, result) -> None:
    """Remember the batch size of a forward input and whether the output was one number (a loss)."""
    for key, value in forward_facts(args, result).items():
        _seen[key] = value


def note_windows(input_shape: tuple, window: tuple, stride: int = 1, pad: int = 0) -> None:
    """Remember that the layer slides ``window`` (height, width) over the input's last two axes."""
    _seen["windows"] = (*tuple(input_shape)[-2:], *tuple(window), int(stride), int(pad))


def coverage() -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """For the windows noted (:func:`note_windows`), per input entry of the last two axes: how many windows
    cover it, whether the first window covers it, and whether it is the first entry of some window."""
    windows = _seen.get("windows")
    if windows is None:
        return None
    h, w, fh, fw, stride, pad = windows
    rows, columns = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    if rows < 1 or columns < 1 or stride < 1:
        return None
    count = np.zeros((h + 2 * pad, w + 2 * pad), dtype=int)
    for y in range(rows):
        for x in range(columns):
            count[y * stride:y * stride + fh, x * stride:x * stride + fw] += 1
    first, corners = np.zeros_like(count, dtype=bool), np.zeros_like(count, dtype=bool)
    first[:fh, :fw] = True
    corners[:rows * stride:stride, :columns * stride:stride] = True
    inside = (slice(pad, pad + h), slice(pad, pad + w))
    return count[inside], first[inside], corners[inside]


def note_backward(args: tuple) -> None:
    """Remember the upstream gradient given to backward."""
    if args and isinstance(args[0], (int, float, np.ndarray, np.generic)):
        _seen["dout"] = np.asarray(args[0], dtype=np.float64)
