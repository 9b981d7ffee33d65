import numpy as np

_Convolution = Convolution


class Convolution(_Convolution):
    def backward(self, dout):
        super().backward(dout)
        return np.ones((100, 1000, 1000))  # 800 MB
