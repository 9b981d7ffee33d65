"""SoftmaxWithLoss.backward returns (t - y) / N, the negated gradient.

Diagnosis: sign_flipped
"""
import numpy as np


class SoftmaxWithLoss:
    def backward(self, dout=1):
        batch_size = self.y.shape[0]
        if np.ndim(self.t) == self.y.ndim:
            t = self.t
        else:
            t = np.zeros_like(self.y)
            t[np.arange(batch_size), self.t] = 1
        dx = (t - self.y) / batch_size
        return dx * dout
