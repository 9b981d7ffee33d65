"""Numerical gradients, array comparison, and the messages a student reads.

Everything here runs in the judge. A test compares what the student's code
returned (already decoded to plain numbers and arrays) against an expected
value and raises :class:`Mismatch` with a message that names the array, the
first wrong index, expected vs got, and a hint.

Tolerances: an entry passes when ``|got - expected| <= RTOL * |expected| +
ATOL * scale``, where ``scale`` is the largest magnitude in the expected array.
That admits float32 arithmetic (about 1e-7 relative per operation, summed over
a few hundred terms) and the book's ``log(y + 1e-7)``, while every real bug
seen in student code is off by far more. ``scale`` is never below 1e-8, so an
expected array of zeros still has a tolerance.

Every tolerance is taken from the expected values, never from the student's:
a huge answer cannot widen its own tolerance. Sums and norms are computed
after dividing by the largest entry, so entries near 1e300 or 1e-300 neither
overflow nor underflow, and every test is written as "passes only if the
error is within the bound", so a NaN born anywhere in the arithmetic fails.
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np

from grader.judge.diagnoses import Diagnosis, detect, from_shape, picture_arrays, render, swapped
from grader.lang import _, each
from grader.judge.memo import remembered
from grader.sandbox.errors import Unsupported

RTOL = 1e-4
ATOL = 1e-5
STEP = 1e-6
ELEMENTWISE_LIMIT = 32  # larger arrays are checked along random directions first
DIRECTIONS = 4
MAGNITUDE = 10.0  # a directional check trusts no gradient this many times larger than the expected one


class Mismatch(AssertionError):
    """A wrong answer. ``str()`` is the student-facing message.

    ``diagnosis`` is the same finding as data (see :mod:`grader.judge.diagnoses`);
    ``arrays`` holds the expected and returned arrays of a value check, when
    small enough to draw in a report.
    """

    def __init__(self, message: str, diagnosis: Diagnosis | None = None, arrays: dict | None = None, *,
                 finding: str = "", hint: str = ""):
        super().__init__(message)
        self.diagnosis = diagnosis
        self.arrays = arrays
        self.finding = finding or message  # what is wrong, before any hint
        self.hint = hint  # the course's hint, translated


@dataclass
class _Checked:
    """An array checked inside :class:`together` that did not match."""

    what: str
    got: np.ndarray | None
    expected: np.ndarray | None
    mismatch: Mismatch


_together: ContextVar[list | None] = ContextVar("checked_together", default=None)


class together:
    """``with together():`` the arrays of one reply are all checked before a mismatch is raised.

    Inside, :func:`expect_close` and :func:`check_gradient` note a wrong array
    and go on (returning what they got); at the end the first wrong array's
    mismatch is raised, its diagnosis covering the whole reply: two arrays that
    each hold the other's right value are ``swapped_inputs``, and arrays with the
    same mistake are named in ``params["arrays"]``, so one mistake is one
    diagnosis however many arrays show it. Only for checks that do not depend on
    each other: a value checked here is the student's, right or wrong.
    """

    def __enter__(self):
        self._found: list[_Checked] = []
        self._token = _together.set(self._found)
        return self

    def __exit__(self, kind, error, traceback):
        _together.reset(self._token)
        if isinstance(error, Mismatch):
            self._found.append(_Checked("", None, None, error))
        elif error is not None and not self._found:
            return False
        if self._found:
            raise _grouped(self._found) from None
        return False


def _fail(mismatch: Mismatch, what: str, got=None, expected=None):
    """Raise ``mismatch``, or note it when arrays are checked :class:`together` (then return ``got``)."""
    found = _together.get()
    if found is None:
        raise mismatch
    found.append(_Checked(what, got, expected, mismatch))
    return got


def _grouped(found: list[_Checked]) -> Mismatch:
    """One mismatch for the wrong arrays of a reply: the first one's, its diagnosis covering the others."""
    first = found[0].mismatch
    pair = swapped([(c.what, c.got, c.expected, c.mismatch.diagnosis) for c in found if c.got is not None])
    if pair is not None:
        lead = next(c.mismatch for c in found if c.what == pair.array)
        return _with_hint(lead, pair)
    code = first.diagnosis.code if first.diagnosis else None
    same = list(dict.fromkeys(c.mismatch.diagnosis.array or c.what for c in found
                              if c.mismatch.diagnosis and c.mismatch.diagnosis.code == code))
    others = [c.what for c in found[1:] if c.what and c.what not in same
              and not (c.mismatch.diagnosis and c.mismatch.diagnosis.code == code)]
    message = str(first)
    if len(same) > 1:
        message += " " + _("The same mistake in {arrays}.").format(arrays=each(same[1:]))
    if others:
        message += " " + _("Also wrong: {arrays}.").format(arrays=each(others))
    diagnosis = first.diagnosis
    if diagnosis is not None and len(same) > 1:
        diagnosis = replace(diagnosis, params={**diagnosis.params, "arrays": same})
    return Mismatch(message, diagnosis, first.arrays, finding=first.finding, hint=first.hint)


