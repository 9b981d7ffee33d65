"""Building blocks for any course's tests.

"An error never costs points twice": in a test that chains several layers,
the layer under test is the student's object (:class:`StudentLayer`) and
every other layer is a :class:`JudgeLayer`, whose forward is the course's
reference and whose backward is the numerical derivative of that forward.
"""
from __future__ import annotations

import numpy as np

import grader.judge.diagnoses as diagnoses
from grader.judge.gradcheck import as_array, check_gradient, expect_close, numeric_vjp, together, unpack
from grader.lang import _


class JudgeLayer:
    """A layer computed by the judge: reference forward, numerical backward."""

    def __init__(self, forward):
        self._forward = forward
        self._inputs = ()

    def forward(self, *inputs):
        self._inputs = inputs
        return self._forward(*inputs)

    def backward(self, dout=1.0):
        grads = numeric_vjp(self._forward, self._inputs, dout)
        return tuple(grads) if len(grads) > 1 else grads[0]


class StudentLayer:
    """A student's object in a chain: checks what crosses to the next layer is a usable value.

    Gates take the documents' plain numbers; activation layers are only promised
    arrays, so their scalars travel as one-element arrays.
    """

    def __init__(self, layer, inputs: int):
        self._layer, self._inputs = layer, inputs

    def _arrays_for_activations(self, value):
        return np.atleast_1d(np.asarray(value, dtype=np.float64)) if self._inputs == 1 else value

    def forward(self, *inputs):
        inputs = [self._arrays_for_activations(v) for v in inputs]
        return as_array(self._layer.forward(*inputs), _("{layer}.forward output").format(layer=self._layer.class_name))

    def backward(self, dout=1.0):
        what = f"{self._layer.class_name}.backward"
        grads = self._layer.backward(self._arrays_for_activations(dout))
        if self._inputs == 1:
            return as_array(grads, _("{what} result").format(what=what))
        results = unpack(grads, self._inputs, what)
        return tuple(as_array(g, _("{what} result {index}").format(what=what, index=i)) for i, g in enumerate(results))


def binary_gate_check(student, rng, name: str, forward, shape, *, hint: str = "", check_output: bool = False) -> None:
    """Numerical gradient check of a two-input gate on arrays of ``shape`` (and of its output if asked)."""
    x, y = rng.standard_normal(shape), rng.standard_normal(shape)
    dout = rng.standard_normal(shape)
    results = student.new(name).run(("forward", x, y), ("backward", dout))
    if check_output:
        expect_close(_("{layer}.forward output").format(layer=name), results[0], forward(x, y))

    def gradients():
        return unpack(results[1], 2, f"{name}.backward")

    with together():
        check_gradient("dx", lambda: gradients()[0], lambda v: np.sum(forward(v, y) * dout), x, rng, hint=hint)
        check_gradient("dy", lambda: gradients()[1], lambda v: np.sum(forward(x, v) * dout), y, rng, hint=hint)


def away_from_zero(rng, shape, margin=0.05):
    """Normal samples pushed at least ``margin`` away from 0, where ReLU has its kink."""
    x = rng.standard_normal(shape)
    return np.where(x >= 0, x + margin, x - margin)


def distinct_values(rng, shape, gap=0.1):
    """Values that differ pairwise by at least ``gap``: no ties in any pooling window."""
    size = int(np.prod(shape))
    return (rng.permutation(size) * gap + rng.uniform(0, gap / 10, size)).reshape(shape) - size * gap / 2


def check_layer(student, rng, name: str, forward, x, *, args: tuple = (), params: dict | None = None,
                options: dict | None = None, hints: dict | None = None, check_output: bool = False,
                read_back: tuple = (), windows: tuple | None = None) -> None:
    """Gradient check of a one-input layer: ``dx`` returned by backward and ``d<param>`` attributes.

    The layer is built as ``name(*args, *params.values(), **options)`` and the
    reference is ``forward(x, *args, *params.values(), **options)``; ``params``
    (W, b) are also checked through ``self.dW``, ``self.db``; ``dout`` is random.
    ``check_output`` also compares the forward output (students may rewrite forward).
    ``read_back`` names attributes the layer sets in forward (a random ``mask``):
    they are read right after forward and given to the reference as keyword
    arguments, ``forward(x, ..., mask=layer.mask)``. ``hints`` maps ``"dx"`` and
    parameter names to the course's hint for that array.
    ``windows`` (height, width): the layer slides windows of that size over the input's last two axes, with
    ``options``' ``stride`` and ``pad``; the diagnoses then recognise mistakes where windows overlap.
    """
    params, options, hints = params or {}, options or {}, hints or {}
    if windows is not None:
        diagnoses.note_windows(np.shape(x), windows, options.get("stride", 1), options.get("pad", 0))
    values = list(params.values())
    layer = student.new(name, *args, *values, **options)
    gradients = [f"d{p}" for p in params]
    kept, answer = {}, None
    if read_back:
        first = layer.run(("forward", x), *read_back)
        kept = {attribute: as_array(first[1 + i], f"{name}.{attribute}") for i, attribute in enumerate(read_back)}

    def reference(v=x, changed=values):
        return forward(v, *args, *changed, **options, **kept)

    expected_out = reference()
    dout = rng.standard_normal(np.shape(expected_out))
    if read_back:
        rest = layer.run(("backward", dout), *gradients)
        answer = lambda i: first[0] if i == 0 else rest[i - 1]  # noqa: E731  (results read when needed)
    else:
        results = layer.run(("forward", x), ("backward", dout), *gradients)
        answer = results.__getitem__
    if check_output:
        expect_close(_("{layer}.forward output").format(layer=name), answer(0), expected_out)
    with together():
        check_gradient("dx", lambda: answer(1), lambda v: np.sum(reference(v) * dout), x, rng,
                       hint=hints.get("dx", ""))
        for i, pname in enumerate(params):
            def loss(v, i=i):
                changed = list(values)
                changed[i] = v
                return np.sum(reference(x, changed) * dout)

            check_gradient(f"d{pname}", answer(2 + i), loss, values[i], rng, hint=hints.get(pname, ""))
