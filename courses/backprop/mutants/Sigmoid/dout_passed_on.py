"""Sigmoid.backward returns dout unchanged: the local gradient out * (1 - out) is never multiplied in.

Diagnosis: missing_local_gradient
"""


class Sigmoid:
    def backward(self, dout):
        return dout
