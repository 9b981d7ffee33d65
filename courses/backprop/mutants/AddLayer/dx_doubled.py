"""AddLayer.backward returns dx = dout * 2, counting the gradient twice.

Diagnosis: scaled
"""


class AddLayer:
    def backward(self, dout):
        dx = dout * 2
        dy = dout * 1
        return dx, dy
