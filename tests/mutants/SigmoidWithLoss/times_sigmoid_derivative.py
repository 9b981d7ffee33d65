"""SigmoidWithLoss.backward multiplies by y (1 - y) once more, as a lone Sigmoid layer would."""
import numpy as np


def sigmoid(x):
    with np.errstate(over="ignore"):  # exp(-x) overflows to inf for x < -709; y is then 0
        return 1 / (1 + np.exp(-x))


def binary_cross_entropy(x, t):
    """Mean of -(t log y + (1 - t) log(1 - y)) with y = sigmoid(x), computed from x itself:
    per entry it is log(1 + exp(x)) - t x, which np.logaddexp evaluates without overflow."""
    return np.mean(np.logaddexp(0.0, x) - t * x)


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + h
        f_plus = f(x)
        x[idx] = original - h
        f_minus = f(x)
        x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = init_x
    for _ in range(step_num):
        x -= lr * numerical_gradient(f, x)
    return x


class SigmoidWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None  # sigmoid(x)
        self.t = None  # labels: 0 or 1, shaped like x

    def forward(self, x, t):
        self.t = t
        self.y = sigmoid(x)
        self.loss = binary_cross_entropy(x, t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = (self.y - self.t) * self.y * (1 - self.y) * dout / batch_size
        return dx
