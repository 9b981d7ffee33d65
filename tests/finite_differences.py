"""Submissions whose ``backward`` is a numerical gradient of the layer's own ``forward``.

:func:`submission` writes the course's solutions with one class's ``backward``
replaced, at the end of its module, by central differences run through
``forward`` by one of three routes (``ROUTES``): ``self.forward``, the
``forward`` of a fresh instance of the class, or ``type(self).forward``. The
replacement computes the right gradients (up to the step's error), so only
the grader's look at what ``forward`` did can tell it from the exercise.
``SIDE_ROUTES`` reach ``MulLayer.forward`` in ways meant to get around a
watch on the attribute: the class ``__dict__``, references kept before
grading, ``__wrapped__``, a function rebuilt from its code.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from builtin_course import ASSIGNMENT_OF, ASSIGNMENTS, SOLUTIONS

ROUTES = {
    "self": "fwd = self.forward",
    "instance": "fwd = {fresh}.forward",
    "class": "fwd = lambda *inputs: type(self).forward(self, *inputs)",
}
# route -> (the line that sets ``fwd``, module-level code appended after the class is complete)
SIDE_ROUTES = {
    "class_dict": ('fwd = lambda *inputs: vars(type(self))["forward"](self, *inputs)', ""),
    "kept_at_import": ("fwd = lambda *inputs: _KEPT(self, *inputs)", "_KEPT = MulLayer.forward"),
    "closure": ("fwd = lambda *inputs: _CLOSED(self, *inputs)",
                "def _closing(f):\n    return lambda *inputs: f(*inputs)\n\n\n_CLOSED = _closing(MulLayer.forward)"),
    "wrapped": ("fwd = lambda *inputs: type(self).forward.__wrapped__(self, *inputs)",
                "import functools\n\n\ndef _logged(f):\n    @functools.wraps(f)\n    def logged(*a):\n"
                "        return f(*a)\n    return logged\n\n\nMulLayer.forward = _logged(MulLayer.forward)"),
    "method_func": ("fwd = lambda *inputs: self.forward.__func__(self, *inputs)", ""),
    "rebuilt": ("fwd = types.FunctionType(type(self).forward.__code__, globals()).__get__(self)", "import types"),
}
# how a fresh instance of each class is made, from the attributes the solution keeps
FRESH = {
    "MulLayer": "type(self)()",
    "AddLayer": "type(self)()",
    "Relu": "type(self)()",
    "Sigmoid": "type(self)()",
    "Affine": "type(self)(self.W, self.b)",
    "Convolution": "type(self)(self.W, self.b, self.stride, self.pad)",
    "Pooling": "type(self)(self.pool_h, self.pool_w, self.stride, self.pad)",
    "SoftmaxWithLoss": "type(self)()",
}

HELPER = '''

import numpy as _np


def _entrywise(run, value, dout, h=1e-5):
    """d sum(run() * dout) / d value by central differences, changing ``value`` in place entry by entry."""
    grad = _np.zeros(value.shape)
    flat, flat_grad = value.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        plus = _np.sum(run() * dout)
        flat[i] = old - h
        minus = _np.sum(run() * dout)
        flat[i] = old
        flat_grad[i] = (plus - minus) / (2 * h)
    return grad
'''

# the replacement backward of each class, after "{route}" has set ``fwd``
BACKWARDS = {
    "MulLayer": '''
def _backward(self, dout):
    {route}
    x, y, h = self.x, self.y, 1e-5
    dx = (fwd(x + h, y) - fwd(x - h, y)) / (2 * h) * dout
    dy = (fwd(x, y + h) - fwd(x, y - h)) / (2 * h) * dout
    self.forward(x, y)
    return dx, dy
''',
    "AddLayer": '''
def _backward(self, dout):
    {route}
    (x, y), h = self.last, 1e-5
    dx = (fwd(x + h, y) - fwd(x - h, y)) / (2 * h) * dout
    dy = (fwd(x, y + h) - fwd(x, y - h)) / (2 * h) * dout
    return dx, dy


def _forward(self, x, y):
    self.last = (x, y)
    return x + y


AddLayer.forward = _forward
''',
    "Relu": '''
def _backward(self, dout):
    {route}
    x, h = self.x, 1e-5
    dx = (fwd(x + h) - fwd(x - h)) / (2 * h) * dout
    self.forward(x)
    return dx


def _forward(self, x):
    self.x = x
    self.mask = x <= 0
    out = x.copy()
    out[self.mask] = 0
    return out


Relu.forward = _forward
''',
    "Sigmoid": '''
def _backward(self, dout):
    {route}
    x, h = self.x, 1e-5
    dx = (fwd(x + h) - fwd(x - h)) / (2 * h) * dout
    self.forward(x)
    return dx


def _forward(self, x):
    self.x = x
    with _np.errstate(over="ignore"):
        self.out = 1 / (1 + _np.exp(-x))
    return self.out


Sigmoid.forward = _forward
''',
    "Affine": '''
def _backward(self, dout):
    {route}
    x = self.x.reshape(self.original_x_shape).copy()
    dx = _entrywise(lambda: fwd(x), x, dout)
    self.dW = _entrywise(lambda: fwd(x), self.W, dout)
    self.db = _entrywise(lambda: fwd(x), self.b, dout)
    self.forward(x)
    return dx
''',
    "Convolution": '''
def _backward(self, dout):
    {route}
    x = self.x.copy()
    dx = _entrywise(lambda: fwd(x), x, dout)
    self.dW = _entrywise(lambda: fwd(x), self.W, dout)
    self.db = _entrywise(lambda: fwd(x), self.b, dout)
    self.forward(x)
    return dx
''',
    "Pooling": '''
def _backward(self, dout):
    {route}
    x = self.x.copy()
    dx = _entrywise(lambda: fwd(x), x, dout)
    self.forward(x)
    return dx
''',
    "SoftmaxWithLoss": '''
def _backward(self, dout=1):
    {route}
    x, t = self.x.copy(), self.t
    dx = _entrywise(lambda: fwd(x, t), x, dout)
    self.forward(x, t)
    return dx


def _forward(self, x, t):
    self.x, self.t = x, t
    self.y = softmax(x)
    self.loss = cross_entropy_error(self.y, t)
    return self.loss


SoftmaxWithLoss.forward = _forward
''',
}


def backward_source(layer: str, route: str) -> str:
    """The text appended to the layer's module: the numerical backward, set on the class."""
    line, after = SIDE_ROUTES[route] if route in SIDE_ROUTES else (ROUTES[route], "")
    code = BACKWARDS[layer].replace("{route}", line.replace("{fresh}", FRESH[layer]))
    return HELPER + code + f"\n\n{layer}.backward = _backward\n\n\n{after}\n"


def submission(folder: Path, layer: str, route: str) -> Path:
    """The solutions, with ``layer.backward`` replaced by finite differences through ``route``."""
    for module in ASSIGNMENTS:
        shutil.copy(SOLUTIONS / f"{module}.py", folder / f"{module}.py")
    module = folder / f"{ASSIGNMENT_OF[layer]}.py"
    module.write_text(module.read_text(encoding="utf-8") + backward_source(layer, route), encoding="utf-8")
    return folder
