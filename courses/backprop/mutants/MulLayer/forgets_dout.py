"""MulLayer.backward returns the local derivatives (y, x) without multiplying by dout.

Diagnosis: missing_upstream
"""


class MulLayer:
    def backward(self, dout):
        dx = self.y
        dy = self.x
        return dx, dy
