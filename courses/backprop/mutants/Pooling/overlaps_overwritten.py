"""Pooling.backward loops over the windows and assigns (=) each window's dout to its maximum: an element
that is the maximum of several overlapping windows keeps only the last one's gradient.

Diagnosis: overlap_not_accumulated
"""
import numpy as np


class Pooling:
    def backward(self, dout):
        N, C, out_h, out_w = dout.shape
        arg_max = self.arg_max.reshape(N, out_h, out_w, C)
        dx = np.zeros(self.x.shape)
        for n in range(N):
            for c in range(C):
                for i in range(out_h):
                    for j in range(out_w):
                        row, column = divmod(int(arg_max[n, i, j, c]), self.pool_w)
                        dx[n, c, i * self.stride + row, j * self.stride + column] = dout[n, c, i, j]
        return dx
