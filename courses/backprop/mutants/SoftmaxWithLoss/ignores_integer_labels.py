"""SoftmaxWithLoss.backward always computes y - t, which is wrong when t holds integer labels.

Diagnosis: exception
"""


class SoftmaxWithLoss:
    def backward(self, dout=1):
        batch_size = self.y.shape[0]
        dx = (self.y - self.t) / batch_size
        return dx * dout
