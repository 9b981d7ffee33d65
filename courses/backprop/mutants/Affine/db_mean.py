"""Affine.backward sets db to the batch mean of dout instead of the sum.

Diagnosis: missing_batch_sum
"""
import numpy as np


class Affine:
    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.mean(dout, axis=0)
        dx = dx.reshape(self.original_x_shape)
        return dx
