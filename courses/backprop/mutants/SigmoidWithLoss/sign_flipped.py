"""SigmoidWithLoss.backward returns (t - y) / N.

Diagnosis: sign_flipped
"""


class SigmoidWithLoss:
    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = (self.t - self.y) * dout / batch_size
        return dx