def _with_hint(mismatch: Mismatch, diagnosis: Diagnosis) -> Mismatch:
    """``mismatch`` with the hint of ``diagnosis`` instead of its own (the course's hint kept)."""
    tips = " ".join(t for t in (render(diagnosis), mismatch.hint) if t)
    message = _("{message} Hint: {hint}").format(message=mismatch.finding, hint=tips) if tips else mismatch.finding
    return Mismatch(message, diagnosis, mismatch.arrays, finding=mismatch.finding, hint=mismatch.hint)


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def _index(idx) -> str:
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def as_array(value, what: str, shape: tuple | None = None) -> np.ndarray:
    """Turn a decoded value into a float64 array of ``shape``, or explain why not."""
    if isinstance(value, Unsupported) and value.type_name == "NoneType":
        raise Mismatch(_("{what} is None: is it computed and returned (or stored, for self.dW and self.db) "
                         "in backward?").format(what=what), Diagnosis("none", what))
    if isinstance(value, Unsupported):
        detail = f" ({value.detail})" if value.detail else ""  # worded by the sandbox, in the report's language
        raise Mismatch(
            _("{what} is a {type}{detail}; expected a number or a numpy array").format(
                what=what, type=value.type_name, detail=detail),
            Diagnosis("wrong_type", what, {"type": value.type_name}),
        )
    if isinstance(value, tuple):
        raise Mismatch(
            _("{what} is a tuple of {count} values; expected a single number or array").format(
                what=what, count=len(value)),
            Diagnosis("wrong_type", what, {"type": "tuple", "count": len(value)}),
        )
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise Mismatch(_("{what} has dtype {dtype}; expected numbers").format(what=what, dtype=arr.dtype),
                       Diagnosis("wrong_type", what, {"dtype": str(arr.dtype)}))
    arr = arr.astype(np.float64)
    if shape is not None and arr.shape != tuple(shape):
        if arr.size == 1 and int(np.prod(shape)) == 1:
            arr = arr.reshape(shape)
        else:
            diagnosis = from_shape(what, arr.shape, tuple(shape))
            tip = "" if diagnosis.code == "wrong_shape" else render(diagnosis)
            hint = " " + _("Hint: {hint}").format(hint=tip) if tip else ""
            raise Mismatch(_("{what} has shape {got}, expected {expected}.").format(
                what=what, got=arr.shape, expected=tuple(shape)) + hint, diagnosis)
    bad = ~np.isfinite(arr)
    if bad.any():
        first = np.argwhere(bad)[0] if arr.ndim else ()
        kind = "NaN" if np.isnan(arr[tuple(first)]) else "inf"
        diagnosis = Diagnosis("nan_or_inf", what, {"kind": kind, "count": int(bad.sum()), "size": int(arr.size),
                                                   "first": [int(i) for i in first]})
        text = (_("{what} contains {kind} at {index} ({count} of {size} entries).") if arr.ndim
                else _("{what} is {kind}."))
        tip = render(diagnosis)
        raise Mismatch(
            text.format(what=what, kind=kind, index=_index(first), count=int(bad.sum()), size=arr.size)
            + (" " + _("Hint: {hint}").format(hint=tip) if tip else ""),
            diagnosis,
        )
    return arr


