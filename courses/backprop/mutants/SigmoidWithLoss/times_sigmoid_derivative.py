"""SigmoidWithLoss.backward multiplies by y (1 - y) once more, as a lone Sigmoid layer would.

Diagnosis: wrong_values
"""


class SigmoidWithLoss:
    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = (self.y - self.t) * self.y * (1 - self.y) * dout / batch_size
        return dx
