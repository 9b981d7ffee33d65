"""Affine and softmax-with-loss whose backward recomputes with forward: Affine from the flattened input it
kept, the loss from labels converted to indices (a different size from the one-hot labels given)."""
import numpy as np


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    if y.ndim == 1:
        y, t = y[np.newaxis, :], np.asarray(t)[np.newaxis, ...]
    if np.ndim(t) == y.ndim:
        t = np.argmax(t, axis=1)
    return -np.sum(np.log(np.maximum(y[np.arange(y.shape[0]), t], 1e-300))) / y.shape[0]


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = self.original_x_shape = self.dW = self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1).copy()
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        self.forward(self.x.reshape(self.original_x_shape))  # same numbers, reshaped back
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T).reshape(self.original_x_shape)


class SoftmaxWithLoss:
    def __init__(self):
        self.x = self.t = self.y = self.loss = None

    def forward(self, x, t):
        self.x = x
        self.t = np.argmax(t, axis=-1) if np.ndim(t) == np.ndim(x) else np.asarray(t)
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        self.forward(self.x, self.t)  # labels as indices now: not the array forward was given
        y = np.atleast_2d(self.y)
        onehot = np.zeros_like(y)
        onehot[np.arange(y.shape[0]), np.atleast_1d(self.t)] = 1
        return ((y - onehot) / y.shape[0]).reshape(np.shape(self.y)) * dout
