"""Pooling.backward uses a col2im with out_h and out_w swapped: right only on square output maps.

Diagnosis: exception
"""
import numpy as np


def col2im_swapped(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """col2im with out_h and out_w swapped in the reshape: the same array when the output map is square."""
    N, C, H, W = input_shape
    out_h = conv_output_size(H, filter_h, stride, pad)
    out_w = conv_output_size(W, filter_w, stride, pad)
    col = col.reshape(N, out_w, out_h, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)  # out_w where out_h belongs

    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for y in range(filter_h):
        for x in range(filter_w):
            img[:, :, y:y + stride * out_h:stride, x:x + stride * out_w:stride] += col[:, :, y, x, :, :]

    return img[:, :, pad:H + pad, pad:W + pad]


class Pooling:
    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)  # (N, OH, OW, C): the row order of arg_max

        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size))
        dmax[np.arange(self.arg_max.size), self.arg_max.ravel()] = dout.ravel()

        dcol = dmax.reshape(-1, self.x.shape[1] * pool_size)  # back to im2col's (N*OH*OW, C*PH*PW)
        dx = col2im_swapped(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
        return dx
