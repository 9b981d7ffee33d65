"""Pooling.backward sends the gradient to every element equal to the window maximum, not only the first.

Diagnosis: extra_nonzero
"""
import numpy as np


class Pooling:
    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)  # (N, OH, OW, C): the row order of arg_max

        pool_size = self.pool_h * self.pool_w
        col = im2col(self.x, self.pool_h, self.pool_w, self.stride, self.pad).reshape(-1, pool_size)
        is_max = col == col.max(axis=1, keepdims=True)
        dmax = is_max * dout.reshape(-1, 1)

        dcol = dmax.reshape(-1, self.x.shape[1] * pool_size)  # back to im2col's (N*OH*OW, C*PH*PW)
        dx = col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
        return dx
