"""Relu.backward returns dout unchanged, forgetting the mask.

Diagnosis: extra_nonzero
"""


class Relu:
    def backward(self, dout):
        dx = dout
        return dx
