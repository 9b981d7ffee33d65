"""Activations computed element by element with plain loops."""
import math

import numpy as np


class Relu:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = np.array(x, dtype=float)
        out = np.zeros_like(self.x)
        for idx in np.ndindex(self.x.shape):
            if self.x[idx] > 0:
                out[idx] = self.x[idx]
        return out

    def backward(self, dout):
        dout = np.asarray(dout, dtype=float)
        dx = np.zeros_like(self.x)
        for idx in np.ndindex(self.x.shape):
            if self.x[idx] > 0:
                dx[idx] = dout[idx]
        return dx


def _sigmoid(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        x = np.array(x, dtype=float)
        self.out = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            self.out[idx] = _sigmoid(x[idx])
        return self.out.copy()

    def backward(self, dout):
        dout = np.asarray(dout, dtype=float)
        dx = np.zeros_like(self.out)
        for idx in np.ndindex(self.out.shape):
            s = self.out[idx]
            dx[idx] = dout[idx] * s * (1.0 - s)
        return dx
