"""Affine.backward sets db = dout[0], forgetting to sum over the batch.

Diagnosis: missing_batch_sum
"""
import numpy as np


class Affine:
    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = dout[0]
        dx = dx.reshape(self.original_x_shape)
        return dx
