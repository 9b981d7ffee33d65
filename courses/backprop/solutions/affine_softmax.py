"""Assignment 3: the fully connected (Affine) layer and softmax with loss.

``Affine(W, b)`` computes out = x . W + b for a batch: x is (N, D) (inputs of
any shape (N, ...) are flattened to (N, D) first), W is (D, M), b is (M,) and
out is (N, M). A matrix product is a multiply gate, so the gradients swap the
operands and transpose them until the shapes fit:

    dx = dout . W^T    (N, D)        dW = x^T . dout    (D, M)

b is added to every row of the batch, so its gradient sums dout over the
rows: db = sum over N of dout, shape (M,). Example: dout = [[1, 2, 3],
[4, 5, 6]] gives db = [5, 7, 9]. ``backward`` returns dx in the shape x had
before flattening and stores dW and db on the layer.

``SoftmaxWithLoss`` turns scores x (N, K) into probabilities y = softmax(x)
and returns the mean cross-entropy against the labels t, which are one-hot
(N, K) or integer class indices (N,). The two gradients combine into a very
simple one:

    dL/dx = (y - t) / N     with t as one-hot

The division by N comes from averaging the loss over the batch.
"""
import numpy as np


def softmax(x):
    """Row-wise softmax of scores x (N, K), or of a single row (K,)."""
    x = x - np.max(x, axis=-1, keepdims=True)  # same result, and exp() cannot overflow
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    """Mean cross-entropy of probabilities y (N, K) for one-hot t (N, K) or labels t (N,)."""
    if y.ndim == 1:  # a single example
        y = y[np.newaxis, :]
        t = np.asarray(t)[np.newaxis, ...]
    if np.ndim(t) == y.ndim:  # one-hot: keep the index of the 1
        t = np.argmax(t, axis=1)
    batch_size = y.shape[0]
    p = y[np.arange(batch_size), t]  # probability given to the right class
    return -np.sum(np.log(np.maximum(p, 1e-300))) / batch_size  # the floor keeps log(0) finite


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
        x = x.reshape(x.shape[0], -1)
        self.x = x
        out = np.dot(self.x, self.W) + self.b
        return out

    def backward(self, dout):
        ### BEGIN SOLUTION
        ### TODO: Affine.backward: return dx with the original shape of x
        ###   (self.original_x_shape) and set self.dW (D, M) and self.db (M,).
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        dx = dx.reshape(self.original_x_shape)
        return dx
        ### END SOLUTION


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None  # softmax output (N, K)
        self.t = None  # labels: one-hot (N, K) or integers (N,)

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        ### BEGIN SOLUTION
        ### TODO: SoftmaxWithLoss.backward: return dx (N, K), the gradient of the
        ###   mean loss with respect to the scores x; self.t holds one-hot labels
        ###   (N, K) or integer labels (N,).
        batch_size = self.y.shape[0]
        if np.ndim(self.t) == self.y.ndim:
            t = self.t
        else:
            t = np.zeros_like(self.y)
            t[np.arange(batch_size), self.t] = 1
        dx = (self.y - t) / batch_size
        return dx * dout
        ### END SOLUTION
