_Relu = Relu


class Relu(_Relu):
    def backward(self, dout):
        return super().backward(dout).reshape(-1)[:-1]
