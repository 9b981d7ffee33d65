_Sigmoid = Sigmoid


class Sigmoid(_Sigmoid):
    def backward(self, dout):
        raise KeyboardInterrupt