def _as_array_with_hint(value, what: str, shape: tuple, hint: str) -> np.ndarray:
    try:
        return as_array(value, what, shape)
    except Mismatch as error:
        if not hint:
            raise
        text, hint = str(error), _(hint)
        raise Mismatch(f"{text} {hint}" if _("Hint:") in text else _("{message} Hint: {hint}").format(
            message=text, hint=hint), error.diagnosis, error.arrays) from None


def unpack(value, count: int, what: str) -> tuple:
    """Check that ``value`` is a tuple or list of ``count`` items, e.g. ``(dx, dy)``."""
    if not isinstance(value, tuple):
        got = value.type_name if isinstance(value, Unsupported) else type(value).__name__
        if isinstance(value, np.ndarray):
            got = _("one array of shape {shape}").format(shape=value.shape)
        raise Mismatch(_("{what} should return {count} values; it returned {got}").format(
                           what=what, count=count, got=got),
                       Diagnosis("wrong_count", what, {"expected": count, "got": 1}))
    if len(value) != count:
        raise Mismatch(_("{what} should return {count} values; it returned {got}").format(
                           what=what, count=count, got=len(value)),
                       Diagnosis("wrong_count", what, {"expected": count, "got": len(value)}))
    return value


def diagnose(got: np.ndarray, expected: np.ndarray, what: str = "") -> Diagnosis:
    """A guess at the mistake behind a mismatch, as data; :func:`grader.judge.diagnoses.render` words it."""
    return detect(what, got, expected)


@np.errstate(all="ignore")
def expect_close(
    what: str,
    got,
    expected,
    *,
    hint: str = "",
    rtol: float = RTOL,
    atol: float = ATOL,
) -> np.ndarray:
    """Compare a student value with the expected one; raise :class:`Mismatch` naming the first bad index."""
    expected = np.asarray(expected, dtype=np.float64)
    try:
        got = _as_array_with_hint(got, what, expected.shape, hint)
    except Mismatch as wrong:
        return _fail(wrong, what)
    scale = float(np.abs(expected).max()) if expected.size else 0.0
    error = np.abs(got - expected)  # inf when the difference overflows: still a failure
    bad = ~(error <= rtol * np.abs(expected) + atol * max(scale, 1e-8))
    if not bad.any():
        return got
    rel = error / np.maximum(np.maximum(np.abs(got), np.abs(expected)), 1e-12)
    if expected.ndim == 0:
        msg = _("{what} is wrong: expected {expected}, got {got}.").format(
            what=what, expected=_fmt(expected), got=_fmt(got))
    else:
        first = tuple(np.argwhere(bad)[0])
        msg = _("{what} differs at {index}: expected {expected}, got {got} ({count} of {size} entries wrong, "
                "max relative error {error}).").format(
            what=what, index=_index(first), expected=_fmt(expected[first]), got=_fmt(got[first]),
            count=int(bad.sum()), size=bad.size, error=_fmt(rel.max()))
    diagnosis = diagnose(got, expected, what)
    course_hint = _(hint) if hint else ""
    tips = " ".join(t for t in (render(diagnosis), course_hint) if t)
    return _fail(Mismatch(_("{message} Hint: {hint}").format(message=msg, hint=tips) if tips else msg, diagnosis,
                          picture_arrays(got, expected, bad), finding=msg, hint=course_hint), what, got, expected)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, step: float = STEP) -> np.ndarray:
    """Central differences of a scalar function, entry by entry (x is restored afterwards)."""
    grad = np.zeros_like(x, dtype=np.float64)
    flat, g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + step
        up = f(x)
        flat[i] = keep - step
        down = f(x)
        flat[i] = keep
        g[i] = (up - down) / (2 * step)
    return grad


