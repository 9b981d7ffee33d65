"""Relu.backward multiplies dout by the mask, passing the gradient where x <= 0 instead of x > 0.

Diagnosis: inverted_mask
"""


class Relu:
    def backward(self, dout):
        dx = dout * self.mask
        return dx
