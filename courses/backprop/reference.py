"""Reference forward passes, as plain functions of their inputs.

These are the judge's truth. The grader never needs a reference ``backward``:
the expected gradient of a layer is the numerical gradient of
``sum(forward(inputs) * dout)`` (see ``gradcheck``), and when a test needs the
gradient through *another* layer, it differentiates that layer's forward here
numerically too. So these functions can ship with the public suite without
giving away an answer. ``GRADIENTS`` holds the exact gradients of the
functions of ``functions.py``, which tests hand to student code.
"""
from __future__ import annotations

import numpy as np


def mul(x, y):
    return x * y


def add(x, y):
    return x + y


def relu(x):
    return np.where(x > 0, x, 0.0)


def sigmoid(x):
    # written so that neither branch overflows: exp(-|x|) <= 1
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def affine(x, W, b):
    return x.reshape(x.shape[0], -1) @ W + b


def softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def one_hot(t, num_classes):
    t = np.asarray(t)
    if t.ndim == 2:
        return t.astype(np.float64)
    return np.eye(num_classes)[t.astype(int)]


def softmax_with_loss(x, t):
    """Mean cross-entropy of softmax(x) against labels t (one-hot or integer)."""
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(one_hot(t, x.shape[1]) * log_probs) / x.shape[0]


def zero_pad(x, pad):
    """x (N, C, H, W) with ``pad`` zeros around H and W (np.pad is many times slower for this)."""
    if pad == 0:
        return x
    N, C, H, W = x.shape
    out = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=np.result_type(x, np.float64))
    out[:, :, pad:-pad, pad:-pad] = x
    return out


def conv_output_size(size, kernel, stride, pad):
    return 1 + (size + 2 * pad - kernel) // stride


def convolution(x, W, b, stride=1, pad=0):
    """Cross-correlation of x (N, C, H, W) with W (FN, C, FH, FW), plus b (FN,)."""
    N, C, H, Wd = x.shape
    FN, _, FH, FW = W.shape
    OH = conv_output_size(H, FH, stride, pad)
    OW = conv_output_size(Wd, FW, stride, pad)
    xp = zero_pad(x, pad)
    out = np.zeros((N, FN, OH, OW))
    for i in range(FH):
        for j in range(FW):
            patch = xp[:, :, i : i + stride * OH : stride, j : j + stride * OW : stride]
            out += np.einsum("nchw,fc->nfhw", patch, W[:, :, i, j])
    return out + b.reshape(1, FN, 1, 1)


def pool_windows(x, pool_h, pool_w, stride):
    """Every pooling window of x (N, C, H, W) as (N, C, OH, OW, pool_h * pool_w), row-major."""
    N, C, H, W = x.shape
    OH = conv_output_size(H, pool_h, stride, 0)
    OW = conv_output_size(W, pool_w, stride, 0)
    cols = [
        x[:, :, i : i + stride * OH : stride, j : j + stride * OW : stride]
        for i in range(pool_h)
        for j in range(pool_w)
    ]
    return np.stack(cols, axis=-1)


def max_pool(x, pool_h, pool_w, stride=2, pad=0):
    """Max pooling; padding (as in the book's im2col) adds zeros. The suites grade pad=0 only."""
    return pool_windows(zero_pad(x, pad), pool_h, pool_w, stride).max(axis=-1)


def binary_cross_entropy(x, t):
    """Mean binary cross-entropy of sigmoid(x) against 0/1 labels t, without overflow."""
    return np.mean(np.logaddexp(0.0, x) - t * x)


def binary_cross_entropy_book(x, t, delta=1e-7):
    """The same loss written the book's way (``cross_entropy_error`` of chapter 4, for two classes):
    log(y + delta) keeps log(0) finite, so a term is at most -log(1e-7) = 16.1 where the exact one grows as |x|."""
    y = sigmoid(x)
    return -np.sum(t * np.log(y + delta) + (1 - t) * np.log(1 - y + delta)) / t.shape[0]


# -- the exact gradients of the functions tests hand to student code (functions.py) ------------
# Worked out by hand and run by the judge only: the student's process gets the functions' values,
# never these (see functions.py). The judge needs neither a numerical gradient nor a descent loop.

def _bowl_gradient(x):
    return np.arange(1.0, x.size + 1.0).reshape(x.shape) * x


def _coupled_gradient(x):
    flat = x.reshape(-1)
    weights = np.arange(1.0, flat.size + 1.0)
    grad = weights * np.cos(flat) + np.sum(flat)
    grad[:-1] += flat[1:]
    grad[1:] += flat[:-1]
    return grad.reshape(x.shape)


GRADIENTS = {
    "square_scaled": lambda x: 2.4 * x,
    "function_2": lambda x: 2.0 * x,
    "apple_price": lambda x: np.array([x[1] * x[2], x[0] * x[2], x[0] * x[1]]),
    "bowl": _bowl_gradient,
    "coupled": _coupled_gradient,
}
