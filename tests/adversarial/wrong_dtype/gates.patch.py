import numpy as np

_MulLayer = MulLayer


class MulLayer(_MulLayer):
    def backward(self, dout):
        dx, dy = super().backward(dout)
        return np.asarray(dx, dtype=object), np.asarray(dy, dtype=complex)
