"""numerical_gradient uses the forward difference (f(x + h) - f(x)) / h.

Diagnosis: imprecise
"""
import numpy as np


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + h
        f_plus = f(x)
        x[idx] = original
        f_here = f(x)
        grad[idx] = (f_plus - f_here) / h
    return grad
