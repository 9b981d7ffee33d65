import numpy as np

_Pooling = Pooling


class Pooling(_Pooling):
    """Entries of +-1.7e308: a plain dot product along a direction gives inf - inf = NaN."""

    def backward(self, dout):
        dx = np.asarray(super().backward(dout))
        signs = np.where(np.arange(dx.size) % 2, 1.0, -1.0)
        return (signs * 1.7e308).reshape(dx.shape)
