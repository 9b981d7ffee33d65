"""SigmoidWithLoss.backward forgets to divide by the batch size.

Diagnosis: missing_batch_mean
"""


class SigmoidWithLoss:
    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = (self.y - self.t) * dout
        return dx
