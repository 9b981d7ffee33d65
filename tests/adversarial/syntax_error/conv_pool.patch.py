_Pooling = Pooling


class Pooling(_Pooling):
    def backward(self, dout)
        return dout
