"""learning.py answering in float32."""
import numpy as np

f32 = np.float32


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        keep = x[idx]
        x[idx] = keep + h
        upper = f(x)
        x[idx] = keep - h
        lower = f(x)
        x[idx] = keep
        grad[idx] = (upper - lower) / (2 * h)
    return grad.astype(f32)


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = np.array(init_x, dtype=np.float64)
    for _ in range(step_num):
        x = x - lr * numerical_gradient(f, x).astype(np.float64)
    return x.astype(f32)


class SigmoidWithLoss:
    def forward(self, x, t):
        self.t = np.asarray(t, dtype=f32)
        self.y = (f32(0.5) * (np.tanh(f32(0.5) * np.asarray(x, dtype=f32)) + f32(1))).astype(f32)
        return f32(np.mean(np.logaddexp(0.0, x) - t * x))

    def backward(self, dout=1):
        return ((self.y - self.t) / f32(len(self.t))).astype(f32)