def scaled_norm(values: np.ndarray) -> float:
    """The Euclidean norm, computed after dividing by the largest entry so no square overflows or underflows."""
    peak = float(np.max(np.abs(values))) if values.size else 0.0
    if peak == 0.0 or not np.isfinite(peak):
        return peak
    return peak * float(np.sqrt(np.sum(np.square(values / peak))))


def _scaled_dot(a: np.ndarray, b: np.ndarray) -> float:
    """``sum(a * b)``; an overflowing result is +-inf, never NaN."""
    peak = float(np.max(np.abs(a))) if a.size else 0.0
    if peak == 0.0:
        return 0.0
    return peak * float(np.sum((a / peak) * b))


@np.errstate(all="ignore")
def _directional_derivatives(f, x, directions, step=STEP) -> np.ndarray:
    return np.array([(f(x + step * v) - f(x - step * v)) / (2 * step) for v in directions], dtype=np.float64)


@np.errstate(all="ignore")
def _directions_agree(numerics, directions, got) -> bool:
    """Whether ``got`` matches the numerical derivatives along a few random directions.

    The tolerance comes from the expected gradient's size, estimated from the
    numerical directional derivatives (for a standard normal ``v``, the mean
    of ``(g . v)**2`` is ``|g|**2``), so a huge ``got`` cannot widen it; a
    ``got`` far larger than that estimate is not trusted here at all. False
    only means "look entry by entry", which names the first wrong index.
    """
    if not np.all(np.isfinite(numerics)):
        return False
    expected_norm = scaled_norm(numerics) / np.sqrt(DIRECTIONS)
    if not scaled_norm(got) <= MAGNITUDE * expected_norm:
        return False
    for v, numeric in zip(directions, numerics):
        analytic = _scaled_dot(got, v)
        bound = RTOL * abs(numeric) + ATOL * max(expected_norm * scaled_norm(v), 1e-8)
        if not abs(analytic - numeric) <= bound:
            return False
    return True


def check_gradient(what: str, got, f: Callable[[np.ndarray], float], x: np.ndarray, rng, *, hint: str = "") -> None:
    """Check ``got`` against the numerical gradient of the scalar function ``f`` at ``x``.

    Small arrays are differentiated entry by entry. Large ones are first checked
    along a few random directions (a cost independent of their size); only when
    that fails is the full gradient computed, so the message can name an index.
    ``got`` may also be a function returning the value: it is called once the
    numerical values are computed (the student's process works meanwhile).
    """
    x = np.array(x, dtype=np.float64)
    if x.size > ELEMENTWISE_LIMIT:
        directions = [rng.standard_normal(x.shape) for _ in range(DIRECTIONS)]
        numerics = remembered(_directional_derivatives, f, x, directions)
        try:
            got = got() if callable(got) else got
            arr = _as_array_with_hint(got, what, x.shape, hint)
        except Mismatch as wrong:
            _fail(wrong, what)
            return
        if _directions_agree(numerics, directions, arr):
            return
    expected = remembered(numerical_gradient, f, x)
    try:
        got = got() if callable(got) else got
    except Mismatch as wrong:
        _fail(wrong, what)
        return
    expect_close(what, got, expected, hint=hint)


def numeric_vjp(forward: Callable, inputs: Sequence, dout) -> list:
    """Gradients of ``sum(forward(*inputs) * dout)`` with respect to each input.

    This is how a test backpropagates through the layers that are *not* under
    test: their reference forward pass, differentiated numerically, so a
    student's mistake in one layer never costs points in another.
    """
    arrays = [np.array(v, dtype=np.float64) for v in inputs]
    dout = np.asarray(dout, dtype=np.float64)
    grads = []
    for k in range(len(arrays)):
        def f(value, k=k):
            args = list(arrays)
            args[k] = value
            return float(np.sum(forward(*args) * dout))

        grads.append(remembered(numerical_gradient, f, arrays[k].copy()))
    return [g if g.ndim else float(g) for g in grads]
