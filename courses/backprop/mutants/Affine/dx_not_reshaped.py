"""Affine.backward returns dx as (N, D) instead of reshaping it to the input's original shape.

Diagnosis: not_reshaped
"""
import numpy as np


class Affine:
    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx
