"""Convolution and max pooling as naive nested loops in pure Python."""
import numpy as np


def _out_size(size, k, stride, pad):
    return 1 + (size + 2 * pad - k) // stride


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        self.x = None
        self.dW = None
        self.db = None

    def _padded(self, x):
        p = self.pad
        return np.pad(x, [(0, 0), (0, 0), (p, p), (p, p)])

    def forward(self, x):
        self.x = x
        xp = self._padded(x)
        N, C, H, W = x.shape
        FN, _, FH, FW = self.W.shape
        s = self.stride
        OH = _out_size(H, FH, s, self.pad)
        OW = _out_size(W, FW, s, self.pad)
        out = np.zeros((N, FN, OH, OW))
        for n in range(N):
            for f in range(FN):
                for i in range(OH):
                    for j in range(OW):
                        total = self.b[f]
                        for c in range(C):
                            for p in range(FH):
                                for q in range(FW):
                                    total += xp[n, c, i * s + p, j * s + q] * self.W[f, c, p, q]
                        out[n, f, i, j] = total
        return out

    def backward(self, dout):
        xp = self._padded(self.x)
        dxp = np.zeros_like(xp, dtype=float)
        N, C, H, W = self.x.shape
        FN, _, FH, FW = self.W.shape
        OH, OW = dout.shape[2], dout.shape[3]
        s, pad = self.stride, self.pad
        self.dW = np.zeros(self.W.shape)
        self.db = np.zeros(FN)
        for n in range(N):
            for f in range(FN):
                for i in range(OH):
                    for j in range(OW):
                        g = dout[n, f, i, j]
                        self.db[f] += g
                        for c in range(C):
                            for p in range(FH):
                                for q in range(FW):
                                    self.dW[f, c, p, q] += g * xp[n, c, i * s + p, j * s + q]
                                    dxp[n, c, i * s + p, j * s + q] += g * self.W[f, c, p, q]
        return dxp[:, :, pad:pad + H, pad:pad + W]


class Pooling:
    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.x = None
        self.winner = None  # (row, col) of the first maximum of every window

    def forward(self, x):
        self.x = x
        N, C, H, W = x.shape
        s = self.stride
        OH = _out_size(H, self.pool_h, s, 0)
        OW = _out_size(W, self.pool_w, s, 0)
        out = np.zeros((N, C, OH, OW))
        self.winner = {}
        for n in range(N):
            for c in range(C):
                for i in range(OH):
                    for j in range(OW):
                        best = None
                        for p in range(self.pool_h):
                            for q in range(self.pool_w):
                                r, k = i * s + p, j * s + q
                                if best is None or x[n, c, r, k] > x[n, c, best[0], best[1]]:
                                    best = (r, k)
                        self.winner[n, c, i, j] = best
                        out[n, c, i, j] = x[n, c, best[0], best[1]]
        return out

    def backward(self, dout):
        dx = np.zeros(self.x.shape)
        for (n, c, i, j), (r, k) in self.winner.items():
            dx[n, c, r, k] += dout[n, c, i, j]
        return dx
