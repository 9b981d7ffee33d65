"""Convolution.backward reshapes dout with dout.reshape(-1, FN) skipping the transpose to (N, OH, OW, FN) order.

Diagnosis: wrong_values
"""
import numpy as np


class Convolution:
    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dout = dout.reshape(-1, FN)

        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout)  # (C*FH*FW, FN)
        self.dW = self.dW.transpose(1, 0).reshape(FN, C, FH, FW)

        dcol = np.dot(dout, self.col_W.T)
        dx = col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)
        return dx
