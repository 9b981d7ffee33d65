"""Sigmoid.backward returns dout * (1 - out)**2 instead of dout * out * (1 - out).

Diagnosis: wrong_values
"""


class Sigmoid:
    def backward(self, dout):
        dx = dout * (1.0 - self.out) ** 2
        return dx
