"""Pooling.backward spreads dout evenly over the window (average-pool gradient) instead of to the maximum.

Diagnosis: wrong_values
"""
import numpy as np


class Pooling:
    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)  # (N, OH, OW, C): the row order of arg_max

        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size))
        dmax[:] = dout.reshape(-1, 1) / pool_size

        dcol = dmax.reshape(-1, self.x.shape[1] * pool_size)  # back to im2col's (N*OH*OW, C*PH*PW)
        dx = col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
        return dx
