"""SoftmaxWithLoss.backward returns y - t without dividing by the batch size.

Diagnosis: missing_batch_mean
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
        dx = self.y - t
        return dx * dout
