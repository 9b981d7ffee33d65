"""Convolution and max pooling with stride tricks and einsum, in float32."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

f32 = np.float32


def _windows(x, kh, kw, stride):
    """(N, C, OH, OW, kh, kw) view of every window."""
    return sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad

    def forward(self, x):
        p = self.pad
        self.x_shape = x.shape
        self.xp = np.pad(np.asarray(x, dtype=f32), [(0, 0), (0, 0), (p, p), (p, p)])
        FN, C, FH, FW = self.W.shape
        win = _windows(self.xp, FH, FW, self.stride)
        out = np.einsum('ncijpq,fcpq->nfij', win, self.W.astype(f32))
        return out + self.b.astype(f32)[None, :, None, None]

    def backward(self, dout):
        dout = np.asarray(dout, dtype=f32)
        FN, C, FH, FW = self.W.shape
        s, p = self.stride, self.pad
        win = _windows(self.xp, FH, FW, s)
        self.db = dout.sum(axis=(0, 2, 3), dtype=f32)
        self.dW = np.einsum('ncijpq,nfij->fcpq', win, dout)
        dxp = np.zeros_like(self.xp)
        OH, OW = dout.shape[2:]
        contrib = np.einsum('nfij,fcpq->ncijpq', dout, self.W.astype(f32))
        for a in range(FH):
            for b in range(FW):
                dxp[:, :, a:a + s * OH:s, b:b + s * OW:s] += contrib[:, :, :, :, a, b]
        N, C, H, W = self.x_shape
        return dxp[:, :, p:p + H, p:p + W]


class Pooling:
    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad

    def forward(self, x):
        self.x = np.asarray(x, dtype=f32)
        win = _windows(self.x, self.pool_h, self.pool_w, self.stride)
        flat = win.reshape(win.shape[:4] + (-1,))
        self.arg_max = flat.argmax(axis=-1)
        return flat.max(axis=-1)

    def backward(self, dout):
        dout = np.asarray(dout, dtype=f32)
        dx = np.zeros_like(self.x)
        N, C, OH, OW = dout.shape
        rows, cols = np.divmod(self.arg_max, self.pool_w)
        i = np.arange(OH)[:, None] * self.stride + rows
        j = np.arange(OW)[None, :] * self.stride + cols
        n = np.arange(N)[:, None, None, None]
        c = np.arange(C)[None, :, None, None]
        np.add.at(dx, (n, c, i, j), dout)
        return dx
