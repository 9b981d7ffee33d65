_AddLayer = AddLayer


class AddLayer(_AddLayer):
    def backward(self, dout):
        return self.backward(dout)
