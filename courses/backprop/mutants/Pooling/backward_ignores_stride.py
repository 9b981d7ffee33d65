"""Pooling.backward calls col2im without the stride, so it assumes stride 1.

Diagnosis: exception
"""
import numpy as np


class Pooling:
    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)  # (N, OH, OW, C): the row order of arg_max

        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size))
        dmax[np.arange(self.arg_max.size), self.arg_max.ravel()] = dout.ravel()

        dcol = dmax.reshape(-1, self.x.shape[1] * pool_size)  # back to im2col's (N*OH*OW, C*PH*PW)
        dx = col2im(dcol, self.x.shape, self.pool_h, self.pool_w, pad=self.pad)
        return dx
