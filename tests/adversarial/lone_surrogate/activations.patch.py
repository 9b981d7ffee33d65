_Relu = Relu


class Relu(_Relu):
    """A lone surrogate cannot be written as UTF-8: the report write used to fail on it."""

    def backward(self, dout):
        print("printed \ud800 half a character")
        raise ValueError("half a character: \ud83d, and its other half: \ude00")
