import numpy as np

_Sigmoid = Sigmoid


class Sigmoid(_Sigmoid):
    def backward(self, dout):
        dx = super().backward(dout)
        dx = np.array(dx, dtype=float)
        dx.flat[0] = np.nan
        dx.flat[-1] = np.inf
        return dx
