"""MulLayer.backward returns dx alone instead of the pair (dx, dy).

Diagnosis: wrong_count
"""


class MulLayer:
    def backward(self, dout):
        dx = dout * self.y
        dy = dout * self.x
        return dx
