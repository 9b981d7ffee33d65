"""Affine and Softmax-with-Loss that compute in float32 and return a float32 loss."""
import numpy as np

f32 = np.float32


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = np.asarray(x, dtype=f32).reshape(x.shape[0], -1)
        return self.x @ self.W.astype(f32) + self.b.astype(f32)

    def backward(self, dout):
        dout = np.asarray(dout, dtype=f32)
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0, dtype=f32)
        return (dout @ self.W.astype(f32).T).reshape(self.original_x_shape)


class SoftmaxWithLoss:
    def forward(self, x, t):
        x = np.asarray(x, dtype=f32)
        shifted = x - x.max(axis=1, keepdims=True)
        log_y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.y = np.exp(log_y)
        N = x.shape[0]
        labels = t if np.ndim(t) == 1 else np.argmax(t, axis=1)
        self.onehot = np.zeros_like(self.y)
        self.onehot[np.arange(N), labels] = 1
        self.loss = f32(-log_y[np.arange(N), labels].mean())
        return self.loss

    def backward(self, dout=1):
        N = self.y.shape[0]
        return ((self.y - self.onehot) / f32(N)).astype(f32)
