"""Numerical checking: tolerances admit float32 and the book's 1e-7, reject real bugs, and name the index."""
import numpy as np
import pytest

from builtin_course import course_module
from grader.judge.gradcheck import Mismatch, as_array, check_gradient, expect_close, numeric_vjp, numerical_gradient, unpack
from grader.sandbox.errors import Unsupported

ref = course_module("reference")


def test_float32_results_pass():
    rng = np.random.default_rng(0)
    expected = rng.standard_normal((4, 5, 6))
    expect_close("dx", expected.astype(np.float32), expected)


def test_book_log_delta_in_the_loss_passes():
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    y = ref.softmax(x)
    book_loss = -np.sum(np.log(y[np.arange(5), t] + 1e-7)) / 5
    expect_close("loss", book_loss, ref.softmax_with_loss(x, t))


@pytest.mark.parametrize("factor", [0.5, 2.0, -1.0, 1.01])
def test_scaled_gradients_fail(factor):
    expected = np.random.default_rng(2).standard_normal((3, 4))
    with pytest.raises(Mismatch):
        expect_close("dW", expected * factor, expected)


def test_message_names_array_index_expected_and_got():
    expected = np.zeros((2, 3, 4))
    got = expected.copy()
    got[1, 2, 3] = 0.5
    expected[0, 0, 0] = 1.0
    got[0, 0, 0] = 1.0
    with pytest.raises(Mismatch) as error:
        expect_close("dW", got, expected)
    message = str(error.value)
    assert "dW differs at [1, 2, 3]" in message
    assert "expected 0, got 0.5" in message
    assert "1 of 24 entries wrong" in message


def test_hint_spots_a_missing_batch_division():
    expected = np.random.default_rng(3).standard_normal((4, 3))
    with pytest.raises(Mismatch, match="4 times the right value"):
        expect_close("dx", expected * 4, expected)


def test_wrong_shape_and_transpose_are_explained():
    with pytest.raises(Mismatch, match=r"shape \(3, 2\), expected \(2, 3\).*transposed"):
        expect_close("dW", np.ones((3, 2)), np.ones((2, 3)))


def test_nan_is_reported_with_its_index():
    got = np.ones((2, 2))
    got[1, 0] = np.nan
    with pytest.raises(Mismatch, match=r"NaN at \[1, 0\]"):
        expect_close("dx", got, np.ones((2, 2)))


def test_values_that_are_not_numbers_fail_with_their_type():
    with pytest.raises(Mismatch, match="dict"):
        as_array(Unsupported("dict"), "dx")
    with pytest.raises(Mismatch, match="should return 2 values; it returned float"):
        unpack(1.5, 2, "MulLayer.backward")


def test_scalar_and_one_element_array_are_interchangeable():
    expect_close("dtax", np.array([200.0]), 200.0)
    expect_close("db", 5.0, np.array([5.0]))


def test_numerical_gradient_of_convolution_matches_the_sum_rule():
    rng = np.random.default_rng(4)
    x, W, b = rng.standard_normal((1, 1, 4, 4)), rng.standard_normal((1, 1, 2, 2)), np.zeros(1)
    dout = rng.standard_normal((1, 1, 3, 3))
    grad = numerical_gradient(lambda w: np.sum(ref.convolution(x, w, b) * dout), W.copy())
    exact = np.array([[np.sum(x[0, 0, i:i + 3, j:j + 3] * dout[0, 0]) for j in range(2)] for i in range(2)])
    np.testing.assert_allclose(grad[0, 0], exact, rtol=1e-7)


def test_large_arrays_are_checked_by_direction_and_still_name_the_index():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 40))
    f = lambda v: float(np.sum(v ** 2))
    check_gradient("dx", 2 * x, f, x, rng)
    wrong = 2 * x
    wrong[2, 17] += 1.0
    with pytest.raises(Mismatch, match=r"dx differs at \[2, 17\]"):
        check_gradient("dx", wrong, f, x, rng)


def test_numeric_vjp_backpropagates_through_a_multiply_gate():
    dx, dy = numeric_vjp(ref.mul, (100.0, 2.0), 1.1)
    assert dx == pytest.approx(2.2) and dy == pytest.approx(110.0)


def test_none_says_the_value_was_never_set():
    with pytest.raises(Mismatch, match="db is None: is it computed and returned"):
        as_array(Unsupported("NoneType"), "db")
