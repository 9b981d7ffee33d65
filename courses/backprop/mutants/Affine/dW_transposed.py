"""Affine.backward computes dW = dout.T @ x, the transpose of the right (D, M) gradient.

Diagnosis: transposed
"""
import numpy as np


class Affine:
    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(dout.T, self.x)
        self.db = np.sum(dout, axis=0)
        dx = dx.reshape(self.original_x_shape)
        return dx
