"""Property tests of the comparator: no overflow, underflow, NaN or dtype can make a check pass.

The property, for ``expect_close``: a check passes exactly when the answer is
finite, has the expected shape, and every entry is within the documented
tolerance ``RTOL * |expected| + ATOL * max(scale, 1e-8)`` of the expected
value, worked out here in exact rational arithmetic (so the oracle cannot
share a float bug with the code it checks). For ``check_gradient`` on arrays
large enough to be checked along random directions: a pass means a finite
answer whose distance from the true gradient is within a small multiple of
that tolerance, and honest answers (float32 rounding, tiny noise) always pass.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.judge.gradcheck import ATOL, ELEMENTWISE_LIMIT, RTOL, Mismatch, check_gradient, expect_close

FUZZ = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

EXPONENTS = st.integers(-300, 300)
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
DTYPES = st.sampled_from([np.float16, np.float32, np.float64, np.int8, np.int32, np.int64, np.uint8, np.bool_])
SPECIAL = st.sampled_from([np.nan, np.inf, -np.inf])


@st.composite
def expected_arrays(draw, shape=SHAPES):
    """Finite float64 arrays whose entries spread over magnitudes from 1e-300 to 1e300."""
    shape = draw(shape)
    mantissas = draw(hnp.arrays(np.float64, shape, elements=st.floats(-10, 10, allow_nan=False)))
    exponent = draw(EXPONENTS)
    spread = draw(hnp.arrays(np.int64, shape, elements=st.integers(-3, 3)))
    return mantissas * np.power(10.0, np.clip(exponent + spread, -300, 300))


def within_tolerance(got: np.ndarray, expected: np.ndarray, slack: Fraction = Fraction(0)) -> bool | None:
    """The documented tolerance, exactly: True, False, or None when too close to the edge to call.

    A single number and a one-element array of any shape are interchangeable, as documented.
    """
    if got.size == 1 and expected.size == 1:
        got = got.reshape(expected.shape)
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return False
    exact_expected = [Fraction(float(e)) for e in expected.ravel()]
    scale = max((abs(e) for e in exact_expected), default=Fraction(0))
    floor = max(scale, Fraction(1e-8))
    verdict = True
    for g, e in zip((Fraction(float(v)) for v in got.ravel()), exact_expected):
        bound = Fraction(RTOL) * abs(e) + Fraction(ATOL) * floor
        error = abs(g - e)
        if error > bound * (1 + Fraction(1, 10**9)):
            return False
        if error > bound * (1 - Fraction(1, 10**9)):
            verdict = None
    return verdict


def passes(what, got, expected) -> bool:
    try:
        expect_close(what, got, expected)
    except Mismatch:
        return False
    return True


@st.composite
def answers(draw, expected):
    """Something a student could return for ``expected``: near it, far from it, huge, tiny, NaN, any dtype."""
    kind = draw(st.sampled_from(["exact", "relative", "scaled", "constant", "special", "dtype", "shape"]))
    if kind == "exact":
        got = expected.copy()
    elif kind == "relative":
        noise = draw(hnp.arrays(np.float64, expected.shape, elements=st.floats(-1, 1)))
        got = expected * (1 + noise * 10.0 ** draw(st.integers(-9, 0)))
    elif kind == "scaled":
        with np.errstate(all="ignore"):
            got = expected * np.power(10.0, draw(st.integers(-320, 320)))
    elif kind == "constant":
        got = np.full(expected.shape, draw(st.sampled_from([0.0, 1e200, -1e300, 1e-300, 1.7e308, 5e-324])))
    elif kind == "special":
        got = expected.copy()
        flat = got.reshape(-1)
        flat[draw(st.integers(0, flat.size - 1))] = draw(SPECIAL)
    elif kind == "dtype":
        with np.errstate(all="ignore"):
            got = expected.astype(draw(DTYPES))
    else:
        got = np.zeros(draw(SHAPES))
    return got


@FUZZ
@given(st.data())
def test_expect_close_passes_only_finite_answers_within_the_documented_tolerance(data):
    expected = data.draw(expected_arrays())
    got = data.draw(answers(expected))
    verdict = within_tolerance(np.asarray(got, dtype=np.float64), expected)
    assume(verdict is not None)
    assert passes("dx", got, expected) == verdict


@FUZZ
@given(expected_arrays(), SPECIAL, st.data())
def test_a_single_nan_or_inf_anywhere_fails(expected, special, data):
    got = expected.copy().reshape(-1)
    got[data.draw(st.integers(0, got.size - 1))] = special
    assert not passes("dx", got.reshape(expected.shape), expected)


@FUZZ
@given(expected_arrays(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6)))
def test_honest_float32_rounding_passes(expected):
    assume(np.all(np.abs(expected) < 1e38) and np.all((expected == 0) | (np.abs(expected) > 1e-30)))
    assert passes("dW", expected.astype(np.float32), expected)


# -- gradients checked along random directions ------------------------------------


def linear_loss(gradient: np.ndarray):
    """A scalar function whose exact gradient everywhere is ``gradient``."""
    return lambda v: float(np.sum(gradient * v))


@st.composite
def gradient_problems(draw):
    size = draw(st.integers(ELEMENTWISE_LIMIT + 1, 120))
    exponent = draw(st.integers(-150, 150))
    mantissas = draw(hnp.arrays(np.float64, size, elements=st.floats(-10, 10, allow_nan=False)))
    assume(np.any(np.abs(mantissas) > 1e-3))
    gradient = mantissas * 10.0 ** exponent
    x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).standard_normal(size)
    return gradient, x, draw(st.integers(0, 2**32 - 1))


def gradient_passes(got, gradient, x, seed) -> bool:
    try:
        check_gradient("dx", got, linear_loss(gradient), x, np.random.default_rng(seed))
    except Mismatch:
        return False
    return True


@FUZZ
@given(gradient_problems(), st.data())
def test_a_passing_gradient_is_finite_and_close_to_the_true_one(problem, data):
    gradient, x, seed = problem
    with np.errstate(all="ignore"):
        got = data.draw(answers(gradient))
    if not gradient_passes(got, gradient, x, seed):
        return
    got = np.asarray(got, dtype=np.float64)
    assert got.shape == gradient.shape and np.all(np.isfinite(got))
    scale = max(np.max(np.abs(gradient)), 1e-8)  # the documented floor: zeros still have a tolerance
    # the magnitude of every entry stays near the expected scale, whatever the directions drawn
    assert np.max(np.abs(got)) <= 2 * scale
    distance = np.max(np.abs(got - gradient)) / scale
    assert distance <= 1000 * (ATOL + RTOL), distance


@FUZZ
@given(gradient_problems(), st.sampled_from(["float32", "noise", "exact"]))
def test_honest_gradients_pass_at_every_magnitude(problem, honesty):
    gradient, x, seed = problem
    if honesty == "float32":
        assume(np.max(np.abs(gradient)) < 1e37 and np.min(np.abs(gradient[gradient != 0]), initial=1) > 1e-30)
        got = gradient.astype(np.float32)
    elif honesty == "noise":
        got = gradient * (1 + 1e-8 * np.random.default_rng(seed).standard_normal(gradient.shape))
    else:
        got = gradient.copy()
    assert gradient_passes(got, gradient, x, seed)


@pytest.mark.parametrize("value", [1e200, -1e200, 1e300, 1.7e308, 1e-200])
def test_a_constant_gradient_of_any_size_fails(value):
    rng = np.random.default_rng(0)
    gradient, x = rng.standard_normal(100), rng.standard_normal(100)
    assert not gradient_passes(np.full(100, value), gradient, x, 1)


def test_opposite_huge_entries_cannot_cancel_into_a_pass():
    """+1e308 and -1e308 overflow to inf - inf = NaN in a plain dot product."""
    rng = np.random.default_rng(3)
    gradient, x = rng.standard_normal(64), rng.standard_normal(64)
    got = np.where(np.arange(64) % 2, 1.7e308, -1.7e308)
    assert not gradient_passes(got, gradient, x, 2)
