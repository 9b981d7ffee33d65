"""learning.py with plain Python loops over flat indices."""
import math

import numpy as np


def numerical_gradient(f, x):
    h = 1e-4
    flat = x.reshape(-1)  # a view: writing flat[i] writes x
    grad = [0.0] * flat.size
    for i in range(flat.size):
        saved = float(flat[i])
        flat[i] = saved + h
        above = float(f(x))
        flat[i] = saved - h
        below = float(f(x))
        flat[i] = saved
        grad[i] = (above - below) / (2 * h)
    return np.array(grad).reshape(x.shape)


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = init_x.copy()
    step = 0
    while step < step_num:
        g = numerical_gradient(f, x)
        x = x - lr * g
        step += 1
    return x


class SigmoidWithLoss:
    def forward(self, x, t):
        self.x_shape = x.shape
        xs, ts = x.reshape(-1), t.reshape(-1)
        self.y = [1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v)) for v in xs]
        self.t = [float(v) for v in ts]
        losses = [max(v, 0) + math.log1p(math.exp(-abs(v))) - tv * v for v, tv in zip(xs, ts)]
        return sum(losses) / len(losses)

    def backward(self, dout=1):
        n = self.x_shape[0]
        return np.array([(y - t) / n for y, t in zip(self.y, self.t)]).reshape(self.x_shape)
