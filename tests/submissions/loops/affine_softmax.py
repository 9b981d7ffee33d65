"""Affine and Softmax-with-Loss with explicit loops over batch, inputs and outputs."""
import math

import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        N, D = self.x.shape
        M = self.W.shape[1]
        out = np.zeros((N, M))
        for n in range(N):
            for m in range(M):
                total = self.b[m]
                for d in range(D):
                    total += self.x[n, d] * self.W[d, m]
                out[n, m] = total
        return out

    def backward(self, dout):
        N, D = self.x.shape
        M = self.W.shape[1]
        dx = np.zeros((N, D))
        self.dW = np.zeros((D, M))
        self.db = np.zeros(M)
        for n in range(N):
            for m in range(M):
                g = dout[n, m]
                self.db[m] += g
                for d in range(D):
                    dx[n, d] += g * self.W[d, m]
                    self.dW[d, m] += self.x[n, d] * g
        return dx.reshape(self.original_x_shape)


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        N, K = x.shape
        self.t = t
        self.y = np.zeros((N, K))
        loss = 0.0
        for n in range(N):
            top = max(x[n, k] for k in range(K))
            exps = [math.exp(x[n, k] - top) for k in range(K)]
            total = sum(exps)
            for k in range(K):
                self.y[n, k] = exps[k] / total
            label = self._label(n)
            loss -= (x[n, label] - top) - math.log(total)
        self.loss = loss / N
        return self.loss

    def _label(self, n):
        if np.ndim(self.t) == 1:
            return int(self.t[n])
        row = self.t[n]
        best = 0
        for k in range(len(row)):
            if row[k] > row[best]:
                best = k
        return best

    def backward(self, dout=1):
        N, K = self.y.shape
        dx = np.zeros((N, K))
        for n in range(N):
            label = self._label(n)
            for k in range(K):
                target = 1.0 if k == label else 0.0
                dx[n, k] = dout * (self.y[n, k] - target) / N
        return dx
