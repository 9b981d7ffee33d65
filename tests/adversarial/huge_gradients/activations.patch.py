import numpy as np

_Relu, _Sigmoid = Relu, Sigmoid


class Relu(_Relu):
    """Computes nothing: every gradient is 1e200, whose squares overflow to inf."""

    def backward(self, dout):
        return np.full(np.shape(dout), 1e200)


class Sigmoid(_Sigmoid):
    def backward(self, dout):
        return np.full(np.shape(dout), 1e200)
