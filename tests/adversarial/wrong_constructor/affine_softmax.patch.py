_Affine = Affine


class Affine(_Affine):
    def __init__(self, weights):  # the assignment asks for Affine(W, b)
        super().__init__(weights, None)
