"""AddLayer.backward returns dy = -dout, treating the gate as subtraction.

Diagnosis: sign_flipped
"""


class AddLayer:
    def backward(self, dout):
        dx = dout * 1
        dy = -dout
        return dx, dy
