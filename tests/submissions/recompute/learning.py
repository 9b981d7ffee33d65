"""Learning, with a SigmoidWithLoss whose backward runs forward twice on what it kept (the limit allowed)."""
import numpy as np


def sigmoid(x):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


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
        self.x = self.t = self.y = None

    def forward(self, x, t):
        self.x, self.t = x, t
        self.y = sigmoid(x)
        return np.mean(np.logaddexp(0.0, x) - t * x)

    def backward(self, dout=1):
        self.forward(self.x, self.t)
        self.forward(self.x, self.t)  # twice: still a recomputation, not a numerical gradient
        return (self.y - self.t) * dout / self.t.shape[0]
