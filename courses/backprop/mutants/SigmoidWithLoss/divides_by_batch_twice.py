"""SigmoidWithLoss.backward divides by N twice (the mean taken again).

Diagnosis: scaled
"""


class SigmoidWithLoss:
    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = (self.y - self.t) * dout / batch_size / batch_size
        return dx
