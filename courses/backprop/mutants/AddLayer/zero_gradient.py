"""AddLayer.backward returns dout * 0, as if addition had no derivative.

Diagnosis: zero
"""


class AddLayer:
    def backward(self, dout):
        dx = dout * 0
        dy = dout * 0
        return dx, dy
