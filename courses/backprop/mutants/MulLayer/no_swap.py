"""MulLayer.backward multiplies dout by the layer's own input (dx = dout * x) instead of swapping.

Diagnosis: swapped_inputs
"""


class MulLayer:
    def backward(self, dout):
        dx = dout * self.x
        dy = dout * self.y
        return dx, dy
