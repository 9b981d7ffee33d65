"""Convolution.backward returns dx of the padded input, forgetting to crop the padding.

Diagnosis: padded
"""
import numpy as np


class Convolution:
    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)  # (N*OH*OW, FN), the layout of out before reshaping

        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout)  # (C*FH*FW, FN)
        self.dW = self.dW.transpose(1, 0).reshape(FN, C, FH, FW)

        dcol = np.dot(dout, self.col_W.T)
        dx = col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)
        dx = np.pad(dx, [(0, 0), (0, 0), (self.pad, self.pad), (self.pad, self.pad)])
        return dx
