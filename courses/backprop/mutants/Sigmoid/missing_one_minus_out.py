"""Sigmoid.backward returns dout * out, dropping the (1 - out) factor.

Diagnosis: wrong_values
"""


class Sigmoid:
    def backward(self, dout):
        dx = dout * self.out
        return dx
