"""Public tests for conv_pool.py: the kernel gradient of document 004, the
small CNN of document 000 (once with the student's Convolution, once with the
student's Pooling, the judge computing every other layer), and one gradient
check each."""
import numpy as np

from grader.api import (as_array, expect_close, numerical_gradient, numeric_vjp, _, check, check_layer, distinct_values,
                        together)

from course import hints, reference as ref


DOC004_O = np.array([
    [0.51, 0.9, 0.88, 0.84, 0.05], [0.4, 0.62, 0.22, 0.59, 0.1], [0.11, 0.2, 0.74, 0.33, 0.14],
    [0.47, 0.01, 0.85, 0.7, 0.09], [0.76, 0.19, 0.72, 0.17, 0.57]])
DOC004_DELTA = np.array([[0, 0, 0.0686, 0], [0, 0.0364, 0, 0], [0, 0.0467, 0, 0], [0, 0, 0, -0.0681]])
DOC004_DW = [[0.044606, 0.094061], [0.011262, 0.068288]]

# Document 000: X = 1..36, W1 = 0.01 * I3, conv -> sigmoid -> 2x2 max-pool -> linear W2 -> sigmoid -> E
CNN_X = np.arange(1.0, 37.0).reshape(1, 1, 6, 6)
CNN_W1 = 0.01 * np.eye(3).reshape(1, 1, 3, 3)
CNN_B1 = np.zeros(1)
CNN_W2 = np.array([0.0, 0.01, 0.0, 0.01])
CNN_E = 0.12334360819368746
CNN_DW1 = [[-0.008595, -0.009144, -0.009693], [-0.011891, -0.012441, -0.012990], [-0.015188, -0.015737, -0.016287]]
CNN_E_AFTER_UPDATE = 0.12262104135599734


def cnn_after_pool(pooled):
    """The part of document 000's network after the pooling layer, down to the error E (y = 1)."""
    a2 = ref.sigmoid(pooled.reshape(1, -1) @ CNN_W2)
    return float(np.sum((1.0 - a2) ** 2) / 2)


def cnn_after_conv(l1):
    return cnn_after_pool(ref.max_pool(ref.sigmoid(l1), 2, 2, stride=2))


@check("Convolution", points=2, kind="document")
def document_kernel_gradient(student, rng):
    """Document 004: a 2x2 kernel over a 5x5 input with the printed 4x4 delta map."""
    conv = student.new("Convolution", rng.standard_normal((1, 1, 2, 2)), np.zeros(1), stride=1, pad=0)
    conv.forward(DOC004_O.reshape(1, 1, 5, 5))
    conv.backward(DOC004_DELTA.reshape(1, 1, 4, 4))
    with together():
        expect_close("dW", conv.get("dW"), np.reshape(DOC004_DW, (1, 1, 2, 2)), hint=hints.CONV["W"])
        expect_close("db", conv.get("db"), [DOC004_DELTA.sum()], hint=hints.CONV["b"])


@check("Convolution", points=2, kind="document")
def document_cnn(student, rng):
    """Document 000: dE/dW1 of the small CNN, and E after one update W1 -= dE/dW1."""
    conv = student.new("Convolution", CNN_W1, CNN_B1, stride=1, pad=0)
    l1 = as_array(conv.forward(CNN_X), _("{layer}.forward output").format(layer="Convolution"), (1, 1, 4, 4))
    expect_close("E", cnn_after_conv(l1), CNN_E)
    conv.backward(numerical_gradient(cnn_after_conv, l1.copy()))
    dW1 = expect_close("dE/dW1", conv.get("dW"), np.reshape(CNN_DW1, (1, 1, 3, 3)), hint=hints.CONV["W"])
    updated = student.new("Convolution", CNN_W1 - 1.0 * dW1, CNN_B1, stride=1, pad=0)
    expect_close(_("E after one update"), cnn_after_conv(as_array(updated.forward(CNN_X), _("{layer}.forward output").format(layer="Convolution"))),
                 CNN_E_AFTER_UPDATE)


@check("Pooling", points=3, kind="document")
def document_cnn(student, rng):
    """Document 000: dE/dW1 of the small CNN through the student's max pooling."""
    l1 = ref.convolution(CNN_X, CNN_W1, CNN_B1)
    l1a = ref.sigmoid(l1)
    pool = student.new("Pooling", 2, 2, stride=2, pad=0)
    pooled = as_array(pool.forward(l1a), _("{layer}.forward output").format(layer="Pooling"), (1, 1, 2, 2))
    expect_close("E", cnn_after_pool(pooled), CNN_E)
    dl1a = as_array(pool.backward(numerical_gradient(cnn_after_pool, pooled.copy())), _("{what} result").format(what="Pooling.backward"), l1a.shape)
    (dl1,) = numeric_vjp(ref.sigmoid, (l1,), dl1a)
    (dW1,) = numeric_vjp(lambda W: ref.convolution(CNN_X, W, CNN_B1), (CNN_W1,), dl1)
    expect_close("dE/dW1", dW1, np.reshape(CNN_DW1, (1, 1, 3, 3)), hint=hints.POOL)
    expect_close(_("E after one update"), cnn_after_conv(ref.convolution(CNN_X, CNN_W1 - dW1, CNN_B1)), CNN_E_AFTER_UPDATE)


@check("Convolution", points=2, kind="numeric")
def numeric_small(student, rng):
    """Gradient check: x (1, 2, 4, 4), W (2, 2, 3, 3), stride 1, pad 1."""
    params = {"W": rng.standard_normal((2, 2, 3, 3)), "b": rng.standard_normal(2)}
    check_layer(student, rng, "Convolution", ref.convolution, rng.standard_normal((1, 2, 4, 4)), params=params,
                options={"stride": 1, "pad": 1}, hints=hints.CONV, windows=(3, 3))


@check("Pooling", points=1, kind="numeric")
def numeric_small(student, rng):
    """Gradient check: 2x2 max pooling, stride 2, on x (1, 2, 4, 4) without ties."""
    check_layer(student, rng, "Pooling", ref.max_pool, distinct_values(rng, (1, 2, 4, 4)), args=(2, 2),
                options={"stride": 2, "pad": 0}, hints={"dx": hints.POOL}, windows=(2, 2))
